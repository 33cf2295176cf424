//! Open shifts held in memory, laid out for fast recommendations.

use crate::geo_index::RTreeShiftIndex;
use crate::model::{MatchContext, OpenShift, Volunteer};
use crate::rank::{Ranked, rank_shifts};
use rstar::RTree;
use rstar::primitives::GeomWithData;
use uuid::Uuid;

/// Open shifts with an R-tree over them. The shifts are stored in the tree's leaf order, so
/// the shifts one query touches lie next to each other in memory: a recommendation reads a
/// few thousand shifts, and reading them in scattered order costs more than scoring them.
#[derive(Debug)]
pub struct ShiftCatalog {
    shifts: Vec<OpenShift>,
    index: RTreeShiftIndex,
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
        let index = RTreeShiftIndex::bulk(
            shifts
                .iter()
                .enumerate()
                .map(|(i, s)| (Uuid::from_u128(i as u128), s.facts.location)),
        );
        Self { shifts, index }
    }

    /// The shifts, in storage order.
    pub fn shifts(&self) -> &[OpenShift] {
        &self.shifts
    }

    /// The `limit` best shifts for `volunteer` within their travel radius, best first.
    pub fn recommend(
        &self,
        volunteer: &Volunteer,
        ctx: &MatchContext,
        limit: usize,
    ) -> Vec<Ranked<&OpenShift>> {
        let mut nearby = Vec::new();
        self.index.for_each_within(
            volunteer.profile.home,
            volunteer.profile.travel_radius_km,
            |key, km| {
                nearby.push((&self.shifts[key.as_u128() as usize], km));
            },
        );
        rank_shifts(volunteer, nearby, ctx, limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::district::city;
    use crate::geo_index::ShiftIndex;

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
            let got = catalog.recommend(v, &instance.ctx, 20);
            let ids = |l: &[Ranked<&OpenShift>]| l.iter().map(|r| r.item.id).collect::<Vec<_>>();
            assert_eq!(ids(&got), ids(&expected));
        }
    }
}
