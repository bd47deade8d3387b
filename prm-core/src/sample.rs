//! A fictional partner program with a quarter of activity, generated from a fixed seed.
//!
//! Northwind Partner Network sells four products through about two hundred
//! partners in nine European countries. [`quarter`] builds the program
//! document, the partners, their people and certifications, twelve months of
//! sales (for trailing-window metrics), the leads of the first quarter of
//! 2026, the partners as lead routing sees them (tier, capacity, territory,
//! pauses, stats) and the quarter's deal registrations. The data is the same
//! on every machine and in every run: it comes from [`SplitMix64`] sequences
//! seeded with [`SEED`].
//!
//! It feeds the `quarter` example, the documentation examples and the
//! benchmarks, so every engine is shown on the same realistic data.
//!
//! ```
//! let sample = prm_core::sample::quarter();
//! assert_eq!(sample.partners.len(), 200);
//! assert!(prm_core::Program::from_value(&sample.program).is_ok());
//! ```

mod mdf;

pub use mdf::{MDF_SEED, SampleMdf, SampleMdfPartner, mdf, mdf_section};

use crate::calendar::{Date, Period, add_days};
use crate::deal_registration::{Customer, Registration, RegistrationStatus};
use crate::hash::SplitMix64;
use crate::money::{Amount, Decimal};
use crate::partner::{Location, Partner, PartnerKind, PartnerStatus, Person};
use crate::routing::{Company, Lead, PartnerStats, Pause, RoutingPartner, TerritoryArea};
use serde::Serialize;
use serde_json::{Value, json};

/// The seed of the sample data.
pub const SEED: u64 = 0x5052_4d5f_5131_3236; // "PRM_Q126"

/// The quarter the sample covers: 2026-01-01 to 2026-03-31.
pub fn quarter_period() -> Period {
    Period {
        start: ymd(2026, 1, 1),
        end: ymd(2026, 4, 1),
    }
}

/// The day the sample quarter is evaluated: its last day, 2026-03-31.
pub fn as_of() -> Date {
    ymd(2026, 3, 31)
}

fn ymd(year: i32, month: u32, day: u32) -> Date {
    Date::new(year, month, day).unwrap_or_default()
}

/// A certification earned by a person (the certification engine's award, in sample form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SampleAward {
    /// Who holds it.
    pub person_id: String,
    /// Which certification.
    pub cert_id: String,
    /// When it was earned.
    pub earned_on: Date,
    /// When it was renewed, oldest first.
    pub renewed_on: Vec<Date>,
}

/// A sale or a refund by a partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SampleSale {
    /// Transaction id.
    pub id: String,
    /// The selling partner.
    pub partner_id: String,
    /// Booking date.
    pub date: Date,
    /// `sale` or `refund`.
    pub kind: &'static str,
    /// Amount in EUR, positive.
    pub amount: Decimal,
    /// Cost in EUR, for margin plans.
    pub cost: Decimal,
    /// Product sold.
    pub product_id: &'static str,
    /// Product category.
    pub category: &'static str,
    /// The end customer.
    pub customer_id: String,
    /// For refunds: the sale refunded.
    pub original_id: Option<String>,
}

/// The whole sample: program document and facts.
#[derive(Debug, Clone)]
pub struct SampleQuarter {
    /// The program document (JSON, as a host would store it).
    pub program: Value,
    /// Partners, by id.
    pub partners: Vec<Partner>,
    /// People at the partners.
    pub people: Vec<Person>,
    /// Certifications held by those people.
    pub awards: Vec<SampleAward>,
    /// Twelve months of sales and refunds up to the end of the quarter, by date.
    pub sales: Vec<SampleSale>,
    /// The quarter's leads, by arrival.
    pub leads: Vec<Lead>,
    /// The partners as lead routing sees them (tier, capacity, territory, ...), by id.
    pub routing_partners: Vec<RoutingPartner>,
    /// The quarter's deal registrations, by submission.
    pub deal_registrations: Vec<Registration>,
}

struct City {
    country: &'static str,
    name: &'static str,
    lat: f64,
    lon: f64,
    language: &'static str,
    suffix: &'static str,
}

const CITIES: &[City] = &[
    City {
        country: "DE",
        name: "Berlin",
        lat: 52.5200,
        lon: 13.4050,
        language: "de",
        suffix: "GmbH",
    },
    City {
        country: "DE",
        name: "Munich",
        lat: 48.1372,
        lon: 11.5755,
        language: "de",
        suffix: "GmbH",
    },
    City {
        country: "DE",
        name: "Hamburg",
        lat: 53.5511,
        lon: 9.9937,
        language: "de",
        suffix: "GmbH",
    },
    City {
        country: "DE",
        name: "Frankfurt",
        lat: 50.1109,
        lon: 8.6821,
        language: "de",
        suffix: "AG",
    },
    City {
        country: "AT",
        name: "Vienna",
        lat: 48.2082,
        lon: 16.3738,
        language: "de",
        suffix: "GmbH",
    },
    City {
        country: "AT",
        name: "Graz",
        lat: 47.0707,
        lon: 15.4395,
        language: "de",
        suffix: "GmbH",
    },
    City {
        country: "HU",
        name: "Budapest",
        lat: 47.4979,
        lon: 19.0402,
        language: "hu",
        suffix: "Kft.",
    },
    City {
        country: "HU",
        name: "Debrecen",
        lat: 47.5316,
        lon: 21.6273,
        language: "hu",
        suffix: "Zrt.",
    },
    City {
        country: "FR",
        name: "Paris",
        lat: 48.8566,
        lon: 2.3522,
        language: "fr",
        suffix: "SAS",
    },
    City {
        country: "FR",
        name: "Lyon",
        lat: 45.7640,
        lon: 4.8357,
        language: "fr",
        suffix: "SA",
    },
    City {
        country: "NL",
        name: "Amsterdam",
        lat: 52.3676,
        lon: 4.9041,
        language: "nl",
        suffix: "B.V.",
    },
    City {
        country: "NL",
        name: "Rotterdam",
        lat: 51.9244,
        lon: 4.4777,
        language: "nl",
        suffix: "B.V.",
    },
    City {
        country: "PL",
        name: "Warsaw",
        lat: 52.2297,
        lon: 21.0122,
        language: "pl",
        suffix: "Sp. z o.o.",
    },
    City {
        country: "PL",
        name: "Kraków",
        lat: 50.0647,
        lon: 19.9450,
        language: "pl",
        suffix: "S.A.",
    },
    City {
        country: "ES",
        name: "Madrid",
        lat: 40.4168,
        lon: -3.7038,
        language: "es",
        suffix: "S.L.",
    },
    City {
        country: "ES",
        name: "Barcelona",
        lat: 41.3874,
        lon: 2.1686,
        language: "es",
        suffix: "S.A.",
    },
    City {
        country: "IT",
        name: "Milan",
        lat: 45.4642,
        lon: 9.1900,
        language: "it",
        suffix: "S.r.l.",
    },
    City {
        country: "IT",
        name: "Rome",
        lat: 41.9028,
        lon: 12.4964,
        language: "it",
        suffix: "S.p.A.",
    },
    City {
        country: "CH",
        name: "Zürich",
        lat: 47.3769,
        lon: 8.5417,
        language: "de",
        suffix: "AG",
    },
];

const REGION_OF: &[(&str, &str)] = &[
    ("DE", "DACH"),
    ("AT", "DACH"),
    ("CH", "DACH"),
    ("HU", "CEE"),
    ("PL", "CEE"),
    ("FR", "West"),
    ("NL", "West"),
    ("ES", "South"),
    ("IT", "South"),
];

const SYLLABLES: &[&str] = &[
    "al", "ber", "cor", "dan", "el", "fio", "gra", "hel", "ix", "jor", "kal", "lum", "mar", "nor",
    "or", "pra", "quin", "ros", "sol", "tek", "ul", "ver", "wen", "zed",
];
const NOUNS: &[&str] = &[
    "Systems",
    "Solutions",
    "Networks",
    "Data",
    "Consulting",
    "IT",
    "Digital",
    "Partners",
    "Cloud",
    "Works",
];

/// The sample's products: id, category, list price in EUR cents, cost ratio in percent.
const PRODUCTS: &[(&str, &str, i64, i64)] = &[
    ("CLOUD-SUITE", "subscription", 120_000, 35),
    ("SECURE-EDGE", "hardware", 480_000, 62),
    ("DATA-VAULT", "subscription", 250_000, 30),
    ("ANALYTICS", "services", 90_000, 55),
];

/// The sample's certifications, in catalog order.
pub const CERTIFICATIONS: &[&str] = &[
    "SALES-FOUNDATION",
    "SALES-PRO",
    "PRESALES-PRO",
    "TECH-ARCH",
    "SUPPORT-SPECIALIST",
];

const ROLES: &[&str] = &["sales", "sales", "presales", "engineer", "support"];

fn region_of(country: &str) -> &'static str {
    REGION_OF
        .iter()
        .find(|(c, _)| *c == country)
        .map_or("Other", |(_, r)| r)
}

fn company_name(rng: &mut SplitMix64, suffix: &str) -> String {
    let mut stem = String::new();
    for _ in 0..2 + rng.below(2) {
        stem.push_str(rng.pick(SYLLABLES).copied().unwrap_or("al"));
    }
    let mut chars = stem.chars();
    let capitalized: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    let noun = rng.pick(NOUNS).copied().unwrap_or("Systems");
    format!("{capitalized} {noun} {suffix}")
}

fn jitter(rng: &mut SplitMix64, degrees: f64) -> f64 {
    (rng.unit() - 0.5) * 2.0 * degrees
}

fn day_in(rng: &mut SplitMix64, period: Period) -> Date {
    let days = u64::try_from(period.days()).unwrap_or(1).max(1);
    add_days(period.start, i64::try_from(rng.below(days)).unwrap_or(0)).unwrap_or(period.start)
}

fn cents(amount: i64) -> Decimal {
    Decimal::new(rust_decimal::Decimal::new(amount, 2))
}

/// The sample program document: currency, rounding and fiscal calendar, plus
/// each engine's section as the engines land.
pub fn program() -> Value {
    json!({
            "schema_version": 1,
            "name": "Northwind Partner Network",
            "currency": "EUR",
            "rounding": "half_even",
            "fiscal_calendar": {"first_month": 1},
            "certifications": certification_catalog(),
            "tiers": {
              "metrics": tier_metrics(),
              "policy": {
                "upgrade": {"effective": "immediately", "max_levels": 1},
                "downgrade": {"grace": {"kind": "days", "days": 45}, "max_levels": 1}
              },
              "tiers": [
                {"id": "registered", "name": "Registered", "rank": 0,
                 "benefits": {"discount_rate": "0.10", "lead_weight": "0", "deal_protection_days": 60}},
                {"id": "silver", "name": "Silver", "rank": 1,
                 "requirements": tier_requirements("silver"),
                 "benefits": {"discount_rate": "0.15", "commission_multiplier": "1.0", "mdf_accrual_rate": "0.01",
                              "lead_weight": "1", "deal_protection_days": 90, "mdf_activity_types": ["digital", "content"]}},
                {"id": "gold", "name": "Gold", "rank": 2,
                 "requirements": tier_requirements("gold"),
                 "benefits": {"discount_rate": "0.20", "commission_multiplier": "1.1", "mdf_accrual_rate": "0.02",
                              "lead_weight": "3", "deal_protection_days": 120,
                              "mdf_activity_types": ["digital", "content", "event", "webinar"]}},
                {"id": "platinum", "name": "Platinum", "rank": 3,
                 "requirements": tier_requirements("platinum"),
                 "benefits": {"discount_rate": "0.25", "commission_multiplier": "1.25", "mdf_accrual_rate": "0.03",
                              "lead_weight": "5", "deal_protection_days": 180,
                              "mdf_activity_types": ["digital", "content", "event", "webinar", "trade_show", "training"]}}
              ]
            },
            "routing": {
                "rules": [
                    {"id": "enterprise", "name": "Enterprise deals to the best Gold and Platinum partner", "priority": 1,
                     "condition": {"kind": "field", "field": "estimated_value", "op": "gte", "value": "60000"},
                     "eligibility": {"min_tier": "gold", "products": "any", "max_distance_km": 400},
                     "strategy": {"kind": "score", "factors": [
                         {"factor": "tier_rank", "weight": "2"},
                         {"factor": "conversion_rate", "weight": "3"},
                         {"factor": "distance_decay", "weight": "2", "scale_km": 100},
                         {"factor": "capacity_headroom", "weight": "1"}]}},
                    {"id": "cee", "name": "Central and Eastern Europe in turn", "priority": 2,
                     "condition": {"kind": "field", "field": "country", "op": "in", "value": ["HU", "PL"]},
                     "eligibility": {"territory": true, "products": "any"},
                     "strategy": {"kind": "round_robin"}},
                    {"id": "nearby", "name": "Nearby partners by weight", "priority": 3,
                     "condition": {"kind": "field", "field": "has_location", "op": "eq", "value": true},
                     "eligibility": {"products": "any", "language": true},
                     "strategy": {"kind": "geo_expanding", "rings_km": [50, 150, 300], "same_country": true}},
                    {"id": "country", "name": "Anyone whose territory covers the lead, least loaded first", "priority": 4,
                     "eligibility": {"products": "any", "territory": true},
                     "strategy": {"kind": "load_balanced"}}
                ],
                "default": {"kind": "unassigned", "reason": "no partner can take the lead: review it by hand"},
                "acceptance": {"window_hours": 48, "max_attempts": 3}
            },
            "deal_registration": {
                "default_protection_days": 90, "max_extensions": 1, "extension_days": 30,
                "min_value": "5000", "require_product_overlap": true, "resolution": "first_come"
            },
            "commissions": {"plans": [
                {"id": "distributor", "name": "Distributor plan", "applies_to": {"partner_kinds": ["distributor"]},
                 "rates": [{"kind": "percent", "id": "direct", "rate": "4%"}],
                 "overrides": {"id": "two-tier", "rate": "2%"},
                 "clawback_window_days": 90, "payout": {"on": "booking", "hold_days": 30}},
                {"id": "referral", "name": "Referral fee", "applies_to": {"partner_kinds": ["referral"]},
                 "rate_selection": "additive",
                 "rates": [{"kind": "per_transaction", "id": "fee", "amount": "250.00"},
                           {"kind": "percent", "id": "share", "rate": "2%"}],
                 "per_transaction": {"maximum": "1500.00"},
                 "clawback_window_days": 60, "payout": {"on": "payment", "hold_days": 30}},
                {"id": "reseller", "name": "Reseller plan 2026",
                 "rates": [{"kind": "percent", "id": "standard", "rate": "5%"},
                           {"kind": "percent", "id": "subscriptions", "rate": "7%", "when": {"categories": ["subscription"]}},
                           {"kind": "percent", "id": "hardware", "rate": "3%", "when": {"categories": ["hardware"]}},
                           {"kind": "percent", "id": "cloud-suite", "rate": "8%", "when": {"products": ["CLOUD-SUITE"]}}],
                 "brackets": [{"id": "volume", "scope": "period", "mode": "graduated", "brackets": [
                     {"from": "0", "to": "50000", "rate": "0%"},
                     {"from": "50000", "to": "120000", "rate": "1%"},
                     {"from": "120000", "rate": "2%"}]}],
                 "tier_multiplier": {"kind": "tier_benefits"},
                 "spiffs": [{"id": "edge-push", "starts_on": "2026-02-01", "ends_on": "2026-03-15",
                             "when": {"products": ["SECURE-EDGE"]}, "pays": {"kind": "per_deal", "amount": "150.00"}}],
                 "target_bonuses": [{"id": "quarter-target", "target": "140000.00", "bonus": "1500.00"}],
                 "period_cap": "10000.00",
                 "clawback_window_days": 90,
                 "payout": {"on": "booking", "hold_days": 30}}
            ]},
            "mdf": mdf_section()
    ,
            "agreements": agreements_section(),
            "onboarding": onboarding_section(),
            "scorecards": scorecards_section()
        })
}

/// The sample certification catalog: five certifications on four tracks, one of them retiring.
pub fn certification_catalog() -> Value {
    json!({
        "reminder_days": [90, 60, 30, 7],
        "expiring_within_days": 60,
        "certifications": [
            {"id": "SALES-FOUNDATION", "name": "Sales Foundation", "track": "sales", "level": 1},
            {"id": "SALES-PRO", "name": "Sales Professional", "track": "sales", "level": 2,
             "validity_months": 24, "renewal_opens_months": 6, "grace_days": 30,
             "prerequisites": ["SALES-FOUNDATION"]},
            {"id": "PRESALES-PRO", "name": "Presales Professional", "track": "presales", "level": 2,
             "validity_months": 24, "renewal_opens_months": 6, "grace_days": 30,
             "prerequisites": ["SALES-FOUNDATION"]},
            {"id": "TECH-ARCH", "name": "Technical Architect", "track": "technical", "level": 3,
             "validity_months": 36, "renewal_opens_months": 6, "grace_days": 60},
            {"id": "SUPPORT-SPECIALIST", "name": "Support Specialist", "track": "support", "level": 2,
             "validity_months": 12, "renewal_opens_months": 3, "grace_days": 14,
             "retired_on": "2026-06-30", "retired_grace_days": 90}
        ]
    })
}

/// The metrics the sample tiers read.
fn tier_metrics() -> Value {
    let year = json!({"kind": "trailing_months", "months": 12});
    json!({
        "revenue": {"measure": {"kind": "revenue"}, "window": year, "label": "revenue"},
        "deals_won": {"measure": {"kind": "deals_won"}, "window": year, "label": "deals won"},
        "new_customers": {"measure": {"kind": "new_customers"}, "window": {"kind": "fiscal_year_to_date"},
                          "label": "new customers"},
        "certified_people": {"measure": {"kind": "certified_people"}, "label": "certified people"},
        "growth": {"measure": {"kind": "revenue_growth"}, "window": {"kind": "trailing_months", "months": 3},
                   "label": "revenue growth"},
        "deployments": {"measure": {"kind": "sum", "series": "deployments"}, "window": year,
                        "label": "deployments"}
    })
}

/// Each sample tier's requirements.
fn tier_requirements(tier: &str) -> Value {
    match tier {
        "silver" => json!([
            {"kind": "flag", "flag": "agreement_signed"},
            {"kind": "metric", "metric": "revenue", "at_least": "25000"},
            {"kind": "certifications", "track": "sales"}
        ]),
        "gold" => json!([
            {"kind": "flag", "flag": "agreement_signed"},
            {"kind": "metric", "metric": "revenue", "at_least": "60000"},
            {"kind": "metric", "metric": "deals_won", "at_least": 8},
            {"kind": "certifications", "any_of": ["SALES-PRO", "PRESALES-PRO"]},
            {"kind": "certifications", "any_of": ["TECH-ARCH"]}
        ]),
        _ => json!([
            {"kind": "flag", "flag": "agreement_signed"},
            {"kind": "metric", "metric": "revenue", "at_least": "120000"},
            {"kind": "at_least", "count": 2, "requirements": [
                {"kind": "certifications", "any_of": ["SALES-PRO"], "people": 2},
                {"kind": "certifications", "any_of": ["TECH-ARCH"], "people": 2},
                {"kind": "certifications", "any_of": ["SALES-FOUNDATION"], "role": "sales", "coverage": "50%"}
            ]},
            {"kind": "points", "min_total": "50", "components": [
                {"metric": "new_customers", "points_per_unit": "10", "max_points": "30"},
                {"metric": "certified_people", "points_per_unit": "4", "max_points": "40"},
                {"metric": "growth", "points_per_unit": "1", "max_points": "20"},
                {"metric": "deployments", "points_per_unit": "2", "max_points": "10"}
            ]}
        ]),
    }
}

/// A sample award as the certification engine's [`Award`](crate::certification::Award).
pub fn award(sample: &SampleAward) -> crate::certification::Award {
    crate::certification::Award {
        person_id: sample.person_id.clone(),
        cert_id: sample.cert_id.clone(),
        earned_on: sample.earned_on,
        renewed_on: sample.renewed_on.clone(),
    }
}

/// A sample sale or refund as a metric [`Sale`](crate::metric::Sale) in the program's currency.
pub fn sale(sample: &SampleSale) -> crate::metric::Sale {
    crate::metric::Sale {
        id: Some(sample.id.clone()),
        date: sample.date,
        kind: if sample.kind == "refund" {
            crate::metric::SaleKind::Refund
        } else {
            crate::metric::SaleKind::Sale
        },
        amount: crate::money::Amount::bare(sample.amount),
        customer_id: Some(sample.customer_id.clone()),
    }
}

/// Deployments each partner reported over the sample year, from their own seeded draw.
pub fn deployments(partners: &[Partner]) -> Vec<(String, crate::metric::Observation)> {
    let mut rng = SplitMix64::new(SEED ^ 0x4445_504c_4f59); // "DEPLOY"
    let year = Period {
        start: ymd(2025, 4, 1),
        end: ymd(2026, 4, 1),
    };
    let mut out = Vec::new();
    for partner in partners {
        for _ in 0..rng.below(6) {
            out.push((
                partner.id.clone(),
                crate::metric::Observation {
                    series: "deployments".to_owned(),
                    date: day_in(&mut rng, year),
                    value: Decimal::from(1 + i64::try_from(rng.below(2)).unwrap_or(0)),
                },
            ));
        }
    }
    out
}

/// Every sample partner's tier facts (people, awards, sales, deployments, the
/// `agreement_signed` flag), without an assignment, in partner id order.
///
/// Active and suspended partners have signed their agreement, except about
/// one in twenty (chosen by the FNV-1a hash of the partner id).
pub fn tier_facts(sample: &SampleQuarter) -> Vec<crate::tier::PartnerFacts> {
    use std::collections::BTreeMap;
    let mut facts: BTreeMap<&str, crate::tier::PartnerFacts> = sample
        .partners
        .iter()
        .map(|p| {
            let signed = matches!(p.status, PartnerStatus::Active | PartnerStatus::Suspended)
                && !crate::hash::fnv1a64(&p.id).is_multiple_of(20);
            (
                p.id.as_str(),
                crate::tier::PartnerFacts {
                    partner_id: p.id.clone(),
                    flags: [("agreement_signed".to_owned(), signed)]
                        .into_iter()
                        .collect(),
                    sales: Some(Vec::new()),
                    observations: Some(Vec::new()),
                    ..crate::tier::PartnerFacts::default()
                },
            )
        })
        .collect();
    let mut employer: BTreeMap<&str, &str> = BTreeMap::new();
    for person in &sample.people {
        employer.insert(person.id.as_str(), person.partner_id.as_str());
        if let Some(f) = facts.get_mut(person.partner_id.as_str()) {
            f.people.push(person.clone());
        }
    }
    for a in &sample.awards {
        if let Some(f) = employer
            .get(a.person_id.as_str())
            .and_then(|partner| facts.get_mut(partner))
        {
            f.awards.push(award(a));
        }
    }
    for s in &sample.sales {
        if let Some(list) = facts
            .get_mut(s.partner_id.as_str())
            .and_then(|f| f.sales.as_mut())
        {
            list.push(sale(s));
        }
    }
    for (partner, observation) in deployments(&sample.partners) {
        if let Some(list) = facts
            .get_mut(partner.as_str())
            .and_then(|f| f.observations.as_mut())
        {
            list.push(observation);
        }
    }
    facts.into_values().collect()
}

/// A sample sale as a commission [`Transaction`](crate::commission::Transaction).
///
/// The sample does not record payments, so `paid_on` is drawn from the
/// transaction id: about one sale in ten is still unpaid, the others were
/// paid within two months of booking.
///
/// ```
/// let sample = prm_core::sample::quarter();
/// let tx = prm_core::sample::commission_transaction(&sample.sales[0]);
/// assert_eq!(tx.id, sample.sales[0].id);
/// assert_eq!(tx.amount, sample.sales[0].amount);
/// ```
pub fn commission_transaction(sale: &SampleSale) -> crate::commission::Transaction {
    use crate::commission::{Transaction, TransactionKind};
    let draw = crate::hash::fnv1a64(&sale.id);
    let paid_on = (sale.kind == "sale" && !draw.is_multiple_of(10))
        .then(|| add_days(sale.date, i64::try_from(draw % 61).unwrap_or(0)).ok())
        .flatten();
    Transaction {
        kind: if sale.kind == "refund" {
            TransactionKind::Refund
        } else {
            TransactionKind::Sale
        },
        cost: Some(sale.cost),
        product_id: Some(sale.product_id.to_owned()),
        category: Some(sale.category.to_owned()),
        customer_id: Some(sale.customer_id.clone()),
        paid_on,
        original_id: sale.original_id.clone(),
        ..Transaction::sale(&sale.id, &sale.partner_id, sale.date, sale.amount)
    }
}

/// Every partner's tier history for the commission engine's tier multipliers:
/// a tier since 2025 and, for some partners, an upgrade on 2026-02-01. Drawn
/// from each partner's id, so it does not disturb the rest of the sample.
pub fn tier_history(
    partners: &[Partner],
) -> std::collections::BTreeMap<String, Vec<crate::commission::TierChange>> {
    use crate::commission::TierChange;
    const LADDER: [&str; 4] = ["registered", "silver", "gold", "platinum"];
    let mut history = std::collections::BTreeMap::new();
    for partner in partners {
        let draw = crate::hash::fnv1a64(&partner.id);
        let rank = match draw % 10 {
            0..=3 => 0,
            4..=6 => 1,
            7..=8 => 2,
            _ => 3,
        };
        let mut changes = vec![TierChange {
            tier: LADDER.get(rank).copied().unwrap_or("registered").to_owned(),
            from: ymd(2025, 1, 1),
        }];
        if (draw >> 8).is_multiple_of(6)
            && let Some(next) = LADDER.get(rank + 1)
        {
            changes.push(TierChange {
                tier: (*next).to_owned(),
                from: ymd(2026, 2, 1),
            });
        }
        history.insert(partner.id.clone(), changes);
    }
    history
}

/// Builds the sample quarter. Same output on every call.
pub fn quarter() -> SampleQuarter {
    let mut rng = SplitMix64::new(SEED);
    let partners = partners(&mut rng);
    let (people, awards) = people_and_awards(&mut rng, &partners);
    let sales = sales(&mut rng, &partners);
    let leads = leads(&mut rng);
    let routing_partners = routing_partners(&partners, &people, &awards);
    let deal_registrations = deal_registrations(&partners);
    SampleQuarter {
        program: program(),
        partners,
        people,
        awards,
        sales,
        leads,
        routing_partners,
        deal_registrations,
    }
}

fn partners(rng: &mut SplitMix64) -> Vec<Partner> {
    let mut partners = Vec::with_capacity(200);
    let history = Period {
        start: ymd(2019, 1, 1),
        end: ymd(2026, 3, 1),
    };
    for n in 1..=200u32 {
        let Some(city) = rng.pick(CITIES) else {
            continue;
        };
        let kind = match n {
            1..=6 => PartnerKind::Distributor,
            _ => match rng.below(20) {
                0..=10 => PartnerKind::Reseller,
                11..=13 => PartnerKind::Referral,
                14..=15 => PartnerKind::Integrator,
                16..=17 => PartnerKind::Msp,
                18 => PartnerKind::Consultant,
                _ => PartnerKind::Franchisee,
            },
        };
        let status = match rng.below(40) {
            0..=33 => PartnerStatus::Active,
            34..=36 => PartnerStatus::Onboarding,
            37..=38 => PartnerStatus::Suspended,
            _ => PartnerStatus::Terminated,
        };
        let location = (rng.below(10) != 0).then(|| Location {
            lat: city.lat + jitter(rng, 0.25),
            lon: city.lon + jitter(rng, 0.35),
        });
        let mut languages = vec![city.language.to_owned()];
        if city.language != "en" && rng.below(2) == 0 {
            languages.push("en".to_owned());
        }
        let mut products: Vec<String> = PRODUCTS
            .iter()
            .filter(|_| rng.below(3) != 0)
            .map(|(id, ..)| (*id).to_owned())
            .collect();
        if products.is_empty() {
            products.push("CLOUD-SUITE".to_owned());
        }
        let specializations: Vec<String> = ["security", "cloud", "data", "networking"]
            .iter()
            .filter(|_| rng.below(4) == 0)
            .map(|s| (*s).to_owned())
            .collect();
        let parent_id = (kind == PartnerKind::Reseller && rng.below(3) == 0)
            .then(|| format!("P{:04}", 1 + rng.below(6)));
        partners.push(Partner {
            id: format!("P{n:04}"),
            name: company_name(rng, city.suffix),
            kind,
            status,
            country: city.country.to_owned(),
            region: Some(region_of(city.country).to_owned()),
            postal_code: Some(format!("{}", 1000 + rng.below(9000))),
            location,
            languages,
            specializations,
            products,
            parent_id,
            joined_on: Some(day_in(rng, history)),
        });
    }
    partners
}

fn people_and_awards(
    rng: &mut SplitMix64,
    partners: &[Partner],
) -> (Vec<Person>, Vec<SampleAward>) {
    let mut people = Vec::new();
    let mut awards = Vec::new();
    let earned_window = Period {
        start: ymd(2022, 1, 1),
        end: ymd(2026, 3, 25),
    };
    let left_window = Period {
        start: ymd(2025, 6, 1),
        end: ymd(2026, 3, 31),
    };
    for partner in partners {
        let size = 1 + rng.below(if partner.kind == PartnerKind::Distributor {
            25
        } else {
            14
        });
        for k in 1..=size {
            let id = format!("{}-{k:02}", partner.id);
            let role = rng.pick(ROLES).copied().unwrap_or("sales");
            let active_to = (rng.below(12) == 0).then(|| day_in(rng, left_window));
            people.push(Person {
                id: id.clone(),
                partner_id: partner.id.clone(),
                roles: vec![role.to_owned()],
                active_from: partner.joined_on,
                active_to,
            });
            let wanted: &[&str] = match role {
                "sales" => &["SALES-FOUNDATION", "SALES-PRO"],
                "presales" => &["SALES-FOUNDATION", "PRESALES-PRO"],
                "engineer" => &["TECH-ARCH"],
                _ => &["SUPPORT-SPECIALIST"],
            };
            for cert in wanted {
                if rng.below(10) < 6 {
                    let earned_on = day_in(rng, earned_window);
                    let renewed_on = if rng.below(4) == 0 {
                        crate::calendar::add_months(earned_on, 20)
                            .ok()
                            .filter(|d| *d < as_of())
                            .into_iter()
                            .collect()
                    } else {
                        Vec::new()
                    };
                    awards.push(SampleAward {
                        person_id: id.clone(),
                        cert_id: (*cert).to_owned(),
                        earned_on,
                        renewed_on,
                    });
                }
            }
        }
    }
    (people, awards)
}

fn sales(rng: &mut SplitMix64, partners: &[Partner]) -> Vec<SampleSale> {
    let mut sales = Vec::new();
    let year = Period {
        start: ymd(2025, 4, 1),
        end: ymd(2026, 4, 1),
    };
    let mut next_id = 1u32;
    for partner in partners
        .iter()
        .filter(|p| p.kind != PartnerKind::Distributor)
    {
        if matches!(
            partner.status,
            PartnerStatus::Applicant | PartnerStatus::Onboarding
        ) {
            continue;
        }
        // Partner size: a long tail with a few large sellers.
        let volume = 4
            + rng.below(12)
            + if rng.below(8) == 0 {
                40 + rng.below(40)
            } else {
                0
            };
        let customers = 2 + rng.below(12);
        for _ in 0..volume {
            let Some(&(product, category, price, cost_pct)) = rng.pick(PRODUCTS) else {
                continue;
            };
            let quantity = 1 + i64::try_from(rng.below(5)).unwrap_or(0);
            let discount = 80 + i64::try_from(rng.below(21)).unwrap_or(0);
            let amount = price * quantity * discount / 100;
            let id = format!("T{next_id:06}");
            next_id += 1;
            let date = day_in(rng, year);
            let customer_id = format!("{}-C{:02}", partner.id, rng.below(customers));
            sales.push(SampleSale {
                id: id.clone(),
                partner_id: partner.id.clone(),
                date,
                kind: "sale",
                amount: cents(amount),
                cost: cents(amount * cost_pct / 100),
                product_id: product,
                category,
                customer_id: customer_id.clone(),
                original_id: None,
            });
            if rng.below(25) == 0 {
                let refund_date =
                    add_days(date, 5 + i64::try_from(rng.below(100)).unwrap_or(0)).unwrap_or(date);
                if refund_date < year.end {
                    let share = 25 * (1 + i64::try_from(rng.below(4)).unwrap_or(0));
                    sales.push(SampleSale {
                        id: format!("T{next_id:06}"),
                        partner_id: partner.id.clone(),
                        date: refund_date,
                        kind: "refund",
                        amount: cents(amount * share / 100),
                        cost: cents(0),
                        product_id: product,
                        category,
                        customer_id,
                        original_id: Some(id),
                    });
                    next_id += 1;
                }
            }
        }
    }
    sales.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.id.cmp(&b.id)));
    sales
}

fn leads(rng: &mut SplitMix64) -> Vec<Lead> {
    let quarter = quarter_period();
    let mut leads = Vec::new();
    for n in 1..=1500u32 {
        let Some(city) = rng.pick(CITIES) else {
            continue;
        };
        let day = day_in(rng, quarter);
        let hour = 7 + rng.below(11);
        let minute = rng.below(60);
        let location = (rng.below(8) != 0).then(|| Location {
            lat: city.lat + jitter(rng, 0.9),
            lon: city.lon + jitter(rng, 1.2),
        });
        let mut products: Vec<&'static str> = PRODUCTS
            .iter()
            .filter(|_| rng.below(3) == 0)
            .map(|(id, ..)| *id)
            .collect();
        if products.is_empty() {
            products.push(
                PRODUCTS
                    .get(usize::try_from(rng.below(4)).unwrap_or(0))
                    .map_or("CLOUD-SUITE", |p| p.0),
            );
        }
        let created_at = format!("{day}T{hour:02}:{minute:02}:00Z");
        let estimated_value = cents(i64::try_from(50_000 + rng.below(8_000_000)).unwrap_or(0));
        let language = if rng.below(5) == 0 {
            "en"
        } else {
            city.language
        };
        let company = company_name(rng, city.suffix);
        let Ok(created_at) = chrono::DateTime::parse_from_rfc3339(&created_at) else {
            continue;
        };
        leads.push(Lead {
            id: format!("L{n:05}"),
            created_at,
            country: city.country.to_owned(),
            region: Some(region_of(city.country).to_owned()),
            postal_code: None,
            location,
            industry: None,
            products: products.into_iter().map(str::to_owned).collect(),
            estimated_value: Some(Amount::bare(estimated_value)),
            language: Some(language.to_owned()),
            source: None,
            company: Some(Company {
                name: Some(company),
                domain: None,
            }),
            declined_by: Vec::new(),
            custom: std::collections::BTreeMap::new(),
        });
    }
    leads.sort_by(|a, b| {
        a.created_at
            .cmp(&b.created_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    leads
}

/// The partners as routing sees them: a tier, capacity and open leads, a
/// territory, the certifications their people hold, stats and a few pauses.
/// Drawn from a sequence of its own, so the rest of the sample does not move.
fn routing_partners(
    partners: &[Partner],
    people: &[Person],
    awards: &[SampleAward],
) -> Vec<RoutingPartner> {
    let mut rng = SplitMix64::new(SEED ^ 0x524f_5554_4552); // "ROUTER"
    let mut out = Vec::with_capacity(partners.len());
    for partner in partners {
        let tier = match rng.below(100) {
            0..=34 => "registered",
            35..=69 => "silver",
            70..=89 => "gold",
            _ => "platinum",
        };
        let capacity = 5 + u32::try_from(rng.below(12)).unwrap_or(0);
        let open_leads = u32::try_from(rng.below(u64::from(capacity / 2))).unwrap_or(0);
        let mut territory = Vec::new();
        if rng.below(4) == 0 {
            territory.push(TerritoryArea {
                country: Some(partner.country.clone()),
                region: None,
                postal_prefixes: Vec::new(),
            });
            territory.push(TerritoryArea {
                country: None,
                region: partner.region.clone(),
                postal_prefixes: Vec::new(),
            });
        }
        let paused = if rng.below(15) == 0 {
            let start = day_in(&mut rng, quarter_period());
            let end =
                add_days(start, 7 + i64::try_from(rng.below(21)).unwrap_or(0)).unwrap_or(start);
            let at = |d: Date| chrono::DateTime::parse_from_rfc3339(&format!("{d}T00:00:00Z")).ok();
            match (at(start), at(end)) {
                (Some(from), Some(until)) => vec![Pause {
                    from,
                    until: Some(until),
                    reason: Some("holiday".to_owned()),
                }],
                _ => Vec::new(),
            }
        } else {
            Vec::new()
        };
        let staff: std::collections::BTreeSet<&str> = people
            .iter()
            .filter(|p| p.partner_id == partner.id && p.is_active_on(as_of()))
            .map(|p| p.id.as_str())
            .collect();
        let mut certifications: Vec<String> = awards
            .iter()
            .filter(|a| staff.contains(a.person_id.as_str()))
            .map(|a| a.cert_id.clone())
            .collect();
        certifications.sort();
        certifications.dedup();
        let percent = |rng: &mut SplitMix64, low: i64, span: u64| {
            crate::money::Rate::new(Decimal::new(rust_decimal::Decimal::new(
                low + i64::try_from(rng.below(span)).unwrap_or(0),
                2,
            )))
        };
        let stats = PartnerStats {
            acceptance_rate: Some(percent(&mut rng, 55, 45)),
            conversion_rate: Some(percent(&mut rng, 5, 35)),
            average_response_hours: Some(Decimal::from(
                i64::try_from(2 + rng.below(46)).unwrap_or(24),
            )),
        };
        out.push(RoutingPartner {
            partner: partner.clone(),
            tier: Some(tier.to_owned()),
            lead_weight: None,
            capacity: Some(capacity),
            open_leads,
            paused,
            territory,
            certifications,
            stats,
            compliant: None,
        });
    }
    out
}

/// The quarter's deal registrations: one or two customers each for some
/// partners, and a few customers registered twice, under another spelling.
fn deal_registrations(partners: &[Partner]) -> Vec<Registration> {
    let mut rng = SplitMix64::new(SEED ^ 0x0044_4541_4c52_4547); // "DEALREG"
    let sellers: Vec<&Partner> = partners
        .iter()
        .filter(|p| p.status == PartnerStatus::Active && p.kind != PartnerKind::Distributor)
        .collect();
    let mut out: Vec<Registration> = Vec::new();
    for n in 1..=80u32 {
        let Some(partner) = rng.pick(&sellers) else {
            continue;
        };
        let Some(city) = CITIES.iter().find(|c| c.country == partner.country) else {
            continue;
        };
        let earlier = out.len() as u64;
        // About one in six registers a customer someone already registered.
        let (name, domain) = match (rng.below(6), earlier) {
            (0, e) if e > 0 => {
                let index = usize::try_from(rng.below(e)).unwrap_or(0);
                let Some(first) = out.get(index) else {
                    continue;
                };
                let base = first.customer.name.clone().unwrap_or_default();
                let stem = base
                    .rsplit_once(' ')
                    .map_or(base.as_str(), |(s, _)| s)
                    .to_uppercase();
                (
                    format!(
                        "{stem} {}",
                        if rng.below(2) == 0 { "Holding" } else { "Ltd." }
                    ),
                    None,
                )
            }
            _ => {
                let name = company_name(&mut rng, city.suffix);
                let stem: String = name
                    .split_whitespace()
                    .next()
                    .unwrap_or("customer")
                    .to_lowercase();
                let tld = city.country.to_lowercase();
                (name, Some(format!("www.{stem}.{tld}")))
            }
        };
        let products: Vec<String> = PRODUCTS
            .iter()
            .filter(|_| rng.below(2) == 0)
            .map(|(id, ..)| (*id).to_owned())
            .collect();
        let products = if products.is_empty() {
            vec!["CLOUD-SUITE".to_owned()]
        } else {
            products
        };
        let value = cents(i64::try_from(200_000 + rng.below(12_000_000)).unwrap_or(0));
        out.push(Registration {
            id: format!("DR{n:04}"),
            partner_id: partner.id.clone(),
            customer: Customer {
                name: Some(name),
                domain,
                country: Some(city.country.to_owned()),
            },
            products,
            value: Some(Amount::bare(value)),
            submitted_on: day_in(&mut rng, quarter_period()),
            status: RegistrationStatus::Submitted,
            approved_on: None,
            expires_on: None,
            extensions: 0,
        });
    }
    out.sort_by(|a, b| {
        a.submitted_on
            .cmp(&b.submitted_on)
            .then_with(|| a.id.cmp(&b.id))
    });
    out
}

/// The name of the city nearest to `location` among the sample's cities.
pub fn nearest_city(location: Location) -> &'static str {
    CITIES
        .iter()
        .map(|c| {
            (
                (c.lat - location.lat).powi(2) + (c.lon - location.lon).powi(2),
                c.name,
            )
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map_or("?", |(_, name)| name)
}

/// The sample `agreements` section: four kinds, what each activity needs, reminders.
pub fn agreements_section() -> Value {
    json!({
        "kinds": [{"id": "reseller", "name": "Reseller agreement"}, {"id": "nda", "name": "Mutual NDA"},
                  {"id": "mdf_terms", "name": "MDF terms"}, {"id": "dpa", "name": "Data processing agreement"}],
        "expiring_days": 45,
        "reminder_days": [60, 30, 7],
        "activities": {
            "receive_leads": {"agreements": ["reseller", "nda", "dpa"]},
            "register_deals": {"agreements": ["reseller"]},
            "request_mdf": {"agreements": ["reseller", "mdf_terms"],
                            "certifications": {"sales": {"any_of": ["SALES-FOUNDATION"], "people": 1}}}
        }
    })
}

/// The sample `onboarding` section: screening rules and the activation checklist.
pub fn onboarding_section() -> Value {
    json!({
        "screening": {
            "required_documents": ["trade_register", "insurance"],
            "knock_outs": [
                {"id": "market", "reason": "Northwind does not operate in this country",
                 "when": {"kind": "field", "field": "country", "op": "not_in",
                          "value": ["AT", "CZ", "DE", "ES", "FR", "HU", "IT", "NL", "PL"]}},
                {"id": "sanctions", "reason": "the sanctions check found a match",
                 "when": {"kind": "field", "field": "answers.sanctions_hit", "op": "eq", "value": true}}
            ],
            "scoring": [
                {"id": "experience", "points": 30, "when": {"kind": "field", "field": "years_in_business", "op": "gte", "value": 5}},
                {"id": "size", "points": 20, "when": {"kind": "field", "field": "employees", "op": "gte", "value": 25}},
                {"id": "references", "points": 20, "when": {"kind": "field", "field": "references", "op": "gte", "value": 2}},
                {"id": "support_team", "points": 15, "when": {"kind": "field", "field": "answers.has_support_team", "op": "eq", "value": true}},
                {"id": "security", "points": 15, "when": {"kind": "field", "field": "specializations", "op": "contains", "value": "security"}},
                {"id": "young_company", "points": -10, "when": {"kind": "field", "field": "years_in_business", "op": "lt", "value": 2}}
            ],
            "thresholds": {"accept": 70, "review": 40}
        },
        "checklist": {
            "agreements": ["reseller", "nda"],
            "certifications": {"sales": {"any_of": ["SALES-FOUNDATION"], "people": 1}},
            "documents": ["trade_register", "insurance"]
        }
    })
}

/// The sample `scorecards` section: six KPIs over the last fiscal quarter.
pub fn scorecards_section() -> Value {
    json!({
        "window": {"kind": "trailing_months", "months": 3},
        "kpis": [
            {"id": "revenue", "label": "revenue", "measure": {"kind": "metric", "measure": {"kind": "revenue"}},
             "weight": 3, "scale": {"kind": "percentile", "among": "tier"}},
            {"id": "deals_won", "label": "deals won", "measure": {"kind": "metric", "measure": {"kind": "deals_won"}},
             "weight": 1, "scale": {"kind": "bounds", "worst": 0, "best": 8}},
            {"id": "deal_size", "label": "average deal size", "measure": {"kind": "metric", "measure": {"kind": "average_deal_size"}},
             "weight": 1, "scale": {"kind": "percentile", "among": "all"}},
            {"id": "acceptance", "label": "lead acceptance", "measure": {"kind": "lead_acceptance_rate"},
             "weight": 1, "scale": {"kind": "bounds", "worst": 40, "best": 100}},
            {"id": "response", "label": "response hours", "measure": {"kind": "average_response_hours"},
             "weight": 1, "scale": {"kind": "bounds", "worst": 72, "best": 4}},
            {"id": "conversion", "label": "lead conversion", "measure": {"kind": "lead_conversion_rate"},
             "weight": 1, "scale": {"kind": "bounds", "worst": 0, "best": 40}}
        ],
        "bands": {"healthy": 60, "watch": 35},
        "trend_tolerance": 5,
        "signals": {
            "revenue_drop_percent": 25,
            "no_deal_days": 60,
            "certification_expiry": {"days": 90, "requirements": {
                "gold": {"any_of": ["SALES-PRO"], "people": 2},
                "platinum": {"any_of": ["SALES-PRO"], "people": 3}}},
            "unused_mdf": {"after": "75%", "below": "50%"}
        }
    })
}

/// Twelve sample applications to join the program, from a fixed seed.
pub fn applications() -> Vec<crate::onboarding::Application> {
    let mut rng = SplitMix64::new(SEED ^ 0x4150_504c);
    let countries = [
        "DE", "AT", "HU", "PL", "FR", "IT", "CZ", "CH", "NL", "ES", "GB", "HU",
    ];
    let documents = ["trade_register", "insurance", "tax_certificate"];
    let specializations = ["security", "cloud", "networking", "analytics"];
    let mut out = Vec::with_capacity(countries.len());
    for (n, country) in countries.iter().enumerate() {
        let docs: Vec<String> = documents
            .iter()
            .filter(|_| rng.below(6) != 0)
            .map(|d| (*d).to_owned())
            .collect();
        let references = (0..rng.below(4))
            .map(|i| json!({"name": format!("Reference {}", i + 1)}))
            .collect::<Vec<_>>();
        let specs: Vec<&str> = specializations
            .iter()
            .filter(|_| rng.below(3) == 0)
            .copied()
            .collect();
        let value = json!({
            "id": format!("APP-{:03}", n + 1),
            "company": {"name": company_name(&mut rng, ""), "country": country,
                        "years_in_business": rng.below(15), "employees": 3 + rng.below(80)},
            "references": references,
            "documents": docs,
            "answers": {"has_support_team": rng.below(2) == 0, "sanctions_hit": rng.below(25) == 0},
            "specializations": specs
        });
        if let Ok(app) = serde_json::from_value(value) {
            out.push(app);
        }
    }
    out
}

/// Every sample partner's agreements: a reseller agreement (auto-renewing yearly, 60 days'
/// notice), an NDA and a DPA, and MDF terms for about half, from a fixed seed.
pub fn agreements(partners: &[Partner]) -> Vec<crate::agreement::Agreement> {
    let mut rng = SplitMix64::new(SEED ^ 0x4147_5245);
    let mut out = Vec::new();
    for p in partners {
        let joined = p.joined_on.unwrap_or(ymd(2024, 1, 1));
        // Anniversaries spread over the year, so some renew inside the demo's quarter.
        let start = add_days(ymd(2024, 1, 1), i64::try_from(rng.below(365)).unwrap_or(0))
            .unwrap_or(joined)
            .max(joined);
        let signed = add_days(start, -14).ok();
        let pending = rng.below(25) == 0;
        let notice = (rng.below(12) == 0)
            .then(|| add_days(start, 300).ok())
            .flatten();
        let mut push = |kind: &str, months: Option<u32>, renew: bool, notice_on: Option<Date>| {
            let value = json!({
                "id": format!("{}-{}", p.id, kind.to_uppercase()),
                "partner_id": p.id, "kind": kind,
                "signed_on": if pending && kind == "reseller" { None } else { signed },
                "effective_from": start,
                "term_months": months,
                "auto_renew": renew.then(|| json!({"notice_days": 60})),
                "non_renewal_notice_on": notice_on,
            });
            if let Ok(a) = serde_json::from_value(value) {
                out.push(a);
            }
        };
        push("reseller", Some(12), true, notice);
        push("nda", None, false, None);
        if rng.below(5) != 0 {
            push("dpa", Some(24), true, None);
        }
        if rng.below(2) == 0 {
            push("mdf_terms", Some(12), false, None);
        }
    }
    out
}

/// Every sample partner's scorecard facts: its tier and region, the sample sales, its
/// people and awards, leads from a fixed seed and its MDF use this quarter.
pub fn scorecard_facts(sample: &SampleQuarter) -> Vec<crate::scorecard::ScorecardFacts> {
    use std::collections::BTreeMap;
    let mut rng = SplitMix64::new(SEED ^ 0x5343_4f52);
    let tiers: BTreeMap<&str, Option<String>> = sample
        .routing_partners
        .iter()
        .map(|r| (r.partner.id.as_str(), r.tier.clone()))
        .collect();
    let mut facts: BTreeMap<&str, crate::scorecard::ScorecardFacts> = BTreeMap::new();
    let lead_period = Period {
        start: ymd(2025, 10, 1),
        end: ymd(2026, 4, 1),
    };
    for p in &sample.partners {
        let leads = (0..rng.below(14))
            .map(|_| {
                let answered = rng.below(8) != 0;
                crate::scorecard::LeadRecord {
                    id: None,
                    date: day_in(&mut rng, lead_period),
                    accepted: answered.then(|| rng.below(4) != 0),
                    response_hours: answered
                        .then(|| Decimal::from(i64::try_from(1 + rng.below(90)).unwrap_or(1))),
                    converted: rng.below(5) == 0,
                }
            })
            .collect();
        let funds = Decimal::from(i64::try_from(1000 * (1 + rng.below(10))).unwrap_or(0));
        let spent = Decimal::from(i64::try_from(100 * rng.below(90)).unwrap_or(0)).min(funds);
        facts.insert(
            p.id.as_str(),
            crate::scorecard::ScorecardFacts {
                partner_id: p.id.clone(),
                tier: tiers.get(p.id.as_str()).cloned().flatten(),
                region: p.region.clone(),
                sales: Some(Vec::new()),
                leads: Some(leads),
                observations: None,
                people: Vec::new(),
                awards: Some(Vec::new()),
                given: BTreeMap::new(),
                mdf: Some(crate::scorecard::MdfUse { funds, spent }),
            },
        );
    }
    let mut employer: BTreeMap<&str, &str> = BTreeMap::new();
    for person in &sample.people {
        employer.insert(person.id.as_str(), person.partner_id.as_str());
        if let Some(f) = facts.get_mut(person.partner_id.as_str()) {
            f.people.push(person.clone());
        }
    }
    for a in &sample.awards {
        if let Some(f) = employer
            .get(a.person_id.as_str())
            .and_then(|id| facts.get_mut(id))
            && let Some(awards) = f.awards.as_mut()
        {
            awards.push(award(a));
        }
    }
    for s in &sample.sales {
        if let Some(sales) = facts
            .get_mut(s.partner_id.as_str())
            .and_then(|f| f.sales.as_mut())
        {
            sales.push(sale(s));
        }
    }
    facts.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_is_deterministic() {
        let a = quarter();
        let b = quarter();
        assert_eq!(a.partners, b.partners);
        assert_eq!(a.sales, b.sales);
        assert_eq!(a.leads, b.leads);
    }

    #[test]
    fn sample_sales_convert_to_valid_transactions() -> Result<(), crate::Error> {
        let sample = quarter();
        let program = crate::Program::from_value(&sample.program)?;
        let txs: Vec<_> = sample.sales.iter().map(commission_transaction).collect();
        let facts = crate::commission::CommissionFacts {
            partners: Some(sample.partners.clone()),
            tier_history: tier_history(&sample.partners),
            ..Default::default()
        };
        let options = crate::commission::StatementOptions::as_of(ymd(2025, 6, 30));
        let run = crate::commission::statements(&program, &txs, &facts, &options)?;
        assert!(run.statements.len() > 100);
        assert!(run.totals.net > crate::Decimal::ZERO);
        Ok(())
    }

    #[test]
    fn sample_partners_are_valid() -> Result<(), crate::Error> {
        let sample = quarter();
        for (i, p) in sample.partners.iter().enumerate() {
            p.validate(&crate::JsonPath::root().index(i))?;
        }
        assert!(sample.sales.len() > 1000);
        assert_eq!(sample.leads.len(), 1500);
        Ok(())
    }
}
