//! The whole picture: weak links and QI matching of each chain together, plus the dataset-wide
//! scope, as `qmap analyze --json` prints it and the API serves it.
//!
//! The two halves meet in two places: the QI gap of each firm (from its chain's assignment) is
//! the third component of its risk score, and the critical firms and single sources (from the
//! weak links) make the chain-collaboration key projects.
//!
//! Scopes: each chain is matched on its own (capacities not shared between chains); the dataset
//! scope matches every need at once with capacities shared.

use super::assignment::{assign_needs, assign_needs_with, Assignment, SolveMemo};
use super::coverage::{qi_gap_by_firm, Coverage, ElementCoverage};
use super::eligibility::{needs, needs_of, ProviderIndex, Scope};
use super::projects::WeakLinks;
use super::qi::report::{qi_report_with, QiReport};
use super::weak::report::{chain_report, ChainReport};
use crate::graph::{ChainGraph, Graphs};
use crate::model::{Dataset, Problem};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
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

/// One chain's key figures: the row of the chain list (`/chains`), of a chain's summary and of
/// the planners' comparison (`/comparison`). Each chain is assigned on its own (capacities not
/// shared between chains).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ChainRow {
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
    /// From the weak-link analyses.
    pub critical_nodes: usize,
    pub single_source_parts: usize,
    pub foreign_only_parts: usize,
    pub coverage: Coverage,
    /// Coverage per QI element.
    pub by_element: Vec<ElementCoverage>,
    /// Needs without any eligible provider.
    pub infrastructure_gaps: u64,
    /// Reachable needs left unassigned.
    pub capacity_gaps: u64,
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
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FullReport {
    /// In chain id order.
    pub chains: Vec<Arc<ChainAnalysis>>,
    /// The dataset-wide scope; present when every chain was analysed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dataset: Option<Arc<DatasetAnalysis>>,
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
/// O(P) to sort the problems by chain, then [`analyze_chain`] per chain (chains in parallel on
/// the available cores), and for the dataset scope one more assignment of all needs.
pub fn analyze_full(dataset: &Dataset, graphs: &Graphs, chain: Option<&str>) -> FullReport {
    let index = ProviderIndex::from_dataset(dataset);
    let mut problems: HashMap<&str, Vec<&Problem>> = HashMap::new();
    for p in dataset.problems.values() {
        if chain.is_none_or(|id| id == p.chain) {
            problems.entry(p.chain.as_str()).or_default().push(p);
        }
    }
    let selected: Vec<&ChainGraph> = graphs
        .iter()
        .filter(|g| chain.is_none_or(|id| id == g.id()))
        .collect();
    let chains: Vec<Arc<ChainAnalysis>> = selected
        .par_iter()
        .map(|g| {
            let own = problems.get(g.id()).map_or(&[][..], Vec::as_slice);
            Arc::new(analyze_chain(dataset, g, own, &index))
        })
        .collect();
    let dataset_scope = chain.is_none().then(|| {
        let refs: Vec<&ChainAnalysis> = chains.iter().map(|c| c.as_ref()).collect();
        Arc::new(dataset_analysis(dataset, &index, &refs))
    });
    FullReport {
        chains,
        dataset: dataset_scope,
    }
}

/// Weak links and QI of one chain: its own needs assigned to the providers (capacities not
/// shared with other chains), the QI gap of each firm fed into its risk score, and the weak
/// links fed into the chain-collaboration key projects.
///
/// # Arguments
/// - `dataset`: for names, regions and records looked up by id (never scanned).
/// - `graph`: the chain's supply graph.
/// - `problems`: the chain's problems, in id order.
/// - `index`: the providers by capability, built once for every chain.
///
/// # Complexity
/// O(size of the chain): its needs' assignment, the weak-link analyses over its graph, and
/// lookups by id (O(log n) each) in the dataset; nothing else scans the whole dataset than one
/// pass over its project records (the key-project candidates leave out what live projects
/// tackle).
pub fn analyze_chain(
    dataset: &Dataset,
    graph: &ChainGraph,
    problems: &[&Problem],
    index: &ProviderIndex,
) -> ChainAnalysis {
    let scope = Scope::Chain(graph.id().to_string());
    let chain_needs = needs_of(dataset, problems.iter().copied());
    let assignment = assign_needs(&chain_needs, index, scope);
    let gaps = qi_gap_by_firm(&assignment).into_iter().collect();
    let weak = chain_report(dataset, graph, problems, &gaps);
    let links = weak_links([&weak]);
    let qi = qi_report_with(dataset, &assignment, index, &links, problems, &chain_needs);
    ChainAnalysis {
        weak,
        qi,
        assignment,
    }
}

/// The dataset-wide scope, given every chain's analysis.
///
/// Complexity: one assignment of all needs (capacities shared) plus one row per chain.
pub fn dataset_analysis(
    dataset: &Dataset,
    index: &ProviderIndex,
    chains: &[&ChainAnalysis],
) -> DatasetAnalysis {
    dataset_analysis_with(dataset, index, chains, None)
}

/// [`dataset_analysis`], solving again only the codes whose needs changed since `memo` was
/// filled (over the same provider index; see [`SolveMemo`]).
pub fn dataset_analysis_with(
    dataset: &Dataset,
    index: &ProviderIndex,
    chains: &[&ChainAnalysis],
    memo: Option<&SolveMemo>,
) -> DatasetAnalysis {
    let links = weak_links(chains.iter().map(|c| &c.weak));
    let all_needs = needs(dataset, &Scope::All);
    let all = assign_needs_with(&all_needs, index, Scope::All, memo);
    let problems: Vec<&Problem> = dataset.problems.values().collect();
    let qi = qi_report_with(dataset, &all, index, &links, &problems, &all_needs);
    DatasetAnalysis {
        qi,
        comparison: chains.iter().map(|c| chain_row(dataset, c)).collect(),
    }
}

/// The weak links of analysed chains, as key projects take them.
pub fn weak_links<'a>(reports: impl IntoIterator<Item = &'a ChainReport>) -> WeakLinks {
    let mut links = WeakLinks::default();
    for r in reports {
        links
            .masters
            .insert(r.id.clone(), r.masters.iter().cloned().collect());
        links.first_disabled_master.insert(
            r.id.clone(),
            r.critical_nodes
                .iter()
                .filter_map(|c| Some((c.id.clone(), c.disabled_masters.first()?.clone())))
                .collect(),
        );
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

/// The summary row of an analysed chain.
///
/// Complexity: O(firms of the chain), plus one lookup of the chain record.
pub fn chain_row(dataset: &Dataset, c: &ChainAnalysis) -> ChainRow {
    let record = dataset.chains.get(&c.weak.id);
    let coverage = c.qi.figures.coverage;
    ChainRow {
        id: c.weak.id.clone(),
        name: c.weak.name.clone(),
        chief: record.and_then(|r| r.chief.clone()),
        segments: record.map_or(0, |r| r.segments.len()),
        firms: c.weak.firms,
        masters: c.weak.masters.len(),
        supplies: c.weak.supplies,
        demand_problems: c.weak.problem_load.iter().map(|l| l.demand_problems).sum(),
        critical_nodes: c.weak.critical_nodes.len(),
        single_source_parts: c.weak.single_source_parts.len(),
        foreign_only_parts: c.weak.foreign_only_parts.len(),
        coverage,
        by_element: c.qi.figures.by_element.clone(),
        infrastructure_gaps: coverage.infrastructure_gaps(),
        capacity_gaps: coverage.capacity_gaps(),
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
            let c = report.chains[0].qi.figures.coverage;
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
            assert_eq!(report.dataset.unwrap().qi.figures.coverage, c, "{file}");
        }
    }

    #[test]
    fn risk_carries_the_qi_gap_and_collaborative_projects_use_the_weak_links() {
        let mut d = fixture("power_battery_jiangsu.json");
        // Candidates leave out what live projects tackle: without projects, every weak-link
        // firm with demand problems makes one.
        d.projects = Default::default();
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
        let collaborative = &chain.qi.projects.chain_collaboration;
        assert!(!collaborative.is_empty());
        assert!(collaborative
            .iter()
            .flat_map(|p| &p.firms)
            .any(|f| critical.contains(f.as_str())));
        let row = &report.dataset.as_ref().unwrap().comparison[0];
        assert_eq!(row.critical_nodes, chain.weak.critical_nodes.len());
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
        assert!(projects.totals.chain_collaboration > limit);
        assert_eq!(projects.chain_collaboration.len(), limit);
        assert!(projects
            .chain_collaboration
            .windows(2)
            .all(|w| w[0].score >= w[1].score));
        assert!(projects
            .chain_collaboration
            .iter()
            .any(|p| !p.candidates.is_empty()));
        assert!(projects.totals.common_technology >= projects.common_technology.len());
    }
}
