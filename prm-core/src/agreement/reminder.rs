//! [`reminders_due`]: reminders before agreements' notice deadlines and ends, each sent exactly once.

use super::term::Agreement;
use crate::calendar::{self, Date, ReminderSchedule, add_days};
use crate::error::{Error, ErrorCode, JsonPath, Problem};
use schemars::JsonSchema;
use serde::Serialize;

/// What an agreement reminder is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReminderAbout {
    /// The last day to give notice not to renew an auto-renewing agreement.
    NoticeDeadline,
    /// The end of an agreement that will not renew.
    Expiry,
}

/// A reminder about one agreement's deadline.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
pub struct AgreementReminder {
    /// The day the reminder is due.
    pub due_on: Date,
    /// The agreement.
    pub agreement_id: String,
    /// The partner.
    pub partner_id: String,
    /// Its kind.
    pub kind: String,
    /// What the deadline is.
    pub about: ReminderAbout,
    /// The deadline: the notice deadline, or the first day out of force.
    pub deadline: Date,
    /// How many days before the deadline the reminder falls.
    pub days_before: u32,
}

/// Every agreement reminder due in `(since, as_of]`, sorted by due date, then agreement.
///
/// Each term of an auto-renewing agreement gets one reminder per entry of
/// `schedule` before its notice deadline; a term that will not renew gets
/// them before its end instead. Reminders due before the agreement was
/// signed, or on or after it was terminated, are dropped. The candidates
/// are handed to [`calendar::reminders_due`], the mechanism certifications
/// use, so a host that passes its previous `as_of` as `since` sends each
/// reminder exactly once.
///
/// # Errors
///
/// `period_reversed` when `since` is after `as_of`; `limit_exceeded` beyond 10,000 terms.
///
/// # Properties
///
/// Splitting `(since, as_of]` into consecutive sub-intervals yields the same
/// reminders, none lost and none doubled
/// (`prop_agreement_reminders_over_split_intervals_match_the_whole`).
///
/// # Example
///
/// ```
/// use prm_core::agreement::{Agreement, reminders_due};
/// use prm_core::calendar::ReminderSchedule;
/// let reseller: Vec<Agreement> = serde_json::from_str(r#"[{
///   "id": "R-1", "partner_id": "p1", "kind": "reseller", "signed_on": "2025-01-01",
///   "effective_from": "2025-01-01", "term_months": 12, "auto_renew": {"notice_days": 60}}]"#)?;
/// let schedule = ReminderSchedule::new(vec![30, 7])?;
/// let due = reminders_due(&reseller, &schedule, "2025-09-30".parse()?, "2025-10-31".parse()?)?;
/// let days: Vec<String> = due.iter().map(|r| r.due_on.to_string()).collect();
/// assert_eq!(days, ["2025-10-03", "2025-10-26"]); // before the 2025-11-02 notice deadline
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn reminders_due(
    agreements: &[Agreement],
    schedule: &ReminderSchedule,
    since: Date,
    as_of: Date,
) -> Result<Vec<AgreementReminder>, Error> {
    let furthest = schedule.days().iter().copied().max().unwrap_or(0);
    let mut candidates = Vec::new();
    for agreement in agreements {
        let Some(signed) = agreement.signed_on else {
            continue;
        };
        if since > as_of {
            break;
        }
        let mut index = 0u32;
        loop {
            let term = agreement.term(index)?;
            let Some(end) = term.end else { break };
            let (about, deadline) = match term.notice_deadline {
                Some(deadline) if term.renews => (ReminderAbout::NoticeDeadline, deadline),
                _ => (ReminderAbout::Expiry, end),
            };
            for (days_before, due_on) in schedule.dates_before(deadline)? {
                let cut = agreement.terminated_on.is_some_and(|t| due_on >= t);
                if due_on >= signed && !cut {
                    candidates.push((
                        due_on,
                        AgreementReminder {
                            due_on,
                            agreement_id: agreement.id.clone(),
                            partner_id: agreement.partner_id.clone(),
                            kind: agreement.kind.clone(),
                            about,
                            deadline,
                            days_before,
                        },
                    ));
                }
            }
            let beyond = add_days(deadline, -i64::from(furthest))? > as_of;
            let terminated = agreement.terminated_on.is_some_and(|t| t <= end);
            if !term.renews || beyond || terminated {
                break;
            }
            index += 1;
            if index > super::term::MAX_TERMS {
                return Err(Error::LimitExceeded(vec![
                    Problem::new(ErrorCode::LimitExceeded, JsonPath::root()).message(format!(
                        "agreement `{}` renews more than {} times before {as_of}",
                        agreement.id,
                        super::term::MAX_TERMS
                    )),
                ]));
            }
        }
    }
    Ok(calendar::reminders_due(candidates, since, as_of)?
        .into_iter()
        .map(|(_, reminder)| reminder)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn reseller(notice: Option<&str>) -> Vec<Agreement> {
        let mut a = json!({"id": "R", "partner_id": "p", "kind": "reseller",
            "signed_on": "2025-01-01", "effective_from": "2025-01-01", "term_months": 12,
            "auto_renew": {"notice_days": 60}});
        if let Some(n) = notice {
            a["non_renewal_notice_on"] = json!(n);
        }
        vec![serde_json::from_value(a).unwrap()]
    }

    #[test]
    fn renewing_terms_each_get_their_reminders() {
        let schedule = ReminderSchedule::new(vec![30]).unwrap();
        let due = reminders_due(
            &reseller(None),
            &schedule,
            "2025-01-01".parse().unwrap(),
            "2027-12-31".parse().unwrap(),
        )
        .unwrap();
        let days: Vec<String> = due.iter().map(|r| r.due_on.to_string()).collect();
        assert_eq!(days, ["2025-10-03", "2026-10-03", "2027-10-03"]);
    }

    #[test]
    fn notice_given_switches_to_expiry_reminders() {
        let schedule = ReminderSchedule::new(vec![30]).unwrap();
        let due = reminders_due(
            &reseller(Some("2025-06-01")),
            &schedule,
            "2025-01-01".parse().unwrap(),
            "2027-12-31".parse().unwrap(),
        )
        .unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].about, ReminderAbout::Expiry);
        assert_eq!(due[0].due_on.to_string(), "2025-12-02");
    }

    proptest! {
        #[test]
        fn prop_agreement_reminders_over_split_intervals_match_the_whole(
            terms in proptest::collection::vec((1u32..24, 0u32..90, any::<bool>(), 0i64..300), 1..6),
            cuts in proptest::collection::vec(0i64..1500, 0..6),
        ) {
            let origin: Date = "2025-01-01".parse().unwrap();
            let agreements: Vec<Agreement> = terms.iter().enumerate().map(|(i, &(months, notice, renew, start))| {
                let mut a = json!({"id": format!("A{i}"), "partner_id": "p", "kind": "reseller",
                    "signed_on": "2024-06-01",
                    "effective_from": add_days(origin, start).unwrap(), "term_months": months});
                if renew { a["auto_renew"] = json!({"notice_days": notice}); }
                serde_json::from_value(a).unwrap()
            }).collect();
            let schedule = ReminderSchedule::new(vec![60, 30, 7, 0]).unwrap();
            let mut points = cuts;
            points.push(0);
            points.push(1499);
            points.sort_unstable();
            let end = add_days(origin, 1499).unwrap();
            let whole = reminders_due(&agreements, &schedule, origin, end).unwrap();
            let mut pieces = Vec::new();
            for pair in points.windows(2) {
                let (a, b) = (add_days(origin, pair[0]).unwrap(), add_days(origin, pair[1]).unwrap());
                pieces.extend(reminders_due(&agreements, &schedule, a, b).unwrap());
            }
            pieces.sort();
            let mut whole_sorted = whole.clone();
            whole_sorted.sort();
            prop_assert_eq!(pieces, whole_sorted);
        }
    }
}
