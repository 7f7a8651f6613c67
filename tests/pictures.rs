//! Report pictures that look the same everywhere: the map's SVG carries the outlines of the
//! embedded CJK font, its PNG is drawn by resvg with that font only (no system fonts are ever
//! loaded, so this test runs as on a machine without Chinese fonts), and its PDF is one
//! landscape page with the chain, the data revision and the date.

use qmap::model::{Bundle, Dataset};
use qmap::render::{font, pdf, png, svg};
use resvg::tiny_skia::Pixmap;
use std::path::Path;
use std::process::Command;

const BATTERY: &str = "pb-power-battery";

fn fixture_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/power_battery_jiangsu.json")
}

fn battery_map() -> qmap::map::QualityMap {
    let bytes = std::fs::read(fixture_path()).expect("fixture");
    let bundle: Bundle = serde_json::from_slice(&bytes).expect("bundle");
    qmap::service::Snapshot::of(Dataset::from_bundle(bundle), 0)
        .quality_map(BATTERY, None)
        .expect("chain")
}

/// The root's width and height of an SVG document.
fn svg_size(svg: &str) -> (u32, u32) {
    let doc = roxmltree::Document::parse(svg).expect("well-formed");
    let n = |a: &str| doc.root_element().attribute(a).unwrap().parse().unwrap();
    (n("width"), n("height"))
}

/// The pixels of a rectangle of a picture, as (r, g, b, a) bytes.
fn crop(p: &Pixmap, x: u32, y: u32, w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    for row in y..y + h {
        for col in x..x + w {
            let c = p.pixel(col, row).expect("inside the picture");
            out.extend([c.red(), c.green(), c.blue(), c.alpha()]);
        }
    }
    out
}

/// How many pixels of a crop are dark (text on the light background).
fn dark(pixels: &[u8]) -> usize {
    pixels
        .chunks(4)
        .filter(|c| c[3] > 0 && (u32::from(c[0]) + u32::from(c[1]) + u32::from(c[2])) < 3 * 128)
        .count()
}

/// A one-line picture of `text` at the map title's size, as the map pipeline draws it.
fn line_png(text: &str) -> Pixmap {
    let svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40" font-size="22" font-weight="700"><rect width="100%" height="100%" fill="#fbfcfe"/><text x="0" y="30" fill="#14213d">{text}</text></svg>"##
    );
    let bytes = png::svg_to_png(&font::embed_glyphs(&svg), 1.0).expect("drawn");
    Pixmap::decode_png(&bytes).expect("decodes")
}

#[test]
fn the_map_png_draws_chinese_text_with_the_embedded_font_only() {
    let map = battery_map();
    let bytes = png::chain_map_png(&map, 1.0).expect("drawn");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let picture = Pixmap::decode_png(&bytes).expect("the PNG decodes");
    let (w, h) = svg_size(&svg::chain_map_svg(&map));
    assert_eq!((picture.width(), picture.height()), (w, h));

    // The title starts with the chain's name (动力电池) at x = 28, baseline 38, 22 px bold: the
    // box of its first hanzi holds ink.
    let first = map.chain.name.chars().next().unwrap();
    assert_eq!(first, '动');
    let title = crop(&picture, 28, 16, 22, 28);
    assert!(dark(&title) > 40, "the title's first hanzi is drawn");

    // The same hanzi drawn alone matches the map's title pixels; a character outside the
    // subset is drawn as a box (not nothing), and that box is not the hanzi.
    let alone = line_png(&first.to_string());
    let tofu = line_png("\u{20000}");
    let glyph = crop(&alone, 0, 8, 22, 28);
    let boxed = crop(&tofu, 0, 8, 22, 28);
    assert!(dark(&glyph) > 40, "the hanzi has ink");
    assert!(dark(&boxed) > 20, "a missing character falls back visibly");
    assert_ne!(
        glyph, boxed,
        "a hanzi is not drawn as the missing-glyph box"
    );
    assert_eq!(glyph, title, "the map's title is the embedded font's glyph");

    // The defect this fixes: the picture as it was (text naming system fonts), drawn on a
    // machine without fonts, has no title at all.
    let bare = {
        let options = resvg::usvg::Options {
            fontdb: std::sync::Arc::new(resvg::usvg::fontdb::Database::new()),
            ..resvg::usvg::Options::default()
        };
        let tree = resvg::usvg::Tree::from_str(&svg::chain_map_svg(&map), &options).unwrap();
        let mut p = Pixmap::new(w, h).unwrap();
        resvg::render(&tree, Default::default(), &mut p.as_mut());
        p
    };
    assert_eq!(dark(&crop(&bare, 28, 16, 22, 28)), 0, "no fonts, no title");

    // Two different hanzi differ: the glyphs are real outlines, not one shape.
    assert_ne!(crop(&line_png("力"), 0, 8, 22, 28), glyph);

    // A scale of 2 doubles the picture.
    let big = Pixmap::decode_png(&png::chain_map_png(&map, 2.0).unwrap()).unwrap();
    assert_eq!((big.width(), big.height()), (2 * w, 2 * h));
    assert!(matches!(
        png::chain_map_png(&map, 9.0),
        Err(png::PictureError::BadScale(_))
    ));
}

#[test]
fn the_map_svg_carries_its_glyphs_and_keeps_its_text_titles_and_marks() {
    let map = battery_map();
    let plain = svg::chain_map_svg(&map);
    let out = font::embed_glyphs(&plain);
    let doc = roxmltree::Document::parse(&out).expect("well-formed XML");
    // The embedded font is the first family named; nothing visible depends on system fonts:
    // every <text> is in a transparent layer, and its glyphs are drawn as outlines.
    assert!(out.contains(&format!("font-family=\"'{}'", font::FAMILY)));
    let texts: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .collect();
    assert!(texts.len() > 50);
    for t in &texts {
        let layer = t.parent_element().unwrap();
        assert_eq!(layer.attribute("opacity"), Some("0"), "{:?}", t.text());
    }
    let defs = doc
        .descendants()
        .find(|n| n.attribute("class") == Some("glyph-outlines"))
        .expect("glyph definitions");
    let glyphs = defs.children().filter(|n| n.has_tag_name("path")).count();
    let uses = doc.descendants().filter(|n| n.has_tag_name("use")).count();
    assert!(glyphs > 100, "{glyphs} distinct glyphs");
    assert!(uses > glyphs, "each glyph is defined once and used often");
    // Every <use> points to a defined glyph.
    for u in doc.descendants().filter(|n| n.has_tag_name("use")) {
        let href = u
            .attribute(("http://www.w3.org/1999/xlink", "href"))
            .expect("xlink:href");
        assert!(doc
            .descendants()
            .any(|n| n.attribute("id") == href.strip_prefix('#')));
    }
    // Marks, tooltips and the text stay as they were.
    let marks = |d: &roxmltree::Document| {
        d.descendants()
            .filter(|n| n.attribute("data-firm").is_some())
            .count()
    };
    assert_eq!(marks(&doc), map.firms.len());
    let text: String = doc
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect();
    assert!(text.contains(&map.chain.name));
    assert!(text.contains("QI 覆盖率"));
    assert_eq!(
        out.matches("<title>").count(),
        plain.matches("<title>").count()
    );
}

#[test]
fn the_map_pdf_is_one_landscape_page_with_revision_and_date() {
    let map = battery_map();
    let page = pdf::page_svg(
        &map,
        &svg::chain_map_svg(&map),
        pdf::Paper::A3,
        42,
        "2026-11-29",
    )
    .expect("page");
    assert!(page.contains("数据版本 42"));
    assert!(page.contains("制图日期 2026-11-29"));
    assert!(page.contains("A3 横向"));
    roxmltree::Document::parse(&page).expect("well-formed page");
    // The page drawn: the map's legend and title are on it (ink below the header).
    let drawn =
        Pixmap::decode_png(&png::svg_to_png(&font::embed_glyphs(&page), 1.0).unwrap()).unwrap();
    assert_eq!((drawn.width(), drawn.height()), (1191, 842));
    assert!(
        dark(&crop(&drawn, 28, 60, 400, 60)) > 100,
        "the map's title"
    );

    let pages = regex::Regex::new(r"/Type\s*/Page[^s]").unwrap();
    for (paper, media) in [
        (pdf::Paper::A4, "/MediaBox [0 0 841.89 595.28]"),
        (pdf::Paper::A3, "/MediaBox [0 0 1190.55 841.89]"),
    ] {
        let bytes = pdf::chain_map_pdf(&map, paper, 7, "2026-11-29").expect("pdf");
        assert!(bytes.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&bytes);
        assert_eq!(text.matches(media).count(), 1, "{paper:?}: one page");
        assert_eq!(pages.find_iter(&text).count(), 1, "{paper:?}: one page");
    }
    assert_eq!(pdf::day(0), "1970-01-01");
    assert_eq!(pdf::day(1_796_000_000), "2026-11-30");
}

fn qmap(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_qmap"))
        .args(args)
        .output()
        .expect("qmap runs")
}

#[test]
fn qmap_render_writes_svg_png_and_pdf_and_refuses_a_bad_scale() {
    let dir = tempfile::tempdir().unwrap();
    let file = fixture_path();
    let file = file.to_str().unwrap();
    let out = |name: &str| dir.path().join(name).to_string_lossy().into_owned();

    let done = qmap(&["render", file, "--chain", BATTERY, "-o", &out("m.svg")]);
    assert!(done.status.success(), "{done:?}");
    let svg_text = std::fs::read_to_string(out("m.svg")).unwrap();
    assert!(svg_text.contains("glyph-outlines"));

    let done = qmap(&[
        "render",
        file,
        "--chain",
        BATTERY,
        "--format",
        "png",
        "--scale",
        "0.5",
        "-o",
        &out("m.png"),
    ]);
    assert!(done.status.success(), "{done:?}");
    let picture = Pixmap::decode_png(&std::fs::read(out("m.png")).unwrap()).unwrap();
    let (w, h) = svg_size(&svg_text);
    assert_eq!(
        (picture.width(), picture.height()),
        (w.div_ceil(2), h.div_ceil(2))
    );

    let done = qmap(&[
        "render",
        file,
        "--chain",
        BATTERY,
        "--format",
        "pdf",
        "--paper",
        "a3",
        "-o",
        &out("m.pdf"),
    ]);
    assert!(done.status.success(), "{done:?}");
    let bytes = std::fs::read(out("m.pdf")).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(String::from_utf8_lossy(&bytes).contains("/MediaBox [0 0 1190.55 841.89]"));

    let refused = qmap(&[
        "render",
        file,
        "--chain",
        BATTERY,
        "--format",
        "png",
        "--scale",
        "9",
        "-o",
        &out("x.png"),
    ]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("bad_scale"), "{stderr}");
    assert!(
        !dir.path().join("x.png").exists(),
        "a failed render writes nothing"
    );
}
