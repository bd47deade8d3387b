//! [`MetricDef`] and [`Measure`]: what a named metric aggregates, and over which window.

use crate::calendar::Window;
use crate::certification::{CertificationCatalog, CertificationId, CertificationRequirement};
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A metric's name (`revenue_12m`), unique within the program.
pub type MetricName = String;

/// A named metric: a [`Measure`] aggregated over a [`Window`].
///
/// Requirements refer to metrics by name. A host may supply a metric's
/// value directly (pre-aggregated), or pass the raw records and let prm
/// aggregate them; both give the same answer.
///
/// ```
/// use prm_core::metric::{MetricDef, Measure};
/// let revenue: MetricDef = serde_json::from_str(r#"{
///   "measure": {"kind": "revenue"},
///   "window": {"kind": "trailing_months", "months": 12},
///   "label": "revenue"
/// }"#)?;
/// assert_eq!(revenue.measure, Measure::Revenue);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricDef {
    /// What is aggregated.
    pub measure: Measure,
    /// The days aggregated; required by every measure except `certified_people` and `custom`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
    /// How the metric reads in sentences (`revenue`, `deals won`); the name by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// What a metric aggregates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Measure {
    /// Sales minus refunds in the window, in the program's currency.
    Revenue,
    /// Sales (not refunds) in the window.
    DealsWon,
    /// Distinct customers with a sale in the window.
    Customers,
    /// Customers whose first sale among the records falls in the window.
    NewCustomers,
    /// Revenue divided by deals won, rounded to the currency's minor units; 0 without deals.
    AverageDealSize,
    /// Revenue growth over the window just before, in percent (2 places); 0 without a
    /// positive baseline.
    RevenueGrowth,
    /// Distinct people active on `as_of` holding a matching certification that counts then.
    CertifiedPeople(CertifiedPeople),
    /// The sum of a series of observations in the window.
    Sum {
        /// The series (`deployments`).
        series: String,
    },
    /// The average of a series of observations in the window (4 places); 0 without any.
    Average {
        /// The series (`satisfaction`).
        series: String,
    },
    /// The number of observations of a series in the window.
    Count {
        /// The series (`workshops`).
        series: String,
    },
    /// A value only the host knows, always given pre-aggregated.
    Custom,
}

/// Which people `certified_people` counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CertifiedPeople {
    /// Any one of these certifications; any certification when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub any_of: Vec<CertificationId>,
    /// Every one of these certifications.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub all_of: Vec<CertificationId>,
    /// Only certifications of this track.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track: Option<String>,
    /// Only certifications of this level or above.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_level: Option<u32>,
    /// Only people with this role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

impl CertifiedPeople {
    /// The same filter as a certification requirement (of one person).
    pub fn requirement(&self) -> CertificationRequirement {
        CertificationRequirement {
            any_of: self.any_of.clone(),
            all_of: self.all_of.clone(),
            track: self.track.clone(),
            min_level: self.min_level,
            role: self.role.clone(),
            people: None,
            coverage: None,
        }
    }
}

/// What a metric's value is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// An amount in the program's currency.
    Money,
    /// A number of things (deals, customers, people).
    Count,
    /// A percentage (`15` is 15%).
    Percent,
    /// A plain number (a score, an average).
    Number,
}

/// Where a measure's raw records come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// The partner's sales and refunds.
    Sales,
    /// Observations of a named series.
    Observations,
    /// The partner's people and their awards.
    People,
    /// Only the host: the value must be given.
    Host,
}

impl Measure {
    /// The unit of the measure's values.
    pub fn unit(&self) -> Unit {
        match self {
            Measure::Revenue | Measure::AverageDealSize => Unit::Money,
            Measure::DealsWon
            | Measure::Customers
            | Measure::NewCustomers
            | Measure::CertifiedPeople(_)
            | Measure::Count { .. } => Unit::Count,
            Measure::RevenueGrowth => Unit::Percent,
            Measure::Sum { .. } | Measure::Average { .. } | Measure::Custom => Unit::Number,
        }
    }

    /// The records the measure is computed from.
    pub fn source(&self) -> Source {
        match self {
            Measure::Revenue
            | Measure::DealsWon
            | Measure::Customers
            | Measure::NewCustomers
            | Measure::AverageDealSize
            | Measure::RevenueGrowth => Source::Sales,
            Measure::Sum { .. } | Measure::Average { .. } | Measure::Count { .. } => {
                Source::Observations
            }
            Measure::CertifiedPeople(_) => Source::People,
            Measure::Custom => Source::Host,
        }
    }

    /// True when the measure aggregates over a window.
    pub fn needs_window(&self) -> bool {
        matches!(self.source(), Source::Sales | Source::Observations)
    }
}

impl MetricDef {
    /// How the metric reads in sentences: its label, else `name`.
    pub fn label_or<'a>(&'a self, name: &'a str) -> &'a str {
        self.label.as_deref().unwrap_or(name)
    }

    /// Checks the window and the measure; problems are reported under `path`.
    ///
    /// # Errors
    ///
    /// * `missing_field` for a windowed measure without a window;
    /// * `invalid_value` for a window on `certified_people`, or an empty series name;
    /// * the window's and the certification filter's own problems.
    pub fn validate(
        &self,
        catalog: Option<&CertificationCatalog>,
        path: &JsonPath,
    ) -> Result<(), Error> {
        let mut problems = Problems::new();
        match (&self.window, self.measure.needs_window()) {
            (None, true) => problems.push(
                Problem::new(ErrorCode::MissingField, path.key("window"))
                    .message("this measure is aggregated over a window, and none is given")
                    .help(r#"add a window such as {"kind": "trailing_months", "months": 12}"#),
            ),
            (Some(_), false) if matches!(self.measure, Measure::CertifiedPeople(_)) => problems
                .push(
                    Problem::new(ErrorCode::InvalidValue, path.key("window"))
                        .message("certified_people counts the people certified on as_of; a window means nothing")
                        .help("remove the window"),
                ),
            (Some(window), _) => {
                problems.take(window.validate(&path.key("window")));
            }
            _ => {}
        }
        match &self.measure {
            Measure::Sum { series } | Measure::Average { series } | Measure::Count { series }
                if series.trim().is_empty() =>
            {
                problems.push(
                    Problem::new(ErrorCode::InvalidValue, path.key("measure").key("series"))
                        .message("the series name is empty"),
                );
            }
            // Without a catalog, an unfiltered count can still be given pre-aggregated.
            Measure::CertifiedPeople(filter)
                if catalog.is_some() || !filter.any_of.is_empty() || !filter.all_of.is_empty() =>
            {
                problems.take(filter.requirement().validate(catalog, &path.key("measure")));
            }
            _ => {}
        }
        problems.into_result(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn def(value: serde_json::Value) -> MetricDef {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn validate_needs_a_window_for_sales_measures() {
        let err = def(json!({"measure": {"kind": "revenue"}}))
            .validate(None, &JsonPath::root().key("m"))
            .unwrap_err();
        assert_eq!(err.problems()[0].path(), "$.m.window");
        assert_eq!(err.problems()[0].code(), ErrorCode::MissingField);
    }

    #[test]
    fn validate_refuses_a_window_on_certified_people() {
        let catalog: CertificationCatalog =
            serde_json::from_value(json!({"certifications": [{"id": "A", "name": "A"}]})).unwrap();
        let err = def(
            json!({"measure": {"kind": "certified_people", "any_of": ["A"]},
                             "window": {"kind": "fiscal_year_to_date"}}),
        )
        .validate(Some(&catalog), &JsonPath::root())
        .unwrap_err();
        assert_eq!(err.problems()[0].path(), "$.window");
    }

    #[test]
    fn custom_metrics_need_no_window() {
        assert!(
            def(json!({"measure": {"kind": "custom"}}))
                .validate(None, &JsonPath::root())
                .is_ok()
        );
    }
}
