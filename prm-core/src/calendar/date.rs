//! [`Date`]: a calendar date, strictly `YYYY-MM-DD` on the wire.

use crate::error::{Error, ErrorCode, JsonPath, Problem};
use chrono::{Datelike, Months, NaiveDate};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

/// A calendar date with no time zone, read and written as `YYYY-MM-DD`.
///
/// The text form is strict: four-digit year, two-digit month and day, and a
/// real day of that month. `2025-2-3`, `2025-02-29` and `2026-03-31T00:00:00Z`
/// are all `invalid_date`. Arithmetic is checked: [`Date::add_months`] clamps
/// to the month's last day, and leaving the calendar is `date_out_of_range`.
///
/// ```
/// use prm_core::calendar::Date;
/// let d: Date = "2024-01-31".parse()?;
/// assert_eq!(d.add_months(1)?.to_string(), "2024-02-29");
/// assert_eq!(d.add_days(1)?.to_string(), "2024-02-01");
/// assert_eq!(d.days_until("2024-03-01".parse()?), 30);
/// assert!("2025-2-3".parse::<Date>().is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Date(NaiveDate);

impl Date {
    /// The date `year-month-day`.
    ///
    /// # Errors
    ///
    /// `invalid_date` when there is no such day.
    pub fn new(year: i32, month: u32, day: u32) -> Result<Date, Error> {
        NaiveDate::from_ymd_opt(year, month, day)
            .map(Date)
            .ok_or_else(|| {
                Error::problem(
                    Problem::new(ErrorCode::InvalidDate, JsonPath::root()).message(format!(
                        "{year:04}-{month:02}-{day:02} is not a calendar date"
                    )),
                )
            })
    }

    /// Reads a strict `YYYY-MM-DD` date, reporting problems at `path`.
    ///
    /// # Errors
    ///
    /// `invalid_date` at `path`.
    pub fn parse_at(text: &str, path: &JsonPath) -> Result<Date, Error> {
        let shape_ok = text.len() == 10
            && text.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        // The shape is checked, so the digits are read directly: chrono's
        // format parser costs more than the rest of a date's validation.
        let parsed = if shape_ok {
            let number = |range: std::ops::Range<usize>| {
                text.get(range).map_or(0, |digits| {
                    digits
                        .bytes()
                        .fold(0u32, |n, b| n * 10 + u32::from(b - b'0'))
                })
            };
            i32::try_from(number(0..4))
                .ok()
                .and_then(|year| NaiveDate::from_ymd_opt(year, number(5..7), number(8..10)))
        } else {
            None
        };
        parsed.filter(|d| d.year() >= 1).map(Date).ok_or_else(|| {
            Error::problem(
                Problem::new(ErrorCode::InvalidDate, path)
                    .message(format!("expected a date as YYYY-MM-DD, found `{text}`"))
                    .help("write dates like `2026-03-31`, with a real day of that month"),
            )
        })
    }

    /// The chrono date, for calendar computations prm does not wrap.
    pub fn naive(self) -> NaiveDate {
        self.0
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.0.year()
    }

    /// The month, 1 to 12.
    pub fn month(self) -> u32 {
        self.0.month()
    }

    /// The day of the month, 1 to 31.
    pub fn day(self) -> u32 {
        self.0.day()
    }

    /// The day of the week.
    pub fn weekday(self) -> chrono::Weekday {
        self.0.weekday()
    }

    /// Days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        (later.0 - self.0).num_days()
    }

    /// `self` plus `days` (negative to go back).
    ///
    /// # Errors
    ///
    /// `date_out_of_range` when the result leaves the calendar (years 1 to 9999).
    pub fn add_days(self, days: i64) -> Result<Date, Error> {
        chrono::TimeDelta::try_days(days)
            .and_then(|delta| self.0.checked_add_signed(delta))
            .filter(|d| in_calendar(*d))
            .map(Date)
            .ok_or_else(|| out_of_range(format!("{self} plus {days} days is outside the calendar")))
    }

    /// `self` plus `months` (negative to go back), clamped to the month's last day.
    ///
    /// # Errors
    ///
    /// `date_out_of_range` when the result leaves the calendar (years 1 to 9999),
    /// as `9999-12-31` plus one month does.
    pub fn add_months(self, months: i32) -> Result<Date, Error> {
        let result = if months >= 0 {
            self.0
                .checked_add_months(Months::new(months.unsigned_abs()))
        } else {
            self.0
                .checked_sub_months(Months::new(months.unsigned_abs()))
        };
        result.filter(|d| in_calendar(*d)).map(Date).ok_or_else(|| {
            out_of_range(format!(
                "{self} plus {months} months is outside the calendar"
            ))
        })
    }

    /// The first day of this date's month.
    pub fn first_of_month(self) -> Date {
        Date(self.0.with_day(1).unwrap_or(self.0))
    }
}

/// Whether `date` can be written as `YYYY-MM-DD` and read back: years 1 to 9999.
fn in_calendar(date: NaiveDate) -> bool {
    (1..=9999).contains(&date.year())
}

fn out_of_range(what: String) -> Error {
    Error::problem(Problem::new(ErrorCode::DateOutOfRange, JsonPath::root()).message(what))
}

impl From<NaiveDate> for Date {
    fn from(date: NaiveDate) -> Date {
        Date(date)
    }
}

impl FromStr for Date {
    type Err = Error;
    fn from_str(text: &str) -> Result<Date, Error> {
        Date::parse_at(text, &JsonPath::root())
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = (self.0.year(), self.0.month(), self.0.day());
        if (0..=9999).contains(&year) {
            // The common case without chrono's format-string parser: dates are written often.
            let digits = [
                year / 1000,
                year / 100 % 10,
                year / 10 % 10,
                year % 10,
                -1,
                i32::try_from(month / 10).unwrap_or(0),
                i32::try_from(month % 10).unwrap_or(0),
                -1,
                i32::try_from(day / 10).unwrap_or(0),
                i32::try_from(day % 10).unwrap_or(0),
            ];
            let mut text = [0u8; 10];
            for (slot, digit) in text.iter_mut().zip(digits) {
                *slot = u8::try_from(digit).map_or(b'-', |d| b'0' + d);
            }
            f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
        } else {
            write!(f, "{}", self.0.format("%Y-%m-%d"))
        }
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Date({self})")
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date as YYYY-MM-DD")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Date, E> {
                Date::from_str(text)
                    .map_err(|e| E::custom(e.problems().first().map_or("", |p| p.text())))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

impl JsonSchema for Date {
    fn schema_name() -> Cow<'static, str> {
        "Date".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A calendar date as YYYY-MM-DD.",
            "type": "string",
            "format": "date"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn prop_display_matches_chrono(days in -719_162i64..2_932_897) {
            // 0001-01-01 to 9999-12-31: every date prm can reach
            let date = Date::new(1970, 1, 1)?.add_days(days)?;
            proptest::prop_assert_eq!(date.to_string(), date.0.format("%Y-%m-%d").to_string());
        }

        #[test]
        fn prop_parse_matches_chrono(year in 0u32..10_000, month in 0u32..100, day in 0u32..100) {
            // Any ten-character digit shape, real dates and impossible ones alike.
            let text = format!("{year:04}-{month:02}-{day:02}");
            let chrono = NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok().filter(|d| d.year() >= 1);
            let ours = Date::parse_at(&text, &JsonPath::root()).ok().map(|d| d.0);
            proptest::prop_assert_eq!(ours, chrono);
        }
    }

    #[test]
    fn parse_reads_leap_days_and_refuses_impossible_ones() {
        assert!(Date::parse_at("2024-02-29", &JsonPath::root()).is_ok());
        assert!(Date::parse_at("2023-02-29", &JsonPath::root()).is_err());
        assert!(Date::parse_at("0000-01-01", &JsonPath::root()).is_err());
        assert!(Date::parse_at("9999-12-31", &JsonPath::root()).is_ok());
        assert!(Date::parse_at("2024-13-01", &JsonPath::root()).is_err());
    }

    #[test]
    fn display_pads_small_years() -> Result<(), Error> {
        assert_eq!(Date::new(7, 3, 9)?.to_string(), "0007-03-09");
        assert_eq!(Date::new(2026, 12, 31)?.to_string(), "2026-12-31");
        Ok(())
    }
}
