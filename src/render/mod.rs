//! Drawing the quality map: the map as a standalone SVG picture (`svg`), and the single-page
//! application served at `/` (`assets`: HTML, CSS and JS modules embedded in the binary), and a
//! chain as a GraphML document (`graphml`) for graph tools, and coverage by region as GeoJSON
//! (`geojson`) on the vendored boundaries of China's provinces and cities (`boundaries`).
//! Report pictures carry their font: `font` turns the SVG's text into outlines of the vendored
//! CJK font, `png` draws it with resvg and `pdf` puts it on a printed page, with no system fonts.
//!
//! It only reads a [`crate::map::QualityMap`]; it never computes an analysis and knows no axum
//! (the routes live in `api::page`).

pub mod assets;
pub mod boundaries;
pub mod font;
pub mod geojson;
pub mod graphml;
pub mod layout;
pub mod pdf;
pub mod png;
pub mod svg;
