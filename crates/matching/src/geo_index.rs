//! Where the open shifts are: "which shifts lie within r km of this point, nearest first".

use hourbook_domain::Coordinates;
use rstar::primitives::GeomWithData;
use rstar::{AABB, RTree};
use std::collections::HashMap;
use uuid::Uuid;

/// A searchable set of shift locations.
pub trait ShiftIndex {
    /// Adds a shift, or moves it if it is already there.
    fn upsert(&mut self, shift_id: Uuid, location: Coordinates);
    /// Removes a shift (closed, full or cancelled); unknown ids are ignored.
    fn remove(&mut self, shift_id: Uuid);
    /// Shifts within `radius_km` of `center` (great-circle distance), nearest first, each with
    /// its distance in km.
    fn within(&self, center: Coordinates, radius_km: f64) -> Vec<(Uuid, f64)>;
    /// How many shifts are indexed.
    fn len(&self) -> usize;
    /// Whether the index is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A shift's (longitude, latitude) with its id.
type Entry = GeomWithData<[f64; 2], Uuid>;

fn entry(id: Uuid, point: [f64; 2]) -> Entry {
    Entry::new(point, id)
}

/// An in-process R-tree over (longitude, latitude): a bounding-box query finds the
/// candidates, the haversine distance decides.
#[derive(Debug, Default)]
pub struct RTreeShiftIndex {
    tree: RTree<Entry>,
    positions: HashMap<Uuid, [f64; 2]>,
}

impl RTreeShiftIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds an index in one go (bulk loading makes a better-balanced tree than inserts).
    pub fn bulk(shifts: impl IntoIterator<Item = (Uuid, Coordinates)>) -> Self {
        let positions: HashMap<Uuid, [f64; 2]> = shifts
            .into_iter()
            .map(|(id, at)| (id, [at.lon, at.lat]))
            .collect();
        let tree = RTree::bulk_load(positions.iter().map(|(id, p)| entry(*id, *p)).collect());
        Self { tree, positions }
    }
}

impl RTreeShiftIndex {
    /// Calls `f` for each entry in the bounding box of the circle of `radius_km` around
    /// `center`.
    fn in_box(&self, center: Coordinates, radius_km: f64, mut f: impl FnMut(&Entry)) {
        for e in search_boxes(center, radius_km) {
            self.tree
                .locate_in_envelope_intersecting(&e)
                .for_each(&mut f);
        }
    }
}

/// The (longitude, latitude) boxes that hold the circle of `radius_km` around `center`
/// ([`Coordinates::boxes_around`]).
pub(crate) fn search_boxes(center: Coordinates, radius_km: f64) -> Vec<AABB<[f64; 2]>> {
    center
        .boxes_around(radius_km)
        .into_iter()
        .map(|b| AABB::from_corners([b.west, b.south], [b.east, b.north]))
        .collect()
}

impl ShiftIndex for RTreeShiftIndex {
    fn upsert(&mut self, shift_id: Uuid, location: Coordinates) {
        self.remove(shift_id);
        let point = [location.lon, location.lat];
        self.positions.insert(shift_id, point);
        self.tree.insert(entry(shift_id, point));
    }

    fn remove(&mut self, shift_id: Uuid) {
        if let Some(point) = self.positions.remove(&shift_id) {
            self.tree.remove(&entry(shift_id, point));
        }
    }

    fn within(&self, center: Coordinates, radius_km: f64) -> Vec<(Uuid, f64)> {
        let mut found: Vec<(Uuid, f64)> = Vec::new();
        self.in_box(center, radius_km, |entry: &Entry| {
            let [lon, lat] = *entry.geom();
            let km = center.distance_km(&Coordinates { lat, lon });
            if km <= radius_km {
                found.push((entry.data, km));
            }
        });
        found.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        found.dedup_by_key(|(id, _)| *id);
        found
    }

    fn len(&self) -> usize {
        self.positions.len()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(lat: f64, lon: f64) -> Coordinates {
        Coordinates { lat, lon }
    }

    /// A deterministic scatter of points around Shanghai (no RNG needed for the check).
    fn scatter(n: u32) -> Vec<(Uuid, Coordinates)> {
        (0..n)
            .map(|i| {
                let f = f64::from(i);
                let lat = 31.24 + ((f * 0.618_033_988).fract() - 0.5) * 0.4;
                let lon = 121.40 + ((f * 0.414_213_562).fract() - 0.5) * 0.4;
                (Uuid::from_u128(u128::from(i)), at(lat, lon))
            })
            .collect()
    }

    #[test]
    fn finds_exactly_what_a_brute_force_search_finds_nearest_first() {
        let shifts = scatter(2_000);
        let index = RTreeShiftIndex::bulk(shifts.clone());
        for (center, radius) in [
            (at(31.24, 121.40), 3.0),
            (at(31.30, 121.35), 7.5),
            (at(31.0, 121.0), 1.0),
        ] {
            let mut expected: Vec<(Uuid, f64)> = shifts
                .iter()
                .map(|(id, p)| (*id, center.distance_km(p)))
                .filter(|(_, d)| *d <= radius)
                .collect();
            expected.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
            assert_eq!(index.within(center, radius), expected);
        }
    }

    /// The point `km` from `from` on `bearing` (degrees), normalised to our coordinate ranges.
    pub(crate) fn destination(from: Coordinates, bearing: f64, km: f64) -> Coordinates {
        use geo::{Destination, Haversine};
        let p = Haversine.destination(from.point(), bearing, km * 1000.0);
        let lon = (p.x() + 540.0).rem_euclid(360.0) - 180.0;
        at(p.y().clamp(-90.0, 90.0), lon)
    }

    /// Shifts just inside and just outside circles anywhere on earth (near the poles and the
    /// antimeridian too), on every bearing: the widest points of a circle lie poleward of its
    /// centre, where a box only `r / cos(lat)` wide misses them.
    pub(crate) fn edge_cases() -> impl Strategy<Value = (Coordinates, f64, Vec<(Coordinates, bool)>)>
    {
        (
            -89.9f64..89.9,
            -180.0f64..180.0,
            0.1f64..200.0,
            0.0f64..360.0,
        )
            .prop_map(|(lat, lon, radius, turn)| {
                let center = at(lat, lon);
                let probes = (0..24)
                    .flat_map(|k| {
                        let bearing = (turn + f64::from(k) * 15.0) % 360.0;
                        [
                            (destination(center, bearing, radius * (1.0 - 1e-6)), true),
                            (destination(center, bearing, radius * (1.0 + 1e-6)), false),
                        ]
                    })
                    .collect();
                (center, radius, probes)
            })
    }

    proptest! {
        #[test]
        fn finds_the_edge_of_any_circle((center, radius, probes) in edge_cases()) {
            let index = RTreeShiftIndex::bulk(
                probes.iter().enumerate().map(|(i, (p, _))| (Uuid::from_u128(i as u128), *p)),
            );
            let found: Vec<Uuid> = index.within(center, radius).into_iter().map(|h| h.0).collect();
            for (i, (p, inside)) in probes.iter().enumerate() {
                prop_assert_eq!(
                    found.contains(&Uuid::from_u128(i as u128)),
                    *inside,
                    "{:?} at {} km of a {} km circle around {:?}",
                    p, center.distance_km(p), radius, center
                );
            }
        }
    }

    #[test]
    fn shifts_can_move_and_leave() {
        let mut index = RTreeShiftIndex::new();
        let id = Uuid::from_u128(7);
        index.upsert(id, at(31.24, 121.40));
        assert_eq!(index.within(at(31.24, 121.40), 0.5).len(), 1);
        index.upsert(id, at(31.50, 121.40));
        assert!(index.within(at(31.24, 121.40), 0.5).is_empty());
        assert_eq!(index.len(), 1);
        index.remove(id);
        index.remove(id);
        assert!(index.is_empty());
    }

    #[test]
    fn searches_across_the_antimeridian_and_ignores_bad_radii() {
        let mut index = RTreeShiftIndex::new();
        index.upsert(Uuid::from_u128(1), at(0.0, 179.99));
        let hits = index.within(at(0.0, -179.99), 5.0);
        assert_eq!(hits.len(), 1);
        assert!(hits[0].1 < 3.0);
        assert!(index.within(at(0.0, 179.99), f64::NAN).is_empty());
        assert!(index.within(at(0.0, 179.99), -1.0).is_empty());
    }
}
