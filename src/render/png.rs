//! The map as a PNG picture: the self-contained SVG (`font::embed_glyphs` of `svg::chain_map_svg`)
//! drawn by resvg with the embedded fonts only, so the pixels are the same on every machine.

use super::font;
use resvg::{tiny_skia, usvg};

/// The smallest and largest scale factor accepted (`--scale`, `?scale=`).
pub const SCALES: std::ops::RangeInclusive<f32> = 0.25..=4.0;
/// The largest picture drawn, in pixels (128 MiB of RGBA): a bigger one is refused, not drawn.
pub const MAX_PIXELS: u64 = 32 * 1024 * 1024;

/// Why a picture could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PictureError {
    /// The scale is not a number within [`SCALES`].
    #[error("scale must be a number from 0.25 to 4, not {0}")]
    BadScale(f32),
    /// The picture would be larger than [`MAX_PIXELS`].
    #[error(
        "a {width} × {height} pixel picture is larger than the {MAX_PIXELS} pixels allowed; \
         draw fewer firms (limit) or use a smaller scale"
    )]
    TooLarge { width: u32, height: u32 },
    /// The SVG could not be read (a defect: it is drawn by qmap).
    #[error("the picture's SVG cannot be read: {0}")]
    Svg(String),
    /// The PDF could not be written.
    #[error("the PDF cannot be written: {0}")]
    Pdf(String),
}

impl PictureError {
    /// The stable code of the error, as the API and the command line report it.
    pub fn code(&self) -> &'static str {
        match self {
            PictureError::BadScale(_) => "bad_scale",
            PictureError::TooLarge { .. } => "picture_too_large",
            PictureError::Svg(_) => "svg_unreadable",
            PictureError::Pdf(_) => "pdf_unwritable",
        }
    }
}

/// Checks a scale factor: a finite number within [`SCALES`].
pub fn check_scale(scale: f32) -> Result<f32, PictureError> {
    if scale.is_finite() && SCALES.contains(&scale) {
        Ok(scale)
    } else {
        Err(PictureError::BadScale(scale))
    }
}

/// Reads an SVG document with the embedded fonts only (no system fonts).
pub fn tree(svg: &str) -> Result<usvg::Tree, PictureError> {
    usvg::Tree::from_str(svg, &font::usvg_options()).map_err(|e| PictureError::Svg(e.to_string()))
}

/// Draws an SVG document as a PNG at `scale` pixels per SVG unit.
///
/// # Complexity
/// O(n + w·h) for an n-byte document drawn at w × h pixels.
pub fn svg_to_png(svg: &str, scale: f32) -> Result<Vec<u8>, PictureError> {
    let scale = check_scale(scale)?;
    let tree = tree(svg)?;
    let size = tree.size();
    let width = (size.width() * scale).ceil().max(1.0) as u32;
    let height = (size.height() * scale).ceil().max(1.0) as u32;
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(PictureError::TooLarge { width, height });
    }
    let mut pixmap =
        tiny_skia::Pixmap::new(width, height).ok_or(PictureError::TooLarge { width, height })?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| PictureError::Svg(e.to_string()))
}

/// The map of a chain as a PNG: the same picture as the self-contained SVG (without its
/// transparent text, which would draw nothing).
pub fn chain_map_png(map: &crate::map::QualityMap, scale: f32) -> Result<Vec<u8>, PictureError> {
    check_scale(scale)?;
    svg_to_png(&font::outline_text(&super::svg::chain_map_svg(map)), scale)
}
