//! The map as PNG and PDF over HTTP (`render::png`, `render::pdf`), and the SVG with its glyphs:
//! content types, sizes, and bad parameters answered 400 in the API's error shape.

use super::helpers::*;
use axum::http::{header, StatusCode};
use resvg::tiny_skia::Pixmap;

#[tokio::test]
async fn the_map_png_is_the_drawn_svg_at_the_asked_scale() {
    let app = spawn_demo_app();
    let svg = app
        .get("/api/v1/chains/pb-power-battery/map.svg?limit=10")
        .await;
    assert_eq!(svg.status, StatusCode::OK);
    let svg = svg.text();
    assert!(
        svg.contains("class=\"glyph-outlines\""),
        "the SVG carries its glyphs"
    );
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let size = |a: &str| -> u32 { doc.root_element().attribute(a).unwrap().parse().unwrap() };
    let (w, h) = (size("width"), size("height"));

    let res = app
        .get("/api/v1/chains/pb-power-battery/map.png?limit=10&scale=0.5")
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.headers.get(header::CONTENT_TYPE).unwrap(), "image/png");
    let picture = Pixmap::decode_png(&res.body).expect("a PNG");
    assert_eq!(
        (picture.width(), picture.height()),
        (w.div_ceil(2), h.div_ceil(2))
    );

    for bad in ["9", "0", "-1", "NaN", "inf", "big"] {
        app.get(&format!(
            "/api/v1/chains/pb-power-battery/map.png?scale={bad}"
        ))
        .await
        .error(StatusCode::BAD_REQUEST, "bad_request");
    }
    app.get("/api/v1/chains/no-such-chain/map.png")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn the_map_pdf_is_one_landscape_page_on_the_asked_paper() {
    let app = spawn_demo_app();
    for (uri, media) in [
        (
            "/api/v1/chains/pb-power-battery/map.pdf?limit=20",
            "/MediaBox [0 0 841.89 595.28]",
        ),
        (
            "/api/v1/chains/pb-power-battery/map.pdf?limit=20&paper=a3",
            "/MediaBox [0 0 1190.55 841.89]",
        ),
    ] {
        let res = app.get(uri).await;
        assert_eq!(res.status, StatusCode::OK, "{uri}");
        assert_eq!(
            res.headers.get(header::CONTENT_TYPE).unwrap(),
            "application/pdf"
        );
        assert!(res.body.starts_with(b"%PDF-"));
        assert!(String::from_utf8_lossy(&res.body).contains(media), "{uri}");
    }
    app.get("/api/v1/chains/pb-power-battery/map.pdf?paper=letter")
        .await
        .error(StatusCode::BAD_REQUEST, "bad_request");
    app.get("/api/v1/chains/no-such-chain/map.pdf")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
}
