//! [`Period`], month arithmetic and trailing windows.

use super::Date;
use crate::error::{Error, ErrorCode, JsonPath, Problem};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A half-open range of dates `[start, end)`: `start` is in it, `end` is not.
///
/// ```
/// use prm_core::calendar::{Period, parse_date};
/// let q1 = Period::new(parse_date("2026-01-01")?, parse_date("2026-04-01")?)?;
/// assert!(q1.contains(parse_date("2026-03-31")?));
/// assert!(!q1.contains(parse_date("2026-04-01")?));
/// assert_eq!(q1.days(), 90);
/// assert_eq!(q1.last_day().to_string(), "2026-03-31");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct Period {
    /// The first day in the period.
    pub start: Date,
    /// The first day after the period.
    pub end: Date,
}

impl Period {
    /// The period `[start, end)`.
    ///
    /// # Errors
    ///
    /// `period_reversed` when `end` is before `start` (an empty period, `start == end`, is allowed).
    pub fn new(start: Date, end: Date) -> Result<Period, Error> {
        if end < start {
            return Err(Error::problem(
                Problem::new(ErrorCode::PeriodReversed, JsonPath::root().key("end"))
                    .message(format!("period ends on {end}, before it starts on {start}")),
            ));
        }
        Ok(Period { start, end })
    }

    /// The period from `first` through `last`, both included.
    ///
    /// # Errors
    ///
    /// `period_reversed` when `last` is before `first`; `date_out_of_range` at the calendar's end.
    pub fn inclusive(first: Date, last: Date) -> Result<Period, Error> {
        Period::new(first, add_days(last, 1)?)
    }

    /// Checks a deserialized period: `period_reversed` at `path` when it ends before it starts.
    ///
    /// # Errors
    ///
    /// `period_reversed` when `end < start`.
    pub fn validate(&self, path: &JsonPath) -> Result<(), Error> {
        Period::new(self.start, self.end).map(|_| ()).map_err(|_| {
            Error::problem(
                Problem::new(ErrorCode::PeriodReversed, path.key("end"))
                    .message(format!(
                        "period ends on {}, before it starts on {}",
                        self.end, self.start
                    ))
                    .help("`end` is the first day after the period"),
            )
        })
    }

    /// True when `date` is in `[start, end)`.
    pub fn contains(&self, date: Date) -> bool {
        self.start <= date && date < self.end
    }

    /// The number of days in the period.
    pub fn days(&self) -> i64 {
        self.start.days_until(self.end)
    }

    /// The last day in the period (the day before `end`; `start` for an empty period).
    pub fn last_day(&self) -> Date {
        self.end
            .add_days(-1)
            .ok()
            .filter(|d| *d >= self.start)
            .unwrap_or(self.start)
    }

    /// The days the two periods share, if any.
    pub fn overlap(&self, other: &Period) -> Option<Period> {
        let start = self.start.max(other.start);
        let end = self.end.min(other.end);
        (start < end).then_some(Period { start, end })
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.last_day())
    }
}

/// `date` plus `months` (negative to go back), clamped to the month's last day.
///
/// # Errors
///
/// `date_out_of_range` when the result leaves chrono's calendar (about ±262,000 years).
///
/// # Example
///
/// ```
/// use prm_core::calendar::{add_months, parse_date};
/// assert_eq!(add_months(parse_date("2024-01-31")?, 1)?.to_string(), "2024-02-29");
/// assert_eq!(add_months(parse_date("2025-01-31")?, 1)?.to_string(), "2025-02-28");
/// assert_eq!(add_months(parse_date("2024-03-31")?, -1)?.to_string(), "2024-02-29");
/// assert!(add_months(parse_date("2024-03-31")?, i32::MAX).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn add_months(date: Date, months: i32) -> Result<Date, Error> {
    date.add_months(months)
}

/// `date` plus `days` (negative to go back).
///
/// # Errors
///
/// `date_out_of_range` when the result leaves the calendar.
pub fn add_days(date: Date, days: i64) -> Result<Date, Error> {
    date.add_days(days)
}

/// The trailing window of `months` months as of `as_of`: from `as_of` minus
/// `months` months plus one day, through `as_of`, inclusive.
///
/// # Errors
///
/// `date_out_of_range` at the calendar's ends.
///
/// # Example
///
/// ```
/// use prm_core::calendar::{trailing_months, parse_date};
/// let window = trailing_months(parse_date("2026-03-31")?, 12)?;
/// assert_eq!(window.start.to_string(), "2025-04-01");
/// assert_eq!(window.last_day().to_string(), "2026-03-31");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn trailing_months(as_of: Date, months: u32) -> Result<Period, Error> {
    let back = i32::try_from(months).map_err(|_| {
        Error::problem(
            Problem::new(ErrorCode::DateOutOfRange, JsonPath::root())
                .message(format!("a window of {months} months leaves the calendar")),
        )
    })?;
    let start = add_days(add_months(as_of, -back)?, 1)?;
    Period::new(start, add_days(as_of, 1)?)
}

/// Reads a strict `YYYY-MM-DD` date.
///
/// # Errors
///
/// `invalid_date` when the text is not exactly four-digit year, two-digit
/// month and two-digit day of a real calendar date.
///
/// # Example
///
/// ```
/// use prm_core::calendar::parse_date;
/// assert_eq!(parse_date("2024-02-29")?.to_string(), "2024-02-29");
/// assert!(parse_date("2025-02-29").is_err());
/// assert!(parse_date("2025-2-3").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse_date(text: &str) -> Result<Date, Error> {
    text.parse()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(s: &str) -> Date {
        parse_date(s).unwrap_or_default()
    }

    #[test]
    fn month_addition_clamps_to_month_end() -> Result<(), Error> {
        for &(start, months, want) in &[
            ("2024-01-31", 1, "2024-02-29"),
            ("2024-01-31", 13, "2025-02-28"),
            ("2024-02-29", 12, "2025-02-28"),
            ("2024-02-29", 48, "2028-02-29"),
            ("2024-05-31", -1, "2024-04-30"),
            ("2024-01-10", 24, "2026-01-10"),
            ("2024-12-15", 1, "2025-01-15"),
        ] {
            assert_eq!(
                add_months(date(start), months)?.to_string(),
                want,
                "{start} + {months}"
            );
        }
        Ok(())
    }

    #[test]
    fn trailing_window_edges() -> Result<(), Error> {
        let w = trailing_months(date("2024-02-29"), 12)?;
        assert_eq!(w.start, date("2023-03-01"));
        assert!(w.contains(date("2024-02-29")));
        assert!(!w.contains(date("2023-02-28")));
        let q = trailing_months(date("2026-03-31"), 3)?;
        assert_eq!(q.start, date("2026-01-01"));
        Ok(())
    }

    proptest! {
        #[test]
        fn prop_add_months_never_panics(days in -1_000_000i64..1_000_000, months in any::<i32>()) {
            // Days that leave years 1 to 9999 are refused (`date_out_of_range`).
            let Ok(start) = add_days(date("2000-01-01"), days) else { return Ok(()) };
            if let Ok(result) = add_months(start, months) {
                // the day never grows, and only shrinks to fit a shorter month
                prop_assert!(result.day() <= start.day());
            }
        }

        #[test]
        fn prop_add_months_lands_in_the_right_month(days in -100_000i64..100_000, months in -2_400i32..2_400) {
            // Days that leave years 1 to 9999 are refused (`date_out_of_range`).
            let Ok(start) = add_days(date("2000-01-01"), days) else { return Ok(()) };
            let result = add_months(start, months)?;
            let months_from = |d: Date| i64::from(d.year()) * 12 + i64::from(d.month());
            prop_assert_eq!(months_from(result) - months_from(start), i64::from(months));
        }
    }
}
