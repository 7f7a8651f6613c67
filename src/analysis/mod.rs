//! Analyses: pure functions over a [`Dataset`](crate::model::Dataset), one file per question.
//!
//! The quality-infrastructure (QI) matching files answer "which QI body can solve which need":
//! [`eligibility`] (who may serve whom, at what distance), [`flow`] (a min-cost flow solver),
//! [`assignment`] (the capacity-aware lexicographic optimum of DOMAIN.md), [`coverage`] (coverage
//! figures and gap lists), [`projects`] (key-project candidates), [`recommend`] (what to build
//! where, and what-if) and [`compare`] (one row per chain for planners). They read the model only;
//! they never write a store and know nothing of petgraph, sled or axum.

pub mod assignment;
pub mod compare;
pub mod coverage;
pub mod eligibility;
pub mod flow;
pub mod projects;
pub mod recommend;
