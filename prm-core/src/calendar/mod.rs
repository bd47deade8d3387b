//! Dates, periods, trailing windows and the fiscal calendar.
//!
//! Dates are `YYYY-MM-DD` ([`Date`], chrono's `NaiveDate`); instants are RFC 3339
//! with an offset ([`Instant`]). Periods are half-open `[start, end)`. Adding
//! months clamps to the month's last day, so 2024-01-31 plus one month is
//! 2024-02-29. A trailing window of N months as of D covers D minus N months
//! plus one day, through D inclusive. A [`Window`] names such a span
//! relative to `as_of` (trailing months, fiscal year to date, ...), and
//! [`reminders_due`] finds the reminders due in `(since, as_of]` exactly once.

mod date;
mod fiscal;
mod period;
mod reminder;
mod window;

pub use date::Date;
pub use fiscal::{FiscalCalendar, FiscalQuarter};
pub use period::{Period, add_days, add_months, parse_date, trailing_months};
pub use reminder::{ReminderSchedule, reminders_due};
pub use window::{MAX_WINDOW_MONTHS, Window};

/// A moment in time with its UTC offset, written in RFC 3339 (`2026-01-05T09:30:00+01:00`).
pub type Instant = chrono::DateTime<chrono::FixedOffset>;
