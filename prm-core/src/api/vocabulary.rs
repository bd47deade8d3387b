//! Operations on the shared vocabulary: money, rates and calendars.
//!
//! They let every language check its conversions against the core's, and
//! they carry the money and calendar cases of the conformance corpus.

use crate::api::{request, to_value};
use crate::calendar::{Date, FiscalCalendar, add_months, trailing_months};
use crate::error::{Error, JsonPath};
use crate::money::{Currency, Decimal, Money, Rate, RoundingMode, allocate};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RoundRequest {
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
struct AllocateRequest {
    total: Decimal,
    weights: Vec<Decimal>,
    currency: Currency,
}

/// `money.allocate`: split `total` by `weights` with largest-remainder rounding.
pub(super) fn allocate_op(value: &Value) -> Result<Value, Error> {
    let r: AllocateRequest = request(value)?;
    let parts = allocate(r.total, &r.weights, r.currency.minor_units())
        .map_err(|e| e.under(&JsonPath::root().key("weights")))?;
    Ok(json!({ "parts": parts, "currency": r.currency }))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RateRequest {
    rate: Rate,
}

/// `rate.normalize`: `{"rate": "7%"}` → `{"rate": "0.07"}`.
pub(super) fn rate(value: &Value) -> Result<Value, Error> {
    let r: RateRequest = request(value)?;
    Ok(json!({ "rate": r.rate }))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct AddMonthsRequest {
    date: Date,
    months: i32,
}

/// `calendar.add_months`: `{"date": "2024-01-31", "months": 1}` → `{"date": "2024-02-29"}`.
pub(super) fn add_months_op(value: &Value) -> Result<Value, Error> {
    let r: AddMonthsRequest = request(value)?;
    let date =
        add_months(r.date, r.months).map_err(|e| e.under(&JsonPath::root().key("months")))?;
    Ok(json!({ "date": date }))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct WindowRequest {
    as_of: Date,
    months: u32,
}

/// `calendar.trailing_window`: the N months through `as_of`, as `start`, `end` (exclusive) and `last_day`.
pub(super) fn trailing_window(value: &Value) -> Result<Value, Error> {
    let r: WindowRequest = request(value)?;
    let window =
        trailing_months(r.as_of, r.months).map_err(|e| e.under(&JsonPath::root().key("months")))?;
    Ok(
        json!({ "start": window.start, "end": window.end, "last_day": window.last_day(), "days": window.days() }),
    )
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct FiscalRequest {
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
    Ok(json!({
        "fiscal_year": quarter.year,
        "quarter": quarter.quarter,
        "quarter_start": quarter.period.start,
        "quarter_end": quarter.period.end,
        "year_start": year.start,
        "year_end": year.end,
    }))
}
