//! The tiers benchmark's data, generated deterministically before timing
//! (see `benches/benches/tiers.rs`).

use prm_core::calendar::{Date, add_days};
use prm_core::certification::Award;
use prm_core::hash::SplitMix64;
use prm_core::metric::{Observation, Sale, SaleKind};
use prm_core::partner::Person;
use prm_core::tier::{PartnerFacts, TierAssignment};
use prm_core::{Amount, Decimal, Program};
use serde_json::json;

const PARTNERS: usize = 100_000;
const SALES: usize = 1_000_000;

fn program() -> Result<Program, prm_core::Error> {
    let year = json!({"kind": "trailing_months", "months": 12});
    let tier = |id: &str,
                rank: u32,
                revenue: &str,
                deals: u32,
                customers: u32,
                pros: u32,
                points: &str| {
        json!({"id": id, "name": id, "rank": rank, "requirements": [
            {"kind": "flag", "flag": "agreement_signed"},
            {"kind": "metric", "metric": "revenue", "at_least": revenue},
            {"kind": "metric", "metric": "deals_won", "at_least": deals},
            {"kind": "metric", "metric": "customers", "at_least": customers},
            {"kind": "certifications", "any_of": ["SALES-PRO", "PRESALES-PRO"], "people": pros},
            {"kind": "points", "min_total": points, "components": [
                {"metric": "new_customers", "points_per_unit": "10", "max_points": "30"},
                {"metric": "certified_people", "points_per_unit": "4", "max_points": "40"},
                {"metric": "growth", "points_per_unit": "1", "max_points": "20"},
                {"metric": "deployments", "points_per_unit": "2", "max_points": "10"}
            ]}
        ]})
    };
    let document = json!({
        "schema_version": 1, "currency": "EUR",
        "certifications": prm_core::sample::certification_catalog(),
        "tiers": {
            "metrics": {
                "revenue": {"measure": {"kind": "revenue"}, "window": year},
                "deals_won": {"measure": {"kind": "deals_won"}, "window": year},
                "customers": {"measure": {"kind": "customers"}, "window": {"kind": "fiscal_year_to_date"}},
                "new_customers": {"measure": {"kind": "new_customers"}, "window": year},
                "certified_people": {"measure": {"kind": "certified_people"}},
                "growth": {"measure": {"kind": "revenue_growth"}, "window": {"kind": "trailing_months", "months": 3}},
                "deployments": {"measure": {"kind": "sum", "series": "deployments"}, "window": year}
            },
            "policy": {"upgrade": {"max_levels": 1}, "downgrade": {"grace": {"kind": "days", "days": 60}}},
            "tiers": [
                tier("registered", 0, "1000", 1, 1, 1, "10"),
                tier("silver", 1, "20000", 4, 2, 1, "20"),
                tier("gold", 2, "60000", 8, 4, 2, "40"),
                tier("platinum", 3, "150000", 12, 6, 3, "60")
            ]
        }
    });
    Program::from_value(&document)
}

/// A date from `YYYY-MM-DD`.
pub fn date(text: &str) -> Date {
    text.parse().unwrap_or_default()
}

fn cents(amount: u64) -> Decimal {
    format!("{}.{:02}", amount / 100, amount % 100)
        .parse()
        .unwrap_or_default()
}

fn partners() -> Vec<PartnerFacts> {
    let mut rng = SplitMix64::new(0x7469_6572_7331); // "tiers1"
    let start = date("2025-01-01");
    let certs = ["SALES-FOUNDATION", "SALES-PRO", "PRESALES-PRO", "TECH-ARCH"];
    let tiers = ["registered", "silver", "gold", "platinum"];
    let per_partner = SALES / PARTNERS;
    (0..PARTNERS)
        .map(|n| {
            let id = format!("P{n:06}");
            let people: Vec<Person> = (0..1 + rng.below(6))
                .map(|k| Person {
                    id: format!("{id}-{k}"),
                    partner_id: id.clone(),
                    roles: vec!["sales".to_owned()],
                    active_from: None,
                    active_to: (rng.below(10) == 0).then(|| {
                        add_days(date("2025-06-01"), rng.below(400) as i64).unwrap_or_default()
                    }),
                })
                .collect();
            let mut awards = Vec::new();
            for person in &people {
                awards.push(Award {
                    person_id: person.id.clone(),
                    cert_id: "SALES-FOUNDATION".to_owned(),
                    earned_on: add_days(date("2022-01-01"), rng.below(900) as i64)
                        .unwrap_or_default(),
                    renewed_on: Vec::new(),
                });
                if rng.below(2) == 0 {
                    awards.push(Award {
                        person_id: person.id.clone(),
                        cert_id: certs
                            .get(1 + rng.below(3) as usize)
                            .copied()
                            .unwrap_or("SALES-PRO")
                            .to_owned(),
                        earned_on: add_days(date("2024-06-01"), rng.below(600) as i64)
                            .unwrap_or_default(),
                        renewed_on: Vec::new(),
                    });
                }
            }
            let sales: Vec<Sale> = (0..per_partner)
                .map(|_| Sale {
                    id: None,
                    date: add_days(start, rng.below(455) as i64).unwrap_or_default(),
                    kind: if rng.below(20) == 0 {
                        SaleKind::Refund
                    } else {
                        SaleKind::Sale
                    },
                    amount: Amount::bare(cents(50_000 + rng.below(2_000_000))),
                    customer_id: Some(format!("C{}", rng.below(8))),
                })
                .collect();
            let observations = (0..rng.below(4))
                .map(|_| Observation {
                    series: "deployments".to_owned(),
                    date: add_days(date("2025-04-01"), rng.below(365) as i64).unwrap_or_default(),
                    value: Decimal::from(1i64),
                })
                .collect();
            PartnerFacts {
                partner_id: id,
                metrics: Default::default(),
                flags: [("agreement_signed".to_owned(), rng.below(10) != 0)]
                    .into_iter()
                    .collect(),
                people,
                awards,
                sales: Some(sales),
                observations: Some(observations),
                assignment: Some(TierAssignment {
                    tier: tiers.get(rng.below(4) as usize).map(|t| (*t).to_owned()),
                    since: date("2025-01-01"),
                    at_risk_since: None,
                    at_risk_evaluations: 0,
                    evaluated_on: Some(date("2026-02-28")),
                    changed_on: None,
                    pending: None,
                }),
            }
        })
        .collect()
}

/// The benchmark's program and partners, generated from a fixed seed.
pub fn setup() -> Option<(Program, Vec<PartnerFacts>)> {
    let program = match program() {
        Ok(program) => program,
        Err(error) => {
            eprintln!("the benchmark program is invalid: {error}");
            return None;
        }
    };
    let facts = partners();
    let sales: usize = facts
        .iter()
        .map(|f| f.sales.as_ref().map_or(0, Vec::len))
        .sum();
    assert_eq!((facts.len(), sales), (PARTNERS, SALES));
    Some((program, facts))
}
