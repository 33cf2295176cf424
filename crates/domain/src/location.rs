//! Points on the earth and distances between them.

use crate::error::{DomainError, FieldError};
use geo::{Distance, Haversine, Point};
use serde::{Deserialize, Serialize};

/// A WGS84 coordinate that is known to be on the globe.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Coordinates {
    /// Latitude in degrees, -90..=90.
    pub lat: f64,
    /// Longitude in degrees, -180..=180.
    pub lon: f64,
}

impl Coordinates {
    /// Validates a latitude/longitude pair; `field` prefixes the error paths (`home` -> `home.lat`).
    pub fn parse(lat: f64, lon: f64, field: &str) -> Result<Self, DomainError> {
        let mut errors = Vec::new();
        let prefix = if field.is_empty() {
            String::new()
        } else {
            format!("{field}.")
        };
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            errors.push(FieldError::new(
                format!("{prefix}lat"),
                "latitude must be between -90 and 90",
            ));
        }
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            errors.push(FieldError::new(
                format!("{prefix}lon"),
                "longitude must be between -180 and 180",
            ));
        }
        if errors.is_empty() {
            Ok(Self { lat, lon })
        } else {
            Err(DomainError::Invalid(errors))
        }
    }

    /// Great-circle distance in metres (haversine, mean earth radius).
    pub fn distance_m(&self, other: &Coordinates) -> f64 {
        Haversine.distance(self.point(), other.point())
    }

    /// Great-circle distance in kilometres.
    pub fn distance_km(&self, other: &Coordinates) -> f64 {
        self.distance_m(other) / 1000.0
    }

    /// The same place as a `geo` point (x = longitude, y = latitude).
    pub fn point(&self) -> Point<f64> {
        Point::new(self.lon, self.lat)
    }
}

/// A point as a unit vector from the earth's centre. The great-circle distance between two
/// such vectors needs one square root and one arcsine, where the haversine formula needs
/// four trigonometric calls: indexes that measure thousands of points against one keep
/// their points this way. Same sphere and radius as [`Coordinates::distance_km`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnitVector([f64; 3]);

/// The sphere `geo`'s haversine uses (GRS80 mean radius), in km.
const EARTH_RADIUS_KM: f64 = geo::HaversineMeasure::GRS80_MEAN_RADIUS.radius() / 1000.0;

impl UnitVector {
    /// Great-circle distance in km.
    pub fn distance_km(&self, other: &UnitVector) -> f64 {
        let [a, b, c] = self.0;
        let [x, y, z] = other.0;
        Self::km_from_chord2((a - x).powi(2) + (b - y).powi(2) + (c - z).powi(2))
    }

    /// The vector's components: straight-line (chord) distance between unit vectors grows
    /// with great-circle distance, so a 3-D nearest-neighbour search on them is exact.
    pub fn xyz(&self) -> [f64; 3] {
        self.0
    }

    /// Great-circle km for a squared chord length.
    pub fn km_from_chord2(chord2: f64) -> f64 {
        2.0 * EARTH_RADIUS_KM * (chord2.max(0.0).sqrt() / 2.0).min(1.0).asin()
    }

    /// Squared chord length for a great-circle distance in km (the inverse of
    /// [`UnitVector::km_from_chord2`]).
    pub fn chord2_from_km(km: f64) -> f64 {
        let half_angle = (km / (2.0 * EARTH_RADIUS_KM)).min(std::f64::consts::FRAC_PI_2);
        (2.0 * half_angle.sin()).powi(2)
    }
}

impl Coordinates {
    /// This point as a unit vector.
    pub fn unit_vector(&self) -> UnitVector {
        let (lat, lon) = (self.lat.to_radians(), self.lon.to_radians());
        UnitVector([lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()])
    }
}

/// A box of latitudes and longitudes, in degrees: a cheap first filter for "within r km",
/// which callers then check by distance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatLonBox {
    /// Southern edge.
    pub south: f64,
    /// Western edge (below -180 for the part of a circle beyond the antimeridian).
    pub west: f64,
    /// Northern edge.
    pub north: f64,
    /// Eastern edge (above 180 likewise).
    pub east: f64,
}

impl Coordinates {
    /// The boxes that hold every point within `radius_km` of this one: one, or two where
    /// the circle crosses the antimeridian; none for a radius that is no distance.
    pub fn boxes_around(&self, radius_km: f64) -> Vec<LatLonBox> {
        if !radius_km.is_finite() || radius_km < 0.0 {
            return Vec::new();
        }
        // The angle the radius spans at the earth's centre, a hair wider for rounding.
        let angle = (radius_km / EARTH_RADIUS_KM).min(std::f64::consts::PI) * (1.0 + 1e-9);
        let dlat = angle.to_degrees();
        // The circle is widest in longitude a little poleward of its centre:
        // asin(sin(angle) / cos(lat)), which `angle / cos(lat)` falls short of away from the
        // equator. A circle that holds a pole spans every longitude.
        let (sin_r, cos_lat) = (
            angle.min(std::f64::consts::FRAC_PI_2).sin(),
            self.lat.to_radians().cos(),
        );
        let dlon = if sin_r >= cos_lat * (1.0 - 1e-9) {
            180.0
        } else {
            (sin_r / cos_lat).asin().to_degrees() * (1.0 + 1e-9)
        };
        let (south, north) = ((self.lat - dlat).max(-90.0), (self.lat + dlat).min(90.0));
        if dlon >= 180.0 {
            // Every longitude, once: shifted copies would overlap and list a place twice.
            return vec![LatLonBox {
                south,
                west: -180.0,
                north,
                east: 180.0,
            }];
        }
        let whole = LatLonBox {
            south,
            west: self.lon - dlon,
            north,
            east: self.lon + dlon,
        };
        // A box that crosses the antimeridian is also searched on its other side.
        [0.0, 360.0, -360.0]
            .into_iter()
            .map(|by| LatLonBox {
                west: whole.west + by,
                east: whole.east + by,
                ..whole
            })
            .filter(|b| b.east >= -180.0 && b.west <= 180.0)
            .collect()
    }
}

/// Rounds a distance for display, to 0.1 km.
pub fn round_km(km: f64) -> f64 {
    (km * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Points just inside circles anywhere on earth, on every bearing, lie in a box.
        #[test]
        fn the_boxes_hold_the_whole_circle(
            lat in -89.9f64..89.9,
            lon in -180.0f64..180.0,
            radius in 0.1f64..2000.0,
            turn in 0.0f64..360.0,
        ) {
            use geo::{Destination, Haversine};
            let center = Coordinates { lat, lon };
            let boxes = center.boxes_around(radius);
            let width = |b: &LatLonBox| b.east.min(180.0) - b.west.max(-180.0);
            prop_assert!(
                boxes.iter().map(width).sum::<f64>() <= 360.0 + 1e-9,
                "the boxes never cover a longitude twice: {:?}", boxes
            );
            for k in 0..36 {
                let bearing = (turn + f64::from(k) * 10.0) % 360.0;
                let p = Haversine.destination(center.point(), bearing, radius * (1.0 - 1e-6) * 1000.0);
                let (plat, plon) = (p.y(), (p.x() + 540.0).rem_euclid(360.0) - 180.0);
                prop_assert!(
                    boxes.iter().any(|b| (b.south..=b.north).contains(&plat) && (b.west..=b.east).contains(&plon)),
                    "({plat}, {plon}) at bearing {bearing} outside {boxes:?}"
                );
            }
        }
    }

    #[test]
    fn unit_vectors_measure_the_same_distances_as_haversine() {
        let points: Vec<Coordinates> = (0..60)
            .map(|i| {
                let f = f64::from(i);
                Coordinates {
                    lat: ((f * 0.618_033_988).fract() - 0.5) * 179.0,
                    lon: ((f * 0.414_213_562).fract() - 0.5) * 359.0,
                }
            })
            .chain([
                Coordinates {
                    lat: 31.24,
                    lon: 121.40,
                },
                Coordinates {
                    lat: 31.240_001,
                    lon: 121.400_001,
                },
            ])
            .collect();
        for a in &points {
            for b in &points {
                let (exact, fast) = (
                    a.distance_km(b),
                    a.unit_vector().distance_km(&b.unit_vector()),
                );
                assert!(
                    (exact - fast).abs() < 1e-6,
                    "{a:?} {b:?}: {exact} vs {fast}"
                );
            }
        }
    }

    #[test]
    fn rejects_out_of_range_coordinates_naming_each_field() {
        let err = Coordinates::parse(91.0, 200.0, "home").unwrap_err();
        let DomainError::Invalid(fields) = err else {
            panic!("expected invalid")
        };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["home.lat", "home.lon"]);
        assert!(Coordinates::parse(f64::NAN, 0.0, "").is_err());
    }

    #[test]
    fn distance_between_two_shanghai_points_is_plausible() {
        // People's Square to Zhongshan Park: about 5.6 km apart.
        let a = Coordinates::parse(31.2304, 121.4737, "").unwrap();
        let b = Coordinates::parse(31.2196, 121.4177, "").unwrap();
        let km = a.distance_km(&b);
        assert!((5.0..6.2).contains(&km), "{km}");
        assert_eq!(a.distance_m(&a), 0.0);
    }
}
