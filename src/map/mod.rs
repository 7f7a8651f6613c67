//! The quality map of a chain (一图) as one document: everything a page or a picture needs to draw
//! the chain — segments in order, firms with roles, regions and risk, supplies with parts, the
//! weak links, the providers relevant to the chain's needs with candidates and assignment,
//! coverage and gaps.
//!
//! It is assembled from a [`ChainAnalysis`] (computed elsewhere, cached by the server); this module
//! only selects and shapes. A large chain keeps the page legible and quick: firms are ranked by
//! importance (masters, then critical firms by how many they disable, then risk). A segment of
//! more than [`GROUP_ABOVE`] firms lists only its chain masters, critical and foreign firms (at
//! most [`LISTED_PER_SEGMENT`], the most important first) and counts the others in groups by
//! risk class ([`MapGroup`]); supplies touching a group are bundled ([`MapBundle`]) and a group's
//! firms are fetched on demand ([`group_page`]). Risk class rather than sub-part: a regulator
//! reads the map for where to look first, and the class is what the marks' colour already says.

use crate::analysis::coverage::{Coverage, ElementCoverage, Gaps};
use crate::analysis::eligibility::{Place, ProviderIndex};
use crate::analysis::{ChainAnalysis, RiskScore, SegmentSummary};
use crate::model::{region, ChainIndex, Dataset, OrgKind, Problem, Role};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use utoipa::ToSchema;

/// Firms listed by default: no cap beyond the grouping (0 on the command line and the API).
pub const DEFAULT_LIMIT: usize = 0;

/// A segment with more member firms than this is drawn as groups plus its pinned firms. It is
/// the most a column shows as a list, one labelled row per firm (`render::layout::LIST_MAX`).
pub const GROUP_ABOVE: usize = 30;

/// Pinned firms (masters, critical, foreign) listed individually in a grouped segment at most.
pub const LISTED_PER_SEGMENT: usize = 30;

/// Firms of a group answered per page by default, and at most.
pub const GROUP_PAGE: usize = 30;
pub const GROUP_PAGE_MAX: usize = 2000;

/// Risk score from which a grouped firm is in the high class, and the mid class. A firm that is
/// not critical scores at most 0.5 (problem load 0.3 + QI gap 0.2).
pub const HIGH_RISK: f64 = 0.3;
pub const MID_RISK: f64 = 0.1;

/// Candidate providers listed per need.
const CANDIDATES_PER_NEED: usize = 3;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QualityMap {
    pub chain: MapChain,
    /// Member firms of the chain.
    pub firms_total: usize,
    /// Firms listed individually below.
    pub firms_shown: usize,
    /// Ranked by importance: masters, critical firms (most disabling first), then risk.
    pub firms: Vec<MapFirm>,
    /// The firms not listed, counted by segment and risk class, in chain order (high risk first).
    pub groups: Vec<MapGroup>,
    /// Supplies between listed firms, with their weak-link marks.
    pub supplies: Vec<MapSupply>,
    /// Supplies with a grouped end, bundled by (from, to) where each end is a listed firm's id or
    /// a group's id.
    pub bundles: Vec<MapBundle>,
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

/// Risk class of a grouped firm: `high` from [`HIGH_RISK`], `mid` from [`MID_RISK`], else `low`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RiskClass {
    High,
    Mid,
    Low,
}

impl RiskClass {
    pub fn of(score: f64) -> RiskClass {
        if score >= HIGH_RISK {
            RiskClass::High
        } else if score >= MID_RISK {
            RiskClass::Mid
        } else {
            RiskClass::Low
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RiskClass::High => "high",
            RiskClass::Mid => "mid",
            RiskClass::Low => "low",
        }
    }

    /// Chinese name, as on the map.
    pub fn label(self) -> &'static str {
        match self {
            RiskClass::High => "高风险",
            RiskClass::Mid => "中风险",
            RiskClass::Low => "低风险",
        }
    }
}

/// Firms of one segment not listed individually, of one risk class.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MapGroup {
    /// `SEGMENT~CLASS`, e.g. `cell~high`.
    pub id: String,
    pub segment: String,
    pub risk_class: RiskClass,
    pub firms: usize,
    /// Foreign firms among them (past the segment's listed ones).
    pub foreign: usize,
    /// Critical firms among them (only when a segment has more pinned firms than it lists).
    pub critical: usize,
    pub single_source: usize,
    pub demand_problems: usize,
    pub problem_load: u64,
    /// Highest and mean risk score of its firms.
    pub max_risk: f64,
    pub mean_risk: f64,
}

/// Supplies between two map nodes (listed firms or groups), at least one of them a group.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MapBundle {
    pub from: String,
    pub to: String,
    pub supplies: usize,
    pub single_source: usize,
    pub foreign_only: usize,
}

/// One page of a group's firms, most important first, with their supplies to the firms the map
/// lists and to each other, and their problems and providers (as in the map).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupPage {
    pub chain: String,
    pub group: MapGroup,
    pub offset: usize,
    pub total: usize,
    pub firms: Vec<MapFirm>,
    pub supplies: Vec<MapSupply>,
    pub problems: Vec<MapProblem>,
    pub providers: Vec<MapProvider>,
    /// Catalogue names of the codes of these problems and providers, by code.
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
/// - `limit`: at most this many firms are listed individually (`None`: as the grouping allows);
///   the others are counted in their segment's groups.
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
    let links = WeakLinks::of(analysis);
    let ranked = ranked_firms(dataset, analysis, chains, &links);
    let firms_total = ranked.len();
    let (node, groups) = partition(&ranked, limit, &segment_order(dataset, chain_id));

    let listed = |id: &str| node.get(id).is_some_and(|n| n.is_none());
    let mut supplies_total = 0;
    let mut supplies = Vec::new();
    let mut bundles: BTreeMap<(String, String), MapBundle> = BTreeMap::new();
    for s in dataset.supplies_of_chain(chain_id) {
        supplies_total += 1;
        let (Some(a), Some(b)) = (node.get(s.supplier.as_str()), node.get(s.customer.as_str()))
        else {
            continue;
        };
        let single = links
            .single_parts
            .contains(&(s.customer.as_str(), s.part.as_str()));
        let foreign = links
            .foreign_parts
            .contains(&(s.customer.as_str(), s.part.as_str()));
        if a.is_none() && b.is_none() {
            supplies.push(MapSupply {
                from: s.supplier.clone(),
                to: s.customer.clone(),
                part: s.part.clone(),
                single_source: single,
                foreign_only: foreign,
            });
            continue;
        }
        let end = |n: &Option<usize>, firm: &str| match n {
            Some(g) => groups[*g].id.clone(),
            None => firm.to_string(),
        };
        let key = (end(a, &s.supplier), end(b, &s.customer));
        let bundle = bundles.entry(key.clone()).or_insert_with(|| MapBundle {
            from: key.0,
            to: key.1,
            supplies: 0,
            single_source: 0,
            foreign_only: 0,
        });
        bundle.supplies += 1;
        bundle.single_source += usize::from(single);
        bundle.foreign_only += usize::from(foreign);
    }

    let keep: Vec<bool> = ranked.iter().map(|f| listed(&f.id)).collect();
    drop(node);
    let firms: Vec<MapFirm> = ranked
        .into_iter()
        .zip(keep)
        .filter_map(|(f, keep)| keep.then_some(f))
        .collect();
    let shown: HashSet<&str> = firms.iter().map(|f| f.id.as_str()).collect();
    let (problems, providers) = problems_and_providers(dataset, analysis, index, chains, &shown);
    let capability_names = shown_capability_names(dataset, analysis, &problems, &providers, true);

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
        groups,
        supplies,
        bundles: bundles.into_values().collect(),
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

/// One page of the firms of group `group` (an id of [`QualityMap::groups`] of the map with the
/// same `limit`), most important first; `None` when the map has no such group.
///
/// # Complexity
/// O(V log V + E) for V firms and E supplies of the chain, plus the page's problems.
#[allow(clippy::too_many_arguments)]
pub fn group_page(
    dataset: &Dataset,
    analysis: &ChainAnalysis,
    index: &ProviderIndex,
    chains: &ChainIndex,
    limit: Option<usize>,
    group: &str,
    offset: usize,
    count: usize,
) -> Option<GroupPage> {
    let links = WeakLinks::of(analysis);
    let ranked = ranked_firms(dataset, analysis, chains, &links);
    let (node, groups) = partition(
        &ranked,
        limit,
        &segment_order(dataset, analysis.weak.id.as_str()),
    );
    let g = groups.iter().position(|x| x.id == group)?;
    let members: Vec<&MapFirm> = ranked
        .iter()
        .filter(|f| node.get(f.id.as_str()) == Some(&Some(g)))
        .collect();
    let total = members.len();
    let firms: Vec<MapFirm> = members
        .into_iter()
        .skip(offset)
        .take(count)
        .cloned()
        .collect();
    let page: HashSet<&str> = firms.iter().map(|f| f.id.as_str()).collect();
    // Supplies of the page's firms whose other end is drawn: listed, or on this page.
    let drawn = |id: &str| page.contains(id) || node.get(id).is_some_and(|n| n.is_none());
    let supplies = dataset
        .supplies_of_chain(&analysis.weak.id)
        .filter(|s| {
            (page.contains(s.supplier.as_str()) || page.contains(s.customer.as_str()))
                && drawn(&s.supplier)
                && drawn(&s.customer)
        })
        .map(|s| MapSupply {
            from: s.supplier.clone(),
            to: s.customer.clone(),
            part: s.part.clone(),
            single_source: links
                .single_parts
                .contains(&(s.customer.as_str(), s.part.as_str())),
            foreign_only: links
                .foreign_parts
                .contains(&(s.customer.as_str(), s.part.as_str())),
        })
        .collect();
    let (problems, providers) = problems_and_providers(dataset, analysis, index, chains, &page);
    let capability_names = shown_capability_names(dataset, analysis, &problems, &providers, false);
    Some(GroupPage {
        chain: analysis.weak.id.clone(),
        group: groups[g].clone(),
        offset,
        total,
        firms,
        supplies,
        problems,
        providers,
        capability_names,
    })
}

/// The weak-link marks of a chain, keyed for lookup.
struct WeakLinks<'a> {
    single_suppliers: HashSet<&'a str>,
    single_parts: HashSet<(&'a str, &'a str)>,
    foreign_parts: HashSet<(&'a str, &'a str)>,
}

impl<'a> WeakLinks<'a> {
    fn of(analysis: &'a ChainAnalysis) -> Self {
        let weak = &analysis.weak;
        WeakLinks {
            single_suppliers: weak
                .single_source_parts
                .iter()
                .map(|p| p.supplier.as_str())
                .collect(),
            single_parts: weak
                .single_source_parts
                .iter()
                .map(|p| (p.buyer.as_str(), p.part.as_str()))
                .collect(),
            foreign_parts: weak
                .foreign_only_parts
                .iter()
                .map(|p| (p.buyer.as_str(), p.part.as_str()))
                .collect(),
        }
    }
}

/// Every member firm of the chain, most important first.
fn ranked_firms(
    dataset: &Dataset,
    analysis: &ChainAnalysis,
    chains: &ChainIndex,
    links: &WeakLinks,
) -> Vec<MapFirm> {
    let weak = &analysis.weak;
    let chain_id = weak.id.as_str();
    let critical: HashMap<&str, &crate::analysis::CriticalNode> = weak
        .critical_nodes
        .iter()
        .map(|c| (c.id.as_str(), c))
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
                single_source: links.single_suppliers.contains(o.id.as_str()),
                risk: r,
                problem_load: l.map_or(0, |l| l.load),
                demand_problems: l.map_or(0, |l| l.demand_problems),
                importance,
            })
        })
        .collect();
    firms.sort_by(|a, b| {
        b.importance
            .total_cmp(&a.importance)
            .then(b.disabled_count.cmp(&a.disabled_count))
            .then_with(|| a.id.cmp(&b.id))
    });
    firms
}

/// The chain's segment ids, upstream first.
fn segment_order(dataset: &Dataset, chain: &str) -> Vec<String> {
    dataset
        .chains
        .get(chain)
        .map(|c| c.segments.iter().map(|s| s.id.clone()).collect())
        .unwrap_or_default()
}

/// Whether a firm is listed individually even in a grouped segment.
fn pinned(f: &MapFirm) -> bool {
    f.role == Role::ChainMaster || f.critical || f.foreign
}

/// Where each ranked firm goes: `None` listed, `Some(g)` counted in `groups[g]`. A segment of at
/// most [`GROUP_ABOVE`] firms lists them all; a larger one lists its pinned firms, at most
/// [`LISTED_PER_SEGMENT`]; `limit` caps the listed firms of the whole map. Groups are in the
/// order of `segments` (the chain's, upstream first; others last), high risk first.
fn partition<'a>(
    ranked: &'a [MapFirm],
    limit: Option<usize>,
    segments: &[String],
) -> (HashMap<&'a str, Option<usize>>, Vec<MapGroup>) {
    let mut per_segment: HashMap<&str, usize> = HashMap::new();
    for f in ranked {
        *per_segment.entry(f.segment.as_str()).or_default() += 1;
    }
    let mut listed_in: HashMap<&str, usize> = HashMap::new();
    let mut listed = 0;
    let mut group_of: BTreeMap<(&str, RiskClass), usize> = BTreeMap::new();
    let mut groups: Vec<MapGroup> = Vec::new();
    let mut node = HashMap::with_capacity(ranked.len());
    for f in ranked {
        let seg = f.segment.as_str();
        let in_seg = listed_in.entry(seg).or_default();
        let fits = limit.is_none_or(|l| listed < l);
        let small = per_segment[seg] <= GROUP_ABOVE;
        if fits && (small || (pinned(f) && *in_seg < LISTED_PER_SEGMENT)) {
            *in_seg += 1;
            listed += 1;
            node.insert(f.id.as_str(), None);
            continue;
        }
        let class = RiskClass::of(f.risk.score);
        let g = *group_of.entry((seg, class)).or_insert_with(|| {
            groups.push(MapGroup {
                id: format!("{seg}~{}", class.as_str()),
                segment: seg.to_string(),
                risk_class: class,
                firms: 0,
                foreign: 0,
                critical: 0,
                single_source: 0,
                demand_problems: 0,
                problem_load: 0,
                max_risk: 0.0,
                mean_risk: 0.0,
            });
            groups.len() - 1
        });
        let group = &mut groups[g];
        group.firms += 1;
        group.foreign += usize::from(f.foreign);
        group.critical += usize::from(f.critical);
        group.single_source += usize::from(f.single_source);
        group.demand_problems += f.demand_problems;
        group.problem_load += u64::from(f.problem_load);
        group.max_risk = group.max_risk.max(f.risk.score);
        group.mean_risk += f.risk.score;
        node.insert(f.id.as_str(), Some(g));
    }
    for g in &mut groups {
        g.mean_risk /= g.firms.max(1) as f64;
    }
    let position = |seg: &str| segments.iter().position(|s| s == seg).unwrap_or(usize::MAX);
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&groups[a], &groups[b]);
        (position(&a.segment), &a.segment, a.risk_class).cmp(&(
            position(&b.segment),
            &b.segment,
            b.risk_class,
        ))
    });
    let mut new_index = vec![0; groups.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new;
    }
    for n in node.values_mut().flatten() {
        *n = new_index[*n];
    }
    let mut slots: Vec<Option<MapGroup>> = groups.into_iter().map(Some).collect();
    let groups = order
        .iter()
        .map(|&old| slots[old].take().unwrap())
        .collect();
    (node, groups)
}

/// The problems of the `shown` firms with their needs, and the providers those needs name.
fn problems_and_providers(
    dataset: &Dataset,
    analysis: &ChainAnalysis,
    index: &ProviderIndex,
    chains: &ChainIndex,
    shown: &HashSet<&str>,
) -> (Vec<MapProblem>, Vec<MapProvider>) {
    let chain_id = analysis.weak.id.as_str();
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
    (problems, providers)
}

/// The catalogue names of the codes a map or group page shows: its needs, its providers'
/// capabilities and (`with_gaps`) the chain's gaps.
fn shown_capability_names(
    dataset: &Dataset,
    analysis: &ChainAnalysis,
    problems: &[MapProblem],
    providers: &[MapProvider],
    with_gaps: bool,
) -> BTreeMap<String, String> {
    let gaps = &analysis.qi.gaps;
    capability_names(
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
                gaps.infrastructure
                    .iter()
                    .chain(&gaps.capacity)
                    .filter(|_| with_gaps)
                    .map(|g| g.code.as_str()),
            ),
    )
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{generate, GenOptions};
    use crate::service::Snapshot;

    fn snapshot(firms: usize) -> Snapshot {
        let bundle = generate(&GenOptions {
            chains: 1,
            firms,
            seed: 7,
        });
        Snapshot::of(Dataset::from_bundle(bundle), 0)
    }

    #[test]
    fn big_segments_list_their_pinned_firms_and_group_the_rest_by_risk_class() {
        let snap = snapshot(1500);
        let chain = snap.dataset.chains.keys().next().unwrap().clone();
        let map = snap.quality_map(&chain, None).unwrap();
        assert_eq!(map.firms_total, 1500);
        assert!(!map.groups.is_empty());
        let grouped: usize = map.groups.iter().map(|g| g.firms).sum();
        assert_eq!(
            map.firms.len() + grouped,
            1500,
            "every firm is listed or grouped"
        );
        for s in &map.segments {
            let listed: Vec<&MapFirm> = map.firms.iter().filter(|f| f.segment == s.id).collect();
            if s.firms > GROUP_ABOVE {
                assert!(listed.len() <= LISTED_PER_SEGMENT, "{}", s.id);
                // Only masters, critical and foreign firms are listed in a grouped segment.
                assert!(listed.iter().all(|f| pinned(f)), "{}", s.id);
            } else {
                assert_eq!(listed.len(), s.firms, "{}: a small segment lists all", s.id);
            }
        }
        // Masters and critical firms are always listed (none is grouped).
        assert_eq!(
            map.firms.iter().filter(|f| f.critical).count(),
            map.counts.critical_nodes
        );
        let masters = map
            .firms
            .iter()
            .filter(|f| f.role == Role::ChainMaster)
            .count();
        assert_eq!(masters, map.counts.masters);
        // Groups are in chain order, high risk first, and their ids say segment and class.
        let order: Vec<String> = map.chain.segments.iter().map(|s| s.id.clone()).collect();
        let keys: Vec<(usize, RiskClass)> = map
            .groups
            .iter()
            .map(|g| {
                assert_eq!(g.id, format!("{}~{}", g.segment, g.risk_class.as_str()));
                (
                    order.iter().position(|s| *s == g.segment).unwrap(),
                    g.risk_class,
                )
            })
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        // Every supply is drawn once: between listed firms or in a bundle.
        let bundled: usize = map.bundles.iter().map(|b| b.supplies).sum();
        assert_eq!(map.supplies.len() + bundled, map.supplies_total);

        // A group's pages hold exactly its firms, of its class.
        let g = &map.groups[0];
        let page = snap
            .map_group(&chain, None, &g.id, 0, GROUP_PAGE_MAX)
            .unwrap()
            .unwrap();
        assert_eq!(page.total, g.firms);
        assert_eq!(page.firms.len(), g.firms.min(GROUP_PAGE_MAX));
        assert!(page
            .firms
            .iter()
            .all(|f| f.segment == g.segment && RiskClass::of(f.risk.score) == g.risk_class));
        assert!(snap
            .map_group(&chain, None, "nope~high", 0, 10)
            .unwrap()
            .is_none());
    }

    #[test]
    fn risk_classes_split_at_the_documented_scores() {
        assert_eq!(RiskClass::of(0.0), RiskClass::Low);
        assert_eq!(RiskClass::of(MID_RISK), RiskClass::Mid);
        assert_eq!(RiskClass::of(HIGH_RISK - 0.01), RiskClass::Mid);
        assert_eq!(RiskClass::of(HIGH_RISK), RiskClass::High);
    }
}
