//! `qmap render`: a chain's quality map as a standalone SVG, PNG or one-page PDF picture, drawn
//! with the embedded CJK font only (see `render::font`).

use super::*;
use crate::render::{font, pdf, png};

/// What to draw: the format, and the PNG's scale or the PDF's paper.
pub(super) struct Picture {
    pub format: PictureFormat,
    pub scale: f32,
    pub paper: pdf::Paper,
}

/// `qmap render`: a chain's quality map as SVG, PNG or PDF, from a bundle file or a store.
pub(super) fn render(
    file: Option<&Path>,
    data: Option<&Path>,
    chain: &str,
    output: Option<&Path>,
    limit: usize,
    picture: Picture,
) -> Result<(), CliError> {
    if picture.format == PictureFormat::Png {
        png::check_scale(picture.scale)?;
    }
    let (dataset, revision) = match file {
        Some(file) => (load_dataset(file, &mut Timings::new(false))?, 0),
        None => {
            let dir = data.map(Path::to_path_buf).unwrap_or_else(|| {
                std::env::var_os("QMAP_DATA")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| PathBuf::from("./qmap-data"))
            });
            let store = Store::open(&dir)?;
            let revision = store.revision();
            (store.load()?, revision)
        }
    };
    let snap = Snapshot::of(dataset, revision);
    if !snap.has_chain(chain) {
        return Err(CliError::UnknownChain {
            chain: chain.to_string(),
        });
    }
    let map = snap
        .quality_map(chain, (limit > 0).then_some(limit))
        .map_err(service_error)?;
    let bytes = match picture.format {
        PictureFormat::Svg => {
            font::embed_glyphs(&crate::render::svg::chain_map_svg(&map)).into_bytes()
        }
        PictureFormat::Png => png::chain_map_png(&map, picture.scale)?,
        PictureFormat::Pdf => pdf::chain_map_pdf(
            &map,
            picture.paper,
            revision,
            &pdf::day(crate::access::now()),
        )?,
    };
    match output {
        Some(path) => std::fs::write(path, bytes).map_err(|source| CliError::WriteFile {
            path: path.to_path_buf(),
            source,
        }),
        None => match io::stdout().lock().write_all(&bytes) {
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(CliError::WriteFile {
                path: PathBuf::from("-"),
                source: e,
            }),
            _ => Ok(()),
        },
    }
}
