//! The residual graph shared by both stages, and the maximum-flow stage (Dinic).

use super::ArcData;

/// One direction of an arc in the residual graph.
#[derive(Debug, Clone, Copy)]
pub(super) struct Slot {
    /// Node this direction leads to.
    pub head: u32,
    /// Index of the opposite direction.
    pub rev: u32,
    /// Residual capacity (for a reverse direction: the flow on the arc).
    pub res: i64,
    /// Cost per unit (negated for a reverse direction).
    pub cost: i64,
}

/// Forward-star residual graph: the slots leaving node `v` are `first[v]..first[v + 1]`.
#[derive(Debug)]
pub(super) struct Residual {
    pub first: Vec<u32>,
    pub slots: Vec<Slot>,
    /// For the k-th used arc, the index of its forward slot.
    pub forward: Vec<u32>,
    /// Capacity of the k-th used arc.
    capacity: Vec<i64>,
}

impl Residual {
    /// Builds the residual graph of `arcs[used[k]]` for all k (no loops, valid ends). Costs
    /// are clamped to `>= -i64::MAX` so that they can be negated.
    pub fn build(n: usize, arcs: &[ArcData], used: &[u32]) -> Self {
        let mut first = vec![0u32; n + 1];
        for &i in used {
            let a = &arcs[i as usize];
            first[a.from + 1] += 1;
            first[a.to + 1] += 1;
        }
        for v in 0..n {
            first[v + 1] += first[v];
        }
        let mut next: Vec<u32> = first[..n].to_vec();
        let empty = Slot {
            head: 0,
            rev: 0,
            res: 0,
            cost: 0,
        };
        let mut slots = vec![empty; 2 * used.len()];
        let mut forward = Vec::with_capacity(used.len());
        let mut capacity = Vec::with_capacity(used.len());
        for &i in used {
            let a = &arcs[i as usize];
            let cost = a.cost.max(-i64::MAX);
            let f = next[a.from];
            next[a.from] += 1;
            let r = next[a.to];
            next[a.to] += 1;
            slots[f as usize] = Slot {
                head: a.to as u32,
                rev: r,
                res: a.capacity,
                cost,
            };
            slots[r as usize] = Slot {
                head: a.from as u32,
                rev: f,
                res: 0,
                cost: -cost,
            };
            forward.push(f);
            capacity.push(a.capacity);
        }
        Residual {
            first,
            slots,
            forward,
            capacity,
        }
    }

    pub fn node_count(&self) -> usize {
        self.first.len() - 1
    }

    /// Flow on the k-th used arc.
    pub fn flow_of(&self, k: usize) -> i64 {
        let f = self.forward[k] as usize;
        self.capacity[k] - self.slots[f].res
    }

    /// Empties the flow (back to full residual capacity on every forward slot).
    pub fn reset(&mut self) {
        for (k, &f) in self.forward.iter().enumerate() {
            let r = self.slots[f as usize].rev;
            self.slots[f as usize].res = self.capacity[k];
            self.slots[r as usize].res = 0;
        }
    }

    /// Augments a maximum flow from `s` to `t` (on top of the current flow, normally empty) by
    /// Dinic's algorithm and returns its value. Calls `progress` after each phase.
    pub fn max_flow(&mut self, s: u32, t: u32, progress: &mut impl FnMut(i64)) -> i64 {
        const UNSEEN: u32 = u32::MAX;
        let n = self.node_count();
        let (s, t) = (s as usize, t as usize);
        let mut level = vec![UNSEEN; n];
        let mut queue: Vec<u32> = Vec::with_capacity(n);
        let mut current = vec![0u32; n];
        let mut path: Vec<u32> = Vec::new();
        let mut total: i64 = 0;
        loop {
            // Levels by breadth-first search, no deeper than the sink.
            level.fill(UNSEEN);
            level[s] = 0;
            queue.clear();
            queue.push(s as u32);
            let mut head = 0;
            while head < queue.len() {
                let v = queue[head] as usize;
                head += 1;
                let next_level = level[v] + 1;
                if next_level > level[t] {
                    break;
                }
                for slot in &self.slots[self.first[v] as usize..self.first[v + 1] as usize] {
                    let w = slot.head as usize;
                    if slot.res > 0 && level[w] == UNSEEN {
                        level[w] = next_level;
                        queue.push(w as u32);
                    }
                }
            }
            if level[t] == UNSEEN {
                break;
            }
            let sink_level = level[t];

            // Blocking flow: walk forward along level-increasing residual slots; on reaching
            // the sink augment and retreat to before the first saturated slot; on a dead end
            // retire the node and retreat one step.
            current.copy_from_slice(&self.first[..n]);
            path.clear();
            let mut v = s;
            loop {
                if v == t {
                    let bottleneck = path
                        .iter()
                        .map(|&a| self.slots[a as usize].res)
                        .min()
                        .unwrap_or(0);
                    let mut cut = path.len();
                    for (k, &a) in path.iter().enumerate() {
                        let slot = &mut self.slots[a as usize];
                        slot.res -= bottleneck;
                        let rev = slot.rev as usize;
                        if slot.res == 0 && cut == path.len() {
                            cut = k;
                        }
                        self.slots[rev].res += bottleneck;
                    }
                    total += bottleneck;
                    path.truncate(cut);
                    v = match path.last() {
                        Some(&a) => self.slots[a as usize].head as usize,
                        None => s,
                    };
                    continue;
                }
                let end = self.first[v + 1];
                let mut a = current[v];
                let want = level[v] + 1;
                while a < end {
                    let slot = &self.slots[a as usize];
                    let w = slot.head as usize;
                    if slot.res > 0 && level[w] == want && (w == t || want < sink_level) {
                        break;
                    }
                    a += 1;
                }
                current[v] = a;
                if a < end {
                    path.push(a);
                    v = self.slots[a as usize].head as usize;
                } else {
                    // Dead end.
                    level[v] = UNSEEN;
                    match path.pop() {
                        None => break,
                        Some(a) => {
                            let rev = self.slots[a as usize].rev;
                            v = self.slots[rev as usize].head as usize;
                            current[v] += 1;
                        }
                    }
                }
            }
            progress(total);
        }
        total
    }
}
