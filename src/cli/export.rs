//! `qmap export`: the whole store as one bundle, streamed kind by kind (see
//! [`Store::export_json`]), never held whole in memory; or one chain as GraphML (see
//! [`crate::render::graphml`]); or coverage by region as GeoJSON (see
//! [`crate::render::geojson`]).

use super::*;

/// What `qmap export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// The whole store as one bundle (format 1).
    Json,
    /// One chain as a GraphML document.
    Graphml,
    /// The whole store as a workbook in the survey template's layout (-o FILE.xlsx).
    Xlsx,
    /// The whole store as CSV files in the survey template's layout, one per sheet, into the
    /// folder -o DIR (or a zip, when -o ends in .zip).
    Csv,
    /// Coverage by province or city (of one chain with --chain) as a GeoJSON FeatureCollection.
    Geojson,
}

/// The regions of a GeoJSON export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GeoLevel {
    /// One feature per province.
    Province,
    /// One feature per city.
    City,
}

/// `--level` and `--province`, which only go with `--format geojson`.
#[derive(Debug, Clone, Default)]
pub struct GeoOptions {
    pub level: Option<GeoLevel>,
    pub province: Option<String>,
}

pub(super) fn export(
    format: ExportFormat,
    chain: Option<&str>,
    geo: GeoOptions,
    output: Option<&Path>,
    dir: &Path,
) -> Result<(), CliError> {
    if format != ExportFormat::Geojson && (geo.level.is_some() || geo.province.is_some()) {
        return Err(CliError::Usage(
            "--level and --province go with --format geojson".into(),
        ));
    }
    match (format, chain) {
        (ExportFormat::Geojson, chain) => export_geojson(chain, geo, output, dir),
        (ExportFormat::Json, None) => export_json(output, dir),
        (ExportFormat::Json, Some(_)) => Err(CliError::Usage(
            "--chain goes with --format graphml; --format json exports the whole store".into(),
        )),
        (ExportFormat::Graphml, Some(chain)) => export_graphml(chain, output, dir),
        (ExportFormat::Graphml, None) => Err(CliError::Usage(
            "--format graphml needs --chain ID: a GraphML document is one chain".into(),
        )),
        (ExportFormat::Xlsx | ExportFormat::Csv, Some(_)) => Err(CliError::Usage(
            "--chain goes with --format graphml; xlsx and csv export the whole store".into(),
        )),
        (ExportFormat::Xlsx | ExportFormat::Csv, None) => {
            let Some(output) = output else {
                return Err(CliError::Usage(
                    "--format xlsx and csv need -o (a file, or a folder or .zip for csv)".into(),
                ));
            };
            export_sheets(format, output, dir)
        }
    }
}

/// The whole store in the survey template's layout: a workbook, or CSV files in a folder or zip.
fn export_sheets(format: ExportFormat, output: &Path, dir: &Path) -> Result<(), CliError> {
    let bundle = Store::open_with_cache(dir, EXPORT_CACHE_BYTES)?
        .load()?
        .to_bundle();
    let write_err = |source| CliError::WriteFile {
        path: output.to_path_buf(),
        source,
    };
    let zipped = output
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    match format {
        ExportFormat::Csv if !zipped => crate::sheet::write_csv::write_dir(&bundle, output),
        ExportFormat::Csv => crate::sheet::write_csv::zip_bytes(&bundle)
            .and_then(|bytes| std::fs::write(output, bytes)),
        _ => crate::sheet::write_xlsx::export(&bundle)
            .map_err(std::io::Error::other)
            .and_then(|bytes| std::fs::write(output, bytes)),
    }
    .map_err(write_err)
}

/// `qmap template -o FILE`: the empty survey workbook with its 说明 sheet.
pub(super) fn template(output: &Path) -> Result<(), CliError> {
    let bytes = crate::sheet::write_xlsx::template().map_err(|e| CliError::WriteFile {
        path: output.to_path_buf(),
        source: std::io::Error::other(e),
    })?;
    std::fs::write(output, bytes).map_err(|source| CliError::WriteFile {
        path: output.to_path_buf(),
        source,
    })
}

/// One chain of the store as GraphML, the same document as
/// `GET /api/v1/chains/{id}/graph.graphml`.
fn export_graphml(chain: &str, output: Option<&Path>, dir: &Path) -> Result<(), CliError> {
    let snap = Snapshot::of(Store::open(dir)?.load()?, 0);
    let Some(record) = snap.dataset.chains.get(chain) else {
        return Err(CliError::UnknownChain {
            chain: chain.to_string(),
        });
    };
    let analysis = snap.chain_analysis(chain).map_err(service_error)?;
    let document = crate::render::graphml::chain_graphml(&snap.dataset, record, &analysis);
    write_document(&document, output)
}

/// Coverage by region as GeoJSON, the same document as `GET /api/v1/coverage/regions.geojson`
/// with the same parameters (the command line reads everything).
fn export_geojson(
    chain: Option<&str>,
    geo: GeoOptions,
    output: Option<&Path>,
    dir: &Path,
) -> Result<(), CliError> {
    let snap = Snapshot::of(Store::open(dir)?.load()?, 0);
    if let Some(chain) = chain.filter(|c| !snap.dataset.chains.contains_key(*c)) {
        return Err(CliError::UnknownChain {
            chain: chain.to_string(),
        });
    }
    let level = match geo.level.unwrap_or(GeoLevel::Province) {
        GeoLevel::Province => crate::render::boundaries::RegionLevel::Province,
        GeoLevel::City => crate::render::boundaries::RegionLevel::City,
    };
    let document = crate::service::chains::regions_geojson(
        &snap,
        &crate::service::Principal::Anonymous,
        chain,
        level,
        geo.province.as_deref(),
    )
    .map_err(service_error)?;
    write_document(&document, output)
}

/// Writes a document to `output`, or to stdout when absent.
fn write_document(document: &str, output: Option<&Path>) -> Result<(), CliError> {
    match output {
        Some(path) => std::fs::write(path, document).map_err(|source| CliError::WriteFile {
            path: path.to_path_buf(),
            source,
        }),
        None => match io::stdout().lock().write_all(document.as_bytes()) {
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(CliError::WriteFile {
                path: PathBuf::from("-"),
                source: e,
            }),
            _ => Ok(()),
        },
    }
}

fn export_json(output: Option<&Path>, dir: &Path) -> Result<(), CliError> {
    // Every page is read once: a small cache keeps the resident memory to the records of one
    // kind at a time.
    let store = Store::open_with_cache(dir, EXPORT_CACHE_BYTES)?;
    let path = output.unwrap_or(Path::new("<stdout>"));
    let write_err = |source| CliError::WriteFile {
        path: path.to_path_buf(),
        source,
    };
    let exported = |e: crate::store::ExportError| match e {
        crate::store::ExportError::Store(e) => CliError::Store(e),
        crate::store::ExportError::Write(e) => write_err(e),
    };
    match output {
        Some(path) => {
            let file = File::create(path).map_err(write_err)?;
            let mut out = BufWriter::with_capacity(1 << 20, file);
            store.export_json(&mut out).map_err(exported)?;
            out.write_all(b"\n").map_err(write_err)?;
            let file = out.into_inner().map_err(|e| write_err(e.into_error()))?;
            file.sync_all().map_err(write_err)?;
        }
        None => {
            let mut out = BufWriter::with_capacity(1 << 20, io::stdout().lock());
            store.export_json(&mut out).map_err(exported)?;
            out.write_all(b"\n").map_err(write_err)?;
            out.flush().map_err(write_err)?;
        }
    }
    Ok(())
}

/// sled's page cache for an export, which reads each page once.
const EXPORT_CACHE_BYTES: u64 = 64 << 20;
