//! The quality map of a chain (一图) as one document: everything a page or a picture needs to draw
//! the chain — segments in order, firms with roles, regions and risk, supplies with parts, the
//! weak links, the providers relevant to the chain's needs with candidates and assignment,
//! coverage and gaps.
//!
//! It is assembled from a [`ChainAnalysis`] (computed elsewhere, cached by the server); this module
//! only selects and shapes. A large chain keeps the page legible and quick: firms are ranked by
//! importance (masters, then critical firms by how many they disable, then risk) and only the
//! first `limit` are listed, with per-segment totals for the rest.

use crate::analysis::coverage::{Coverage, ElementCoverage, Gaps};
use crate::analysis::eligibility::{Place, ProviderIndex};
use crate::analysis::{ChainAnalysis, RiskScore, SegmentSummary};
use crate::model::{region, ChainIndex, Dataset, OrgKind, Problem, Role};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use utoipa::ToSchema;

/// Firms listed by default.
pub const DEFAULT_LIMIT: usize = 400;

/// Candidate providers listed per need.
const CANDIDATES_PER_NEED: usize = 3;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QualityMap {
    pub chain: MapChain,
    /// Member firms of the chain.
    pub firms_total: usize,
    /// Firms listed below (the most important `limit`).
    pub firms_shown: usize,
    /// Ranked by importance: masters, critical firms (most disabling first), then risk.
    pub firms: Vec<MapFirm>,
    /// Supplies between listed firms, with their weak-link marks.
    pub supplies: Vec<MapSupply>,
    /// Supplies of the chain in all (listed or not).
    pub supplies_total: usize,
    pub segments: Vec<SegmentSummary>,
    /// Demand and resolved problems of the listed firms.
    pub problems: Vec<MapProblem>,
    /// Providers that are candidates for, or assigned to, the listed firms' needs.
    pub providers: Vec<MapProvider>,
    pub coverage: Coverage,
    pub coverage_by_element: Vec<ElementCoverage>,
    pub gaps: Gaps,
    pub counts: MapCounts,
    /// The capability catalogue's names (能力目录) of the codes this map shows (its needs, its
    /// providers' capabilities, its gaps), by code; a code without an entry is left out and
    /// shown as it is.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub capability_names: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MapChain {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chief: Option<String>,
    /// In chain order, upstream first.
    pub segments: Vec<MapSegment>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MapSegment {
    pub id: String,
    pub name: String,
}

/// Whole-chain weak-link counts (the lists themselves are at `/weak-links`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MapCounts {
    pub masters: usize,
    pub critical_nodes: usize,
    pub single_source_parts: usize,
    pub foreign_only_parts: usize,
    pub demand_problems: usize,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MapFirm {
    pub id: String,
    pub name: String,
    pub segment: String,
    pub role: Role,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Name of the firm's city (or province) from the dataset's regions, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region_name: Option<String>,
    pub foreign: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Its failure alone disables at least one chain master.
    pub critical: bool,
    /// Masters its failure alone disables (sorted).
    pub disabled_masters: Vec<String>,
    /// Firms its failure alone disables.
    pub disabled_count: usize,
    /// Why it is critical: (buyer, part) steps from it to a master.
    pub evidence: Vec<crate::analysis::EvidenceStep>,
    /// It is the only supplier of some part to some buyer.
    pub single_source: bool,
    pub risk: RiskScore,
    /// Sum of severities of its demand problems.
    pub problem_load: u32,
    pub demand_problems: usize,
    /// Importance rank used to choose and size marks (higher is more important).
    pub importance: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MapSupply {
    pub from: String,
    pub to: String,
    pub part: String,
    /// The only supplier of this part to this buyer.
    pub single_source: bool,
    /// Every supplier of this part to this buyer is foreign.
    pub foreign_only: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MapProblem {
    pub id: String,
    pub org: String,
    pub title: String,
    pub category: crate::model::Category,
    pub severity: u8,
    pub status: crate::model::Status,
    pub needs: Vec<MapNeed>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MapNeed {
    pub code: String,
    /// The provider the optimal assignment gives this need, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<u8>,
    /// The best eligible providers (by tier, level, name).
    pub candidates: Vec<String>,
    /// No eligible provider exists: an infrastructure gap.
    pub gap: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MapProvider {
    pub id: String,
    pub name: String,
    pub kind: OrgKind,
    pub level: crate::model::Level,
    pub region: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region_name: Option<String>,
    pub capabilities: Vec<crate::model::Capability>,
    /// Needs of this chain assigned to it.
    pub assigned_needs: usize,
}

/// Builds the map document of an analysed chain.
///
/// # Arguments
/// - `dataset`: the records; `analysis`: the chain's cached analysis; `index`: providers by code;
///   `chains`: the members and problems of each chain.
/// - `limit`: at most this many firms are listed (`None`: all).
///
/// # Complexity
/// O(V log V + E + P·k) for V firms, E supplies and P problems of the chain, k candidates per need
/// (plus O(log n) per lookup by id): nothing scans the whole dataset.
pub fn quality_map(
    dataset: &Dataset,
    analysis: &ChainAnalysis,
    index: &ProviderIndex,
    chains: &ChainIndex,
    limit: Option<usize>,
) -> QualityMap {
    let weak = &analysis.weak;
    let chain_id = weak.id.as_str();
    let chain = dataset.chains.get(chain_id);
    let critical: HashMap<&str, &crate::analysis::CriticalNode> = weak
        .critical_nodes
        .iter()
        .map(|c| (c.id.as_str(), c))
        .collect();
    let single_suppliers: HashSet<&str> = weak
        .single_source_parts
        .iter()
        .map(|p| p.supplier.as_str())
        .collect();
    let single_parts: HashSet<(&str, &str)> = weak
        .single_source_parts
        .iter()
        .map(|p| (p.buyer.as_str(), p.part.as_str()))
        .collect();
    let foreign_parts: HashSet<(&str, &str)> = weak
        .foreign_only_parts
        .iter()
        .map(|p| (p.buyer.as_str(), p.part.as_str()))
        .collect();
    let risk: HashMap<&str, &RiskScore> = weak.risk.iter().map(|r| (r.id.as_str(), r)).collect();
    let load: HashMap<&str, &crate::analysis::ProblemLoad> = weak
        .problem_load
        .iter()
        .map(|l| (l.id.as_str(), l))
        .collect();
    let masters = weak.masters.len().max(1) as f64;

    let mut firms: Vec<MapFirm> = chains
        .members(dataset, chain_id)
        .filter_map(|o| {
            let m = o.membership(chain_id)?;
            let c = critical.get(o.id.as_str());
            let r = risk
                .get(o.id.as_str())
                .map(|r| (*r).clone())
                .unwrap_or(RiskScore {
                    id: o.id.clone(),
                    score: 0.0,
                    criticality: 0.0,
                    problem_load: 0.0,
                    qi_gap: 0.0,
                });
            let l = load.get(o.id.as_str());
            let master = m.role == Role::ChainMaster;
            let importance = if master { 2.0 } else { 0.0 }
                + c.map_or(0.0, |c| 1.0 + c.disabled_masters.len() as f64 / masters)
                + r.score;
            Some(MapFirm {
                id: o.id.clone(),
                name: o.name.clone(),
                segment: m.segment.clone(),
                role: m.role,
                region: o.region.clone(),
                region_name: o
                    .region
                    .as_deref()
                    .and_then(|code| region_name(dataset, code)),
                foreign: o.foreign,
                country: o.country.clone(),
                critical: c.is_some(),
                disabled_masters: c.map(|c| c.disabled_masters.clone()).unwrap_or_default(),
                disabled_count: c.map_or(0, |c| c.disabled_count),
                evidence: c.map(|c| c.evidence.clone()).unwrap_or_default(),
                single_source: single_suppliers.contains(o.id.as_str()),
                risk: r,
                problem_load: l.map_or(0, |l| l.load),
                demand_problems: l.map_or(0, |l| l.demand_problems),
                importance,
            })
        })
        .collect();
    let firms_total = firms.len();
    firms.sort_by(|a, b| {
        b.importance
            .total_cmp(&a.importance)
            .then(b.disabled_count.cmp(&a.disabled_count))
            .then_with(|| a.id.cmp(&b.id))
    });
    if let Some(limit) = limit {
        firms.truncate(limit);
    }
    let shown: HashSet<&str> = firms.iter().map(|f| f.id.as_str()).collect();

    let mut supplies_total = 0;
    let supplies: Vec<MapSupply> = dataset
        .supplies_of_chain(chain_id)
        .inspect(|_| supplies_total += 1)
        .filter(|s| shown.contains(s.supplier.as_str()) && shown.contains(s.customer.as_str()))
        .map(|s| MapSupply {
            from: s.supplier.clone(),
            to: s.customer.clone(),
            part: s.part.clone(),
            single_source: single_parts.contains(&(s.customer.as_str(), s.part.as_str())),
            foreign_only: foreign_parts.contains(&(s.customer.as_str(), s.part.as_str())),
        })
        .collect();

    let assigned: HashMap<(&str, &str), (&str, u8)> = analysis
        .assignment
        .assigned
        .iter()
        .map(|a| {
            (
                (a.problem.as_str(), a.code.as_str()),
                (a.provider.as_str(), a.tier),
            )
        })
        .collect();
    let mut relevant: BTreeSet<String> = BTreeSet::new();
    let mut problems: Vec<MapProblem> = Vec::new();
    let chain_problems: Vec<&Problem> = chains
        .problems(dataset, chain_id)
        .into_iter()
        .filter(|p| shown.contains(p.org.as_str()))
        .collect();
    for p in chain_problems {
        let place = Place::of(dataset.organizations.get(&p.org));
        let needs = p
            .needs
            .iter()
            .map(|code| {
                let candidates: Vec<String> = index
                    .candidates(code, place)
                    .into_iter()
                    .take(CANDIDATES_PER_NEED)
                    .map(|c| c.provider)
                    .collect();
                let a = assigned.get(&(p.id.as_str(), code.as_str()));
                relevant.extend(candidates.iter().cloned());
                relevant.extend(a.map(|(provider, _)| provider.to_string()));
                MapNeed {
                    code: code.clone(),
                    assigned: a.map(|(provider, _)| provider.to_string()),
                    tier: a.map(|(_, tier)| *tier),
                    gap: p.is_demand() && !index.reaches(code, place),
                    candidates,
                }
            })
            .collect();
        problems.push(MapProblem {
            id: p.id.clone(),
            org: p.org.clone(),
            title: p.title.clone(),
            category: p.category,
            severity: p.severity,
            status: p.status,
            needs,
        });
    }
    let mut assigned_per_provider: BTreeMap<&str, usize> = BTreeMap::new();
    for a in &analysis.assignment.assigned {
        *assigned_per_provider
            .entry(a.provider.as_str())
            .or_default() += 1;
    }
    let providers: Vec<MapProvider> = relevant
        .iter()
        .filter_map(|id| {
            let o = dataset.organizations.get(id)?;
            let region = o.region.clone()?;
            Some(MapProvider {
                id: o.id.clone(),
                name: o.name.clone(),
                kind: o.kind,
                level: o.level?,
                region_name: region_name(dataset, &region),
                region,
                capabilities: o.capability_list().to_vec(),
                assigned_needs: assigned_per_provider
                    .get(o.id.as_str())
                    .copied()
                    .unwrap_or(0),
            })
        })
        .collect();

    let capability_names = capability_names(
        dataset,
        problems
            .iter()
            .flat_map(|p| p.needs.iter().map(|n| n.code.as_str()))
            .chain(
                providers
                    .iter()
                    .flat_map(|p| p.capabilities.iter().map(|c| c.code.as_str())),
            )
            .chain(
                analysis
                    .qi
                    .gaps
                    .infrastructure
                    .iter()
                    .chain(&analysis.qi.gaps.capacity)
                    .map(|g| g.code.as_str()),
            ),
    );
    QualityMap {
        chain: MapChain {
            id: chain_id.to_string(),
            name: weak.name.clone(),
            chief: chain.and_then(|c| c.chief.clone()),
            segments: chain
                .map(|c| {
                    c.segments
                        .iter()
                        .map(|s| MapSegment {
                            id: s.id.clone(),
                            name: s.name.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        },
        firms_total,
        firms_shown: firms.len(),
        firms,
        supplies,
        supplies_total,
        segments: weak.segments.clone(),
        problems,
        providers,
        coverage: analysis.qi.figures.coverage,
        coverage_by_element: analysis.qi.figures.by_element.clone(),
        gaps: analysis.qi.gaps.clone(),
        counts: MapCounts {
            masters: weak.masters.len(),
            critical_nodes: weak.critical_nodes.len(),
            single_source_parts: weak.single_source_parts.len(),
            foreign_only_parts: weak.foreign_only_parts.len(),
            demand_problems: weak.segments.iter().map(|s| s.demand_problems).sum(),
        },
        capability_names,
    }
}

/// The catalogue names of `codes` that the catalogue has, by code.
pub fn capability_names<'a>(
    dataset: &Dataset,
    codes: impl IntoIterator<Item = &'a str>,
) -> BTreeMap<String, String> {
    codes
        .into_iter()
        .filter_map(|code| {
            let name = dataset.capability_name(code)?;
            Some((code.to_string(), name.to_string()))
        })
        .collect()
}

/// The most specific name known for a region code: county, then city, then province.
pub fn region_name(dataset: &Dataset, code: &str) -> Option<String> {
    [
        code,
        &format!("{}00", region::city(code)),
        &format!("{}0000", region::province(code)),
    ]
    .iter()
    .find_map(|c| dataset.region_name(c).map(str::to_string))
}
