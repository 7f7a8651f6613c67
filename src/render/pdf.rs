//! The map as a one-page PDF for print: an A4 or A3 landscape page with the chain's name, the
//! data revision and the date above the map (whose own title, coverage line and legend come
//! with it), scaled to fit. The page is an SVG whose text is turned into glyph outlines of the
//! embedded font, converted by svg2pdf: the PDF needs no fonts on the reading machine.

use super::font;
use super::png::{tree, PictureError};
use super::svg::escape;
use crate::map::QualityMap;
use resvg::usvg;
use std::fmt::Write;

/// Paper sizes, landscape.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Deserialize,
    utoipa::ToSchema,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Paper {
    /// A4 landscape, 297 × 210 mm.
    #[default]
    A4,
    /// A3 landscape, 420 × 297 mm.
    A3,
}

impl Paper {
    /// Width and height in points (1/72 inch), landscape.
    pub fn size(self) -> (f64, f64) {
        match self {
            Paper::A4 => (841.89, 595.28),
            Paper::A3 => (1190.55, 841.89),
        }
    }

    /// The name printed on the page and accepted on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Paper::A4 => "A4",
            Paper::A3 => "A3",
        }
    }
}

const MARGIN: f64 = 28.0;
const HEADER: f64 = 62.0;

/// The print page as SVG (points as units): a header line with the chain, the revision and the
/// date, then the map (`map_svg`, as drawn by `svg::chain_map_svg`) scaled to fit the rest.
/// `date` is the day the page was made (`YYYY-MM-DD`): this function does not read the clock.
pub fn page_svg(
    map: &QualityMap,
    map_svg: &str,
    paper: Paper,
    revision: u64,
    date: &str,
) -> Result<String, PictureError> {
    let doc =
        usvg::roxmltree::Document::parse(map_svg).map_err(|e| PictureError::Svg(e.to_string()))?;
    let root = doc.root_element();
    let number = |name: &str| -> f64 {
        root.attribute(name)
            .and_then(|v| v.trim_end_matches("px").parse().ok())
            .unwrap_or(100.0)
    };
    let (map_w, map_h) = (number("width"), number("height"));
    // The map's content: everything between its root's start and end tags.
    let start = root.range().start;
    let open_end = map_svg[start..]
        .find('>')
        .map(|i| start + i + 1)
        .ok_or_else(|| PictureError::Svg("no root element".into()))?;
    let close = map_svg
        .rfind("</svg>")
        .filter(|&c| c >= open_end)
        .ok_or_else(|| PictureError::Svg("no root end tag".into()))?;
    let inner = &map_svg[open_end..close];
    let attr = |name: &str| {
        root.attribute(name)
            .map(|v| format!(" {name}=\"{}\"", escape(v)))
            .unwrap_or_default()
    };

    let (w, h) = paper.size();
    let mut s = String::with_capacity(map_svg.len() + 2048);
    let _ = write!(
        s,
        r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="'{family}',sans-serif" font-size="10">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="{MARGIN}" y="{ty}" font-size="16" font-weight="700" fill="#14213d">{name} · 产业链质量图谱</text>
<text x="{MARGIN}" y="{my}" font-size="9" fill="#4a5568">数据版本 {revision} · 制图日期 {date} · 企业 {ft} 家（图中 {fs} 家）· {paper} 横向 · qmap</text>
<path d="M{MARGIN} {ly}H{lx}" stroke="#c5cedb" stroke-width="0.8"/>
<svg x="{MARGIN}" y="{HEADER}" width="{iw}" height="{ih}" viewBox="0 0 {map_w} {map_h}" preserveAspectRatio="xMidYMin meet"{ff}{fsz}>{inner}</svg>
</svg>
"##,
        family = font::FAMILY,
        ty = MARGIN + 8.0,
        my = MARGIN + 21.0,
        ly = HEADER - 6.0,
        lx = w - MARGIN,
        name = escape(&map.chain.name),
        date = escape(date),
        ft = map.firms_total,
        fs = map.firms_shown,
        paper = paper.name(),
        iw = w - 2.0 * MARGIN,
        ih = h - HEADER - MARGIN,
        ff = attr("font-family"),
        fsz = attr("font-size"),
    );
    Ok(s)
}

/// Converts an SVG document (points as units) to a one-page PDF, text as glyph outlines.
pub fn svg_to_pdf(svg: &str) -> Result<Vec<u8>, PictureError> {
    let tree = tree(&font::embed_glyphs(svg))?;
    svg2pdf::to_pdf(
        &tree,
        svg2pdf::ConversionOptions::default(),
        svg2pdf::PageOptions { dpi: 72.0 },
    )
    .map_err(|e| PictureError::Pdf(e.to_string()))
}

/// The map of a chain on one printed page.
pub fn chain_map_pdf(
    map: &QualityMap,
    paper: Paper,
    revision: u64,
    date: &str,
) -> Result<Vec<u8>, PictureError> {
    let page = page_svg(map, &super::svg::chain_map_svg(map), paper, revision, date)?;
    svg_to_pdf(&page)
}

/// The day of a Unix time (UTC) as `YYYY-MM-DD`, for the page's date.
pub fn day(secs: u64) -> String {
    let (y, m, d) = crate::access::civil_date(secs);
    format!("{y:04}-{m:02}-{d:02}")
}
