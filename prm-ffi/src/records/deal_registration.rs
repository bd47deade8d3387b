//! `deal_registration.check`: [`DealRegistrationDecision`].

use super::explain::ExplanationStep;
use crate::types::{DateString, DecimalString};
use serde::{Deserialize, Serialize};

/// What the check decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, uniffi::Enum)]
#[serde(rename_all = "snake_case")]
pub enum DealCheckOutcome {
    /// Approved: the registration is protected.
    Approve,
    /// It conflicts with registrations on file.
    Conflict,
    /// Rejected for a reason of its own.
    Reject,
}

/// A registration's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, uniffi::Enum)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationStatus {
    /// Submitted, not yet decided.
    Submitted,
    /// Approved and protected until it expires.
    Approved,
    /// Rejected.
    Rejected,
    /// Its protection lapsed.
    Expired,
    /// The deal was won.
    Won,
    /// The deal was lost.
    Lost,
    /// The partner withdrew it.
    Withdrawn,
}

/// How conflicts are resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, uniffi::Enum)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// The first active registration wins.
    FirstCome,
    /// A person reviews the conflict.
    Review,
}

/// How strong a conflict is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, uniffi::Enum)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// A weak match.
    Low,
    /// A likely match.
    Medium,
    /// The same customer.
    High,
}

/// What two registrations matched on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, uniffi::Enum)]
#[serde(rename_all = "snake_case")]
pub enum MatchedOn {
    /// The customer's web domain.
    Domain,
    /// The customer's normalized name.
    Name,
}

/// A registration on file that the new one conflicts with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct DealConflict {
    /// The registration on file.
    pub registration_id: String,
    /// Its partner.
    pub partner_id: String,
    /// Its status.
    pub status: RegistrationStatus,
    /// What matched.
    pub matched_on: MatchedOn,
    /// How similar the customers are, 0 to 1.
    pub similarity: DecimalString,
    /// How strong the conflict is.
    pub severity: Severity,
    /// The products both registrations name.
    pub products_overlap: Vec<String>,
    /// The conflict in words.
    pub reason: String,
}

/// The customer as the check compared it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct NormalizedCustomer {
    /// The normalized name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The normalized web domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
}

/// The decision on a deal registration (`deal_registration.check`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct DealRegistrationDecision {
    /// The registration checked.
    pub registration_id: String,
    /// What the check decided.
    pub outcome: DealCheckOutcome,
    /// The registration's new status.
    pub status: RegistrationStatus,
    /// When it was approved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_on: Option<DateString>,
    /// The first day it is no longer protected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<DateString>,
    /// How many days of protection it got.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protection_days: Option<u32>,
    /// How the conflicts were resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<Resolution>,
    /// The registrations on file it conflicts with.
    pub conflicts: Vec<DealConflict>,
    /// Why it was rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The customer as compared.
    pub normalized: NormalizedCustomer,
    /// The trace behind the decision.
    pub explanation: Vec<ExplanationStep>,
}
