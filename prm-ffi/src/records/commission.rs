//! `commission.statement`: [`CommissionStatement`].

use super::explain::ExplanationStep;
use crate::types::{DateString, DecimalString};
use serde::{Deserialize, Serialize};

/// What a line pays for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, uniffi::Enum)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// Commission on a sale.
    Sale,
    /// Commission taken back for a refund or cancellation.
    Clawback,
    /// A distributor's override on a reseller's line.
    Override,
    /// A bonus for reaching a target.
    TargetBonus,
}

/// The kind of transaction a line comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, uniffi::Enum)]
#[serde(rename_all = "snake_case")]
pub enum TransactionKind {
    /// A sale.
    Sale,
    /// A refund of an earlier sale.
    Refund,
    /// A cancellation of an earlier sale.
    Cancellation,
}

/// Whether a line is payable yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, uniffi::Enum)]
#[serde(rename_all = "snake_case")]
pub enum LineStatus {
    /// Payable on `as_of`.
    Payable,
    /// Payable later.
    Pending,
}

/// What a component of a line's amount is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, uniffi::Enum)]
#[serde(rename_all = "snake_case")]
pub enum ComponentKind {
    /// A rate rule (percent, per unit, per transaction, recurring).
    Rate,
    /// A per-transaction bracket table.
    Bracket,
    /// This line's share of a period-cumulative bracket table.
    PeriodBracket,
    /// The uplift of the tier multiplier.
    TierMultiplier,
    /// The uplift of the accelerator.
    Accelerator,
    /// Raised to the per-transaction minimum.
    Minimum,
    /// Lowered to the per-transaction maximum.
    Maximum,
    /// A SPIFF.
    Spiff,
    /// Rounding to the currency's minor units.
    Rounding,
    /// Reduced by the period cap.
    Cap,
    /// Removed because the period's basis stayed below the plan's minimum.
    MinimumPeriodBasis,
    /// A clawback.
    Clawback,
    /// A two-tier override.
    Override,
    /// A target bonus.
    TargetBonus,
}

/// One rule's part of a line's amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct LineComponent {
    /// The rule, e.g. `std.rates.base`.
    pub rule: String,
    /// What the component is.
    pub kind: ComponentKind,
    /// Its amount.
    pub amount: DecimalString,
    /// How it was computed, e.g. `10% of 6000.00` (empty when there is nothing to add).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

/// One line of a statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct CommissionLine {
    /// What the line pays for.
    pub kind: LineKind,
    /// The partner paid.
    pub partner_id: String,
    /// The transaction it comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// That transaction's kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_kind: Option<TransactionKind>,
    /// The line's date.
    pub date: DateString,
    /// For a clawback: the sale it reverses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_id: Option<String>,
    /// For a clawback: the kind of line it reverses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverses: Option<LineKind>,
    /// For an override: the partner whose line it is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_partner_id: Option<String>,
    /// The transaction's amount, in its own currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_amount: Option<DecimalString>,
    /// The transaction's currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_currency: Option<String>,
    /// This partner's share of the transaction.
    pub share: DecimalString,
    /// The basis of the share, in the program's currency.
    pub basis: DecimalString,
    /// The effective rate before the cap (amount before the cap over basis), to six
    /// places; informational.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<DecimalString>,
    /// The line's amount.
    pub amount: DecimalString,
    /// How much the cap took off.
    pub capped: DecimalString,
    /// How the amount was built, rule by rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<LineComponent>,
    /// The day it becomes payable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payable_on: Option<DateString>,
    /// Whether it is payable on `as_of`.
    pub status: LineStatus,
}

/// A statement period, `start` to `end` (half-open: `end` is the first day after it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct Period {
    /// The first day.
    pub start: DateString,
    /// The first day after the period.
    pub end: DateString,
}

/// A statement's totals: `net = earned + overrides + clawed_back - capped + bonuses = payable + pending`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct StatementTotals {
    /// The period's net basis: sales minus the refunds of this period's sales inside the window.
    pub basis: DecimalString,
    /// Earned on sales.
    pub earned: DecimalString,
    /// Earned as overrides.
    pub overrides: DecimalString,
    /// Taken back (negative or zero).
    pub clawed_back: DecimalString,
    /// Taken off by caps.
    pub capped: DecimalString,
    /// Target bonuses.
    pub bonuses: DecimalString,
    /// The net commission.
    pub net: DecimalString,
    /// The part payable on `as_of`.
    pub payable: DecimalString,
    /// The part payable later.
    pub pending: DecimalString,
}

/// What a statement carries into the next one: pass it back as the partner's
/// `carry_forward`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct CarryForward {
    /// The fiscal year the figures belong to.
    pub fiscal_year: i32,
    /// The last day they cover.
    pub through: DateString,
    /// The fiscal year's basis so far.
    pub year_to_date_basis: DecimalString,
    /// The fiscal year's net commission so far.
    pub year_to_date_net: DecimalString,
    /// The net commission since the first statement.
    pub lifetime_net: DecimalString,
}

/// One partner's commission statement for a period (`commission.statement`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct CommissionStatement {
    /// The partner.
    pub partner_id: String,
    /// The plan it was paid under.
    pub plan_id: String,
    /// The period.
    pub period: Period,
    /// The statement's currency.
    pub currency: String,
    /// Every line; empty when only totals were asked for.
    pub lines: Vec<CommissionLine>,
    /// The totals.
    pub totals: StatementTotals,
    /// What carries into the next statement.
    pub carry_forward: CarryForward,
    /// The trace behind the statement.
    pub explanation: Vec<ExplanationStep>,
}
