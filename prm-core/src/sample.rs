//! A fictional partner program with a quarter of activity, generated from a fixed seed.
//!
//! Northwind Partner Network sells four products through about two hundred
//! partners in nine European countries. [`quarter`] builds the program
//! document, the partners, their people and certifications, twelve months of
//! sales (for trailing-window metrics) and the leads of the first quarter of
//! 2026. The data is the same on every machine and in every run: it comes
//! from a [`SplitMix64`] sequence seeded with [`SEED`].
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
use crate::hash::SplitMix64;
use crate::money::Decimal;
use crate::partner::{Location, Partner, PartnerKind, PartnerStatus, Person};
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

/// An incoming lead.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampleLead {
    /// Lead id.
    pub id: String,
    /// When the lead arrived (RFC 3339).
    pub created_at: String,
    /// Country of the prospect.
    pub country: &'static str,
    /// Where the prospect is.
    pub location: Option<Location>,
    /// Products of interest.
    pub products: Vec<&'static str>,
    /// Estimated deal value in EUR.
    pub estimated_value: Decimal,
    /// Preferred language.
    pub language: &'static str,
    /// The prospect's company.
    pub company: String,
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
    pub leads: Vec<SampleLead>,
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
        "tiers": {"tiers": [
            {"id": "registered", "name": "Registered", "rank": 0,
             "benefits": {"discount_rate": "0.10", "lead_weight": "0", "deal_protection_days": 60}},
            {"id": "silver", "name": "Silver", "rank": 1,
             "benefits": {"discount_rate": "0.15", "commission_multiplier": "1.0", "mdf_accrual_rate": "0.01",
                          "lead_weight": "1", "deal_protection_days": 90, "mdf_activity_types": ["digital", "content"]}},
            {"id": "gold", "name": "Gold", "rank": 2,
             "benefits": {"discount_rate": "0.20", "commission_multiplier": "1.1", "mdf_accrual_rate": "0.02",
                          "lead_weight": "3", "deal_protection_days": 120,
                          "mdf_activity_types": ["digital", "content", "event", "webinar"]}},
            {"id": "platinum", "name": "Platinum", "rank": 3,
             "benefits": {"discount_rate": "0.25", "commission_multiplier": "1.25", "mdf_accrual_rate": "0.03",
                          "lead_weight": "5", "deal_protection_days": 180,
                          "mdf_activity_types": ["digital", "content", "event", "webinar", "trade_show", "training"]}}
        ]},
        "mdf": mdf_section()
    })
}

/// Builds the sample quarter. Same output on every call.
pub fn quarter() -> SampleQuarter {
    let mut rng = SplitMix64::new(SEED);
    let partners = partners(&mut rng);
    let (people, awards) = people_and_awards(&mut rng, &partners);
    let sales = sales(&mut rng, &partners);
    let leads = leads(&mut rng);
    SampleQuarter {
        program: program(),
        partners,
        people,
        awards,
        sales,
        leads,
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

fn leads(rng: &mut SplitMix64) -> Vec<SampleLead> {
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
        leads.push(SampleLead {
            id: format!("L{n:05}"),
            created_at: format!("{day}T{hour:02}:{minute:02}:00Z"),
            country: city.country,
            location,
            products,
            estimated_value: cents(i64::try_from(50_000 + rng.below(8_000_000)).unwrap_or(0)),
            language: if rng.below(5) == 0 {
                "en"
            } else {
                city.language
            },
            company: company_name(rng, city.suffix),
        });
    }
    leads.sort_by(|a, b| {
        a.created_at
            .cmp(&b.created_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    leads
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
