//! The minimum-cost stage: Goldberg's cost-scaling push-relabel algorithm.
//!
//! Conventions: the reduced cost of a residual slot `v -> w` is `cost + price[v] - price[w]`;
//! a flow is ε-optimal when every slot with residual capacity has reduced cost `>= -ε`; a slot
//! is *admissible* when it has residual capacity and negative reduced cost. Prices only go down.

use super::graph::Residual;
use std::fmt::Debug;
use std::ops::{Add, Div, Mul, Neg, Sub};

thread_local! { static T0: std::cell::Cell<std::time::Instant> = std::cell::Cell::new(std::time::Instant::now()); }
/// The factor by which ε shrinks from one refine to the next.
pub(super) const ALPHA: i64 = 5;

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
    /// Truncating conversion, for values known to be small.
    fn to_i64(self) -> i64;
    fn checked_mul(self, other: Self) -> Option<Self>;
    fn checked_sub(self, other: Self) -> Option<Self>;
}

impl Price for i64 {
    const ZERO: Self = 0;
    const ONE: Self = 1;
    const MAX: Self = i64::MAX;
    const FLOOR: Self = -(i64::MAX / 4);
    fn from_i64(v: i64) -> Self {
        v
    }
    fn to_i64(self) -> i64 {
        self
    }
    fn checked_mul(self, other: Self) -> Option<Self> {
        i64::checked_mul(self, other)
    }
    fn checked_sub(self, other: Self) -> Option<Self> {
        i64::checked_sub(self, other)
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
    fn to_i64(self) -> i64 {
        self as i64
    }
    fn checked_mul(self, other: Self) -> Option<Self> {
        i128::checked_mul(self, other)
    }
    fn checked_sub(self, other: Self) -> Option<Self> {
        i128::checked_sub(self, other)
    }
}

/// The price type was too narrow; rerun with a wider one.
#[derive(Debug)]
pub(super) struct Overflow;

/// Turns the feasible flow in `g` (value `flow_value` from source to sink, conserved elsewhere)
/// into a minimum-cost one with the same value. `costs` gives the cost of each used arc, in
/// the order of `g.forward`.
pub(super) fn minimize_cost<P: Price>(
    g: &mut Residual,
    costs: impl Iterator<Item = i64>,
    flow_value: i64,
    progress: &mut impl FnMut(i64),
) -> Result<(), Overflow> {
    let n = g.node_count();
    let scale = P::from_i64(n as i64 + 1);
    let mut cost = vec![P::ZERO; g.slots.len()];
    let mut max_cost = P::ZERO;
    for (k, c) in costs.enumerate() {
        let f = g.forward[k] as usize;
        let r = g.slots[f].rev as usize;
        let c = P::from_i64(c) * scale;
        cost[f] = c;
        cost[r] = -c;
        max_cost = max_cost.max(c).max(-c);
    }
    let mut residual = vec![0u64; g.slots.len().div_ceil(64)];
    for (a, slot) in g.slots.iter().enumerate() {
        if slot.res > 0 {
            residual[a >> 6] |= 1 << (a & 63);
        }
    }
    let current = g.first[..n].to_vec();
    let mut state = CostScaling {
        g,
        cost,
        residual,
        price: vec![P::ZERO; n],
        excess: vec![0; n],
        current,
        stack: Vec::new(),
        eps: max_cost,
        relabels: 0,
        update: PriceUpdate::new(n),
        stats: Stats::default(),
    };
    let alpha = P::from_i64(
        std::env::var("FLOW_ALPHA")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(ALPHA),
    );
    let stats = std::env::var("FLOW_STATS").is_ok();
    loop {
        state.eps = (state.eps / alpha).max(P::ONE);
        let t0 = std::time::Instant::now();
        state.refine()?;
        if stats {
            eprintln!("eps {:?}: {:?} {:?}", state.eps, t0.elapsed(), state.stats);
            state.stats = Stats::default();
        }
        progress(flow_value);
        if state.eps == P::ONE {
            break;
        }
    }
    debug_assert!(state.excess.iter().all(|&e| e == 0));
    Ok(())
}

#[derive(Debug, Default)]
struct Stats {
    updates: usize,
    relabels: usize,
    pushes: usize,
}

struct CostScaling<'g, P> {
    g: &'g mut Residual,
    /// Scaled cost per slot (the reverse slot has the negated cost).
    cost: Vec<P>,
    /// Bit `a` is set when slot `a` has residual capacity: scans skip the (many) saturated
    /// slots of high-degree nodes a word at a time.
    residual: Vec<u64>,
    price: Vec<P>,
    excess: Vec<i64>,
    /// Current slot per node: no slot of the node before it is admissible.
    current: Vec<u32>,
    /// Active nodes (positive excess), each at most once.
    stack: Vec<u32>,
    eps: P,
    /// Relabels since the last global price update.
    relabels: usize,
    update: PriceUpdate,
    stats: Stats,
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
    /// Moves `delta` units along slot `a` (from `v`), keeping the bitset in step.
    #[inline(always)]
    fn push(&mut self, v: usize, a: usize, delta: i64) -> usize {
        let slots = &mut self.g.slots;
        let slot = &mut slots[a];
        slot.res -= delta;
        if slot.res == 0 {
            self.residual[a >> 6] &= !(1 << (a & 63));
        }
        let (w, r) = (slot.head as usize, slot.rev as usize);
        slots[r].res += delta;
        self.residual[r >> 6] |= 1 << (r & 63);
        self.excess[v] -= delta;
        self.excess[w] += delta;
        w
    }

    /// From an (α·ε)-optimal flow to an ε-optimal one.
    fn refine(&mut self) -> Result<(), Overflow> {
        let n = self.price.len();
        // Saturate every admissible slot: the pseudoflow becomes 0-optimal. Slots before
        // `current` are known not to be admissible (admissibility does not depend on ε);
        // afterwards no slot is, so `current` moves to the end.
        for v in 0..n {
            let pv = self.price[v];
            let end = self.g.first[v + 1] as usize;
            let mut a = next_residual(&self.residual, self.current[v] as usize, end);
            while a < end {
                let slot = self.g.slots[a];
                if self.cost[a] + pv - self.price[slot.head as usize] < P::ZERO {
                    self.push(v, a, slot.res);
                }
                a = next_residual(&self.residual, a + 1, end);
            }
        }
        self.current.copy_from_slice(&self.g.first[1..]);
        self.stack.clear();
        for v in 0..n {
            if self.excess[v] > 0 {
                self.stack.push(v as u32);
            }
        }
        if self.stack.is_empty() {
            return Ok(());
        }
        let mode: usize = std::env::var("FLOW_PU")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let freq: usize = std::env::var("FLOW_PUF")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1);
        if mode >= 1 {
            self.price_update()?;
        }
        while let Some(v) = self.stack.pop() {
            self.discharge(v as usize)?;
            if mode >= 2 && self.relabels > n * freq && !self.stack.is_empty() {
                self.price_update()?;
            }
        }
        Ok(())
    }

    /// Pushes the excess of `v` along admissible slots, relabelling `v` when it has none left.
    fn discharge(&mut self, v: usize) -> Result<(), Overflow> {
        debug_assert!(self.excess[v] > 0);
        let end = self.g.first[v + 1] as usize;
        loop {
            let pv = self.price[v];
            let mut a = next_residual(&self.residual, self.current[v] as usize, end);
            while a < end {
                let slot = self.g.slots[a];
                let w = slot.head as usize;
                if self.cost[a] + pv - self.price[w] < P::ZERO {
                    // Push look-ahead: do not push into a node that would have to send the
                    // flow straight back; relabel it first.
                    if self.excess[w] >= 0
                        && !self.look_ahead(w)?
                        && self.cost[a] + pv - self.price[w] >= P::ZERO
                    {
                        a = next_residual(&self.residual, a + 1, end);
                        continue;
                    }
                    self.stats.pushes += 1;
                    let ew = self.excess[w];
                    let delta = self.excess[v].min(slot.res);
                    self.push(v, a, delta);
                    if ew <= 0 && ew + delta > 0 {
                        self.stack.push(w as u32);
                    }
                    if self.excess[v] == 0 {
                        self.current[v] = a as u32;
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
        let end = self.g.first[w + 1] as usize;
        let pw = self.price[w];
        let mut a = next_residual(&self.residual, self.current[w] as usize, end);
        while a < end {
            let head = self.g.slots[a].head as usize;
            if self.cost[a] + pw - self.price[head] < P::ZERO {
                self.current[w] = a as u32;
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
        self.relabels += 1;
        self.stats.relabels += 1;
        let start = self.g.first[v] as usize;
        let end = self.g.first[v + 1] as usize;
        let pv = self.price[v];
        let eps = self.eps;
        let mut best = P::MAX;
        let mut a = next_residual(&self.residual, start, end);
        while a < end {
            let head = self.g.slots[a].head as usize;
            let rc = self.cost[a] + pv - self.price[head];
            if rc < best {
                if rc < eps {
                    self.price[v] = pv - eps;
                    self.current[v] = a as u32;
                    return check(pv - eps);
                }
                best = rc;
            }
            a = next_residual(&self.residual, a + 1, end);
        }
        let new = if best == P::MAX {
            pv - eps
        } else {
            pv - (best + eps)
        };
        self.price[v] = new;
        self.current[v] = start as u32;
        check(new)
    }
    /// Global price update: lowers every price by ε times the node's distance (in ε units of
    /// reduced cost) to the nearest deficit, so that admissible paths lead the excess there.
    /// Keeps ε-optimality; stops once every active node has been reached.
    fn price_update(&mut self) -> Result<(), Overflow> {
        self.relabels = 0;
        self.stats.updates += 1;
        let n = self.price.len();
        let g = &*self.g;
        let u = &mut self.update;
        u.epoch = u.epoch.wrapping_add(1);
        if u.epoch == 0 {
            u.scanned.fill(0);
            u.epoch = 1;
        }
        let epoch = u.epoch;
        u.dist.fill(u32::MAX);
        let limit = u.buckets.len() - 1;
        let mut to_reach = 0usize;
        for v in 0..n {
            if self.excess[v] < 0 {
                u.dist[v] = 0;
                u.buckets[0].push(v as u32);
            } else if self.excess[v] > 0 {
                to_reach += 1;
            }
        }
        let eps = self.eps;
        let mut level = 0usize;
        let mut deepest = 0usize;
        'scan: while level <= limit {
            while let Some(w) = u.buckets[level].pop() {
                let w = w as usize;
                if u.scanned[w] == epoch || u.dist[w] as usize != level {
                    continue;
                }
                u.scanned[w] = epoch;
                if self.excess[w] > 0 {
                    to_reach -= 1;
                    if to_reach == 0 {
                        break 'scan;
                    }
                }
                let pw = self.price[w];
                for a in g.first[w] as usize..g.first[w + 1] as usize {
                    // The opposite slot leads into w.
                    let r = g.slots[a].rev as usize;
                    if self.residual[r >> 6] >> (r & 63) & 1 == 0 {
                        continue;
                    }
                    let v = g.slots[a].head as usize;
                    if u.scanned[v] == epoch {
                        continue;
                    }
                    let rc = self.cost[r] + self.price[v] - pw;
                    // Length floor(rc / ε) + 1 >= 0 since rc >= -ε.
                    let steps = div_floor(rc, eps) + P::ONE;
                    if steps > P::from_i64((limit - level) as i64) {
                        continue;
                    }
                    let d = level + steps.to_i64() as usize;
                    if (d as u32) < u.dist[v] {
                        u.dist[v] = d as u32;
                        u.buckets[d].push(v as u32);
                        deepest = deepest.max(d);
                    }
                }
            }
            level += 1;
        }
        // Everything not scanned is at least `level` away: lower it by that much.
        let stop = level.min(limit);
        for b in &mut u.buckets[..=deepest] {
            b.clear();
        }
        for v in 0..n {
            let d = if u.scanned[v] == epoch {
                u.dist[v] as usize
            } else {
                stop
            };
            if d > 0 {
                let drop = P::from_i64(d as i64).checked_mul(eps).ok_or(Overflow)?;
                let new = self.price[v].checked_sub(drop).ok_or(Overflow)?;
                check(new)?;
                self.price[v] = new;
            }
        }
        self.current.copy_from_slice(&g.first[..n]);
        Ok(())
    }
}

fn check<P: Price>(price: P) -> Result<(), Overflow> {
    if price < P::FLOOR {
        Err(Overflow)
    } else {
        Ok(())
    }
}

fn div_floor<P: Price>(a: P, b: P) -> P {
    let q = a / b;
    if a < P::ZERO && q * b != a {
        q - P::ONE
    } else {
        q
    }
}

/// Scratch space for the global price update.
struct PriceUpdate {
    dist: Vec<u32>,
    scanned: Vec<u32>,
    epoch: u32,
    buckets: Vec<Vec<u32>>,
}

impl PriceUpdate {
    fn new(n: usize) -> Self {
        PriceUpdate {
            dist: vec![u32::MAX; n],
            scanned: vec![0; n],
            epoch: 0,
            buckets: vec![Vec::new(); n + 2],
        }
    }
}
