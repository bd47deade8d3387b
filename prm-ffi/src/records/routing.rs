//! `routing.route` for one lead: [`RoutedLead`].

use super::explain::{ExplanationStep, JsonText};
use crate::types::DecimalString;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Where a lead went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, uniffi::Enum)]
#[serde(rename_all = "snake_case")]
pub enum RoutingOutcome {
    /// To a partner.
    Assigned,
    /// To the house account (no partner was eligible).
    HouseAccount,
    /// Nowhere: no partner was eligible and there is no house account.
    Unassigned,
}

/// How a rule chose among eligible partners.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, uniffi::Enum)]
#[serde(rename_all = "snake_case")]
pub enum RoutingStrategy {
    /// The nearest partners first, widening step by step.
    GeoExpanding,
    /// A seeded draw weighted by each partner's weight.
    WeightedRandom,
    /// In turn.
    RoundRobin,
    /// The partner with the fewest open leads relative to capacity.
    LoadBalanced,
    /// The highest score.
    Score,
    /// One named partner.
    Fixed,
}

/// How many partners one reason excluded, with a few of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct ExclusionCount {
    /// How many partners.
    pub count: u32,
    /// The first few partner ids.
    pub examples: Vec<String>,
}

/// An eligible partner as the winning rule ranked it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, uniffi::Record)]
pub struct RoutingCandidate {
    /// The partner.
    pub partner_id: String,
    /// 1 for the partner picked (or most likely to be), then in the strategy's order.
    pub rank: u32,
    /// Its weight in a weighted draw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<DecimalString>,
    /// `weight / sum of weights`, to 6 places (weighted draws).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<DecimalString>,
    /// The weighted sum of factors, to 6 places (`score`); a float in the core too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// Each factor's value from 0 to 1, to 6 places (`score`).
    #[serde(default, skip_serializing_if = "HashMap::is_empty")]
    pub factors: HashMap<String, f64>,
    /// Haversine distance from the lead in km, to 3 places, when both have coordinates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
    /// Its open leads before this one.
    pub open_leads: u32,
    /// Its capacity, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
}

/// One rule's attempt at the lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct RuleAttempt {
    /// The rule's id.
    pub rule: String,
    /// True when the lead met the rule's condition.
    pub condition_met: bool,
    /// How many partners the rule looked at.
    pub examined: u32,
    /// How many of them were eligible.
    pub eligible: u32,
    /// How many were excluded, by reason (`at_capacity`, `outside_territory`, ...).
    #[serde(default, skip_serializing_if = "HashMap::is_empty")]
    pub excluded: HashMap<String, u32>,
    /// Partners at capacity that a geo rule checking capacity never examined.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub skipped_at_capacity: u32,
}

/// serde's `skip_serializing_if` for a zero count.
fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// Where one lead went and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, uniffi::Record)]
pub struct RoutingDecision {
    /// The lead.
    pub lead_id: String,
    /// Where it went.
    pub outcome: RoutingOutcome,
    /// The partner (or house account) that receives the lead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_id: Option<String>,
    /// The rule that decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// That rule's strategy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<RoutingStrategy>,
    /// For `GeoExpanding`: the step that found the candidates (`ring_100km`, `same_country`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// Why, when the lead was not assigned by a rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The deciding rule's candidates in rank order (at most `max_candidates`).
    pub candidates: Vec<RoutingCandidate>,
    /// How many candidates there were in all.
    pub candidate_count: u32,
    /// Partners excluded by the deciding rule (or, when unassigned, by every rule
    /// tried), by reason (`at_capacity`, `outside_territory`, ...).
    pub excluded: HashMap<String, ExclusionCount>,
    /// Every rule tried, in order.
    pub rules: Vec<RuleAttempt>,
    /// The trace behind the decision.
    pub explanation: Vec<ExplanationStep>,
}

/// A routed lead (`routing.route`): the decision and the new routing state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, uniffi::Record)]
pub struct RoutedLead {
    /// Where the lead went and why.
    pub decision: RoutingDecision,
    /// The routing state (round-robin pointers, open leads) as JSON: store it
    /// and pass it to the next `routeLead`.
    pub state: JsonText,
}
