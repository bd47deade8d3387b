//! The JSON Schemas of the tier answers whose `Serialize` is written by hand.
//!
//! [`TierDecision`], [`TierReport`], [`RequirementReport`] and [`ReportUnit`] serialize
//! through hand-written impls (derived numbers such as `shortfall`, fields
//! that appear only for some kinds), so their schemas come from private
//! mirror structs with the same fields in the same order. The
//! `answer_schemas` test validates every corpus answer against them, so a
//! mirror that drifts from its `Serialize` fails the build.

use super::decision::TierDecision;
use super::lifecycle::{DecisionKind, TierAssignment};
use super::report::{ReportUnit, RequirementKind, RequirementReport, TierReport};
use crate::calendar::{Date, Period};
use crate::error::Problem;
use crate::explain::Explanation;
use crate::metric::ValueSource;
use crate::money::Decimal;
use crate::partner::PartnerId;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use std::borrow::Cow;

/// The outcome of evaluating one partner: where it qualifies, what happens to its tier, and why.
#[derive(JsonSchema)]
#[expect(
    dead_code,
    reason = "a schema mirror of `TierDecision`'s hand-written `Serialize`"
)]
struct TierDecisionShape {
    /// The partner.
    partner_id: PartnerId,
    /// The day of the evaluation.
    as_of: Date,
    /// What the lifecycle decided.
    decision: DecisionKind,
    /// When the decision takes effect (a scheduled upgrade's future date, a downgrade's
    /// review date, else `as_of`).
    effective_on: Date,
    /// The tier the decision leads to (for a scheduled upgrade, the tier to come).
    tier: Option<String>,
    /// The tier held before the evaluation.
    previous_tier: Option<String>,
    /// The highest tier whose every requirement holds on `as_of`.
    qualified_tier: Option<String>,
    /// For `at_risk`: when the downgrade is scheduled or, with a grace in days, expected.
    #[serde(skip_serializing_if = "Option::is_none")]
    downgrade_on: Option<Date>,
    /// Why the lifecycle decided what it did, in a sentence.
    reason: String,
    /// The assignment to store and pass to the next evaluation.
    assignment: TierAssignment,
    /// The tier above the qualified one, and what the partner lacks for it.
    next_tier: Option<GapShape>,
    /// Every tier, lowest rank first, with every requirement's numbers.
    tiers: Vec<TierReport>,
    /// What is wrong in the award records (`renewal_outside_window`, `prerequisite_missing`);
    /// the decision stands, and these awards counted only as far as they are valid.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    problems: Vec<Problem>,
    /// The trace behind the decision.
    explanation: Explanation,
}

/// How a partner measures up against one tier.
#[derive(JsonSchema)]
#[schemars(rename = "TierReport")]
#[expect(
    dead_code,
    reason = "a schema mirror of the hand-written `Serialize` of a `TierReport` in its decision"
)]
struct TierReportShape {
    /// The tier's id.
    tier: String,
    /// Its rank.
    rank: u32,
    /// True when every requirement holds.
    met: bool,
    /// Each top-level requirement.
    requirements: Vec<RequirementReport>,
}

/// The next tier, in numbers and words.
#[derive(JsonSchema)]
#[schemars(rename = "TierGap")]
#[expect(
    dead_code,
    reason = "a schema mirror of the hand-written `Serialize` of `Gap`"
)]
struct GapShape {
    /// The tier's id.
    tier: String,
    /// Its rank.
    rank: u32,
    /// How close the partner is to it, 0 to 1.
    progress: Decimal,
    /// What the partner lacks, in words: `gold needs 18,500.00 EUR more revenue`.
    words: String,
    /// Each unmet requirement (the leaves of nested ones).
    shortfalls: Vec<ShortfallShape>,
}

/// One unmet requirement of the next tier.
#[derive(JsonSchema)]
#[schemars(rename = "TierShortfall")]
#[expect(
    dead_code,
    reason = "a schema mirror of the hand-written `Serialize` of `Gap`"
)]
struct ShortfallShape {
    /// Where the requirement is: `gold.requirements[1]`.
    rule: String,
    /// Its kind.
    kind: RequirementKind,
    /// What it is about, in words (`revenue`, `SALES-PRO`).
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<String>,
    /// What the partner has.
    actual: Decimal,
    /// What the requirement asks for.
    required: Decimal,
    /// What is missing.
    shortfall: Decimal,
    /// What the numbers count.
    unit: ReportUnit,
    /// The shortfall in words.
    words: String,
}

/// How one requirement measured up for one partner.
#[derive(JsonSchema)]
#[expect(
    dead_code,
    reason = "a schema mirror of `RequirementReport`'s hand-written `Serialize`"
)]
struct RequirementReportShape {
    /// Where the requirement is: `gold.requirements[1].requirements[0]`.
    rule: String,
    /// Its kind.
    kind: RequirementKind,
    /// True when it holds.
    met: bool,
    /// What the partner has.
    actual: Decimal,
    /// What the requirement asks for.
    required: Decimal,
    /// What is missing (0 when it holds).
    shortfall: Decimal,
    /// What the numbers count.
    unit: ReportUnit,
    /// The metric, for `metric` requirements.
    #[serde(skip_serializing_if = "Option::is_none")]
    metric: Option<String>,
    /// The metric's ceiling, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    at_most: Option<Decimal>,
    /// Whether the metric was given or computed.
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<ValueSource>,
    /// The days the metric covers.
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<Period>,
    /// What it is about, in words (`revenue`, `SALES-PRO`, `agreement_signed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<String>,
    /// For certifications: the active people in scope.
    #[serde(skip_serializing_if = "Option::is_none")]
    in_scope: Option<u32>,
    /// For a coverage requirement: the share of people in scope who hold it.
    #[serde(skip_serializing_if = "Option::is_none")]
    share: Option<Decimal>,
    /// For points: each component's score.
    #[serde(skip_serializing_if = "Option::is_none")]
    components: Option<Vec<ComponentShape>>,
    /// For points: the gate, when the requirement has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    gate: Option<Box<RequirementReport>>,
    /// For `all_of`, `any_of` and `at_least`: the nested requirements.
    #[serde(skip_serializing_if = "Option::is_none")]
    requirements: Option<Vec<RequirementReport>>,
}

/// One component of a points requirement, as scored for one partner.
#[derive(JsonSchema)]
#[schemars(rename = "ComponentReport")]
#[expect(
    dead_code,
    reason = "a schema mirror of the hand-written `Serialize` of `ComponentView`"
)]
struct ComponentShape {
    /// The metric that scores.
    metric: String,
    /// The metric's value.
    value: Decimal,
    /// Points scored (0 while its gate is closed).
    points: Decimal,
    /// The most the component can score.
    #[serde(skip_serializing_if = "Option::is_none")]
    max_points: Option<Decimal>,
    /// Present, and true, when the cap cut the score.
    #[serde(skip_serializing_if = "Option::is_none")]
    capped: Option<bool>,
    /// The component's gate, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    gate: Option<Box<RequirementReport>>,
}

impl JsonSchema for TierDecision {
    fn schema_name() -> Cow<'static, str> {
        "TierDecision".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        TierDecisionShape::json_schema(generator)
    }
}

impl JsonSchema for TierReport {
    fn schema_name() -> Cow<'static, str> {
        "TierReport".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        TierReportShape::json_schema(generator)
    }
}

impl JsonSchema for RequirementReport {
    fn schema_name() -> Cow<'static, str> {
        "RequirementReport".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        RequirementReportShape::json_schema(generator)
    }
}

impl JsonSchema for ReportUnit {
    fn schema_name() -> Cow<'static, str> {
        "ReportUnit".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "What a requirement's numbers count: a currency code (`EUR`) for money, else `count`, `percent`, `number`, `people`, `points`, `requirements` or `flag`.",
            "type": "string"
        })
    }
}
