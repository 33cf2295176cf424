//! Exact minimum-cost maximum flow, for roster planning.
//!
//! [`FlowNetwork::min_cost_max_flow`] finds a maximum flow from a source to a sink that has the
//! least cost among all maximum flows. Everything is integer arithmetic, so the answer is exact.
//!
//! # Algorithm
//!
//! Two stages, both on one compact residual graph (arcs grouped by tail, each paired with its
//! reverse):
//!
//! 1. **Maximum flow** by Dinic's algorithm (breadth-first levels, then a blocking flow by an
//!    iterative depth-first search). This fixes the flow value `F`.
//! 2. **Minimum cost** for that value by Goldberg's *cost-scaling push-relabel* algorithm
//!    (the algorithm of OR-Tools' `MinCostFlow` and of CS2): costs are multiplied by
//!    `n + 1`; starting from ε = the largest scaled cost, each *refine* divides ε by α = 12
//!    and turns an (α·ε)-optimal flow into an ε-optimal one by saturating every residual arc
//!    of negative reduced cost and then discharging the nodes with excess (push along
//!    admissible arcs, relabel when there is none, with the *push look-ahead* heuristic). A
//!    1-optimal flow in scaled units is `1/(n+1)`-optimal in the original ones, hence optimal.
//!    A bitset of the arcs with residual capacity lets a shift node with hundreds of eligible
//!    volunteers, of which a handful carry flow, skip the rest 64 at a time.
//!
//! Successive shortest paths would need one Dijkstra per unit (or per distance level) of flow
//! over the whole graph — in roster instances every unused volunteer stays at distance 0 from
//! the source, so each of those searches touches nearly every arc; cost scaling instead only
//! works where flow moves. On a 10 000 volunteers × 1 000 shifts roster (~800 000 arcs) it
//! solves in well under a second, about 0.6× the time of OR-Tools' `SimpleMinCostFlow` (see
//! `benches/compare_ortools.py`).
//!
//! Negative costs are allowed: negative-cost cycles are saturated, as "minimum cost among all
//! maximum flows" requires (the flow value of a circulation is 0). Prices are kept in `i64`
//! while `(n + 1) · max|cost|` and the prices leave ample headroom, and in `i128` otherwise
//! (an `i64` run whose prices outgrow the margin is redone in `i128`), so no input within the
//! limits below overflows.
//!
//! # Limits
//!
//! * Nodes given to [`FlowNetwork::add_arc`] and [`FlowNetwork::min_cost_max_flow`] must be
//!   `< node_count()`. This is checked with `debug_assert!` only; in release builds an arc with
//!   an out-of-range end is ignored (flow 0), and an out-of-range source or sink means a flow
//!   value of 0.
//! * Capacities must be `>= 0` (again a `debug_assert!`; negative ones count as 0).
//! * The sum of all capacities must fit in an `i64`, and so must the sum over arcs of
//!   `capacity · |cost|` (so that every flow's cost is representable; in particular no cost
//!   is `i64::MIN`). Within those limits nothing overflows; beyond them the solve panics
//!   when the total cost does not fit.
//! * `source == sink` gives a flow value of 0 (and the cheapest circulation).
//! * At most `u32::MAX / 2` arcs and `u32::MAX` nodes.
//!
//! # DIMACS
//!
//! [`FlowNetwork::write_dimacs`] and [`FlowNetwork::read_dimacs`] use the DIMACS min-cost-flow
//! text format (1-based nodes):
//!
//! ```text
//! c any comment
//! c source 1
//! c sink 6
//! p min 6 8
//! a 1 2 0 4 3
//! ```
//!
//! `p min NODES ARCS` comes before the arcs; each `a FROM TO LOW CAP COST` line is one arc
//! (LOW must be 0). Since the flow value of a max-flow instance is not known up front, the
//! source and sink are marked by the comment lines `c source N` and `c sink N`, which keeps
//! the file a valid DIMACS min-cost-flow file (other solvers read it as a circulation
//! problem). When reading, supply lines `n N V` are also accepted as markers: `V > 0` marks
//! the source and `V < 0` the sink (the magnitude is ignored, the flow is maximised).

mod cost_scaling;
mod dimacs;
mod graph;
#[cfg(test)]
mod tests;

pub use dimacs::DimacsError;

/// Node index.
pub type Node = usize;

/// Handle of an arc, returned by [`FlowNetwork::add_arc`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ArcId(usize);

impl ArcId {
    /// The arc's position in the order of [`FlowNetwork::add_arc`] calls (0-based).
    pub fn index(self) -> usize {
        self.0
    }
}

/// The result of [`FlowNetwork::min_cost_max_flow`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Solution {
    /// The maximum flow value from the source to the sink.
    pub flow: i64,
    /// The least total cost (Σ flow · cost over arcs) of any flow with that value.
    pub cost: i64,
}

#[derive(Debug, Clone, Copy)]
struct ArcData {
    from: Node,
    to: Node,
    capacity: i64,
    cost: i64,
}

/// A directed network with arc capacities and per-unit costs.
#[derive(Debug, Clone, Default)]
pub struct FlowNetwork {
    nodes: usize,
    arcs: Vec<ArcData>,
    /// Flow per arc from the last solve (0 for arcs added since).
    flows: Vec<i64>,
}

impl FlowNetwork {
    /// A network with nodes `0..nodes` and no arcs.
    pub fn new(nodes: usize) -> Self {
        FlowNetwork {
            nodes,
            arcs: Vec::new(),
            flows: Vec::new(),
        }
    }

    /// How many nodes the network has.
    pub fn node_count(&self) -> usize {
        self.nodes
    }

    /// How many arcs have been added.
    pub fn arc_count(&self) -> usize {
        self.arcs.len()
    }

    /// Adds an arc from `from` to `to` that carries at most `capacity` units at `cost` each.
    ///
    /// `capacity` must be `>= 0` and both nodes `< node_count()`; both are checked by
    /// `debug_assert!` only (see the [module docs](self) for what release builds do). Parallel
    /// arcs and loops are allowed.
    pub fn add_arc(&mut self, from: Node, to: Node, capacity: i64, cost: i64) -> ArcId {
        debug_assert!(
            from < self.nodes && to < self.nodes,
            "arc {from}->{to} in a network of {} nodes",
            self.nodes
        );
        debug_assert!(capacity >= 0, "negative capacity {capacity}");
        self.arcs.push(ArcData {
            from,
            to,
            capacity,
            cost,
        });
        self.flows.push(0);
        ArcId(self.arcs.len() - 1)
    }

    /// The tail, head, capacity and cost of an arc.
    pub fn arc(&self, arc: ArcId) -> (Node, Node, i64, i64) {
        let a = self.arcs[arc.0];
        (a.from, a.to, a.capacity, a.cost)
    }

    /// Computes a maximum flow from `source` to `sink` that has minimum cost among all maximum
    /// flows, stores the flow per arc (see [`flow`](Self::flow)) and returns its value and cost.
    ///
    /// `progress` is called now and then with the flow value found so far, so a CLI can draw a
    /// progress bar: it rises while the maximum flow is found, then is repeated (with the final
    /// value) after each cost-scaling phase. Pass `|_| {}` otherwise.
    pub fn min_cost_max_flow(
        &mut self,
        source: Node,
        sink: Node,
        progress: impl FnMut(i64),
    ) -> Solution {
        self.solve(source, sink, progress, false)
    }

    /// Flow on an arc after solving (0 before the first solve and for arcs added since).
    pub fn flow(&self, arc: ArcId) -> i64 {
        self.flows[arc.0]
    }

    fn solve(
        &mut self,
        source: Node,
        sink: Node,
        mut progress: impl FnMut(i64),
        force_wide_prices: bool,
    ) -> Solution {
        debug_assert!(
            source < self.nodes && sink < self.nodes,
            "source {source} / sink {sink} in a network of {} nodes",
            self.nodes
        );
        let n = self.nodes;
        assert!(
            u32::try_from(n).is_ok() && self.arcs.len() <= (u32::MAX / 2) as usize,
            "network too large"
        );
        self.flows.fill(0);

        // Arcs the residual graph needs: valid ends, positive capacity, not a loop. Loops are
        // settled directly: saturated when their cost is negative.
        let mut used = Vec::with_capacity(self.arcs.len());
        for (i, a) in self.arcs.iter().enumerate() {
            if a.from >= n || a.to >= n || a.capacity <= 0 {
                continue;
            }
            if a.from == a.to {
                if a.cost < 0 {
                    self.flows[i] = a.capacity;
                }
                continue;
            }
            used.push(i as u32);
        }
        let mut g = graph::Residual::build(n, &self.arcs, &used);

        let flow_value = if source < n && sink < n && source != sink {
            g.max_flow(source as u32, sink as u32, &mut progress)
        } else {
            0
        };

        let max_abs_cost = used
            .iter()
            .map(|&i| self.arcs[i as usize].cost.unsigned_abs())
            .max()
            .unwrap_or(0);
        let has_negative = used.iter().any(|&i| self.arcs[i as usize].cost < 0);
        // With only non-negative costs an empty flow is already optimal; with all costs zero
        // any maximum flow is.
        let needs_costs = max_abs_cost > 0 && (flow_value > 0 || has_negative);
        if needs_costs {
            // Scaled costs, max|cost| · (n + 1), must leave room for prices in an i64;
            // prices that outgrow it anyway are detected and the stage reruns in i128.
            let scaled = u128::from(max_abs_cost) * (n as u128 + 1);
            let narrow = !force_wide_prices && scaled <= (i64::MAX / 8) as u128;
            let done = narrow
                && cost_scaling::minimize_cost::<i64>(&mut g, flow_value, &mut progress).is_ok();
            if !done {
                if narrow {
                    // The i64 attempt ran out of room midway: start again from a fresh
                    // maximum flow.
                    #[cfg(test)]
                    tests::WIDE_RERUNS.with(|r| r.set(r.get() + 1));
                    g.reset();
                    if source < n && sink < n && source != sink {
                        g.max_flow(source as u32, sink as u32, &mut |_| {});
                    }
                }
                cost_scaling::minimize_cost::<i128>(&mut g, flow_value, &mut progress)
                    .expect("prices overflow i128; see the module docs for the limits");
            }
        }

        for (k, &i) in used.iter().enumerate() {
            self.flows[i as usize] = g.flow_of(k);
        }
        let cost: i128 = self
            .arcs
            .iter()
            .zip(&self.flows)
            .map(|(a, &f)| i128::from(a.cost) * i128::from(f))
            .sum();
        let cost = i64::try_from(cost).expect("total cost overflows i64; see the module docs");
        progress(flow_value);
        Solution {
            flow: flow_value,
            cost,
        }
    }
}
