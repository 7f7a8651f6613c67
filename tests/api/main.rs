//! API tests: one binary. The router is built over a temporary store and called in-process with
//! `oneshot` (see `helpers`); `server` runs the real binary on a real socket.
//!
//! # Layout
//! - `helpers`: `TestApp`, the fixtures, and the one error shape.
//! - `openapi`: the document, its coverage by these tests, answers checked against it (a small
//!   JSON Schema checker), `/healthz`, the Swagger UI.
//! - `errors`: every error status (400, 404, 405, 409, 413, 422), never a 5xx for bad input.
//! - `writes`: failed writes change nothing; writes are read back; cache invalidation.
//! - `bundle`: import (dry run, upsert) and export round trips.
//! - `chains`: chain list and detail, the map, the problem list, weak links, coverage, supplier view.
//! - `analyses`: scenarios, what-ifs, comparison and dataset coverage against `qmap::analysis`.
//! - `server`: `qmap serve` over TCP, SIGTERM, restart, timeouts, tokens made beside it.
//! - `tokens`: the token API (make, list, revoke).
//! - `metrics`: `/api/v1/metrics` in the Prometheus text format, admins only.
//! - `http`: compressed answers (gzip, br, zstd), ETags and 304.
//! - `sheets`: import of a survey workbook (XLSX) or a zip of CSV files, errors at their cells.
//! - `pictures`: the map as PNG and PDF, the SVG with its glyphs.
//! - `work`: projects, consortia, policy tools and goals: writes, lists, bad input, roles; the
//!   problem list's projects and the weak links' projects by firm.

#[path = "../common/mod.rs"]
mod common;

mod analyses;
mod bundle;
mod chains;
mod disclosure;
mod errors;
mod helpers;
mod http;
mod lists;
mod metrics;
mod notices;
mod openapi;
mod pictures;
mod search;
mod server;
mod sheets;
mod surveys;
mod tackling;
mod tokens;
mod work;
mod writes;
