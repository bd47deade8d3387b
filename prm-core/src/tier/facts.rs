//! [`PartnerFacts`]: what tier evaluation knows about one partner.

use super::lifecycle::TierAssignment;
use crate::certification::{Award, check_people};
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use crate::metric::{MetricDef, MetricName, Observation, Sale, check_sales};
use crate::money::{Currency, Decimal};
use crate::partner::{PartnerId, Person};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One partner's facts, and the tier assignment it holds.
///
/// Metrics may be given pre-aggregated in `metrics` (by the names the tier
/// program defines), or left to prm to aggregate from the raw records:
/// `sales`, `observations`, `people` and `awards`. A given value wins over
/// the records. The same partner described both ways gets the same decision.
///
/// ```
/// use prm_core::tier::PartnerFacts;
/// let facts: PartnerFacts = serde_json::from_str(r#"{
///   "partner_id": "P0001",
///   "metrics": {"revenue": "31500.00"},
///   "flags": {"agreement_signed": true},
///   "people": [{"id": "anna", "partner_id": "P0001", "roles": ["sales"]}],
///   "awards": [{"person_id": "anna", "cert_id": "SALES-PRO", "earned_on": "2025-05-01"}],
///   "assignment": {"tier": "silver", "since": "2025-04-01"}
/// }"#)?;
/// assert_eq!(facts.partner_id, "P0001");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerFacts {
    /// The partner.
    pub partner_id: PartnerId,
    /// Pre-aggregated metric values, by metric name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metrics: BTreeMap<MetricName, Decimal>,
    /// Boolean facts (`agreement_signed`); a flag not listed is false.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub flags: BTreeMap<String, bool>,
    /// The partner's people, each once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub people: Vec<Person>,
    /// Their certification awards; awards of people not listed do not count.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub awards: Vec<Award>,
    /// Sales and refunds; absent: sales metrics must be given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sales: Option<Vec<Sale>>,
    /// Observations of named series; absent: series metrics must be given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observations: Option<Vec<Observation>>,
    /// The tier assignment the partner holds; absent for a partner evaluated for the first time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment: Option<TierAssignment>,
}

impl PartnerFacts {
    /// A quick check, without building any path, that [`PartnerFacts::validate`] would pass.
    pub fn looks_valid(
        &self,
        metrics: &BTreeMap<MetricName, MetricDef>,
        currency: Currency,
    ) -> bool {
        let people_fine = self.people.iter().enumerate().all(|(i, person)| {
            person.partner_id == self.partner_id
                && self
                    .people
                    .iter()
                    .take(i)
                    .all(|other| other.id != person.id)
        });
        let sales_fine = self.sales.as_ref().is_none_or(|sales| {
            sales.iter().all(|sale| {
                let amount = sale.amount.amount();
                sale.amount.currency().is_none_or(|c| c == currency)
                    && !amount.is_negative()
                    && (amount.value().scale() <= currency.minor_units()
                        || amount.significant_scale() <= currency.minor_units())
            })
        });
        people_fine && sales_fine && self.metrics.keys().all(|name| metrics.contains_key(name))
    }

    /// Checks the facts; problems are reported under `path`.
    ///
    /// # Errors
    ///
    /// * `duplicate_id` / `person_not_at_partner` for people;
    /// * `currency_mismatch`, `money_precision`, `out_of_range` for sales;
    /// * `unknown_reference` for a given metric the program does not define.
    pub fn validate(
        &self,
        metrics: &BTreeMap<MetricName, MetricDef>,
        currency: Currency,
        path: &JsonPath,
    ) -> Result<(), Error> {
        let mut problems = Problems::new();
        problems.take(check_people(
            &self.partner_id,
            &self.people,
            &path.key("people"),
        ));
        if let Some(sales) = &self.sales {
            problems.take(check_sales(sales, currency, &path.key("sales")));
        }
        for name in self.metrics.keys() {
            if !metrics.contains_key(name) {
                let mut problem =
                    Problem::new(ErrorCode::UnknownReference, path.key("metrics").key(name))
                        .message(format!("the tier program defines no metric `{name}`"));
                if let Some(close) =
                    crate::input::did_you_mean(name, metrics.keys().map(String::as_str))
                {
                    problem = problem.help(format!("did you mean `{close}`?"));
                }
                problems.push(problem);
            }
        }
        problems.into_result(())
    }
}
