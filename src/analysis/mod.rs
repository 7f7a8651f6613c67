//! Analyses: pure functions over the model and the supply graphs, one file per question.
//!
//! The product's two halves, one folder each:
//!
//! - [`weak`]: the weak links, over the supply graphs of [`crate::graph`]: [`criticality`] (firms
//!   whose failure alone disables a chain master, with evidence), [`parts`] (single-source and
//!   foreign-only parts), [`risk`] (problem load and the per-firm risk score), [`segments`]
//!   (per-segment figures in chain order), [`suppliers`] (a chain master's supply base at every
//!   tier), [`scenario`] (what-if failures of many firms at once) and [`report`] (all of the above
//!   for one chain); `weak::propagation` is their shared failure engine.
//! - [`qi`]: quality-infrastructure matching, "which QI body can solve which need":
//!   [`eligibility`] (who may serve whom, at what distance), [`flow`] (a min-cost flow solver),
//!   [`assignment`] (the capacity-aware lexicographic optimum), [`coverage`] (coverage figures and
//!   gap lists), [`projects`] (key-project candidates), [`recommend`] (what to build where, and
//!   what-if) and [`qi::report`] (the QI report of a scope).
//!
//! [`quality`] puts both halves together: one chain's analysis ([`quality::analyze_chain`],
//! costing the size of that chain), the dataset-wide scope, and one summary row per chain.
//! [`changes`] compares one chain's data and analysis at two revisions (what changed between two
//! surveys). [`work`] reads the quality work recorded on the chains (projects, consortia, policy
//! tools, goals) against those analyses: tackled-by, untackled, goals progress, the policy-tool
//! list and the consortia.
//!
//! Nothing here does I/O or keeps state between calls; only this module and `graph` know petgraph.

pub mod changes;
pub mod notices;
pub mod qi;
pub mod quality;
#[cfg(test)]
mod reference_tests;
#[cfg(test)]
mod testing;
pub mod weak;
pub mod work;

// The files of each half, also under their short paths (`analysis::coverage`, …).
pub use qi::{assignment, coverage, eligibility, flow, projects, recommend};
pub use weak::{criticality, parts, report, risk, scenario, segments, suppliers};

pub use changes::{chain_changes, ChainChanges, Side};
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
pub use suppliers::{
    supplier_view, NeedProvider, ProblemBrief, SuppliedPart, SupplierSummary, SupplierView,
    TierSummary, Undisclosed, UpstreamSupplier,
};

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
