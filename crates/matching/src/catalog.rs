//! Open shifts held in memory, laid out for fast recommendations.

use crate::model::{MatchContext, OpenShift, Volunteer};
use crate::rank::{Ranked, rank_shifts};
use hourbook_domain::{Coordinates, UnitVector};

/// Height of a row of the catalog, in degrees of latitude (about 1.1 km).
const ROW_DEGREES: f64 = 0.01;

/// Open shifts, stored by rows of latitude and, within a row, by longitude. A recommendation
/// reads the few thousand shifts around one home: a search reads each row of the circle's
/// bounding box as one contiguous run (found by binary search), so it touches memory in
/// order instead of walking a tree, and the shifts it then scores lie next to each other.
#[derive(Debug)]
pub struct ShiftCatalog {
    shifts: Vec<OpenShift>,
    /// `places[i]` is where `shifts[i]` is: its longitude (the order within a row) and its
    /// unit vector (the squared chord between unit vectors orders places as great-circle
    /// distance does, with no trigonometry per shift).
    places: Vec<(f64, UnitVector)>,
    /// The rows that hold shifts, ascending: (row number, first position in `shifts`).
    rows: Vec<(i32, usize)>,
}

fn row_of(lat: f64) -> i32 {
    (lat / ROW_DEGREES).floor() as i32
}

impl ShiftCatalog {
    /// Lays out `shifts`.
    pub fn new(mut shifts: Vec<OpenShift>) -> Self {
        let key = |s: &OpenShift| (row_of(s.facts.location.lat), s.facts.location.lon);
        shifts.sort_by(|a, b| {
            let (a, b) = (key(a), key(b));
            a.0.cmp(&b.0).then(a.1.total_cmp(&b.1))
        });
        let places = shifts
            .iter()
            .map(|s| (s.facts.location.lon, s.facts.location.unit_vector()))
            .collect();
        let mut rows: Vec<(i32, usize)> = Vec::new();
        for (i, s) in shifts.iter().enumerate() {
            let row = key(s).0;
            if rows.last().is_none_or(|&(last, _)| last != row) {
                rows.push((row, i));
            }
        }
        Self {
            shifts,
            places,
            rows,
        }
    }

    /// The shifts, in storage order.
    pub fn shifts(&self) -> &[OpenShift] {
        &self.shifts
    }

    /// The `limit` best shifts for `volunteer` among the `nearby` nearest open shifts within
    /// their travel radius, best first. `nearby` is the server's `matching.max_nearby_shifts`
    /// (the Redis index answers the same question with `GEOSEARCH ... ASC COUNT`): in a dense
    /// city it bounds the work per request, at the price of never proposing a shift that
    /// thousands of nearer ones outnumber.
    pub fn recommend(
        &self,
        volunteer: &Volunteer,
        ctx: &MatchContext,
        limit: usize,
        nearby: usize,
    ) -> Vec<Ranked<&OpenShift>> {
        let radius = volunteer.profile.travel_radius_km;
        if !radius.is_finite() || radius < 0.0 {
            return Vec::new();
        }
        let home = volunteer.profile.home;
        // If a smaller circle already holds `nearby` shifts, the nearest `nearby` are among
        // them. Try the inner half first; when it holds too few, the count it found says how
        // dense the neighbourhood is, so guess the radius that holds a quarter more than
        // `nearby` before falling back to the whole circle. A dense city is searched over a
        // fraction of the area; a guess that falls short costs one more search.
        let mut found = self.within(home, radius / 2.0);
        if found.len() < nearby && !found.is_empty() {
            let guess = radius / 2.0 * (1.25 * nearby as f64 / found.len() as f64).sqrt();
            if guess < radius {
                found = self.within(home, guess);
            }
        }
        if found.len() < nearby {
            found = self.within(home, radius);
        }
        if found.len() > nearby {
            if nearby == 0 {
                return Vec::new();
            }
            found
                .select_nth_unstable_by(nearby - 1, |a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
            found.truncate(nearby);
        }
        let found = found
            .into_iter()
            .map(|(i, d2)| (i, UnitVector::km_from_chord2(d2)))
            .filter(|(_, km)| *km <= radius);
        rank_shifts(
            volunteer,
            found.map(|(i, km)| (&self.shifts[i as usize], km)),
            ctx,
            limit,
        )
    }
}

impl ShiftCatalog {
    /// Shifts within `radius_km` of `center` (a hair more, in chord terms: callers decide in
    /// km), as (position, squared chord), in no order.
    fn within(&self, center: Coordinates, radius_km: f64) -> Vec<(u32, f64)> {
        let reach = UnitVector::chord2_from_km(radius_km) * (1.0 + 1e-9) + 1e-18;
        let from = center.unit_vector().xyz();
        let mut found = Vec::new();
        for b in center.boxes_around(radius_km) {
            let (west, south, east, north) = (b.west, b.south, b.east, b.north);
            let first_row = self.rows.partition_point(|&(row, _)| row < row_of(south));
            for (n, &(row, start)) in self.rows.iter().enumerate().skip(first_row) {
                if row > row_of(north) {
                    break;
                }
                let end = self.rows.get(n + 1).map_or(self.shifts.len(), |r| r.1);
                let run = &self.places[start..end];
                let from_west = run.partition_point(|&(lon, _)| lon < west);
                for (i, (lon, at)) in run.iter().enumerate().skip(from_west) {
                    if *lon > east {
                        break;
                    }
                    let [x, y, z] = at.xyz();
                    let d2 = (x - from[0]).powi(2) + (y - from[1]).powi(2) + (z - from[2]).powi(2);
                    if d2 <= reach {
                        found.push(((start + i) as u32, d2));
                    }
                }
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::district::city;
    use crate::geo_index::tests::edge_cases;
    use crate::geo_index::{RTreeShiftIndex, ShiftIndex};
    use crate::testing::{context, shift};
    use proptest::prelude::*;
    use uuid::Uuid;

    proptest! {
        #[test]
        fn finds_the_edge_of_any_circle((center, radius, probes) in edge_cases()) {
            let ctx = context();
            let shifts = probes.iter().map(|(p, _)| {
                let mut s = shift(&ctx, chrono::Duration::days(1));
                s.facts.location = *p;
                s
            });
            let catalog = ShiftCatalog::new(shifts.collect());
            let found: Vec<Coordinates> = catalog
                .within(center, radius)
                .into_iter()
                .filter(|(_, d2)| UnitVector::km_from_chord2(*d2) <= radius)
                .map(|(i, _)| catalog.shifts()[i as usize].facts.location)
                .collect();
            for (p, inside) in &probes {
                prop_assert_eq!(found.contains(p), *inside, "{:?} around {:?}", p, center);
            }
            let mut positions: Vec<u32> = catalog.within(center, radius).into_iter().map(|f| f.0).collect();
            let count = positions.len();
            positions.sort_unstable();
            positions.dedup();
            prop_assert_eq!(positions.len(), count, "no shift found twice around {:?}", center);
        }
    }

    #[test]
    fn the_catalog_recommends_what_ranking_all_nearby_shifts_would() {
        let instance = city(7, 50, 2000, 10.0);
        let catalog = ShiftCatalog::new(instance.shifts.clone());
        assert_eq!(catalog.shifts().len(), instance.shifts.len());
        let index = RTreeShiftIndex::bulk(instance.shifts.iter().map(|s| (s.id, s.facts.location)));
        for v in &instance.volunteers {
            let by_id: std::collections::HashMap<Uuid, &OpenShift> =
                instance.shifts.iter().map(|s| (s.id, s)).collect();
            let nearby = index.within(v.profile.home, v.profile.travel_radius_km);
            let expected = rank_shifts(
                v,
                nearby.iter().map(|(id, km)| (by_id[id], *km)),
                &instance.ctx,
                20,
            );
            let got = catalog.recommend(v, &instance.ctx, 20, usize::MAX);
            let ids = |l: &[Ranked<&OpenShift>]| l.iter().map(|r| r.item.id).collect::<Vec<_>>();
            assert_eq!(ids(&got), ids(&expected));
            // With a cap, exactly the best among the `cap` nearest (whichever search radius
            // the catalog had to try to find them).
            for cap in [10, 200, 700] {
                let nearest = &nearby[..nearby.len().min(cap)];
                let expected = rank_shifts(
                    v,
                    nearest.iter().map(|(id, km)| (by_id[id], *km)),
                    &instance.ctx,
                    20,
                );
                let capped = catalog.recommend(v, &instance.ctx, 20, cap);
                assert_eq!(ids(&capped), ids(&expected), "cap {cap}");
            }
        }
    }
}
