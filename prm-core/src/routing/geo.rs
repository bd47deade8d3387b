//! Great-circle distance and the spatial index behind nearest and ring queries.

use crate::partner::Location;
use rstar::RTree;
use rstar::primitives::GeomWithData;

/// The mean Earth radius used for every distance, in km (IUGG).
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// The haversine distance between two points, in km, on a sphere of radius [`EARTH_RADIUS_KM`].
///
/// ```
/// use prm_core::partner::Location;
/// use prm_core::routing::haversine_km;
/// let budapest = Location { lat: 47.4979, lon: 19.0402 };
/// let vienna = Location { lat: 48.2082, lon: 16.3738 };
/// let d = haversine_km(budapest, vienna);
/// assert!(d > 100.0 && d < 250.0);
/// assert_eq!(d.round(), 214.0);
/// ```
pub fn haversine_km(a: Location, b: Location) -> f64 {
    let (phi1, phi2) = (a.lat.to_radians(), b.lat.to_radians());
    let half_dphi = (b.lat - a.lat).to_radians() / 2.0;
    let half_dlambda = (b.lon - a.lon).to_radians() / 2.0;
    let h = half_dphi.sin().powi(2) + phi1.cos() * phi2.cos() * half_dlambda.sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.clamp(0.0, 1.0).sqrt().asin()
}

/// A point on the unit sphere: straight-line (chord) distance between two
/// such points grows with their great-circle distance, so an R-tree over them
/// answers nearest and within-radius queries on the globe without a scan.
pub(crate) fn unit_vector(location: Location) -> [f64; 3] {
    let (phi, lambda) = (location.lat.to_radians(), location.lon.to_radians());
    [
        phi.cos() * lambda.cos(),
        phi.cos() * lambda.sin(),
        phi.sin(),
    ]
}

/// The squared straight-line distance of two unit vectors, computed as the R-tree does.
pub(crate) fn chord2(a: [f64; 3], b: [f64; 3]) -> f64 {
    let ([ax, ay, az], [bx, by, bz]) = (a, b);
    let (x, y, z) = (ax - bx, ay - by, az - bz);
    x * x + y * y + z * z
}

/// The squared chord length on the unit sphere for a great-circle distance of `km`,
/// padded by a relative 1e-9 so a point exactly on the radius is never missed
/// (callers decide membership with the exact haversine distance).
pub(crate) fn chord2_for_km(km: f64) -> f64 {
    let theta = km / EARTH_RADIUS_KM;
    if theta >= std::f64::consts::PI {
        return f64::INFINITY;
    }
    let chord = 2.0 * (theta / 2.0).sin();
    let padded = chord * (1.0 + 1e-9) + 1e-12;
    padded * padded
}

/// An R*-tree over the located partners, by their position in the router's partner list.
#[derive(Debug, Clone)]
pub(crate) struct SpatialIndex {
    tree: RTree<GeomWithData<[f64; 3], u32>>,
}

impl SpatialIndex {
    /// Bulk-loads the points.
    pub(crate) fn new(points: impl Iterator<Item = (u32, Location)>) -> SpatialIndex {
        let items: Vec<GeomWithData<[f64; 3], u32>> = points
            .map(|(index, location)| GeomWithData::new(unit_vector(location), index))
            .collect();
        SpatialIndex {
            tree: RTree::bulk_load(items),
        }
    }

    /// Removes the point of partner `index` at `location`; false when it was not there.
    pub(crate) fn remove(&mut self, index: u32, location: Location) -> bool {
        self.tree
            .remove(&GeomWithData::new(unit_vector(location), index))
            .is_some()
    }

    /// Every point within squared chord `max_d2` of the unit vector `at`, in no
    /// particular order, with its squared chord distance.
    pub(crate) fn within(
        &self,
        at: [f64; 3],
        max_d2: f64,
    ) -> impl Iterator<Item = (u32, f64)> + '_ {
        self.tree
            .locate_within_distance(at, max_d2)
            .map(move |item| (item.data, chord2(at, *item.geom())))
    }

    /// Every point, nearest first, with its squared chord distance from `at`.
    pub(crate) fn nearest(&self, at: Location) -> impl Iterator<Item = (u32, f64)> + '_ {
        self.tree
            .nearest_neighbor_iter_with_distance_2(unit_vector(at))
            .map(|(item, d2)| (item.data, d2))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUDAPEST: Location = Location {
        lat: 47.4979,
        lon: 19.0402,
    };
    const VIENNA: Location = Location {
        lat: 48.2082,
        lon: 16.3738,
    };

    #[test]
    fn budapest_to_vienna_is_214_km() {
        let d = haversine_km(BUDAPEST, VIENNA);
        assert!((d - 214.0).abs() < 1.0, "{d}");
        assert!(d > 100.0 && d <= 250.0);
        assert_eq!(haversine_km(BUDAPEST, BUDAPEST), 0.0);
        assert!((haversine_km(BUDAPEST, VIENNA) - haversine_km(VIENNA, BUDAPEST)).abs() < 1e-9);
    }

    #[test]
    fn antipodes_are_half_the_circumference() {
        let d = haversine_km(
            Location { lat: 0.0, lon: 0.0 },
            Location {
                lat: 0.0,
                lon: 180.0,
            },
        );
        assert!((d - std::f64::consts::PI * EARTH_RADIUS_KM).abs() < 1e-6);
    }

    #[test]
    fn nearest_orders_by_great_circle_distance() {
        let points = [
            Location {
                lat: 52.52,
                lon: 13.405,
            }, // Berlin
            VIENNA,
            Location {
                lat: 40.4168,
                lon: -3.7038,
            }, // Madrid
            Location {
                lat: 47.5316,
                lon: 21.6273,
            }, // Debrecen
        ];
        let index = SpatialIndex::new(points.iter().enumerate().map(|(i, l)| (i as u32, *l)));
        let order: Vec<u32> = index.nearest(BUDAPEST).map(|(i, _)| i).collect();
        assert_eq!(order, vec![3, 1, 0, 2]);
        let limit = chord2_for_km(haversine_km(BUDAPEST, VIENNA));
        let within: Vec<u32> = index
            .nearest(BUDAPEST)
            .take_while(|(_, d2)| *d2 <= limit)
            .map(|(i, _)| i)
            .collect();
        assert_eq!(within, vec![3, 1]);
    }

    proptest::proptest! {
        #[test]
        fn prop_chord_order_agrees_with_haversine(
            lat1 in -89.0f64..89.0, lon1 in -179.0f64..179.0,
            lat2 in -89.0f64..89.0, lon2 in -179.0f64..179.0,
            km in 1.0f64..5000.0,
        ) {
            let a = Location { lat: lat1, lon: lon1 };
            let b = Location { lat: lat2, lon: lon2 };
            let [x1, y1, z1] = unit_vector(a);
            let [x2, y2, z2] = unit_vector(b);
            let d2 = (x1 - x2).powi(2) + (y1 - y2).powi(2) + (z1 - z2).powi(2);
            if haversine_km(a, b) <= km {
                proptest::prop_assert!(d2 <= chord2_for_km(km));
            }
        }
    }
}
