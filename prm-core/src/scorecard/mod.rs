//! Scorecards: KPIs per partner over a window, a health score, bands, trend and signals.
//!
//! The program's `scorecards` section ([`ScorecardProgram`]) names a
//! [`Window`](crate::calendar::Window) and a list of KPIs ([`KpiDef`]).
//! Each KPI is computed per partner over the window **and** over the
//! previous window (the same span just before), by the metric engine from
//! the same raw records tiers read (sales, observations, people, awards),
//! from lead records (acceptance and conversion rates, response hours), as
//! a ratio of two measures (win rate, MDF ROI), or given by the host (MDF
//! utilization). Each value maps to a score from 0 to 100 by configured
//! bounds or by percentile rank among peers (same tier, region, or all);
//! the weighted mean is the health score, which falls in a band (`healthy`,
//! `watch`, `at_risk`) and has a trend against the previous window.
//! Signals warn about revenue drops, long gaps without a deal, certification
//! expiries that would cost the tier, and unused MDF late in the quarter,
//! each with the facts behind it.
//!
//! # Overview
//!
//! ```
//! use prm_core::Program;
//! use prm_core::scorecard::{ScorecardFacts, Trend, evaluate};
//! let program = Program::from_json(r#"{"schema_version": 1, "currency": "EUR",
//!   "scorecards": {"window": {"kind": "trailing_months", "months": 3},
//!     "kpis": [{"id": "revenue", "measure": {"kind": "metric", "measure": {"kind": "revenue"}},
//!               "scale": {"kind": "percentile", "among": "all"}}],
//!     "bands": {"healthy": 70, "watch": 40}}}"#)?;
//! let facts: Vec<ScorecardFacts> = serde_json::from_str(r#"[
//!   {"partner_id": "a", "sales": [{"date": "2026-03-01", "amount": "500.00"},
//!                                 {"date": "2025-12-01", "amount": "100.00"}]},
//!   {"partner_id": "b", "sales": [{"date": "2026-03-01", "amount": "100.00"},
//!                                 {"date": "2025-12-01", "amount": "500.00"}]}]"#)?;
//! let report = evaluate(&program, &facts, "2026-03-31".parse()?)?;
//! let b = &report.scorecards[1];
//! assert_eq!(b.health.map(|h| h.to_string()).as_deref(), Some("0.00"));
//! assert_eq!(b.trend, Some(Trend::Down)); // first among two last quarter, last now
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Where it bites
//!
//! * **No data is not zero.** A KPI without data in the window (no leads,
//!   no deal for an average deal size, a ratio over zero, growth from no
//!   revenue) has `value: null` and a `no_data` reason, and is left out of
//!   the health score: its weight goes to the KPIs that have data. Nothing
//!   is ever divided by zero.
//! * **Percentiles are among the partners passed.** Evaluate peers
//!   together; a partner alone in its group scores 50. Tied peers share one
//!   score: `100 × (below + (tied − 1) / 2) / (peers − 1)`.
//! * The previous window's scores use the previous window's peers, so the
//!   trend compares like with like.

mod config;
mod evaluate;
mod facts;

pub use config::{
    Bands, CertificationExpirySignal, KpiDef, KpiMeasure, PeerGroup, Scale, ScorecardProgram,
    SignalRules, UnusedMdfSignal,
};
pub use evaluate::{
    Band, KpiResult, Scorecard, ScorecardReport, Signal, SignalKind, Trend, evaluate,
};
pub use facts::{GivenKpi, LeadRecord, MdfUse, ScorecardFacts};
