//! Critical nodes: firms whose failure alone disables at least one chain master.

use super::propagation::Propagation;
use crate::graph::ChainGraph;
use petgraph::graph::NodeIndex;
use rayon::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

/// One step of the evidence that a failure reaches a master: `buyer` lost every supplier of `part`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct EvidenceStep {
    pub buyer: String,
    pub part: String,
}

/// A firm whose failure alone disables at least one chain master of its chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CriticalNode {
    pub id: String,
    /// The chain masters in `disabled(id)`, sorted.
    pub disabled_masters: Vec<String>,
    /// |disabled(id)|: every firm disabled by the failure, `id` itself excluded.
    pub disabled_count: usize,
    /// For the smallest disabled master: the (buyer, part) steps from `id` to it. The first buyer
    /// is supplied by `id`, each next buyer by the previous one, the last buyer is the master; at
    /// every step no live supplier of that part to that buyer was left.
    pub evidence: Vec<EvidenceStep>,
}

/// Every critical node of a chain, sorted by id.
///
/// `disabled(u)` is the least set of firms forced down when `u` alone fails: a firm is disabled
/// when every supplier of one of the parts it buys is disabled (AND across parts, OR across the
/// alternative suppliers of a part). `u` is critical when `disabled(u)` holds a chain master.
///
/// # Arguments
/// - `graph`: the chain's supply graph.
///
/// # Returns
/// One [`CriticalNode`] per critical firm, in id order.
///
/// # Complexity
/// For each firm `u`, counter-based propagation from `u` alone: every (customer, part) group keeps
/// a live-supplier counter, decremented once per supply edge out of a dying firm; a counter
/// reaching zero kills the buyer. Only touched counters are reset afterwards. Firms with no
/// supply path to a master are skipped (one reverse breadth-first search finds them). Total time
/// is O(V + E + Σ_u |edges out of disabled(u) ∪ {u}|) over the firms u upstream of a master, at
/// worst O(V·E) on a graph where every failure spreads everywhere, and O(V + E) memory.
///
/// # Example
/// ```text
///   a ──bolt──▶ c ──cell──▶ M (master)
///   b ──bolt──▶ c
///   d ──case──▶ M
/// ```
/// `a` and `b` are alternatives for `c`'s bolts, so neither is critical. `c` and `d` are each the
/// only supplier of a part `M` needs: both are critical, with evidence `[(M, cell)]` and
/// `[(M, case)]`.
pub fn critical_nodes(graph: &ChainGraph) -> Vec<CriticalNode> {
    critical_nodes_in(graph, 0, graph.firm_count())
}

/// [`critical_nodes`] spread over the cores (rayon's pool), each chunk of up to 1,024 firms
/// with its own counters. Same result; worth it only for a very large chain (on a 20,000-firm
/// chain the scan takes milliseconds and one thread wins).
pub fn critical_nodes_parallel(graph: &ChainGraph) -> Vec<CriticalNode> {
    let n = graph.firm_count();
    let threads = rayon::current_num_threads().clamp(1, n.max(1));
    if threads == 1 {
        return critical_nodes(graph);
    }
    // Small chunks balance the work better than halves when costly firms cluster by id.
    let chunk = 1024.min(n.div_ceil(threads)).max(1);
    let upstream = upstream_of_masters(graph);
    let starts: Vec<usize> = (0..n).step_by(chunk).collect();
    let parts: Vec<Vec<CriticalNode>> = starts
        .par_iter()
        .map_init(
            || Propagation::new(graph),
            |engine, &start| scan(graph, engine, &upstream, start, (start + chunk).min(n)),
        )
        .collect();
    parts.into_iter().flatten().collect()
}

fn critical_nodes_in(graph: &ChainGraph, start: usize, end: usize) -> Vec<CriticalNode> {
    let mut engine = Propagation::new(graph);
    let upstream = upstream_of_masters(graph);
    scan(graph, &mut engine, &upstream, start, end)
}

/// Which firms have a supply path to some chain master (masters included), by one breadth-first
/// search over incoming supplies. Failures travel only along supplies, so no other firm can be
/// critical and the scan skips them.
fn upstream_of_masters(graph: &ChainGraph) -> Vec<bool> {
    let g = graph.graph();
    let mut seen = vec![false; g.node_count()];
    let mut queue: Vec<NodeIndex> = graph.masters().to_vec();
    for &m in &queue {
        seen[m.index()] = true;
    }
    while let Some(v) = queue.pop() {
        for s in g.neighbors_directed(v, petgraph::Direction::Incoming) {
            if !seen[s.index()] {
                seen[s.index()] = true;
                queue.push(s);
            }
        }
    }
    seen
}

/// Critical nodes among the firms with node index in `start..end`, in index (= id) order;
/// firms not marked in `upstream` are skipped.
fn scan(
    graph: &ChainGraph,
    engine: &mut Propagation,
    upstream: &[bool],
    start: usize,
    end: usize,
) -> Vec<CriticalNode> {
    let mut out = Vec::new();
    if graph.masters().is_empty() {
        return out;
    }
    let mut masters: Vec<NodeIndex> = Vec::new();
    for i in (start..end).filter(|&i| upstream[i]) {
        let u = NodeIndex::new(i);
        engine.reset();
        engine.run([u], None);
        masters.clear();
        masters.extend(
            engine.disabled()[1..]
                .iter()
                .copied()
                .filter(|&n| graph.firm(n).master),
        );
        if masters.is_empty() {
            continue;
        }
        masters.sort_unstable();
        out.push(CriticalNode {
            id: graph.firm(u).id.clone(),
            disabled_masters: masters.iter().map(|&m| graph.firm(m).id.clone()).collect(),
            disabled_count: engine.disabled().len() - 1,
            evidence: evidence_steps(graph, &engine.evidence(masters[0])),
        });
    }
    engine.reset();
    out
}

pub(crate) fn evidence_steps(graph: &ChainGraph, steps: &[(NodeIndex, u32)]) -> Vec<EvidenceStep> {
    steps
        .iter()
        .map(|&(buyer, part)| EvidenceStep {
            buyer: graph.firm(buyer).id.clone(),
            part: graph.part_name(part).to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::{chain, step};

    #[test]
    fn on_a_linear_chain_every_upstream_firm_is_critical() {
        // a ──ore──▶ b ──steel──▶ M
        let g = chain(&["M"], &[], &[("a", "b", "ore"), ("b", "M", "steel")]);
        assert_eq!(
            critical_nodes(&g),
            vec![
                CriticalNode {
                    id: "a".into(),
                    disabled_masters: vec!["M".into()],
                    disabled_count: 2,
                    evidence: vec![step("b", "ore"), step("M", "steel")],
                },
                CriticalNode {
                    id: "b".into(),
                    disabled_masters: vec!["M".into()],
                    disabled_count: 1,
                    evidence: vec![step("M", "steel")],
                },
            ]
        );
    }

    #[test]
    fn a_diamond_needs_both_arms_so_the_apex_and_each_arm_are_critical() {
        //        ┌─glass──▶ l ──lens──▶┐
        //   s ───┤                     M
        //        └─glass──▶ r ──body──▶┘
        let g = chain(
            &["M"],
            &[],
            &[
                ("s", "l", "glass"),
                ("s", "r", "glass"),
                ("l", "M", "lens"),
                ("r", "M", "body"),
            ],
        );
        let found = critical_nodes(&g);
        let ids: Vec<_> = found.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["l", "r", "s"]);
        let s = &found[2];
        assert_eq!(s.disabled_count, 3);
        assert_eq!(s.evidence, vec![step("l", "glass"), step("M", "lens")]);
    }

    #[test]
    fn alternative_suppliers_of_a_part_are_not_critical() {
        //   a ──cell──▶ M ◀──cell── b
        let g = chain(&["M"], &[], &[("a", "M", "cell"), ("b", "M", "cell")]);
        assert!(critical_nodes(&g).is_empty());
    }

    #[test]
    fn a_recycling_loop_does_not_keep_itself_alive_or_die_unforced() {
        //   ore ──metal──▶ smelter ──alloy──▶ M
        //                    ▲                │
        //                    └────scrap───────┘
        // The smelter needs both metal and scrap; scrap comes only from M, which needs the
        // smelter. Failing ore disables the whole loop; nothing fails when nobody fails.
        let g = chain(
            &["M"],
            &[],
            &[
                ("ore", "smelter", "metal"),
                ("smelter", "M", "alloy"),
                ("M", "smelter", "scrap"),
            ],
        );
        let found = critical_nodes(&g);
        let ids: Vec<_> = found.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["ore", "smelter"]);
        assert_eq!(found[0].disabled_count, 2);
        assert_eq!(
            found[0].evidence,
            vec![step("smelter", "metal"), step("M", "alloy")]
        );
        // M's own failure disables the smelter but M is excluded from its own set.
        assert!(found.iter().all(|c| c.id != "M"));
    }

    #[test]
    fn a_cycle_with_an_outside_alternative_survives_a_failure_inside_it() {
        //   x ──p──▶ y ──p──▶ x      z ──p──▶ x     y ──out──▶ M
        // x buys p from y or z; y needs x. Failing y leaves x alive through z.
        let g = chain(
            &["M"],
            &[],
            &[
                ("x", "y", "p"),
                ("y", "x", "p"),
                ("z", "x", "p"),
                ("y", "M", "out"),
            ],
        );
        let ids: Vec<_> = critical_nodes(&g).into_iter().map(|c| c.id).collect();
        assert_eq!(ids, ["x", "y"]);
    }

    #[test]
    fn the_parallel_scan_matches_the_sequential_one() {
        let mut supplies = Vec::new();
        let names: Vec<String> = (0..300).map(|i| format!("f{i:03}")).collect();
        for i in 1..300usize {
            supplies.push((names[i].as_str(), names[i / 2].as_str(), "p"));
            if i % 3 == 0 {
                supplies.push((names[i].as_str(), names[(i - 1) / 2].as_str(), "q"));
            }
        }
        let g = chain(&["f000"], &[], &supplies);
        assert_eq!(critical_nodes_parallel(&g), critical_nodes(&g));
        assert!(!critical_nodes(&g).is_empty());
    }
}
