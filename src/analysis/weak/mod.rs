//! The weak links of a chain: where its supply breaks. See the files for each question; the
//! definitions are in `docs/analyses.md`.

pub mod criticality;
pub mod parts;
mod propagation;
pub mod report;
pub mod risk;
pub mod scenario;
pub mod segments;
pub mod suppliers;
