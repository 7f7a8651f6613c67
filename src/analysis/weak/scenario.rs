//! What-if scenarios: a set of firms fails at once; which firms and masters go down, per chain.

use super::propagation::Propagation;
use crate::graph::{ChainGraph, Graphs};
use crate::model::Dataset;
use petgraph::graph::NodeIndex;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Which firms fail. A scenario is a list of these; their firms fail together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Failure {
    /// The named firms.
    Firms(Vec<String>),
    /// Every foreign firm (e.g. an import stop).
    AllForeign,
    /// Every domestic firm whose region code starts with the prefix (`"32"` = 江苏省,
    /// `"3205"` = 苏州市).
    RegionPrefix(String),
}

/// The outcome of a scenario over every chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ScenarioReport {
    /// One entry per chain, in chain id order, affected or not.
    pub chains: Vec<ChainScenario>,
    /// Firms named in [`Failure::Firms`] that are no organization of the dataset, sorted.
    pub unknown_firms: Vec<String>,
}

/// The outcome of a scenario on one chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ChainScenario {
    pub id: String,
    pub name: String,
    /// Number of the chain's firms that failed directly.
    pub failed_count: usize,
    /// Every disabled firm, the failed ones included, sorted by id.
    pub disabled: Vec<DisabledFirm>,
    /// The disabled chain masters (failed or not), sorted.
    pub disabled_masters: Vec<String>,
}

/// A firm that is down in a scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DisabledFirm {
    pub id: String,
    /// True when the firm failed directly; false when it was disabled by propagation.
    pub failed: bool,
    pub master: bool,
}

/// Runs a scenario on every chain of `graphs`.
///
/// # Arguments
/// - `dataset`: for chain names and to tell unknown firm ids.
/// - `graphs`: the supply graphs.
/// - `failures`: what fails; the union of every entry fails at once.
///
/// # Returns
/// Per chain, the least set of firms disabled by the failures (AND/OR semantics, cycles resolved
/// by propagating only what the failures force), marking the failed ones, and the disabled masters.
///
/// # Complexity
/// Per chain O(V + E): one propagation from all failed firms together.
///
/// # Example
/// ```text
///   jp (foreign) ──resin──▶ a ──film──▶ M        AllForeign: jp failed; a, M disabled
///   d ──case──▶ M                                 d stays up
/// ```
pub fn run_scenario(dataset: &Dataset, graphs: &Graphs, failures: &[Failure]) -> ScenarioReport {
    run_scenario_on(dataset, graphs.iter(), failures)
}

/// [`run_scenario`] over any set of chain graphs (e.g. ones cached chain by chain).
pub fn run_scenario_on<'g>(
    dataset: &Dataset,
    graphs: impl IntoIterator<Item = &'g ChainGraph>,
    failures: &[Failure],
) -> ScenarioReport {
    let mut unknown_firms: Vec<String> = failures
        .iter()
        .filter_map(|f| match f {
            Failure::Firms(ids) => Some(ids),
            _ => None,
        })
        .flatten()
        .filter(|id| !dataset.organizations.contains_key(*id))
        .cloned()
        .collect();
    unknown_firms.sort_unstable();
    unknown_firms.dedup();
    let chains = graphs
        .into_iter()
        .map(|g| {
            let name = dataset
                .chains
                .get(g.id())
                .map(|c| c.name.clone())
                .unwrap_or_default();
            chain_scenario(g, name, failures)
        })
        .collect();
    ScenarioReport {
        chains,
        unknown_firms,
    }
}

/// The scenario on one chain.
///
/// # Arguments
/// - `graph`: the chain's supply graph.
/// - `name`: the chain's name, copied into the result.
/// - `failures`: what fails; firms not on this chain are ignored here.
///
/// # Returns
/// The disabled firms (failed ones marked) and masters of this chain.
///
/// # Complexity
/// O(V·|failures| + E + d log d) for d disabled firms: one propagation from every failed firm
/// at once, each supply edge out of a disabled firm followed once.
pub fn chain_scenario(graph: &ChainGraph, name: String, failures: &[Failure]) -> ChainScenario {
    let mut seeds: Vec<NodeIndex> = Vec::new();
    for f in failures {
        match f {
            Failure::Firms(ids) => seeds.extend(ids.iter().filter_map(|id| graph.node(id))),
            Failure::AllForeign => seeds.extend(
                graph
                    .graph()
                    .node_indices()
                    .filter(|&n| graph.firm(n).foreign),
            ),
            Failure::RegionPrefix(prefix) => {
                seeds.extend(graph.graph().node_indices().filter(|&n| {
                    graph
                        .firm(n)
                        .region
                        .as_deref()
                        .is_some_and(|r| r.starts_with(prefix.as_str()))
                }))
            }
        }
    }
    seeds.sort_unstable();
    seeds.dedup();
    let mut engine = Propagation::new(graph);
    engine.run(seeds.iter().copied(), None);
    let mut down: Vec<NodeIndex> = engine.disabled().to_vec();
    down.sort_unstable();
    let disabled: Vec<DisabledFirm> = down
        .iter()
        .map(|&n| DisabledFirm {
            id: graph.firm(n).id.clone(),
            failed: seeds.binary_search(&n).is_ok(),
            master: graph.firm(n).master,
        })
        .collect();
    let disabled_masters = disabled
        .iter()
        .filter(|d| d.master)
        .map(|d| d.id.clone())
        .collect();
    ChainScenario {
        id: graph.id().to_string(),
        name,
        failed_count: seeds.len(),
        disabled,
        disabled_masters,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::{dataset, CHAIN};

    fn down(report: &ScenarioReport) -> Vec<(&str, bool, bool)> {
        report.chains[0]
            .disabled
            .iter()
            .map(|d| (d.id.as_str(), d.failed, d.master))
            .collect()
    }

    #[test]
    fn an_import_stop_disables_what_depends_only_on_foreign_parts() {
        //   jp (foreign) ──resin──▶ a ──film──▶ M
        //   d ──case──▶ M          jp ──chip──▶ e ◀──chip── d
        let d = dataset(
            &["M"],
            &["jp"],
            &[
                ("jp", "a", "resin"),
                ("a", "M", "film"),
                ("d", "M", "case"),
                ("jp", "e", "chip"),
                ("d", "e", "chip"),
            ],
        );
        let report = run_scenario(&d, &Graphs::build(&d), &[Failure::AllForeign]);
        assert_eq!(
            down(&report),
            [("M", false, true), ("a", false, false), ("jp", true, false)]
        );
        assert_eq!(report.chains[0].disabled_masters, ["M"]);
        assert_eq!(report.chains[0].failed_count, 1);
        assert_eq!(report.chains[0].name, "测试链");
    }

    #[test]
    fn failures_combine_and_unknown_firms_are_reported() {
        //   a ──p──▶ M ◀──p── b        (alternatives: both must fail)
        let mut d = dataset(&["M"], &[], &[("a", "M", "p"), ("b", "M", "p")]);
        d.organizations.get_mut("b").unwrap().region = Some("440300".into());
        let graphs = Graphs::build(&d);
        let one = run_scenario(
            &d,
            &graphs,
            &[Failure::Firms(vec!["a".into(), "ghost".into()])],
        );
        assert_eq!(down(&one), [("a", true, false)]);
        assert_eq!(one.unknown_firms, ["ghost"]);
        let both = run_scenario(
            &d,
            &graphs,
            &[
                Failure::Firms(vec!["a".into()]),
                Failure::RegionPrefix("44".into()),
            ],
        );
        assert_eq!(
            down(&both),
            [("M", false, true), ("a", true, false), ("b", true, false)]
        );
        assert_eq!(both.chains[0].id, CHAIN);
    }

    #[test]
    fn failures_read_from_json_in_snake_case() {
        let f: Vec<Failure> =
            serde_json::from_str(r#"[{"firms": ["a"]}, "all_foreign", {"region_prefix": "32"}]"#)
                .unwrap();
        assert_eq!(
            f,
            [
                Failure::Firms(vec!["a".into()]),
                Failure::AllForeign,
                Failure::RegionPrefix("32".into())
            ]
        );
    }
}
