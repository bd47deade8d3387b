//! [`Agreement`] and its terms: when it is in force, when it renews, and its [`AgreementStatus`].

use crate::calendar::{Date, add_days, add_months};
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use crate::partner::PartnerId;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The most terms prm walks for one agreement before refusing with `limit_exceeded`.
pub const MAX_TERMS: u32 = 10_000;

/// How an agreement renews itself when nobody gives notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AutoRenew {
    /// Notice not to renew must be given at least this many days before the term ends:
    /// the notice deadline is the term's end minus `notice_days`, and notice given on the
    /// deadline itself still counts.
    pub notice_days: u32,
    /// The length of each renewal term; the agreement's `term_months` by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal_term_months: Option<u32>,
}

/// A signed (or to-be-signed) agreement between the vendor and a partner.
///
/// `expires_on` is the first day the agreement is no longer in force (as
/// with certifications, every date is the first day something stops). Give
/// `expires_on` or `term_months`, or neither for an open-ended agreement.
///
/// ```
/// use prm_core::agreement::{Agreement, AgreementStatus};
/// let nda: Agreement = serde_json::from_str(r#"{
///   "id": "A-1", "partner_id": "p1", "kind": "nda",
///   "signed_on": "2025-01-02", "effective_from": "2025-01-01", "term_months": 12
/// }"#)?;
/// assert_eq!(nda.status("2025-06-30".parse()?, 30)?.status, AgreementStatus::Active);
/// assert_eq!(nda.status("2026-01-01".parse()?, 30)?.status, AgreementStatus::Expired);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Agreement {
    /// Unique id.
    pub id: String,
    /// The partner bound by it.
    pub partner_id: PartnerId,
    /// Its kind, one of the program's agreement kinds (`reseller`, `nda`, `mdf_terms`, `dpa`).
    pub kind: String,
    /// The day both sides had signed; absent while the signature is pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_on: Option<Date>,
    /// The first day it is in force.
    pub effective_from: Date,
    /// The first day the first term is no longer in force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<Date>,
    /// The first term's length in months, counted from `effective_from`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term_months: Option<u32>,
    /// Renews for another term unless notice is given before the deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_renew: Option<AutoRenew>,
    /// The day either side gave notice not to renew.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub non_renewal_notice_on: Option<Date>,
    /// The first day it is no longer in force because it was terminated early.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminated_on: Option<Date>,
}

/// An agreement's status on a day.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AgreementStatus {
    /// Not signed yet (or signed after the day asked about).
    PendingSignature,
    /// Signed, but its `effective_from` is still ahead.
    NotYetEffective,
    /// In force.
    Active,
    /// In force, ends without renewal, and the end is inside the warning horizon.
    Expiring,
    /// In force, renews automatically, and the notice deadline is inside the warning
    /// horizon: the last days to give notice not to renew.
    InNoticePeriod,
    /// Its last term has ended.
    Expired,
    /// Terminated early.
    Terminated,
}

impl AgreementStatus {
    /// The wire spelling (`in_notice_period`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            AgreementStatus::PendingSignature => "pending_signature",
            AgreementStatus::NotYetEffective => "not_yet_effective",
            AgreementStatus::Active => "active",
            AgreementStatus::Expiring => "expiring",
            AgreementStatus::InNoticePeriod => "in_notice_period",
            AgreementStatus::Expired => "expired",
            AgreementStatus::Terminated => "terminated",
        }
    }

    /// True while the agreement binds: `active`, `expiring` or `in_notice_period`.
    pub fn in_force(self) -> bool {
        matches!(
            self,
            AgreementStatus::Active | AgreementStatus::Expiring | AgreementStatus::InNoticePeriod
        )
    }
}

/// One term of an agreement: `[start, end)`, and whether it renews at its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Term {
    /// 0 for the first term, 1 for the first renewal, ...
    pub index: u32,
    /// The term's first day.
    pub start: Date,
    /// The first day after the term; absent for an open-ended agreement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<Date>,
    /// True when the term renews at its end (auto-renewing, and no notice by the deadline).
    pub renews: bool,
    /// The last day notice not to renew counts, for auto-renewing agreements.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice_deadline: Option<Date>,
}

/// An agreement's status on a day, with the dates that explain it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct AgreementReport {
    /// The agreement.
    pub agreement_id: String,
    /// The partner.
    pub partner_id: PartnerId,
    /// Its kind.
    pub kind: String,
    /// Its status on `as_of`.
    pub status: AgreementStatus,
    /// True when it binds on `as_of`.
    pub in_force: bool,
    /// The term `as_of` falls in (or the last one), when it has started.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub term: Option<Term>,
    /// The day the current term renews, when it will.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renews_on: Option<Date>,
    /// The day it stops, when no renewal follows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ends_on: Option<Date>,
    /// Why, in one sentence.
    pub reason: String,
}

impl Agreement {
    /// Checks the agreement's own dates and terms; problems are reported under `path`.
    ///
    /// # Errors
    ///
    /// * `agreement_term_ambiguous` when both `expires_on` and `term_months` are given;
    /// * `agreement_dates_reversed` when `expires_on` is not after `effective_from`, or
    ///   `terminated_on` is before it;
    /// * `agreement_renewal_term_missing` for an auto-renewing agreement without a term length;
    /// * `out_of_range` for a term of 0 or more than 1200 months.
    pub fn validate(&self, path: &JsonPath) -> Result<(), Error> {
        let mut problems = Problems::new();
        if self.expires_on.is_some() && self.term_months.is_some() {
            problems.push(
                Problem::new(ErrorCode::AgreementTermAmbiguous, path.key("term_months"))
                    .message("both expires_on and term_months are given; they can disagree")
                    .help("give one of them"),
            );
        }
        if let Some(expires) = self.expires_on
            && expires <= self.effective_from
        {
            problems.push(
                Problem::new(ErrorCode::AgreementDatesReversed, path.key("expires_on")).message(
                    format!(
                        "expires_on ({expires}) must be after effective_from ({})",
                        self.effective_from
                    ),
                ),
            );
        }
        if let Some(terminated) = self.terminated_on
            && terminated < self.effective_from
        {
            problems.push(
                Problem::new(ErrorCode::AgreementDatesReversed, path.key("terminated_on")).message(
                    format!(
                        "terminated_on ({terminated}) is before effective_from ({})",
                        self.effective_from
                    ),
                ),
            );
        }
        for (field, months) in [
            ("term_months", self.term_months),
            (
                "renewal_term_months",
                self.auto_renew.as_ref().and_then(|a| a.renewal_term_months),
            ),
        ] {
            if let Some(months) = months
                && (months == 0 || months > 1200)
            {
                let at = if field == "term_months" {
                    path.key(field)
                } else {
                    path.key("auto_renew").key(field)
                };
                problems.push(
                    Problem::new(ErrorCode::OutOfRange, at)
                        .message(format!("a term lasts 1 to 1200 months, found {months}")),
                );
            }
        }
        if let Some(renew) = &self.auto_renew
            && renew.renewal_term_months.is_none()
            && self.term_months.is_none()
        {
            problems.push(
                Problem::new(
                    ErrorCode::AgreementRenewalTermMissing,
                    path.key("auto_renew").key("renewal_term_months"),
                )
                .message("an auto-renewing agreement needs the length of its renewal terms")
                .help("set auto_renew.renewal_term_months, or term_months"),
            );
        }
        problems.into_result(())
    }

    fn renewal_months(&self) -> Option<u32> {
        self.auto_renew
            .as_ref()
            .and_then(|a| a.renewal_term_months)
            .or(self.term_months)
    }

    /// The end of term `index` (0 = the first term): computed from the first end, so month
    /// ends never drift.
    fn end_of(&self, index: u32) -> Result<Option<Date>, Error> {
        let (anchor, first) = match (self.expires_on, self.term_months) {
            (Some(expires), _) => (expires, 0u32),
            (None, Some(months)) => (self.effective_from, months),
            (None, None) => return Ok(None),
        };
        let renewal = self.renewal_months().unwrap_or(0);
        let months = renewal
            .checked_mul(index)
            .and_then(|m| m.checked_add(first))
            .and_then(|m| i32::try_from(m).ok())
            .ok_or_else(|| Error::overflow(JsonPath::root(), "an agreement's renewal terms"))?;
        Ok(Some(add_months(anchor, months)?))
    }

    /// Term `index`, with its notice deadline and whether it renews.
    pub fn term(&self, index: u32) -> Result<Term, Error> {
        let start = if index == 0 {
            self.effective_from
        } else {
            self.end_of(index - 1)?.unwrap_or(self.effective_from)
        };
        let end = self.end_of(index)?;
        let notice_deadline = match (&self.auto_renew, end) {
            (Some(renew), Some(end)) => Some(add_days(end, -i64::from(renew.notice_days))?),
            _ => None,
        };
        let noticed = match (notice_deadline, self.non_renewal_notice_on) {
            (Some(deadline), Some(notice)) => notice <= deadline,
            _ => false,
        };
        Ok(Term {
            index,
            start,
            end,
            renews: notice_deadline.is_some() && !noticed,
            notice_deadline,
        })
    }

    /// The term `day` falls in, or the last term when the agreement ended before `day`.
    ///
    /// # Errors
    ///
    /// `limit_exceeded` beyond 10,000 terms; `date_out_of_range` at the calendar's ends.
    pub fn term_at(&self, day: Date) -> Result<Term, Error> {
        let mut index = 0u32;
        loop {
            let term = self.term(index)?;
            match term.end {
                Some(end) if term.renews && day >= end => {}
                _ => return Ok(term),
            }
            index += 1;
            if index > MAX_TERMS {
                return Err(Error::LimitExceeded(vec![
                    Problem::new(ErrorCode::LimitExceeded, JsonPath::root()).message(format!(
                        "agreement `{}` would renew more than {MAX_TERMS} times before {day}",
                        self.id
                    )),
                ]));
            }
        }
    }

    /// The agreement's status on `as_of`, with `horizon_days` of warning before an end or a
    /// notice deadline.
    ///
    /// An auto-renewing agreement nobody gave notice on renews at the end of each term. Notice
    /// given on or before the deadline (the term's end minus `notice_days`) stops the renewal
    /// of that term; notice given after it takes effect one term later.
    ///
    /// # Errors
    ///
    /// `limit_exceeded` beyond 10,000 terms; `date_out_of_range` at the calendar's ends.
    ///
    /// # Example
    ///
    /// ```
    /// use prm_core::agreement::{Agreement, AgreementStatus};
    /// let reseller: Agreement = serde_json::from_str(r#"{
    ///   "id": "R-1", "partner_id": "p1", "kind": "reseller", "signed_on": "2024-12-20",
    ///   "effective_from": "2025-01-01", "term_months": 12,
    ///   "auto_renew": {"notice_days": 60}
    /// }"#)?;
    /// // the notice deadline is 2025-11-02; nobody gave notice, so it renews on 2026-01-01
    /// let on_deadline = reseller.status("2025-11-02".parse()?, 30)?;
    /// assert_eq!(on_deadline.status, AgreementStatus::InNoticePeriod);
    /// let next_year = reseller.status("2026-06-01".parse()?, 30)?;
    /// assert_eq!(next_year.status, AgreementStatus::Active);
    /// assert_eq!(next_year.renews_on.map(|d| d.to_string()).as_deref(), Some("2027-01-01"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn status(&self, as_of: Date, horizon_days: u32) -> Result<AgreementReport, Error> {
        let report = |status: AgreementStatus, term: Option<Term>, reason: String| {
            let renews_on = term.filter(|t| t.renews).and_then(|t| t.end);
            let ends_on = match (status, term) {
                (AgreementStatus::Terminated, _) => self.terminated_on,
                (_, Some(t)) if !t.renews => t.end,
                _ => None,
            };
            AgreementReport {
                agreement_id: self.id.clone(),
                partner_id: self.partner_id.clone(),
                kind: self.kind.clone(),
                status,
                in_force: status.in_force(),
                term,
                renews_on,
                ends_on,
                reason,
            }
        };
        if let Some(terminated) = self.terminated_on.filter(|t| *t <= as_of) {
            return Ok(report(
                AgreementStatus::Terminated,
                None,
                format!("terminated on {terminated}"),
            ));
        }
        match self.signed_on {
            Some(signed) if signed <= as_of => {}
            _ => {
                return Ok(report(
                    AgreementStatus::PendingSignature,
                    None,
                    "not signed yet".to_owned(),
                ));
            }
        }
        if as_of < self.effective_from {
            return Ok(report(
                AgreementStatus::NotYetEffective,
                None,
                format!("in force from {}", self.effective_from),
            ));
        }
        let term = self.term_at(as_of)?;
        let horizon = i64::from(horizon_days);
        let Some(end) = term.end else {
            return Ok(report(
                AgreementStatus::Active,
                Some(term),
                "open-ended: in force until terminated".to_owned(),
            ));
        };
        if as_of >= end {
            return Ok(report(
                AgreementStatus::Expired,
                Some(term),
                format!("its last term ended; {end} was the first day out of force"),
            ));
        }
        if term.renews {
            let deadline = term.notice_deadline.unwrap_or(end);
            let days = as_of.days_until(deadline);
            if (0..horizon).contains(&days) {
                return Ok(report(
                    AgreementStatus::InNoticePeriod,
                    Some(term),
                    format!(
                        "renews on {end} unless notice is given by {deadline} ({days} days left)"
                    ),
                ));
            }
            let why = if days < 0 {
                format!("the notice deadline {deadline} passed without notice: renews on {end}")
            } else {
                format!("in force; renews on {end} unless notice is given by {deadline}")
            };
            return Ok(report(AgreementStatus::Active, Some(term), why));
        }
        let days = as_of.days_until(end);
        if days <= horizon {
            let why = match (self.auto_renew.is_some(), self.non_renewal_notice_on) {
                (true, Some(notice)) => {
                    format!("notice not to renew was given on {notice}: ends on {end}")
                }
                _ => format!("ends on {end}, in {days} days, without renewal"),
            };
            return Ok(report(AgreementStatus::Expiring, Some(term), why));
        }
        Ok(report(
            AgreementStatus::Active,
            Some(term),
            format!("in force until {end}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn agreement(extra: serde_json::Value) -> Agreement {
        let mut base = json!({"id": "A", "partner_id": "p", "kind": "reseller",
            "signed_on": "2024-12-01", "effective_from": "2025-01-01", "term_months": 12});
        if let (Some(b), Some(e)) = (base.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                if v.is_null() {
                    b.remove(k);
                } else {
                    b.insert(k.clone(), v.clone());
                }
            }
        }
        serde_json::from_value(base).unwrap()
    }

    fn status(a: &Agreement, day: &str) -> AgreementStatus {
        a.status(day.parse().unwrap(), 30).unwrap().status
    }

    #[test]
    fn status_walks_signature_effective_expiring_expired() {
        let a = agreement(json!({"signed_on": "2025-01-05"}));
        assert_eq!(status(&a, "2025-01-04"), AgreementStatus::PendingSignature);
        let a = agreement(json!({}));
        assert_eq!(status(&a, "2024-12-15"), AgreementStatus::NotYetEffective);
        assert_eq!(status(&a, "2025-06-01"), AgreementStatus::Active);
        assert_eq!(status(&a, "2025-12-02"), AgreementStatus::Expiring);
        assert_eq!(status(&a, "2025-12-31"), AgreementStatus::Expiring);
        assert_eq!(status(&a, "2026-01-01"), AgreementStatus::Expired);
    }

    #[test]
    fn notice_on_the_deadline_stops_the_renewal() {
        let on = agreement(
            json!({"auto_renew": {"notice_days": 60}, "non_renewal_notice_on": "2025-11-02"}),
        );
        assert_eq!(status(&on, "2026-01-01"), AgreementStatus::Expired);
        let after = agreement(
            json!({"auto_renew": {"notice_days": 60}, "non_renewal_notice_on": "2025-11-03"}),
        );
        assert_eq!(status(&after, "2026-01-01"), AgreementStatus::Active);
        assert_eq!(status(&after, "2027-01-01"), AgreementStatus::Expired);
    }

    #[test]
    fn renewals_do_not_drift_at_month_ends() {
        let a = agreement(
            json!({"effective_from": "2024-01-31", "signed_on": "2024-01-01",
            "term_months": 1, "auto_renew": {"notice_days": 0}}),
        );
        let term = a.term(2).unwrap();
        assert_eq!(term.end.unwrap().to_string(), "2024-04-30");
        assert_eq!(a.term(1).unwrap().end.unwrap().to_string(), "2024-03-31");
    }

    #[test]
    fn terminated_overrides_everything() {
        let a = agreement(json!({"terminated_on": "2025-03-01"}));
        assert_eq!(status(&a, "2025-03-01"), AgreementStatus::Terminated);
        assert_eq!(status(&a, "2025-02-28"), AgreementStatus::Active);
    }

    #[test]
    fn validate_reports_every_problem() {
        let a = agreement(
            json!({"expires_on": "2024-12-01", "auto_renew": {"notice_days": 5, "renewal_term_months": 0}}),
        );
        let err = a.validate(&JsonPath::root()).unwrap_err();
        let codes: Vec<_> = err.problems().iter().map(|p| p.code().as_str()).collect();
        assert_eq!(
            codes,
            [
                "agreement_term_ambiguous",
                "agreement_dates_reversed",
                "out_of_range"
            ]
        );
    }

    #[test]
    fn open_ended_agreement_stays_active() {
        let a = agreement(json!({"term_months": null}));
        assert_eq!(status(&a, "2040-01-01"), AgreementStatus::Active);
    }
}
