//! The minimum-cost stage: Goldberg's cost-scaling push-relabel algorithm.
//!
//! Conventions: the reduced cost of a residual slot `v -> w` is `cost + price[v] - price[w]`;
//! a flow is ε-optimal when every slot with residual capacity has reduced cost `>= -ε`; a slot
//! is *admissible* when it has residual capacity and negative reduced cost. Prices only go down.
//!
//! Heuristics: push look-ahead (Goldberg 1997, §4.3), the cheap "lower by ε if that creates an
//! admissible slot" relabel, and a bitset of slots with residual capacity so that scanning a
//! node of high degree (a shift with hundreds of eligible volunteers, of which a handful carry
//! flow) skips its saturated slots 64 at a time. A global price update was tried and dropped:
//! on roster instances it cost more than it saved (as in OR-Tools, where it is off by default).

use super::graph::Residual;
use std::fmt::Debug;
use std::ops::{Add, Div, Mul, Neg, Sub};

/// The factor by which ε shrinks from one refine to the next. OR-Tools uses 5; on roster
/// instances 12 does about a quarter fewer pushes and relabels (8–16 are within ±15% of 5 on
/// random sparse and assignment networks).
pub(super) const ALPHA: i64 = 12;

/// Integer type for scaled costs and prices.
pub(super) trait Price:
    Copy
    + Ord
    + Debug
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    const ZERO: Self;
    const ONE: Self;
    const MAX: Self;
    /// Prices below this mean the type is too narrow for the instance.
    const FLOOR: Self;
    fn from_i64(v: i64) -> Self;
}

impl Price for i64 {
    const ZERO: Self = 0;
    const ONE: Self = 1;
    const MAX: Self = i64::MAX;
    const FLOOR: Self = -(i64::MAX / 4);
    fn from_i64(v: i64) -> Self {
        v
    }
}

impl Price for i128 {
    const ZERO: Self = 0;
    const ONE: Self = 1;
    const MAX: Self = i128::MAX;
    const FLOOR: Self = -(i128::MAX / 4);
    fn from_i64(v: i64) -> Self {
        v.into()
    }
}

/// The price type was too narrow; rerun with a wider one.
#[derive(Debug)]
pub(super) struct Overflow;

/// Turns the feasible flow in `g` (value `flow_value` from source to sink, conserved elsewhere)
/// into a minimum-cost one with the same value.
pub(super) fn minimize_cost<P: Price>(
    g: &mut Residual,
    flow_value: i64,
    progress: &mut impl FnMut(i64),
) -> Result<(), Overflow> {
    let n = g.node_count();
    let scale = P::from_i64(n as i64 + 1);
    // Costs are > i64::MIN (see `Residual::build`), so |cost| fits.
    let max_cost = g.slots.iter().map(|s| s.cost.abs()).max().unwrap_or(0);
    let mut residual = vec![0u64; g.slots.len().div_ceil(64)];
    for (a, slot) in g.slots.iter().enumerate() {
        if slot.res > 0 {
            residual[a >> 6] |= 1 << (a & 63);
        }
    }
    let nodes = (0..n)
        .map(|v| NodeState {
            price: P::ZERO,
            excess: 0,
            current: g.first[v],
            start: g.first[v],
            end: g.first[v + 1],
        })
        .collect();
    let mut state = CostScaling {
        g,
        scale,
        residual,
        nodes,
        stack: Vec::new(),
        eps: P::from_i64(max_cost) * scale,
    };
    let alpha = P::from_i64(ALPHA);
    loop {
        state.eps = (state.eps / alpha).max(P::ONE);
        state.refine()?;
        progress(flow_value);
        if state.eps == P::ONE {
            break;
        }
    }
    debug_assert!(state.nodes.iter().all(|v| v.excess == 0));
    Ok(())
}

/// What the algorithm keeps per node, together so that visiting a node touches one cache line.
#[derive(Debug, Clone, Copy)]
struct NodeState<P> {
    price: P,
    excess: i64,
    /// Current slot: no slot of the node before it is admissible.
    current: u32,
    /// The node's slots are `start..end`.
    start: u32,
    end: u32,
}

struct CostScaling<'g, P> {
    g: &'g mut Residual,
    /// Costs are multiplied by this (n + 1).
    scale: P,
    /// Bit `a` is set when slot `a` has residual capacity: scans skip the (many) saturated
    /// slots of high-degree nodes a word at a time.
    residual: Vec<u64>,
    nodes: Vec<NodeState<P>>,
    /// Active nodes (positive excess), each at most once.
    stack: Vec<u32>,
    eps: P,
}

/// The first slot in `from..end` whose bit is set, or `end`.
#[inline(always)]
fn next_residual(bits: &[u64], from: usize, end: usize) -> usize {
    if from >= end {
        return end;
    }
    let mut w = from >> 6;
    let mut word = bits[w] & (!0u64 << (from & 63));
    loop {
        if word != 0 {
            return ((w << 6) + word.trailing_zeros() as usize).min(end);
        }
        w += 1;
        if w << 6 >= end {
            return end;
        }
        word = bits[w];
    }
}

impl<P: Price> CostScaling<'_, P> {
    /// Reduced cost of slot `a` leaving a node of price `tail_price`.
    #[inline(always)]
    fn reduced_cost(&self, a: usize, tail_price: P) -> P {
        let slot = &self.g.slots[a];
        P::from_i64(slot.cost) * self.scale + tail_price - self.nodes[slot.head as usize].price
    }

    /// Moves `delta` units along slot `a` (from `v`), keeping the bitset in step; returns
    /// the head's excess before the push.
    #[inline(always)]
    fn push(&mut self, v: usize, a: usize, delta: i64) -> i64 {
        let slots = &mut self.g.slots;
        let slot = &mut slots[a];
        slot.res -= delta;
        if slot.res == 0 {
            self.residual[a >> 6] &= !(1 << (a & 63));
        }
        let (w, r) = (slot.head as usize, slot.rev as usize);
        slots[r].res += delta;
        self.residual[r >> 6] |= 1 << (r & 63);
        self.nodes[v].excess -= delta;
        let before = self.nodes[w].excess;
        self.nodes[w].excess = before + delta;
        before
    }

    /// From an (α·ε)-optimal flow to an ε-optimal one.
    fn refine(&mut self) -> Result<(), Overflow> {
        let n = self.nodes.len();
        // Saturate every admissible slot: the pseudoflow becomes 0-optimal. Slots before
        // `current` are known not to be admissible (admissibility does not depend on ε);
        // afterwards no slot is, so `current` moves to the end.
        for v in 0..n {
            let NodeState {
                price,
                current,
                end,
                ..
            } = self.nodes[v];
            let end = end as usize;
            let mut a = next_residual(&self.residual, current as usize, end);
            while a < end {
                if self.reduced_cost(a, price) < P::ZERO {
                    self.push(v, a, self.g.slots[a].res);
                }
                a = next_residual(&self.residual, a + 1, end);
            }
            self.nodes[v].current = end as u32;
        }
        self.stack.clear();
        for v in 0..n {
            if self.nodes[v].excess > 0 {
                self.stack.push(v as u32);
            }
        }
        while let Some(v) = self.stack.pop() {
            self.discharge(v as usize)?;
        }
        Ok(())
    }

    /// Pushes the excess of `v` along admissible slots, relabelling `v` when it has none left.
    fn discharge(&mut self, v: usize) -> Result<(), Overflow> {
        debug_assert!(self.nodes[v].excess > 0);
        let end = self.nodes[v].end as usize;
        loop {
            let pv = self.nodes[v].price;
            let mut a = next_residual(&self.residual, self.nodes[v].current as usize, end);
            while a < end {
                if self.reduced_cost(a, pv) < P::ZERO {
                    let w = self.g.slots[a].head as usize;
                    // Push look-ahead: do not push into a node that would have to send the
                    // flow straight back; relabel it first.
                    if self.nodes[w].excess >= 0
                        && !self.look_ahead(w)?
                        && self.reduced_cost(a, pv) >= P::ZERO
                    {
                        a = next_residual(&self.residual, a + 1, end);
                        continue;
                    }
                    let delta = self.nodes[v].excess.min(self.g.slots[a].res);
                    let before = self.push(v, a, delta);
                    if before <= 0 && before + delta > 0 {
                        self.stack.push(w as u32);
                    }
                    if self.nodes[v].excess == 0 {
                        self.nodes[v].current = a as u32;
                        return Ok(());
                    }
                }
                a = next_residual(&self.residual, a + 1, end);
            }
            self.relabel(v)?;
        }
    }

    /// Whether `w` has an admissible slot; if not, relabels it and returns `false`.
    fn look_ahead(&mut self, w: usize) -> Result<bool, Overflow> {
        let NodeState {
            price,
            current,
            end,
            ..
        } = self.nodes[w];
        let end = end as usize;
        let mut a = next_residual(&self.residual, current as usize, end);
        while a < end {
            if self.reduced_cost(a, price) < P::ZERO {
                self.nodes[w].current = a as u32;
                return Ok(true);
            }
            a = next_residual(&self.residual, a + 1, end);
        }
        self.relabel(w)?;
        Ok(false)
    }

    /// Lowers the price of `v` (which has no admissible slot) as far as ε-optimality allows,
    /// or by just ε when that already creates an admissible slot.
    fn relabel(&mut self, v: usize) -> Result<(), Overflow> {
        let NodeState {
            price, start, end, ..
        } = self.nodes[v];
        let (start, end) = (start as usize, end as usize);
        let eps = self.eps;
        let mut best = P::MAX;
        let mut a = next_residual(&self.residual, start, end);
        while a < end {
            let rc = self.reduced_cost(a, price);
            if rc < best {
                if rc < eps {
                    let node = &mut self.nodes[v];
                    node.price = price - eps;
                    node.current = a as u32;
                    return check(node.price);
                }
                best = rc;
            }
            a = next_residual(&self.residual, a + 1, end);
        }
        let node = &mut self.nodes[v];
        node.price = if best == P::MAX {
            price - eps
        } else {
            price - (best + eps)
        };
        node.current = start as u32;
        check(node.price)
    }
}

fn check<P: Price>(price: P) -> Result<(), Overflow> {
    if price < P::FLOOR {
        Err(Overflow)
    } else {
        Ok(())
    }
}
