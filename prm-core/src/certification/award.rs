//! [`Award`]: a certification earned by a person, and the timeline its dates imply.

use super::catalog::{CertificationDef, CertificationId};
use crate::calendar::{Date, add_days, add_months};
use crate::error::{Error, JsonPath};
use crate::partner::PersonId;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A certification earned by a person, with its renewals.
///
/// ```
/// use prm_core::certification::Award;
/// let award: Award = serde_json::from_str(r#"{
///   "person_id": "P0001-01", "cert_id": "SALES-PRO",
///   "earned_on": "2024-01-10", "renewed_on": ["2025-09-01"]
/// }"#)?;
/// assert_eq!(award.renewed_on.len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Award {
    /// Who holds it.
    pub person_id: PersonId,
    /// Which certification.
    pub cert_id: CertificationId,
    /// The day it was earned.
    pub earned_on: Date,
    /// The days it was renewed, in any order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub renewed_on: Vec<Date>,
}

/// One validity term of an award: when it expires, and the renewal that extended it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Term {
    /// The first day the award is no longer valid, unless renewed.
    pub expires_on: Date,
    /// The accepted renewal that replaced this expiry with the next one.
    pub renewed_on: Option<Date>,
}

/// A renewal that did not extend the award, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RejectedRenewal {
    /// Its position in `renewed_on`.
    pub index: usize,
    /// Its date.
    pub on: Date,
    /// Why, for a person.
    pub reason: String,
}

/// What an award's dates mean under its certification's rules, before prerequisites.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Timeline {
    pub earned_on: Date,
    /// Validity terms before the current one, oldest first (each was renewed).
    pub renewed: Vec<Term>,
    /// The current validity term; none when the certification never expires.
    pub current: Option<Term>,
    /// When renewal of the current term opens.
    pub renewal_opens_on: Option<Date>,
    /// The first day after grace: the award is `expired` from this day.
    pub grace_until: Option<Date>,
    /// The day the certification was retired.
    pub retired_on: Option<Date>,
    /// The first day the award no longer counts because its certification was retired.
    pub retired_until: Option<Date>,
    /// The award was earned on or after the certification's retirement.
    pub earned_after_retirement: bool,
    /// Renewals that did not count.
    pub rejected: Vec<RejectedRenewal>,
}

impl Timeline {
    /// Works out the terms of `award` under `def`.
    ///
    /// The k-th expiry is `earned_on + k × validity_months`, which is
    /// "extends from the previous expiry" without drifting at month ends:
    /// earned 2024-02-29 with 24 months expires 2026-02-28, and once renewed
    /// 2028-02-29.
    pub fn new(def: &CertificationDef, award: &Award) -> Result<Timeline, Error> {
        let earned_on = award.earned_on;
        let retired_until = match def.retired_on {
            Some(retired) => Some(add_days(retired, def.retired_grace())?),
            None => None,
        };
        let mut timeline = Timeline {
            earned_on,
            renewed: Vec::new(),
            current: None,
            renewal_opens_on: None,
            grace_until: None,
            retired_on: def.retired_on,
            retired_until,
            earned_after_retirement: def.retired_on.is_some_and(|r| earned_on >= r),
            rejected: Vec::new(),
        };
        let Some(validity) = def.validity() else {
            return Ok(timeline);
        };
        let mut renewals: Vec<(usize, Date)> =
            award.renewed_on.iter().copied().enumerate().collect();
        renewals.sort_by_key(|&(index, on)| (on, index));
        let grace = def.grace();
        let mut start = earned_on;
        let mut expires_on = add_months(earned_on, validity)?;
        let mut opens = renewal_opens(def, start, expires_on)?;
        let mut closes = add_days(expires_on, grace)?;
        timeline.current = Some(Term {
            expires_on,
            renewed_on: None,
        });
        for (index, on) in renewals {
            let reason = if on < earned_on {
                Some(format!(
                    "renewal on {on} is before the award was earned on {earned_on}"
                ))
            } else if let Some(retired) = def.retired_on.filter(|r| on >= *r) {
                Some(format!(
                    "renewal on {on} is after `{}` was retired on {retired}",
                    def.id
                ))
            } else if on < opens || on >= closes {
                Some(format!(
                    "renewal on {on} is outside the window {opens} to {} for the expiry on {expires_on}",
                    add_days(closes, -1)?
                ))
            } else {
                None
            };
            if let Some(reason) = reason {
                timeline
                    .rejected
                    .push(RejectedRenewal { index, on, reason });
                continue;
            }
            if let Some(mut term) = timeline.current.take() {
                term.renewed_on = Some(on);
                timeline.renewed.push(term);
            }
            let terms = i32::try_from(timeline.renewed.len() + 1).unwrap_or(i32::MAX);
            let months = validity.checked_mul(terms).ok_or_else(|| {
                Error::overflow(
                    JsonPath::root(),
                    format!("{terms} terms of {validity} months"),
                )
            })?;
            start = expires_on;
            expires_on = add_months(earned_on, months)?;
            opens = renewal_opens(def, start, expires_on)?;
            closes = add_days(expires_on, grace)?;
            timeline.current = Some(Term {
                expires_on,
                renewed_on: None,
            });
        }
        timeline.renewal_opens_on = Some(opens);
        timeline.grace_until = Some(closes);
        Ok(timeline)
    }

    /// Every validity term, oldest first; none when the certification never expires.
    pub fn terms(&self) -> impl Iterator<Item = &Term> {
        self.renewed.iter().chain(self.current.iter())
    }

    /// The current expiry, when the certification expires.
    pub fn expires_on(&self) -> Option<Date> {
        self.current.map(|t| t.expires_on)
    }

    /// The first day the award no longer counts (`None`: it counts indefinitely).
    pub fn counts_until(&self) -> Option<Date> {
        if self.earned_after_retirement {
            return Some(self.earned_on);
        }
        match (self.grace_until, self.retired_until) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// True when the award counts on `date`, prerequisites aside.
    pub fn counts_on(&self, date: Date) -> bool {
        self.earned_on <= date && self.counts_until().is_none_or(|until| date < until)
    }
}

fn renewal_opens(def: &CertificationDef, start: Date, expires_on: Date) -> Result<Date, Error> {
    match def.renewal_opens() {
        Some(months) => Ok(add_months(expires_on, -months)?.max(start)),
        None => Ok(start),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_date;

    fn d(text: &str) -> Date {
        parse_date(text).unwrap()
    }

    fn sales_pro() -> CertificationDef {
        serde_json::from_value(serde_json::json!({
            "id": "SALES-PRO", "name": "Sales Professional",
            "validity_months": 24, "renewal_opens_months": 6, "grace_days": 30
        }))
        .unwrap()
    }

    fn award(earned: &str, renewed: &[&str]) -> Award {
        Award {
            person_id: "p".into(),
            cert_id: "SALES-PRO".into(),
            earned_on: d(earned),
            renewed_on: renewed.iter().map(|r| d(r)).collect(),
        }
    }

    /// DOMAIN.md §1 worked example.
    #[test]
    fn timeline_follows_the_worked_example() -> Result<(), Error> {
        let t = Timeline::new(&sales_pro(), &award("2024-01-10", &[]))?;
        assert_eq!(t.expires_on(), Some(d("2026-01-10")));
        assert_eq!(t.renewal_opens_on, Some(d("2025-07-10")));
        assert_eq!(t.grace_until, Some(d("2026-02-09")));
        assert!(t.counts_on(d("2026-01-20")));
        assert!(!t.counts_on(d("2026-02-09")));
        let renewed = Timeline::new(&sales_pro(), &award("2024-01-10", &["2025-09-01"]))?;
        assert_eq!(renewed.expires_on(), Some(d("2028-01-10")));
        let early = Timeline::new(&sales_pro(), &award("2024-01-10", &["2025-05-01"]))?;
        assert_eq!(early.expires_on(), Some(d("2026-01-10")));
        assert_eq!(early.rejected.len(), 1);
        Ok(())
    }

    #[test]
    fn renewal_window_edges_are_first_day_in_last_day_in() -> Result<(), Error> {
        for &(on, accepted) in &[
            ("2025-07-09", false),
            ("2025-07-10", true),
            ("2026-02-08", true),
            ("2026-02-09", false),
        ] {
            let t = Timeline::new(&sales_pro(), &award("2024-01-10", &[on]))?;
            assert_eq!(t.rejected.is_empty(), accepted, "{on}");
        }
        Ok(())
    }

    #[test]
    fn renewal_from_leap_day_does_not_drift() -> Result<(), Error> {
        let t = Timeline::new(&sales_pro(), &award("2024-02-29", &["2026-01-15"]))?;
        let expiries: Vec<String> = t.terms().map(|t| t.expires_on.to_string()).collect();
        assert_eq!(expiries, ["2026-02-28", "2028-02-29"]);
        Ok(())
    }

    #[test]
    fn renewals_are_taken_in_date_order() -> Result<(), Error> {
        let t = Timeline::new(
            &sales_pro(),
            &award("2024-01-10", &["2027-09-01", "2025-09-01"]),
        )?;
        assert_eq!(t.expires_on(), Some(d("2030-01-10")));
        assert!(t.rejected.is_empty());
        Ok(())
    }

    #[test]
    fn a_second_renewal_the_same_day_is_rejected() -> Result<(), Error> {
        let t = Timeline::new(
            &sales_pro(),
            &award("2024-01-10", &["2025-09-01", "2025-09-01"]),
        )?;
        assert_eq!(t.expires_on(), Some(d("2028-01-10")));
        assert_eq!(t.rejected.len(), 1);
        assert_eq!(t.rejected[0].index, 1);
        Ok(())
    }
}
