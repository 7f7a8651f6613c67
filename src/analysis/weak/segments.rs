//! Per-segment summary of a chain: where in the chain (upstream first) the firms, the problems and
//! the weak links sit.

use super::criticality::CriticalNode;
use super::parts::{ForeignOnlyPart, SingleSourcePart};
use crate::graph::ChainGraph;
use crate::model::{Category, Chain, Problem};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The weak-link figures of one segment (环节).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SegmentSummary {
    pub id: String,
    pub name: String,
    /// Member firms in the segment.
    pub firms: usize,
    /// Chain masters in the segment.
    pub masters: usize,
    /// Foreign member firms in the segment.
    pub foreign_firms: usize,
    /// Demand problems (open or in_progress) of the segment's firms.
    pub demand_problems: usize,
    /// Demand problems by category; every category is present, zeros included.
    pub problems_by_category: BTreeMap<String, usize>,
    /// Sum of the severities of those problems.
    pub problem_load: u32,
    /// Critical nodes in the segment.
    pub critical_nodes: usize,
    /// Single-source parts whose buyer is in the segment.
    pub single_source_parts: usize,
    /// Foreign-only parts whose buyer is in the segment.
    pub foreign_only_parts: usize,
}

/// One [`SegmentSummary`] per segment of `chain`, in chain order (upstream first).
///
/// Firms whose membership names a segment the chain does not list are counted nowhere.
///
/// # Arguments
/// - `chain`: the chain record (for its segment order and names).
/// - `graph`: its supply graph.
/// - `problems`: problems of any chains; demand problems of `chain` held by members are counted.
/// - `critical`, `single_source`, `foreign_only`: the chain's results from the other analyses.
///
/// # Returns
/// The summaries, one per segment of `chain.segments`.
///
/// # Complexity
/// O(V + P + K) with K the number of results passed in (one id lookup each).
pub fn segment_summaries<'a>(
    chain: &Chain,
    graph: &ChainGraph,
    problems: impl IntoIterator<Item = &'a Problem>,
    critical: &[CriticalNode],
    single_source: &[SingleSourcePart],
    foreign_only: &[ForeignOnlyPart],
) -> Vec<SegmentSummary> {
    let mut out: Vec<SegmentSummary> = chain
        .segments
        .iter()
        .map(|s| SegmentSummary {
            id: s.id.clone(),
            name: s.name.clone(),
            firms: 0,
            masters: 0,
            foreign_firms: 0,
            demand_problems: 0,
            problems_by_category: Category::ALL
                .iter()
                .map(|c| (c.as_str().to_string(), 0))
                .collect(),
            problem_load: 0,
            critical_nodes: 0,
            single_source_parts: 0,
            foreign_only_parts: 0,
        })
        .collect();
    let segment_of = |id: &str| {
        graph
            .node(id)
            .and_then(|n| graph.firm(n).segment)
            .filter(|&s| s < out.len())
    };
    let mut firms = vec![(0, 0, 0); out.len()];
    for n in graph.graph().node_indices() {
        let f = graph.firm(n);
        if let Some(s) = f.segment.filter(|&s| s < firms.len()) {
            firms[s].0 += 1;
            firms[s].1 += usize::from(f.master);
            firms[s].2 += usize::from(f.foreign);
        }
    }
    let mut demand = Vec::new();
    for p in problems {
        if p.chain == chain.id && p.is_demand() {
            if let Some(s) = segment_of(&p.org) {
                demand.push((s, p.category, p.severity));
            }
        }
    }
    let critical: Vec<usize> = critical.iter().filter_map(|c| segment_of(&c.id)).collect();
    let single: Vec<usize> = single_source
        .iter()
        .filter_map(|p| segment_of(&p.buyer))
        .collect();
    let foreign: Vec<usize> = foreign_only
        .iter()
        .filter_map(|p| segment_of(&p.buyer))
        .collect();
    for (s, (n, m, f)) in firms.into_iter().enumerate() {
        out[s].firms = n;
        out[s].masters = m;
        out[s].foreign_firms = f;
    }
    for (s, category, severity) in demand {
        let seg = &mut out[s];
        seg.demand_problems += 1;
        seg.problem_load += u32::from(severity);
        *seg.problems_by_category
            .get_mut(category.as_str())
            .expect("every category is present") += 1;
    }
    for s in critical {
        out[s].critical_nodes += 1;
    }
    for s in single {
        out[s].single_source_parts += 1;
    }
    for s in foreign {
        out[s].foreign_only_parts += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::criticality::critical_nodes;
    use crate::analysis::parts::{foreign_only_parts, single_source_parts};
    use crate::analysis::testing::{dataset, graph_of, CHAIN};
    use crate::model::Status;

    #[test]
    fn segments_count_firms_problems_and_weak_links_where_they_sit() {
        //   jp (foreign, up) ──resin──▶ a (up) ──film──▶ b (mid) ──cell──▶ M (down)
        //                                c (up) ──film──▶ b
        let mut d = dataset(
            &["M"],
            &["jp"],
            &[
                ("jp", "a", "resin"),
                ("a", "b", "film"),
                ("c", "b", "film"),
                ("b", "M", "cell"),
            ],
        );
        d.organizations
            .get_mut("b")
            .unwrap()
            .chains
            .as_mut()
            .unwrap()[0]
            .segment = "mid".into();
        for (id, org, category, severity, status) in [
            ("p1", "a", Category::Measurement, 3, Status::Open),
            ("p2", "a", Category::Testing, 2, Status::InProgress),
            ("p3", "b", Category::Testing, 4, Status::Open),
            ("p4", "b", Category::Testing, 5, Status::Resolved),
        ] {
            d.problems.insert(
                id.into(),
                Problem {
                    disclosure: Default::default(),
                    id: id.into(),
                    org: org.into(),
                    chain: CHAIN.into(),
                    title: "t".into(),
                    category,
                    severity,
                    status,
                    needs: vec![],
                },
            );
        }
        let g = graph_of(&d);
        let critical = critical_nodes(&g);
        let single = single_source_parts(&g);
        let foreign = foreign_only_parts(&g);
        let segs = segment_summaries(
            &d.chains[CHAIN],
            &g,
            d.problems.values(),
            &critical,
            &single,
            &foreign,
        );
        let figures: Vec<_> = segs
            .iter()
            .map(|s| {
                (
                    s.id.as_str(),
                    s.firms,
                    s.masters,
                    s.foreign_firms,
                    s.demand_problems,
                    s.problem_load,
                    s.critical_nodes,
                    s.single_source_parts,
                    s.foreign_only_parts,
                )
            })
            .collect();
        // critical: b only (a and c are alternatives, jp only feeds a);
        // single source: (a, resin) in up, (M, cell) in down; foreign only: (a, resin) in up.
        assert_eq!(
            figures,
            vec![
                ("up", 3, 0, 1, 2, 5, 0, 1, 1),
                ("mid", 1, 0, 0, 1, 4, 1, 0, 0),
                ("down", 1, 1, 0, 0, 0, 0, 1, 0),
            ]
        );
        assert_eq!(segs[0].problems_by_category["measurement"], 1);
        assert_eq!(segs[0].problems_by_category["testing"], 1);
        assert_eq!(segs[1].problems_by_category["testing"], 1);
        assert_eq!(segs[2].problems_by_category.len(), Category::ALL.len());
    }
}
