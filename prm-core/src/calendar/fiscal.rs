//! [`FiscalCalendar`]: fiscal years and quarters that start in any month.

use super::{Date, Period, add_months};
use crate::error::{Error, ErrorCode, JsonPath, Problem};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A fiscal calendar whose year starts on the first day of `first_month`.
///
/// A fiscal year is named after the calendar year in which it **ends**: with
/// `first_month: 7`, fiscal year 2026 runs from 2025-07-01 to 2026-06-30, and
/// its first quarter is July to September 2025. With `first_month: 1` (the
/// default) fiscal years are calendar years.
///
/// ```
/// use prm_core::calendar::{FiscalCalendar, parse_date};
/// let july = FiscalCalendar::starting_in(7)?;
/// let q = july.quarter(parse_date("2025-08-15")?)?;
/// assert_eq!((q.year, q.quarter), (2026, 1));
/// assert_eq!(q.period.to_string(), "2025-07-01..2025-09-30");
/// assert_eq!(july.year(2026)?.to_string(), "2025-07-01..2026-06-30");
/// assert!(FiscalCalendar::starting_in(13).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FiscalCalendar {
    /// The month (1 = January ... 12 = December) on whose first day each fiscal year starts.
    #[schemars(range(min = 1, max = 12))]
    pub first_month: u32,
}

impl Default for FiscalCalendar {
    fn default() -> FiscalCalendar {
        FiscalCalendar { first_month: 1 }
    }
}

/// One fiscal quarter: its fiscal year, its number (1 to 4) and its days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
pub struct FiscalQuarter {
    /// The fiscal year (named after the calendar year in which it ends).
    pub year: i32,
    /// 1 to 4.
    pub quarter: u32,
    /// The quarter's days, half-open.
    pub period: Period,
}

impl FiscalCalendar {
    /// A calendar whose fiscal year starts in `first_month` (1 to 12).
    ///
    /// # Errors
    ///
    /// `invalid_month` when `first_month` is not in 1..=12.
    pub fn starting_in(first_month: u32) -> Result<FiscalCalendar, Error> {
        let calendar = FiscalCalendar { first_month };
        calendar.validate(&JsonPath::root().key("first_month"))?;
        Ok(calendar)
    }

    /// Checks `first_month`; problems are reported at `path`.
    ///
    /// # Errors
    ///
    /// `invalid_month` when `first_month` is not in 1..=12.
    pub fn validate(&self, path: &JsonPath) -> Result<(), Error> {
        if (1..=12).contains(&self.first_month) {
            Ok(())
        } else {
            Err(Error::problem(
                Problem::new(ErrorCode::InvalidMonth, path).message(format!(
                    "first_month must be 1 to 12, found {}",
                    self.first_month
                )),
            ))
        }
    }

    fn year_start(&self, fiscal_year: i32) -> Result<Date, Error> {
        let calendar_year = if self.first_month == 1 {
            fiscal_year
        } else {
            fiscal_year - 1
        };
        Date::new(calendar_year, self.first_month.clamp(1, 12), 1).map_err(|_| {
            Error::problem(
                Problem::new(ErrorCode::DateOutOfRange, JsonPath::root())
                    .message(format!("fiscal year {fiscal_year} is outside the calendar")),
            )
        })
    }

    /// The fiscal year that contains `date`.
    pub fn fiscal_year(&self, date: Date) -> i32 {
        if self.first_month == 1 || date.month() < self.first_month {
            date.year()
        } else {
            date.year() + 1
        }
    }

    /// The days of fiscal year `fiscal_year`.
    ///
    /// # Errors
    ///
    /// `date_out_of_range` at the calendar's ends.
    pub fn year(&self, fiscal_year: i32) -> Result<Period, Error> {
        let start = self.year_start(fiscal_year)?;
        Period::new(start, add_months(start, 12)?)
    }

    /// The fiscal quarter that contains `date`.
    ///
    /// # Errors
    ///
    /// `date_out_of_range` at the calendar's ends.
    pub fn quarter(&self, date: Date) -> Result<FiscalQuarter, Error> {
        let year = self.fiscal_year(date);
        let months_in = (date.month() + 12 - self.first_month.clamp(1, 12)) % 12;
        let quarter = months_in / 3 + 1;
        self.quarter_of(year, quarter)
    }

    /// Quarter `quarter` (1 to 4) of fiscal year `year`.
    ///
    /// # Errors
    ///
    /// `out_of_range` for a quarter outside 1..=4; `date_out_of_range` at the calendar's ends.
    pub fn quarter_of(&self, year: i32, quarter: u32) -> Result<FiscalQuarter, Error> {
        if !(1..=4).contains(&quarter) {
            return Err(Error::problem(
                Problem::new(ErrorCode::OutOfRange, JsonPath::root())
                    .message(format!("quarter must be 1 to 4, found {quarter}")),
            ));
        }
        let offset = i32::try_from((quarter - 1) * 3).unwrap_or(0);
        let start = add_months(self.year_start(year)?, offset)?;
        Ok(FiscalQuarter {
            year,
            quarter,
            period: Period::new(start, add_months(start, 3)?)?,
        })
    }

    /// The fiscal year to date: from the start of `as_of`'s fiscal year through `as_of`.
    ///
    /// # Errors
    ///
    /// `date_out_of_range` at the calendar's ends.
    pub fn year_to_date(&self, as_of: Date) -> Result<Period, Error> {
        let year = self.year(self.fiscal_year(as_of))?;
        Period::inclusive(year.start, as_of)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_date;

    #[test]
    fn calendar_years_by_default() -> Result<(), Error> {
        let c = FiscalCalendar::default();
        let q = c.quarter(parse_date("2026-03-31")?)?;
        assert_eq!((q.year, q.quarter), (2026, 1));
        assert_eq!(q.period.end, parse_date("2026-04-01")?);
        assert_eq!(c.quarter(parse_date("2026-12-31")?)?.quarter, 4);
        Ok(())
    }

    #[test]
    fn july_fiscal_year_quarters() -> Result<(), Error> {
        let c = FiscalCalendar::starting_in(7)?;
        for &(day, year, quarter) in &[
            ("2025-06-30", 2025, 4),
            ("2025-07-01", 2026, 1),
            ("2025-12-31", 2026, 2),
            ("2026-01-01", 2026, 3),
            ("2026-04-01", 2026, 4),
        ] {
            let q = c.quarter(parse_date(day)?)?;
            assert_eq!((q.year, q.quarter), (year, quarter), "{day}");
            assert!(q.period.contains(parse_date(day)?));
        }
        assert_eq!(
            c.year_to_date(parse_date("2025-08-15")?)?.start,
            parse_date("2025-07-01")?
        );
        Ok(())
    }
}
