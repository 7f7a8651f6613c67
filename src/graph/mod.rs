//! Per-chain supply graphs: the model's supplies turned into a compact petgraph [`Graph`].
//!
//! This module owns the mapping between organization ids and [`NodeIndex`]es; a `NodeIndex` never
//! leaves `graph/` and `analysis/` (the accessors that hand one out are `pub(crate)`). Together with
//! `analysis/` it is the only code that knows petgraph. It holds no problems and no providers: only
//! who supplies which part to whom on which chain, plus the few firm attributes the analyses read
//! (role, foreign, region, segment).
//!
//! A chain's supplies are grouped by (customer, part): a firm needs every part it buys (AND), and
//! the suppliers of one part to one customer are alternatives (OR). Each group gets a dense id, and
//! every supply edge carries the id of the group it feeds, so the weak-link engine can keep one
//! live-supplier counter per group.

use crate::model::{Dataset, Organization, Role, Supply};
use petgraph::graph::{Graph, NodeIndex};
use petgraph::Direction;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};

/// Id-keyed maps of the graph builder, with foldhash's fast fixed-seed hasher.
pub(crate) type IdMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

/// A firm on a chain, as the analyses see it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Firm {
    pub id: String,
    pub master: bool,
    pub foreign: bool,
    pub region: Option<String>,
    /// Position of the firm's segment in the chain's order; `None` when the chain does not list it.
    pub segment: Option<usize>,
}

/// A supply edge, supplier → customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SupplyEdge {
    /// The (customer, part) group this supply feeds.
    pub group: u32,
}

/// All supplies of one part to one customer: the OR of the AND/OR semantics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PartGroup {
    pub buyer: NodeIndex,
    /// Index into [`ChainGraph::part_name`]'s table.
    pub part: u32,
    /// Number of distinct suppliers (supplies are a set, so one per supply edge).
    pub suppliers: u32,
}

/// The supply graph of one chain.
///
/// Nodes are the chain's member firms in id order, so a smaller `NodeIndex` is a smaller id and a
/// list sorted by node index is sorted by id. Edges are supplies, supplier → customer.
#[derive(Debug, Clone)]
pub struct ChainGraph {
    chain: String,
    graph: Graph<Firm, SupplyEdge>,
    index: IdMap<String, NodeIndex>,
    parts: Vec<String>,
    groups: Vec<PartGroup>,
    /// Compressed rows of the groups each firm supplies: `supplied_groups[offsets[n]..offsets[n+1]]`.
    /// The same information as the edges' weights, laid out contiguously for the hot loop.
    offsets: Vec<u32>,
    supplied_groups: Vec<u32>,
    masters: Vec<NodeIndex>,
}

impl ChainGraph {
    /// Builds the graph of `chain` from its members and supplies.
    ///
    /// `members` must be in id order, and `supplies` the chain's own. Supplies whose ends are not
    /// both members are ignored (the validator rejects them).
    fn from_parts<'a>(
        dataset: &Dataset,
        chain: &str,
        members: impl IntoIterator<Item = &'a Organization>,
        supplies: impl IntoIterator<Item = &'a Supply>,
    ) -> ChainGraph {
        let chain_record = dataset.chains.get(chain);
        let mut graph = Graph::<Firm, SupplyEdge>::new();
        let mut index = IdMap::default();
        let mut masters = Vec::new();
        for org in members {
            let Some(membership) = org.membership(chain) else {
                continue;
            };
            let master = membership.role == Role::ChainMaster;
            let n = graph.add_node(Firm {
                id: org.id.clone(),
                master,
                foreign: org.foreign,
                region: org.region.clone(),
                segment: chain_record.and_then(|c| c.segment_index(&membership.segment)),
            });
            if master {
                masters.push(n);
            }
            index.insert(org.id.clone(), n);
        }

        let mut parts = Vec::new();
        let mut part_ids: IdMap<&str, u32> = IdMap::default();
        let mut groups: Vec<PartGroup> = Vec::new();
        let mut group_ids: IdMap<(NodeIndex, u32), u32> = IdMap::default();
        // Supplies come sorted by supplier, so consecutive ones mostly share it: remembering the
        // last one saves most supplier lookups (each a hash plus a pointer chase to the key).
        let mut last: Option<(&str, Option<NodeIndex>)> = None;
        for s in supplies {
            debug_assert_eq!(s.chain, chain, "the supplies of one chain only");
            let from = match last {
                Some((id, n)) if id == s.supplier => n,
                _ => {
                    let n = index.get(&s.supplier).copied();
                    last = Some((s.supplier.as_str(), n));
                    n
                }
            };
            let (Some(from), Some(&to)) = (from, index.get(&s.customer)) else {
                continue;
            };
            let part = *part_ids.entry(s.part.as_str()).or_insert_with(|| {
                parts.push(s.part.clone());
                (parts.len() - 1) as u32
            });
            let group = *group_ids.entry((to, part)).or_insert_with(|| {
                groups.push(PartGroup {
                    buyer: to,
                    part,
                    suppliers: 0,
                });
                (groups.len() - 1) as u32
            });
            groups[group as usize].suppliers += 1;
            graph.add_edge(from, to, SupplyEdge { group });
        }

        let mut offsets = Vec::with_capacity(graph.node_count() + 1);
        let mut supplied_groups = Vec::with_capacity(graph.edge_count());
        offsets.push(0);
        for n in graph.node_indices() {
            let row = supplied_groups.len();
            supplied_groups.extend(
                graph
                    .edges_directed(n, Direction::Outgoing)
                    .map(|e| e.weight().group),
            );
            // petgraph lists a node's edges newest first; keep supply (insertion) order instead.
            supplied_groups[row..].reverse();
            offsets.push(supplied_groups.len() as u32);
        }

        ChainGraph {
            chain: chain.to_string(),
            graph,
            index,
            parts,
            groups,
            offsets,
            supplied_groups,
            masters,
        }
    }

    /// The chain's id.
    pub fn id(&self) -> &str {
        &self.chain
    }

    /// Number of member firms.
    pub fn firm_count(&self) -> usize {
        self.graph.node_count()
    }

    /// Number of supplies between member firms.
    pub fn supply_count(&self) -> usize {
        self.graph.edge_count()
    }

    /// Number of (customer, part) groups.
    pub fn part_group_count(&self) -> usize {
        self.groups.len()
    }

    /// Whether `firm` is a member of the chain.
    pub fn contains(&self, firm: &str) -> bool {
        self.index.contains_key(firm)
    }

    /// Whether `firm` is a chain master of the chain.
    pub fn is_master(&self, firm: &str) -> bool {
        self.node(firm).is_some_and(|n| self.graph[n].master)
    }

    /// Ids of the chain masters, sorted.
    pub fn master_ids(&self) -> Vec<String> {
        self.masters
            .iter()
            .map(|&n| self.graph[n].id.clone())
            .collect()
    }

    /// Ids of the member firms, sorted.
    pub fn firm_ids(&self) -> impl Iterator<Item = &str> {
        self.graph.node_weights().map(|f| f.id.as_str())
    }

    pub(crate) fn graph(&self) -> &Graph<Firm, SupplyEdge> {
        &self.graph
    }

    pub(crate) fn node(&self, firm: &str) -> Option<NodeIndex> {
        self.index.get(firm).copied()
    }

    pub(crate) fn firm(&self, n: NodeIndex) -> &Firm {
        &self.graph[n]
    }

    pub(crate) fn masters(&self) -> &[NodeIndex] {
        &self.masters
    }

    pub(crate) fn groups(&self) -> &[PartGroup] {
        &self.groups
    }

    pub(crate) fn part_name(&self, part: u32) -> &str {
        &self.parts[part as usize]
    }

    /// The groups `n` supplies into (one entry per supply edge out of `n`).
    #[inline]
    pub(crate) fn supplied_groups(&self, n: NodeIndex) -> &[u32] {
        let i = n.index();
        &self.supplied_groups[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
}

/// The supply graphs of every chain of a dataset, keyed by chain id.
#[derive(Debug, Clone, Default)]
pub struct Graphs {
    chains: BTreeMap<String, ChainGraph>,
}

impl Graphs {
    /// Builds every chain's graph: one pass over organizations and supplies to sort them by
    /// chain, then the chains in parallel on the available cores.
    ///
    /// Complexity: O(N·m + S) for N organizations with m memberships each and S supplies.
    pub fn build(dataset: &Dataset) -> Graphs {
        let ids: Vec<&str> = dataset.chains.keys().map(String::as_str).collect();
        let position: IdMap<&str, usize> = ids.iter().enumerate().map(|(i, &c)| (c, i)).collect();
        let mut members: Vec<Vec<&Organization>> = vec![Vec::new(); ids.len()];
        for org in dataset.organizations.values() {
            for m in org.memberships() {
                if let Some(&i) = position.get(m.chain.as_str()) {
                    members[i].push(org);
                }
            }
        }
        // Supplies are ordered by chain first, so each chain's supplies form one run.
        let mut supplies: Vec<Vec<&Supply>> = vec![Vec::new(); ids.len()];
        let mut run: Option<(&str, Option<usize>)> = None;
        for s in &dataset.supplies {
            let i = match run {
                Some((chain, i)) if chain == s.chain => i,
                _ => {
                    let i = position.get(s.chain.as_str()).copied();
                    run = Some((s.chain.as_str(), i));
                    i
                }
            };
            if let Some(i) = i {
                supplies[i].push(s);
            }
        }
        let built: Vec<ChainGraph> = (0..ids.len())
            .into_par_iter()
            .map(|i| {
                ChainGraph::from_parts(
                    dataset,
                    ids[i],
                    members[i].iter().copied(),
                    supplies[i].iter().copied(),
                )
            })
            .collect();
        Graphs {
            chains: ids
                .iter()
                .zip(built)
                .map(|(id, g)| (id.to_string(), g))
                .collect(),
        }
    }

    /// Rebuilds one chain's graph after a write touched it; removes it if the chain is gone.
    ///
    /// Complexity: O(N + S_c log S) for N organizations and the chain's S_c supplies.
    pub fn rebuild_chain(&mut self, dataset: &Dataset, chain_id: &str) {
        if !dataset.chains.contains_key(chain_id) {
            self.chains.remove(chain_id);
            return;
        }
        let graph = ChainGraph::from_parts(
            dataset,
            chain_id,
            dataset.members_of_chain(chain_id),
            dataset.supplies_of_chain(chain_id),
        );
        self.chains.insert(chain_id.to_string(), graph);
    }

    /// The graph of one chain, given its members in id order (e.g. from a
    /// [`crate::model::ChainIndex`]); empty if the chain does not exist.
    ///
    /// Complexity: O(M + S_c log S) for the chain's M members and S_c supplies.
    pub fn one_chain<'a>(
        dataset: &'a Dataset,
        chain_id: &'a str,
        members: impl Iterator<Item = &'a Organization>,
    ) -> Graphs {
        let mut graphs = Graphs::default();
        if dataset.chains.contains_key(chain_id) {
            let graph = ChainGraph::from_parts(
                dataset,
                chain_id,
                members,
                dataset.supplies_of_chain(chain_id),
            );
            graphs.chains.insert(chain_id.to_string(), graph);
        }
        graphs
    }

    /// The graph of one chain.
    pub fn chain(&self, id: &str) -> Option<&ChainGraph> {
        self.chains.get(id)
    }

    /// Every chain's graph, in chain id order.
    pub fn iter(&self) -> impl Iterator<Item = &ChainGraph> {
        self.chains.values()
    }

    /// Number of chains.
    pub fn len(&self) -> usize {
        self.chains.len()
    }

    pub fn is_empty(&self) -> bool {
        self.chains.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Bundle;

    fn dataset(json: serde_json::Value) -> Dataset {
        Dataset::from_bundle(serde_json::from_value::<Bundle>(json).unwrap())
    }

    fn two_chains() -> Dataset {
        dataset(serde_json::json!({
            "version": 1,
            "chains": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
            "organizations": [
                {"id": "m", "name": "M", "kind": "enterprise", "region": "320500",
                 "chains": [{"chain": "a", "role": "chain_master", "segment": "s"},
                            {"chain": "b", "role": "member", "segment": "s"}]},
                {"id": "x", "name": "X", "kind": "enterprise", "region": "320500",
                 "chains": [{"chain": "a", "role": "member", "segment": "s"}]},
                {"id": "y", "name": "Y", "kind": "enterprise", "foreign": true,
                 "chains": [{"chain": "a", "role": "member", "segment": "s"},
                            {"chain": "b", "role": "chain_master", "segment": "s"}]}
            ],
            "supplies": [
                {"chain": "a", "from": "x", "to": "m", "part": "p"},
                {"chain": "a", "from": "y", "to": "m", "part": "p"},
                {"chain": "a", "from": "y", "to": "m", "part": "q"},
                {"chain": "b", "from": "m", "to": "y", "part": "p"}
            ]
        }))
    }

    #[test]
    fn supplies_of_one_part_to_one_customer_share_a_group() {
        let graphs = Graphs::build(&two_chains());
        let a = graphs.chain("a").unwrap();
        assert_eq!(a.firm_count(), 3);
        assert_eq!(a.supply_count(), 3);
        assert_eq!(a.part_group_count(), 2);
        let m = a.node("m").unwrap();
        let p = a
            .groups()
            .iter()
            .find(|g| g.buyer == m && a.part_name(g.part) == "p")
            .unwrap();
        assert_eq!(p.suppliers, 2);
        assert_eq!(a.master_ids(), vec!["m"]);
        assert_eq!(a.firm_ids().collect::<Vec<_>>(), vec!["m", "x", "y"]);
        let b = graphs.chain("b").unwrap();
        assert_eq!(b.supply_count(), 1);
        assert!(b.is_master("y") && !b.is_master("m"));
    }

    #[test]
    fn rebuilding_one_chain_matches_building_all() {
        let mut data = two_chains();
        let mut graphs = Graphs::build(&data);
        data.supplies.insert(Supply {
            chain: "a".into(),
            supplier: "x".into(),
            customer: "y".into(),
            part: "r".into(),
        });
        graphs.rebuild_chain(&data, "a");
        let fresh = Graphs::build(&data);
        for id in ["a", "b"] {
            let (g, f) = (graphs.chain(id).unwrap(), fresh.chain(id).unwrap());
            assert_eq!(g.supply_count(), f.supply_count());
            assert_eq!(g.groups(), f.groups());
            assert_eq!(g.supplied_groups, f.supplied_groups);
        }
        data.chains.remove("b");
        graphs.rebuild_chain(&data, "b");
        assert!(graphs.chain("b").is_none());
        assert_eq!(graphs.len(), 1);
    }
}
