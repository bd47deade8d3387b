//! `certifications.status` and `certifications.reminders`.

use super::explain::ExplanationStep;
use crate::error::Problem;
use crate::types::DateString;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Where an award stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, uniffi::Enum)]
#[serde(rename_all = "snake_case")]
pub enum CertificationStatus {
    /// `as_of` is before the day it was earned.
    NotYetEarned,
    /// Valid, and not about to stop counting.
    Valid,
    /// Valid, and it stops being valid (or counting) soon.
    Expiring,
    /// Past its expiry but within grace: it still counts.
    InGrace,
    /// Past its expiry and grace: it no longer counts.
    Expired,
    /// Its certification was retired and the retirement grace is over.
    Retired,
    /// It was earned without its prerequisites counting that day: it never counts.
    Invalid,
}

/// An award's status on a day, with the dates that explain it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct AwardStatus {
    /// Who holds it.
    pub person_id: String,
    /// Which certification.
    pub cert_id: String,
    /// When it was earned.
    pub earned_on: DateString,
    /// Where it stands.
    pub status: CertificationStatus,
    /// True when it counts toward requirements on `as_of`.
    pub counts: bool,
    /// The first day it is no longer valid; `None` when it never expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<DateString>,
    /// The first day it may be renewed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal_opens_on: Option<DateString>,
    /// The first day after grace: it is expired from this day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace_until: Option<DateString>,
    /// The first day it no longer counts; `None` when it counts indefinitely.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts_until: Option<DateString>,
    /// When its certification was retired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired_on: Option<DateString>,
    /// How many renewals extended it.
    pub renewals: u32,
    /// What is wrong with the award's record.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
    /// How the status was reached.
    pub explanation: Vec<ExplanationStep>,
}

/// Every award's status on a day (`certifications.status`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct CertificationStatusReport {
    /// The day answered for.
    pub as_of: DateString,
    /// One status per award, in the order given.
    pub awards: Vec<AwardStatus>,
    /// How many awards have each status (`valid`, `in_grace`, ...).
    pub by_status: HashMap<String, u32>,
}

/// A reminder to renew a certification before it expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct CertificationReminder {
    /// The day the reminder is due.
    pub due_on: DateString,
    /// Who holds the award.
    pub person_id: String,
    /// Which certification.
    pub cert_id: String,
    /// When the award was earned.
    pub earned_on: DateString,
    /// The expiry the reminder is about.
    pub expires_on: DateString,
    /// How many days before the expiry the reminder falls.
    pub days_before: u32,
}

/// The reminders due in `(since, as_of]` (`certifications.reminders`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct CertificationReminders {
    /// The previous run's `as_of`.
    pub since: DateString,
    /// The day of this run.
    pub as_of: DateString,
    /// The schedule used: days before expiry.
    pub schedule: Vec<u32>,
    /// Every reminder due, by due date, person and certification.
    pub reminders: Vec<CertificationReminder>,
}
