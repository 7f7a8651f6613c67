//! The quality work's questions, by role: what no project tackles yet (`untackled`), how the
//! year's goals stand (`goals_progress`), which policy tools reach each gap (`policy_tools`), what
//! the consortia cover (`consortia`), and key-project candidates with ready drafts.
//!
//! Roles: those who read a chain firm by firm (admins, its regulators, demo visitors) see
//! everything. A planner sees figures and published facts: counts, goals, the policy-tool list
//! without firms or problems, consortia and their members without needs. An enterprise sees the
//! consortia it belongs to, with its own needs and those of problems disclosed to it only. Goals
//! carry no firm data: everyone reads them.

use super::{Error, Principal, Snapshot};
use crate::analysis::projects::KeyProjects;
use crate::analysis::work::{
    consortia, goals_progress, policy_tools, untackled, ConsortiaReport, GoalsProgress,
    PolicyToolList, UntackledList,
};

/// Demand problems, critical nodes and common needs of chain `id` that no live project tackles.
/// Firm-level: for those who read the chain; a planner gets the counts only.
///
/// Complexity: the chain's analysis (cached), then O(P log P + J·k) over its problems and
/// projects.
pub fn untackled_of(snap: &Snapshot, who: &Principal, id: &str) -> Result<UntackledList, Error> {
    who.require(who.reads_chain_aggregates(id))?;
    let analysis = snap.chain_analysis(id)?;
    let problems = snap.chain_index().problems(&snap.dataset, id);
    let projects: Vec<_> = snap.dataset.projects_of_chain(id).collect();
    let mut list = untackled(&snap.dataset, &analysis, &problems, &projects);
    if !who.reads_chain(id) {
        list.problems.clear();
        list.critical_nodes.clear();
        list.common_needs.clear();
    }
    Ok(list)
}

/// Progress of the goals matching `region` (a prefix either way) and `year`.
pub fn goals_progress_of(
    snap: &Snapshot,
    _who: &Principal,
    region: Option<&str>,
    year: Option<u16>,
) -> Result<GoalsProgress, Error> {
    super::work::check_region(region)?;
    check_year(year)?;
    Ok(goals_progress(&snap.dataset, region, year))
}

/// The chain's gaps with the policy tools that reach them, and the policy gaps. A planner gets
/// it without firms and problems.
pub fn policy_tools_of(
    snap: &Snapshot,
    who: &Principal,
    id: &str,
) -> Result<PolicyToolList, Error> {
    who.require(who.reads_chain_aggregates(id))?;
    let analysis = snap.chain_analysis(id)?;
    let mut list = policy_tools(&snap.dataset, &analysis);
    if !who.reads_chain(id) {
        for g in list.gaps.iter_mut().chain(list.uncovered.iter_mut()) {
            g.firms.clear();
            g.problems.clear();
        }
    }
    Ok(list)
}

/// The chain's consortia with what their providers can take. An enterprise sees the consortia it
/// belongs to and the needs of the problems it may read (see [`Principal::sees_problem`]); a planner the consortia and their members without needs.
pub fn consortia_of(snap: &Snapshot, who: &Principal, id: &str) -> Result<ConsortiaReport, Error> {
    let own = who.org();
    let member_of =
        |c: &crate::model::Consortium| own.is_some_and(|o| c.organizations().any(|m| m == o));
    let chain_consortia: Vec<_> = snap.dataset.consortia_of_chain(id).collect();
    if own.is_some() {
        if !chain_consortia.iter().any(|c| member_of(c)) {
            return Err(Error::Forbidden);
        }
    } else {
        who.require(who.reads_chain_aggregates(id))?;
    }
    let analysis = snap.chain_analysis(id)?;
    let problems = snap.chain_index().problems(&snap.dataset, id);
    let mut report = consortia(&snap.dataset, &analysis, &problems, &chain_consortia);
    if let Some(org) = own {
        report
            .consortia
            .retain(|c| chain_consortia.iter().any(|k| k.id == c.id && member_of(k)));
        let sight = who.sight(&snap.dataset);
        for c in &mut report.consortia {
            c.needs.retain(|n| {
                n.firm == org
                    || snap
                        .dataset
                        .problems
                        .get(&n.problem)
                        .is_some_and(|p| sight.sees(p))
            });
        }
        report.uncovered_critical_nodes.clear();
    } else if !who.reads_chain(id) {
        for c in &mut report.consortia {
            c.needs.clear();
        }
        report.uncovered_critical_nodes.clear();
    }
    Ok(report)
}

/// Key-project candidates of a chain (what no live project tackles yet); for those who may
/// write the chain's projects, each with a ready draft for `year` (default: this year) to
/// `POST /api/v1/projects` as it is.
pub fn candidates_of(
    snap: &Snapshot,
    who: &Principal,
    id: &str,
    year: Option<u16>,
) -> Result<KeyProjects, Error> {
    check_year(year)?;
    who.require_chain(id)?;
    let mut projects = snap.chain_analysis(id)?.qi.projects.clone();
    if who.org().is_none() && who.writes_chain(id) {
        projects.add_drafts(&snap.dataset, year.unwrap_or_else(crate::access::this_year));
    }
    Ok(projects)
}

/// A year parameter within the years records may carry (a draft must be a valid project).
fn check_year(year: Option<u16>) -> Result<(), Error> {
    use crate::model::{FIRST_YEAR, LAST_YEAR};
    match year {
        Some(y) if !(FIRST_YEAR..=LAST_YEAR).contains(&y) => Err(Error::BadRequest(format!(
            "year {y} is not between {FIRST_YEAR} and {LAST_YEAR}"
        ))),
        _ => Ok(()),
    }
}
