//! Exactly-once reminders: [`ReminderSchedule`] and [`reminders_due`].
//!
//! A host asks "which reminders are due?" whenever it runs: daily, weekly, or
//! after a week of downtime. prm answers with every reminder whose due date
//! falls in `(since, as_of]`, where `since` is the `as_of` of the host's
//! previous run. Consecutive runs cover consecutive, non-overlapping
//! intervals, so each reminder is sent exactly once and none is lost,
//! whatever the cadence.

use super::{Date, add_days};
use crate::error::{Error, ErrorCode, JsonPath, Problem};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Days before a deadline on which to remind, e.g. `[90, 60, 30, 7]`.
///
/// `0` reminds on the deadline itself. Order does not matter; each day may
/// appear once.
///
/// ```
/// use prm_core::calendar::{ReminderSchedule, parse_date};
/// let schedule = ReminderSchedule::new(vec![90, 60, 30, 7])?;
/// let dates: Vec<String> = schedule
///     .dates_before(parse_date("2026-01-10")?)?
///     .iter()
///     .map(|(_, date)| date.to_string())
///     .collect();
/// assert_eq!(dates, ["2025-10-12", "2025-11-11", "2025-12-11", "2026-01-03"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct ReminderSchedule(Vec<u32>);

impl ReminderSchedule {
    /// A schedule of `days` before the deadline.
    ///
    /// # Errors
    ///
    /// `invalid_value` when a day appears twice.
    pub fn new(days: Vec<u32>) -> Result<ReminderSchedule, Error> {
        let schedule = ReminderSchedule(days);
        schedule.validate(&JsonPath::root())?;
        Ok(schedule)
    }

    /// Checks that no day appears twice; problems are reported under `path`.
    ///
    /// # Errors
    ///
    /// `invalid_value` at the repeated entry.
    pub fn validate(&self, path: &JsonPath) -> Result<(), Error> {
        let mut seen = BTreeSet::new();
        let problems: Vec<Problem> = self
            .0
            .iter()
            .enumerate()
            .filter(|(_, day)| !seen.insert(**day))
            .map(|(i, day)| {
                Problem::new(ErrorCode::InvalidValue, path.index(i))
                    .message(format!(
                        "{day} days is listed twice in the reminder schedule"
                    ))
                    .help("list each day once")
            })
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::invalid(problems))
        }
    }

    /// The days before the deadline, as given.
    pub fn days(&self) -> &[u32] {
        &self.0
    }

    /// True when there is nothing to remind.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Each reminder's `(days before, date)` for `deadline`, earliest first.
    ///
    /// # Errors
    ///
    /// `date_out_of_range` at the calendar's ends.
    pub fn dates_before(&self, deadline: Date) -> Result<Vec<(u32, Date)>, Error> {
        let mut dates = self
            .0
            .iter()
            .map(|&days| Ok((days, add_days(deadline, -i64::from(days))?)))
            .collect::<Result<Vec<_>, Error>>()?;
        dates.sort_by_key(|&(days, date)| (date, std::cmp::Reverse(days)));
        Ok(dates)
    }
}

/// Every candidate whose due date falls in `(since, as_of]`, each once, sorted by date then key.
///
/// Candidates are `(due date, key)` pairs; the key says what the reminder is
/// about (a certification award and the days before its expiry, an
/// agreement and its notice deadline). Identical pairs are returned once.
///
/// # Errors
///
/// `period_reversed` at `$.since` when `since` is after `as_of`.
///
/// # Properties
///
/// Exactly once over any split: for `a <= b <= c`, the reminders due in
/// `(a, b]` followed by those due in `(b, c]` are exactly those due in
/// `(a, c]`, with none lost and none doubled (`prop_split_intervals_send_each_reminder_once`).
///
/// # Example
///
/// ```
/// use prm_core::calendar::{reminders_due, parse_date};
/// let candidates = vec![
///     (parse_date("2026-01-03")?, "award-1 7 days"),
///     (parse_date("2025-12-11")?, "award-1 30 days"),
///     (parse_date("2026-02-01")?, "award-2 90 days"),
/// ];
/// let due = reminders_due(candidates, parse_date("2025-12-31")?, parse_date("2026-01-31")?)?;
/// assert_eq!(due, vec![(parse_date("2026-01-03")?, "award-1 7 days")]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn reminders_due<K: Ord>(
    candidates: impl IntoIterator<Item = (Date, K)>,
    since: Date,
    as_of: Date,
) -> Result<Vec<(Date, K)>, Error> {
    if since > as_of {
        return Err(Error::problem(
            Problem::new(ErrorCode::PeriodReversed, JsonPath::root().key("since"))
                .message(format!("since ({since}) is after as_of ({as_of})"))
                .help("pass the as_of of the previous run as since"),
        ));
    }
    let due: BTreeSet<(Date, K)> = candidates
        .into_iter()
        .filter(|(date, _)| since < *date && *date <= as_of)
        .collect();
    Ok(due.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_date;
    use proptest::prelude::*;

    fn d(text: &str) -> Date {
        parse_date(text).unwrap()
    }

    #[test]
    fn schedule_refuses_a_repeated_day() {
        let err = ReminderSchedule::new(vec![30, 7, 30]).unwrap_err();
        assert_eq!(err.problems()[0].path(), "$[2]");
    }

    #[test]
    fn interval_excludes_since_and_includes_as_of() -> Result<(), Error> {
        let candidates = vec![(d("2026-01-01"), 1), (d("2026-01-31"), 2)];
        let due = reminders_due(candidates, d("2026-01-01"), d("2026-01-31"))?;
        assert_eq!(due, vec![(d("2026-01-31"), 2)]);
        Ok(())
    }

    #[test]
    fn since_after_as_of_is_reversed() {
        let err =
            reminders_due(Vec::<(Date, u8)>::new(), d("2026-02-01"), d("2026-01-01")).unwrap_err();
        assert_eq!(err.problems()[0].code(), ErrorCode::PeriodReversed);
    }

    proptest! {
        #[test]
        fn prop_split_intervals_send_each_reminder_once(
            offsets in proptest::collection::vec((0i64..400, 0u8..5), 0..40),
            cuts in proptest::collection::vec(0i64..400, 0..6),
        ) {
            let origin = d("2025-01-01");
            let candidates: Vec<(Date, u8)> = offsets
                .iter()
                .map(|&(days, key)| (add_days(origin, days).unwrap(), key))
                .collect();
            let mut points: Vec<i64> = cuts;
            points.push(0);
            points.push(399);
            points.sort_unstable();
            let whole = reminders_due(candidates.clone(), origin, add_days(origin, 399)?)?;
            let mut pieces = Vec::new();
            for pair in points.windows(2) {
                let (a, b) = (add_days(origin, pair[0])?, add_days(origin, pair[1])?);
                pieces.extend(reminders_due(candidates.clone(), a, b)?);
            }
            prop_assert_eq!(pieces, whole);
        }
    }
}
