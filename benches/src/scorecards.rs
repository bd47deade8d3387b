//! The scorecards benchmark's data, generated deterministically before timing
//! (see `benches/benches/scorecards.rs`).

use prm_core::calendar::{Date, add_days};
use prm_core::hash::SplitMix64;
use prm_core::metric::{Sale, SaleKind};
use prm_core::scorecard::{LeadRecord, MdfUse, ScorecardFacts};
use prm_core::{Amount, Decimal, Program};
use serde_json::json;
use std::collections::BTreeMap;

const PARTNERS: usize = 100_000;
const SALES_EACH: usize = 10;
const LEADS_EACH: usize = 5;

fn program() -> Result<Program, prm_core::Error> {
    Program::from_value(&json!({
        "schema_version": 1, "currency": "EUR",
        "scorecards": {
            "window": {"kind": "trailing_months", "months": 3},
            "kpis": [
                {"id": "revenue", "measure": {"kind": "metric", "measure": {"kind": "revenue"}},
                 "weight": 3, "scale": {"kind": "percentile", "among": "tier"}},
                {"id": "growth", "measure": {"kind": "metric", "measure": {"kind": "revenue_growth"}},
                 "scale": {"kind": "bounds", "worst": -50, "best": 50}},
                {"id": "deals_won", "measure": {"kind": "metric", "measure": {"kind": "deals_won"}},
                 "scale": {"kind": "bounds", "worst": 0, "best": 8}},
                {"id": "deal_size", "measure": {"kind": "metric", "measure": {"kind": "average_deal_size"}},
                 "scale": {"kind": "percentile", "among": "all"}},
                {"id": "acceptance", "measure": {"kind": "lead_acceptance_rate"},
                 "scale": {"kind": "bounds", "worst": 40, "best": 100}},
                {"id": "response", "measure": {"kind": "average_response_hours"},
                 "scale": {"kind": "bounds", "worst": 72, "best": 4}},
                {"id": "conversion", "measure": {"kind": "lead_conversion_rate"},
                 "scale": {"kind": "bounds", "worst": 0, "best": 40}}
            ],
            "bands": {"healthy": 60, "watch": 35},
            "trend_tolerance": 5,
            "signals": {"revenue_drop_percent": 25, "no_deal_days": 60,
                        "unused_mdf": {"after": "75%", "below": "50%"}}
        }
    }))
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

fn partners() -> Vec<ScorecardFacts> {
    let mut rng = SplitMix64::new(0x5343_4f52_4543_4152);
    let origin = date("2025-10-01");
    let tiers = ["registered", "silver", "gold", "platinum"];
    let regions = ["dach", "cee", "west", "south", "nordics"];
    (0..PARTNERS)
        .map(|n| {
            let sales = (0..SALES_EACH)
                .map(|_| Sale {
                    id: None,
                    date: add_days(origin, i64::try_from(rng.below(182)).unwrap_or(0))
                        .unwrap_or(origin),
                    kind: if rng.below(12) == 0 {
                        SaleKind::Refund
                    } else {
                        SaleKind::Sale
                    },
                    amount: Amount::bare(cents(10_000 + rng.below(5_000_000))),
                    customer_id: None,
                })
                .collect();
            let leads = (0..LEADS_EACH)
                .map(|_| {
                    let answered = rng.below(8) != 0;
                    LeadRecord {
                        id: None,
                        date: add_days(origin, i64::try_from(rng.below(182)).unwrap_or(0))
                            .unwrap_or(origin),
                        accepted: answered.then(|| rng.below(4) != 0),
                        response_hours: answered
                            .then(|| Decimal::from(i64::try_from(1 + rng.below(90)).unwrap_or(1))),
                        converted: rng.below(5) == 0,
                    }
                })
                .collect();
            ScorecardFacts {
                partner_id: format!("P{n:06}"),
                tier: tiers.get(n % tiers.len()).map(|t| (*t).to_owned()),
                region: regions.get(n % regions.len()).map(|r| (*r).to_owned()),
                sales: Some(sales),
                leads: Some(leads),
                observations: None,
                people: Vec::new(),
                awards: None,
                given: BTreeMap::new(),
                mdf: Some(MdfUse {
                    funds: Decimal::from(5000i64),
                    spent: Decimal::from(i64::try_from(100 * rng.below(50)).unwrap_or(0)),
                }),
            }
        })
        .collect()
}

/// The benchmark's program and partners, generated from a fixed seed.
pub fn setup() -> Option<(Program, Vec<ScorecardFacts>)> {
    let program = program().ok()?;
    let facts = partners();
    let sales: usize = facts
        .iter()
        .map(|f| f.sales.as_ref().map_or(0, Vec::len))
        .sum();
    let leads: usize = facts
        .iter()
        .map(|f| f.leads.as_ref().map_or(0, Vec::len))
        .sum();
    assert_eq!((facts.len(), sales, leads), (PARTNERS, 1_000_000, 500_000));
    Some((program, facts))
}
