//! The whole weak-link report of one chain or of every chain: what `qmap analyze` prints and the
//! API serves.

use super::criticality::{critical_nodes, critical_nodes_parallel, CriticalNode};
use super::parts::{foreign_only_parts, single_source_parts, ForeignOnlyPart, SingleSourcePart};
use super::risk::{problem_loads, risk_scores, ProblemLoad, RiskScore};
use super::segments::{segment_summaries, SegmentSummary};
use crate::analysis::AnalysisError;
use crate::graph::{ChainGraph, Graphs};
use crate::model::{Dataset, Problem};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

/// Quality-infrastructure gap per chain and firm: chain id → firm id → gap in [0, 1].
pub type QiGaps = HashMap<String, HashMap<String, f64>>;

/// The weak-link report of the chains analysed.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AnalysisReport {
    /// In chain id order.
    pub chains: Vec<ChainReport>,
}

/// Everything the analyses say about one chain.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ChainReport {
    pub id: String,
    pub name: String,
    /// Member firms.
    pub firms: usize,
    /// Supplies between member firms.
    pub supplies: usize,
    /// Chain master ids, sorted.
    pub masters: Vec<String>,
    /// Sorted by id.
    pub critical_nodes: Vec<CriticalNode>,
    /// Sorted by (buyer, part).
    pub single_source_parts: Vec<SingleSourcePart>,
    /// Sorted by (buyer, part).
    pub foreign_only_parts: Vec<ForeignOnlyPart>,
    /// In chain order, upstream first.
    pub segments: Vec<SegmentSummary>,
    /// Every member firm, highest score first.
    pub risk: Vec<RiskScore>,
    /// Every member firm, by id.
    pub problem_load: Vec<ProblemLoad>,
}

/// Supplies from which a single chain's criticality scan is spread over the cores.
const PARALLEL_CHAIN_SUPPLIES: usize = 250_000;

/// Analyses one chain (`Some(id)`) or every chain (`None`) with no QI gaps known.
///
/// # Arguments
/// - `dataset`: for chain names and segments, and the problems behind problem load.
/// - `graphs`: the supply graphs, built from the same dataset.
/// - `chain`: one chain id, or `None` for every chain of `graphs`.
///
/// # Returns
/// One [`ChainReport`] per chain analysed, in chain id order; an unknown chain id gives a report
/// with no chains (see [`analyze_chain`] for an error instead).
///
/// Chains are analysed in parallel on the available cores (rayon's pool); a very large chain
/// also spreads its criticality scan over them.
///
/// # Complexity
/// The sum over chains of [`critical_nodes`] (which dominates), plus O(V log V + E log E + P) per
/// chain for the sorted lists, plus O(P) to sort the problems by chain.
pub fn analyze(dataset: &Dataset, graphs: &Graphs, chain: Option<&str>) -> AnalysisReport {
    analyze_with_gaps(dataset, graphs, chain, &QiGaps::new())
}

/// [`analyze`] with the QI gaps of QI matching fed into the risk scores.
pub fn analyze_with_gaps(
    dataset: &Dataset,
    graphs: &Graphs,
    chain: Option<&str>,
    gaps: &QiGaps,
) -> AnalysisReport {
    let selected: Vec<&ChainGraph> = match chain {
        Some(id) => graphs.chain(id).into_iter().collect(),
        None => graphs.iter().collect(),
    };
    let mut problems: HashMap<&str, Vec<&Problem>> = HashMap::new();
    for p in dataset.problems.values() {
        if chain.is_none_or(|id| id == p.chain) {
            problems.entry(p.chain.as_str()).or_default().push(p);
        }
    }
    let no_gaps = HashMap::new();
    let chains = selected
        .par_iter()
        .map(|g| {
            chain_report(
                dataset,
                g,
                problems.get(g.id()).map_or(&[][..], |v| v.as_slice()),
                gaps.get(g.id()).unwrap_or(&no_gaps),
            )
        })
        .collect();
    AnalysisReport { chains }
}

/// The report of chain `id`, or [`AnalysisError::UnknownChain`].
pub fn analyze_chain(
    dataset: &Dataset,
    graphs: &Graphs,
    id: &str,
) -> Result<ChainReport, AnalysisError> {
    if graphs.chain(id).is_none() {
        return Err(AnalysisError::UnknownChain {
            chain: id.to_string(),
        });
    }
    Ok(analyze(dataset, graphs, Some(id)).chains.remove(0))
}

/// The report of one chain.
///
/// # Arguments
/// - `dataset`: for the chain record (name, segments).
/// - `graph`: the chain's supply graph.
/// - `problems`: the chain's problems (others are ignored).
/// - `qi_gap`: firm id → QI gap for the risk score.
///
/// A very large chain spreads its criticality scan over the cores.
pub fn chain_report(
    dataset: &Dataset,
    graph: &ChainGraph,
    problems: &[&Problem],
    qi_gap: &HashMap<String, f64>,
) -> ChainReport {
    let critical = if graph.supply_count() >= PARALLEL_CHAIN_SUPPLIES {
        critical_nodes_parallel(graph)
    } else {
        critical_nodes(graph)
    };
    let single = single_source_parts(graph);
    let foreign = foreign_only_parts(graph);
    let load = problem_loads(graph, problems.iter().copied());
    let risk = risk_scores(graph, &critical, &load, qi_gap);
    let record = dataset.chains.get(graph.id());
    let segments = record.map_or_else(Vec::new, |c| {
        segment_summaries(
            c,
            graph,
            problems.iter().copied(),
            &critical,
            &single,
            &foreign,
        )
    });
    ChainReport {
        id: graph.id().to_string(),
        name: record.map(|c| c.name.clone()).unwrap_or_default(),
        firms: graph.firm_count(),
        supplies: graph.supply_count(),
        masters: graph.master_ids(),
        critical_nodes: critical,
        single_source_parts: single,
        foreign_only_parts: foreign,
        segments,
        risk,
        problem_load: load,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::{dataset, CHAIN};

    #[test]
    fn the_report_serializes_with_the_fixed_field_names() {
        //   jp (foreign) ──resin──▶ M
        let d = dataset(&["M"], &["jp"], &[("jp", "M", "resin")]);
        let graphs = Graphs::build(&d);
        let report = analyze(&d, &graphs, Some(CHAIN));
        let json = serde_json::to_value(&report).unwrap();
        let chain = &json["chains"][0];
        assert_eq!(chain["id"], "c");
        assert_eq!(chain["name"], "测试链");
        assert_eq!(
            chain["critical_nodes"],
            serde_json::json!([{"id": "jp", "disabled_masters": ["M"], "disabled_count": 1,
                                "evidence": [{"buyer": "M", "part": "resin"}]}])
        );
        assert_eq!(
            chain["single_source_parts"],
            serde_json::json!([{"buyer": "M", "part": "resin", "supplier": "jp"}])
        );
        assert_eq!(
            chain["foreign_only_parts"],
            serde_json::json!([{"buyer": "M", "part": "resin"}])
        );
        assert_eq!(chain["segments"].as_array().unwrap().len(), 3);
        assert_eq!(chain["risk"][0]["id"], "jp");
        assert_eq!(chain["problem_load"].as_array().unwrap().len(), 2);
        assert!(analyze(&d, &graphs, Some("nope")).chains.is_empty());
    }

    #[test]
    fn the_report_has_an_openapi_schema_with_the_same_field_names() {
        use utoipa::PartialSchema;
        let schema = serde_json::to_value(ChainReport::schema()).unwrap();
        let properties = schema["properties"].as_object().unwrap();
        for key in [
            "id",
            "name",
            "critical_nodes",
            "single_source_parts",
            "foreign_only_parts",
            "segments",
            "risk",
            "problem_load",
        ] {
            assert!(properties.contains_key(key), "{key} is in the schema");
        }
    }

    #[test]
    fn analysing_all_chains_in_parallel_equals_one_by_one() {
        let mut d = dataset(&["M"], &[], &[("a", "M", "p"), ("b", "a", "q")]);
        for i in 0..5 {
            let mut other = dataset(&["M"], &[], &[("a", "M", "p"), ("b", "M", "p")]);
            let id = format!("c{i}");
            let mut chain = other.chains.remove(CHAIN).unwrap();
            chain.id = id.clone();
            d.chains.insert(id.clone(), chain);
            let ids: Vec<String> = d.organizations.keys().cloned().collect();
            for id in &ids {
                let org = d.organizations.get_mut(id).unwrap();
                let mut m = org.membership(CHAIN).unwrap().clone();
                m.chain = id.clone();
                org.chains.as_mut().unwrap().push(m);
            }
            for mut s in std::mem::take(&mut other.supplies) {
                s.chain = id.clone();
                d.supplies.insert(s);
            }
        }
        let graphs = Graphs::build(&d);
        let all = analyze(&d, &graphs, None);
        assert_eq!(all.chains.len(), 6);
        for c in &all.chains {
            assert_eq!(&analyze(&d, &graphs, Some(&c.id)).chains[0], c);
        }
        assert_eq!(all.chains[0].critical_nodes.len(), 2);
        assert!(all.chains[1].critical_nodes.is_empty());
    }
}
