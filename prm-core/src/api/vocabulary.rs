//! Operations on the shared vocabulary: money, rates and calendars.
//!
//! They let every language check its conversions against the core's, and
//! they carry the money and calendar cases of the conformance corpus.

use crate::api::{request, to_value};
use crate::calendar::{Date, FiscalCalendar, add_months, trailing_months};
use crate::error::{Error, JsonPath};
use crate::money::{Currency, Decimal, Money, Rate, RoundingMode, allocate};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RoundRequest {
    amount: Decimal,
    currency: Currency,
    #[serde(default)]
    mode: RoundingMode,
}

/// `money.round`: `{"amount": "2.345", "currency": "EUR", "mode": "half_up"}` → `{"amount": "2.35", "currency": "EUR"}`.
pub(super) fn round(value: &Value) -> Result<Value, Error> {
    let r: RoundRequest = request(value)?;
    to_value(&Money::new(r.amount, r.currency).round(r.mode))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct AllocateRequest {
    total: Decimal,
    weights: Vec<Decimal>,
    currency: Currency,
}

/// `money.allocate`: split `total` by `weights` with largest-remainder rounding.
pub(super) fn allocate_op(value: &Value) -> Result<Value, Error> {
    let r: AllocateRequest = request(value)?;
    let parts = allocate(r.total, &r.weights, r.currency.minor_units())
        .map_err(|e| e.under(&JsonPath::root().key("weights")))?;
    to_value(&Allocation {
        parts,
        currency: r.currency,
    })
}

/// The `money.allocate` answer.
#[derive(Serialize, JsonSchema)]
pub(super) struct Allocation {
    /// One part per weight, in order; they sum exactly to the total.
    parts: Vec<Decimal>,
    /// The currency whose minor units the parts are rounded to.
    currency: Currency,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RateRequest {
    rate: Rate,
}

/// `rate.normalize`: `{"rate": "7%"}` → `{"rate": "0.07"}`.
pub(super) fn rate(value: &Value) -> Result<Value, Error> {
    let r: RateRequest = request(value)?;
    to_value(&RateAnswer { rate: r.rate })
}

/// The `rate.normalize` answer.
#[derive(Serialize, JsonSchema)]
pub(super) struct RateAnswer {
    /// The rate as a decimal fraction.
    rate: Rate,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct AddMonthsRequest {
    date: Date,
    months: i32,
}

/// `calendar.add_months`: `{"date": "2024-01-31", "months": 1}` → `{"date": "2024-02-29"}`.
pub(super) fn add_months_op(value: &Value) -> Result<Value, Error> {
    let r: AddMonthsRequest = request(value)?;
    let date =
        add_months(r.date, r.months).map_err(|e| e.under(&JsonPath::root().key("months")))?;
    to_value(&DateAnswer { date })
}

/// The `calendar.add_months` answer.
#[derive(Serialize, JsonSchema)]
pub(super) struct DateAnswer {
    /// The resulting date.
    date: Date,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct WindowRequest {
    as_of: Date,
    months: u32,
}

/// `calendar.trailing_window`: the N months through `as_of`, as `start`, `end` (exclusive) and `last_day`.
pub(super) fn trailing_window(value: &Value) -> Result<Value, Error> {
    let r: WindowRequest = request(value)?;
    let window =
        trailing_months(r.as_of, r.months).map_err(|e| e.under(&JsonPath::root().key("months")))?;
    to_value(&Window {
        start: window.start,
        end: window.end,
        last_day: window.last_day(),
        days: window.days(),
    })
}

/// The `calendar.trailing_window` answer.
#[derive(Serialize, JsonSchema)]
pub(super) struct Window {
    /// The first day in the window.
    start: Date,
    /// The first day after the window.
    end: Date,
    /// The last day in the window (`as_of`).
    last_day: Date,
    /// How many days the window covers.
    days: i64,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct FiscalRequest {
    date: Date,
    #[serde(default)]
    fiscal_calendar: FiscalCalendar,
}

/// `calendar.fiscal_quarter`: the fiscal year and quarter of a date, with their periods.
pub(super) fn fiscal_quarter(value: &Value) -> Result<Value, Error> {
    let r: FiscalRequest = request(value)?;
    let calendar_path = JsonPath::root().key("fiscal_calendar").key("first_month");
    r.fiscal_calendar.validate(&calendar_path)?;
    let quarter = r.fiscal_calendar.quarter(r.date)?;
    let year = r.fiscal_calendar.year(quarter.year)?;
    to_value(&FiscalPosition {
        fiscal_year: quarter.year,
        quarter: quarter.quarter,
        quarter_start: quarter.period.start,
        quarter_end: quarter.period.end,
        year_start: year.start,
        year_end: year.end,
    })
}

/// The `calendar.fiscal_quarter` answer.
#[derive(Serialize, JsonSchema)]
pub(super) struct FiscalPosition {
    /// The fiscal year, named after the calendar year in which it ends.
    fiscal_year: i32,
    /// The quarter, 1 to 4.
    quarter: u32,
    /// The quarter's first day.
    quarter_start: Date,
    /// The first day after the quarter.
    quarter_end: Date,
    /// The fiscal year's first day.
    year_start: Date,
    /// The first day after the fiscal year.
    year_end: Date,
}
