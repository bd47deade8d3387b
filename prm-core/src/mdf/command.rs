//! The ledger's commands: what a host asks the ledger to do.

use super::allocation::AllocationFacts;
use crate::calendar::Date;
use crate::money::Amount;
use crate::tier::TierId;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Who approves a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Approver {
    /// The approver's id in the host's system.
    pub id: String,
    /// The approver's role, checked against the fund's `approval_limits`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// A command to the ledger. Every command carries `on`, the day it takes
/// effect; it may not be earlier than the ledger's last event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    /// Allocate a period's pool to partners (each partner once per period).
    Allocate {
        /// The day it takes effect (before the period ends).
        on: Date,
        /// The fund program.
        fund: String,
        /// The period.
        period: String,
        /// The partners and the facts their allocation needs.
        partners: Vec<AllocationFacts>,
    },
    /// A partner asks for funds for an activity.
    SubmitRequest {
        /// The day it is submitted (inside the period).
        on: Date,
        /// A new id for the request.
        request_id: String,
        /// The fund program.
        fund: String,
        /// The period whose funds it draws on; the one containing `on` when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        period: Option<String>,
        /// The partner.
        partner_id: String,
        /// The partner's tier; the tier recorded with its allocation when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tier: Option<TierId>,
        /// The activity type.
        activity_type: String,
        /// The activity's first day.
        start: Date,
        /// The activity's last day.
        end: Date,
        /// What the activity is planned to cost.
        planned_cost: Amount,
        /// The amount asked for; at most the planned cost times the vendor's share.
        requested: Amount,
        /// Whether the partner is compliant for `request_mdf` on `on`, as
        /// `compliance.check` answered; read when the fund `requires_compliance`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        compliant: Option<bool>,
    },
    /// Approve a pending request, in full or in part.
    ApproveRequest {
        /// The day of the approval.
        on: Date,
        /// The request.
        request_id: String,
        /// The amount approved; the amount requested when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        amount: Option<Amount>,
        /// Who approves it (required when the fund has approval limits).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        approver: Option<Approver>,
    },
    /// Reject a pending request.
    RejectRequest {
        /// The day of the rejection.
        on: Date,
        /// The request.
        request_id: String,
        /// Why.
        reason: String,
    },
    /// Cancel a pending or approved request; approved money not yet paid is released.
    CancelRequest {
        /// The day of the cancellation.
        on: Date,
        /// The request.
        request_id: String,
        /// Why.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Claim reimbursement of an approved request's actual cost.
    SubmitClaim {
        /// The day it is submitted (from the activity's last day to the end of the claim window).
        on: Date,
        /// A new id for the claim.
        claim_id: String,
        /// The approved request.
        request_id: String,
        /// What the activity (or this part of it) actually cost.
        actual_cost: Amount,
        /// The proof kinds attached (`invoice`, `photos`, ...).
        #[serde(default)]
        proofs: Vec<String>,
    },
    /// Approve a submitted claim, in full or in part.
    ApproveClaim {
        /// The day of the approval.
        on: Date,
        /// The claim.
        claim_id: String,
        /// The amount approved; the reimbursable amount when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        amount: Option<Amount>,
    },
    /// Reject a submitted claim.
    RejectClaim {
        /// The day of the rejection.
        on: Date,
        /// The claim.
        claim_id: String,
        /// Why.
        reason: String,
    },
    /// Pay an approved claim (once).
    PayClaim {
        /// The day of the payment.
        on: Date,
        /// The claim.
        claim_id: String,
        /// The payment's reference in the host's system.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
    },
    /// Correct a partner's funds by a positive or negative amount.
    Adjust {
        /// The day it takes effect.
        on: Date,
        /// The fund program.
        fund: String,
        /// The period.
        period: String,
        /// The partner.
        partner_id: String,
        /// The amount added (negative: taken away).
        amount: Amount,
        /// Why.
        reason: String,
    },
    /// Close a period after its end plus the expiry grace: unspent money
    /// expires and a capped share carries into the next period.
    ClosePeriod {
        /// The day of the close (on or after the period's end plus grace).
        on: Date,
        /// The fund program.
        fund: String,
        /// The period.
        period: String,
    },
}

impl Command {
    /// The day the command takes effect.
    pub fn on(&self) -> Date {
        match self {
            Command::Allocate { on, .. }
            | Command::SubmitRequest { on, .. }
            | Command::ApproveRequest { on, .. }
            | Command::RejectRequest { on, .. }
            | Command::CancelRequest { on, .. }
            | Command::SubmitClaim { on, .. }
            | Command::ApproveClaim { on, .. }
            | Command::RejectClaim { on, .. }
            | Command::PayClaim { on, .. }
            | Command::Adjust { on, .. }
            | Command::ClosePeriod { on, .. } => *on,
        }
    }

    /// The command's wire name (`submit_request`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Command::Allocate { .. } => "allocate",
            Command::SubmitRequest { .. } => "submit_request",
            Command::ApproveRequest { .. } => "approve_request",
            Command::RejectRequest { .. } => "reject_request",
            Command::CancelRequest { .. } => "cancel_request",
            Command::SubmitClaim { .. } => "submit_claim",
            Command::ApproveClaim { .. } => "approve_claim",
            Command::RejectClaim { .. } => "reject_claim",
            Command::PayClaim { .. } => "pay_claim",
            Command::Adjust { .. } => "adjust",
            Command::ClosePeriod { .. } => "close_period",
        }
    }
}
