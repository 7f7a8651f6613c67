//! qmap: an industry-chain quality map service (产业链质量图谱).
//!
//! Regulators, chain-master firms and planners load chain surveys (bundle format 1) into a durable
//! store and ask where the weak links are and which quality infrastructure can fix them.
//!
//! # Layout
//!
//! - [`model`]: domain types and bundle format 1; knows no sled, axum or petgraph.
//! - [`validate`]: checks a document against the format and the store, reporting every problem.
//! - [`access`]: API tokens: issued at random, stored as hashes, checked in constant time.
//! - [`store`]: the only module that knows sled: one tree per record kind, indexes, atomic import.
//! - [`generate`]: deterministic synthetic datasets at any scale.
//! - [`graph`]: per-chain supply graphs on petgraph; owns the id ↔ node map.
//! - [`analysis`]: pure analyses: the weak links over the supply graphs (criticality, parts, risk,
//!   segments, supplier view, scenarios) and QI eligibility, assignment, coverage, projects.
//! - [`map`]: the quality map of a chain (一图) as one document, for the page and the picture.
//! - [`render`]: the map as a standalone SVG picture, and the map page (HTML, CSS, JS) embedded.
//! - [`service`]: between the API and the analyses: snapshots and their analysis cache, the write
//!   path, queries with paging, visibility and redaction by role, and the rules of writes.
//! - [`api`]: the only module that knows axum: the HTTP JSON API with its OpenAPI document.
//! - [`cli`]: the `qmap` command line.

pub mod access;
pub mod analysis;
pub mod api;
pub mod cli;
pub mod generate;
pub mod graph;
pub mod map;
pub mod model;
pub mod render;
pub mod service;
pub mod sheet;
pub mod store;
pub mod validate;
