//! Agreements and compliance: what a partner signed, when it renews, and what each activity needs.
//!
//! An [`Agreement`] (reseller agreement, NDA, MDF terms, data processing)
//! is in force from `effective_from` for a term (`expires_on` or
//! `term_months`, or open-ended). An auto-renewing agreement renews for
//! another term unless notice not to renew is given on or before its
//! **notice deadline**, the term's end minus `notice_days`. Its status on a
//! day ([`Agreement::status`]) is `pending_signature`, `not_yet_effective`,
//! `active`, `expiring`, `in_notice_period`, `expired` or `terminated`.
//!
//! The program's `agreements` section ([`AgreementPolicy`]) lists the
//! agreement kinds, the warning horizon, the reminder schedule, and what
//! each [`Activity`] (receiving leads, requesting MDF, earning commission,
//! registering deals) requires: agreements in force and certification
//! requirements ([`Requirements`]). [`compliance`] answers yes, or lists what
//! is missing.
//!
//! # Overview
//!
//! ```
//! use prm_core::agreement::{Agreement, AgreementStatus};
//! let reseller: Agreement = serde_json::from_str(r#"{
//!   "id": "R-1", "partner_id": "p1", "kind": "reseller", "signed_on": "2024-12-20",
//!   "effective_from": "2025-01-01", "term_months": 12, "auto_renew": {"notice_days": 60},
//!   "non_renewal_notice_on": "2025-11-03"
//! }"#)?;
//! // notice came a day after the 2025-11-02 deadline: the agreement renews once more
//! let report = reseller.status("2026-01-01".parse()?, 30)?;
//! assert_eq!(report.status, AgreementStatus::Active);
//! assert_eq!(report.ends_on.map(|d| d.to_string()).as_deref(), Some("2027-01-01"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Where it bites
//!
//! * Every date is the first day something stops: `expires_on`, a term's
//!   `end` and `terminated_on` are the first days out of force.
//! * Notice given **on** the deadline still counts; a day later it only stops
//!   the following renewal.
//! * Renewal terms are counted from the first end, so month ends do not
//!   drift (31 January plus one, two, three months: end of February, 31 March, 30 April).
//! * `in_notice_period` means "decide now": an auto-renewing agreement whose
//!   notice deadline is less than `expiring_days` away. After the deadline has
//!   passed the renewal is decided and the status is `active` again, with
//!   `renews_on` set.
//! * Reminders use the same exactly-once mechanism as certifications
//!   ([`calendar::reminders_due`](crate::calendar::reminders_due)).

mod policy;
mod reminder;
mod term;

pub use policy::{
    Activity, AgreementKind, AgreementPolicy, ChecklistItem, ComplianceReport, ItemKind,
    PartnerRecords, Requirements, compliance,
};
pub use reminder::{AgreementReminder, ReminderAbout, reminders_due};
pub use term::{Agreement, AgreementReport, AgreementStatus, AutoRenew, MAX_TERMS, Term};
