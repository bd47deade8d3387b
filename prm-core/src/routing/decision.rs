//! [`RoutingDecision`] and what it is made of.

use super::config::StrategyKind;
use super::state::RoutingState;
use crate::explain::Explanation;
use crate::money::Decimal;
use crate::partner::PartnerId;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How a lead ended up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoutingOutcome {
    /// A rule assigned it to a partner.
    Assigned,
    /// No rule could place it; the default sent it to the house account.
    HouseAccount,
    /// No rule could place it and the default leaves it unassigned.
    Unassigned,
}

/// Why a partner was not a candidate; each examined partner is counted under its first failing check.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ExclusionReason {
    /// The partner is in the lead's `declined_by`.
    Declined,
    /// A pause covers the lead's `created_at`.
    Paused,
    /// The partner's status is not one the rule accepts.
    Status,
    /// The partner's tier is below the rule's `min_tier` (or it has none).
    BelowMinTier,
    /// The partner lacks a specialization the rule requires.
    MissingSpecialization,
    /// The partner's specializations do not include the lead's industry.
    IndustryMismatch,
    /// The partner does not sell the lead's products.
    ProductMismatch,
    /// The partner does not speak the lead's language.
    LanguageMismatch,
    /// The partner lacks a certification the rule requires.
    MissingCertification,
    /// The lead is outside the partner's territory.
    OutsideTerritory,
    /// The rule requires compliance to receive leads and the partner is not marked compliant.
    NotCompliant,
    /// The partner has no capacity left.
    AtCapacity,
    /// The lead or the partner has no coordinates, and the rule needs a distance.
    NoLocation,
    /// The partner is farther than the rule's `max_distance_km`.
    TooFar,
    /// The partner's lead weight is 0, and the rule draws by weight.
    ZeroWeight,
    /// The rule's `fixed` partner is not among the partners passed in.
    NotListed,
}

impl ExclusionReason {
    /// Every reason, in check order.
    pub const ALL: [ExclusionReason; 16] = [
        ExclusionReason::Declined,
        ExclusionReason::Paused,
        ExclusionReason::Status,
        ExclusionReason::BelowMinTier,
        ExclusionReason::MissingSpecialization,
        ExclusionReason::IndustryMismatch,
        ExclusionReason::ProductMismatch,
        ExclusionReason::LanguageMismatch,
        ExclusionReason::MissingCertification,
        ExclusionReason::OutsideTerritory,
        ExclusionReason::NotCompliant,
        ExclusionReason::AtCapacity,
        ExclusionReason::NoLocation,
        ExclusionReason::TooFar,
        ExclusionReason::ZeroWeight,
        ExclusionReason::NotListed,
    ];

    /// The reason as written.
    pub fn as_str(self) -> &'static str {
        match self {
            ExclusionReason::Declined => "declined",
            ExclusionReason::Paused => "paused",
            ExclusionReason::Status => "status",
            ExclusionReason::BelowMinTier => "below_min_tier",
            ExclusionReason::MissingSpecialization => "missing_specialization",
            ExclusionReason::IndustryMismatch => "industry_mismatch",
            ExclusionReason::ProductMismatch => "product_mismatch",
            ExclusionReason::LanguageMismatch => "language_mismatch",
            ExclusionReason::MissingCertification => "missing_certification",
            ExclusionReason::OutsideTerritory => "outside_territory",
            ExclusionReason::NotCompliant => "not_compliant",
            ExclusionReason::AtCapacity => "at_capacity",
            ExclusionReason::NoLocation => "no_location",
            ExclusionReason::TooFar => "too_far",
            ExclusionReason::ZeroWeight => "zero_weight",
            ExclusionReason::NotListed => "not_listed",
        }
    }
}

/// How many partners one reason excluded, with up to three of their ids (the lowest).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Exclusions {
    /// Partners excluded for this reason.
    pub count: usize,
    /// Up to three of them, the lowest ids first.
    pub examples: Vec<PartnerId>,
}

/// Exclusions by reason.
pub type ExclusionCounts = BTreeMap<ExclusionReason, Exclusions>;

/// One eligible partner, with what the strategy saw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Candidate {
    /// The partner.
    pub partner_id: PartnerId,
    /// 1 for the partner picked (or most likely to be), then in the strategy's order.
    pub rank: u32,
    /// Lead weight (weighted draws).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<Decimal>,
    /// `weight / sum of weights`, to 6 places (weighted draws).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<Decimal>,
    /// The weighted sum of factors, to 6 places (`score`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// Each factor's value from 0 to 1, to 6 places (`score`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub factors: BTreeMap<String, f64>,
    /// Haversine distance from the lead in km, to 3 places, when both have coordinates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
    /// Open leads before this lead.
    pub open_leads: u32,
    /// Capacity, if limited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
}

/// What one rule did with the lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RuleAttempt {
    /// The rule's id.
    pub rule: String,
    /// Whether the lead met the rule's condition (if not, nothing else was tried).
    pub condition_met: bool,
    /// Partners the rule examined (a geo rule stops at the first ring with a candidate).
    pub examined: usize,
    /// Partners found eligible.
    pub eligible: usize,
    /// How many examined partners each reason excluded (the decision's `excluded` has examples).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub excluded: BTreeMap<ExclusionReason, usize>,
    /// Partners at capacity that a geo rule checking capacity never examined: its indexes
    /// leave full partners out, so they are not counted under `excluded`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub skipped_at_capacity: usize,
}

fn is_zero(value: &usize) -> bool {
    *value == 0
}

/// The answer for one lead: who gets it, by which rule and strategy, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RoutingDecision {
    /// The lead.
    pub lead_id: String,
    /// Assigned, house account or unassigned.
    pub outcome: RoutingOutcome,
    /// The partner (or house account) that receives the lead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_id: Option<PartnerId>,
    /// The rule that assigned it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// That rule's strategy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<StrategyKind>,
    /// For `geo_expanding`: the step that found the candidates (`ring_100km`, `same_country`, `nearest_anywhere`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// Why the lead was not assigned by a rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The deciding rule's candidates in rank order (at most `max_candidates`).
    pub candidates: Vec<Candidate>,
    /// How many candidates there were in all.
    pub candidate_count: usize,
    /// Partners excluded by the deciding rule (or, when unassigned, by every rule tried), by reason.
    pub excluded: ExclusionCounts,
    /// Every rule tried, in order.
    pub rules: Vec<RuleAttempt>,
    /// The steps taken.
    pub explanation: Explanation,
}

/// A decision and the state after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Routed {
    /// The decision.
    pub decision: RoutingDecision,
    /// The state to pass with the next lead.
    pub state: RoutingState,
}

/// The decisions for a batch, in input order, and the state after the last.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RoutedBatch {
    /// One decision per lead.
    pub decisions: Vec<RoutingDecision>,
    /// The state after the last lead.
    pub state: RoutingState,
}
