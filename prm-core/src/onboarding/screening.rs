//! [`ScreeningPolicy`] and [`screen`]: knock-outs, scoring, thresholds and missing documents.

use super::application::{APPLICATION_FIELDS, Application};
use crate::condition::{CompiledCondition, Condition};
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use crate::explain::{Explanation, Outcome, Step};
use crate::money::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A rule that rejects an application outright when its condition holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KnockOut {
    /// The rule's id, unique among knock-outs and scoring rules.
    pub id: String,
    /// When the rule fires.
    pub when: Condition,
    /// Why an application it fires on is rejected, for the applicant.
    pub reason: String,
}

/// A rule that adds points when its condition holds (negative points take them away).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoringRule {
    /// The rule's id.
    pub id: String,
    /// When the rule fires.
    pub when: Condition,
    /// The points it gives.
    pub points: Decimal,
}

/// The score at or above which an application is accepted, or goes to review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// At or above: `accept`.
    pub accept: Decimal,
    /// At or above (and below `accept`): `review`; below: `reject`.
    pub review: Decimal,
}

/// How applications are screened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScreeningPolicy {
    /// Document kinds every application must include; any missing makes it `incomplete`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_documents: Vec<String>,
    /// Rules that reject outright.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub knock_outs: Vec<KnockOut>,
    /// Rules that score.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scoring: Vec<ScoringRule>,
    /// The accept and review thresholds.
    pub thresholds: Thresholds,
}

/// How screening turned out.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ScreeningOutcome {
    /// The score reached `accept` and nothing knocked it out.
    Accept,
    /// The score reached `review` but not `accept`.
    Review,
    /// A knock-out fired, or the score stayed below `review`.
    Reject,
    /// Required documents are missing (and no knock-out fired).
    Incomplete,
}

/// A rule that fired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct FiredRule {
    /// The rule.
    pub rule: String,
    /// `knock_out` or `score`.
    pub kind: &'static str,
    /// The points it gave (scoring rules).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub points: Option<Decimal>,
    /// The reason (knock-outs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The result of screening one application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ScreeningResult {
    /// The application.
    pub application_id: String,
    /// The outcome.
    pub outcome: ScreeningOutcome,
    /// The total of the scoring rules that fired (computed even when a knock-out fired).
    pub score: Decimal,
    /// The thresholds it was compared with.
    pub thresholds: Thresholds,
    /// Every rule that fired, knock-outs first, in policy order.
    pub fired: Vec<FiredRule>,
    /// Required documents the application lacks.
    pub missing: Vec<String>,
    /// The explanation.
    pub explanation: Explanation,
}

/// A screening policy with its conditions compiled, ready for many applications.
#[derive(Debug, Clone)]
pub struct CompiledScreening<'a> {
    policy: &'a ScreeningPolicy,
    knock_outs: Vec<CompiledCondition>,
    scoring: Vec<CompiledCondition>,
}

impl ScreeningPolicy {
    /// Checks thresholds, ids and every condition; problems are reported under `path`.
    ///
    /// # Errors
    ///
    /// * `screening_thresholds_reversed` when `review` is above `accept`;
    /// * `duplicate_id` for a rule id used twice;
    /// * every condition's own problems (`condition_unknown_field`, ...).
    pub fn validate(&self, path: &JsonPath) -> Result<(), Error> {
        self.compile(path).map(|_| ())
    }

    /// Compiles the conditions once, for screening many applications.
    ///
    /// # Errors
    ///
    /// As [`ScreeningPolicy::validate`].
    pub fn compile(&self, path: &JsonPath) -> Result<CompiledScreening<'_>, Error> {
        let mut problems = Problems::new();
        if self.thresholds.review > self.thresholds.accept {
            problems.push(
                Problem::new(
                    ErrorCode::ScreeningThresholdsReversed,
                    path.key("thresholds").key("review"),
                )
                .message(format!(
                    "review ({}) must not be above accept ({})",
                    self.thresholds.review, self.thresholds.accept
                ))
                .help("swap the two thresholds"),
            );
        }
        let mut ids = BTreeSet::new();
        let mut knock_outs = Vec::with_capacity(self.knock_outs.len());
        for (i, rule) in self.knock_outs.iter().enumerate() {
            let at = path.key("knock_outs").index(i);
            if !ids.insert(rule.id.as_str()) {
                problems.push(duplicate(&rule.id, &at));
            }
            if let Some(c) = problems.take(rule.when.compile(&APPLICATION_FIELDS, &at.key("when")))
            {
                knock_outs.push(c);
            }
        }
        let mut scoring = Vec::with_capacity(self.scoring.len());
        for (i, rule) in self.scoring.iter().enumerate() {
            let at = path.key("scoring").index(i);
            if !ids.insert(rule.id.as_str()) {
                problems.push(duplicate(&rule.id, &at));
            }
            if let Some(c) = problems.take(rule.when.compile(&APPLICATION_FIELDS, &at.key("when")))
            {
                scoring.push(c);
            }
        }
        problems.into_result(CompiledScreening {
            policy: self,
            knock_outs,
            scoring,
        })
    }
}

fn duplicate(id: &str, at: &JsonPath) -> Problem {
    Problem::new(ErrorCode::DuplicateId, at.key("id"))
        .message(format!("screening rule id `{id}` is used twice"))
}

impl CompiledScreening<'_> {
    /// Screens one application. See [`screen`].
    ///
    /// # Errors
    ///
    /// `overflow` when the score leaves the exact decimal range.
    pub fn screen(&self, application: &Application) -> Result<ScreeningResult, Error> {
        let policy = self.policy;
        let mut explanation = Explanation::new();
        let mut fired = Vec::new();
        for (rule, condition) in policy.knock_outs.iter().zip(&self.knock_outs) {
            if condition.evaluate(application) {
                explanation.push(Step::new(
                    format!("screening.knock_outs.{}", rule.id),
                    Outcome::Failed,
                    format!("knocked out: {}", rule.reason),
                ));
                fired.push(FiredRule {
                    rule: rule.id.clone(),
                    kind: "knock_out",
                    points: None,
                    reason: Some(rule.reason.clone()),
                });
            }
        }
        let knocked_out = !fired.is_empty();
        let mut score = Decimal::ZERO;
        for (rule, condition) in policy.scoring.iter().zip(&self.scoring) {
            if condition.evaluate(application) {
                score = score.checked_add(rule.points).ok_or_else(|| {
                    Error::overflow(JsonPath::root().key("application"), "the screening score")
                })?;
                explanation.push(
                    Step::new(
                        format!("screening.scoring.{}", rule.id),
                        Outcome::Applied,
                        format!("{} points", rule.points),
                    )
                    .value("points", rule.points),
                );
                fired.push(FiredRule {
                    rule: rule.id.clone(),
                    kind: "score",
                    points: Some(rule.points),
                    reason: None,
                });
            }
        }
        let missing: Vec<String> = policy
            .required_documents
            .iter()
            .filter(|d| !application.documents.contains(d))
            .cloned()
            .collect();
        let t = policy.thresholds;
        let (outcome, why) = if knocked_out {
            (
                ScreeningOutcome::Reject,
                format!("a knock-out rule fired; the score of {score} does not matter"),
            )
        } else if !missing.is_empty() {
            (
                ScreeningOutcome::Incomplete,
                format!("missing documents: {}", missing.join(", ")),
            )
        } else if score >= t.accept {
            (
                ScreeningOutcome::Accept,
                format!("score {score} is at or above accept ({})", t.accept),
            )
        } else if score >= t.review {
            (
                ScreeningOutcome::Review,
                format!(
                    "score {score} is at or above review ({}) and below accept ({})",
                    t.review, t.accept
                ),
            )
        } else {
            (
                ScreeningOutcome::Reject,
                format!("score {score} is below review ({})", t.review),
            )
        };
        explanation.push(
            Step::new("screening.outcome", Outcome::Info, why)
                .value("score", score)
                .value("accept", t.accept)
                .value("review", t.review),
        );
        Ok(ScreeningResult {
            application_id: application.id.clone(),
            outcome,
            score,
            thresholds: t,
            fired,
            missing,
            explanation,
        })
    }
}

/// Screens an application: knock-outs first, then documents, then the score.
///
/// 1. If any knock-out fires, the outcome is `reject`, whatever the score.
/// 2. Otherwise, if required documents are missing, it is `incomplete` with the list.
/// 3. Otherwise the score (the sum of the points of every scoring rule that
///    fires) decides: at or above `accept` is `accept`, at or above `review`
///    is `review`, below is `reject`.
///
/// The score and every rule that fired are reported in every case.
///
/// # Errors
///
/// The policy's problems (as [`ScreeningPolicy::validate`]); `overflow` for the score.
///
/// # Example
///
/// ```
/// use prm_core::onboarding::{Application, ScreeningOutcome, ScreeningPolicy, screen};
/// let policy: ScreeningPolicy = serde_json::from_str(r#"{
///   "knock_outs": [{"id": "market", "reason": "outside our markets",
///     "when": {"kind": "field", "field": "country", "op": "not_in", "value": ["DE", "AT", "HU"]}}],
///   "scoring": [{"id": "experience", "points": 40,
///     "when": {"kind": "field", "field": "years_in_business", "op": "gte", "value": 5}}],
///   "thresholds": {"accept": 40, "review": 20}
/// }"#)?;
/// let app: Application = serde_json::from_str(
///     r#"{"id": "A", "company": {"name": "Kovacs", "country": "HU", "years_in_business": 5}}"#)?;
/// assert_eq!(screen(&policy, &app)?.outcome, ScreeningOutcome::Accept); // exactly at accept
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn screen(
    policy: &ScreeningPolicy,
    application: &Application,
) -> Result<ScreeningResult, Error> {
    policy.compile(&JsonPath::root())?.screen(application)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn policy() -> ScreeningPolicy {
        serde_json::from_value(json!({
            "required_documents": ["trade_register"],
            "knock_outs": [{"id": "sanctioned", "reason": "sanctioned country",
                "when": {"kind": "field", "field": "country", "op": "eq", "value": "XX"}}],
            "scoring": [
                {"id": "big", "points": 60, "when": {"kind": "field", "field": "employees", "op": "gte", "value": 50}},
                {"id": "refs", "points": 30, "when": {"kind": "field", "field": "references", "op": "gte", "value": 2}}
            ],
            "thresholds": {"accept": 70, "review": 50}
        }))
        .unwrap()
    }

    fn app(country: &str, employees: u32, docs: &[&str]) -> Application {
        serde_json::from_value(
            json!({"id": "a", "company": {"name": "n", "country": country, "employees": employees},
            "references": [{"name": "r1"}, {"name": "r2"}], "documents": docs}),
        )
        .unwrap()
    }

    #[test]
    fn screen_knock_out_overrides_a_high_score() {
        let r = screen(&policy(), &app("XX", 100, &["trade_register"])).unwrap();
        assert_eq!(r.outcome, ScreeningOutcome::Reject);
        assert_eq!(r.score.to_string(), "90");
        assert_eq!(r.fired.len(), 3);
    }

    #[test]
    fn screen_missing_document_is_incomplete() {
        let r = screen(&policy(), &app("DE", 100, &[])).unwrap();
        assert_eq!(r.outcome, ScreeningOutcome::Incomplete);
        assert_eq!(r.missing, ["trade_register"]);
    }

    #[test]
    fn screen_below_accept_goes_to_review() {
        let r = screen(&policy(), &app("DE", 10, &["trade_register"])).unwrap();
        assert_eq!(r.outcome, ScreeningOutcome::Reject);
        let r = screen(&policy(), &app("DE", 60, &["trade_register"])).unwrap();
        assert_eq!(r.outcome, ScreeningOutcome::Accept);
    }

    #[test]
    fn screening_result_json_shape() {
        let r = screen(&policy(), &app("DE", 100, &["trade_register"])).unwrap();
        insta::assert_json_snapshot!(serde_json::to_value(&r).unwrap());
    }

    #[test]
    fn validate_reports_reversed_thresholds_and_bad_fields() {
        let mut p = policy();
        p.thresholds.review = Decimal::from(80i64);
        p.scoring[0].when = serde_json::from_value(
            json!({"kind": "field", "field": "employes", "op": "gte", "value": 1}),
        )
        .unwrap();
        let err = p.validate(&JsonPath::root()).unwrap_err();
        let found: Vec<_> = err
            .problems()
            .iter()
            .map(|p| (p.code().as_str(), p.path().to_owned()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "screening_thresholds_reversed",
                    "$.thresholds.review".to_owned()
                ),
                (
                    "condition_unknown_field",
                    "$.scoring[0].when.field".to_owned()
                ),
            ]
        );
    }
}
