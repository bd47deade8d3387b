//! [`Requirement`]: the tree of conditions a partner must meet to hold a tier.

use crate::certification::{CertificationCatalog, CertificationRequirement};
use crate::error::{ErrorCode, JsonPath, Problem, Problems};
use crate::metric::{MetricDef, MetricName};
use crate::money::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How deep a tier's requirement tree may nest (its `requirements` list is
/// level 1) before it is refused with `nesting_too_deep`.
pub const MAX_REQUIREMENT_DEPTH: usize = 32;

fn yes() -> bool {
    true
}

fn is_true(value: &bool) -> bool {
    *value
}

/// One node of a tier's requirement tree.
///
/// Composite nodes combine requirements (`all_of`, `any_of`, `at_least`);
/// leaves test a `metric` against a threshold, count `certifications`, score
/// `points`, or read a `flag`. A tier's `requirements` list is itself an
/// implicit `all_of`.
///
/// ```
/// use prm_core::tier::Requirement;
/// let gold: Vec<Requirement> = serde_json::from_str(r#"[
///   {"kind": "metric", "metric": "revenue", "at_least": "50000"},
///   {"kind": "certifications", "any_of": ["SALES-PRO"], "people": 2},
///   {"kind": "any_of", "requirements": [
///     {"kind": "flag", "flag": "agreement_signed"},
///     {"kind": "metric", "metric": "deals_won", "at_least": 10}
///   ]}
/// ]"#)?;
/// assert_eq!(gold.len(), 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Requirement {
    /// Every nested requirement holds.
    AllOf {
        /// The nested requirements.
        requirements: Vec<Requirement>,
    },
    /// At least one nested requirement holds.
    AnyOf {
        /// The nested requirements.
        requirements: Vec<Requirement>,
    },
    /// At least `count` nested requirements hold.
    AtLeast {
        /// How many must hold, 1 to the number of requirements.
        count: u32,
        /// The nested requirements.
        requirements: Vec<Requirement>,
    },
    /// A metric compared with a threshold: `at_least`, `at_most`, or both (a range).
    Metric {
        /// The metric's name, defined under the tier program's `metrics`.
        metric: MetricName,
        /// The lowest value that holds (inclusive).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at_least: Option<Decimal>,
        /// The highest value that holds (inclusive).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at_most: Option<Decimal>,
    },
    /// Distinct active people holding certifications (DOMAIN.md §1).
    Certifications(CertificationRequirement),
    /// A score from metrics with linear partial credit.
    Points(PointsRequirement),
    /// A boolean fact, such as `agreement_signed`; a flag the facts lack is false.
    Flag {
        /// The flag's name.
        flag: String,
        /// The value that holds; `true` by default.
        #[serde(default = "yes", skip_serializing_if = "is_true")]
        is: bool,
    },
}

/// A points requirement: components score points from metrics, and the total must reach `min_total`.
///
/// Each component scores `value × points_per_unit`, at least 0 and at most
/// `max_points`. With `every_component_above_zero`, a component scoring 0
/// fails the requirement whatever the total. A `gate` (on the requirement
/// or a component) scores nothing until it holds.
///
/// ```
/// use prm_core::tier::PointsRequirement;
/// let points: PointsRequirement = serde_json::from_str(r#"{
///   "components": [
///     {"metric": "new_customers", "points_per_unit": "10", "max_points": "30"},
///     {"metric": "certified_people", "points_per_unit": "4", "max_points": "40"}
///   ],
///   "min_total": "70", "every_component_above_zero": true
/// }"#)?;
/// assert_eq!(points.components.len(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PointsRequirement {
    /// The components.
    pub components: Vec<PointsComponent>,
    /// The total needed.
    pub min_total: Decimal,
    /// Every component must score more than 0.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub every_component_above_zero: bool,
    /// A prerequisite gate: the requirement scores nothing until it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<Box<Requirement>>,
}

/// One component of a points requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PointsComponent {
    /// The metric that scores.
    pub metric: MetricName,
    /// Points per unit of the metric (`4` per certified person).
    pub points_per_unit: Decimal,
    /// The most the component can score; uncapped when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_points: Option<Decimal>,
    /// A prerequisite gate: the component scores nothing until it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<Box<Requirement>>,
}

/// What requirements are checked against: the program's metrics and certification catalog.
pub(crate) struct Definitions<'a> {
    pub metrics: &'a BTreeMap<MetricName, MetricDef>,
    pub catalog: Option<&'a CertificationCatalog>,
}

impl Definitions<'_> {
    fn check_metric(&self, name: &str, path: &JsonPath, problems: &mut Problems) {
        if self.metrics.contains_key(name) {
            return;
        }
        let mut problem = Problem::new(ErrorCode::UnknownReference, path)
            .message(format!("unknown metric `{name}`"));
        problem = match crate::input::did_you_mean(name, self.metrics.keys().map(String::as_str)) {
            Some(close) => problem.help(format!("did you mean `{close}`?")),
            None => problem.help("define it under the tier program's `metrics`"),
        };
        problems.push(problem);
    }
}

fn invalid(path: JsonPath, message: impl Into<String>) -> Problem {
    Problem::new(ErrorCode::TierRequirementInvalid, path).message(message)
}

impl Requirement {
    /// The node's kind, as written in `kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            Requirement::AllOf { .. } => "all_of",
            Requirement::AnyOf { .. } => "any_of",
            Requirement::AtLeast { .. } => "at_least",
            Requirement::Metric { .. } => "metric",
            Requirement::Certifications(_) => "certifications",
            Requirement::Points(_) => "points",
            Requirement::Flag { .. } => "flag",
        }
    }

    /// Checks the node and everything under it; problems are pushed with their paths.
    pub(crate) fn validate(
        &self,
        defs: &Definitions<'_>,
        path: &JsonPath,
        problems: &mut Problems,
    ) {
        match self {
            Requirement::AllOf { requirements } | Requirement::AnyOf { requirements } => {
                if requirements.is_empty() {
                    problems.push(invalid(
                        path.key("requirements"),
                        format!("an empty `{}` means nothing", self.kind()),
                    ));
                }
                validate_all(requirements, defs, &path.key("requirements"), problems);
            }
            Requirement::AtLeast {
                count,
                requirements,
            } => {
                let n = requirements.len();
                if *count == 0 {
                    problems.push(
                        invalid(path.key("count"), "at_least 0 always holds")
                            .help("ask for at least 1, or remove the node"),
                    );
                } else if usize::try_from(*count).unwrap_or(usize::MAX) > n {
                    problems.push(invalid(
                        path.key("count"),
                        format!("at_least {count} of {n} requirements can never hold"),
                    ));
                }
                validate_all(requirements, defs, &path.key("requirements"), problems);
            }
            Requirement::Metric {
                metric,
                at_least,
                at_most,
            } => {
                defs.check_metric(metric, &path.key("metric"), problems);
                match (at_least, at_most) {
                    (None, None) => problems.push(
                        invalid(path.clone(), format!("metric `{metric}` has no threshold"))
                            .help("give at_least, at_most, or both"),
                    ),
                    (Some(low), Some(high)) if low > high => problems.push(invalid(
                        path.key("at_most"),
                        format!("at_most {high} is below at_least {low}: no value can hold"),
                    )),
                    _ => {}
                }
            }
            Requirement::Certifications(requirement) => {
                problems.take(requirement.validate(defs.catalog, path));
            }
            Requirement::Points(points) => points.validate(defs, path, problems),
            Requirement::Flag { flag, .. } => {
                if flag.trim().is_empty() {
                    problems.push(invalid(path.key("flag"), "the flag's name is empty"));
                }
            }
        }
    }
}

impl Requirement {
    /// How many levels the tree under this node spans (a leaf is 1; gates count as a level).
    ///
    /// Recursion is bounded: every tree was read from JSON no deeper than
    /// [`MAX_JSON_DEPTH`](crate::limits::MAX_JSON_DEPTH).
    pub fn depth(&self) -> usize {
        let gate = |g: &Option<Box<Requirement>>| g.as_ref().map_or(0, |r| r.depth());
        1 + match self {
            Requirement::AllOf { requirements }
            | Requirement::AnyOf { requirements }
            | Requirement::AtLeast { requirements, .. } => requirements
                .iter()
                .map(Requirement::depth)
                .max()
                .unwrap_or(0),
            Requirement::Points(points) => points
                .components
                .iter()
                .map(|c| gate(&c.gate))
                .chain(std::iter::once(gate(&points.gate)))
                .max()
                .unwrap_or(0),
            _ => 0,
        }
    }
}

/// Validates a tier's requirement list: its depth, then each requirement at its index under `path`.
pub(crate) fn validate_tree(
    requirements: &[Requirement],
    defs: &Definitions<'_>,
    path: &JsonPath,
    problems: &mut Problems,
) {
    let depth = requirements
        .iter()
        .map(Requirement::depth)
        .max()
        .unwrap_or(0);
    if depth > MAX_REQUIREMENT_DEPTH {
        problems.push(
            Problem::new(ErrorCode::NestingTooDeep, path)
                .message(format!(
                    "the requirement tree nests {depth} levels deep; prm follows at most {MAX_REQUIREMENT_DEPTH}"
                ))
                .help("flatten the tree: `all_of` inside `all_of` (or `any_of` inside `any_of`) can be one list"),
        );
        return;
    }
    validate_all(requirements, defs, path, problems);
}

/// Validates a list of requirements, each at its index under `path`.
pub(crate) fn validate_all(
    requirements: &[Requirement],
    defs: &Definitions<'_>,
    path: &JsonPath,
    problems: &mut Problems,
) {
    for (i, requirement) in requirements.iter().enumerate() {
        requirement.validate(defs, &path.index(i), problems);
    }
}

impl PointsRequirement {
    fn validate(&self, defs: &Definitions<'_>, path: &JsonPath, problems: &mut Problems) {
        if self.components.is_empty() {
            problems.push(invalid(
                path.key("components"),
                "a points requirement needs components",
            ));
        }
        if self.min_total.is_negative() {
            problems.push(
                Problem::new(ErrorCode::OutOfRange, path.key("min_total")).message(format!(
                    "min_total must not be negative, found {}",
                    self.min_total
                )),
            );
        }
        let mut ceiling = Some(Decimal::ZERO);
        for (i, component) in self.components.iter().enumerate() {
            let at = path.key("components").index(i);
            defs.check_metric(&component.metric, &at.key("metric"), problems);
            if component.points_per_unit.is_negative() {
                problems.push(
                    Problem::new(ErrorCode::OutOfRange, at.key("points_per_unit")).message(
                        format!(
                            "points_per_unit must not be negative, found {}",
                            component.points_per_unit
                        ),
                    ),
                );
            } else if component.points_per_unit.is_zero() {
                problems.push(invalid(
                    at.key("points_per_unit"),
                    "a component with 0 points per unit never scores",
                ));
            }
            match component.max_points {
                Some(max) if !max.is_negative() && !max.is_zero() => {
                    ceiling = ceiling.and_then(|c| c.checked_add(max));
                }
                Some(max) => {
                    problems.push(
                        Problem::new(ErrorCode::OutOfRange, at.key("max_points"))
                            .message(format!("max_points must be above 0, found {max}")),
                    );
                }
                None => ceiling = None,
            }
            if let Some(gate) = &component.gate {
                gate.validate(defs, &at.key("gate"), problems);
            }
        }
        if let Some(ceiling) = ceiling
            && ceiling < self.min_total
            && !self.components.is_empty()
        {
            problems.push(invalid(
                path.key("min_total"),
                format!(
                    "min_total {} can never be reached: the components score at most {ceiling}",
                    self.min_total
                ),
            ));
        }
        if let Some(gate) = &self.gate {
            gate.validate(defs, &path.key("gate"), problems);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problems(requirement: serde_json::Value) -> Vec<(String, String)> {
        let requirement: Requirement = serde_json::from_value(requirement).unwrap();
        let metrics: BTreeMap<MetricName, MetricDef> = serde_json::from_value(json!({
            "revenue": {"measure": {"kind": "revenue"}, "window": {"kind": "fiscal_year_to_date"}},
            "customers": {"measure": {"kind": "customers"}, "window": {"kind": "fiscal_year_to_date"}}
        }))
        .unwrap();
        let defs = Definitions {
            metrics: &metrics,
            catalog: None,
        };
        let mut found = Problems::new();
        requirement.validate(&defs, &JsonPath::root(), &mut found);
        found
            .into_vec()
            .into_iter()
            .map(|p| (p.code().to_string(), p.path().to_owned()))
            .collect()
    }

    #[test]
    fn validate_walks_the_whole_tree() {
        let found = problems(json!({"kind": "any_of", "requirements": [
            {"kind": "metric", "metric": "revenu", "at_least": "10"},
            {"kind": "at_least", "count": 3, "requirements": [
                {"kind": "metric", "metric": "revenue"},
                {"kind": "all_of", "requirements": []}
            ]},
            {"kind": "flag", "flag": " "}
        ]}));
        assert_eq!(
            found,
            vec![
                (
                    "unknown_reference".into(),
                    "$.requirements[0].metric".into()
                ),
                (
                    "tier_requirement_invalid".into(),
                    "$.requirements[1].count".into()
                ),
                (
                    "tier_requirement_invalid".into(),
                    "$.requirements[1].requirements[0]".into()
                ),
                (
                    "tier_requirement_invalid".into(),
                    "$.requirements[1].requirements[1].requirements".into()
                ),
                (
                    "tier_requirement_invalid".into(),
                    "$.requirements[2].flag".into()
                ),
            ]
        );
    }

    #[test]
    fn validate_refuses_an_unreachable_points_total() {
        let found = problems(json!({"kind": "points", "min_total": "50", "components": [
            {"metric": "revenue", "points_per_unit": "0.001", "max_points": "20"},
            {"metric": "customers", "points_per_unit": "-1", "max_points": "20"}
        ]}));
        assert_eq!(
            found,
            vec![
                (
                    "out_of_range".into(),
                    "$.components[1].points_per_unit".into()
                ),
                ("tier_requirement_invalid".into(), "$.min_total".into()),
            ]
        );
    }
}
