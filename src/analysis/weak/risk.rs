//! Problem load and the per-firm risk score that combines criticality, problem load and the
//! quality-infrastructure gap.

use super::criticality::CriticalNode;
use crate::graph::ChainGraph;
use crate::model::Problem;
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

/// The demand a firm carries on a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ProblemLoad {
    pub id: String,
    /// Sum of the severities of the firm's demand problems (status open or in_progress).
    pub load: u32,
    /// Number of those problems.
    pub demand_problems: usize,
}

/// A firm's risk score with the normalised components it is made of.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RiskScore {
    pub id: String,
    /// `0.5·criticality + 0.3·problem_load + 0.2·qi_gap`, in [0, 1].
    pub score: f64,
    /// Share of the chain's masters that the firm's failure alone disables, in [0, 1].
    pub criticality: f64,
    /// `min(load / 10, 1)`: ten severity points of open problems saturate it.
    pub problem_load: f64,
    /// The quality-infrastructure gap passed in, clamped to [0, 1]; 0 when none is known.
    pub qi_gap: f64,
}

/// Weight of criticality in the risk score.
pub const CRITICALITY_WEIGHT: f64 = 0.5;
/// Weight of problem load in the risk score.
pub const LOAD_WEIGHT: f64 = 0.3;
/// Weight of the QI gap in the risk score.
pub const QI_GAP_WEIGHT: f64 = 0.2;
/// The problem load (severity points) at which the load component reaches 1.
pub const LOAD_SATURATION: f64 = 10.0;

/// Problem load of every member firm of the chain, in id order (firms without demand: 0).
///
/// # Arguments
/// - `graph`: the chain's supply graph (its members are the firms reported).
/// - `problems`: problems of any chains; only those on `graph`'s chain that count as demand
///   (open or in_progress) and belong to a member are summed.
///
/// # Returns
/// One [`ProblemLoad`] per member firm.
///
/// # Complexity
/// O(V + P) for V firms and P problems passed in.
pub fn problem_loads<'a>(
    graph: &ChainGraph,
    problems: impl IntoIterator<Item = &'a Problem>,
) -> Vec<ProblemLoad> {
    let mut sums = vec![(0u32, 0usize); graph.firm_count()];
    for p in problems {
        if p.chain != graph.id() || !p.is_demand() {
            continue;
        }
        if let Some(n) = graph.node(&p.org) {
            let s = &mut sums[n.index()];
            s.0 += u32::from(p.severity);
            s.1 += 1;
        }
    }
    graph
        .firm_ids()
        .zip(sums)
        .map(|(id, (load, demand_problems))| ProblemLoad {
            id: id.to_string(),
            load,
            demand_problems,
        })
        .collect()
}

/// The risk score of every member firm, highest first (ties by id).
///
/// For firm `u` on a chain with M masters:
///
/// ```text
/// criticality(u)  = |masters in disabled(u)| / M          (0 when M = 0)
/// problem_load(u) = min(load(u) / 10, 1)                   load = Σ severity of demand problems
/// qi_gap(u)       = clamp(qi_gap[u], 0, 1)                 0 when absent
/// score(u)        = 0.5·criticality + 0.3·problem_load + 0.2·qi_gap
/// ```
///
/// Criticality weighs most because a firm that takes down a master stops the chain whatever its
/// own problems; problem load next because open problems are known, present trouble.
///
/// # Arguments
/// - `graph`: the chain's supply graph.
/// - `critical`: the chain's [`critical_nodes`](super::criticality::critical_nodes).
/// - `loads`: the chain's [`problem_loads`].
/// - `qi_gap`: firm id → quality-infrastructure gap in [0, 1] (filled by QI matching).
///
/// # Returns
/// One [`RiskScore`] per member firm.
///
/// # Complexity
/// O(V log V + |critical| + |loads|).
pub fn risk_scores(
    graph: &ChainGraph,
    critical: &[CriticalNode],
    loads: &[ProblemLoad],
    qi_gap: &HashMap<String, f64>,
) -> Vec<RiskScore> {
    let masters = graph.masters().len();
    let mut crit = vec![0.0; graph.firm_count()];
    if masters > 0 {
        for c in critical {
            if let Some(n) = graph.node(&c.id) {
                crit[n.index()] = c.disabled_masters.len() as f64 / masters as f64;
            }
        }
    }
    let mut load = vec![0.0; graph.firm_count()];
    for l in loads {
        if let Some(n) = graph.node(&l.id) {
            load[n.index()] = (f64::from(l.load) / LOAD_SATURATION).min(1.0);
        }
    }
    let mut out: Vec<RiskScore> = graph
        .firm_ids()
        .enumerate()
        .map(|(i, id)| {
            let gap = qi_gap.get(id).copied().unwrap_or(0.0);
            let gap = if gap.is_nan() {
                0.0
            } else {
                gap.clamp(0.0, 1.0)
            };
            RiskScore {
                id: id.to_string(),
                score: CRITICALITY_WEIGHT * crit[i] + LOAD_WEIGHT * load[i] + QI_GAP_WEIGHT * gap,
                criticality: crit[i],
                problem_load: load[i],
                qi_gap: gap,
            }
        })
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::criticality::critical_nodes;
    use crate::analysis::testing::{dataset, graph_of};
    use crate::model::{Category, Status};

    fn problem(id: &str, org: &str, severity: u8, status: Status) -> Problem {
        Problem {
            disclosure: Default::default(),
            id: id.into(),
            org: org.into(),
            chain: "c".into(),
            title: format!("问题{id}"),
            category: Category::Testing,
            severity,
            status,
            needs: vec![],
        }
    }

    #[test]
    fn problem_load_sums_the_severities_of_open_and_in_progress_problems_only() {
        let g = graph_of(&dataset(&["M"], &[], &[("a", "M", "cell")]));
        let mut other_chain = problem("p4", "a", 5, Status::Open);
        other_chain.chain = "elsewhere".into();
        let problems = [
            problem("p1", "a", 4, Status::Open),
            problem("p2", "a", 3, Status::InProgress),
            problem("p3", "a", 5, Status::Resolved),
            other_chain,
        ];
        let loads = problem_loads(&g, &problems);
        assert_eq!(
            loads,
            vec![
                ProblemLoad {
                    id: "M".into(),
                    load: 0,
                    demand_problems: 0
                },
                ProblemLoad {
                    id: "a".into(),
                    load: 7,
                    demand_problems: 2
                },
            ]
        );
    }

    #[test]
    fn the_risk_score_is_the_documented_weighted_sum() {
        //   a ──cell──▶ M1      b ──cell──▶ M2      M1, M2 masters; a also has load 12
        let g = graph_of(&dataset(
            &["M1", "M2"],
            &[],
            &[("a", "M1", "cell"), ("b", "M2", "cell")],
        ));
        let critical = critical_nodes(&g);
        let loads = problem_loads(
            &g,
            &[
                problem("p1", "a", 5, Status::Open),
                problem("p2", "a", 5, Status::Open),
                problem("p3", "a", 2, Status::Open),
                problem("p4", "b", 2, Status::Open),
            ],
        );
        let gaps = HashMap::from([("b".to_string(), 0.5), ("M1".to_string(), 7.0)]);
        let risk = risk_scores(&g, &critical, &loads, &gaps);
        let by_id = |id: &str| risk.iter().find(|r| r.id == id).unwrap().clone();
        assert_eq!(
            by_id("a"),
            RiskScore {
                id: "a".into(),
                score: 0.5 * 0.5 + 0.3,
                criticality: 0.5,
                problem_load: 1.0,
                qi_gap: 0.0
            }
        );
        let b = by_id("b");
        assert_eq!((b.criticality, b.problem_load, b.qi_gap), (0.5, 0.2, 0.5));
        assert!((b.score - (0.25 + 0.06 + 0.1)).abs() < 1e-12);
        assert_eq!(by_id("M1").qi_gap, 1.0);
        assert_eq!(by_id("M2").score, 0.0);
        let order: Vec<_> = risk.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(order, ["a", "b", "M1", "M2"]);
    }
}
