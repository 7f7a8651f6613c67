//! A min-cost flow solver (primal–dual: Dijkstra with potentials, then blocking flows on the
//! zero-reduced-cost subgraph), used by [`super::assignment`].
//!
//! It owns nothing of the domain: nodes are indices, capacities and costs are integers. It solves
//! "min-cost flow of any amount": it keeps augmenting while the cheapest augmenting path has
//! negative cost, which yields a flow of minimum total cost over all flow values.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// A residual edge; edges are stored in pairs (`e`, `e ^ 1`).
#[derive(Debug, Clone, Copy)]
struct Edge {
    to: u32,
    cap: i64,
    cost: i64,
}

/// A directed network with capacities and costs.
///
/// Negative costs are allowed as long as the network has no negative cycle (the assignment
/// network is a DAG).
#[derive(Debug, Clone, Default)]
pub struct Network {
    edges: Vec<Edge>,
    /// Number of nodes. A node's residual arcs are the edges (forward `e`, reverse `e ^ 1`)
    /// leaving it, in the order they were added.
    nodes: usize,
    /// Capacity each edge was created with, to read flows back.
    original: Vec<i64>,
}

/// The outcome of [`Network::min_cost_flow`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowResult {
    pub flow: i64,
    pub cost: i64,
}

const INF: i64 = i64::MAX / 4;

impl Network {
    /// A network of `n` nodes and no edges.
    pub fn new(n: usize) -> Network {
        Network {
            edges: Vec::new(),
            nodes: n,
            original: Vec::new(),
        }
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.nodes
    }

    /// Adds a node; returns its index.
    pub fn add_node(&mut self) -> usize {
        self.nodes += 1;
        self.nodes - 1
    }

    /// Adds an edge `from → to` and returns its id (for [`Network::flow`]).
    ///
    /// Complexity: O(1) amortized.
    pub fn add_edge(&mut self, from: usize, to: usize, cap: i64, cost: i64) -> usize {
        let id = self.edges.len();
        self.edges.push(Edge {
            to: to as u32,
            cap,
            cost,
        });
        self.edges.push(Edge {
            to: from as u32,
            cap: 0,
            cost: -cost,
        });
        debug_assert!(from < self.nodes && to < self.nodes);
        self.original.push(cap);
        id
    }

    /// The flow on edge `id` after solving.
    pub fn flow(&self, id: usize) -> i64 {
        self.original[id / 2] - self.edges[id].cap
    }

    /// Sends flow from `s` to `t` while the cheapest augmenting path has negative cost, so the
    /// result has the least total cost over every flow value.
    ///
    /// Arguments: source and sink node indices.
    /// Returns: the flow value and its total cost.
    /// Complexity: one Bellman–Ford (queue-based) for the initial potentials, then per phase one
    /// Dijkstra O(E log V) and one blocking flow O(V·E); the number of phases is at most the
    /// number of distinct shortest-path costs met, which is small when costs take few values.
    ///
    /// The solver runs on a compact copy of the network ([`Csr`]: every node's residual arcs side
    /// by side, in the order they were added), so that its scans read memory in sequence; the
    /// residual capacities are written back at the end for [`Network::flow`].
    pub fn min_cost_flow(&mut self, s: usize, t: usize) -> FlowResult {
        let n = self.node_count();
        if s == t || n == 0 {
            return FlowResult { flow: 0, cost: 0 };
        }
        let mut csr = Csr::of(self);
        let result = csr.min_cost_flow(s, t);
        for (e, edge) in self.edges.iter_mut().enumerate() {
            edge.cap = csr.cap[csr.arc_of_edge[e] as usize];
        }
        result
    }
}

/// The residual network in compressed sparse row form: the arcs leaving node `u` are
/// `start[u]..start[u + 1]`, in the order they were added (so every scan visits arcs in the
/// same order as on the plain network, and the solver's choices are the same); `rev[a]` is the
/// arc paired with `a`.
struct Csr {
    start: Vec<u32>,
    head: Vec<u32>,
    cap: Vec<i64>,
    cost: Vec<i64>,
    rev: Vec<u32>,
    /// Arc position of each edge id of the `Network`.
    arc_of_edge: Vec<u32>,
}

impl Csr {
    fn of(net: &Network) -> Csr {
        let n = net.node_count();
        let m = net.edges.len();
        // The tail of arc `e` is the head of its pair; a counting sort by tail, in edge order,
        // keeps each node's arcs in the order they were added.
        let mut start = vec![0u32; n + 1];
        for e in 0..m {
            start[net.edges[e ^ 1].to as usize + 1] += 1;
        }
        for u in 0..n {
            start[u + 1] += start[u];
        }
        let mut fill: Vec<u32> = start[..n].to_vec();
        let mut arc_of_edge = vec![0u32; m];
        for (e, arc) in arc_of_edge.iter_mut().enumerate() {
            let tail = net.edges[e ^ 1].to as usize;
            *arc = fill[tail];
            fill[tail] += 1;
        }
        let mut head = vec![0u32; m];
        let mut cap = vec![0i64; m];
        let mut cost = vec![0i64; m];
        let mut rev = vec![0u32; m];
        for (e, edge) in net.edges.iter().enumerate() {
            let a = arc_of_edge[e] as usize;
            head[a] = edge.to;
            cap[a] = edge.cap;
            cost[a] = edge.cost;
            rev[a] = arc_of_edge[e ^ 1];
        }
        Csr {
            start,
            head,
            cap,
            cost,
            rev,
            arc_of_edge,
        }
    }

    fn node_count(&self) -> usize {
        self.start.len() - 1
    }

    fn arcs(&self, u: usize) -> std::ops::Range<usize> {
        self.start[u] as usize..self.start[u + 1] as usize
    }

    fn min_cost_flow(&mut self, s: usize, t: usize) -> FlowResult {
        let n = self.node_count();
        let mut result = FlowResult { flow: 0, cost: 0 };
        let mut pi = self.bellman_ford(s);
        let mut dist = vec![INF; n];
        let mut level = vec![u32::MAX; n];
        let mut cursor = vec![0usize; n];
        let mut heap = BinaryHeap::new();
        let mut queue = VecDeque::new();
        loop {
            if !self.dijkstra(s, t, &pi, &mut dist, &mut heap) || dist[t] >= INF {
                break;
            }
            // Nodes farther than `t` (or not reached before it) move by `t`'s distance: the
            // reduced costs stay non-negative, and every node as near as `t` gets its exact
            // distance, so the arcs of shortest augmenting paths are exactly the zero-cost ones
            // among those nodes, as with a full search.
            let to_t = dist[t];
            for v in 0..n {
                pi[v] += dist[v].min(to_t);
            }
            // Cost of every shortest augmenting path, in original costs.
            let path_cost = pi[t] - pi[s];
            if path_cost >= 0 {
                break;
            }
            let mut pushed_any = false;
            while self.admissible_levels(s, t, &pi, &mut level, &mut queue) {
                for (u, c) in cursor.iter_mut().enumerate() {
                    *c = self.start[u] as usize;
                }
                let pushed = self.blocking_flow(s, t, &pi, &level, &mut cursor);
                if pushed == 0 {
                    break;
                }
                pushed_any = true;
                result.flow += pushed;
                result.cost += pushed * path_cost;
            }
            if !pushed_any {
                break;
            }
        }
        result
    }

    /// Shortest distances from `s` with negative costs (no negative cycles); unreachable nodes get
    /// potential 0, which is harmless since they stay unreachable.
    fn bellman_ford(&self, s: usize) -> Vec<i64> {
        let n = self.node_count();
        let mut dist = vec![INF; n];
        let mut queued = vec![false; n];
        let mut queue = VecDeque::new();
        dist[s] = 0;
        queue.push_back(s);
        queued[s] = true;
        while let Some(u) = queue.pop_front() {
            queued[u] = false;
            for a in self.arcs(u) {
                let v = self.head[a] as usize;
                if self.cap[a] > 0 && dist[u] + self.cost[a] < dist[v] {
                    dist[v] = dist[u] + self.cost[a];
                    if !queued[v] {
                        queued[v] = true;
                        queue.push_back(v);
                    }
                }
            }
        }
        dist.iter_mut().for_each(|d| {
            if *d >= INF {
                *d = 0;
            }
        });
        dist
    }

    /// Dijkstra on reduced costs, stopped once `t` is settled (nodes not settled by then keep a
    /// tentative distance, at least `t`'s); returns false if nothing is reachable beyond `s`.
    fn dijkstra(
        &self,
        s: usize,
        t: usize,
        pi: &[i64],
        dist: &mut [i64],
        heap: &mut BinaryHeap<Reverse<(i64, u32)>>,
    ) -> bool {
        dist.iter_mut().for_each(|d| *d = INF);
        dist[s] = 0;
        heap.clear();
        heap.push(Reverse((0i64, s as u32)));
        let mut reached = false;
        while let Some(Reverse((d, u))) = heap.pop() {
            let u = u as usize;
            if d > dist[u] {
                continue;
            }
            if u == t {
                break;
            }
            let base = d + pi[u];
            for a in self.arcs(u) {
                if self.cap[a] <= 0 {
                    continue;
                }
                let v = self.head[a] as usize;
                let nd = base + self.cost[a] - pi[v];
                if nd < dist[v] {
                    dist[v] = nd;
                    reached = true;
                    heap.push(Reverse((nd, v as u32)));
                }
            }
        }
        reached
    }

    fn admissible(&self, u: usize, a: usize, pi: &[i64]) -> bool {
        self.cap[a] > 0 && self.cost[a] + pi[u] - pi[self.head[a] as usize] == 0
    }

    /// BFS levels over admissible arcs (positive residual capacity, zero reduced cost).
    ///
    /// The search stops once every node as near as `t` is labelled: a node farther than `t`
    /// never lies on a shortest admissible path to it, so the blocking flow, which only follows
    /// arcs one level up, finds the same paths whether such nodes are labelled (and found dead)
    /// or not.
    fn admissible_levels(
        &self,
        s: usize,
        t: usize,
        pi: &[i64],
        level: &mut [u32],
        queue: &mut VecDeque<usize>,
    ) -> bool {
        level.iter_mut().for_each(|l| *l = u32::MAX);
        level[s] = 0;
        queue.clear();
        queue.push_back(s);
        while let Some(u) = queue.pop_front() {
            if level[u] >= level[t] {
                break;
            }
            let next = level[u] + 1;
            let pu = pi[u];
            for a in self.arcs(u) {
                if self.cap[a] <= 0 {
                    continue;
                }
                let v = self.head[a] as usize;
                if level[v] == u32::MAX && self.cost[a] + pu - pi[v] == 0 {
                    level[v] = next;
                    queue.push_back(v);
                }
            }
        }
        level[t] != u32::MAX
    }

    /// Dinic blocking flow on the admissible level graph, iteratively (no recursion depth limit).
    fn blocking_flow(
        &mut self,
        s: usize,
        t: usize,
        pi: &[i64],
        level: &[u32],
        cursor: &mut [usize],
    ) -> i64 {
        let mut total = 0;
        let mut path: Vec<usize> = Vec::new();
        let mut dead = vec![false; self.node_count()];
        let mut u = s;
        loop {
            if u == t {
                let bottleneck = path.iter().map(|&a| self.cap[a]).min().unwrap_or(0);
                for &a in &path {
                    self.cap[a] -= bottleneck;
                    self.cap[self.rev[a] as usize] += bottleneck;
                }
                total += bottleneck;
                // Retreat to the tail of the first saturated arc.
                let first = path.iter().position(|&a| self.cap[a] == 0).unwrap_or(0);
                path.truncate(first);
                u = path.last().map_or(s, |&a| self.head[a] as usize);
                continue;
            }
            let mut advanced = false;
            let end = self.start[u + 1] as usize;
            while cursor[u] < end {
                let a = cursor[u];
                let v = self.head[a] as usize;
                if !dead[v] && level[v] == level[u] + 1 && self.admissible(u, a, pi) {
                    path.push(a);
                    u = v;
                    advanced = true;
                    break;
                }
                cursor[u] += 1;
            }
            if advanced {
                continue;
            }
            dead[u] = true;
            match path.pop() {
                None => break,
                Some(a) => {
                    u = self.head[self.rev[a] as usize] as usize;
                    cursor[u] += 1;
                }
            }
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// ```text
    ///        cap 2, -10       cap 1, 0
    ///   s ───────────▶ a ───────────▶ x ──cap 1──▶ t
    ///                  │  cap 1, 0            ▲
    ///                  └────────────▶ y ──────┘ cap 5
    /// ```
    #[test]
    fn sends_every_profitable_unit_through_the_cheapest_routes() {
        let mut g = Network::new(5);
        let (s, a, x, y, t) = (0, 1, 2, 3, 4);
        let sa = g.add_edge(s, a, 2, -10);
        let ax = g.add_edge(a, x, 1, 0);
        let ay = g.add_edge(a, y, 1, 1);
        g.add_edge(x, t, 1, 0);
        g.add_edge(y, t, 5, 0);
        let r = g.min_cost_flow(s, t);
        assert_eq!(r, FlowResult { flow: 2, cost: -19 });
        assert_eq!((g.flow(sa), g.flow(ax), g.flow(ay)), (2, 1, 1));
    }

    #[test]
    fn stops_when_further_flow_would_cost_more_than_it_gains() {
        let mut g = Network::new(3);
        g.add_edge(0, 1, 3, -2);
        g.add_edge(1, 2, 3, 5);
        let r = g.min_cost_flow(0, 2);
        assert_eq!(r, FlowResult { flow: 0, cost: 0 });
    }

    /// Two sources compete for one sink slot; the cheaper total must reroute the first choice.
    #[test]
    fn reroutes_along_residual_edges() {
        // s→g1 (1, -10), s→g2 (1, -10); g1→p1 (0), g1→p2 (1), g2→p1 (0); p1,p2 → t cap 1.
        let mut g = Network::new(6);
        let (s, g1, g2, p1, p2, t) = (0, 1, 2, 3, 4, 5);
        g.add_edge(s, g1, 1, -10);
        g.add_edge(s, g2, 1, -10);
        let e11 = g.add_edge(g1, p1, 1, 0);
        let e12 = g.add_edge(g1, p2, 1, 1);
        let e21 = g.add_edge(g2, p1, 1, 0);
        g.add_edge(p1, t, 1, 0);
        g.add_edge(p2, t, 1, 0);
        let r = g.min_cost_flow(s, t);
        assert_eq!(r, FlowResult { flow: 2, cost: -19 });
        assert_eq!((g.flow(e11), g.flow(e12), g.flow(e21)), (0, 1, 1));
    }

    /// The solver as it was before it ran on the compact arc layout (plain per-node edge lists,
    /// full Dijkstra, full level search): the reference the faster one must agree with, edge by
    /// edge, since the assignment reads its choices off the flows.
    mod plain {
        use super::super::{Edge, FlowResult, INF};
        use std::cmp::Reverse;
        use std::collections::{BinaryHeap, VecDeque};

        #[derive(Default)]
        pub struct Plain {
            edges: Vec<Edge>,
            adj: Vec<Vec<u32>>,
            original: Vec<i64>,
        }

        impl Plain {
            pub fn new(n: usize) -> Plain {
                Plain {
                    edges: Vec::new(),
                    adj: vec![Vec::new(); n],
                    original: Vec::new(),
                }
            }

            pub fn node_count(&self) -> usize {
                self.adj.len()
            }

            #[allow(dead_code)]
            pub fn add_node(&mut self) -> usize {
                self.adj.push(Vec::new());
                self.adj.len() - 1
            }

            pub fn add_edge(&mut self, from: usize, to: usize, cap: i64, cost: i64) -> usize {
                let id = self.edges.len();
                self.edges.push(Edge {
                    to: to as u32,
                    cap,
                    cost,
                });
                self.edges.push(Edge {
                    to: from as u32,
                    cap: 0,
                    cost: -cost,
                });
                self.adj[from].push(id as u32);
                self.adj[to].push(id as u32 + 1);
                self.original.push(cap);
                id
            }

            pub fn flow(&self, id: usize) -> i64 {
                self.original[id / 2] - self.edges[id].cap
            }

            pub fn min_cost_flow(&mut self, s: usize, t: usize) -> FlowResult {
                let n = self.node_count();
                let mut result = FlowResult { flow: 0, cost: 0 };
                if s == t || n == 0 {
                    return result;
                }
                let mut pi = self.bellman_ford(s);
                let mut dist = vec![INF; n];
                let mut level = vec![u32::MAX; n];
                let mut cursor = vec![0usize; n];
                loop {
                    if !self.dijkstra(s, &pi, &mut dist) || dist[t] >= INF {
                        break;
                    }
                    for v in 0..n {
                        if dist[v] < INF {
                            pi[v] += dist[v];
                        }
                    }
                    // Cost of every shortest augmenting path, in original costs.
                    let path_cost = pi[t] - pi[s];
                    if path_cost >= 0 {
                        break;
                    }
                    let mut pushed_any = false;
                    while self.admissible_levels(s, t, &pi, &mut level) {
                        cursor.iter_mut().for_each(|c| *c = 0);
                        let pushed = self.blocking_flow(s, t, &pi, &level, &mut cursor);
                        if pushed == 0 {
                            break;
                        }
                        pushed_any = true;
                        result.flow += pushed;
                        result.cost += pushed * path_cost;
                    }
                    if !pushed_any {
                        break;
                    }
                }
                result
            }

            fn bellman_ford(&self, s: usize) -> Vec<i64> {
                let n = self.node_count();
                let mut dist = vec![INF; n];
                let mut queued = vec![false; n];
                let mut queue = VecDeque::new();
                dist[s] = 0;
                queue.push_back(s);
                queued[s] = true;
                while let Some(u) = queue.pop_front() {
                    queued[u] = false;
                    for &e in &self.adj[u] {
                        let edge = self.edges[e as usize];
                        if edge.cap > 0 && dist[u] + edge.cost < dist[edge.to as usize] {
                            let v = edge.to as usize;
                            dist[v] = dist[u] + edge.cost;
                            if !queued[v] {
                                queued[v] = true;
                                queue.push_back(v);
                            }
                        }
                    }
                }
                dist.iter_mut().for_each(|d| {
                    if *d >= INF {
                        *d = 0;
                    }
                });
                dist
            }

            fn dijkstra(&self, s: usize, pi: &[i64], dist: &mut [i64]) -> bool {
                dist.iter_mut().for_each(|d| *d = INF);
                dist[s] = 0;
                let mut heap = BinaryHeap::new();
                heap.push(Reverse((0i64, s as u32)));
                let mut reached = false;
                while let Some(Reverse((d, u))) = heap.pop() {
                    let u = u as usize;
                    if d > dist[u] {
                        continue;
                    }
                    for &e in &self.adj[u] {
                        let edge = self.edges[e as usize];
                        if edge.cap <= 0 {
                            continue;
                        }
                        let v = edge.to as usize;
                        let nd = d + edge.cost + pi[u] - pi[v];
                        if nd < dist[v] {
                            dist[v] = nd;
                            reached = true;
                            heap.push(Reverse((nd, v as u32)));
                        }
                    }
                }
                reached
            }

            fn admissible(&self, u: usize, e: usize, pi: &[i64]) -> bool {
                let edge = self.edges[e];
                edge.cap > 0 && edge.cost + pi[u] - pi[edge.to as usize] == 0
            }

            fn admissible_levels(&self, s: usize, t: usize, pi: &[i64], level: &mut [u32]) -> bool {
                level.iter_mut().for_each(|l| *l = u32::MAX);
                level[s] = 0;
                let mut queue = VecDeque::from([s]);
                while let Some(u) = queue.pop_front() {
                    for &e in &self.adj[u] {
                        let v = self.edges[e as usize].to as usize;
                        if level[v] == u32::MAX && self.admissible(u, e as usize, pi) {
                            level[v] = level[u] + 1;
                            queue.push_back(v);
                        }
                    }
                }
                level[t] != u32::MAX
            }

            fn blocking_flow(
                &mut self,
                s: usize,
                t: usize,
                pi: &[i64],
                level: &[u32],
                cursor: &mut [usize],
            ) -> i64 {
                let mut total = 0;
                let mut path: Vec<usize> = Vec::new();
                let mut dead = vec![false; self.node_count()];
                let mut u = s;
                loop {
                    if u == t {
                        let bottleneck = path.iter().map(|&e| self.edges[e].cap).min().unwrap_or(0);
                        for &e in &path {
                            self.edges[e].cap -= bottleneck;
                            self.edges[e ^ 1].cap += bottleneck;
                        }
                        total += bottleneck;
                        // Retreat to the tail of the first saturated edge.
                        let first = path
                            .iter()
                            .position(|&e| self.edges[e].cap == 0)
                            .unwrap_or(0);
                        path.truncate(first);
                        u = path.last().map_or(s, |&e| self.edges[e].to as usize);
                        continue;
                    }
                    let mut advanced = false;
                    while cursor[u] < self.adj[u].len() {
                        let e = self.adj[u][cursor[u]] as usize;
                        let v = self.edges[e].to as usize;
                        if !dead[v] && level[v] == level[u] + 1 && self.admissible(u, e, pi) {
                            path.push(e);
                            u = v;
                            advanced = true;
                            break;
                        }
                        cursor[u] += 1;
                    }
                    if advanced {
                        continue;
                    }
                    dead[u] = true;
                    match path.pop() {
                        None => break,
                        Some(e) => {
                            u = self.edges[e ^ 1].to as usize;
                            cursor[u] += 1;
                        }
                    }
                }
                total
            }
        }
    }

    /// (severity, count) per group, capacity per slot, (slot, tier) edges per group.
    type Shape = (Vec<(u8, i64)>, Vec<i64>, Vec<Vec<(usize, i64)>>);

    /// A random network shaped like the assignment's: source → groups (count, −severity·B),
    /// groups → slots (count, tier), slots → sink (capacity), edges added in a random order of
    /// slots per group, as `assignment::solve_code` adds them.
    fn assignment_like() -> impl Strategy<Value = Shape> {
        let groups = proptest::collection::vec((1u8..=5, 1i64..=4), 1..=7);
        let slots = proptest::collection::vec(1i64..=3, 1..=6);
        (groups, slots).prop_flat_map(|(groups, slots)| {
            let s = slots.len();
            let edges = proptest::collection::vec(
                proptest::collection::vec((0..s, 0i64..=3), 0..=s),
                groups.len(),
            );
            (Just(groups), Just(slots), edges)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]
        #[test]
        fn the_compact_solver_sends_the_same_flow_on_every_edge_as_the_plain_one(
            (groups, slots, edges) in assignment_like()
        ) {
            let n: i64 = groups.iter().map(|g| g.1).sum();
            let big = 3 * n + 1;
            let mut fast = Network::new(2 + groups.len() + slots.len());
            let mut slow = plain::Plain::new(2 + groups.len() + slots.len());
            let slot0 = 2 + groups.len();
            let mut ids = Vec::new();
            for (k, &cap) in slots.iter().enumerate() {
                ids.push(fast.add_edge(slot0 + k, 1, cap, 0));
                slow.add_edge(slot0 + k, 1, cap, 0);
            }
            for (g, (&(severity, count), list)) in groups.iter().zip(&edges).enumerate() {
                ids.push(fast.add_edge(0, 2 + g, count, -(severity as i64) * big));
                slow.add_edge(0, 2 + g, count, -(severity as i64) * big);
                let mut seen = std::collections::HashSet::new();
                for &(k, tier) in list {
                    if seen.insert(k) {
                        ids.push(fast.add_edge(2 + g, slot0 + k, count, tier));
                        slow.add_edge(2 + g, slot0 + k, count, tier);
                    }
                }
            }
            prop_assert_eq!(fast.min_cost_flow(0, 1), slow.min_cost_flow(0, 1));
            for &e in &ids {
                prop_assert_eq!(fast.flow(e), slow.flow(e), "edge {}", e);
            }
        }
    }
}
