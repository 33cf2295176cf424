//! Open shifts held in memory, laid out for fast recommendations.

use crate::geo_index::search_boxes;
use crate::model::{MatchContext, OpenShift, Volunteer};
use crate::rank::{Ranked, rank_shifts};
use hourbook_domain::{Coordinates, UnitVector};
use rstar::RTree;
use rstar::primitives::GeomWithData;

/// Open shifts with an R-tree over them. The shifts are stored in the tree's leaf order, so
/// the shifts one query touches lie next to each other in memory: a recommendation reads a
/// few thousand shifts, and reading them in scattered order costs more than scoring them.
#[derive(Debug)]
pub struct ShiftCatalog {
    shifts: Vec<OpenShift>,
    /// The shifts' places as (longitude, latitude), with their position in `shifts` and
    /// their unit vector: the squared chord between unit vectors orders places as
    /// great-circle distance does, with no trigonometry per shift.
    index: RTree<GeomWithData<[f64; 2], (u32, UnitVector)>>,
}

impl ShiftCatalog {
    /// Indexes `shifts`.
    pub fn new(shifts: Vec<OpenShift>) -> Self {
        let order: RTree<GeomWithData<[f64; 2], usize>> = RTree::bulk_load(
            shifts
                .iter()
                .enumerate()
                .map(|(i, s)| GeomWithData::new([s.facts.location.lon, s.facts.location.lat], i))
                .collect(),
        );
        let mut slots: Vec<Option<OpenShift>> = shifts.into_iter().map(Some).collect();
        let shifts: Vec<OpenShift> = order
            .iter()
            .filter_map(|entry| slots[entry.data].take())
            .collect();
        let index = RTree::bulk_load(
            shifts
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let at = s.facts.location;
                    GeomWithData::new([at.lon, at.lat], (i as u32, at.unit_vector()))
                })
                .collect(),
        );
        Self { shifts, index }
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
        // If the inner half of the circle already holds `nearby` shifts, the nearest `nearby`
        // are among them: a dense city is searched over a quarter of the area.
        let mut found = self.within(home, radius / 2.0);
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
        for e in search_boxes(center, radius_km) {
            for entry in self.index.locate_in_envelope_intersecting(&e) {
                let (i, at) = entry.data;
                let [x, y, z] = at.xyz();
                let d2 = (x - from[0]).powi(2) + (y - from[1]).powi(2) + (z - from[2]).powi(2);
                if d2 <= reach {
                    found.push((i, d2));
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
    use crate::geo_index::{RTreeShiftIndex, ShiftIndex};
    use uuid::Uuid;

    /// The 10th smallest distance (or infinity when fewer).
    fn nearest_tenth(nearby: &[(Uuid, f64)]) -> f64 {
        nearby.get(9).map_or(f64::INFINITY, |n| n.1 + 1e-6)
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
            let capped = catalog.recommend(v, &instance.ctx, 20, 10);
            assert!(
                capped
                    .iter()
                    .all(|r| r.distance_km <= nearest_tenth(&nearby))
            );
            let ids = |l: &[Ranked<&OpenShift>]| l.iter().map(|r| r.item.id).collect::<Vec<_>>();
            assert_eq!(ids(&got), ids(&expected));
        }
    }
}
