//! [`Application`]: what an applicant company submits, and the fields screening rules test.

use crate::condition::{FieldSet, FieldType, FieldValue, Subject};
use crate::money::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The applicant company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Company {
    /// Its name.
    pub name: String,
    /// Its web domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// ISO 3166-1 alpha-2 country.
    pub country: String,
    /// What it would be (`reseller`, `msp`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Years in business.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub years_in_business: Option<u32>,
    /// Annual revenue, in the program's currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual_revenue: Option<Decimal>,
    /// Number of employees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employees: Option<u32>,
}

/// A customer or partner reference the applicant gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    /// Who.
    pub name: String,
    /// How to reach them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
}

/// An application to join the partner program.
///
/// Screening rules test its fields by name: `country`, `name`, `domain`,
/// `kind` (text); `years_in_business`, `annual_revenue`, `employees`,
/// `references` (decimal, `references` is how many were given);
/// `documents`, `specializations` (text lists); and `answers.<question>`
/// (typed by the answer).
///
/// ```
/// use prm_core::onboarding::Application;
/// let app: Application = serde_json::from_str(r#"{
///   "id": "APP-1",
///   "company": {"name": "Kovacs Systems Kft", "country": "HU", "years_in_business": 7},
///   "documents": ["trade_register", "insurance"],
///   "answers": {"has_support_team": true}
/// }"#)?;
/// assert_eq!(app.company.country, "HU");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Application {
    /// Unique id.
    pub id: String,
    /// The applicant company.
    pub company: Company,
    /// References given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    /// The kinds of documents provided (`trade_register`, `insurance`, `tax_certificate`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<String>,
    /// Answers to the program's questions, by question id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub answers: BTreeMap<String, Value>,
    /// Declared specializations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub specializations: Vec<String>,
}

/// The fields screening conditions can test on an [`Application`].
pub const APPLICATION_FIELDS: FieldSet = FieldSet::new(
    &[
        ("country", FieldType::Text),
        ("name", FieldType::Text),
        ("domain", FieldType::Text),
        ("kind", FieldType::Text),
        ("years_in_business", FieldType::Decimal),
        ("annual_revenue", FieldType::Decimal),
        ("employees", FieldType::Decimal),
        ("references", FieldType::Decimal),
        ("documents", FieldType::TextList),
        ("specializations", FieldType::TextList),
    ],
    Some("answers."),
);

impl Subject for Application {
    fn field(&self, name: &str) -> FieldValue<'_> {
        let company = &self.company;
        match name {
            "country" => FieldValue::Text(&company.country),
            "name" => FieldValue::Text(&company.name),
            "domain" => company
                .domain
                .as_deref()
                .map_or(FieldValue::Missing, FieldValue::Text),
            "kind" => company
                .kind
                .as_deref()
                .map_or(FieldValue::Missing, FieldValue::Text),
            "years_in_business" => company.years_in_business.map_or(FieldValue::Missing, |v| {
                FieldValue::Decimal(Decimal::from(v))
            }),
            "annual_revenue" => company
                .annual_revenue
                .map_or(FieldValue::Missing, FieldValue::Decimal),
            "employees" => company.employees.map_or(FieldValue::Missing, |v| {
                FieldValue::Decimal(Decimal::from(v))
            }),
            "references" => FieldValue::Decimal(Decimal::from(
                i64::try_from(self.references.len()).unwrap_or(i64::MAX),
            )),
            "documents" => FieldValue::TextList(&self.documents),
            "specializations" => FieldValue::TextList(&self.specializations),
            _ => name
                .strip_prefix("answers.")
                .and_then(|q| self.answers.get(q))
                .map_or(FieldValue::Missing, FieldValue::Json),
        }
    }
}
