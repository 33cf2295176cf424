//! Roster planning: many volunteers onto many shifts at once, exactly.
//!
//! The plan is a minimum-cost maximum flow in
//!
//! ```text
//! source -> volunteer -> (volunteer, time slot) -> shift [-> minors' gate] -> sink
//! ```
//!
//! - source -> volunteer: one unit arc per shift the volunteer may take (at most
//!   `max_shifts_per_volunteer`), the k-th costing `k * spread_penalty` points, so hours are
//!   spread over people when that costs little score (a convex cost, still an exact flow);
//! - volunteer -> (volunteer, slot): capacity 1. A *slot* is a maximal group of the event's
//!   shifts whose windows chain together by overlapping, so nobody gets two clashing shifts.
//!   (Two shifts of one slot that do not overlap each other are also kept apart: a
//!   conservative simplification that only matters for odd schedules.)
//! - (volunteer, slot) -> shift: capacity 1, cost `maximum score - score`, only for pairs that
//!   pass the hard filters ([`proposable`]); candidates come from an R-tree of the shifts;
//! - shift -> sink: capacity = seats neither taken nor offered in a pending invitation.
//!   Minors go through a gate with capacity [`OpenShift::minor_seats_left`]. The adult:minor
//!   ratio itself is a side constraint, not a flow: where a plan brings too few adults for
//!   its minors, that gate closes to what the adults allow and the flow is solved again
//!   (gates only close, so this ends); a second way, adults first into anchor seats and then
//!   everyone else, is tried too, and the plan that fills more is kept. Exact for the gates it ends with, not for the ratio in general.
//!   Such a plan still comes with a certificate: [`RosterPlan::fill_bound`] and
//!   [`RosterPlan::score_gap`] come from the same network with the ratio relaxed, so they
//!   bound every plan signups would allow, and a plan that meets them is proven optimal.
//!
//! Every unit of flow crosses exactly one pair arc, so among maximum flows the cheapest is the
//! one with the highest total score: seats are filled first (no seat stays empty that an
//! eligible, unassigned volunteer could take), score decides the rest. Costs are integers
//! (hundredths of a point), so the optimum is exact.

use crate::flow::{ArcId, FlowNetwork};
use crate::geo_index::{RTreeShiftIndex, ShiftIndex};
use crate::model::{MatchContext, OpenShift, Volunteer};
use crate::score::{Scored, points, proposable, score};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// How a plan trades fill, score and spread.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlanOptions {
    /// At most this many shifts per volunteer in one plan.
    pub max_shifts_per_volunteer: u32,
    /// Score points a volunteer's k-th shift costs, times k: spreads hours over people.
    pub spread_penalty: f64,
}

impl Default for PlanOptions {
    fn default() -> Self {
        Self {
            max_shifts_per_volunteer: 10,
            spread_penalty: 2.0,
        }
    }
}

/// One proposed seat.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// The shift.
    pub shift_id: Uuid,
    /// The volunteer.
    pub volunteer_id: Uuid,
    /// Distance from the volunteer's home, km.
    pub distance_km: f64,
    /// Score and reasons.
    pub scored: Scored,
}

/// Seats a plan could not fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unfilled {
    /// The shift.
    pub shift_id: Uuid,
    /// Seats still empty.
    pub missing: u32,
}

/// A roster proposal.
#[derive(Debug, Clone, PartialEq)]
pub struct RosterPlan {
    /// Proposed seats, by shift then best score.
    pub assignments: Vec<Assignment>,
    /// Shifts left with empty seats.
    pub unfilled: Vec<Unfilled>,
    /// Sum of the assignments' scores.
    pub total_score: f64,
    /// Volunteer-shift pairs that passed the hard filters.
    pub candidate_pairs: usize,
    /// No plan that signups would allow (hard filters, at most `max_shifts_per_volunteer`,
    /// no two clashing shifts for anyone, the adult:minor ratio) fills more seats than this:
    /// the maximum flow with every minors' gate at its widest, which relaxes the ratio, and
    /// with each shift of a slot whose shifts do not all overlap in a slot of its own, which
    /// relaxes the one-per-slot simplification. A plan that fills as many is proven to fill
    /// the most possible; without shifts serving children or chained slots it always does.
    pub fill_bound: u64,
    /// No plan that signups would allow and that fills as many seats is better than this one
    /// by more than this many points of the planner's measure (the seats' scores less the
    /// spread penalty, not the total score alone): 0 proves the plan the best there is for its
    /// fill. Bounded like [`fill_bound`](Self::fill_bound), by the cheapest flow of that many
    /// seats with the ratio and chained slots relaxed; 0 whenever neither binds. `None` only
    /// if that bound came out above the plan, which would be a bug.
    pub score_gap: Option<f64>,
}

/// Where planning is, for progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Checking volunteer `done` of `total` against nearby shifts.
    Candidates {
        /// Volunteers checked.
        done: u64,
        /// Volunteers in the pool.
        total: u64,
    },
    /// Seats filled so far by the flow, out of at most `total`.
    Flow {
        /// Flow so far.
        done: u64,
        /// Upper bound (seats left in all).
        total: u64,
    },
}

/// Most flows solved for one plan while closing minors' gates.
const MAX_RATIO_ROUNDS: usize = 8;

/// Cost units per score point: costs are integers, so the optimum is exact.
const COST_PER_POINT: f64 = 100.0;

fn cost(points: f64) -> i64 {
    (points * COST_PER_POINT).round() as i64
}

/// A pair that passed the hard filters, with its score (explained only once chosen).
struct Candidate {
    volunteer: usize,
    shift: usize,
    distance_km: f64,
    points: f64,
    minor: bool,
}

/// Plans `shifts` (usually one event's) for `pool`. Pure and deterministic: the same input
/// gives the same plan.
pub fn plan_roster(
    pool: &[Volunteer],
    shifts: &[OpenShift],
    ctx: &MatchContext,
    options: PlanOptions,
    mut progress: impl FnMut(Progress),
) -> RosterPlan {
    let candidates = candidates(pool, shifts, ctx, &mut progress);
    let slot_of = slots(shifts);

    let seats_total: u64 = shifts.iter().map(|s| u64::from(s.seats_to_offer())).sum();
    // The adult:minor ratio is not a flow constraint (minors' seats grow with the adults
    // planned). Gates start at the most minors a full shift may hold; wherever the plan
    // brings too few adults, the gate closes to what they allow and the flow is solved
    // again, so those seats go to others. Gates only ever close, so this ends.
    let mut gates: Vec<u32> = shifts.iter().map(OpenShift::minor_seats_left).collect();
    // Each round's plan is made to respect the ratio by dropping its lowest-scoring excess
    // minors; the best round (most seats, then highest score) is kept.
    let all: Vec<&Candidate> = candidates.iter().collect();
    let none_taken = vec![0; pool.len()];
    let mut best: Option<(usize, i64, Vec<&Candidate>)> = None;
    let cost_of = |chosen: &[&Candidate]| objective(chosen, pool.len(), ctx, options);
    let widest = gates.clone();
    // The relaxed flow (widest gates, chained slots split): its seats and cost.
    let bounding = bounding_slots(shifts, &slot_of);
    let mut relaxed = None;
    for round in 0..MAX_RATIO_ROUNDS {
        let (chosen, flow_cost) = solve(
            pool,
            shifts,
            &all,
            Limits {
                slot_of: &slot_of,
                gates: &gates,
                taken: &none_taken,
                seats: None,
            },
            ctx,
            options,
            &mut |done| {
                progress(Progress::Flow {
                    done,
                    total: seats_total,
                })
            },
        );
        if round == 0 && bounding.is_none() {
            relaxed = Some((chosen.len(), flow_cost));
        }
        let mut closed = false;
        for (s, shift) in shifts.iter().enumerate() {
            let Some(ratio) = shift.minors_per_adult else {
                continue;
            };
            let (minors, adults) =
                chosen
                    .iter()
                    .filter(|c| c.shift == s)
                    .fold(
                        (0u64, 0u64),
                        |(m, a), c| if c.minor { (m + 1, a) } else { (m, a + 1) },
                    );
            let confirmed_adults = u64::from(shift.confirmed_adults());
            let allowed = ((adults + confirmed_adults) * u64::from(ratio))
                .saturating_sub(u64::from(shift.confirmed_minors));
            if minors > allowed {
                gates[s] = allowed.min(u64::from(gates[s])) as u32;
                closed = true;
            }
        }
        keep_better(&mut best, keep_adult_ratio(chosen, shifts), cost_of);
        if !closed {
            break;
        }
    }
    if shifts.iter().any(|s| s.minors_per_adult.is_some()) {
        let anchored = anchored(pool, shifts, &all, &slot_of, ctx, options);
        keep_better(&mut best, keep_adult_ratio(anchored, shifts), cost_of);
    }
    let (_, own, chosen) = best.unwrap_or_default();
    let relaxed_limits = |seats| Limits {
        slot_of: bounding.as_deref().unwrap_or(&slot_of),
        gates: &widest,
        taken: &none_taken,
        seats,
    };
    let solve_relaxed = |seats| {
        let (found, flow_cost) = solve(
            pool,
            shifts,
            &all,
            relaxed_limits(seats),
            ctx,
            options,
            &mut |_| {},
        );
        (found.len(), flow_cost)
    };
    let (fill_bound, bound_cost) = relaxed.unwrap_or_else(|| solve_relaxed(None));
    // The relaxed maximum flow is also the cheapest of its size; a plan that fills fewer
    // seats is measured against the cheapest relaxed flow of its own size.
    let bound_cost = if chosen.is_empty() {
        0
    } else if chosen.len() == fill_bound {
        bound_cost
    } else {
        solve_relaxed(Some(chosen.len())).1
    };
    let gap = own - bound_cost;
    debug_assert!(gap >= 0, "a plan is a flow of the relaxed network");
    let mut plan = finish(chosen, pool, shifts, ctx);
    plan.candidate_pairs = candidates.len();
    plan.fill_bound = fill_bound as u64;
    // A negative gap would be a bug, not a proof: then no certificate at all.
    plan.score_gap = (gap >= 0).then(|| gap as f64 / COST_PER_POINT);
    plan
}

/// What the flow minimises for `chosen`, in cost units: each seat's shortfall from the
/// maximum score, plus the spread penalty of each volunteer's second, third... shift.
fn objective(
    chosen: &[&Candidate],
    volunteers: usize,
    ctx: &MatchContext,
    options: PlanOptions,
) -> i64 {
    let maximum = ctx.weights.maximum();
    let mut per_volunteer = vec![0u32; volunteers];
    chosen
        .iter()
        .map(|c| {
            let earlier = &mut per_volunteer[c.volunteer];
            let spread = cost(f64::from(*earlier) * options.spread_penalty);
            *earlier += 1;
            cost(maximum - c.points) + spread
        })
        .sum()
}

/// The slots to bound a plan's fill with, when they differ from `slot_of`: where all of a
/// slot's shifts overlap one another, one shift per slot is exactly "no two clashing shifts";
/// where some do not (a chain), it is stricter than signups, so for the bound each of that
/// slot's shifts gets a slot of its own. `None` when every slot is exact.
fn bounding_slots(shifts: &[OpenShift], slot_of: &[usize]) -> Option<Vec<usize>> {
    // Per slot: the latest start and the earliest end of its shifts; they all overlap one
    // another exactly when the latest start comes before the earliest end.
    let mut span: HashMap<usize, (DateTime<Utc>, DateTime<Utc>)> = HashMap::new();
    for (shift, &slot) in shifts.iter().zip(slot_of) {
        let (start, end) = (shift.facts.starts_at, shift.facts.ends_at);
        span.entry(slot)
            .and_modify(|(latest, earliest)| {
                *latest = (*latest).max(start);
                *earliest = (*earliest).min(end);
            })
            .or_insert((start, end));
    }
    let chained: HashSet<usize> = span
        .into_iter()
        .filter(|(_, (latest, earliest))| latest >= earliest)
        .map(|(slot, _)| slot)
        .collect();
    if chained.is_empty() {
        return None;
    }
    Some(
        slot_of
            .iter()
            .enumerate()
            .map(|(i, &slot)| {
                if chained.contains(&slot) {
                    slot_of.len() + i
                } else {
                    slot
                }
            })
            .collect(),
    )
}

/// Keeps `kept` if it fills more seats than `best`, or as many at a lower cost (the planner's
/// objective, which the certificate bounds).
fn keep_better<'a>(
    best: &mut Option<(usize, i64, Vec<&'a Candidate>)>,
    kept: Vec<&'a Candidate>,
    cost_of: impl Fn(&[&Candidate]) -> i64,
) {
    let cost = cost_of(&kept);
    if best
        .as_ref()
        .is_none_or(|(n, c, _)| kept.len() > *n || (kept.len() == *n && cost < *c))
    {
        *best = Some((kept.len(), cost, kept));
    }
}

/// Another way round the ratio: first seat adults only, in the seats that anchor each
/// shift serving children (one in `ratio + 1` of its open seats), then everyone else in what
/// is left, with as many minors per shift as those adults allow. It loses where anchors were
/// not needed, and wins where adults are scarce and the gate rounds spend them on shifts
/// without minors; [`plan_roster`] keeps whichever fills more.
fn anchored<'a>(
    pool: &[Volunteer],
    shifts: &[OpenShift],
    all: &[&'a Candidate],
    slot_of: &[usize],
    ctx: &MatchContext,
    options: PlanOptions,
) -> Vec<&'a Candidate> {
    let anchors: Vec<OpenShift> = shifts
        .iter()
        .map(|s| {
            let open = s.seats_to_offer();
            let anchor = match s.minors_per_adult {
                Some(r) => open.div_ceil(r + 1),
                None => 0,
            };
            let mut anchor_only = s.clone();
            anchor_only.offered += open - anchor;
            anchor_only
        })
        .collect();
    let adults: Vec<&Candidate> = all.iter().copied().filter(|c| !c.minor).collect();
    let no_gates = vec![0; shifts.len()];
    let none_taken = vec![0; pool.len()];
    let (first, _) = solve(
        pool,
        &anchors,
        &adults,
        Limits {
            slot_of,
            gates: &no_gates,
            taken: &none_taken,
            seats: None,
        },
        ctx,
        options,
        &mut |_| {},
    );

    let mut taken = vec![0u32; pool.len()];
    let mut used = std::collections::HashSet::new();
    let mut seated = vec![0u32; shifts.len()];
    for c in &first {
        taken[c.volunteer] += 1;
        used.insert((c.volunteer, slot_of[c.shift]));
        seated[c.shift] += 1;
    }
    let rest: Vec<OpenShift> = shifts
        .iter()
        .zip(&seated)
        .map(|(s, n)| {
            let mut left = s.clone();
            left.offered += n;
            left
        })
        .collect();
    let gates: Vec<u32> = shifts
        .iter()
        .zip(&rest)
        .enumerate()
        .map(|(i, (s, left))| match s.minors_per_adult {
            Some(r) => {
                let adults = u64::from(seated[i]) + u64::from(s.confirmed_adults());
                let allowed = (adults * u64::from(r))
                    .saturating_sub(u64::from(s.confirmed_minors))
                    .min(u64::from(left.seats_to_offer()));
                allowed as u32
            }
            None => 0,
        })
        .collect();
    let others: Vec<&Candidate> = all
        .iter()
        .copied()
        .filter(|c| !used.contains(&(c.volunteer, slot_of[c.shift])))
        .collect();
    let (second, _) = solve(
        pool,
        &rest,
        &others,
        Limits {
            slot_of,
            gates: &gates,
            taken: &taken,
            seats: None,
        },
        ctx,
        options,
        &mut |_| {},
    );
    first.into_iter().chain(second).collect()
}

/// The flow network of the first round of [`plan_roster`] (node 0 is the source, node 1 the
/// sink): what `examples/roster_instance.rs` exports for the comparison with OR-Tools.
pub fn roster_network(
    pool: &[Volunteer],
    shifts: &[OpenShift],
    ctx: &MatchContext,
    options: PlanOptions,
) -> FlowNetwork {
    let candidates = candidates(pool, shifts, ctx, &mut |_| {});
    let all: Vec<&Candidate> = candidates.iter().collect();
    let gates: Vec<u32> = shifts.iter().map(OpenShift::minor_seats_left).collect();
    let slot_of = slots(shifts);
    let taken = vec![0; pool.len()];
    let limits = Limits {
        slot_of: &slot_of,
        gates: &gates,
        taken: &taken,
        seats: None,
    };
    network(pool, shifts, &all, limits, ctx, options).0
}

/// Source and sink of the planning network.
const SOURCE: usize = 0;
const SINK: usize = 1;

/// What one flow may carry: one shift per volunteer and slot, minors' gates of the given
/// sizes, `taken[v]` shifts of volunteer `v` already planned, and at most `seats` seats in all
/// (`None`: as many as possible).
#[derive(Clone, Copy)]
struct Limits<'l> {
    slot_of: &'l [usize],
    gates: &'l [u32],
    taken: &'l [u32],
    seats: Option<usize>,
}

/// One exact min-cost max-flow over the candidates within `limits`; returns the chosen pairs
/// and their cost (the planner's objective, in cost units).
fn solve<'a>(
    pool: &[Volunteer],
    shifts: &[OpenShift],
    candidates: &[&'a Candidate],
    limits: Limits,
    ctx: &MatchContext,
    options: PlanOptions,
    progress: &mut impl FnMut(u64),
) -> (Vec<&'a Candidate>, i64) {
    let (mut net, pair_arcs) = network(pool, shifts, candidates, limits, ctx, options);
    let solution = net.min_cost_max_flow(SOURCE, SINK, |done| progress(done.max(0) as u64));
    let chosen = candidates
        .iter()
        .zip(&pair_arcs)
        .filter(|(_, arc)| net.flow(**arc) > 0)
        .map(|(c, _)| *c)
        .collect();
    (chosen, solution.cost)
}

/// The planning network and, for each candidate, its pair arc. Source arcs of volunteers
/// with shifts already taken continue the convex sequence.
fn network(
    pool: &[Volunteer],
    shifts: &[OpenShift],
    candidates: &[&Candidate],
    limits: Limits,
    ctx: &MatchContext,
    options: PlanOptions,
) -> (FlowNetwork, Vec<ArcId>) {
    let Limits {
        slot_of,
        gates,
        taken,
        seats,
    } = limits;
    let maximum = ctx.weights.maximum();
    // Nodes: 0 source, 1 sink, then volunteers, shifts, minors' gates, (volunteer, slot) pairs,
    // and with a limit on seats one more, between the source and the volunteers.
    let volunteer_node = |v: usize| 2 + v;
    let shift_node = |s: usize| 2 + pool.len() + s;
    let gate_node = |s: usize| 2 + pool.len() + shifts.len() + s;
    let mut slot_nodes: HashMap<(usize, usize), usize> = HashMap::new();
    let base = 2 + pool.len() + 2 * shifts.len();
    for c in candidates {
        let next = base + slot_nodes.len();
        slot_nodes
            .entry((c.volunteer, slot_of[c.shift]))
            .or_insert(next);
    }
    let mut net = FlowNetwork::new(base + slot_nodes.len() + usize::from(seats.is_some()));
    let entry = match seats {
        Some(most) => {
            let entry = base + slot_nodes.len();
            net.add_arc(SOURCE, entry, i64::try_from(most).unwrap_or(i64::MAX), 0);
            entry
        }
        None => SOURCE,
    };

    let mut per_volunteer = vec![0u32; pool.len()];
    for c in candidates {
        per_volunteer[c.volunteer] += 1;
    }
    for (v, &count) in per_volunteer.iter().enumerate() {
        let most = options.max_shifts_per_volunteer.saturating_sub(taken[v]);
        for k in taken[v]..taken[v] + count.min(most) {
            net.add_arc(
                entry,
                volunteer_node(v),
                1,
                cost(f64::from(k) * options.spread_penalty),
            );
        }
    }
    let mut sorted_slots: Vec<(&(usize, usize), &usize)> = slot_nodes.iter().collect();
    sorted_slots.sort();
    for (&(v, _), &node) in sorted_slots {
        net.add_arc(volunteer_node(v), node, 1, 0);
    }
    let mut pair_arcs: Vec<ArcId> = Vec::with_capacity(candidates.len());
    for c in candidates {
        let to = if c.minor && shifts[c.shift].minors_per_adult.is_some() {
            gate_node(c.shift)
        } else {
            shift_node(c.shift)
        };
        let from = slot_nodes[&(c.volunteer, slot_of[c.shift])];
        pair_arcs.push(net.add_arc(from, to, 1, cost(maximum - c.points)));
    }
    for (s, shift) in shifts.iter().enumerate() {
        if shift.minors_per_adult.is_some() {
            net.add_arc(gate_node(s), shift_node(s), i64::from(gates[s]), 0);
        }
        net.add_arc(shift_node(s), SINK, i64::from(shift.seats_to_offer()), 0);
    }
    (net, pair_arcs)
}

/// Pairs that pass the hard filters, found through an R-tree of the shifts.
fn candidates(
    pool: &[Volunteer],
    shifts: &[OpenShift],
    ctx: &MatchContext,
    progress: &mut impl FnMut(Progress),
) -> Vec<Candidate> {
    let index = RTreeShiftIndex::bulk(
        shifts
            .iter()
            .enumerate()
            .map(|(i, s)| (Uuid::from_u128(i as u128), s.facts.location)),
    );
    let total = pool.len() as u64;
    let mut found = Vec::new();
    for (v, volunteer) in pool.iter().enumerate() {
        for (key, km) in index.within(volunteer.profile.home, volunteer.profile.travel_radius_km) {
            let s = key.as_u128() as usize;
            let shift = &shifts[s];
            if proposable(volunteer, shift, km, ctx) {
                found.push(Candidate {
                    volunteer: v,
                    shift: s,
                    distance_km: km,
                    points: points(volunteer, shift, km, ctx),
                    minor: volunteer.is_minor_on(shift, ctx.timezone, &ctx.ages),
                });
            }
        }
        if v % 256 == 255 || v + 1 == pool.len() {
            progress(Progress::Candidates {
                done: v as u64 + 1,
                total,
            });
        }
    }
    found
}

/// Slot number of each shift: shifts whose windows chain together by overlapping share one.
fn slots(shifts: &[OpenShift]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..shifts.len()).collect();
    order.sort_by_key(|&i| (shifts[i].facts.starts_at, shifts[i].facts.ends_at));
    let mut slot_of = vec![0; shifts.len()];
    let mut slot = 0;
    let mut reach = None;
    for i in order {
        let facts = &shifts[i].facts;
        match reach {
            Some(end) if facts.starts_at < end => {
                reach = Some(facts.ends_at.max(end));
            }
            Some(_) => {
                slot += 1;
                reach = Some(facts.ends_at);
            }
            None => reach = Some(facts.ends_at),
        }
        slot_of[i] = slot;
    }
    slot_of
}

/// Drops the lowest-scoring minors of any shift where the adults planned (plus those already
/// confirmed) could not accompany them.
fn keep_adult_ratio<'a>(
    mut chosen: Vec<&'a Candidate>,
    shifts: &[OpenShift],
) -> Vec<&'a Candidate> {
    chosen.sort_by(|a, b| a.shift.cmp(&b.shift).then(b.points.total_cmp(&a.points)));
    let mut kept = Vec::with_capacity(chosen.len());
    for group in chosen.chunk_by(|a, b| a.shift == b.shift) {
        let shift = &shifts[group[0].shift];
        let Some(ratio) = shift.minors_per_adult else {
            kept.extend_from_slice(group);
            continue;
        };
        let adults =
            group.iter().filter(|c| !c.minor).count() as u64 + u64::from(shift.confirmed_adults());
        let mut room =
            (adults * u64::from(ratio)).saturating_sub(u64::from(shift.confirmed_minors));
        for c in group {
            if !c.minor {
                kept.push(*c);
            } else if room > 0 {
                room -= 1;
                kept.push(*c);
            }
        }
    }
    kept
}

fn finish(
    chosen: Vec<&Candidate>,
    pool: &[Volunteer],
    shifts: &[OpenShift],
    ctx: &MatchContext,
) -> RosterPlan {
    let mut filled = vec![0u32; shifts.len()];
    for c in &chosen {
        filled[c.shift] += 1;
    }
    let assignments: Vec<Assignment> = chosen
        .iter()
        .map(|c| Assignment {
            shift_id: shifts[c.shift].id,
            volunteer_id: pool[c.volunteer].id,
            distance_km: c.distance_km,
            scored: score(&pool[c.volunteer], &shifts[c.shift], c.distance_km, ctx),
        })
        .collect();
    let unfilled = shifts
        .iter()
        .zip(&filled)
        .filter(|(s, n)| s.seats_to_offer() > **n)
        .map(|(s, n)| Unfilled {
            shift_id: s.id,
            missing: s.seats_to_offer() - n,
        })
        .collect();
    let total_score =
        (assignments.iter().map(|a| a.scored.score).sum::<f64>() * 10.0).round() / 10.0;
    RosterPlan {
        assignments,
        unfilled,
        total_score,
        candidate_pairs: 0,
        fill_bound: 0,
        score_gap: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{HOME, context, shift, volunteer};
    use chrono::Duration;
    use hourbook_domain::Coordinates;
    use proptest::prelude::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// A minor on every date the tests use, with a consenting guardian.
    fn minor() -> Volunteer {
        let mut v = volunteer();
        v.profile.birth_date = "2011-01-01".parse().unwrap();
        v.profile.guardian = Some(hourbook_domain::profile::Guardian {
            name: "王芳".into(),
            email: "w@x.cn".into(),
            phone: "13800000000".into(),
            consent_given: true,
        });
        v
    }

    /// A small random instance: volunteers and shifts scattered within ~3 km, windows that
    /// sometimes overlap, one or two seats each.
    fn instance(seed: u64) -> (Vec<Volunteer>, Vec<OpenShift>) {
        let ctx = context();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let near = |rng: &mut ChaCha8Rng| Coordinates {
            lat: HOME.lat + rng.gen_range(-0.02..0.02),
            lon: HOME.lon + rng.gen_range(-0.02..0.02),
        };
        let pool = (0..rng.gen_range(1..=3))
            .map(|_| {
                let mut v = volunteer();
                v.profile.home = near(&mut rng);
                v.profile.travel_radius_km = rng.gen_range(1.0..4.0);
                v.served_minutes = rng.gen_range(0..3000);
                v
            })
            .collect();
        let shifts = (0..rng.gen_range(1..=4))
            .map(|_| {
                let mut s = shift(&ctx, Duration::hours(rng.gen_range(1..4) * 2));
                s.facts.location = near(&mut rng);
                s.capacity = rng.gen_range(1..=2);
                s
            })
            .collect();
        (pool, shifts)
    }

    /// The best plan by trying every subset of candidate pairs: most seats, then least cost,
    /// keeping the adult:minor ratio of shifts that have one.
    fn brute_force(pool: &[Volunteer], shifts: &[OpenShift], options: PlanOptions) -> (usize, i64) {
        let cheapest = cheapest_by_size(pool, shifts, options, Clashes::BySlot);
        let most = cheapest.len() - 1;
        (most, cheapest[most].unwrap_or_default())
    }

    /// Which shifts one volunteer may not hold together.
    #[derive(Clone, Copy, PartialEq)]
    enum Clashes {
        /// Two of one slot: the planner's rule.
        BySlot,
        /// Two whose windows overlap: the signups' rule (looser where slots chain).
        ByWindow,
    }

    /// By trying every subset of candidate pairs: for each number of seats, the least cost of
    /// a plan the rules allow (the adult:minor ratio of shifts that have one included, and
    /// `clashes`); `None` where no such plan fills that many. Ends with the most seats any plan
    /// fills.
    fn cheapest_by_size(
        pool: &[Volunteer],
        shifts: &[OpenShift],
        options: PlanOptions,
        clashes: Clashes,
    ) -> Vec<Option<i64>> {
        let ctx = context();
        let pairs = candidates(pool, shifts, &ctx, &mut |_| {});
        let slot_of = slots(shifts);
        let maximum = ctx.weights.maximum();
        let mut cheapest: Vec<Option<i64>> = vec![Some(0)];
        for mask in 0u32..(1 << pairs.len()) {
            let chosen: Vec<&Candidate> = (0..pairs.len())
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| &pairs[i])
                .collect();
            let seats_ok = shifts.iter().enumerate().all(|(s, shift)| {
                let on = || chosen.iter().filter(|c| c.shift == s);
                let minors = on().filter(|c| c.minor).count() + shift.confirmed_minors as usize;
                let people = on().count() + shift.confirmed as usize;
                on().count() <= shift.seats_to_offer() as usize
                    && shift
                        .minors_per_adult
                        .is_none_or(|r| minors <= (people - minors) * r as usize)
            });
            let mut per_volunteer = vec![0u32; pool.len()];
            let mut slot_taken = std::collections::HashSet::new();
            let mut spread = 0;
            let mut slots_ok = true;
            for c in &chosen {
                spread += cost(f64::from(per_volunteer[c.volunteer]) * options.spread_penalty);
                per_volunteer[c.volunteer] += 1;
                slots_ok &= match clashes {
                    Clashes::BySlot => slot_taken.insert((c.volunteer, slot_of[c.shift])),
                    Clashes::ByWindow => !chosen.iter().any(|o| {
                        let (a, b) = (&shifts[c.shift].facts, &shifts[o.shift].facts);
                        o.volunteer == c.volunteer
                            && o.shift != c.shift
                            && a.starts_at < b.ends_at
                            && b.starts_at < a.ends_at
                    }),
                };
            }
            let count_ok = per_volunteer
                .iter()
                .all(|n| *n <= options.max_shifts_per_volunteer);
            if !(seats_ok && slots_ok && count_ok) {
                continue;
            }
            let total: i64 = spread + chosen.iter().map(|c| cost(maximum - c.points)).sum::<i64>();
            if cheapest.len() <= chosen.len() {
                cheapest.resize(chosen.len() + 1, None);
            }
            let best = &mut cheapest[chosen.len()];
            *best = Some(best.map_or(total, |b| b.min(total)));
        }
        cheapest
    }

    fn plan_cost(plan: &RosterPlan, options: PlanOptions) -> i64 {
        let maximum = context().weights.maximum();
        let mut per: HashMap<Uuid, u32> = HashMap::new();
        let mut total = 0;
        for a in &plan.assignments {
            let k = per.entry(a.volunteer_id).or_default();
            total += cost(maximum - a.scored.score) + cost(f64::from(*k) * options.spread_penalty);
            *k += 1;
        }
        total
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn plans_are_optimal_against_brute_force(seed in any::<u64>(), max_shifts in 1u32..3) {
            let (pool, shifts) = instance(seed);
            let options = PlanOptions { max_shifts_per_volunteer: max_shifts, spread_penalty: 2.0 };
            let plan = plan_roster(&pool, &shifts, &context(), options, |_| {});
            let (seats, cost) = brute_force(&pool, &shifts, options);
            prop_assert_eq!(plan.assignments.len(), seats);
            prop_assert!(plan.fill_bound >= seats as u64);
            if bounding_slots(&shifts, &slots(&shifts)).is_none() {
                prop_assert_eq!(plan.fill_bound, seats as u64, "without a ratio or chains the bound is the fill");
            }
            prop_assert_eq!(plan_cost(&plan, options), cost);
            if bounding_slots(&shifts, &slots(&shifts)).is_none() {
                prop_assert_eq!(plan.score_gap, Some(0.0), "an exact flow is its own certificate");
            }
            let missing: u32 = plan.unfilled.iter().map(|u| u.missing).sum();
            let open: u32 = shifts.iter().map(OpenShift::seats_to_offer).sum();
            prop_assert_eq!(missing as usize + seats, open as usize);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn no_plan_beats_the_bounds(seed in any::<u64>(), ratio in 1u32..3) {
            let (mut pool, mut shifts) = instance(seed);
            let mut rng = ChaCha8Rng::seed_from_u64(!seed);
            for v in &mut pool {
                if rng.gen_bool(0.6) {
                    let home = v.profile.home;
                    *v = minor();
                    v.profile.home = home;
                }
            }
            pool.push(minor());
            // Some shifts already have people on them (within the ratio), some seats offered.
            for s in &mut shifts {
                let adults = rng.gen_range(0..=1);
                let minors = rng.gen_range(0..=adults * ratio);
                s.confirmed = adults + minors;
                s.confirmed_minors = minors;
                s.offered = rng.gen_range(0..=1);
                s.capacity += 1 + s.confirmed + s.offered;
                s.minors_per_adult = rng.gen_bool(0.7).then_some(ratio);
            }
            let options = PlanOptions { max_shifts_per_volunteer: 2, spread_penalty: 2.0 };
            let plan = plan_roster(&pool, &shifts, &context(), options, |_| {});
            let cheapest = cheapest_by_size(&pool, &shifts, options, Clashes::ByWindow);
            let most = cheapest.len() - 1;
            let seats = plan.assignments.len();
            prop_assert!(seats <= most);
            prop_assert!(most as u64 <= plan.fill_bound, "{} > bound {}", most, plan.fill_bound);
            // The plan keeps the rules, so some plan of its size is at least as cheap; and no
            // plan of its size beats it by more than the certified gap.
            let best = cheapest[seats].expect("the plan itself is one of its size");
            let own = plan_cost(&plan, options);
            prop_assert!(best <= own, "brute force {} above the plan's {}", best, own);
            prop_assert!(
                Some(own - best) <= plan.score_gap.map(cost),
                "the plan is {} from the best of its size, beyond its gap {:?}", own - best, plan.score_gap
            );
        }
    }

    #[test]
    fn overlapping_shifts_share_a_slot_and_nobody_gets_two() {
        let ctx = context();
        let a = shift(&ctx, Duration::hours(2));
        let b = shift(&ctx, Duration::hours(4)); // overlaps a (a ends at 5 h)
        let c = shift(&ctx, Duration::hours(8)); // after both
        assert_eq!(slots(&[a.clone(), b.clone(), c.clone()]), [0, 0, 1]);
        let v = volunteer();
        let plan = plan_roster(&[v], &[a, b, c], &ctx, PlanOptions::default(), |_| {});
        assert_eq!(
            plan.assignments.len(),
            2,
            "one of the clashing pair, plus the later one"
        );
    }

    #[test]
    fn a_chain_of_shifts_bounds_fill_by_what_signups_allow() {
        // X 2-5 h, Y 4-7 h, Z 6-9 h from now: X and Z do not clash, but the chain makes the
        // three one slot, so the plan seats two people while signups would allow three seats
        // (one volunteer on X and Z, the other on Y).
        let ctx = context();
        let mut chain: Vec<OpenShift> = [2, 4, 6]
            .into_iter()
            .map(|h| shift(&ctx, Duration::hours(h)))
            .collect();
        for s in &mut chain {
            s.capacity = 1;
        }
        let pool = [volunteer(), volunteer()];
        let plan = plan_roster(&pool, &chain, &ctx, PlanOptions::default(), |_| {});
        assert_eq!(plan.assignments.len(), 2);
        assert_eq!(
            plan.fill_bound, 3,
            "the bound holds for every plan signups allow"
        );
        // Shifts that all overlap: one per person is exactly the rule, and the bound is met.
        let clique: Vec<OpenShift> = [2, 3, 4]
            .into_iter()
            .map(|h| shift(&ctx, Duration::hours(h)))
            .collect();
        let plan = plan_roster(&pool, &clique, &ctx, PlanOptions::default(), |_| {});
        assert_eq!((plan.assignments.len(), plan.fill_bound), (2, 2));
    }

    #[test]
    fn minors_are_planned_only_with_enough_adults() {
        let ctx = context();
        let mut s = shift(&ctx, Duration::days(3));
        s.capacity = 5;
        s.minors_per_adult = Some(4);
        let minors: Vec<Volunteer> = (0..6).map(|_| minor()).collect();
        let only_minors = plan_roster(
            &minors,
            std::slice::from_ref(&s),
            &ctx,
            PlanOptions::default(),
            |_| {},
        );
        assert!(only_minors.assignments.is_empty(), "no adult, so no minor");
        assert_eq!(
            only_minors.fill_bound, 4,
            "the bound relaxes the ratio: four of five seats may hold minors"
        );
        let mut pool = minors.clone();
        pool.push(volunteer());
        let with_adult = plan_roster(&pool, &[s], &ctx, PlanOptions::default(), |_| {});
        assert_eq!(with_adult.assignments.len(), 5, "one adult and four minors");
        assert_eq!(with_adult.fill_bound, 5);
        assert_eq!(
            with_adult.score_gap,
            Some(0.0),
            "and no five seats do better"
        );
    }
}
