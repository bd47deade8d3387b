//! # prm: partner relationship management rules
//!
//! prm is the rules of a partner program (tiers, certifications, lead
//! routing, deal registration, commissions, market development funds) as a
//! pure library: the host passes configuration, facts, state and `as_of` in,
//! and gets back a decision, its explanation and the new state. prm does no
//! I/O, reads no clock and keeps no state of its own.
//!
//! ## Overview
//!
//! * [`Program`]: the whole configuration, one versioned JSON document.
//! * [`money`]: exact [`Decimal`], [`Money`], [`Currency`], [`Rate`], [`RoundingMode`].
//! * [`calendar`]: dates, half-open [`Period`](calendar::Period)s, trailing windows, fiscal quarters.
//! * [`partner`]: [`Partner`] and [`Person`].
//! * [`certification`]: the certification catalog, award status, reminders and requirements.
//! * [`metric`]: named metrics aggregated from raw records over a window.
//! * [`tier`]: the tier ladder, qualification and the tier lifecycle.
//! * [`condition`]: `all` / `any` / `not` condition trees over typed fields.
//! * [`routing`]: lead routing (rules, eligibility, strategies, acceptance SLA).
//! * [`deal_registration`]: deal registration (matching, conflicts, protection, extensions).
//! * [`commission`]: commission plans, statements, clawbacks, splits, overrides and what-if.
//! * [`agreement`]: agreements, their renewals and reminders, and compliance per activity.
//! * [`onboarding`]: screening applications, the onboarding checklist and lifecycle transitions.
//! * [`scorecard`]: partner scorecards: KPIs, health score, bands, trend and signals.
//! * [`explain`]: the [`Explanation`](explain::Explanation) every decision carries.
//! * [`mdf`]: market development funds: allocation, requests, claims and their ledger.
//! * [`Error`]: one error type listing every [`Problem`] with its code and JSON path.
//! * [`api`]: every operation by name over JSON, used by all the bindings.
//!
//! ```
//! use prm_core::api;
//! let answer = api::call(
//!     "program.validate",
//!     r#"{"program": {"schema_version": 1, "currency": "EUR"}}"#,
//! );
//! assert!(answer.starts_with(r#"{"ok":{"valid":true"#));
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]

pub mod agreement;
pub mod api;
pub mod calendar;
pub mod certification;
pub mod commission;
pub mod condition;
pub mod deal_registration;
pub mod error;
pub mod explain;
pub mod hash;
pub mod input;
pub mod limits;
pub mod mdf;
pub mod metric;
pub mod money;
pub mod onboarding;
pub mod partner;
pub mod program;
pub mod reference;
pub mod routing;
pub mod sample;
pub mod scorecard;
pub mod tier;

pub use error::{Error, ErrorCode, JsonPath, Problem, Problems};
pub use money::{Amount, Currency, Decimal, Money, Rate, RoundingMode};
pub use partner::{Partner, Person};
pub use program::Program;

/// prm's version, e.g. `0.1.0`.
///
/// ```
/// assert_eq!(prm_core::version(), env!("CARGO_PKG_VERSION"));
/// ```
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}
