//! The CJK font that travels with every picture: a subset of Noto Sans CJK SC (regular and bold,
//! SIL Open Font License 1.1, vendored in `data/fonts/`, see its README) embedded in the binary.
//!
//! Two uses:
//! - [`database`]: a font database holding only these two faces (no system fonts), for resvg
//!   (PNG) and svg2pdf (PDF), so a picture is drawn the same on every machine;
//! - [`embed_glyphs`]: turns the text of an SVG picture into glyph outlines, so the SVG itself
//!   renders the same in a browser or viewer without Chinese fonts. Each glyph used is defined
//!   once in `<defs>` and placed with `<use>`; the original `<text>` stays in the document in
//!   a transparent group, so the picture can still be searched and its text selected and read aloud.
//!   `<title>` tooltips and every `data-*` attribute are left as they were.
//!
//! A character outside the subset is drawn as the font's `.notdef` glyph, a visible box, in the
//! SVG, PNG and PDF alike (never silently dropped).

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::{Arc, OnceLock};
use ttf_parser::{Face, GlyphId, OutlineBuilder};
use usvg::roxmltree;

use resvg::usvg;

/// Noto Sans CJK SC Regular, subset (see `data/fonts/README.md`).
pub static REGULAR: &[u8] = include_bytes!("../../data/fonts/NotoSansSC-Regular-subset.otf");
/// Noto Sans CJK SC Bold, subset.
pub static BOLD: &[u8] = include_bytes!("../../data/fonts/NotoSansSC-Bold-subset.otf");
/// The family name of both faces, as pictures name it in `font-family`.
pub const FAMILY: &str = "Noto Sans CJK SC";

/// A font database holding only the embedded faces: system fonts are never loaded, so what a
/// picture looks like does not depend on the machine. Built once.
pub fn database() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_source(usvg::fontdb::Source::Binary(Arc::new(REGULAR)));
        db.load_font_source(usvg::fontdb::Source::Binary(Arc::new(BOLD)));
        db.set_sans_serif_family(FAMILY);
        db.set_serif_family(FAMILY);
        db.set_monospace_family(FAMILY);
        db.set_cursive_family(FAMILY);
        db.set_fantasy_family(FAMILY);
        Arc::new(db)
    })
    .clone()
}

/// usvg options that read pictures with the embedded fonts only.
pub fn usvg_options() -> usvg::Options<'static> {
    usvg::Options {
        font_family: FAMILY.to_string(),
        fontdb: database(),
        ..usvg::Options::default()
    }
}

/// The two embedded faces, parsed once.
fn faces() -> &'static [Face<'static>; 2] {
    static FACES: OnceLock<[Face<'static>; 2]> = OnceLock::new();
    FACES.get_or_init(|| {
        [
            Face::parse(REGULAR, 0).expect("the embedded regular face parses"),
            Face::parse(BOLD, 0).expect("the embedded bold face parses"),
        ]
    })
}

/// Whether the embedded font has a glyph for `c` (otherwise it is drawn as a box).
pub fn covers(c: char) -> bool {
    faces()[0].glyph_index(c).is_some()
}

/// Writes a glyph outline as SVG path data in font units, y pointing down.
struct PathData(String);

impl OutlineBuilder for PathData {
    fn move_to(&mut self, x: f32, y: f32) {
        let _ = write!(self.0, "M{} {}", num(x), num(-y));
    }
    fn line_to(&mut self, x: f32, y: f32) {
        let _ = write!(self.0, "L{} {}", num(x), num(-y));
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let _ = write!(self.0, "Q{} {} {} {}", num(x1), num(-y1), num(x), num(-y));
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let _ = write!(
            self.0,
            "C{} {} {} {} {} {}",
            num(x1),
            num(-y1),
            num(x2),
            num(-y2),
            num(x),
            num(-y)
        );
    }
    fn close(&mut self) {
        self.0.push('Z');
    }
}

/// A coordinate in font units: whole units are precise enough (1/1000 em).
fn num(v: f32) -> i32 {
    v.round() as i32
}

/// The presentation attributes a `<text>` takes from itself or its ancestors.
fn inherited<'a>(node: roxmltree::Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.ancestors()
        .filter(|n| n.is_element())
        .find_map(|n| n.attribute(name))
}

/// The first number of an attribute such as `x="12.5"` or `x="12 14"`.
fn first_number(value: Option<&str>) -> f64 {
    value
        .and_then(|v| v.split([' ', ',']).find(|s| !s.is_empty()))
        .and_then(|v| v.trim_end_matches("px").parse().ok())
        .unwrap_or(0.0)
}

/// Whether a `font-weight` value asks for bold.
fn is_bold(weight: Option<&str>) -> bool {
    match weight.map(str::trim) {
        Some("bold") | Some("bolder") => true,
        Some(w) => w.parse::<u32>().is_ok_and(|w| w >= 600),
        None => false,
    }
}

/// The text of an element as SVG displays it by default: runs of white space collapsed to one
/// space, leading and trailing space dropped.
fn displayed_text(node: roxmltree::Node) -> String {
    let raw: String = node
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect();
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Converts the text of an SVG picture into glyph outlines of the embedded font (see the module
/// documentation). Input that is not well-formed XML is returned unchanged.
///
/// # Complexity
/// O(n + c) for an n-byte document with c characters of text; each distinct glyph is outlined
/// once.
pub fn embed_glyphs(svg: &str) -> String {
    glyphs(svg, true)
}

/// [`embed_glyphs`] without the transparent text: for a raster picture (PNG), where invisible
/// text would only cost time to lay out.
pub fn outline_text(svg: &str) -> String {
    glyphs(svg, false)
}

fn glyphs(svg: &str, keep_text: bool) -> String {
    let Ok(doc) = roxmltree::Document::parse(svg) else {
        return svg.to_string();
    };
    let faces = faces();
    // (face, glyph) → index of its definition in `defs`.
    let mut defined: HashMap<(usize, u16), usize> = HashMap::new();
    let mut defs = String::new();
    let mut out = String::with_capacity(svg.len() * 2);
    let mut copied = 0;
    for node in doc.descendants().filter(|n| n.has_tag_name("text")) {
        let range = node.range();
        if range.start < copied {
            continue; // nested inside a text already handled
        }
        out.push_str(&svg[copied..range.start]);
        copied = range.end;
        // The original text, kept transparent for search, selection and screen readers.
        if keep_text {
            out.push_str("<g class=\"text-layer\" opacity=\"0\">");
            out.push_str(&svg[range.clone()]);
            out.push_str("</g>");
        }

        let text = displayed_text(node);
        if text.is_empty() {
            continue;
        }
        let face_index = usize::from(is_bold(inherited(node, "font-weight")));
        let face = &faces[face_index];
        let upm = f64::from(face.units_per_em());
        let size = {
            let v = first_number(inherited(node, "font-size"));
            if v > 0.0 {
                v
            } else {
                16.0
            }
        };
        let mut pen = 0.0f64;
        let mut uses = String::new();
        for c in text.chars() {
            let gid = face.glyph_index(c).unwrap_or(GlyphId(0));
            let advance = f64::from(face.glyph_hor_advance(gid).unwrap_or(0));
            if !c.is_whitespace() {
                let next = defined.len();
                let index = *defined.entry((face_index, gid.0)).or_insert_with(|| {
                    let mut d = PathData(String::new());
                    face.outline_glyph(gid, &mut d);
                    let _ = write!(defs, "<path id=\"qg{next}\" d=\"{}\"/>", d.0);
                    next
                });
                let _ = write!(uses, "<use xlink:href=\"#qg{index}\" x=\"{pen:.0}\"/>");
            }
            pen += advance;
        }
        let width = pen * size / upm;
        let mut x = first_number(node.attribute("x"));
        match inherited(node, "text-anchor").map(str::trim) {
            Some("middle") => x -= width / 2.0,
            Some("end") => x -= width,
            _ => {}
        }
        let y = first_number(node.attribute("y"));
        let fill = inherited(node, "fill").unwrap_or("#000000");
        let transform = node
            .attribute("transform")
            .map(|t| format!("{} ", super::svg::escape(t)))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<g class=\"glyphs\" aria-hidden=\"true\" fill=\"{}\" transform=\"{transform}translate({x:.1} {y:.1}) scale({:.5})\">{uses}</g>",
            super::svg::escape(fill),
            size / upm,
        );
    }
    out.push_str(&svg[copied..]);
    if defined.is_empty() {
        return out;
    }
    // The glyph definitions go last (a <use> may point forward), and the root declares xlink.
    let defs = format!("<defs class=\"glyph-outlines\">{defs}</defs>\n");
    match out.rfind("</svg>") {
        Some(end) => out.insert_str(end, &defs),
        None => out.push_str(&defs),
    }
    if !out.contains("xmlns:xlink=") {
        if let Some(at) = out.find("<svg") {
            out.insert_str(at + 4, " xmlns:xlink=\"http://www.w3.org/1999/xlink\"");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_font_covers_chinese_and_ascii_but_not_everything() {
        for c in "产业链质量图谱 QI 覆盖率（）·%0123456789…锂钴镍".chars() {
            assert!(covers(c), "{c:?}");
        }
        // An extension-B hanzi is not in the subset.
        assert!(!covers('\u{20000}'));
    }

    #[test]
    fn text_becomes_glyphs_once_defined_and_the_text_stays_transparent() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" font-size="10"><g font-weight="700"><text x="5" y="20" fill="#123456">链链 A</text></g><title>不变</title></svg>"##;
        let out = embed_glyphs(svg);
        let doc = roxmltree::Document::parse(&out).expect("well-formed");
        // Two distinct glyphs (链, A): each defined once, placed three times.
        assert_eq!(out.matches("<path id=\"qg").count(), 2);
        assert_eq!(out.matches("<use ").count(), 3);
        assert!(out.contains("<g class=\"text-layer\" opacity=\"0\"><text"));
        assert!(out.contains("fill=\"#123456\""));
        assert!(out.contains("<title>不变</title>"));
        let text: String = doc
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text())
            .collect();
        assert_eq!(text, "链链 A");
        // Bold is inherited from the group: the glyphs are the bold face's.
        let regular = embed_glyphs(&svg.replace(" font-weight=\"700\"", ""));
        assert_ne!(
            out.split("<defs").nth(1),
            regular.split("<defs").nth(1),
            "bold and regular outlines differ"
        );
    }

    #[test]
    fn outlined_text_for_a_raster_picture_drops_the_transparent_text() {
        let svg =
            r##"<svg xmlns="http://www.w3.org/2000/svg"><text x="5" y="20">链 A</text></svg>"##;
        let out = outline_text(svg);
        assert!(!out.contains("<text"), "{out}");
        assert_eq!(out.matches("<use ").count(), 2);
        assert_eq!(
            out.split("<defs").nth(1),
            embed_glyphs(svg).split("<defs").nth(1)
        );
    }

    #[test]
    fn a_character_outside_the_subset_is_drawn_as_a_box() {
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"><text x=\"0\" y=\"10\">\u{20000}</text></svg>";
        let out = embed_glyphs(svg);
        // Glyph 0 (.notdef) has an outline: a visible box, not nothing.
        let def = out
            .split("<path id=\"qg0\" d=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("a glyph is defined");
        assert!(def.len() > 10, "{def}");
    }
}
