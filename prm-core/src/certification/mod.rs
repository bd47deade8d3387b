//! Certifications: what people earn, how long it lasts, and who counts.
//!
//! A program's **catalog** ([`CertificationCatalog`], the `certifications`
//! section of the program document) lists each [`CertificationDef`]: its
//! track and level, how many months an award stays valid, when renewal
//! opens, the grace after expiry, its prerequisites, and whether it has
//! been retired. People earn **awards** ([`Award`]); each award has a
//! timeline the catalog implies, and a status on any day ([`status`]):
//! `not_yet_earned`, `valid`, `expiring`, `in_grace`, `expired`, `retired`
//! or `invalid`.
//!
//! # Overview
//!
//! ```
//! use prm_core::certification::{Award, CertificationCatalog, CertificationStatus, status};
//! // DOMAIN.md §1 worked example: 24 months, renewal opens 6 months before expiry, 30 days of grace.
//! let catalog: CertificationCatalog = serde_json::from_str(r#"{"certifications": [
//!   {"id": "SALES-PRO", "name": "Sales Professional",
//!    "validity_months": 24, "renewal_opens_months": 6, "grace_days": 30}]}"#)?;
//! let award = Award {
//!     person_id: "anna".into(), cert_id: "SALES-PRO".into(),
//!     earned_on: "2024-01-10".parse()?, renewed_on: vec![],
//! };
//! let on = |day: &str| -> Result<CertificationStatus, Box<dyn std::error::Error>> {
//!     Ok(status(&catalog, std::slice::from_ref(&award), day.parse()?)?[0].status)
//! };
//! assert_eq!(on("2026-01-20")?, CertificationStatus::InGrace); // it still counts
//! assert_eq!(on("2026-02-09")?, CertificationStatus::Expired);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The rules, and where they bite
//!
//! * **Every date is the first day something stops.** An award earned on
//!   2024-01-10 for 24 months `expires_on` 2026-01-10: on that day it is
//!   already `in_grace`. Its `grace_until` (2026-02-09 with 30 days) is the
//!   first `expired` day.
//! * **Renewing early loses nothing.** A renewal inside the window (from
//!   expiry minus `renewal_opens_months` to the last day of grace) extends
//!   from the previous expiry, not from the renewal day. The k-th expiry is
//!   `earned_on + k × validity_months`, so month ends do not drift: earned
//!   2024-02-29, it expires 2026-02-28 and, renewed, 2028-02-29.
//! * **A renewal outside its window is a problem, not a quiet extension**:
//!   it is reported as `renewal_outside_window` and the award keeps its
//!   earlier expiry.
//! * **Prerequisites are checked on the day an award is earned**: each must
//!   count for the same person that day (valid, expiring or in grace). An
//!   award earned without them is `invalid` and never counts
//!   (`prerequisite_missing`).
//! * **Retirement**: awards of a certification retired on day R keep counting
//!   until R plus `retired_grace_days`, then are `retired`. An award earned on
//!   or after R never counts.
//! * **Reminders are exactly once.** [`reminders_due`] returns the reminders
//!   due in `(since, as_of]`; a host that passes its previous `as_of` as
//!   `since` sends each reminder once, whatever its cadence.
//! * **Requirements count distinct active people** ([`CertificationRequirement`]):
//!   a person with three matching awards counts once, and only while active at
//!   the partner.

mod award;
mod catalog;
mod reminder;
mod requirement;
mod status;

pub use award::Award;
pub use catalog::{CertificationCatalog, CertificationDef, CertificationId};
pub use reminder::{CertificationReminder, for_active_people, reminders_due};
pub use requirement::{
    CertificationCompliance, CertificationCount, CertificationRequirement, MissingPerson,
    check_people,
};
pub use status::{AwardStatus, CertificationStatus, Holdings, status};

pub(crate) use status::{join_and, join_or};
