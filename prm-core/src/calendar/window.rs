//! [`Window`]: the span of days a metric is aggregated over, relative to `as_of`.

use super::{Date, FiscalCalendar, Period, add_days, add_months, trailing_months};
use crate::error::{Error, ErrorCode, JsonPath, Problem};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest trailing window prm accepts: 100 years.
pub const MAX_WINDOW_MONTHS: u32 = 1200;

/// The days a metric covers, resolved against `as_of` and the fiscal calendar.
///
/// Every window ends on `as_of` at the latest: records dated after `as_of`
/// are never counted, so asking about the past gives the answer the past
/// would have given.
///
/// | kind | days, as of 2026-03-31 with a July fiscal year |
/// |---|---|
/// | `trailing_months` (12) | 2025-04-01 to 2026-03-31 |
/// | `fiscal_year_to_date` | 2025-07-01 to 2026-03-31 |
/// | `previous_fiscal_year` | 2024-07-01 to 2025-06-30 |
/// | `fiscal_quarter_to_date` | 2026-01-01 to 2026-03-31 |
/// | `previous_fiscal_quarter` | 2025-10-01 to 2025-12-31 |
/// | `fixed` | `start` to the day before `end`, cut at `as_of` |
///
/// ```
/// use prm_core::calendar::{FiscalCalendar, Window, parse_date};
/// let as_of = parse_date("2026-03-31")?;
/// let july = FiscalCalendar::starting_in(7)?;
/// let ytd = Window::FiscalYearToDate.period(as_of, july)?;
/// assert_eq!(ytd.to_string(), "2025-07-01..2026-03-31");
/// let last = Window::TrailingMonths { months: 12 }.period(as_of, july)?;
/// assert_eq!(last.start.to_string(), "2025-04-01");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Window {
    /// The `months` months through `as_of`: from `as_of` minus `months` months plus one day.
    TrailingMonths {
        /// How many months, 1 to 1200.
        months: u32,
    },
    /// From the first day of `as_of`'s fiscal year through `as_of`.
    FiscalYearToDate,
    /// The whole fiscal year before `as_of`'s.
    PreviousFiscalYear,
    /// From the first day of `as_of`'s fiscal quarter through `as_of`.
    FiscalQuarterToDate,
    /// The whole fiscal quarter before `as_of`'s.
    PreviousFiscalQuarter,
    /// A fixed range of days, `[start, end)`, cut at `as_of`.
    Fixed {
        /// The first day.
        start: Date,
        /// The first day after the range.
        end: Date,
    },
}

impl Window {
    /// Checks the window's own numbers; problems are reported under `path`.
    ///
    /// # Errors
    ///
    /// `out_of_range` for a trailing window of 0 or more than 1200 months;
    /// `period_reversed` for a fixed range that ends before it starts.
    pub fn validate(&self, path: &JsonPath) -> Result<(), Error> {
        match *self {
            Window::TrailingMonths { months } if months == 0 || months > MAX_WINDOW_MONTHS => {
                Err(Error::problem(
                    Problem::new(ErrorCode::OutOfRange, path.key("months")).message(format!(
                        "a trailing window needs 1 to {MAX_WINDOW_MONTHS} months, found {months}"
                    )),
                ))
            }
            Window::Fixed { start, end } => Period { start, end }.validate(path),
            _ => Ok(()),
        }
    }

    /// The days this window covers as of `as_of`, half-open.
    ///
    /// # Errors
    ///
    /// `date_out_of_range` at the calendar's ends.
    pub fn period(&self, as_of: Date, fiscal: FiscalCalendar) -> Result<Period, Error> {
        let through = add_days(as_of, 1)?;
        match *self {
            Window::TrailingMonths { months } => trailing_months(as_of, months),
            Window::FiscalYearToDate => fiscal.year_to_date(as_of),
            Window::PreviousFiscalYear => fiscal.year(fiscal.fiscal_year(as_of) - 1),
            Window::FiscalQuarterToDate => {
                let quarter = fiscal.quarter(as_of)?;
                Period::new(quarter.period.start, through)
            }
            Window::PreviousFiscalQuarter => {
                let quarter = fiscal.quarter(as_of)?;
                Ok(fiscal.quarter(add_days(quarter.period.start, -1)?)?.period)
            }
            Window::Fixed { start, end } => {
                let end = end.min(through);
                Period::new(start.min(end), end)
            }
        }
    }

    /// The comparison period for growth: the same span just before this window.
    ///
    /// A trailing window of N months is compared with the N months before it;
    /// a fiscal year or quarter to date with the same days one year or one
    /// quarter earlier; a whole previous year or quarter with the one before
    /// it; a fixed range with the same number of days before its start.
    ///
    /// # Errors
    ///
    /// `date_out_of_range` at the calendar's ends.
    ///
    /// # Example
    ///
    /// ```
    /// use prm_core::calendar::{FiscalCalendar, Window, parse_date};
    /// let as_of = parse_date("2026-03-31")?;
    /// let before = Window::TrailingMonths { months: 12 }.preceding(as_of, FiscalCalendar::default())?;
    /// assert_eq!(before.to_string(), "2024-04-01..2025-03-31");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn preceding(&self, as_of: Date, fiscal: FiscalCalendar) -> Result<Period, Error> {
        let current = self.period(as_of, fiscal)?;
        match *self {
            Window::TrailingMonths { months } => {
                trailing_months(add_days(current.start, -1)?, months)
            }
            Window::FiscalYearToDate => Period::new(
                add_months(current.start, -12)?,
                add_days(add_months(as_of, -12)?, 1)?,
            ),
            Window::PreviousFiscalYear => fiscal.year(fiscal.fiscal_year(as_of) - 2),
            Window::FiscalQuarterToDate => Period::new(
                add_months(current.start, -3)?,
                add_days(add_months(as_of, -3)?, 1)?,
            ),
            Window::PreviousFiscalQuarter => {
                Ok(fiscal.quarter(add_days(current.start, -1)?)?.period)
            }
            Window::Fixed { .. } => {
                Period::new(add_days(current.start, -current.days())?, current.start)
            }
        }
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Window::TrailingMonths { months } => write!(f, "trailing {months} months"),
            Window::FiscalYearToDate => f.write_str("fiscal year to date"),
            Window::PreviousFiscalYear => f.write_str("previous fiscal year"),
            Window::FiscalQuarterToDate => f.write_str("fiscal quarter to date"),
            Window::PreviousFiscalQuarter => f.write_str("previous fiscal quarter"),
            Window::Fixed { start, end } => write!(f, "{start} to {end} (exclusive)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_date;

    fn d(text: &str) -> Date {
        parse_date(text).unwrap()
    }

    #[test]
    fn windows_resolve_against_a_july_fiscal_year() -> Result<(), Error> {
        let july = FiscalCalendar::starting_in(7)?;
        let as_of = d("2026-03-31");
        for (window, want) in [
            (
                Window::TrailingMonths { months: 12 },
                "2025-04-01..2026-03-31",
            ),
            (Window::FiscalYearToDate, "2025-07-01..2026-03-31"),
            (Window::PreviousFiscalYear, "2024-07-01..2025-06-30"),
            (Window::FiscalQuarterToDate, "2026-01-01..2026-03-31"),
            (Window::PreviousFiscalQuarter, "2025-10-01..2025-12-31"),
            (
                Window::Fixed {
                    start: d("2026-01-01"),
                    end: d("2026-07-01"),
                },
                "2026-01-01..2026-03-31",
            ),
        ] {
            assert_eq!(window.period(as_of, july)?.to_string(), want, "{window}");
        }
        Ok(())
    }

    #[test]
    fn preceding_windows_have_the_same_span() -> Result<(), Error> {
        let calendar = FiscalCalendar::default();
        let as_of = d("2024-02-29");
        for (window, want) in [
            (
                Window::TrailingMonths { months: 3 },
                "2023-08-30..2023-11-29",
            ),
            (Window::FiscalYearToDate, "2023-01-01..2023-02-28"),
            (Window::PreviousFiscalYear, "2022-01-01..2022-12-31"),
            (Window::FiscalQuarterToDate, "2023-10-01..2023-11-29"),
            (Window::PreviousFiscalQuarter, "2023-07-01..2023-09-30"),
        ] {
            assert_eq!(
                window.preceding(as_of, calendar)?.to_string(),
                want,
                "{window}"
            );
        }
        Ok(())
    }

    #[test]
    fn fixed_window_after_as_of_is_empty() -> Result<(), Error> {
        let window = Window::Fixed {
            start: d("2026-05-01"),
            end: d("2026-06-01"),
        };
        let period = window.period(d("2026-03-31"), FiscalCalendar::default())?;
        assert_eq!(period.days(), 0);
        Ok(())
    }

    #[test]
    fn zero_month_window_is_out_of_range() {
        let err = Window::TrailingMonths { months: 0 }
            .validate(&JsonPath::root().key("window"))
            .unwrap_err();
        assert_eq!(err.problems()[0].path(), "$.window.months");
    }
}
