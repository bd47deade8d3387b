//! `tiers.evaluate` for one partner: [`TierDecision`].

use super::explain::{ExplanationStep, JsonText};
use crate::error::Problem;
use crate::types::{DateString, DecimalString};
use serde::{Deserialize, Serialize};

/// What the tier lifecycle decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, uniffi::Enum)]
#[serde(rename_all = "snake_case")]
pub enum TierDecisionKind {
    /// The partner moves up (now, or on a later effective date).
    Upgraded,
    /// The partner moves down.
    Downgraded,
    /// The partner keeps its tier.
    Retained,
    /// The partner is below its tier but keeps it for now (grace or review).
    AtRisk,
    /// The partner was at risk and qualifies again.
    Recovered,
}

/// A tier change decided but not yet in effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct PendingTierChange {
    /// The tier it leads to (`None`: no tier).
    #[serde(default)]
    pub tier: Option<String>,
    /// The day it takes effect.
    pub effective_on: DateString,
}

/// The partner's tier assignment to store and pass to the next evaluation
/// (as `assignment` in the partner's facts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct TierAssignment {
    /// The tier held; `None` below the entry tier.
    #[serde(default)]
    pub tier: Option<String>,
    /// The day the tier took effect.
    pub since: DateString,
    /// The first evaluation day the partner was found below its tier, while it still is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_risk_since: Option<DateString>,
    /// Consecutive evaluation days below the tier since then.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub at_risk_evaluations: u32,
    /// The `as_of` of the evaluation that returned this assignment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluated_on: Option<DateString>,
    /// The `as_of` of the evaluation that last changed the tier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed_on: Option<DateString>,
    /// A change decided but not yet in effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<PendingTierChange>,
}

/// serde's `skip_serializing_if` for a zero count.
fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// One unmet requirement on the way to the next tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct TierShortfall {
    /// The requirement's rule, e.g. `silver.requirements[1]`.
    pub rule: String,
    /// The requirement's kind: `metric`, `certifications`, `points`, `flag`, ...
    pub kind: String,
    /// What it measures, e.g. `deals won` or `SALES-PRO`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The partner's value.
    pub actual: DecimalString,
    /// The value the requirement needs.
    pub required: DecimalString,
    /// How far the partner is from it.
    pub shortfall: DecimalString,
    /// The unit of the numbers: `money`, `count`, `number`, `flag`, ...
    pub unit: String,
    /// The gap in words, e.g. `6 more deals won`.
    pub words: String,
}

/// The tier above the qualified one, and what the partner lacks for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct TierGap {
    /// The next tier.
    pub tier: String,
    /// Its rank (0 is the entry tier).
    pub rank: u32,
    /// How close the partner is, from 0 to 1.
    pub progress: DecimalString,
    /// The whole gap in words.
    pub words: String,
    /// Every unmet requirement.
    pub shortfalls: Vec<TierShortfall>,
}

/// One tier of the program and whether the partner meets it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct TierReport {
    /// The tier.
    pub tier: String,
    /// Its rank (0 is the entry tier).
    pub rank: u32,
    /// True when every requirement holds on `as_of`.
    pub met: bool,
    /// Every requirement with its numbers, as the JSON array `tiers.evaluate` answers.
    pub requirements: JsonText,
}

/// The outcome of evaluating one partner's tier (`tiers.evaluate`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct TierDecision {
    /// The partner.
    pub partner_id: String,
    /// The day of the evaluation.
    pub as_of: DateString,
    /// What the lifecycle decided (`decision` in JSON).
    #[serde(rename = "decision")]
    pub kind: TierDecisionKind,
    /// When the decision takes effect.
    pub effective_on: DateString,
    /// The tier the decision leads to (for a scheduled upgrade, the tier to come).
    pub tier: Option<String>,
    /// The tier held before the evaluation.
    pub previous_tier: Option<String>,
    /// The highest tier whose every requirement holds on `as_of`.
    pub qualified_tier: Option<String>,
    /// For `AtRisk`: when the downgrade is scheduled or expected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downgrade_on: Option<DateString>,
    /// Why, in a sentence.
    pub reason: String,
    /// The assignment to store and pass to the next evaluation.
    pub assignment: TierAssignment,
    /// The next tier and the gap to it; `None` at the top tier.
    pub next_tier: Option<TierGap>,
    /// Every tier, lowest rank first.
    pub tiers: Vec<TierReport>,
    /// What is wrong in the award records; the decision stands.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
    /// The trace behind the decision.
    pub explanation: Vec<ExplanationStep>,
}
