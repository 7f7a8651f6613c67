//! `qmap render`: a chain's quality map as a standalone SVG picture.

use super::*;

/// `qmap render`: a chain's quality map as SVG, from a bundle file or a store.
pub(super) fn render(
    file: Option<&Path>,
    data: Option<&Path>,
    chain: &str,
    output: Option<&Path>,
    limit: usize,
) -> Result<(), CliError> {
    let dataset = match file {
        Some(file) => Dataset::from_bundle(load_bundle(file, &mut Timings::new(false))?),
        None => {
            let dir = data.map(Path::to_path_buf).unwrap_or_else(|| {
                std::env::var_os("QMAP_DATA")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| PathBuf::from("./qmap-data"))
            });
            Store::open(&dir)?.load()?
        }
    };
    let snap = Snapshot::of(dataset, 0);
    if !snap.has_chain(chain) {
        return Err(CliError::UnknownChain {
            chain: chain.to_string(),
        });
    }
    let map = snap
        .quality_map(chain, (limit > 0).then_some(limit))
        .map_err(service_error)?;
    let svg = crate::render::svg::chain_map_svg(&map);
    match output {
        Some(path) => std::fs::write(path, svg).map_err(|source| CliError::WriteFile {
            path: path.to_path_buf(),
            source,
        }),
        None => match io::stdout().lock().write_all(svg.as_bytes()) {
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(CliError::WriteFile {
                path: PathBuf::from("-"),
                source: e,
            }),
            _ => Ok(()),
        },
    }
}
