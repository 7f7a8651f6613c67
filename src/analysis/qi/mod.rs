//! Quality-infrastructure matching: which QI body can solve which need, how well a chain's
//! needs are covered, and what to build where. The definitions are in `docs/analyses.md`.

pub mod assignment;
pub mod coverage;
pub mod eligibility;
pub mod flow;
pub mod projects;
pub mod recommend;
pub mod report;
