//! The ledger's events: what happened to the funds, in order.

use crate::calendar::Date;
use crate::money::{Decimal, Rate};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One entry of the append-only ledger: its position, its date and the change it records.
///
/// The host stores events exactly as prm returns them and passes them back,
/// in order, with the next command or question. `seq` runs 1, 2, 3, ... and
/// dates never go backwards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Position in the ledger, from 1.
    pub seq: u64,
    /// The day the change takes effect.
    pub on: Date,
    /// What changed.
    pub change: Change,
}

/// Why approved money went back to the available balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseReason {
    /// The claim window closed with part of the approval unclaimed.
    ClaimDeadlinePassed,
    /// The request was cancelled after approval.
    Cancelled,
}

/// Why money expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExpiryReason {
    /// The period closed with this balance unspent.
    PeriodClosed,
    /// Approved money came back after the period had closed.
    ReleasedAfterClose,
}

/// A change to the funds. Amounts are in the fund's currency, as strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Change {
    /// A partner's allocation for a period.
    Allocated {
        /// The fund program.
        fund: String,
        /// The period.
        period: String,
        /// The partner.
        partner_id: String,
        /// The partner's tier for the period, when known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tier: Option<String>,
        /// The amount allocated.
        amount: Decimal,
    },
    /// Unspent money carried from the previous period.
    CarriedIn {
        /// The fund program.
        fund: String,
        /// The period receiving the money.
        period: String,
        /// The period it comes from.
        from_period: String,
        /// The partner.
        partner_id: String,
        /// The amount carried in.
        amount: Decimal,
    },
    /// A manual correction of a partner's funds (positive or negative).
    Adjusted {
        /// The fund program.
        fund: String,
        /// The period.
        period: String,
        /// The partner.
        partner_id: String,
        /// The amount added (negative: taken away).
        amount: Decimal,
        /// Why.
        reason: String,
    },
    /// A request for funds was submitted.
    RequestSubmitted {
        /// The request, unique in the ledger.
        request_id: String,
        /// The fund program.
        fund: String,
        /// The period whose funds it draws on.
        period: String,
        /// The partner.
        partner_id: String,
        /// The partner's tier when it was submitted.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tier: Option<String>,
        /// The activity type.
        activity_type: String,
        /// The activity's first day.
        start: Date,
        /// The activity's last day.
        end: Date,
        /// The planned cost.
        planned_cost: Decimal,
        /// The amount requested.
        requested: Decimal,
        /// The vendor's share of cost in force when it was submitted.
        vendor_share: Rate,
        /// The last day a claim is accepted.
        claim_deadline: Date,
    },
    /// A request was approved, in full or in part.
    RequestApproved {
        /// The request.
        request_id: String,
        /// The amount approved (at most the amount requested).
        amount: Decimal,
        /// True when approved on submission, below the auto-approval limit.
        #[serde(default)]
        auto: bool,
        /// Who approved it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        approved_by: Option<String>,
        /// The approver's role.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        role: Option<String>,
    },
    /// A request was rejected.
    RequestRejected {
        /// The request.
        request_id: String,
        /// Why.
        reason: String,
    },
    /// A request was cancelled.
    RequestCancelled {
        /// The request.
        request_id: String,
        /// Why.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// A claim for reimbursement was submitted.
    ClaimSubmitted {
        /// The claim, unique in the ledger.
        claim_id: String,
        /// The request it claims against.
        request_id: String,
        /// The actual cost.
        actual_cost: Decimal,
        /// The actual cost times the vendor's share.
        share_of_cost: Decimal,
        /// What can be reimbursed: the share of cost, up to what is left of the approval.
        reimbursable: Decimal,
        /// The share of cost beyond what is left of the approval.
        not_reimbursable: Decimal,
        /// The proof kinds attached.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        proofs: Vec<String>,
    },
    /// A claim was approved, in full or in part.
    ClaimApproved {
        /// The claim.
        claim_id: String,
        /// The amount approved for payment (at most the reimbursable amount).
        amount: Decimal,
    },
    /// A claim was rejected.
    ClaimRejected {
        /// The claim.
        claim_id: String,
        /// Why.
        reason: String,
    },
    /// An approved claim was paid.
    Paid {
        /// The claim.
        claim_id: String,
        /// The amount paid.
        amount: Decimal,
        /// The payment's reference in the host's system.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
    },
    /// Approved money that will not be claimed went back to the available balance.
    Released {
        /// The request.
        request_id: String,
        /// The amount released.
        amount: Decimal,
        /// Why.
        reason: ReleaseReason,
    },
    /// Unspent money expired.
    Expired {
        /// The fund program.
        fund: String,
        /// The period.
        period: String,
        /// The partner.
        partner_id: String,
        /// The amount expired.
        amount: Decimal,
        /// Why.
        reason: ExpiryReason,
    },
    /// A period was closed: its unspent money expired (and partly carried over).
    PeriodClosed {
        /// The fund program.
        fund: String,
        /// The period.
        period: String,
    },
}

impl Change {
    /// The change's wire name (`allocated`, `request_approved`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Change::Allocated { .. } => "allocated",
            Change::CarriedIn { .. } => "carried_in",
            Change::Adjusted { .. } => "adjusted",
            Change::RequestSubmitted { .. } => "request_submitted",
            Change::RequestApproved { .. } => "request_approved",
            Change::RequestRejected { .. } => "request_rejected",
            Change::RequestCancelled { .. } => "request_cancelled",
            Change::ClaimSubmitted { .. } => "claim_submitted",
            Change::ClaimApproved { .. } => "claim_approved",
            Change::ClaimRejected { .. } => "claim_rejected",
            Change::Paid { .. } => "paid",
            Change::Released { .. } => "released",
            Change::Expired { .. } => "expired",
            Change::PeriodClosed { .. } => "period_closed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_cross_json_flat_and_tagged() -> Result<(), serde_json::Error> {
        let event = Event {
            seq: 3,
            on: "2026-02-01".parse().unwrap_or_default(),
            change: Change::RequestApproved {
                request_id: "R-1".into(),
                amount: "900.00".parse().unwrap_or_default(),
                auto: false,
                approved_by: Some("u-7".into()),
                role: Some("channel_manager".into()),
            },
        };
        let json = serde_json::to_value(&event)?;
        insta::assert_json_snapshot!(json, @r#"
        {
          "seq": 3,
          "on": "2026-02-01",
          "change": {
            "kind": "request_approved",
            "request_id": "R-1",
            "amount": "900.00",
            "auto": false,
            "approved_by": "u-7",
            "role": "channel_manager"
          }
        }
        "#);
        let back: Event = serde_json::from_value(json)?;
        assert_eq!(back, event);
        Ok(())
    }

    #[test]
    fn unknown_event_fields_are_refused() {
        let json = serde_json::json!({"seq": 1, "on": "2026-01-01",
            "change": {"kind": "period_closed", "fund": "f", "period": "p", "extra": 1}});
        assert!(serde_json::from_value::<Event>(json).is_err());
    }
}
