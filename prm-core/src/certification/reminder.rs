//! [`reminders_due`]: renewal reminders for certification awards, each sent exactly once.

use super::award::Award;
use super::catalog::CertificationCatalog;
use super::status::Holdings;
use crate::calendar::{self, Date, ReminderSchedule};
use crate::error::{Error, JsonPath};
use crate::partner::Person;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;

/// A reminder to renew a certification before it expires.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
pub struct CertificationReminder {
    /// The day the reminder is due.
    pub due_on: Date,
    /// Who holds the award.
    pub person_id: String,
    /// Which certification.
    pub cert_id: String,
    /// When the award was earned (it tells two awards of the same certification apart).
    pub earned_on: Date,
    /// The expiry the reminder is about.
    pub expires_on: Date,
    /// How many days before the expiry the reminder falls.
    pub days_before: u32,
}

/// Every renewal reminder due in `(since, as_of]`, sorted by due date, person and certification.
///
/// Each validity term of each award has one reminder per entry of
/// `schedule`, on the expiry minus that many days. A reminder is dropped
/// when it would fall on or after the day the award was renewed (the
/// renewal answered it), before the award was earned, or on or after the
/// day its certification was retired; awards earned without their
/// prerequisites get none. Because the reminders are a function of the
/// award records alone, a host that passes the previous run's `as_of` as
/// `since` sends each one exactly once, whether it runs daily, weekly or
/// after a week of downtime.
///
/// # Errors
///
/// `unknown_reference` for an award of a certification the catalog lacks;
/// `period_reversed` when `since` is after `as_of`.
///
/// # Properties
///
/// Splitting `(since, as_of]` into consecutive sub-intervals yields the same
/// reminders, none lost and none doubled (`prop_reminders_over_split_intervals_match_the_whole`).
///
/// # Example
///
/// ```
/// use prm_core::calendar::ReminderSchedule;
/// use prm_core::certification::{Award, CertificationCatalog, reminders_due};
/// let catalog: CertificationCatalog = serde_json::from_str(r#"{"certifications": [
///   {"id": "SALES-PRO", "name": "Sales Professional",
///    "validity_months": 24, "renewal_opens_months": 6, "grace_days": 30}]}"#)?;
/// let awards = [Award {
///     person_id: "anna".into(), cert_id: "SALES-PRO".into(),
///     earned_on: "2024-01-10".parse()?, renewed_on: vec![],
/// }];
/// let schedule = ReminderSchedule::new(vec![90, 60, 30, 7])?;
/// let due = reminders_due(&catalog, &awards, &schedule, "2025-01-01".parse()?, "2026-12-31".parse()?)?;
/// let days: Vec<String> = due.iter().map(|r| r.due_on.to_string()).collect();
/// assert_eq!(days, ["2025-10-12", "2025-11-11", "2025-12-11", "2026-01-03"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn reminders_due(
    catalog: &CertificationCatalog,
    awards: &[Award],
    schedule: &ReminderSchedule,
    since: Date,
    as_of: Date,
) -> Result<Vec<CertificationReminder>, Error> {
    let holdings =
        Holdings::new(catalog, awards).map_err(|e| e.under(&JsonPath::root().key("awards")))?;
    let mut candidates = Vec::new();
    for i in 0..holdings.len() {
        let (Some(award), Some(timeline)) = (holdings.award(i), holdings.timeline(i)) else {
            continue;
        };
        if !holdings.earned_validly(i) || timeline.earned_after_retirement {
            continue;
        }
        for term in timeline.terms() {
            for (days_before, due_on) in schedule.dates_before(term.expires_on)? {
                let answered = term.renewed_on.is_some_and(|renewed| due_on >= renewed);
                let retired = timeline.retired_on.is_some_and(|retired| due_on >= retired);
                if answered || retired || due_on < award.earned_on {
                    continue;
                }
                candidates.push((
                    due_on,
                    CertificationReminder {
                        due_on,
                        person_id: award.person_id.clone(),
                        cert_id: award.cert_id.clone(),
                        earned_on: award.earned_on,
                        expires_on: term.expires_on,
                        days_before,
                    },
                ));
            }
        }
    }
    Ok(calendar::reminders_due(candidates, since, as_of)?
        .into_iter()
        .map(|(_, reminder)| reminder)
        .collect())
}

/// Keeps the reminders of people who work at their partner on the reminder's due date.
///
/// A reminder for someone not in `people`, or who has left by then, is dropped;
/// the result is still a function of the records alone, so exactly-once holds.
pub fn for_active_people(
    reminders: Vec<CertificationReminder>,
    people: &[Person],
) -> Vec<CertificationReminder> {
    let by_id: BTreeMap<&str, &Person> = people.iter().map(|p| (p.id.as_str(), p)).collect();
    reminders
        .into_iter()
        .filter(|r| {
            by_id
                .get(r.person_id.as_str())
                .is_some_and(|p| p.is_active_on(r.due_on))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{add_days, parse_date};
    use proptest::prelude::*;
    use serde_json::json;

    fn d(text: &str) -> Date {
        parse_date(text).unwrap()
    }

    fn catalog() -> CertificationCatalog {
        serde_json::from_value(json!({"certifications": [
            {"id": "SALES-PRO", "name": "Sales Professional",
             "validity_months": 24, "renewal_opens_months": 6, "grace_days": 30},
            {"id": "TECH", "name": "Tech", "validity_months": 12, "retired_on": "2026-06-01"}
        ]}))
        .unwrap()
    }

    fn schedule() -> ReminderSchedule {
        ReminderSchedule::new(vec![90, 60, 30, 7]).unwrap()
    }

    fn award(cert: &str, earned: &str, renewed: &[&str]) -> Award {
        Award {
            person_id: "anna".into(),
            cert_id: cert.into(),
            earned_on: d(earned),
            renewed_on: renewed.iter().map(|r| d(r)).collect(),
        }
    }

    fn days(found: &[CertificationReminder]) -> Vec<String> {
        found.iter().map(|r| r.due_on.to_string()).collect()
    }

    #[test]
    fn renewal_cancels_the_reminders_still_to_come() -> Result<(), Error> {
        let awards = [award("SALES-PRO", "2024-01-10", &["2025-11-20"])];
        let found = reminders_due(
            &catalog(),
            &awards,
            &schedule(),
            d("2025-01-01"),
            d("2027-12-31"),
        )?;
        assert_eq!(
            days(&found),
            [
                "2025-10-12",
                "2025-11-11",
                "2027-10-12",
                "2027-11-11",
                "2027-12-11"
            ]
        );
        Ok(())
    }

    #[test]
    fn retired_certification_gets_no_reminders_after_retirement() -> Result<(), Error> {
        let awards = [award("TECH", "2025-08-01", &[])];
        let found = reminders_due(
            &catalog(),
            &awards,
            &schedule(),
            d("2025-01-01"),
            d("2026-12-31"),
        )?;
        assert_eq!(days(&found), ["2026-05-03"]);
        Ok(())
    }

    #[test]
    fn people_who_left_get_no_reminders() -> Result<(), Error> {
        let awards = [award("SALES-PRO", "2024-01-10", &[])];
        let found = reminders_due(
            &catalog(),
            &awards,
            &schedule(),
            d("2025-01-01"),
            d("2026-12-31"),
        )?;
        let people: Vec<Person> = serde_json::from_value(json!([
            {"id": "anna", "partner_id": "P1", "active_to": "2025-12-01"}
        ]))
        .unwrap();
        assert_eq!(
            days(&for_active_people(found, &people)),
            ["2025-10-12", "2025-11-11"]
        );
        Ok(())
    }

    proptest! {
        #[test]
        fn prop_reminders_over_split_intervals_match_the_whole(
            earned in 0i64..1500,
            renewals in proptest::collection::vec(0i64..2500, 0..4),
            cuts in proptest::collection::vec(0i64..3000, 0..8),
        ) {
            let origin = d("2022-01-01");
            let awards = [Award {
                person_id: "anna".into(),
                cert_id: "SALES-PRO".into(),
                earned_on: add_days(origin, earned)?,
                renewed_on: renewals.iter().map(|r| add_days(origin, *r)).collect::<Result<_, _>>()?,
            }];
            let end = add_days(origin, 3000)?;
            let whole = reminders_due(&catalog(), &awards, &schedule(), origin, end)?;
            let mut points = cuts;
            points.push(0);
            points.push(3000);
            points.sort_unstable();
            let mut pieces = Vec::new();
            for pair in points.windows(2) {
                pieces.extend(reminders_due(
                    &catalog(), &awards, &schedule(),
                    add_days(origin, pair[0])?, add_days(origin, pair[1])?,
                )?);
            }
            prop_assert_eq!(pieces, whole);
        }
    }
}
