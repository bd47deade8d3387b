//! Metrics: named aggregates of raw records over a window, shared by tiers and scorecards.
//!
//! A [`MetricDef`] names a [`Measure`] (revenue, deals won, new customers,
//! average deal size, revenue growth, certified people, or the sum, average
//! or count of a series of observations) and the [`Window`](crate::calendar::Window)
//! it is aggregated over. A host either passes the metric's value directly
//! (pre-aggregated) or passes the raw records ([`Sale`]s, [`Observation`]s,
//! people and awards) and prm aggregates them; both give the same answer.
//!
//! # Overview
//!
//! ```
//! use prm_core::metric::{MetricContext, MetricDef, Records, Sale};
//! use prm_core::{Currency, RoundingMode};
//! let deals: MetricDef = serde_json::from_str(
//!     r#"{"measure": {"kind": "deals_won"}, "window": {"kind": "fiscal_year_to_date"}}"#)?;
//! let sales: Vec<Sale> = serde_json::from_str(r#"[
//!   {"date": "2025-12-30", "amount": "400.00"},
//!   {"date": "2026-01-02", "amount": "900.00"},
//!   {"date": "2026-03-31", "amount": "150.00"}
//! ]"#)?;
//! let context = MetricContext {
//!     as_of: "2026-03-31".parse()?, fiscal: Default::default(),
//!     currency: Currency::eur(), rounding: RoundingMode::HalfEven,
//! };
//! let records = Records { sales: Some(&sales), ..Records::default() };
//! let won = deals.resolve("deals_won", &context)?.compute(&records, &context)?;
//! assert_eq!(won.map(|v| v.value.to_string()).as_deref(), Some("2")); // the window's edge day counts
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Where it bites
//!
//! * Windows end on `as_of`: a record dated after it never counts, and a
//!   window's first and last days both count.
//! * A refund takes revenue back on its own date, so a refund in this
//!   quarter of a sale from last quarter lowers this quarter's revenue.
//! * `new_customers` looks for each customer's first sale among the records
//!   passed: pass enough history.
//! * `None` records (not passed) and empty records (passed, none) differ: the
//!   first leaves the metric uncomputed, so it must be given; the second is 0.

mod aggregate;
mod def;
mod records;

pub(crate) use aggregate::net_revenue;
pub use aggregate::{MetricContext, MetricValue, Records, ResolvedMetric, ValueSource};
pub use def::{CertifiedPeople, Measure, MetricDef, MetricName, Source, Unit};
pub use records::{Observation, Sale, SaleKind, check_sales};
