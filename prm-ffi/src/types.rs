//! Mirror records: the core's answers as uniffi records, with decimals and
//! dates carried as strings.
//!
//! Each record derives serde so that a typed function is three lines: build
//! the request, call the core by operation name, read the answer (see
//! `ops::invoke`). A test serializes each record back and compares it with
//! the core's own answer, so a field the core adds or renames fails the build
//! instead of disappearing.

use serde::{Deserialize, Serialize};

/// An exact decimal as text, e.g. `"1234.50"`; never a binary float.
///
/// Swift sees a `String`; Kotlin sees a `java.math.BigDecimal` (configured in
/// `uniffi.toml`). The core validates it when it is used, and reports a bad
/// one with its path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DecimalString(pub String);

uniffi::custom_newtype!(DecimalString, String);

/// A calendar date as text, `YYYY-MM-DD`.
///
/// Swift sees a `String`; Kotlin sees a `java.time.LocalDate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DateString(pub String);

uniffi::custom_newtype!(DateString, String);

/// How an amount is rounded to its currency's minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, uniffi::Enum)]
#[serde(rename_all = "snake_case")]
pub enum RoundingMode {
    /// Ties to the even neighbour (banker's rounding): 2.345 → 2.34, 2.355 → 2.36.
    HalfEven,
    /// Ties away from zero: 2.345 → 2.35, -2.345 → -2.35.
    HalfUp,
    /// Toward zero: 2.349 → 2.34.
    Down,
    /// Away from zero: 2.341 → 2.35.
    Up,
}

/// An amount in a currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct Money {
    /// The amount, with the currency's minor units (`"2.34"` EUR, `"3"` JPY).
    pub amount: DecimalString,
    /// The ISO 4217 code, e.g. `EUR`.
    pub currency: String,
}

/// A total split by weights (`money.allocate`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct Allocation {
    /// One part per weight, in order; they sum exactly to the total.
    pub parts: Vec<DecimalString>,
    /// The currency whose minor units the parts are rounded to.
    pub currency: String,
}

/// A trailing window of months (`calendar.trailing_window`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct Window {
    /// The first day in the window.
    pub start: DateString,
    /// The first day after the window (periods are half-open).
    pub end: DateString,
    /// The last day in the window (`as_of`).
    pub last_day: DateString,
    /// How many days the window covers.
    pub days: i64,
}

/// When the fiscal year starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct FiscalCalendar {
    /// The month (1 = January ... 12 = December) on whose first day each fiscal year starts.
    pub first_month: u32,
}

/// A date's place in the fiscal calendar (`calendar.fiscal_quarter`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct FiscalPosition {
    /// The fiscal year, named after the calendar year in which it ends.
    pub fiscal_year: i32,
    /// The quarter, 1 to 4.
    pub quarter: u32,
    /// The quarter's first day.
    pub quarter_start: DateString,
    /// The first day after the quarter.
    pub quarter_end: DateString,
    /// The fiscal year's first day.
    pub year_start: DateString,
    /// The first day after the fiscal year.
    pub year_end: DateString,
}

/// What a valid program holds (`program.validate`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct ProgramSummary {
    /// The document version (always 1 for this prm).
    pub schema_version: u32,
    /// The program's name, if it has one.
    pub name: Option<String>,
    /// The currency of bare amounts, e.g. `EUR`.
    pub currency: String,
    /// How every line is rounded.
    pub rounding: RoundingMode,
    /// When the fiscal year starts.
    pub fiscal_calendar: FiscalCalendar,
    /// The engine sections present (`tiers`, ...), in document order.
    pub sections: Vec<String>,
}

/// prm's version and what it offers (`version`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct VersionInfo {
    /// prm's version, e.g. `0.1.0`.
    pub version: String,
    /// The program document version this prm reads.
    pub schema_version: u32,
    /// Every operation name, sorted.
    pub operations: Vec<String>,
}

/// An operation's summary and JSON Schemas (`describe`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OperationDescription {
    /// The operation's name, e.g. `money.round`.
    pub op: String,
    /// One line saying what it does.
    pub summary: String,
    /// The JSON Schema of its request, as JSON text.
    pub request_schema: String,
    /// The JSON Schema of its answer (the value under `ok`), as JSON text.
    pub response_schema: String,
}
