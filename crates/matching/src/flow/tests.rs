//! Tests of the solver: against brute force on tiny networks, against cycle cancelling on
//! medium ones, hand-made cases and the DIMACS reader/writer.

use super::*;
use proptest::prelude::*;
use std::cell::Cell;

thread_local! {
    /// How often this thread's solves had to rerun the cost stage with i128 prices.
    pub(super) static WIDE_RERUNS: Cell<usize> = const { Cell::new(0) };
}

/// (from, to, capacity, cost)
type Arcs = Vec<(usize, usize, i64, i64)>;

fn network(n: usize, arcs: &[(usize, usize, i64, i64)]) -> (FlowNetwork, Vec<ArcId>) {
    let mut net = FlowNetwork::new(n);
    let ids = arcs
        .iter()
        .map(|&(u, v, cap, cost)| net.add_arc(u, v, cap, cost))
        .collect();
    (net, ids)
}

/// Checks that the stored per-arc flows are a feasible flow of value `sol.flow` whose cost is
/// `sol.cost`.
fn assert_feasible(net: &FlowNetwork, ids: &[ArcId], s: Node, t: Node, sol: Solution) {
    let mut balance = vec![0i64; net.node_count()];
    let mut cost = 0i64;
    for &id in ids {
        let (u, v, cap, c) = net.arc(id);
        let f = net.flow(id);
        assert!(
            (0..=cap).contains(&f),
            "flow {f} on arc {id:?} of capacity {cap}"
        );
        balance[u] -= f;
        balance[v] += f;
        cost += f * c;
    }
    for (v, &b) in balance.iter().enumerate() {
        if v != s && v != t {
            assert_eq!(b, 0, "flow not conserved at node {v}");
        }
    }
    if s != t {
        assert_eq!(-balance[s], sol.flow, "net outflow of the source");
        assert_eq!(balance[t], sol.flow, "net inflow of the sink");
    } else {
        assert_eq!(sol.flow, 0);
    }
    assert_eq!(cost, sol.cost, "Σ flow · cost");
}

/// Maximum flow value, then minimum cost, over every integer flow (all arc flows within
/// capacity, conservation everywhere but `s` and `t`).
fn brute_force(n: usize, arcs: &[(usize, usize, i64, i64)], s: Node, t: Node) -> Solution {
    // After which arc each node's balance is final.
    let mut last = vec![usize::MAX; n];
    for (i, &(u, v, _, _)) in arcs.iter().enumerate() {
        last[u] = i;
        last[v] = i;
    }
    struct Search<'a> {
        arcs: &'a [(usize, usize, i64, i64)],
        last: Vec<usize>,
        s: Node,
        t: Node,
        balance: Vec<i64>,
        best: Option<(i64, i64)>,
    }
    impl Search<'_> {
        fn go(&mut self, i: usize, cost: i64) {
            let (s, t) = (self.s, self.t);
            if i == self.arcs.len() {
                let value = if s == t { 0 } else { -self.balance[s] };
                let better = match self.best {
                    None => true,
                    Some((bv, bc)) => value > bv || (value == bv && cost < bc),
                };
                if better {
                    self.best = Some((value, cost));
                }
                return;
            }
            let (u, v, cap, c) = self.arcs[i];
            for f in 0..=cap {
                self.balance[u] -= f;
                self.balance[v] += f;
                let settled =
                    |x: usize| x == s || x == t || self.last[x] != i || self.balance[x] == 0;
                if settled(u) && settled(v) {
                    self.go(i + 1, cost + f * c);
                }
                self.balance[u] += f;
                self.balance[v] -= f;
            }
        }
    }
    let mut search = Search {
        arcs,
        last,
        s,
        t,
        balance: vec![0; n],
        best: None,
    };
    search.go(0, 0);
    let best = search.best;
    let (flow, cost) = best.expect("the zero flow is always feasible");
    Solution { flow, cost }
}

/// Reference for bigger networks: a maximum flow by shortest augmenting paths (BFS), then
/// cancelling negative residual cycles (Bellman-Ford) until none is left.
fn cycle_cancelling(n: usize, arcs: &[(usize, usize, i64, i64)], s: Node, t: Node) -> Solution {
    let mut flow = vec![0i64; arcs.len()];
    // Residual moves: (arc, forward?)
    let residual = |flow: &[i64], i: usize, forward: bool| {
        if forward {
            arcs[i].2 - flow[i]
        } else {
            flow[i]
        }
    };
    let moves: Vec<(usize, bool)> = (0..arcs.len())
        .flat_map(|i| [(i, true), (i, false)])
        .filter(|&(i, _)| arcs[i].0 != arcs[i].1)
        .collect();
    let ends = |(i, forward): (usize, bool)| {
        let (u, v, _, _) = arcs[i];
        if forward { (u, v) } else { (v, u) }
    };
    let mut value = 0;
    if s != t {
        loop {
            let mut via: Vec<Option<(usize, bool)>> = vec![None; n];
            let mut seen = vec![false; n];
            seen[s] = true;
            let mut queue = std::collections::VecDeque::from([s]);
            while let Some(x) = queue.pop_front() {
                for &m in &moves {
                    let (a, b) = ends(m);
                    if a == x && !seen[b] && residual(&flow, m.0, m.1) > 0 {
                        seen[b] = true;
                        via[b] = Some(m);
                        queue.push_back(b);
                    }
                }
            }
            if !seen[t] {
                break;
            }
            let mut path = Vec::new();
            let mut x = t;
            while x != s {
                let m = via[x].unwrap();
                path.push(m);
                x = ends(m).0;
            }
            let push = path
                .iter()
                .map(|&m| residual(&flow, m.0, m.1))
                .min()
                .unwrap();
            for &(i, forward) in &path {
                flow[i] += if forward { push } else { -push };
            }
            value += push;
        }
    }
    // Loops of negative cost are cycles of their own.
    for (i, &(u, v, cap, c)) in arcs.iter().enumerate() {
        if u == v && c < 0 {
            flow[i] = cap;
        }
    }
    loop {
        // Bellman-Ford from a virtual root connected to every node.
        let mut dist = vec![0i64; n];
        let mut via: Vec<Option<(usize, bool)>> = vec![None; n];
        let mut changed_at = None;
        for _ in 0..n {
            changed_at = None;
            for &m in &moves {
                if residual(&flow, m.0, m.1) == 0 {
                    continue;
                }
                let (a, b) = ends(m);
                let c = if m.1 { arcs[m.0].3 } else { -arcs[m.0].3 };
                if dist[a] + c < dist[b] {
                    dist[b] = dist[a] + c;
                    via[b] = Some(m);
                    changed_at = Some(b);
                }
            }
            if changed_at.is_none() {
                break;
            }
        }
        let Some(mut x) = changed_at else { break };
        // Walk back n steps to land on the cycle, then collect it.
        for _ in 0..n {
            x = ends(via[x].unwrap()).0;
        }
        let start = x;
        let mut cycle = Vec::new();
        loop {
            let m = via[x].unwrap();
            cycle.push(m);
            x = ends(m).0;
            if x == start {
                break;
            }
        }
        let push = cycle
            .iter()
            .map(|&m| residual(&flow, m.0, m.1))
            .min()
            .unwrap();
        for &(i, forward) in &cycle {
            flow[i] += if forward { push } else { -push };
        }
    }
    let cost = arcs.iter().zip(&flow).map(|(a, f)| a.3 * f).sum();
    Solution { flow: value, cost }
}

fn solve(n: usize, arcs: &[(usize, usize, i64, i64)], s: Node, t: Node, wide: bool) -> Solution {
    let (mut net, ids) = network(n, arcs);
    let sol = net.solve(s, t, |_| {}, wide);
    assert_feasible(&net, &ids, s, t, sol);
    sol
}

/// Tiny networks: 2..=7 nodes, up to 9 arcs (parallel arcs and loops included).
fn tiny(costs: std::ops::RangeInclusive<i64>) -> impl Strategy<Value = (usize, Arcs, Node, Node)> {
    (2usize..=7).prop_flat_map(move |n| {
        let arc = (0..n, 0..n, 0i64..=4, costs.clone());
        (Just(n), prop::collection::vec(arc, 0..=9), 0..n, 0..n)
    })
}

/// Medium networks for the cycle-cancelling reference.
fn medium(
    costs: std::ops::RangeInclusive<i64>,
) -> impl Strategy<Value = (usize, Arcs, Node, Node)> {
    (2usize..=25).prop_flat_map(move |n| {
        let arc = (0..n, 0..n, 0i64..=12, costs.clone());
        (Just(n), prop::collection::vec(arc, 0..=70), 0..n, 0..n)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn matches_brute_force((n, arcs, s, t) in tiny(0..=20)) {
        let expected = brute_force(n, &arcs, s, t);
        prop_assert_eq!(solve(n, &arcs, s, t, false), expected);
    }

    #[test]
    fn matches_brute_force_with_negative_costs((n, arcs, s, t) in tiny(-10..=20)) {
        let expected = brute_force(n, &arcs, s, t);
        prop_assert_eq!(solve(n, &arcs, s, t, false), expected);
        prop_assert_eq!(solve(n, &arcs, s, t, true), expected);
    }

    #[test]
    fn matches_cycle_cancelling((n, arcs, s, t) in medium(0..=50)) {
        let expected = cycle_cancelling(n, &arcs, s, t);
        prop_assert_eq!(solve(n, &arcs, s, t, false), expected);
    }

    #[test]
    fn matches_cycle_cancelling_with_negative_costs((n, arcs, s, t) in medium(-30..=50)) {
        let expected = cycle_cancelling(n, &arcs, s, t);
        prop_assert_eq!(solve(n, &arcs, s, t, false), expected);
        prop_assert_eq!(solve(n, &arcs, s, t, true), expected);
    }

    #[test]
    fn roster_matches_brute_force_over_assignments(roster in roster_strategy()) {
        let (n, arcs, s, t) = roster.network();
        let expected = roster.brute_force();
        prop_assert_eq!(solve(n, &arcs, s, t, false), expected);
    }
}

/// A small roster: volunteers with a weekly limit (convex unit arcs or one arc), shifts on
/// days with seats, eligible (volunteer, shift) pairs with costs.
#[derive(Debug, Clone)]
struct Roster {
    /// Per volunteer: how many shifts, at what cost.
    limits: Vec<Limit>,
    /// Per shift: (day, seats).
    shifts: Vec<(usize, i64)>,
    /// (volunteer, shift, cost)
    pairs: Vec<(usize, usize, i64)>,
}

#[derive(Debug, Clone)]
enum Limit {
    /// Unit arcs with these (increasing) costs.
    Convex(Vec<i64>),
    /// One arc of this capacity at cost 0.
    Plain(i64),
}

fn roster_strategy() -> impl Strategy<Value = Roster> {
    let limit = prop_oneof![
        (1usize..=3, 0i64..=8)
            .prop_map(|(k, step)| Limit::Convex((0..k as i64).map(|i| i * step).collect())),
        (1i64..=2).prop_map(Limit::Plain),
    ];
    (
        prop::collection::vec(limit, 1..=3),
        prop::collection::vec((0usize..2, 1i64..=2), 1..=3),
    )
        .prop_flat_map(|(limits, shifts)| {
            let (nv, ns) = (limits.len(), shifts.len());
            let pair = (0..nv, 0..ns, 0i64..=20);
            (
                Just(limits),
                Just(shifts),
                prop::collection::vec(pair, 0..=9),
            )
        })
        .prop_map(|(limits, shifts, mut pairs)| {
            // One arc per (volunteer, shift).
            pairs.sort_by_key(|p| (p.0, p.1));
            pairs.dedup_by_key(|p| (p.0, p.1));
            Roster {
                limits,
                shifts,
                pairs,
            }
        })
}

impl Roster {
    /// source, sink, volunteers, shifts, then (volunteer, day) nodes.
    fn network(&self) -> (usize, Arcs, Node, Node) {
        let (nv, ns) = (self.limits.len(), self.shifts.len());
        let (s, t) = (0, 1);
        let vol = |v: usize| 2 + v;
        let shift = |j: usize| 2 + nv + j;
        let mut arcs = Vec::new();
        for (v, limit) in self.limits.iter().enumerate() {
            match limit {
                Limit::Convex(costs) => arcs.extend(costs.iter().map(|&c| (s, vol(v), 1, c))),
                Limit::Plain(cap) => arcs.push((s, vol(v), *cap, 0)),
            }
        }
        let mut day_nodes = std::collections::BTreeMap::new();
        let mut n = 2 + nv + ns;
        for &(v, j, c) in &self.pairs {
            let day = self.shifts[j].0;
            let node = *day_nodes.entry((v, day)).or_insert_with(|| {
                arcs.push((vol(v), n, 1, 0));
                n += 1;
                n - 1
            });
            arcs.push((node, shift(j), 1, c));
        }
        for (j, &(_, seats)) in self.shifts.iter().enumerate() {
            arcs.push((shift(j), t, seats, 0));
        }
        (n, arcs, s, t)
    }

    /// The most assignments, then the least cost, over every subset of the pairs.
    fn brute_force(&self) -> Solution {
        let mut best = Solution { flow: 0, cost: 0 };
        for mask in 0u32..1 << self.pairs.len() {
            let chosen: Vec<_> = (0..self.pairs.len())
                .filter(|i| mask >> i & 1 == 1)
                .map(|i| self.pairs[i])
                .collect();
            let mut per_volunteer = vec![0usize; self.limits.len()];
            let mut per_shift = vec![0i64; self.shifts.len()];
            let mut days = std::collections::HashSet::new();
            let mut ok = true;
            let mut cost = 0;
            for &(v, j, c) in &chosen {
                per_volunteer[v] += 1;
                per_shift[j] += 1;
                ok &= days.insert((v, self.shifts[j].0));
                cost += c;
            }
            for (j, &(_, seats)) in self.shifts.iter().enumerate() {
                ok &= per_shift[j] <= seats;
            }
            for (v, limit) in self.limits.iter().enumerate() {
                let k = per_volunteer[v];
                match limit {
                    Limit::Convex(costs) => {
                        ok &= k <= costs.len();
                        let mut sorted = costs.clone();
                        sorted.sort();
                        cost += sorted.iter().take(k).sum::<i64>();
                    }
                    Limit::Plain(cap) => ok &= k as i64 <= *cap,
                }
            }
            let flow = chosen.len() as i64;
            if ok && (flow > best.flow || (flow == best.flow && cost < best.cost)) {
                best = Solution { flow, cost };
            }
        }
        best
    }
}

#[test]
fn empty_network() {
    let mut net = FlowNetwork::new(2);
    assert_eq!(net.node_count(), 2);
    assert_eq!(net.arc_count(), 0);
    let sol = net.min_cost_max_flow(0, 1, |_| {});
    assert_eq!(sol, Solution { flow: 0, cost: 0 });
}

#[test]
fn unreachable_sink() {
    // 0 -> 1 and 2 -> 3, sink 3 unreachable from source 0.
    let arcs = [(0, 1, 5, 1), (2, 3, 5, 1), (3, 2, 1, 0)];
    assert_eq!(solve(4, &arcs, 0, 3, false), Solution { flow: 0, cost: 0 });
}

#[test]
fn source_equals_sink_gives_no_flow() {
    let arcs = [(0, 1, 5, 1), (1, 0, 5, 1)];
    assert_eq!(solve(2, &arcs, 0, 0, false), Solution { flow: 0, cost: 0 });
    // ... but the cheapest circulation: the negative cycle is used.
    let arcs = [(0, 1, 5, 1), (1, 0, 3, -4)];
    assert_eq!(solve(2, &arcs, 0, 0, false), Solution { flow: 0, cost: -9 });
}

#[test]
fn parallel_arcs_cheapest_first() {
    let arcs = [(0, 1, 2, 5), (0, 1, 3, 1), (0, 1, 1, 3), (1, 2, 4, 0)];
    let (mut net, ids) = network(3, &arcs);
    let sol = net.min_cost_max_flow(0, 2, |_| {});
    assert_eq!(
        sol,
        Solution {
            flow: 4,
            cost: 3 + 3
        }
    ); // 3 units at 1, 1 unit at 3
    assert_eq!(
        ids.iter().map(|&id| net.flow(id)).collect::<Vec<_>>(),
        [0, 3, 1, 4]
    );
}

#[test]
fn hand_computed_example() {
    // s=0, a=1, b=2, t=3.
    //   s->a cap 4 cost 2, s->b cap 2 cost 2, a->b cap 2 cost 1 (cheap detour),
    //   a->t cap 3 cost 3, b->t cap 5 cost 1.
    // Max flow 6 (s has 6 out). All 6 units reach t: b->t can take 5, a->t 3.
    // Route: s->b->t 2 units (cost 3 each = 6), s->a->b->t 2 units (cost 4 each = 8),
    // s->a->t 2 units (cost 5 each = 10). Total 24.
    let arcs = [
        (0, 1, 4, 2),
        (0, 2, 2, 2),
        (1, 2, 2, 1),
        (1, 3, 3, 3),
        (2, 3, 5, 1),
    ];
    assert_eq!(solve(4, &arcs, 0, 3, false), Solution { flow: 6, cost: 24 });
    assert_eq!(brute_force(4, &arcs, 0, 3), Solution { flow: 6, cost: 24 });
}

#[test]
fn maximum_flow_beats_cost() {
    // A cheap path of capacity 1 blocks two expensive ones unless rerouted.
    // s=0, 1, 2, t=3: s->1 (1, 0), s->2 (1, 0), 1->2 (1, 0), 1->t (1, 100), 2->t (1, 0).
    // Cheapest single unit: s->1->2->t (cost 0); max flow 2 needs s->1->t + s->2->t = 100.
    let arcs = [
        (0, 1, 1, 0),
        (0, 2, 1, 0),
        (1, 2, 1, 0),
        (1, 3, 1, 100),
        (2, 3, 1, 0),
    ];
    assert_eq!(
        solve(4, &arcs, 0, 3, false),
        Solution { flow: 2, cost: 100 }
    );
}

#[test]
fn negative_cycle_off_the_path_is_saturated() {
    // Path 0->1 (2, 1); separate cycle 2->3 (3, -5), 3->2 (3, 1): cost 2·1 + 3·(-4) = -10.
    let arcs = [
        (0, 1, 2, 1),
        (2, 3, 3, -5),
        (3, 2, 3, 1),
        (2, 2, 4, -1),
        (1, 1, 4, 2),
    ];
    assert_eq!(
        solve(4, &arcs, 0, 1, false),
        Solution { flow: 2, cost: -14 }
    );
}

#[test]
fn huge_costs_are_exact() {
    // Costs so large that scaled prices need i128.
    let big = 400_000_000_000_000_000i64; // 4e17: (n + 1) · big does not fit the i64 margin
    let arcs = [
        (0, 1, 2, big),
        (0, 2, 2, big + 7),
        (1, 2, 1, 1),
        (1, 3, 2, big - 3),
        (2, 3, 3, 2),
        (3, 1, 1, -big),
    ];
    let expected = brute_force(4, &arcs, 0, 3);
    assert_eq!(solve(4, &arcs, 0, 3, false), expected);
    assert_eq!(cycle_cancelling(4, &arcs, 0, 3), expected);
}

#[test]
fn costs_near_the_narrow_limit_are_exact() {
    // A long chain with parallel detours and costs close to what i64 prices allow.
    let n = 40;
    let c = (i64::MAX / 8) / (n as i64 + 1) / 2;
    let mut arcs = Vec::new();
    for v in 0..n - 1 {
        arcs.push((v, v + 1, 3, c - v as i64));
        arcs.push((v, v + 1, 2, v as i64));
        if v + 2 < n {
            arcs.push((v, v + 2, 1, c / 2));
        }
    }
    let expected = cycle_cancelling(n, &arcs, 0, n - 1);
    let before = WIDE_RERUNS.with(Cell::get);
    assert_eq!(solve(n, &arcs, 0, n - 1, false), expected);
    // Prices along the chain outgrow the i64 margin: the rerun in i128 was exercised.
    assert_eq!(WIDE_RERUNS.with(Cell::get), before + 1);
}

#[test]
fn progress_reports_the_flow() {
    let arcs = [
        (0, 1, 4, 2),
        (0, 2, 2, 2),
        (1, 2, 2, 1),
        (1, 3, 3, 3),
        (2, 3, 5, 1),
    ];
    let (mut net, _) = network(4, &arcs);
    let mut seen = Vec::new();
    net.min_cost_max_flow(0, 3, |f| seen.push(f));
    assert_eq!(seen.last(), Some(&6));
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
}

#[test]
fn solving_again_and_adding_arcs() {
    let (mut net, ids) = network(3, &[(0, 1, 2, 1), (1, 2, 2, 1)]);
    assert_eq!(
        net.min_cost_max_flow(0, 2, |_| {}),
        Solution { flow: 2, cost: 4 }
    );
    let extra = net.add_arc(0, 2, 1, 0);
    assert_eq!(net.flow(extra), 0);
    assert_eq!(net.flow(ids[0]), 2);
    assert_eq!(
        net.min_cost_max_flow(0, 2, |_| {}),
        Solution { flow: 3, cost: 4 }
    );
    assert_eq!(net.flow(extra), 1);
    // The other direction: nothing flows back.
    assert_eq!(
        net.min_cost_max_flow(2, 0, |_| {}),
        Solution { flow: 0, cost: 0 }
    );
    assert_eq!(net.flow(ids[0]), 0);
}

#[test]
fn dimacs_round_trip() {
    let arcs = [
        (0, 1, 4, 2),
        (0, 2, 2, -2),
        (1, 2, 0, 1),
        (1, 3, 3, 3),
        (2, 3, 5, 1),
        (2, 2, 1, 4),
    ];
    let (mut net, _) = network(5, &arcs);
    let mut text = Vec::new();
    net.write_dimacs(0, 3, &mut text).unwrap();
    let text = String::from_utf8(text).unwrap();
    assert!(
        text.contains("\nc source 1\n") && text.contains("\nc sink 4\n"),
        "{text}"
    );
    assert!(text.contains("\np min 5 6\n"), "{text}");
    let (mut back, s, t) = FlowNetwork::read_dimacs(&text).unwrap();
    assert_eq!((s, t, back.node_count(), back.arc_count()), (0, 3, 5, 6));
    for (k, &arc) in arcs.iter().enumerate() {
        assert_eq!(back.arc(ArcId(k)), arc);
    }
    assert_eq!(
        back.min_cost_max_flow(s, t, |_| {}),
        net.min_cost_max_flow(0, 3, |_| {})
    );
}

#[test]
fn dimacs_supply_lines_mark_source_and_sink() {
    let text = "p min 3 2\nn 2 10\nn 3 -10\na 2 1 0 1 1\na 1 3 0 1 1\n";
    let (net, s, t) = FlowNetwork::read_dimacs(text).unwrap();
    assert_eq!((s, t, net.arc_count()), (1, 2, 2));
}

#[test]
fn dimacs_errors_carry_line_numbers() {
    let cases = [
        (
            "c source 1\nc sink 2\np min 2 1\na 1 2 0 x 1\n",
            4,
            "capacity",
        ),
        (
            "c source 1\nc sink 2\np min 2 1\na 1 3 0 1 1\n",
            4,
            "out of range",
        ),
        (
            "c source 1\nc sink 2\np min 2 1\na 1 2 1 1 1\n",
            4,
            "lower bound",
        ),
        (
            "c source 1\nc sink 2\np min 2 1\na 1 2 0 -1 1\n",
            4,
            "negative capacity",
        ),
        (
            "c source 1\nc sink 2\np min 2 1\na 1 2 0 1\n",
            4,
            "expected",
        ),
        (
            "c source 1\nc sink 2\na 1 2 0 1 1\n",
            3,
            "before the problem line",
        ),
        ("c source 1\nc sink 2\np max 2 1\n", 3, "problem type"),
        (
            "c source 1\nc sink 2\np min 2 2\na 1 2 0 1 1\n",
            5,
            "declares 2",
        ),
        ("c source 1\np min 2 0\n", 3, "no sink"),
        ("c sink 2\np min 2 0\n", 3, "no source"),
        ("c source 1\nc sink 2\n", 3, "no problem line"),
        (
            "c source 1\nc source 2\nc sink 2\np min 2 0\n",
            2,
            "second source",
        ),
        ("c source 3\nc sink 2\np min 2 0\n", 3, "not among"),
        (
            "c source 1\nc sink 2\np min 2 0\nx\n",
            4,
            "unknown line type",
        ),
        (
            "c source 1\nc sink 2\np min 2 0\na 1 2 0 1 1\n",
            4,
            "more arcs",
        ),
    ];
    for (text, line, what) in cases {
        let err = FlowNetwork::read_dimacs(text).unwrap_err();
        assert_eq!(err.line, line, "{text:?}: {err}");
        assert!(err.to_string().contains(what), "{text:?}: {err}");
        assert!(
            err.to_string()
                .starts_with(&format!("DIMACS line {line}: "))
        );
    }
}
