//! [`TierProgram`], [`TierDef`] and [`Benefits`].

use super::lifecycle::LifecyclePolicy;
use super::requirement::{Definitions, Requirement, validate_tree};
use crate::certification::CertificationCatalog;
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use crate::metric::{MetricDef, MetricName};
use crate::money::{Decimal, Rate};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A tier's id (`gold`), unique within the program.
pub type TierId = String;

/// What a tier gives its partners. Every field is optional; an engine that
/// needs a benefit a tier lacks uses its own documented default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Benefits {
    /// Discount off list price (`0.25`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_rate: Option<Rate>,
    /// Multiplier applied to commissions earned while in this tier (`1.2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commission_multiplier: Option<Decimal>,
    /// Share of the previous period's revenue accrued as MDF (`0.02`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mdf_accrual_rate: Option<Rate>,
    /// Weight in weighted lead routing (`3`); 0 never receives a weighted lead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead_weight: Option<Decimal>,
    /// Days a registered deal is protected (`90`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deal_protection_days: Option<u32>,
    /// MDF activity types this tier may request (`event`, `digital`, ...); empty means none named.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mdf_activity_types: Vec<String>,
    /// Anything else the program wants to attach, passed through untouched.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub custom: BTreeMap<String, serde_json::Value>,
}

impl Benefits {
    fn validate(&self, path: &JsonPath, problems: &mut Problems) {
        let negative = |name: &str, value: Decimal| {
            Problem::new(ErrorCode::OutOfRange, path.key(name))
                .message(format!("{name} must not be negative, found {value}"))
        };
        if let Some(rate) = self.discount_rate
            && (rate.fraction().is_negative() || rate.fraction() > Decimal::ONE)
        {
            {
                problems.push(
                    Problem::new(ErrorCode::OutOfRange, path.key("discount_rate"))
                        .message(format!("discount_rate must be from 0 to 1, found {rate}")),
                );
            }
        }
        for (name, value) in [
            ("commission_multiplier", self.commission_multiplier),
            (
                "mdf_accrual_rate",
                self.mdf_accrual_rate.map(Rate::fraction),
            ),
            ("lead_weight", self.lead_weight),
        ] {
            if let Some(value) = value.filter(|v| v.is_negative()) {
                problems.push(negative(name, value));
            }
        }
    }
}

/// One tier of the ladder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TierDef {
    /// Unique id (`gold`).
    pub id: TierId,
    /// Display name (`Gold`).
    pub name: String,
    /// Position on the ladder: 0 is the entry level, higher is better; unique.
    pub rank: u32,
    /// What a partner must meet to hold the tier, all of them (an implicit `all_of`);
    /// none: every partner qualifies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requirements: Vec<Requirement>,
    /// What the tier gives.
    #[serde(default)]
    pub benefits: Benefits,
}

/// The program's tiers, ordered by rank, with the metrics their requirements
/// read and the lifecycle policy that moves partners between them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TierProgram {
    /// The tiers; any order in the document, kept sorted by rank once read.
    pub tiers: Vec<TierDef>,
    /// The metrics requirements refer to, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metrics: BTreeMap<MetricName, MetricDef>,
    /// How partners move up and down; upgrades at once and downgrades one level at a time,
    /// without grace, by default.
    #[serde(default)]
    pub policy: LifecyclePolicy,
}

impl TierProgram {
    /// Checks ids and ranks are unique and benefits are in range; sorts tiers by rank.
    ///
    /// # Errors
    ///
    /// `duplicate_id` for a repeated tier id or rank; `out_of_range` for a negative benefit.
    pub fn validate(&mut self, path: &JsonPath) -> Result<(), Error> {
        let mut problems = Problems::new();
        let mut ids = BTreeSet::new();
        let mut ranks = BTreeMap::new();
        for (i, tier) in self.tiers.iter().enumerate() {
            let at = path.key("tiers").index(i);
            if !ids.insert(tier.id.as_str()) {
                problems.push(
                    Problem::new(ErrorCode::DuplicateId, at.key("id"))
                        .message(format!("tier id `{}` is used twice", tier.id)),
                );
            }
            if let Some(other) = ranks.insert(tier.rank, tier.id.as_str()) {
                problems.push(
                    Problem::new(ErrorCode::DuplicateId, at.key("rank"))
                        .message(format!(
                            "rank {} is used by `{other}` and `{}`",
                            tier.rank, tier.id
                        ))
                        .help("give each tier its own rank; 0 is the entry level"),
                );
            }
            tier.benefits.validate(&at.key("benefits"), &mut problems);
        }
        problems.take(self.policy.validate(&path.key("policy")));
        problems.into_result(())?;
        self.tiers.sort_by_key(|t| t.rank);
        Ok(())
    }

    /// Checks the metrics and every tier's requirement tree against the
    /// metric definitions and the certification `catalog`.
    ///
    /// # Errors
    ///
    /// * `unknown_reference` for a metric or certification that is not defined;
    /// * `tier_requirement_invalid` for a requirement that cannot mean anything;
    /// * `missing_field`, `invalid_value`, `out_of_range` for metric definitions and points.
    pub fn check_references(
        &self,
        catalog: Option<&CertificationCatalog>,
        path: &JsonPath,
    ) -> Result<(), Error> {
        let mut problems = Problems::new();
        for (name, metric) in &self.metrics {
            problems.take(metric.validate(catalog, &path.key("metrics").key(name)));
        }
        let defs = Definitions {
            metrics: &self.metrics,
            catalog,
        };
        for (i, tier) in self.tiers.iter().enumerate() {
            validate_tree(
                &tier.requirements,
                &defs,
                &path.key("tiers").index(i).key("requirements"),
                &mut problems,
            );
        }
        problems.into_result(())
    }

    /// The tier with this id.
    pub fn tier(&self, id: &str) -> Option<&TierDef> {
        self.tiers.iter().find(|t| t.id == id)
    }

    /// The benefits of the tier with this id.
    pub fn benefits(&self, id: &str) -> Option<&Benefits> {
        self.tier(id).map(|t| &t.benefits)
    }

    /// The tiers from the lowest rank to the highest.
    pub fn by_rank(&self) -> &[TierDef] {
        &self.tiers
    }

    /// Checks that `id` names a tier, for cross-references from other sections.
    ///
    /// # Errors
    ///
    /// `unknown_reference` at `path`, with the closest tier id as a suggestion.
    pub fn check_reference(&self, id: &str, path: &JsonPath) -> Result<(), Error> {
        if self.tier(id).is_some() {
            return Ok(());
        }
        let mut problem =
            Problem::new(ErrorCode::UnknownReference, path).message(format!("unknown tier `{id}`"));
        if let Some(close) =
            crate::input::did_you_mean(id, self.tiers.iter().map(|t| t.id.as_str()))
        {
            problem = problem.help(format!("did you mean `{close}`?"));
        }
        Err(Error::problem(problem))
    }
}
