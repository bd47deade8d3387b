//! `mdf.balance` and `mdf.apply`: [`MdfBalance`] and [`MdfApplyResult`].

use super::explain::{ExplanationStep, JsonText};
use crate::error::Problem;
use crate::types::{DateString, DecimalString};
use serde::{Deserialize, Serialize};

/// The money of an account or a period, with the balance formulas applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct MdfFigures {
    /// Allocated from the pool.
    pub allocated: DecimalString,
    /// Carried in from the previous period.
    pub carried_in: DecimalString,
    /// Manual corrections (may be negative).
    pub adjusted: DecimalString,
    /// allocated + carried in + adjusted.
    pub funds: DecimalString,
    /// Approved for requests.
    pub approved: DecimalString,
    /// Paid on claims.
    pub paid: DecimalString,
    /// Approved money that went back to the available balance.
    pub released: DecimalString,
    /// Unspent money that expired (including what carried over).
    pub expired: DecimalString,
    /// Of what expired, what carried into the next period.
    pub carried_out: DecimalString,
    /// funds − approved + released − expired; never negative.
    pub available: DecimalString,
    /// approved − paid − released.
    pub open_commitment: DecimalString,
    /// Requested and waiting for review (not yet committed).
    pub pending_review: DecimalString,
    /// (paid + open commitment) / funds, to 4 places; `None` without funds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utilization: Option<DecimalString>,
}

/// One partner's balance in one period of one fund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct MdfAccountBalance {
    /// The fund program.
    pub fund: String,
    /// The period.
    pub period: String,
    /// The partner.
    pub partner_id: String,
    /// The partner's tier when it was allocated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// The money (flattened into the account in JSON).
    #[serde(flatten)]
    pub figures: MdfFigures,
}

/// One period's totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct MdfPeriodBalance {
    /// The fund program.
    pub fund: String,
    /// The period.
    pub period: String,
    /// The fund's currency.
    pub currency: String,
    /// The first day of the period.
    pub start: DateString,
    /// The first day after the period.
    pub end: DateString,
    /// The period's pool.
    pub pool: DecimalString,
    /// What allocations and adjustments have given out of the pool.
    pub pool_used: DecimalString,
    /// What new allocations can still take.
    pub pool_left: DecimalString,
    /// True once the period is closed.
    pub closed: bool,
    /// The first day the period can be closed (end plus grace).
    pub closable_from: DateString,
    /// True when the period can be closed and has not been: its unspent money is due to expire.
    pub expiry_due: bool,
    /// Partners with an account in the period.
    pub partners: u32,
    /// The totals (flattened into the period in JSON).
    #[serde(flatten)]
    pub figures: MdfFigures,
}

/// One event of the MDF ledger: store it, in order, and pass the events back
/// with the next call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct MdfEvent {
    /// The event's number in the ledger, from 1.
    pub seq: u64,
    /// The day it happened.
    pub on: DateString,
    /// What changed, as JSON (`{"kind": "request_approved", ...}`).
    pub change: JsonText,
}

/// MDF balances as of a date (`mdf.balance`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct MdfBalance {
    /// The date asked about.
    pub as_of: DateString,
    /// Each period's totals, in program order.
    pub periods: Vec<MdfPeriodBalance>,
    /// Each partner's balance, by fund, period and partner id.
    pub accounts: Vec<MdfAccountBalance>,
    /// Releases due by `as_of` that the ledger has not recorded yet; they are
    /// included in the figures and will be recorded with the next command.
    pub due_events: Vec<MdfEvent>,
}

/// Whether a command was applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, uniffi::Enum)]
#[serde(rename_all = "snake_case")]
pub enum MdfDecisionStatus {
    /// Applied: its events are in the answer's `events`.
    Applied,
    /// Refused: see `error`.
    Refused,
}

/// Why a command was refused: the error prm would have raised for it alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct MdfRefusal {
    /// The error kind's code (`invalid`, `conflict`, ...).
    pub code: String,
    /// The whole error in one line.
    pub message: String,
    /// Every problem, with paths under `$.commands[i]`.
    pub problems: Vec<Problem>,
}

/// What happened to one command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct MdfDecision {
    /// The command's index in the request.
    pub index: u32,
    /// The command's kind (`allocate`, `submit_request`, ...).
    pub command: String,
    /// Applied or refused.
    pub status: MdfDecisionStatus,
    /// For an applied command: the `seq` of each event it produced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<u64>>,
    /// For an applied command: how the rules were applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Vec<ExplanationStep>>,
    /// For a refused command: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<MdfRefusal>,
}

/// The outcome of MDF ledger commands (`mdf.apply`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct MdfApplyResult {
    /// The new events, to append to the ledger in order.
    pub events: Vec<MdfEvent>,
    /// One decision per command, in order.
    pub decisions: Vec<MdfDecision>,
    /// How many commands were applied.
    pub applied: u32,
    /// How many were refused.
    pub refused: u32,
    /// The `seq` of the ledger's last event, after the new ones.
    pub last_seq: u64,
    /// The balances of the accounts the new events touched.
    pub balances: Vec<MdfAccountBalance>,
}
