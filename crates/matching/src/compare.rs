//! Match quality: first come, first served against the optimal plan, on the same pool.

use crate::geo_index::{RTreeShiftIndex, ShiftIndex};
use crate::model::{MatchContext, OpenShift, Volunteer};
use crate::roster::{Assignment, PlanOptions};
use crate::score::{proposable, score};
use std::collections::HashMap;
use uuid::Uuid;

/// What happens without planning: volunteers, in signup order, each sign up for the nearest
/// eligible open shift, then the next nearest that does not clash with one they hold, up to
/// `max_shifts_per_volunteer` shifts, before the next volunteer arrives. A minor is seated
/// only while the adult:minor ratio holds, as live signups are.
pub fn first_come_first_served(
    pool: &[Volunteer],
    shifts: &[OpenShift],
    ctx: &MatchContext,
    options: PlanOptions,
) -> Vec<Assignment> {
    let index = RTreeShiftIndex::bulk(
        shifts
            .iter()
            .enumerate()
            .map(|(i, s)| (Uuid::from_u128(i as u128), s.facts.location)),
    );
    // Seats and the minors among them change as volunteers take shifts.
    let mut live: Vec<OpenShift> = shifts.to_vec();
    let mut taken = Vec::new();
    for volunteer in pool {
        let mut volunteer = volunteer.clone();
        let nearby = index.within(volunteer.profile.home, volunteer.profile.travel_radius_km);
        let mut held = 0;
        for (key, km) in nearby {
            if held == options.max_shifts_per_volunteer {
                break;
            }
            let shift = &mut live[key.as_u128() as usize];
            if !proposable(&volunteer, shift, km, ctx) || !ratio_allows(&volunteer, shift, ctx) {
                continue;
            }
            taken.push(Assignment {
                shift_id: shift.id,
                volunteer_id: volunteer.id,
                distance_km: km,
                scored: score(&volunteer, shift, km, ctx),
            });
            if volunteer.is_minor_on(shift, ctx.timezone, &ctx.ages) {
                shift.confirmed_minors += 1;
            }
            shift.confirmed += 1;
            volunteer
                .busy
                .push((shift.facts.starts_at, shift.facts.ends_at));
            held += 1;
        }
    }
    taken
}

/// A live signup's adult:minor rule: a minor is seated only while the ratio holds.
fn ratio_allows(volunteer: &Volunteer, shift: &OpenShift, ctx: &MatchContext) -> bool {
    match shift.minors_per_adult {
        Some(r) if volunteer.is_minor_on(shift, ctx.timezone, &ctx.ages) => {
            let adults = shift.confirmed_adults();
            u64::from(shift.confirmed_minors) < u64::from(adults) * u64::from(r)
        }
        _ => true,
    }
}

/// How good a set of assignments is.
#[derive(Debug, Clone, PartialEq)]
pub struct Quality {
    /// Seats filled, out of the seats that were open.
    pub filled: u64,
    /// Seats that were open.
    pub seats: u64,
    /// Of the shifts with preferred skills, the share where some assigned volunteer holds one.
    pub skill_coverage: f64,
    /// Mean travel distance, km.
    pub mean_km: f64,
    /// 90th-percentile travel distance, km.
    pub p90_km: f64,
    /// Volunteers with at least one shift.
    pub volunteers_used: usize,
    /// Gini coefficient of assigned hours over the volunteers used (0 = perfectly even).
    pub hours_gini: f64,
    /// Most hours any one volunteer got.
    pub max_hours: f64,
}

impl Quality {
    /// Fill rate in percent.
    pub fn fill_rate(&self) -> f64 {
        if self.seats == 0 {
            100.0
        } else {
            100.0 * self.filled as f64 / self.seats as f64
        }
    }

    /// Measures `assignments` of `pool` to `shifts`.
    pub fn measure(
        assignments: &[Assignment],
        pool: &[Volunteer],
        shifts: &[OpenShift],
        ctx: &MatchContext,
    ) -> Self {
        let seats = shifts.iter().map(|s| u64::from(s.seats_to_offer())).sum();
        let by_id: HashMap<Uuid, &OpenShift> = shifts.iter().map(|s| (s.id, s)).collect();
        let people: HashMap<Uuid, &Volunteer> = pool.iter().map(|v| (v.id, v)).collect();
        let mut km: Vec<f64> = assignments.iter().map(|a| a.distance_km).collect();
        km.sort_by(f64::total_cmp);
        let mean_km = if km.is_empty() {
            0.0
        } else {
            km.iter().sum::<f64>() / km.len() as f64
        };
        let p90_km = km
            .get(((km.len() as f64 * 0.9).ceil() as usize).saturating_sub(1))
            .copied()
            .unwrap_or(0.0);

        let mut covered: HashMap<Uuid, bool> = shifts
            .iter()
            .filter(|s| !s.preferred_skills.is_empty())
            .map(|s| (s.id, false))
            .collect();
        let mut hours: HashMap<Uuid, f64> = HashMap::new();
        for a in assignments {
            let shift = by_id[&a.shift_id];
            *hours.entry(a.volunteer_id).or_default() += shift.minutes() as f64 / 60.0;
            let day = shift.facts.local_date(ctx.timezone);
            if let Some(done) = covered.get_mut(&a.shift_id) {
                let holds = people[&a.volunteer_id]
                    .profile
                    .skills
                    .iter()
                    .any(|h| shift.preferred_skills.contains(&h.skill) && h.valid_on(day));
                *done |= holds;
            }
        }
        let skill_coverage = if covered.is_empty() {
            1.0
        } else {
            covered.values().filter(|c| **c).count() as f64 / covered.len() as f64
        };
        let mut per_person: Vec<f64> = hours.values().copied().collect();
        per_person.sort_by(f64::total_cmp);
        Self {
            filled: assignments.len() as u64,
            seats,
            skill_coverage,
            mean_km,
            p90_km,
            volunteers_used: per_person.len(),
            hours_gini: gini(&per_person),
            max_hours: per_person.last().copied().unwrap_or(0.0),
        }
    }
}

/// Gini coefficient of sorted non-negative values.
fn gini(sorted: &[f64]) -> f64 {
    let n = sorted.len() as f64;
    let total: f64 = sorted.iter().sum();
    if sorted.is_empty() || total == 0.0 {
        return 0.0;
    }
    let weighted: f64 = sorted
        .iter()
        .enumerate()
        .map(|(i, x)| (i as f64 + 1.0) * x)
        .sum();
    (2.0 * weighted) / (n * total) - (n + 1.0) / n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::district::demo_event;
    use crate::roster::plan_roster;
    use hourbook_domain::demo::EVENT_CHILDCARE;

    #[test]
    fn the_plan_fills_at_least_what_first_come_first_served_fills_on_the_demo_classes() {
        // Summer classes need an adult per four minors: the case where a plain flow, which
        // does not know the ratio, could fill less than volunteers arriving one by one.
        let instance = demo_event(2027, 300, EVENT_CHILDCARE);
        for most in [1, 3] {
            let options = PlanOptions {
                max_shifts_per_volunteer: most,
                ..PlanOptions::default()
            };
            let (pool, shifts, ctx) = (&instance.volunteers, &instance.shifts, &instance.ctx);
            let fcfs = Quality::measure(
                &first_come_first_served(pool, shifts, ctx, options),
                pool,
                shifts,
                ctx,
            );
            let plan = plan_roster(pool, shifts, ctx, options, |_| {});
            let planned = Quality::measure(&plan.assignments, pool, shifts, ctx);
            assert!(
                planned.filled >= fcfs.filled,
                "at most {most} shifts each: plan {} < first come {}",
                planned.filled,
                fcfs.filled
            );
        }
    }
}
