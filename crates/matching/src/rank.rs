//! Ranking: the best shifts for a volunteer, the best volunteers for a shift.

use crate::model::{MatchContext, OpenShift, Volunteer};
use crate::score::{Scored, points, proposable, score};
use std::cmp::Ordering;

/// A proposable pair with its score.
#[derive(Debug, Clone)]
pub struct Ranked<T> {
    /// The shift (for a volunteer) or the volunteer (for a shift).
    pub item: T,
    /// Distance between the volunteer's home and the shift, km.
    pub distance_km: f64,
    /// Score and reasons.
    pub scored: Scored,
}

/// The `limit` best shifts for `volunteer` among `nearby` (shifts with their distance from
/// the volunteer's home, e.g. from the geo index), best first: score, then distance, then id.
pub fn rank_shifts<'a>(
    volunteer: &Volunteer,
    nearby: impl IntoIterator<Item = (&'a OpenShift, f64)>,
    ctx: &MatchContext,
    limit: usize,
) -> Vec<Ranked<&'a OpenShift>> {
    let ranked = nearby
        .into_iter()
        .filter(|(shift, km)| proposable(volunteer, shift, *km, ctx))
        .map(|(shift, km)| (shift, km, points(volunteer, shift, km, ctx)));
    best(ranked, limit, |s| s.id)
        .into_iter()
        .map(|(shift, km, _)| Ranked {
            item: shift,
            distance_km: km,
            scored: score(volunteer, shift, km, ctx),
        })
        .collect()
}

/// The `limit` best volunteers for `shift` among `pool`, best first. Only volunteers who
/// allow organizers to find them are considered.
pub fn rank_volunteers<'a>(
    shift: &OpenShift,
    pool: impl IntoIterator<Item = &'a Volunteer>,
    ctx: &MatchContext,
    limit: usize,
) -> Vec<Ranked<&'a Volunteer>> {
    let ranked = pool
        .into_iter()
        .filter(|v| v.profile.discoverable)
        .filter_map(|v| {
            let km = v.profile.home.distance_km(&shift.facts.location);
            proposable(v, shift, km, ctx).then(|| (v, km, points(v, shift, km, ctx)))
        });
    best(ranked, limit, |v| v.id)
        .into_iter()
        .map(|(v, km, _)| Ranked {
            item: v,
            distance_km: km,
            scored: score(v, shift, km, ctx),
        })
        .collect()
}

/// Keeps the `limit` best of (item, distance, points) in order (points, then distance, then
/// id), without sorting everything.
fn best<T>(
    ranked: impl Iterator<Item = (T, f64, f64)>,
    limit: usize,
    id: impl Fn(&T) -> uuid::Uuid,
) -> Vec<(T, f64, f64)> {
    let order = |a: &(T, f64, f64), b: &(T, f64, f64)| -> Ordering {
        b.2.total_cmp(&a.2)
            .then(a.1.total_cmp(&b.1))
            .then_with(|| id(&a.0).cmp(&id(&b.0)))
    };
    let mut all: Vec<(T, f64, f64)> = ranked.collect();
    if limit == 0 {
        return Vec::new();
    }
    if all.len() > limit {
        all.select_nth_unstable_by(limit - 1, order);
        all.truncate(limit);
    }
    all.sort_by(order);
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{context, shift, volunteer};
    use chrono::Duration;

    #[test]
    fn shifts_come_best_first_and_only_proposable_ones() {
        let ctx = context();
        let v = volunteer();
        let shifts: Vec<OpenShift> = (1..=30).map(|d| shift(&ctx, Duration::days(d))).collect();
        let mut full = shift(&ctx, Duration::days(1));
        full.confirmed = full.capacity;
        let nearby: Vec<(&OpenShift, f64)> = shifts
            .iter()
            .enumerate()
            .map(|(i, s)| (s, i as f64 * 0.2))
            .chain([(&full, 0.0)])
            .collect();
        let top = rank_shifts(&v, nearby.clone(), &ctx, 5);
        assert_eq!(top.len(), 5);
        assert!(top.iter().all(|r| r.item.id != full.id));
        // The same as sorting everything by hand.
        let within_radius = nearby
            .iter()
            .filter(|(s, km)| *km <= 5.0 && s.id != full.id)
            .count();
        assert!(within_radius < shifts.len());
        let mut all = rank_shifts(&v, nearby, &ctx, usize::MAX);
        assert_eq!(
            all.len(),
            within_radius,
            "shifts beyond the 5 km radius are left out"
        );
        all.truncate(5);
        let ids = |l: &[Ranked<&OpenShift>]| l.iter().map(|r| r.item.id).collect::<Vec<_>>();
        assert_eq!(ids(&top), ids(&all));
        assert!(
            top.windows(2)
                .all(|w| w[0].scored.score >= w[1].scored.score)
        );
    }

    #[test]
    fn volunteers_who_hide_are_never_candidates() {
        let ctx = context();
        let s = shift(&ctx, Duration::days(3));
        let shown = volunteer();
        let mut hidden = volunteer();
        hidden.profile.discoverable = false;
        let mut experienced = volunteer();
        experienced.served_minutes = 30 * 60;
        let pool = [hidden, experienced.clone(), shown.clone()];
        let ranked = rank_volunteers(&s, &pool, &ctx, 10);
        let ids: Vec<_> = ranked.iter().map(|r| r.item.id).collect();
        assert_eq!(
            ids,
            [shown.id, experienced.id],
            "fewer hours so far ranks first"
        );
    }
}
