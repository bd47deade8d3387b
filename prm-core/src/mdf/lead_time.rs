//! Lead times in calendar or business days.

use super::config::{DayCount, LeadTime};
use crate::calendar::Date;
use crate::error::Error;
use chrono::Weekday;

/// True when `date` is Monday to Friday and not one of `holidays` (sorted).
pub fn is_business_day(date: Date, holidays: &[Date]) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && holidays.binary_search(&date).is_err()
}

impl LeadTime {
    /// The last day on which a request for an activity starting on `start`
    /// may be submitted.
    ///
    /// With calendar days it is `start` minus `days`. With business days it
    /// is found by stepping back from `start` one day at a time and counting
    /// only Mondays to Fridays that are not `holidays` (sorted), until `days`
    /// of them have been counted. A request is on time when it is submitted
    /// on or before this day.
    ///
    /// # Errors
    ///
    /// `date_out_of_range` at the calendar's start.
    ///
    /// # Example
    ///
    /// ```
    /// use prm_core::mdf::{LeadTime, DayCount};
    /// let start = "2026-03-16".parse()?; // a Monday
    /// let calendar = LeadTime { days: 30, count: DayCount::CalendarDays };
    /// assert_eq!(calendar.latest_submission(start, &[])?.to_string(), "2026-02-14");
    /// let business = LeadTime { days: 5, count: DayCount::BusinessDays };
    /// assert_eq!(business.latest_submission(start, &[])?.to_string(), "2026-03-09");
    /// // A holiday on Wednesday 2026-03-11 pushes it back to the Friday before.
    /// let holiday = ["2026-03-11".parse()?];
    /// assert_eq!(business.latest_submission(start, &holiday)?.to_string(), "2026-03-06");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn latest_submission(self, start: Date, holidays: &[Date]) -> Result<Date, Error> {
        match self.count {
            DayCount::CalendarDays => start.add_days(-i64::from(self.days)),
            DayCount::BusinessDays => {
                let mut day = start;
                let mut counted = 0;
                while counted < self.days {
                    day = day.add_days(-1)?;
                    if is_business_day(day, holidays) {
                        counted += 1;
                    }
                }
                Ok(day)
            }
        }
    }
}

impl LeadTime {
    /// The earliest start date of an activity whose request is submitted on
    /// `submitted`: the first day that leaves the lead time between them.
    ///
    /// # Errors
    ///
    /// `date_out_of_range` at the calendar's end.
    ///
    /// # Example
    ///
    /// ```
    /// use prm_core::mdf::{LeadTime, DayCount};
    /// let business = LeadTime { days: 5, count: DayCount::BusinessDays };
    /// // Submitted on Monday 2026-03-09: Monday to Friday are the five business
    /// // days before the start, so the activity may start on Saturday.
    /// assert_eq!(business.earliest_start("2026-03-09".parse()?, &[])?.to_string(), "2026-03-14");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn earliest_start(self, submitted: Date, holidays: &[Date]) -> Result<Date, Error> {
        match self.count {
            DayCount::CalendarDays => submitted.add_days(i64::from(self.days)),
            DayCount::BusinessDays => {
                let mut day = submitted;
                let mut counted = 0;
                while counted < self.days {
                    if is_business_day(day, holidays) {
                        counted += 1;
                    }
                    day = day.add_days(1)?;
                }
                Ok(day)
            }
        }
    }
}

/// The number of days from `from` to `start` as the lead time counts them:
/// calendar days, or business days in `[from, start)`.
pub(crate) fn days_before(from: Date, start: Date, count: DayCount, holidays: &[Date]) -> i64 {
    match count {
        DayCount::CalendarDays => from.days_until(start),
        DayCount::BusinessDays => {
            if start <= from {
                return from.days_until(start);
            }
            let mut n = 0;
            let mut day = from;
            while day < start {
                if is_business_day(day, holidays) {
                    n += 1;
                }
                match day.add_days(1) {
                    Ok(next) => day = next,
                    Err(_) => break,
                }
            }
            n
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn business_days_skip_weekends_and_holidays() -> Result<(), Error> {
        let lead = |days| LeadTime {
            days,
            count: DayCount::BusinessDays,
        };
        for &(start, days, holidays, want) in &[
            ("2026-03-16", 1, &[][..], "2026-03-13"), // Monday: the Friday before
            ("2026-03-14", 1, &[][..], "2026-03-13"), // Saturday: the Friday before
            ("2026-03-16", 5, &[][..], "2026-03-09"), // a week back
            ("2026-03-16", 5, &["2026-03-11"][..], "2026-03-06"),
            ("2026-03-16", 0, &[][..], "2026-03-16"), // no lead time
            (
                "2026-04-07",
                2,
                &["2026-04-03", "2026-04-06"][..],
                "2026-04-01",
            ), // Easter
        ] {
            let holidays: Vec<Date> = holidays.iter().map(|h| d(h)).collect();
            assert_eq!(
                lead(days).latest_submission(d(start), &holidays)?,
                d(want),
                "{start} - {days}"
            );
        }
        Ok(())
    }

    #[test]
    fn days_before_counts_the_submission_day_up_to_the_start() {
        let h = [d("2026-03-11")];
        assert_eq!(
            days_before(
                d("2026-03-09"),
                d("2026-03-16"),
                DayCount::BusinessDays,
                &[]
            ),
            5
        );
        assert_eq!(
            days_before(d("2026-03-09"), d("2026-03-16"), DayCount::BusinessDays, &h),
            4
        );
        assert_eq!(
            days_before(
                d("2026-02-14"),
                d("2026-03-16"),
                DayCount::CalendarDays,
                &[]
            ),
            30
        );
    }
}
