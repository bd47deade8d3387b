//! [`RoutingConfig`]: the `routing` section of a program document.

use super::lead::LEAD_FIELDS;
use crate::condition::Condition;
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use crate::money::Decimal;
use crate::partner::{PartnerId, PartnerStatus};
use crate::tier::{TierId, TierProgram};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The most routing rules a program may hold before it is refused with `list_too_long`.
pub const MAX_ROUTING_RULES: usize = 1_000;

/// The routing section: prioritised rules, the default, and the acceptance SLA.
///
/// ```
/// use prm_core::Program;
/// let program = Program::from_json(r#"{
///   "schema_version": 1, "currency": "EUR",
///   "routing": {
///     "rules": [{
///       "id": "geo", "priority": 1,
///       "eligibility": {"products": "any", "language": true},
///       "strategy": {"kind": "geo_expanding", "rings_km": [100, 250, 500], "same_country": true}
///     }],
///     "default": {"kind": "house_account", "partner_id": "HOUSE"}
///   }
/// }"#)?;
/// assert_eq!(program.routing().map(|r| r.rules.len()), Some(1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoutingConfig {
    /// The rules, tried by ascending `priority`, then in document order.
    pub rules: Vec<RoutingRule>,
    /// What happens when no rule finds a partner; `unassigned` by default.
    #[serde(default)]
    pub default: DefaultRoute,
    /// The acceptance SLA used by `next_action`.
    #[serde(default)]
    pub acceptance: AcceptancePolicy,
    /// How many ranked candidates a decision lists (all are considered); 10 by default.
    #[serde(default = "default_max_candidates")]
    pub max_candidates: u32,
}

fn default_max_candidates() -> u32 {
    10
}

/// One routing rule: which leads (condition), which partners (eligibility), how to pick (strategy).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoutingRule {
    /// Unique id; names the rule in decisions and keys its round-robin pointer.
    pub id: String,
    /// A display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Lower is tried first; rules with equal priority keep document order. 0 by default.
    #[serde(default)]
    pub priority: i32,
    /// Which leads the rule is for; absent means every lead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
    /// Which partners may receive the lead.
    #[serde(default)]
    pub eligibility: Eligibility,
    /// How one eligible partner is picked.
    pub strategy: Strategy,
}

/// How a lead's products must match the partner's.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ProductMatch {
    /// The partner sells at least one of the lead's products (leads without products pass).
    Any,
    /// The partner sells every one of the lead's products.
    All,
}

/// Which partners a rule may pick. A declined or paused partner is never eligible.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Eligibility {
    /// Partner statuses accepted; `["active"]` by default.
    #[serde(default = "default_statuses")]
    pub statuses: Vec<PartnerStatus>,
    /// The lowest tier accepted (by rank); partners without a tier are refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_tier: Option<TierId>,
    /// Specializations the partner must all have.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub specializations: Vec<String>,
    /// The partner's specializations must include the lead's industry (leads without one pass).
    #[serde(default)]
    pub industry: bool,
    /// How the lead's products must match the partner's; absent means not checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub products: Option<ProductMatch>,
    /// The partner must speak the lead's language (leads without one pass).
    #[serde(default)]
    pub language: bool,
    /// Certification ids the partner must all hold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certifications: Vec<String>,
    /// The lead must fall in the partner's territory.
    #[serde(default)]
    pub territory: bool,
    /// The partner must be at most this far from the lead (haversine km); both need coordinates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_distance_km: Option<f64>,
    /// The partner must have capacity left (`open_leads < capacity`); `true` by default.
    #[serde(default = "yes")]
    pub capacity: bool,
    /// The partner must be compliant to receive leads (its `compliant` flag, from
    /// `compliance.check` for `receive_leads`); partners not marked compliant are refused.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub compliance: bool,
}

fn default_statuses() -> Vec<PartnerStatus> {
    vec![PartnerStatus::Active]
}

fn yes() -> bool {
    true
}

impl Default for Eligibility {
    fn default() -> Eligibility {
        Eligibility {
            statuses: default_statuses(),
            min_tier: None,
            specializations: Vec::new(),
            industry: false,
            products: None,
            language: false,
            certifications: Vec::new(),
            territory: false,
            max_distance_km: None,
            capacity: true,
            compliance: false,
        }
    }
}

/// How a geo ring's candidates are picked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GeoPick {
    /// The reproducible weighted draw, as `weighted_random`.
    #[default]
    Weighted,
    /// The nearest partner (ties by partner id).
    Nearest,
}

/// A factor of the `score` strategy; each scores 0 to 1.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum FactorKind {
    /// Tier rank divided by the ladder's highest rank (0 without a tier).
    TierRank,
    /// The partner's conversion rate (0 when unknown).
    ConversionRate,
    /// The partner's acceptance rate (0 when unknown).
    AcceptanceRate,
    /// `1 / (1 + d / scale_km)` for distance `d` (0 when either side has no coordinates).
    DistanceDecay,
    /// 1 when the partner's specializations include the lead's industry, else 0.
    SpecializationMatch,
    /// `1 - open_leads / capacity` (1 without a capacity).
    CapacityHeadroom,
    /// `1 / (1 + hours / scale_hours)` for the average response hours (0 when unknown).
    ResponseTime,
}

impl FactorKind {
    /// The factor's name as written.
    pub fn as_str(self) -> &'static str {
        match self {
            FactorKind::TierRank => "tier_rank",
            FactorKind::ConversionRate => "conversion_rate",
            FactorKind::AcceptanceRate => "acceptance_rate",
            FactorKind::DistanceDecay => "distance_decay",
            FactorKind::SpecializationMatch => "specialization_match",
            FactorKind::CapacityHeadroom => "capacity_headroom",
            FactorKind::ResponseTime => "response_time",
        }
    }
}

/// One weighted factor of the `score` strategy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreFactor {
    /// What is scored.
    pub factor: FactorKind,
    /// The factor's weight in the sum; not negative.
    pub weight: Decimal,
    /// Distance scale for `distance_decay`, in km; 50 by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_km: Option<f64>,
    /// Response-time scale for `response_time`, in hours; 24 by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_hours: Option<f64>,
}

/// How a rule picks one of its eligible partners.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Strategy {
    /// Distance rings, then optionally the lead's country, then optionally the nearest partner anywhere.
    GeoExpanding {
        /// Ring radii in km, strictly increasing (`[100, 250, 500]`); a partner exactly on a radius is inside.
        rings_km: Vec<f64>,
        /// After the rings, try every partner in the lead's country (with or without coordinates).
        #[serde(default)]
        same_country: bool,
        /// Last, take the nearest eligible partner at any distance.
        #[serde(default)]
        nearest_anywhere: bool,
        /// How a step's candidates are picked; `weighted` by default.
        #[serde(default)]
        pick: GeoPick,
        /// Seed of the weighted draw; the rule's id by default.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        seed: Option<String>,
    },
    /// The reproducible weighted draw over every eligible partner.
    WeightedRandom {
        /// Seed of the draw; the rule's id by default.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        seed: Option<String>,
    },
    /// The first eligible partner after the rule's pointer, in partner-id order, wrapping.
    RoundRobin {},
    /// Lowest `open_leads / capacity`, then fewest open leads, then partner id.
    LoadBalanced {},
    /// Highest weighted sum of factors, ties by partner id.
    Score {
        /// The factors.
        factors: Vec<ScoreFactor>,
    },
    /// Always this partner, when it is eligible.
    Fixed {
        /// The partner.
        partner_id: PartnerId,
    },
}

/// The name of a strategy kind, as decisions report it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum StrategyKind {
    /// [`Strategy::GeoExpanding`].
    GeoExpanding,
    /// [`Strategy::WeightedRandom`].
    WeightedRandom,
    /// [`Strategy::RoundRobin`].
    RoundRobin,
    /// [`Strategy::LoadBalanced`].
    LoadBalanced,
    /// [`Strategy::Score`].
    Score,
    /// [`Strategy::Fixed`].
    Fixed,
}

impl StrategyKind {
    /// The kind as written.
    pub fn as_str(self) -> &'static str {
        match self {
            StrategyKind::GeoExpanding => "geo_expanding",
            StrategyKind::WeightedRandom => "weighted_random",
            StrategyKind::RoundRobin => "round_robin",
            StrategyKind::LoadBalanced => "load_balanced",
            StrategyKind::Score => "score",
            StrategyKind::Fixed => "fixed",
        }
    }
}

impl Strategy {
    /// The strategy's kind.
    pub fn kind(&self) -> StrategyKind {
        match self {
            Strategy::GeoExpanding { .. } => StrategyKind::GeoExpanding,
            Strategy::WeightedRandom { .. } => StrategyKind::WeightedRandom,
            Strategy::RoundRobin {} => StrategyKind::RoundRobin,
            Strategy::LoadBalanced {} => StrategyKind::LoadBalanced,
            Strategy::Score { .. } => StrategyKind::Score,
            Strategy::Fixed { .. } => StrategyKind::Fixed,
        }
    }
}

/// What happens to a lead no rule could place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum DefaultRoute {
    /// The lead stays unassigned, with this reason (or the rules' own).
    Unassigned {
        /// The reason given to the host.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// The lead goes to the vendor's house account (which need not be a listed partner).
    HouseAccount {
        /// The house account's id.
        partner_id: PartnerId,
    },
}

impl Default for DefaultRoute {
    fn default() -> DefaultRoute {
        DefaultRoute::Unassigned { reason: None }
    }
}

/// The acceptance SLA: how long a partner has to accept, and how often a lead is offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptancePolicy {
    /// Hours a partner has to accept or decline; 24 by default.
    #[serde(default = "default_window")]
    pub window_hours: u32,
    /// Offers before the lead is escalated; 3 by default.
    #[serde(default = "default_attempts")]
    pub max_attempts: u32,
}

fn default_window() -> u32 {
    24
}

fn default_attempts() -> u32 {
    3
}

impl Default for AcceptancePolicy {
    fn default() -> AcceptancePolicy {
        AcceptancePolicy {
            window_hours: default_window(),
            max_attempts: default_attempts(),
        }
    }
}

fn positive_km(value: f64, name: &str, path: &JsonPath, problems: &mut Problems) -> bool {
    if value.is_finite() && value > 0.0 {
        true
    } else {
        problems.push(Problem::new(ErrorCode::OutOfRange, path).message(format!(
            "{name} must be a finite number above 0, found {value}"
        )));
        false
    }
}

impl RoutingConfig {
    /// Checks rules, conditions, strategies and references to tiers; problems go under `path`.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] listing every problem:
    /// * `duplicate_id` for two rules with one id;
    /// * the condition problems of [`Condition::compile`] against the lead's fields;
    /// * `unknown_reference` for a `min_tier` the tier ladder lacks (or with no ladder);
    /// * `routing_rings_not_increasing` for rings that are not positive and increasing;
    /// * `routing_no_score_factors` for a `score` strategy without a weighted factor;
    /// * `out_of_range` for a negative factor weight, a non-positive scale or distance,
    ///   an acceptance window or attempt count of 0;
    /// * `list_too_long` (an [`Error::LimitExceeded`]) for more than [`MAX_ROUTING_RULES`] rules.
    pub fn validate(&self, path: &JsonPath, tiers: Option<&TierProgram>) -> Result<(), Error> {
        let mut problems = Problems::new();
        if self.rules.len() > MAX_ROUTING_RULES {
            problems.push(
                Problem::new(ErrorCode::ListTooLong, path.key("rules"))
                    .message(format!(
                        "routing holds {} rules; a program holds at most {MAX_ROUTING_RULES}",
                        self.rules.len()
                    ))
                    .help("merge rules with the same strategy under one `any` condition"),
            );
            return problems.into_result(());
        }
        let mut ids = BTreeSet::new();
        for (i, rule) in self.rules.iter().enumerate() {
            let at = path.key("rules").index(i);
            if !ids.insert(rule.id.as_str()) {
                problems.push(
                    Problem::new(ErrorCode::DuplicateId, at.key("id"))
                        .message(format!("rule id `{}` is used twice", rule.id)),
                );
            }
            if let Some(condition) = &rule.condition {
                problems.take(condition.compile(&LEAD_FIELDS, &at.key("condition")));
            }
            rule.eligibility
                .validate(&at.key("eligibility"), tiers, &mut problems);
            validate_strategy(&rule.strategy, &at.key("strategy"), &mut problems);
        }
        let acceptance = path.key("acceptance");
        for (name, value) in [
            ("window_hours", self.acceptance.window_hours),
            ("max_attempts", self.acceptance.max_attempts),
        ] {
            if value == 0 {
                problems.push(
                    Problem::new(ErrorCode::OutOfRange, acceptance.key(name))
                        .message(format!("{name} must be at least 1, found 0")),
                );
            }
        }
        problems.into_result(())
    }
}

impl Eligibility {
    fn validate(&self, path: &JsonPath, tiers: Option<&TierProgram>, problems: &mut Problems) {
        if let Some(tier) = &self.min_tier {
            let at = path.key("min_tier");
            match tiers {
                Some(ladder) => {
                    problems.take(ladder.check_reference(tier, &at));
                }
                None => problems.push(
                    Problem::new(ErrorCode::UnknownReference, at)
                        .message(format!("unknown tier `{tier}`: the program has no tiers"))
                        .help("add a `tiers` section or remove `min_tier`"),
                ),
            }
        }
        if let Some(km) = self.max_distance_km {
            positive_km(
                km,
                "max_distance_km",
                &path.key("max_distance_km"),
                problems,
            );
        }
        if self.statuses.is_empty() {
            problems.push(
                Problem::new(ErrorCode::OutOfRange, path.key("statuses"))
                    .message("statuses is empty, so no partner could ever be eligible")
                    .help("remove it to accept active partners, or list the statuses to accept"),
            );
        }
    }
}

fn validate_strategy(strategy: &Strategy, path: &JsonPath, problems: &mut Problems) {
    match strategy {
        Strategy::GeoExpanding { rings_km, .. } => {
            let at = path.key("rings_km");
            let mut previous: Option<f64> = None;
            for (i, ring) in rings_km.iter().enumerate() {
                if !positive_km(*ring, "a ring", &at.index(i), problems) {
                    continue;
                }
                if let Some(before) = previous.filter(|b| *ring <= *b) {
                    problems.push(
                        Problem::new(ErrorCode::RoutingRingsNotIncreasing, at.index(i))
                            .message(format!(
                                "ring {ring} km is not larger than the ring before it ({before} km)"
                            ))
                            .help(
                                "list rings from the smallest to the largest, e.g. [100, 250, 500]",
                            ),
                    );
                }
                previous = Some(*ring);
            }
        }
        Strategy::Score { factors } => {
            let at = path.key("factors");
            for (i, factor) in factors.iter().enumerate() {
                if factor.weight.is_negative() {
                    problems.push(
                        Problem::new(ErrorCode::OutOfRange, at.index(i).key("weight")).message(
                            format!(
                                "a factor weight must not be negative, found {}",
                                factor.weight
                            ),
                        ),
                    );
                }
                for (name, scale) in [
                    ("scale_km", factor.scale_km),
                    ("scale_hours", factor.scale_hours),
                ] {
                    if let Some(scale) = scale {
                        positive_km(scale, name, &at.index(i).key(name), problems);
                    }
                }
            }
            if factors
                .iter()
                .all(|f| f.weight.is_zero() || f.weight.is_negative())
            {
                problems.push(
                    Problem::new(ErrorCode::RoutingNoScoreFactors, at)
                        .message("a score strategy needs at least one factor with a weight above 0")
                        .help("add e.g. {\"factor\": \"conversion_rate\", \"weight\": \"1\"}"),
                );
            }
        }
        Strategy::WeightedRandom { .. }
        | Strategy::RoundRobin {}
        | Strategy::LoadBalanced {}
        | Strategy::Fixed { .. } => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problems(config: serde_json::Value, tiers: Option<&TierProgram>) -> Vec<(String, String)> {
        let config: RoutingConfig = serde_json::from_value(config).unwrap();
        match config.validate(&JsonPath::root(), tiers) {
            Ok(()) => Vec::new(),
            Err(e) => e
                .problems()
                .iter()
                .map(|p| (p.code().to_string(), p.path().to_owned()))
                .collect(),
        }
    }

    #[test]
    fn validate_reports_every_rule_problem_with_its_path() {
        let found = problems(
            json!({"rules": [
                {"id": "a", "condition": {"kind": "field", "field": "contry", "op": "eq", "value": "DE"},
                 "eligibility": {"min_tier": "gld", "max_distance_km": -5.0},
                 "strategy": {"kind": "geo_expanding", "rings_km": [100, 100, -1]}},
                {"id": "a", "strategy": {"kind": "score", "factors": [
                    {"factor": "conversion_rate", "weight": "-1"}]}}
            ], "acceptance": {"window_hours": 0}}),
            None,
        );
        let want = [
            ("condition_unknown_field", "$.rules[0].condition.field"),
            ("unknown_reference", "$.rules[0].eligibility.min_tier"),
            ("out_of_range", "$.rules[0].eligibility.max_distance_km"),
            (
                "routing_rings_not_increasing",
                "$.rules[0].strategy.rings_km[1]",
            ),
            ("out_of_range", "$.rules[0].strategy.rings_km[2]"),
            ("duplicate_id", "$.rules[1].id"),
            ("out_of_range", "$.rules[1].strategy.factors[0].weight"),
            ("routing_no_score_factors", "$.rules[1].strategy.factors"),
            ("out_of_range", "$.acceptance.window_hours"),
        ];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect();
        assert_eq!(found, want);
    }

    #[test]
    fn min_tier_is_checked_against_the_ladder() {
        let mut ladder: TierProgram = serde_json::from_value(json!({"tiers": [
            {"id": "gold", "name": "Gold", "rank": 2}]}))
        .unwrap();
        ladder.validate(&JsonPath::root()).unwrap();
        let config = json!({"rules": [{"id": "r", "eligibility": {"min_tier": "gold"},
            "strategy": {"kind": "round_robin"}}]});
        assert!(problems(config, Some(&ladder)).is_empty());
    }
}
