//! [`Lead`] and the fields conditions can test on it.

use crate::calendar::Instant;
use crate::condition::{FieldSet, FieldType, FieldValue, Subject};
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use crate::money::{Amount, Currency, Decimal};
use crate::partner::{Location, PartnerId, validate_country};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The prospect's company, as the lead names it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Company {
    /// The company's name (`Acme Corp.`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its web domain (`acme.com`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
}

/// An incoming lead to route to a partner.
///
/// ```
/// use prm_core::routing::Lead;
/// let lead: Lead = serde_json::from_str(r#"{
///   "id": "L-1", "created_at": "2026-01-05T09:30:00Z", "country": "HU",
///   "location": {"lat": 47.4979, "lon": 19.0402}, "products": ["CLOUD-SUITE"],
///   "estimated_value": "45000.00", "language": "hu", "company": {"name": "Duna Kft."}
/// }"#)?;
/// assert_eq!(lead.country, "HU");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Lead {
    /// Unique id; also the input of the reproducible weighted draw.
    pub id: String,
    /// When the lead arrived (RFC 3339); pauses are checked at this instant.
    pub created_at: Instant,
    /// ISO 3166-1 alpha-2 country of the prospect.
    pub country: String,
    /// The program's region name for the prospect (`DACH`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Postal code, as written in the country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// Coordinates, when known; needed for distance rings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// The prospect's industry (`manufacturing`); matched against partner specializations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub industry: Option<String>,
    /// Products of interest.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<String>,
    /// Estimated deal value, in the program's currency unless it names its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_value: Option<Amount>,
    /// Preferred language (ISO 639-1, `de`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Where the lead came from (`web`, `event`, `partner_portal`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The prospect's company.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<Company>,
    /// Partners who already refused this lead; they are never chosen again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub declined_by: Vec<PartnerId>,
    /// Anything else, testable in conditions as `custom.<name>`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub custom: BTreeMap<String, Value>,
}

/// The lead fields a rule's condition can test, with their types.
pub const LEAD_FIELDS: FieldSet = FieldSet::new(
    &[
        ("id", FieldType::Text),
        ("created_at", FieldType::Instant),
        ("country", FieldType::Text),
        ("region", FieldType::Text),
        ("postal_code", FieldType::Text),
        ("industry", FieldType::Text),
        ("products", FieldType::TextList),
        ("estimated_value", FieldType::Decimal),
        ("language", FieldType::Text),
        ("source", FieldType::Text),
        ("company.name", FieldType::Text),
        ("company.domain", FieldType::Text),
        ("declined_by", FieldType::TextList),
        ("has_location", FieldType::Boolean),
    ],
    Some("custom."),
);

impl Lead {
    /// Checks the country, coordinates and estimated value; problems are reported under `path`.
    ///
    /// # Errors
    ///
    /// * `invalid_value` for a country that is not two upper-case letters;
    /// * `out_of_range` for coordinates outside the globe, NaN or infinite;
    /// * `currency_mismatch` for an estimated value in another currency than `currency`;
    /// * `money_precision` for more decimal places than the currency has;
    /// * `out_of_range` for a negative estimated value.
    pub fn validate(&self, path: &JsonPath, currency: Currency) -> Result<(), Error> {
        let mut problems = Problems::new();
        problems.take(validate_country(&self.country, &path.key("country")));
        if let Some(location) = &self.location {
            problems.take(location.validate(&path.key("location")));
        }
        if let Some(value) = self.estimated_value {
            let at = path.key("estimated_value");
            if let Some(money) = problems.take(value.in_currency(currency, &at)) {
                if money.currency() != currency {
                    problems.push(
                        Problem::new(ErrorCode::CurrencyMismatch, &at)
                            .message(format!(
                                "estimated value is in {}, the program's currency is {currency}",
                                money.currency()
                            ))
                            .help(format!("convert it to {currency} before routing")),
                    );
                }
                if money.amount().is_negative() {
                    problems.push(Problem::new(ErrorCode::OutOfRange, &at).message(format!(
                        "estimated value must not be negative, found {}",
                        money.amount()
                    )));
                }
            }
        }
        problems.into_result(())
    }

    /// The estimated value's amount, if the lead has one.
    pub fn value(&self) -> Option<Decimal> {
        self.estimated_value.map(Amount::amount)
    }
}

fn text(value: Option<&str>) -> FieldValue<'_> {
    value.map_or(FieldValue::Missing, FieldValue::Text)
}

impl Subject for Lead {
    fn field(&self, name: &str) -> FieldValue<'_> {
        match name {
            "id" => FieldValue::Text(&self.id),
            "created_at" => FieldValue::Instant(self.created_at),
            "country" => FieldValue::Text(&self.country),
            "region" => text(self.region.as_deref()),
            "postal_code" => text(self.postal_code.as_deref()),
            "industry" => text(self.industry.as_deref()),
            "products" => FieldValue::TextList(&self.products),
            "estimated_value" => self
                .value()
                .map_or(FieldValue::Missing, FieldValue::Decimal),
            "language" => text(self.language.as_deref()),
            "source" => text(self.source.as_deref()),
            "company.name" => text(self.company.as_ref().and_then(|c| c.name.as_deref())),
            "company.domain" => text(self.company.as_ref().and_then(|c| c.domain.as_deref())),
            "declined_by" => FieldValue::TextList(&self.declined_by),
            "has_location" => FieldValue::Boolean(self.location.is_some()),
            other => other
                .strip_prefix("custom.")
                .and_then(|key| self.custom.get(key))
                .map_or(FieldValue::Missing, FieldValue::Json),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lead(value: Value) -> Lead {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn lead_fields_reach_conditions() {
        let l = lead(
            json!({"id": "L1", "created_at": "2026-01-05T09:30:00Z", "country": "DE",
            "company": {"domain": "acme.com"}, "estimated_value": "100", "custom": {"tier": "a"}}),
        );
        assert_eq!(l.field("company.domain"), FieldValue::Text("acme.com"));
        assert_eq!(l.field("company.name"), FieldValue::Missing);
        assert_eq!(
            l.field("estimated_value"),
            FieldValue::Decimal(Decimal::from(100i64))
        );
        assert_eq!(l.field("custom.tier"), FieldValue::Json(&json!("a")));
        for name in LEAD_FIELDS.names() {
            assert!(LEAD_FIELDS.field_type(name).is_some());
        }
    }

    #[test]
    fn validate_reports_country_location_and_value() {
        let l = lead(
            json!({"id": "L1", "created_at": "2026-01-05T09:30:00Z", "country": "de",
            "location": {"lat": 91.0, "lon": 0.0},
            "estimated_value": {"amount": "10", "currency": "USD"}}),
        );
        let err = l.validate(&JsonPath::root(), Currency::eur()).unwrap_err();
        let codes: Vec<_> = err
            .problems()
            .iter()
            .map(|p| (p.code().as_str(), p.path()))
            .collect();
        assert_eq!(
            codes,
            vec![
                ("invalid_value", "$.country"),
                ("out_of_range", "$.location.lat"),
                ("currency_mismatch", "$.estimated_value"),
            ]
        );
    }
}
