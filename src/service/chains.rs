//! Reads of chains and everything the analyses know about them, with the holder's visibility
//! applied: summaries, the problem list with its filters and pages, key projects, gaps (without
//! firms for planners), weak links, coverage, the supplier view (a firm sees its suppliers'
//! undisclosed problems as aggregates only), scenarios, provider what-ifs and the chain comparison.
//!
//! Each function takes the snapshot to read and the [`Principal`] asking; what it returns is
//! what that holder may see.

use super::work::{self, ProjectRef};
use super::{Error, Principal, Snapshot};
use crate::analysis::assignment::Assignment;
use crate::analysis::coverage::{Coverage, CoverageReport, ElementCoverage, Gaps};
use crate::analysis::eligibility::Scope;
use crate::analysis::qi::report::QiReport;
use crate::analysis::qi::report::REPORT_RECOMMENDATIONS;
use crate::analysis::quality::{chain_row, ChainRow};
use crate::analysis::recommend::{
    capacity_advice, recommendations, what_if, CapacityAdvice, Recommendation, WhatIf, WhatIfResult,
};
use crate::analysis::suppliers::{supplier_view_of, upstream_view_of};
use crate::analysis::{
    chain_scenario, run_scenario_on, AnalysisError, ChainReport, ChainScenario, Failure,
    NeedProvider, ScenarioReport, SupplierView, Undisclosed,
};
use crate::model::{Category, Chain, Problem, Status};
use crate::render::boundaries::{self, RegionLevel};
use crate::validate::{check_provider_fields, ErrorCode, ProviderFields, Report, ValidationError};
use serde::{Deserialize, Serialize};
use std::collections::hash_map::{Entry, HashMap};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

/// Every chain the holder reads (at least in aggregate), with its key figures, in id order.
pub fn summaries(snap: &Snapshot, who: &Principal) -> Result<Vec<ChainRow>, Error> {
    let chains: Vec<&Chain> = snap
        .dataset
        .chains
        .values()
        .filter(|c| who.reads_chain_aggregates(&c.id))
        .collect();
    let ids: Vec<&String> = chains.iter().map(|c| &c.id).collect();
    snap.rows_of(&ids)
}

/// A row of the chain list whose analysis figures are still being computed: the figures that
/// need no analysis, and `pending: true`. The analysis figures (critical nodes, coverage,
/// gaps, ...) are absent, never zero.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PendingChainRow {
    pub id: String,
    pub name: String,
    /// The lead department (链长单位), when the chain names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chief: Option<String>,
    /// Number of segments.
    pub segments: usize,
    /// Member enterprises (masters included).
    pub firms: usize,
    pub masters: usize,
    /// Supplies between members.
    pub supplies: usize,
    /// Problems that count as demand (open or in progress).
    pub demand_problems: usize,
    /// Always `true`: the analysis figures are being computed; ask the list again for them.
    pub pending: bool,
}

/// A row of the chain list: the chain's full figures, or, while its analysis is being
/// computed, those that need none (a row with `pending: true`; a full row has no `pending`).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ListedChain {
    Ready(ChainRow),
    Pending(PendingChainRow),
}

impl ListedChain {
    pub fn is_pending(&self) -> bool {
        matches!(self, ListedChain::Pending(_))
    }
}

/// How long the chain list waits for rows that are being computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowWait {
    /// Every row is complete: the list computes (or waits for) every chain's analysis. What
    /// the command line and lists of earlier revisions do.
    UntilReady,
    /// At most this long in all (zero: not at all); rows still not ready then are listed
    /// pending. Meant for a serving process, whose background analyses compute them.
    AtMost(std::time::Duration),
}

/// Every chain the holder reads (at least in aggregate), in id order: each row at hand (stored,
/// or its analysis computed, or computed within `wait`) in full, the others pending (see
/// [`PendingChainRow`]). A pending row starts no analysis; the chains whose analysis nobody has
/// started are returned beside the rows, for the background analyses to take.
pub fn list(
    snap: &Snapshot,
    who: &Principal,
    wait: RowWait,
) -> Result<(Vec<ListedChain>, Vec<String>), Error> {
    let deadline = match wait {
        RowWait::UntilReady => {
            let rows = summaries(snap, who)?;
            return Ok((rows.into_iter().map(ListedChain::Ready).collect(), vec![]));
        }
        RowWait::AtMost(wait) => std::time::Instant::now()
            .checked_add(wait)
            .unwrap_or_else(std::time::Instant::now),
    };
    let mut idle = Vec::new();
    let mut rows = Vec::new();
    let mut pending = Vec::new();
    for chain in snap.dataset.chains.values() {
        if !who.reads_chain_aggregates(&chain.id) {
            continue;
        }
        if snap.wait_for_row(&chain.id, deadline) {
            rows.push(Some(snap.chain_row(&chain.id)?));
        } else {
            if snap.analysis_idle(&chain.id) {
                idle.push(chain.id.clone());
            }
            pending.push(chain.id.as_str());
            rows.push(None);
        }
    }
    let mut pending = snap.pending_rows(&pending)?.into_iter();
    let rows = rows
        .into_iter()
        .filter_map(|row| match row {
            Some(row) => Some(ListedChain::Ready(row)),
            None => pending.next().map(ListedChain::Pending),
        })
        .collect();
    Ok((rows, idle))
}

/// A chain record with its key figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChainDetail {
    pub chain: Chain,
    pub summary: ChainRow,
}

/// One chain with its key figures.
pub fn detail(snap: &Snapshot, who: &Principal, id: &str) -> Result<ChainDetail, Error> {
    who.require(who.reads_chain_aggregates(id))?;
    let chain = snap
        .dataset
        .chains
        .get(id)
        .ok_or_else(|| Error::not_found("chain", id))?;
    let a = snap.chain_analysis(id)?;
    Ok(ChainDetail {
        chain: chain.clone(),
        summary: chain_row(&snap.dataset, &a),
    })
}

/// Filters and page of a chain's problem list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProblemFilter {
    /// Only problems of firms in this segment.
    pub segment: Option<String>,
    pub category: Option<Category>,
    /// Only problems of at least this severity.
    #[param(minimum = 1, maximum = 5)]
    pub severity: Option<u8>,
    pub status: Option<Status>,
    /// Only problems of this firm.
    pub firm: Option<String>,
    /// Only problems that a live project (neither cancelled nor completed) lists (`true`), or
    /// only those none does (`false`). Judged by the projects the holder reads.
    pub tackled: Option<bool>,
    /// Only demand problems, open or in progress (`true`), or only the others (`false`).
    pub demand: Option<bool>,
    /// Only problems whose title, id, firm name or firm id holds this text (case-insensitive).
    pub q: Option<String>,
    /// 1-based page (default 1).
    #[param(minimum = 1)]
    pub page: Option<usize>,
    /// Problems per page (default 50, at most 1000).
    #[param(minimum = 1, maximum = 1000)]
    pub per_page: Option<usize>,
}

/// A problem with where it sits on the chain and the projects that tackle it (its schema:
/// `api::chains`).
#[derive(Debug, Clone, Serialize)]
pub struct ProblemRow {
    #[serde(flatten)]
    pub problem: Problem,
    pub firm_name: String,
    pub segment: String,
    /// The projects listing the problem that the holder reads, live first, then by id.
    pub projects: Vec<ProjectRef>,
    /// Whether one of `projects` is live.
    pub tackled: bool,
}

/// One page of a chain's problem list (问题清单).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemPage {
    /// Problems matching the filter, over all pages.
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    pub problems: Vec<ProblemRow>,
}

/// The problem list of a chain, filtered and paginated (most severe first, then id), each
/// problem with the projects tackling it. An enterprise sees, on the chains it sits on, its own
/// problems and those other firms disclosed to it (see [`Principal::sees_problem`]), and
/// nothing else (not even a count), and of the projects tackling them those it takes part in.
///
/// Complexity: O(P_c log P_c) for the chain's problems, plus the chain's projects.
pub fn problems(
    snap: &Snapshot,
    who: &Principal,
    id: &str,
    f: ProblemFilter,
) -> Result<ProblemPage, Error> {
    let d = &snap.dataset;
    if let Some(own) = who.org() {
        let on_chain = d
            .organizations
            .get(own)
            .is_some_and(|o| o.membership(id).is_some());
        who.require(on_chain)?;
    } else {
        who.require_chain(id)?;
    }
    let page = f.page.unwrap_or(1);
    let per_page = f.per_page.unwrap_or(50);
    if page == 0 || per_page == 0 || per_page > 1000 {
        return Err(Error::BadRequest(
            "page must be at least 1 and per_page between 1 and 1000".into(),
        ));
    }
    if f.severity.is_some_and(|s| !(1..=5).contains(&s)) {
        return Err(Error::BadRequest("severity must be between 1 and 5".into()));
    }
    if !d.chains.contains_key(id) {
        return Err(Error::not_found("chain", id));
    }
    let mut tackling = work::tackling(d, who, id);
    let sight = who.sight(d);
    let text = f.q.as_deref().unwrap_or("").trim().to_lowercase();
    let mut rows: Vec<ProblemRow> = d
        .problems_of_chain(id)
        .filter(|p| sight.sees(p))
        .filter(|p| f.category.is_none_or(|c| p.category == c))
        .filter(|p| f.severity.is_none_or(|s| p.severity >= s))
        .filter(|p| f.status.is_none_or(|s| p.status == s))
        .filter(|p| f.firm.as_ref().is_none_or(|firm| &p.org == firm))
        .filter(|p| f.demand.is_none_or(|want| p.is_demand() == want))
        .filter_map(|p| {
            let org = d.organizations.get(&p.org)?;
            let segment = org.membership(id)?.segment.clone();
            if f.segment.as_ref().is_some_and(|s| s != &segment) {
                return None;
            }
            if !text.is_empty()
                && ![&p.title, &p.id, &org.name, &org.id]
                    .iter()
                    .any(|s| s.to_lowercase().contains(&text))
            {
                return None;
            }
            let projects = tackling.remove(&p.id).unwrap_or_default();
            let tackled = projects.iter().any(|j| j.status.is_live());
            if f.tackled.is_some_and(|t| t != tackled) {
                return None;
            }
            Some(ProblemRow {
                problem: p.clone(),
                firm_name: org.name.clone(),
                segment,
                projects,
                tackled,
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        b.problem
            .severity
            .cmp(&a.problem.severity)
            .then_with(|| a.problem.id.cmp(&b.problem.id))
    });
    let total = rows.len();
    let problems = rows
        .into_iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .collect();
    Ok(ProblemPage {
        total,
        page,
        per_page,
        problems,
    })
}

/// Gaps of a scope and what to build where.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GapReport {
    pub gaps: Gaps,
    /// The jurisdiction (region prefix) the recommendations and capacity advice are kept inside:
    /// the `within` asked for, or for a regulator limited to some chains the province where most
    /// of the chain's firms sit; absent when there is no limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub within: Option<String>,
    /// One addition per capability code and city (the smallest level, larger ones folded in as
    /// `alternatives`), best first, at most twenty.
    pub recommendations: Vec<Recommendation>,
    /// For the capacity gaps: which full provider to expand for which code, by how much, and the
    /// severity it would unlock; most severity first, at most twenty.
    pub capacity_advice: Vec<CapacityAdvice>,
    /// The capability catalogue's names of the codes above, by code; a code without an entry
    /// is left out (shown as it is).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub capability_names: BTreeMap<String, String>,
}

/// Drops whose needs a gap is (firms and problems): what planners see.
fn aggregate_only(gaps: &mut Gaps) {
    for g in gaps
        .infrastructure
        .iter_mut()
        .chain(gaps.capacity.iter_mut())
    {
        g.firms.clear();
        g.problems.clear();
    }
}

/// The province (2 digits) where most of a chain's domestic firms sit (ties: the smallest
/// code); `None` for a chain without domestic firms.
fn home_province(d: &crate::model::Dataset, chain: &str) -> Option<String> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for o in d.members_of_chain(chain) {
        if let Some(r) = o.region.as_deref().filter(|_| !o.foreign) {
            *counts.entry(crate::model::region::province(r)).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
        .map(|(p, _)| p.to_string())
}

/// The jurisdiction a gaps report is kept inside: `within` as asked (`all`: none; else a two-
/// or four-digit region prefix), or by default, for a regulator limited to some chains, the
/// chain's home province ([`home_province`]).
fn jurisdiction(
    d: &crate::model::Dataset,
    who: &Principal,
    chain: &str,
    within: Option<&str>,
) -> Result<Option<String>, Error> {
    match within {
        Some("all") => Ok(None),
        Some(w) if (w.len() == 2 || w.len() == 4) && w.bytes().all(|b| b.is_ascii_digit()) => {
            Ok(Some(w.to_string()))
        }
        Some(w) => Err(Error::BadRequest(format!(
            "within must be a two- or four-digit region prefix (e.g. 32 for 江苏, 3205 for 苏州) \
             or all, not {w:?}"
        ))),
        None if who.limited_regulator() => Ok(home_province(d, chain)),
        None => Ok(None),
    }
}

/// Infrastructure and capacity gaps of a chain, with build recommendations and capacity advice
/// kept inside a jurisdiction (see [`jurisdiction`]); for planners aggregated (how many needs
/// and how much severity, not whose).
pub fn gaps(
    snap: &Snapshot,
    who: &Principal,
    id: &str,
    within: Option<&str>,
) -> Result<GapReport, Error> {
    who.require(who.reads_chain_aggregates(id))?;
    let a = snap.chain_analysis(id)?;
    let within = jurisdiction(&snap.dataset, who, id, within)?;
    let mut gaps = a.qi.gaps.clone();
    if !who.reads_chain(id) {
        aggregate_only(&mut gaps);
    }
    let recommendations = match &within {
        None => a.qi.recommendations.clone(),
        Some(w) => {
            let mut recs = recommendations(&snap.dataset, &a.assignment, Some(w));
            recs.truncate(REPORT_RECOMMENDATIONS);
            recs
        }
    };
    let mut capacity_advice = capacity_advice(
        &snap.dataset,
        &a.assignment,
        &snap.providers(),
        within.as_deref(),
    );
    capacity_advice.truncate(REPORT_RECOMMENDATIONS);
    let codes = gaps
        .infrastructure
        .iter()
        .chain(&gaps.capacity)
        .map(|g| g.code.as_str())
        .chain(recommendations.iter().map(|r| r.code.as_str()))
        .chain(capacity_advice.iter().map(|c| c.code.as_str()));
    let capability_names = crate::map::capability_names(&snap.dataset, codes);
    Ok(GapReport {
        gaps,
        within,
        recommendations,
        capacity_advice,
        capability_names,
    })
}

/// The weak links of a chain with the projects tackling them (its schema: `api::chains`).
#[derive(Debug, Clone, Serialize)]
pub struct WeakLinks {
    #[serde(flatten)]
    pub report: ChainReport,
    /// Per firm that is a critical node or the buyer of a single-source or foreign-only part:
    /// the projects of the chain tackling one of its problems (any status), live first, then
    /// by id. A firm with none is left out.
    pub projects_by_firm: BTreeMap<String, Vec<ProjectRef>>,
}

/// Weak links of a chain, with the projects tackling problems of each weak firm.
pub fn weak_links(snap: &Snapshot, who: &Principal, id: &str) -> Result<WeakLinks, Error> {
    who.require_chain(id)?;
    let report = snap.chain_analysis(id)?.weak.clone();
    let mut tackling = work::tackling_firms(&snap.dataset, id);
    let weak: BTreeSet<&str> = report
        .critical_nodes
        .iter()
        .map(|n| n.id.as_str())
        .chain(report.single_source_parts.iter().map(|p| p.buyer.as_str()))
        .chain(report.foreign_only_parts.iter().map(|p| p.buyer.as_str()))
        .collect();
    tackling.retain(|firm, _| weak.contains(firm.as_str()));
    Ok(WeakLinks {
        report,
        projects_by_firm: tackling,
    })
}

/// QI coverage of a chain (its own capacities), by segment, element, province and city.
pub fn coverage(snap: &Snapshot, who: &Principal, id: &str) -> Result<CoverageReport, Error> {
    who.require(who.reads_chain_aggregates(id))?;
    Ok(snap.chain_analysis(id)?.qi.figures.clone())
}

/// The optimal assignment of a chain's needs to providers, need by need.
pub fn assignment(snap: &Snapshot, who: &Principal, id: &str) -> Result<Assignment, Error> {
    who.require_chain(id)?;
    Ok(snap.chain_analysis(id)?.assignment.clone())
}

/// The supplier view of a chain master: every firm upstream at any tier, critical ones first.
/// A firm asks only for itself and only on a chain it sits on (anything else is refused alike,
/// whether or not the chain exists), and gets its own upstream even when it is no master;
/// others ask for masters only (422 otherwise). Each supplier's demand problems that the holder may read
/// (see [`Principal::sees_problem`]) are listed in full, with the providers the chain's optimal
/// assignment gives their needs; the rest only as aggregates (count by category, highest
/// severity), and the summary counts both.
pub fn suppliers(
    snap: &Snapshot,
    who: &Principal,
    id: &str,
    org: &str,
) -> Result<SupplierView, Error> {
    let d = &snap.dataset;
    let own_on_chain = who.org().is_some_and(|own| {
        own == org
            && d.organizations
                .get(own)
                .is_some_and(|o| o.membership(id).is_some())
    });
    who.require(own_on_chain || who.reads_chain(id))?;
    let graphs = snap.chain_graph(id)?;
    let graph = graphs
        .chain(id)
        .ok_or_else(|| Error::not_found("chain", id))?;
    let problems = snap.chain_index().problems(d, id);
    // A firm sees its own upstream whether or not it is a master; others see masters' views.
    let mut view = if own_on_chain {
        upstream_view_of(d, graph, org, &problems)
    } else {
        supplier_view_of(d, graph, org, &problems)
    }
    .map_err(analysis_error)?;
    let analysis = snap.chain_analysis(id)?;
    let mut takers: HashMap<&str, Vec<NeedProvider>> = HashMap::new();
    for a in &analysis.assignment.assigned {
        takers.entry(&a.problem).or_default().push(NeedProvider {
            code: a.code.clone(),
            provider: a.provider.clone(),
            name: d
                .organizations
                .get(&a.provider)
                .map(|o| o.name.clone())
                .unwrap_or_default(),
        });
    }
    let sight = who.sight(d);
    for s in &mut view.suppliers {
        let mut hidden = Undisclosed::default();
        s.problems.retain(|b| match d.problems.get(&b.id) {
            Some(p) if sight.sees(p) => true,
            Some(p) => {
                hidden.add(p.category, p.severity);
                false
            }
            None => false,
        });
        for b in &mut s.problems {
            b.providers = takers.remove(b.id.as_str()).unwrap_or_default();
        }
        s.undisclosed = (hidden.count > 0).then_some(hidden);
    }
    view.recount();
    Ok(view)
}

fn analysis_error(e: AnalysisError) -> Error {
    match e {
        AnalysisError::UnknownChain { chain } => Error::not_found("chain", chain),
        AnalysisError::NotOnChain { firm, .. } => Error::not_found("chain member", firm),
        e @ AnalysisError::NotAChainMaster { .. } => {
            Error::invalid(ErrorCode::NotAMember, "", e.to_string())
        }
    }
}

/// Firms that fail together (its schema: `api::chains`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioRequest {
    /// E.g. `[{"firms": ["f1", "f2"]}, "all_foreign", {"region_prefix": "3205"}]`.
    pub failures: Vec<Failure>,
}

/// What-if failures on one chain: which firms and masters are disabled. Named firms that are
/// not on this chain do nothing here (the same failures can be run on every chain). Those who
/// read every chain get `unknown_organization` for a firm that exists nowhere; a holder limited
/// to some chains gets it for any firm not on this chain, so that the answer says nothing about
/// firms on chains it may not read.
pub fn chain_scenario_of(
    snap: &Snapshot,
    who: &Principal,
    id: &str,
    request: &ScenarioRequest,
) -> Result<ChainScenario, Error> {
    who.require_chain(id)?;
    let graphs = snap.chain_graph(id)?;
    let graph = graphs
        .chain(id)
        .ok_or_else(|| Error::not_found("chain", id))?;
    let all = who.all_chains();
    named_firms(
        request,
        |firm| graph.contains(firm) || (all && snap.dataset.organizations.contains_key(firm)),
        unknown_firm,
    )?;
    let name = snap.dataset.chains.get(id).map(|c| c.name.clone());
    Ok(chain_scenario(
        graph,
        name.unwrap_or_default(),
        &request.failures,
    ))
}

fn unknown_firm(firm: &str) -> ValidationError {
    ValidationError::new(
        ErrorCode::UnknownOrganization,
        "",
        format!("unknown organization {firm:?}"),
    )
}

/// Every firm named in `request` must pass `known`; the others are errors at their paths.
fn named_firms(
    request: &ScenarioRequest,
    known: impl Fn(&str) -> bool,
    error: impl Fn(&str) -> ValidationError,
) -> Result<(), Error> {
    let mut errors = Vec::new();
    for (i, f) in request.failures.iter().enumerate() {
        if let Failure::Firms(ids) = f {
            for (j, firm) in ids.iter().enumerate() {
                if !known(firm) {
                    let mut e = error(firm);
                    e.path = format!("/failures/{i}/firms/{j}");
                    errors.push(e);
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(errors.into()))
    }
}

/// What-if failures across every chain (for those who read every chain).
pub fn dataset_scenario(
    snap: &Snapshot,
    who: &Principal,
    request: &ScenarioRequest,
) -> Result<ScenarioReport, Error> {
    who.require(who.all_chains())?;
    named_firms(
        request,
        |firm| snap.dataset.organizations.contains_key(firm),
        unknown_firm,
    )?;
    let graphs: Vec<Arc<crate::graph::Graphs>> = snap
        .dataset
        .chains
        .keys()
        .map(|id| snap.chain_graph(id))
        .collect::<Result<_, _>>()?;
    Ok(run_scenario_on(
        &snap.dataset,
        graphs.iter().flat_map(|g| g.iter()),
        &request.failures,
    ))
}

/// Hypothetical providers to add and real ones to remove, for one chain or the whole dataset
/// (its schema: `api::chains`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WhatIfRequest {
    /// A chain id (its own capacities), or absent for the whole dataset (capacities shared).
    #[serde(default)]
    pub chain: Option<String>,
    #[serde(flatten)]
    pub change: WhatIf,
}

/// Coverage before and after adding hypothetical providers or removing real ones.
pub fn what_if_of(
    snap: &Snapshot,
    who: &Principal,
    request: WhatIfRequest,
) -> Result<WhatIfResult, Error> {
    who.require(match &request.chain {
        Some(id) => who.reads_chain_aggregates(id),
        None => who.reads_dataset_aggregates(),
    })?;
    check_hypothetical(&request.change, &snap.dataset)?;
    let scope = match request.chain {
        Some(id) if !snap.dataset.chains.contains_key(&id) => {
            return Err(Error::not_found("chain", id))
        }
        Some(id) => Scope::Chain(id),
        None => Scope::All,
    };
    if let Some(id) = request.change.remove.iter().find(|id| {
        !snap
            .dataset
            .organizations
            .get(*id)
            .is_some_and(|o| o.is_provider())
    }) {
        return Err(Error::not_found("provider", id.clone()));
    }
    Ok(what_if(&snap.dataset, &scope, &request.change))
}

/// The hypothetical providers of `change`, each checked as the same fields of a provider record
/// are (with the same codes), and their ids unique among them; paths point into the request
/// body (`/add/0/region`). The removed ids are looked up by [`what_if_of`] (404 for one that
/// names no provider).
fn check_hypothetical(change: &WhatIf, d: &crate::model::Dataset) -> Result<(), Error> {
    let mut report = Report::new();
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(change.add.len());
    for (i, h) in change.add.iter().enumerate() {
        let at = |field: &str| format!("/add/{i}/{field}");
        let fields = ProviderFields {
            id: &h.id,
            name: &h.name,
            region: &h.region,
            code: &h.code,
            capacity: h.capacity,
        };
        if !check_provider_fields(&fields, at, &mut report) {
            continue;
        }
        // A place must be a real division (GB/T 2260) or a region the data names, as for a
        // stored provider.
        let region = h.region.as_str();
        if crate::model::region::is_valid(region)
            && !crate::model::divisions::is_division(region)
            && !d.regions.contains_key(region)
        {
            report.push(ValidationError::new(
                ErrorCode::UnknownRegion,
                at("region"),
                format!("region {region:?} is no GB/T 2260 division and no region of the data"),
            ));
        }
        match seen.entry(&h.id) {
            Entry::Occupied(first) => report.push(ValidationError::new(
                ErrorCode::DuplicateId,
                at("id"),
                format!(
                    "duplicate provider id {:?} (first at /add/{})",
                    h.id,
                    first.get()
                ),
            )),
            Entry::Vacant(slot) => {
                slot.insert(i);
            }
        }
    }
    if report.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(report))
    }
}

/// The dataset-wide scope a read answers from (see [`super::Service::dataset_scope`]).
#[derive(Debug, Clone)]
pub struct DatasetScope {
    pub analysis: Arc<crate::analysis::DatasetAnalysis>,
    /// Set when the scope is that of this earlier revision, because the current one is still
    /// being computed after a write.
    pub as_of_revision: Option<u64>,
}

impl DatasetScope {
    /// The scope of `snap` itself (computed now if it is not).
    pub fn of(snap: &Snapshot) -> Result<DatasetScope, Error> {
        Ok(DatasetScope {
            analysis: snap.dataset_analysis()?,
            as_of_revision: None,
        })
    }
}

/// Planners' comparison: one row per chain, plus the dataset-wide coverage.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Comparison {
    pub chains: Vec<ChainRow>,
    /// All needs matched at once, capacities shared across chains.
    pub dataset: Coverage,
    pub dataset_by_element: Vec<ElementCoverage>,
    /// Present only while the figures of the current data are being computed after a write:
    /// these figures are those of this earlier revision. Such an answer is not to be kept
    /// (`Cache-Control: no-store`, no `ETag`); ask again (every few seconds) until it is absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of_revision: Option<u64>,
}

/// The chain comparison for planners (and those who read every chain), from the scope `scope`
/// gives (checked first: the scope is only computed for those who may read it).
pub fn comparison(
    snap: &Snapshot,
    who: &Principal,
    scope: impl FnOnce(&Snapshot) -> Result<DatasetScope, Error>,
) -> Result<Comparison, Error> {
    who.require(who.reads_dataset_aggregates())?;
    let DatasetScope {
        analysis: all,
        as_of_revision,
    } = scope(snap)?;
    Ok(Comparison {
        chains: all.comparison.clone(),
        dataset: all.qi.figures.coverage,
        dataset_by_element: all.qi.figures.by_element.clone(),
        as_of_revision,
    })
}

/// The dataset's coverage: the QI report of the whole dataset, and while the current one is
/// being computed after a write, the earlier revision it is of.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DatasetCoverage {
    #[serde(flatten)]
    pub report: QiReport,
    /// Present only while the figures of the current data are being computed after a write:
    /// this report is that of this earlier revision. Such an answer is not to be kept
    /// (`Cache-Control: no-store`, no `ETag`); ask again (every few seconds) until it is absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of_revision: Option<u64>,
}

/// Coverage of the whole dataset (capacities shared across chains), with gaps and
/// recommendations; for planners without firms, problems or projects. From the scope `scope`
/// gives, as [`comparison`].
pub fn dataset_coverage(
    snap: &Snapshot,
    who: &Principal,
    scope: impl FnOnce(&Snapshot) -> Result<DatasetScope, Error>,
) -> Result<DatasetCoverage, Error> {
    who.require(who.reads_dataset_aggregates())?;
    let DatasetScope {
        analysis,
        as_of_revision,
    } = scope(snap)?;
    let mut qi = analysis.qi.clone();
    if !who.all_chains() {
        aggregate_only(&mut qi.gaps);
        qi.projects = Default::default();
    }
    Ok(DatasetCoverage {
        report: qi,
        as_of_revision,
    })
}

/// Coverage by province or city as a GeoJSON FeatureCollection (see [`crate::render::geojson`]):
/// of one chain with the access rules of [`coverage`], or of the whole dataset with those of
/// [`dataset_coverage`] (the figures carry no firm, problem or project). `province` (2 digits)
/// keeps the regions of one province; it must be a province with a boundary.
pub fn regions_geojson(
    snap: &Snapshot,
    who: &Principal,
    chain: Option<&str>,
    level: RegionLevel,
    province: Option<&str>,
) -> Result<String, Error> {
    regions_geojson_from(snap, who, chain, level, province, DatasetScope::of)
}

/// [`regions_geojson`] with the dataset's scope from `scope` (see [`super::Service::dataset_scope`]);
/// an earlier revision's is marked by a top-level `as_of_revision`.
pub fn regions_geojson_from(
    snap: &Snapshot,
    who: &Principal,
    chain: Option<&str>,
    level: RegionLevel,
    province: Option<&str>,
    scope: impl FnOnce(&Snapshot) -> Result<DatasetScope, Error>,
) -> Result<String, Error> {
    match chain {
        Some(id) => who.require(who.reads_chain_aggregates(id))?,
        None => who.require(who.reads_dataset_aggregates())?,
    }
    if let Some(p) = province.filter(|p| !boundaries::is_province(p)) {
        return Err(Error::BadRequest(format!(
            "province must be the two-digit code of a province (e.g. 32 for 江苏), not {p:?}"
        )));
    }
    let document = |report: &CoverageReport| {
        crate::render::geojson::coverage_geojson(&snap.dataset, report, chain, level, province)
    };
    Ok(match chain {
        Some(id) => document(&snap.chain_analysis(id)?.qi.figures),
        None => {
            let DatasetScope {
                analysis,
                as_of_revision,
            } = scope(snap)?;
            let document = document(&analysis.qi.figures);
            match as_of_revision {
                // A foreign member of the FeatureCollection (RFC 7946 §6.1), first.
                Some(revision) => match document.strip_prefix('{') {
                    Some(rest) => format!("{{\"as_of_revision\":{revision},{rest}"),
                    None => document,
                },
                None => document,
            }
        }
    })
}
