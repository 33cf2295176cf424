//! Open shifts held in memory, laid out for fast recommendations.

use crate::model::{MatchContext, OpenShift, Volunteer};
use crate::rank::{Ranked, rank_shifts};
use hourbook_domain::UnitVector;
use rstar::RTree;
use rstar::primitives::GeomWithData;

/// Open shifts with an R-tree over them. The shifts are stored in the tree's leaf order, so
/// the shifts one query touches lie next to each other in memory: a recommendation reads a
/// few thousand shifts, and reading them in scattered order costs more than scoring them.
#[derive(Debug)]
pub struct ShiftCatalog {
    shifts: Vec<OpenShift>,
    /// Unit vectors of the shifts' places (data: position in `shifts`): distance in 3-D (the
    /// chord) orders places exactly as great-circle distance does, so a nearest-first search
    /// in 3-D is nearest first on the sphere.
    index: RTree<GeomWithData<[f64; 3], u32>>,
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
                .map(|(i, s)| GeomWithData::new(s.facts.location.unit_vector().xyz(), i as u32))
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
        // A hair beyond the radius in chord terms: the km test below decides.
        let reach = UnitVector::chord2_from_km(radius) * (1.0 + 1e-9) + 1e-18;
        let home = volunteer.profile.home.unit_vector().xyz();
        // Nearest first, stopping after `nearby`: in a dense city the search never visits
        // the thousands of shifts further out.
        let found = self
            .index
            .nearest_neighbor_iter_with_distance_2(&home)
            .take_while(|(_, d2)| *d2 <= reach)
            .map(|(entry, d2)| (entry.data, UnitVector::km_from_chord2(d2)))
            .filter(|(_, km)| *km <= radius)
            .take(nearby);
        rank_shifts(
            volunteer,
            found
                .into_iter()
                .map(|(i, km)| (&self.shifts[i as usize], km)),
            ctx,
            limit,
        )
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
