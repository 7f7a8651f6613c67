//! The whole picture: weak links and QI matching of each chain together, plus the dataset-wide
//! scope, as `qmap analyze --json` prints it and the API serves it.
//!
//! The two halves meet in two places: the QI gap of each firm (from its chain's assignment) is
//! the third component of its risk score, and the critical firms and single sources (from the
//! weak links) make the chain-collaborative key projects.
//!
//! Scopes: each chain is matched on its own (capacities not shared between chains); the dataset
//! scope matches every need at once with capacities shared.

use super::assignment::{assign_needs, Assignment};
use super::compare::{qi_report_with, ChainRow, QiReport};
use super::coverage::qi_gap_by_firm;
use super::eligibility::{needs, Need, ProviderIndex, Scope};
use super::projects::WeakLinks;
use super::report::{analyze_with_gaps, ChainReport, QiGaps};
use crate::graph::Graphs;
use crate::model::Dataset;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use utoipa::ToSchema;

/// Everything the analyses say about one chain: the weak links (`critical_nodes`,
/// `single_source_parts`, `foreign_only_parts`, `segments`, `risk`, …) and the QI side
/// (`coverage`, its breakdowns, `gaps`, `projects`, `recommendations`) side by side.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ChainAnalysis {
    #[serde(flatten)]
    pub weak: ChainReport,
    #[serde(flatten)]
    pub qi: QiReport,
    /// The chain's optimal assignment, need by need (served by its own endpoint, not inlined).
    #[serde(skip)]
    pub assignment: Assignment,
}

/// The dataset-wide scope: all needs matched at once with capacities shared across chains, and
/// one comparison row per chain for planners.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DatasetAnalysis {
    #[serde(flatten)]
    pub qi: QiReport,
    pub comparison: Vec<ChainRow>,
}

/// What `qmap analyze --json` prints.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FullReport {
    /// In chain id order.
    pub chains: Vec<ChainAnalysis>,
    /// The dataset-wide scope; present when every chain was analysed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dataset: Option<DatasetAnalysis>,
}

/// Weak links and QI of one chain (`Some(id)`) or of every chain plus the dataset scope.
///
/// # Arguments
/// - `dataset`, and `graphs` built from it.
/// - `chain`: one chain id, or `None` for every chain and the dataset scope.
///
/// # Returns
/// One [`ChainAnalysis`] per chain analysed (none for an unknown id).
///
/// # Complexity
/// One assignment per chain over its own needs, the weak-link analyses of
/// [`analyze_with_gaps`], and for the dataset scope one more assignment of all needs: each
/// near-linear in needs and supplies (see the modules of each).
pub fn analyze_full(dataset: &Dataset, graphs: &Graphs, chain: Option<&str>) -> FullReport {
    let index = ProviderIndex::from_dataset(dataset);
    let scope = match chain {
        Some(id) => Scope::Chain(id.to_string()),
        None => Scope::All,
    };
    let mut by_chain: HashMap<&str, Vec<Need<'_>>> = HashMap::new();
    for n in needs(dataset, &scope) {
        by_chain.entry(n.chain).or_default().push(n);
    }
    let work: Vec<(String, Vec<Need<'_>>)> = graphs
        .iter()
        .filter(|g| chain.is_none_or(|id| id == g.id()))
        .map(|g| {
            (
                g.id().to_string(),
                by_chain.remove(g.id()).unwrap_or_default(),
            )
        })
        .collect();
    let mut assignments: HashMap<String, Assignment> = on_cores(work, |(id, chain_needs)| {
        let a = assign_needs(&chain_needs, &index, Scope::Chain(id.clone()));
        (id, a)
    })
    .into_iter()
    .collect();
    let gaps: QiGaps = assignments
        .iter()
        .map(|(id, a)| (id.clone(), qi_gap_by_firm(a).into_iter().collect()))
        .collect();
    let weak = analyze_with_gaps(dataset, graphs, chain, &gaps).chains;
    let links = weak_links(&weak);
    let work: Vec<(ChainReport, Assignment)> = weak
        .into_iter()
        .map(|w| {
            let a = assignments
                .remove(&w.id)
                .unwrap_or_else(|| assign_needs(&[], &index, Scope::Chain(w.id.clone())));
            (w, a)
        })
        .collect();
    let chains: Vec<ChainAnalysis> = on_cores(work, |(w, a)| {
        let qi = qi_report_with(dataset, &a, &index, &links);
        ChainAnalysis {
            weak: w,
            qi,
            assignment: a,
        }
    });
    let dataset_scope = chain
        .is_none()
        .then(|| dataset_analysis(dataset, &index, &chains.iter().collect::<Vec<_>>()));
    FullReport {
        chains,
        dataset: dataset_scope,
    }
}

/// `f` over `items` on every core (chains are independent), results in the items' order.
fn on_cores<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads <= 1 || items.len() <= 1 {
        return items.into_iter().map(f).collect();
    }
    let mut buckets: Vec<Vec<(usize, T)>> = (0..threads).map(|_| Vec::new()).collect();
    for (i, item) in items.into_iter().enumerate() {
        buckets[i % threads].push((i, item));
    }
    let f = &f;
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = buckets
            .into_iter()
            .map(|bucket| {
                scope.spawn(move || {
                    bucket
                        .into_iter()
                        .map(|(i, item)| (i, f(item)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a chain's QI analysis panicked"))
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// The dataset-wide scope, given every chain's analysis.
///
/// Complexity: one assignment of all needs (capacities shared) plus one row per chain.
pub fn dataset_analysis(
    dataset: &Dataset,
    index: &ProviderIndex,
    chains: &[&ChainAnalysis],
) -> DatasetAnalysis {
    let links = weak_links(chains.iter().map(|c| &c.weak));
    let all = assign_needs(&needs(dataset, &Scope::All), index, Scope::All);
    let qi = qi_report_with(dataset, &all, index, &links);
    DatasetAnalysis {
        qi,
        comparison: chains.iter().map(|c| comparison_row(dataset, c)).collect(),
    }
}

/// The weak links of analysed chains, as key projects take them.
pub fn weak_links<'a>(reports: impl IntoIterator<Item = &'a ChainReport>) -> WeakLinks {
    let mut links = WeakLinks::default();
    for r in reports {
        links.critical.insert(
            r.id.clone(),
            r.critical_nodes.iter().map(|c| c.id.clone()).collect(),
        );
        links.single_source.insert(
            r.id.clone(),
            r.single_source_parts
                .iter()
                .map(|p| p.supplier.clone())
                .collect::<BTreeSet<_>>(),
        );
    }
    links
}

/// A planner's comparison row for an analysed chain.
///
/// Complexity: O(P) over the dataset's problems (to count demand problems).
pub fn comparison_row(dataset: &Dataset, c: &ChainAnalysis) -> ChainRow {
    let demand = dataset
        .problems_of_chain(&c.weak.id)
        .filter(|p| p.is_demand())
        .count();
    ChainRow {
        chain: c.weak.id.clone(),
        name: c.weak.name.clone(),
        firms: c.weak.firms as u64,
        masters: c.weak.masters.len() as u64,
        demand_problems: demand as u64,
        coverage: c.qi.coverage,
        by_element: c.qi.by_element.clone(),
        infrastructure_gaps: c.qi.coverage.infrastructure_gaps(),
        capacity_gaps: c.qi.coverage.capacity_gaps(),
        critical_nodes: c.weak.critical_nodes.len() as u64,
        single_source_parts: c.weak.single_source_parts.len() as u64,
        foreign_only_parts: c.weak.foreign_only_parts.len() as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Bundle;

    fn fixture(name: &str) -> Dataset {
        let path = format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        let bundle: Bundle = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        Dataset::from_bundle(bundle)
    }

    /// The figures of `fixtures/README.md`, computed there by an independent implementation
    /// (networkx min-cost flow) when the fixtures were made.
    #[test]
    fn the_fixture_chains_have_the_independently_computed_coverage() {
        let expected = [
            ("power_battery_jiangsu.json", (58, 47, 44, 210, 157, 73)),
            ("hydrogen_shaanxi.json", (51, 40, 36, 179, 132, 50)),
            ("optoelectronics_suzhou.json", (46, 38, 35, 163, 122, 48)),
        ];
        for (file, (total, reachable, assigned, sev_total, sev_assigned, tiers)) in expected {
            let d = fixture(file);
            let report = analyze_full(&d, &Graphs::build(&d), None);
            assert_eq!(report.chains.len(), 1, "{file}");
            let c = report.chains[0].qi.coverage;
            assert_eq!(
                (
                    c.needs_total,
                    c.needs_reachable,
                    c.needs_assigned,
                    c.severity_total,
                    c.severity_assigned,
                    c.tier_cost
                ),
                (total, reachable, assigned, sev_total, sev_assigned, tiers),
                "{file}"
            );
            // One chain: the dataset scope shares nothing more, so it agrees.
            assert_eq!(report.dataset.unwrap().qi.coverage, c, "{file}");
        }
    }

    #[test]
    fn risk_carries_the_qi_gap_and_collaborative_projects_use_the_weak_links() {
        let d = fixture("power_battery_jiangsu.json");
        let report = analyze_full(&d, &Graphs::build(&d), None);
        let chain = &report.chains[0];
        let gaps = qi_gap_by_firm(&chain.assignment);
        assert!(gaps.values().any(|g| *g > 0.0));
        for r in &chain.weak.risk {
            let expected = gaps.get(&r.id).copied().unwrap_or(0.0).clamp(0.0, 1.0);
            assert!((r.qi_gap - expected).abs() < 1e-9, "{}", r.id);
        }
        let critical: BTreeSet<&str> = chain
            .weak
            .critical_nodes
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        let collaborative = &chain.qi.projects.chain_collaborative;
        assert!(!collaborative.is_empty());
        assert!(collaborative
            .iter()
            .flat_map(|p| &p.firms)
            .any(|f| critical.contains(f.as_str())));
        let row = &report.dataset.as_ref().unwrap().comparison[0];
        assert_eq!(row.critical_nodes, chain.weak.critical_nodes.len() as u64);
    }

    #[test]
    fn long_project_lists_keep_the_best_and_count_the_rest() {
        let bundle = crate::generate::generate(&crate::generate::GenOptions {
            chains: 2,
            firms: 3000,
            seed: 3,
        });
        let d = Dataset::from_bundle(bundle);
        let report = analyze_full(&d, &Graphs::build(&d), None);
        let all = report.dataset.unwrap();
        let projects = &all.qi.projects;
        let limit = crate::analysis::projects::MAX_PROJECTS;
        assert!(projects.totals.chain_collaborative > limit);
        assert_eq!(projects.chain_collaborative.len(), limit);
        assert!(projects
            .chain_collaborative
            .windows(2)
            .all(|w| w[0].score >= w[1].score));
        assert!(projects
            .chain_collaborative
            .iter()
            .any(|p| !p.candidates.is_empty()));
        assert!(projects.totals.common_technology >= projects.common_technology.len());
    }
}
