//! Analyses: pure functions over the model and the supply graphs, one file per question.
//!
//! The weak-link files answer DOMAIN.md's supply questions over the graphs of [`crate::graph`]:
//! [`criticality`] (firms whose failure alone disables a chain master, with evidence), [`parts`]
//! (single-source and foreign-only parts), [`risk`] (problem load and the per-firm risk score),
//! [`segments`] (per-segment figures in chain order), [`suppliers`] (a chain master's supply base
//! at every tier), [`scenario`] (what-if failures of many firms at once) and [`report`] (all of
//! the above for one chain or every chain); `propagation` is their shared failure engine.
//!
//! The quality-infrastructure (QI) matching files answer "which QI body can solve which need":
//! [`eligibility`] (who may serve whom, at what distance), [`flow`] (a min-cost flow solver),
//! [`assignment`] (the capacity-aware lexicographic optimum of DOMAIN.md), [`coverage`] (coverage
//! figures and gap lists), [`projects`] (key-project candidates), [`recommend`] (what to build
//! where, and what-if) and [`compare`] (one row per chain for planners). They read the model only.
//!
//! [`quality`] puts both halves together: the per-chain and dataset-wide report of `qmap analyze`.
//!
//! Nothing here does I/O or keeps state between calls; only this module and `graph` know petgraph.

pub mod assignment;
pub mod compare;
pub mod coverage;
pub mod eligibility;
pub mod flow;
pub mod projects;
pub mod quality;
pub mod recommend;

pub mod criticality;
pub mod parts;
mod propagation;
#[cfg(test)]
mod reference_tests;
pub mod report;
pub mod risk;
pub mod scenario;
pub mod segments;
pub mod suppliers;
#[cfg(test)]
mod testing;

pub use criticality::{critical_nodes, critical_nodes_parallel, CriticalNode, EvidenceStep};
pub use parts::{foreign_only_parts, single_source_parts, ForeignOnlyPart, SingleSourcePart};
pub use quality::{analyze_full, ChainAnalysis, DatasetAnalysis, FullReport};
pub use report::{
    analyze, analyze_chain, analyze_with_gaps, chain_report, AnalysisReport, ChainReport, QiGaps,
};
pub use risk::{problem_loads, risk_scores, ProblemLoad, RiskScore};
pub use scenario::{
    chain_scenario, run_scenario, run_scenario_on, ChainScenario, DisabledFirm, Failure,
    ScenarioReport,
};
pub use segments::{segment_summaries, SegmentSummary};
pub use suppliers::{supplier_view, ProblemBrief, SuppliedPart, SupplierView, UpstreamSupplier};

/// A question the analyses cannot answer as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnalysisError {
    #[error("chain {chain} does not exist")]
    UnknownChain { chain: String },
    #[error("{firm} is not a member of chain {chain}")]
    NotOnChain { chain: String, firm: String },
    #[error("{firm} is not a chain master of chain {chain}")]
    NotAChainMaster { chain: String, firm: String },
}
