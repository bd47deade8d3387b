//! Lead routing at scale: 100,000 leads over 10,000 partners with a geo rule,
//! eligibility filters and capacity (target: at most 1 s, single-threaded,
//! release). Also deal-registration checks against a large file.
//!
//! The data is generated deterministically, outside the timed part.

use criterion::{Criterion, criterion_group, criterion_main};
use prm_core::Program;
use prm_core::deal_registration::{Registration, check};
use prm_core::hash::SplitMix64;
use prm_core::routing::{Lead, LeadRouter, RoutingPartner, RoutingState};
use serde_json::{Value, json};
use std::hint::black_box;
use std::time::Duration;

/// City centres partners and leads cluster around: (country, lat, lon, language).
const CITIES: &[(&str, f64, f64, &str)] = &[
    ("DE", 52.52, 13.405, "de"),
    ("DE", 48.137, 11.576, "de"),
    ("DE", 53.551, 9.994, "de"),
    ("DE", 50.111, 8.682, "de"),
    ("DE", 50.938, 6.960, "de"),
    ("AT", 48.208, 16.374, "de"),
    ("AT", 47.071, 15.440, "de"),
    ("CH", 47.377, 8.542, "de"),
    ("HU", 47.498, 19.040, "hu"),
    ("HU", 47.532, 21.627, "hu"),
    ("PL", 52.230, 21.012, "pl"),
    ("PL", 50.065, 19.945, "pl"),
    ("CZ", 50.076, 14.438, "cs"),
    ("FR", 48.857, 2.352, "fr"),
    ("FR", 45.764, 4.836, "fr"),
    ("FR", 43.296, 5.370, "fr"),
    ("NL", 52.368, 4.904, "nl"),
    ("BE", 50.850, 4.352, "nl"),
    ("ES", 40.417, -3.704, "es"),
    ("ES", 41.387, 2.169, "es"),
    ("IT", 45.464, 9.190, "it"),
    ("IT", 41.903, 12.496, "it"),
    ("SE", 59.329, 18.069, "sv"),
    ("DK", 55.676, 12.568, "da"),
];
const PRODUCTS: &[&str] = &["CLOUD-SUITE", "SECURE-EDGE", "DATA-VAULT", "ANALYTICS"];
const TIERS: &[&str] = &["registered", "silver", "silver", "gold", "gold", "platinum"];

fn program() -> Value {
    let mut program = prm_benches::sample_program();
    let routing = json!({
        "rules": [{
            "id": "nearby",
            "condition": {"kind": "field", "field": "has_location", "op": "eq", "value": true},
            "eligibility": {"products": "any", "language": true, "max_distance_km": 600},
            "strategy": {"kind": "geo_expanding", "rings_km": [25, 50, 100, 200, 400], "same_country": true}
        }],
        "default": {"kind": "unassigned"}
    });
    if let Some(fields) = program.as_object_mut() {
        fields.insert("routing".to_owned(), routing);
    }
    program
}

fn partners(count: usize) -> Vec<RoutingPartner> {
    let mut rng = SplitMix64::new(0x0b3e_0001);
    (0..count)
        .filter_map(|n| {
            let (country, lat, lon, language) = *rng.pick(CITIES)?;
            let status = if rng.below(10) == 0 { "suspended" } else { "active" };
            let products: Vec<&str> = PRODUCTS.iter().copied().filter(|_| rng.below(2) == 0).collect();
            let mut value = json!({
                "partner": {"id": format!("P{n:05}"), "name": format!("Partner {n}"), "kind": "reseller",
                            "status": status, "country": country, "languages": [language, "en"],
                            "products": products,
                            "location": {"lat": lat + (rng.unit() - 0.5) * 3.0, "lon": lon + (rng.unit() - 0.5) * 4.0}},
                "tier": rng.pick(TIERS)?,
                "capacity": 10 + rng.below(40),
                "open_leads": rng.below(5)
            });
            if rng.below(10) == 0 {
                value
                    .get_mut("partner")
                    .and_then(Value::as_object_mut)?
                    .remove("location");
            }
            serde_json::from_value(value).ok()
        })
        .collect()
}

fn leads(count: usize) -> Vec<Lead> {
    let mut rng = SplitMix64::new(0x0b3e_0002);
    (0..count)
        .filter_map(|n| {
            let (country, lat, lon, language) = *rng.pick(CITIES)?;
            let mut value = json!({
                "id": format!("L{n:06}"), "created_at": "2026-02-02T10:00:00Z", "country": country,
                "language": if rng.below(5) == 0 { "en" } else { language },
                "products": [rng.pick(PRODUCTS)?],
                "estimated_value": format!("{}.00", 1000 + rng.below(90_000)),
                "location": {"lat": lat + (rng.unit() - 0.5) * 3.0, "lon": lon + (rng.unit() - 0.5) * 4.0}
            });
            if rng.below(12) == 0 {
                value.as_object_mut()?.remove("location");
            }
            serde_json::from_value(value).ok()
        })
        .collect()
}

fn routing(c: &mut Criterion) {
    let Ok(program) = Program::from_value(&program()) else {
        return;
    };
    let partners = partners(10_000);
    let leads = leads(100_000);
    let mut group = c.benchmark_group("routing");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("route_batch_100k_leads_10k_partners_geo", |b| {
        b.iter(|| {
            LeadRouter::new(&program, black_box(&partners))
                .and_then(|router| router.route_batch(black_box(&leads), &RoutingState::default()))
                .map(|batch| batch.decisions.len())
        })
    });
    let few = leads.get(..1000).unwrap_or(&leads);
    group.bench_function("route_1k_leads_one_call_each", |b| {
        let Ok(router) = LeadRouter::new(&program, &partners) else {
            return;
        };
        b.iter(|| {
            let mut state = RoutingState::default();
            for lead in few {
                if let Ok(routed) = router.route(black_box(lead), &state) {
                    state = routed.state;
                }
            }
            state.open_leads.len()
        })
    });
    group.finish();
}

fn deal_registration(c: &mut Criterion) {
    let Ok(program) = Program::from_value(&prm_benches::sample_program()) else {
        return;
    };
    let mut rng = SplitMix64::new(0x0b3e_0003);
    let existing: Vec<Registration> = (0..5_000)
        .filter_map(|n| {
            serde_json::from_value(json!({
                "id": format!("DR{n:05}"), "partner_id": format!("P{:04}", rng.below(500)),
                "customer": {"name": format!("Customer {} {} GmbH", n, rng.below(1000)), "domain": format!("customer{n}.example")},
                "products": [rng.pick(PRODUCTS)?], "submitted_on": "2026-01-05", "status": "approved",
                "approved_on": "2026-01-05", "expires_on": "2026-04-05"
            }))
            .ok()
        })
        .collect();
    let Ok(new) = serde_json::from_value::<Registration>(json!({
        "id": "NEW", "partner_id": "P9999", "customer": {"name": "Customer 4711 12 AG"},
        "products": ["CLOUD-SUITE"], "value": "50000", "submitted_on": "2026-02-01", "status": "submitted"
    })) else {
        return;
    };
    let Ok(as_of) = "2026-02-01".parse() else {
        return;
    };
    c.bench_function("deal_registration_check_against_5000", |b| {
        b.iter(|| check(&program, black_box(&new), None, black_box(&existing), as_of))
    });
}

criterion_group!(benches, routing, deal_registration);
criterion_main!(benches);
