//! The failure-propagation engine shared by criticality, the supplier view and scenarios.
//!
//! It computes the least set of disabled firms forced by a set of failed firms under the AND/OR
//! semantics of `docs/analyses.md`, with one live-supplier counter per (customer, part) group:
//! when a supplier dies, the counters of the groups it feeds drop by one, and a group reaching
//! zero kills its buyer. Starting only from the failed firms and killing only what a counter
//! forces gives the least fixpoint, cycles included: a firm on a cycle dies only if a failure
//! reaches it.
//!
//! The state is reused across runs and reset sparsely (only touched counters and dead flags), so a
//! run costs O(edges out of the disabled firms), not O(graph).

use crate::graph::ChainGraph;
use petgraph::graph::NodeIndex;

/// Marks a firm that failed on its own, so it has no killing group.
const SEED: u32 = u32::MAX;

pub(crate) struct Propagation<'g> {
    graph: &'g ChainGraph,
    /// Live suppliers per group; equal to the group's supplier count outside a run's touched set.
    live: Vec<u32>,
    touched: Vec<u32>,
    dead: Vec<bool>,
    /// Disabled firms in the order they died, failed firms first.
    order: Vec<NodeIndex>,
    /// For a firm killed by propagation: the group that ran out and the supplier whose death
    /// emptied it. Only meaningful while `dead` is set.
    via: Vec<(u32, u32)>,
}

impl<'g> Propagation<'g> {
    pub(crate) fn new(graph: &'g ChainGraph) -> Propagation<'g> {
        Propagation {
            graph,
            live: graph.groups().iter().map(|g| g.suppliers).collect(),
            touched: Vec::new(),
            dead: vec![false; graph.firm_count()],
            order: Vec::new(),
            via: vec![(SEED, 0); graph.firm_count()],
        }
    }

    /// Clears the previous run in O(what it touched).
    pub(crate) fn reset(&mut self) {
        let groups = self.graph.groups();
        for &g in &self.touched {
            self.live[g as usize] = groups[g as usize].suppliers;
        }
        self.touched.clear();
        for &n in &self.order {
            self.dead[n.index()] = false;
        }
        self.order.clear();
    }

    /// Fails `seeds` and propagates to the least fixpoint; stops early once `stop_at` is disabled.
    /// Call [`reset`](Self::reset) before running again.
    pub(crate) fn run(
        &mut self,
        seeds: impl IntoIterator<Item = NodeIndex>,
        stop_at: Option<NodeIndex>,
    ) {
        for s in seeds {
            if !self.dead[s.index()] {
                self.dead[s.index()] = true;
                self.via[s.index()] = (SEED, 0);
                self.order.push(s);
            }
        }
        if stop_at.is_some_and(|t| self.dead[t.index()]) {
            return;
        }
        let groups = self.graph.groups();
        let mut next = 0;
        while next < self.order.len() {
            let v = self.order[next];
            next += 1;
            for &g in self.graph.supplied_groups(v) {
                let live = &mut self.live[g as usize];
                if *live == groups[g as usize].suppliers {
                    self.touched.push(g);
                }
                *live -= 1;
                if *live == 0 {
                    let buyer = groups[g as usize].buyer;
                    if !self.dead[buyer.index()] {
                        self.dead[buyer.index()] = true;
                        self.via[buyer.index()] = (g, v.index() as u32);
                        self.order.push(buyer);
                        if stop_at == Some(buyer) {
                            return;
                        }
                    }
                }
            }
        }
    }

    pub(crate) fn is_disabled(&self, n: NodeIndex) -> bool {
        self.dead[n.index()]
    }

    /// Every disabled firm of the last run, failed ones included, in the order they died.
    pub(crate) fn disabled(&self) -> &[NodeIndex] {
        &self.order
    }

    /// The (buyer, part) steps from a failed firm to `target` along which each part lost its last
    /// live supplier; empty when `target` itself failed. `target` must be disabled.
    pub(crate) fn evidence(&self, target: NodeIndex) -> Vec<(NodeIndex, u32)> {
        debug_assert!(self.dead[target.index()]);
        let groups = self.graph.groups();
        let mut steps = Vec::new();
        let mut n = target;
        // A firm's killer died strictly before it, so this walk ends at a failed firm.
        while self.via[n.index()].0 != SEED {
            let (g, killer) = self.via[n.index()];
            steps.push((n, groups[g as usize].part));
            n = NodeIndex::new(killer as usize);
        }
        steps.reverse();
        steps
    }
}
