//! Tiers: the program's ranked levels, what it takes to hold each, and how partners move.
//!
//! A [`TierProgram`] lists tiers by `rank` (0 is the entry level). Each tier
//! carries a tree of [`Requirement`]s and typed [`Benefits`] that the other
//! engines read: routing reads `lead_weight`, deal registration
//! `deal_protection_days`, commissions `commission_multiplier`, MDF
//! `mdf_accrual_rate` and `mdf_activity_types`.
//!
//! # Overview
//!
//! ```
//! use prm_core::Program;
//! let program = Program::from_json(r#"{
//!   "schema_version": 1, "currency": "EUR",
//!   "tiers": {"tiers": [
//!     {"id": "registered", "name": "Registered", "rank": 0},
//!     {"id": "gold", "name": "Gold", "rank": 2, "benefits": {"lead_weight": "3", "commission_multiplier": "1.2"}}
//!   ]}
//! }"#)?;
//! let tiers = program.tiers().ok_or("no tiers")?;
//! assert_eq!(tiers.tier("gold").map(|t| t.rank), Some(2));
//! assert_eq!(tiers.benefits("gold").and_then(|b| b.lead_weight).map(|w| w.to_string()), Some("3".into()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Qualification
//!
//! [`evaluate`] places a partner in the **highest tier whose every
//! requirement holds**. Requirements form a tree: `all_of`, `any_of` and
//! `at_least` over leaves that compare a [metric](crate::metric) with a
//! threshold, count certified people ([`CertificationRequirement`](crate::certification::CertificationRequirement)),
//! score `points` with linear partial credit, or read a boolean `flag`.
//! Every requirement of every tier reports `actual`, `required`, `met` and
//! `shortfall`; the tier above the qualified one is the partner's **next
//! tier**, and its unmet requirements are the gap, in numbers and in words:
//! "gold needs 18,500.00 EUR more revenue and 1 more SALES-PRO".
//!
//! # Lifecycle
//!
//! The tier a partner *holds* ([`TierAssignment`]) moves under the program's
//! [`LifecyclePolicy`]: upgrades take effect at once or at the next month or
//! quarter, optionally one level at a time; a partner below its tier is
//! `at_risk` and is downgraded only when its grace (days or consecutive
//! evaluations) is over, only on review dates if the program has them, and
//! at most `max_levels` at once; meeting the tier again during grace clears
//! the risk. The decision is one of `upgraded`, `downgraded`, `retained`,
//! `at_risk` and `recovered`, with its effective date and the new assignment.
//!
//! # Where it bites
//!
//! * A tier's `requirements` list is an implicit `all_of`; a tier without
//!   requirements is met by every partner.
//! * Qualification looks at each tier on its own: a partner can meet gold
//!   without meeting silver's flag, and then qualifies for gold.
//! * Thresholds are inclusive: revenue of exactly 50,000.00 meets `at_least: 50000`.
//! * The tier changes at most once per `as_of`, so evaluating again on the
//!   same day with the returned assignment changes nothing.

mod decision;
mod evaluate;
mod facts;
mod ladder;
mod lifecycle;
mod report;
mod requirement;
mod schema;

pub use decision::TierDecision;
pub use evaluate::{evaluate, evaluate_batch};
pub use facts::PartnerFacts;
pub use ladder::{Benefits, TierDef, TierId, TierProgram};
pub use lifecycle::{
    DecisionKind, DowngradePolicy, Grace, LifecyclePolicy, MonthDay, PendingChange, TierAssignment,
    UpgradePolicy, UpgradeTiming,
};
pub use report::{
    ComponentInfo, ComponentReport, ReportUnit, RequirementInfo, RequirementKind,
    RequirementReport, TierReport,
};
pub use requirement::{MAX_REQUIREMENT_DEPTH, PointsComponent, PointsRequirement, Requirement};
