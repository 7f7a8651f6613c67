//! The quality work on chains (一图三清单): what the recorded projects, consortia, policy tools and
//! goals ([`crate::model::work`]) say against the analyses of the chains. One file per question;
//! the definitions are in `docs/analyses.md`, "The quality work".
//!
//! - [`tackled`]: which projects tackle each problem and the problems of each firm (for the
//!   problem list and the weak-link lists);
//! - [`untackled`]: demand problems, critical nodes and common needs no live project tackles;
//! - [`goals`]: the yearly goals' targets against the projects that count toward them;
//! - [`policy`]: the policy tools that apply to each QI gap of a chain, and the gaps none
//!   addresses (政策缺口);
//! - [`consortia`]: what each quality-innovation consortium's providers can take of its firms'
//!   needs, and the critical nodes no consortium can help.
//!
//! Like the rest of `analysis`, pure functions: no I/O, no state kept between calls.

pub mod consortia;
pub mod goals;
pub mod policy;
pub mod tackled;
pub mod untackled;

pub use consortia::{
    consortia, ConsortiaCounts, ConsortiaReport, ConsortiumCoverage, ConsortiumMember, MemberNeed,
    UncoveredNode,
};
pub use goals::{goals_progress, CategoryCount, GoalLine, GoalProgress, GoalsProgress, ShareLine};
pub use policy::{policy_tools, GapTools, PolicyCounts, PolicyToolList, ToolRef};
pub use tackled::{tackled_by, ProjectIds, TackledBy};
pub use untackled::{
    firm_ref, untackled, CommonNeed, FirmRef, UntackledCounts, UntackledList, UntackledNode,
    UntackledProblem,
};
