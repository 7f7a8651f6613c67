//! The supplier view of one chain master (链主): every firm upstream of it at any tier, which of
//! them it cannot do without, and what trouble they carry.

use super::propagation::Propagation;
use crate::analysis::AnalysisError;
use crate::graph::ChainGraph;
use crate::model::{Category, Dataset, Problem, Status};
use petgraph::graph::NodeIndex;
use petgraph::Direction;
use serde::Serialize;
use std::collections::VecDeque;
use utoipa::ToSchema;

/// One master's supply base.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SupplierView {
    pub chain: String,
    pub master: String,
    /// Demand problems upstream, in all and by tier, and how many of them are shown in full.
    pub summary: SupplierSummary,
    /// Critical first, then by tier, then by id.
    pub suppliers: Vec<UpstreamSupplier>,
}

/// The demand problems of a master's supply base: every one counts, whether the reader sees it
/// in full (`disclosed`) or only in the aggregates of its holder.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct SupplierSummary {
    pub demand_problems: usize,
    /// Of `demand_problems`, those listed in full.
    pub disclosed: usize,
    /// Per tier present, from tier 1 up.
    pub by_tier: Vec<TierSummary>,
}

/// The demand problems of one tier of the supply base.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct TierSummary {
    pub tier: u32,
    pub suppliers: usize,
    pub demand_problems: usize,
    pub disclosed: usize,
}

/// The problems of a supplier that the reader may not see, as aggregates only: never an id, a
/// title or a need.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Undisclosed {
    pub count: usize,
    /// Count per category, for the categories present.
    pub by_category: std::collections::BTreeMap<Category, usize>,
    pub highest_severity: u8,
}

impl Undisclosed {
    /// Counts one more problem.
    pub fn add(&mut self, category: Category, severity: u8) {
        self.count += 1;
        *self.by_category.entry(category).or_default() += 1;
        self.highest_severity = self.highest_severity.max(severity);
    }
}

impl SupplierView {
    /// Recounts `summary` and each supplier's `problem_load` from the lists as they are (after
    /// a reader's redaction).
    pub fn recount(&mut self) {
        let mut summary = SupplierSummary::default();
        let mut tiers: std::collections::BTreeMap<u32, TierSummary> = Default::default();
        for s in &mut self.suppliers {
            s.problem_load = s.problems.iter().map(|p| u32::from(p.severity)).sum();
            let hidden = s.undisclosed.as_ref().map_or(0, |u| u.count);
            let t = tiers.entry(s.tier).or_insert(TierSummary {
                tier: s.tier,
                suppliers: 0,
                demand_problems: 0,
                disclosed: 0,
            });
            t.suppliers += 1;
            t.demand_problems += s.problems.len() + hidden;
            t.disclosed += s.problems.len();
            summary.demand_problems += s.problems.len() + hidden;
            summary.disclosed += s.problems.len();
        }
        summary.by_tier = tiers.into_values().collect();
        self.summary = summary;
    }
}

/// A firm with a supply path to the master.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct UpstreamSupplier {
    pub id: String,
    pub name: String,
    /// Fewest supply steps to the master; 1 = direct supplier.
    pub tier: u32,
    /// Whether the firm's failure alone disables the master.
    pub critical: bool,
    /// Parts this firm is the only supplier of, to the master or to a firm upstream of it.
    pub single_source_parts: Vec<SuppliedPart>,
    /// The firm's demand problems on the chain (open or in_progress) that the reader may see in
    /// full, by id.
    pub problems: Vec<ProblemBrief>,
    /// Its other demand problems on the chain, as aggregates; absent when there are none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undisclosed: Option<Undisclosed>,
    /// Sum of the severities of `problems`: the firm's problem risk as far as the reader sees.
    pub problem_load: u32,
}

/// A part delivered to `buyer`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
pub struct SuppliedPart {
    pub buyer: String,
    pub part: String,
}

/// The headline of a quality problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ProblemBrief {
    pub id: String,
    pub title: String,
    pub severity: u8,
    pub category: Category,
    pub status: Status,
    /// Capability codes that would solve it.
    pub needs: Vec<String>,
    /// The QI bodies that the chain's optimal assignment gives its needs (a need left without
    /// one is not listed).
    pub providers: Vec<NeedProvider>,
}

/// A provider that could take one need of a problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct NeedProvider {
    pub code: String,
    pub provider: String,
    pub name: String,
}

/// The supplier view of `master` on `graph`'s chain.
///
/// # Arguments
/// - `dataset`: for firm names and problems.
/// - `graph`: the chain's supply graph.
/// - `master`: id of a chain master of the chain.
///
/// # Returns
/// Every firm with a supply path to `master` (the master itself excluded even on a cycle), with
/// its tier, its criticality for this master, the single-source parts it supplies inside the
/// master's supply base and its demand problems; or an error when `master` is not a master of
/// the chain.
///
/// # Complexity
/// Breadth-first search over incoming supplies, O(V + E); then one propagation per upstream firm
/// `u`, stopping once the master is disabled, O(Σ_u edges out of disabled(u)) at worst; then
/// O(P_c) over the chain's problems (see [`supplier_view_of`]; this one first collects them from
/// the dataset, O(P)).
///
/// # Example
/// ```text
///   x ──ore──▶ a ──cell──▶ M
///              b ──cell──▶ M
/// ```
/// Upstream of M: `a` and `b` at tier 1 (alternatives, not critical), `x` at tier 2 (not
/// critical: `b` still delivers cells), and `x` supplies the single-source part (a, ore).
pub fn supplier_view(
    dataset: &Dataset,
    graph: &ChainGraph,
    master: &str,
) -> Result<SupplierView, AnalysisError> {
    let problems: Vec<&Problem> = dataset.problems_of_chain(graph.id()).collect();
    supplier_view_of(dataset, graph, master, &problems)
}

/// [`supplier_view`] given the chain's problems in id order (e.g. from a
/// [`crate::model::ChainIndex`]), so that it costs the size of the chain only.
pub fn supplier_view_of(
    dataset: &Dataset,
    graph: &ChainGraph,
    master: &str,
    chain_problems: &[&Problem],
) -> Result<SupplierView, AnalysisError> {
    view_of(dataset, graph, master, chain_problems, true)
}

/// [`supplier_view_of`] for any firm of the chain, master or not: its own supply base (what an
/// enterprise sees of its upstream).
pub fn upstream_view_of(
    dataset: &Dataset,
    graph: &ChainGraph,
    firm: &str,
    chain_problems: &[&Problem],
) -> Result<SupplierView, AnalysisError> {
    view_of(dataset, graph, firm, chain_problems, false)
}

fn view_of(
    dataset: &Dataset,
    graph: &ChainGraph,
    master: &str,
    chain_problems: &[&Problem],
    only_masters: bool,
) -> Result<SupplierView, AnalysisError> {
    let m = graph
        .node(master)
        .ok_or_else(|| AnalysisError::NotOnChain {
            chain: graph.id().to_string(),
            firm: master.to_string(),
        })?;
    if only_masters && !graph.firm(m).master {
        return Err(AnalysisError::NotAChainMaster {
            chain: graph.id().to_string(),
            firm: master.to_string(),
        });
    }

    let tiers = upstream_tiers(graph, m);
    let in_base = |n: NodeIndex| tiers[n.index()] != u32::MAX;
    let groups = graph.groups();
    let mut engine = Propagation::new(graph);
    let mut rows: Vec<(NodeIndex, UpstreamSupplier)> = Vec::new();
    for u in graph.graph().node_indices() {
        if u == m || tiers[u.index()] == u32::MAX {
            continue;
        }
        engine.reset();
        engine.run([u], Some(m));
        let mut single_source_parts: Vec<SuppliedPart> = graph
            .supplied_groups(u)
            .iter()
            .map(|&g| &groups[g as usize])
            .filter(|g| g.suppliers == 1 && in_base(g.buyer))
            .map(|g| SuppliedPart {
                buyer: graph.firm(g.buyer).id.clone(),
                part: graph.part_name(g.part).to_string(),
            })
            .collect();
        single_source_parts.sort_unstable();
        let id = graph.firm(u).id.clone();
        rows.push((
            u,
            UpstreamSupplier {
                name: dataset
                    .organizations
                    .get(&id)
                    .map(|o| o.name.clone())
                    .unwrap_or_default(),
                id,
                tier: tiers[u.index()],
                critical: engine.is_disabled(m),
                single_source_parts,
                problems: Vec::new(),
                undisclosed: None,
                problem_load: 0,
            },
        ));
    }
    let row_of: std::collections::HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, (_, r))| (r.id.as_str(), i))
        .collect();
    let mut problems: Vec<(usize, ProblemBrief)> = chain_problems
        .iter()
        .filter(|p| p.is_demand())
        .filter_map(|p| {
            row_of.get(p.org.as_str()).map(|&i| {
                (
                    i,
                    ProblemBrief {
                        id: p.id.clone(),
                        title: p.title.clone(),
                        severity: p.severity,
                        category: p.category,
                        status: p.status,
                        needs: p.needs.clone(),
                        providers: Vec::new(),
                    },
                )
            })
        })
        .collect();
    drop(row_of);
    // The chain's problems come in id order, so each firm's list stays in id order.
    for (i, brief) in problems.drain(..) {
        rows[i].1.problems.push(brief);
    }
    let mut suppliers: Vec<UpstreamSupplier> = rows.into_iter().map(|(_, r)| r).collect();
    suppliers.sort_by(|a, b| {
        b.critical
            .cmp(&a.critical)
            .then(a.tier.cmp(&b.tier))
            .then_with(|| a.id.cmp(&b.id))
    });
    let mut view = SupplierView {
        chain: graph.id().to_string(),
        master: master.to_string(),
        summary: SupplierSummary::default(),
        suppliers,
    };
    view.recount();
    Ok(view)
}

/// Fewest supply steps from each firm to `m` (0 for `m`, u32::MAX: no path), by breadth-first
/// search over incoming supplies.
fn upstream_tiers(graph: &ChainGraph, m: NodeIndex) -> Vec<u32> {
    let g = graph.graph();
    let mut tier = vec![u32::MAX; g.node_count()];
    tier[m.index()] = 0;
    let mut queue = VecDeque::from([m]);
    while let Some(v) = queue.pop_front() {
        for s in g.neighbors_directed(v, Direction::Incoming) {
            if tier[s.index()] == u32::MAX {
                tier[s.index()] = tier[v.index()] + 1;
                queue.push_back(s);
            }
        }
    }
    tier
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::{dataset, graph_of, CHAIN};
    use crate::model::Problem;

    #[test]
    fn the_view_lists_every_tier_with_criticality_single_sources_and_problems() {
        //   x ──ore──▶ a ──cell──▶ M
        //              b ──cell──▶ M
        //   y ──case─────────────▶ M      z ──ore──▶ w   (w, z not upstream of M)
        let mut d = dataset(
            &["M"],
            &[],
            &[
                ("x", "a", "ore"),
                ("a", "M", "cell"),
                ("b", "M", "cell"),
                ("y", "M", "case"),
                ("z", "w", "ore"),
            ],
        );
        for (id, status) in [
            ("p2", Status::Open),
            ("p1", Status::InProgress),
            ("p3", Status::Resolved),
        ] {
            d.problems.insert(
                id.into(),
                Problem {
                    disclosure: Default::default(),
                    id: id.into(),
                    org: "x".into(),
                    chain: CHAIN.into(),
                    title: format!("问题{id}"),
                    category: Category::Material,
                    severity: 3,
                    status,
                    needs: vec![],
                },
            );
        }
        let g = graph_of(&d);
        let view = supplier_view(&d, &g, "M").unwrap();
        let rows: Vec<_> = view
            .suppliers
            .iter()
            .map(|s| (s.id.as_str(), s.tier, s.critical))
            .collect();
        assert_eq!(
            rows,
            [
                ("y", 1, true),
                ("a", 1, false),
                ("b", 1, false),
                ("x", 2, false)
            ]
        );
        let x = &view.suppliers[3];
        assert_eq!(
            x.single_source_parts,
            vec![SuppliedPart {
                buyer: "a".into(),
                part: "ore".into()
            }]
        );
        assert_eq!(
            x.problems.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
            ["p1", "p2"]
        );
        assert_eq!(x.name, "企业x");
        assert_eq!(
            view.suppliers[0].single_source_parts,
            vec![SuppliedPart {
                buyer: "M".into(),
                part: "case".into()
            }]
        );
    }

    #[test]
    fn only_a_master_of_the_chain_has_a_supplier_view() {
        let d = dataset(&["M"], &[], &[("a", "M", "cell")]);
        let g = graph_of(&d);
        assert_eq!(
            supplier_view(&d, &g, "a"),
            Err(AnalysisError::NotAChainMaster {
                chain: CHAIN.into(),
                firm: "a".into()
            })
        );
        assert_eq!(
            supplier_view(&d, &g, "nobody"),
            Err(AnalysisError::NotOnChain {
                chain: CHAIN.into(),
                firm: "nobody".into()
            })
        );
    }
}
