//! [`CommissionStatement`] and its [`CommissionLine`]s; the [`statement`] and [`statements`] entry points.

use super::facts::{CarryForward, CommissionFacts, StatementOptions};
use super::run::{Detail, StatementRun};
use super::transaction::{Transaction, TransactionKind};
use crate::Program;
use crate::calendar::{Date, Period};
use crate::error::{Error, ErrorCode, JsonPath, Problem};
use crate::explain::Explanation;
use crate::money::{Currency, Decimal};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What a line is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// Commission on a sale (one partner's share of it).
    Sale,
    /// A negative line reversing part of an earlier sale or override line.
    Clawback,
    /// A distributor's override on a reseller's sale.
    Override,
    /// A period-level bonus for reaching a target.
    TargetBonus,
}

/// Whether a line can be paid as of the statement's `as_of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LineStatus {
    /// Its payable date is on or before `as_of`.
    Payable,
    /// Its payable date is after `as_of`, or unknown (not yet paid by the customer).
    Pending,
}

/// What a component of a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
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

/// One part of a line's amount: the components of a line add up exactly to its `amount`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LineComponent {
    /// The rule it comes from (`reseller.rates.cloud`, `tier.gold`, `program.rounding`).
    pub rule: String,
    /// What it is.
    pub kind: ComponentKind,
    /// Its amount, exact (only the `rounding` component brings the line to minor units).
    pub amount: Decimal,
    /// How it was computed, for a person.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

fn one() -> Decimal {
    Decimal::ONE
}

/// One line of a statement. Lines can be passed back as `prior_lines` to a
/// later statement, which then finds the originals of refunds among them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommissionLine {
    /// Sale, clawback, override or target bonus.
    pub kind: LineKind,
    /// The partner the line pays.
    pub partner_id: String,
    /// The transaction (absent on a target bonus).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// The transaction's kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_kind: Option<TransactionKind>,
    /// The transaction's date (the period's last day for a target bonus).
    pub date: Date,
    /// For a clawback: the sale it reverses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_id: Option<String>,
    /// For a clawback: the kind of line it reverses (`sale` or `override`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverses: Option<LineKind>,
    /// For an override: the reseller whose transaction it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_partner_id: Option<String>,
    /// The whole transaction's amount, in its own currency (a refund's amount on a clawback).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_amount: Option<Decimal>,
    /// The transaction's currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_currency: Option<Currency>,
    /// This partner's share of the transaction.
    #[serde(default = "one")]
    pub share: Decimal,
    /// The basis of the share, in the program's currency.
    pub basis: Decimal,
    /// The effective rate before the cap (amount before the cap over basis), to six places; informational.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<Decimal>,
    /// What the line pays, rounded, after the cap.
    pub amount: Decimal,
    /// What the period cap removed from this line.
    #[serde(default)]
    pub capped: Decimal,
    /// The parts of `amount`, each citing its rule; they add up to `amount`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<LineComponent>,
    /// When the line becomes payable (absent while waiting for the customer's payment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payable_on: Option<Date>,
    /// Payable or pending as of the statement's `as_of`.
    pub status: LineStatus,
}

/// A statement's totals. Every figure is a sum of rounded lines, so
/// `net = earned + overrides + clawed_back - capped + bonuses = payable + pending`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementTotals {
    /// The period's net basis: sales minus the refunds of this period's sales inside the window.
    pub basis: Decimal,
    /// Sale lines before the cap.
    pub earned: Decimal,
    /// Override lines before the cap.
    pub overrides: Decimal,
    /// Clawback lines (zero or negative).
    pub clawed_back: Decimal,
    /// What the period cap removed (zero or positive).
    pub capped: Decimal,
    /// Target bonuses.
    pub bonuses: Decimal,
    /// What the statement pays in all.
    pub net: Decimal,
    /// The part of `net` payable as of `as_of`.
    pub payable: Decimal,
    /// The part of `net` not yet payable.
    pub pending: Decimal,
}

impl StatementTotals {
    /// All zero, written with `places` decimals.
    pub fn zero(places: u32) -> StatementTotals {
        let zero = crate::RoundingMode::HalfEven.round(Decimal::ZERO, places);
        StatementTotals {
            basis: zero,
            earned: zero,
            overrides: zero,
            clawed_back: zero,
            capped: zero,
            bonuses: zero,
            net: zero,
            payable: zero,
            pending: zero,
        }
    }

    /// Field by field `self + other`.
    ///
    /// # Errors
    ///
    /// `overflow` past the decimal range.
    pub fn checked_add(&self, other: &StatementTotals) -> Result<StatementTotals, Error> {
        self.combine(other, Decimal::checked_add)
    }

    /// Field by field `self - other`.
    ///
    /// # Errors
    ///
    /// `overflow` past the decimal range.
    pub fn checked_sub(&self, other: &StatementTotals) -> Result<StatementTotals, Error> {
        self.combine(other, Decimal::checked_sub)
    }

    fn combine(
        &self,
        other: &StatementTotals,
        op: fn(Decimal, Decimal) -> Option<Decimal>,
    ) -> Result<StatementTotals, Error> {
        let f = |a: Decimal, b: Decimal| {
            op(a, b).ok_or_else(|| Error::overflow(JsonPath::root(), "statement totals"))
        };
        Ok(StatementTotals {
            basis: f(self.basis, other.basis)?,
            earned: f(self.earned, other.earned)?,
            overrides: f(self.overrides, other.overrides)?,
            clawed_back: f(self.clawed_back, other.clawed_back)?,
            capped: f(self.capped, other.capped)?,
            bonuses: f(self.bonuses, other.bonuses)?,
            net: f(self.net, other.net)?,
            payable: f(self.payable, other.payable)?,
            pending: f(self.pending, other.pending)?,
        })
    }
}

/// One partner's commission for one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct CommissionStatement {
    /// The partner.
    pub partner_id: String,
    /// The plan it was paid under.
    pub plan_id: String,
    /// The period, half-open.
    pub period: Period,
    /// The program's currency, in which every amount is.
    pub currency: Currency,
    /// The lines in transaction order (date, sales before refunds, id), then target bonuses; empty for a totals-only run.
    pub lines: Vec<CommissionLine>,
    /// The totals.
    pub totals: StatementTotals,
    /// The state to pass to the partner's next statement.
    pub carry_forward: CarryForward,
    /// How the period-level figures came about, and each line.
    pub explanation: Explanation,
}

/// The statements of every partner in one call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct CommissionStatements {
    /// One statement per partner, by partner id.
    pub statements: Vec<CommissionStatement>,
    /// The sum of every statement's totals.
    pub totals: StatementTotals,
    /// Transaction shares dated outside their partner's statement period (not paid here).
    pub outside_period: usize,
}

/// Statements for every partner with transactions (and every distributor above them).
///
/// Transactions are taken by date (sales before refunds on the same date),
/// then id, whatever order they come in,
/// so the same inputs give the same statements byte for byte. Each line is
/// computed in the order DOMAIN.md §5 gives: split, basis, rates and brackets,
/// tier multiplier then accelerator, per-transaction limits, SPIFFs, one
/// rounding, the period cap in date order, clawbacks, overrides.
///
/// # Errors
///
/// [`Error::Invalid`] listing every problem with its path under
/// `$.transactions[i]` (or the fact it comes from), among them
/// `commission_no_plan`, `commission_split_shares`, `commission_refund_of_refund`,
/// `commission_original_missing`, `commission_refund_exceeds_original`,
/// `fx_rate_missing` and `duplicate_id`; `invalid_value` when the program has
/// no `commissions` section; `overflow` past the decimal range.
///
/// # Example
///
/// ```
/// use prm_core::commission::{self, CommissionFacts, StatementOptions, Transaction};
/// let program = prm_core::Program::from_json(r#"{"schema_version": 1, "currency": "EUR",
///   "commissions": {"plans": [{"id": "std", "rates": [{"kind": "percent", "id": "base", "rate": "10%"}],
///                              "clawback_window_days": 90}]}}"#)?;
/// let sale = Transaction::sale("T1", "P1", "2026-01-05".parse()?, "1000.00".parse()?);
/// let refund = Transaction::refund("T2", "P1", "2026-03-01".parse()?, "400.00".parse()?, "T1");
/// let options = StatementOptions::as_of("2026-03-31".parse()?);
/// let run = commission::statements(&program, &[sale, refund], &CommissionFacts::default(), &options)?;
/// let amounts: Vec<String> = run.statements[0].lines.iter().map(|l| l.amount.to_string()).collect();
/// assert_eq!(amounts, ["100.00", "-40.00"]);
/// assert_eq!(run.totals.net.to_string(), "60.00");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Properties
///
/// Lines sum to the totals, split shares sum to the transaction, a sale fully
/// refunded inside the window nets to zero, without caps or brackets the
/// commission is additive over transactions, and the same inputs give the same
/// statements (`prop_lines_sum_to_totals`, `prop_splits_sum_to_the_transaction`,
/// `prop_full_refund_nets_to_zero`, `prop_additive_without_caps_or_brackets`,
/// `prop_same_inputs_same_statements`, `prop_engine_matches_the_oracle`).
pub fn statements(
    program: &Program,
    transactions: &[Transaction],
    facts: &CommissionFacts,
    options: &StatementOptions,
) -> Result<CommissionStatements, Error> {
    let mut run = StatementRun::new(program, facts, options.clone(), Detail::Lines)?;
    run.push_all(transactions, &JsonPath::root().key("transactions"));
    run.finish()
}

/// The statement of one partner (transactions of other partners are read only
/// where they matter to it: the resellers below a distributor).
///
/// # Errors
///
/// As [`statements`]; `commission_no_plan` when no plan applies to `partner_id`.
///
/// # Example
///
/// ```
/// use prm_core::commission::{self, CommissionFacts, StatementOptions, Transaction};
/// let program = prm_core::Program::from_json(r#"{"schema_version": 1, "currency": "EUR",
///   "commissions": {"plans": [{"id": "std", "rates": [{"kind": "percent", "id": "base", "rate": "10%"}],
///                              "period_cap": "5000.00"}]}}"#)?;
/// let sales = [
///     Transaction::sale("T1", "P1", "2026-01-10".parse()?, "40000.00".parse()?),
///     Transaction::sale("T2", "P1", "2026-02-10".parse()?, "22000.00".parse()?),
/// ];
/// let options = StatementOptions::as_of("2026-03-31".parse()?);
/// let statement = commission::statement(&program, &sales, &CommissionFacts::default(), "P1", &options)?;
/// // Earnings of 6,200 against a cap of 5,000: the second line is reduced by 1,200.
/// assert_eq!(statement.totals.earned.to_string(), "6200.00");
/// assert_eq!(statement.totals.capped.to_string(), "1200.00");
/// assert_eq!(statement.totals.net.to_string(), "5000.00");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn statement(
    program: &Program,
    transactions: &[Transaction],
    facts: &CommissionFacts,
    partner_id: &str,
    options: &StatementOptions,
) -> Result<CommissionStatement, Error> {
    let mut run = StatementRun::new(program, facts, options.clone(), Detail::Lines)?;
    run.include(partner_id);
    run.push_all(transactions, &JsonPath::root().key("transactions"));
    let all = run.finish()?;
    all.statements
        .into_iter()
        .find(|s| s.partner_id == partner_id)
        .ok_or_else(|| {
            Error::problem(
                Problem::new(
                    ErrorCode::CommissionNoPlan,
                    JsonPath::root().key("partner_id"),
                )
                .message(format!("no statement for partner `{partner_id}`")),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The JSON every language sees: pinned so a change to it is a deliberate one.
    #[test]
    fn statement_json_shape() {
        let program = Program::from_json(
            r#"{"schema_version": 1, "currency": "EUR", "commissions": {"plans": [
                {"id": "std", "rates": [{"kind": "percent", "id": "base", "rate": "10%"}], "clawback_window_days": 90}]}}"#,
        )
        .unwrap();
        let txs = [
            Transaction::sale(
                "T1",
                "P1",
                "2026-01-05".parse().unwrap(),
                "1000.00".parse().unwrap(),
            ),
            Transaction::refund(
                "T2",
                "P1",
                "2026-03-01".parse().unwrap(),
                "400.00".parse().unwrap(),
                "T1",
            ),
        ];
        let options = StatementOptions::as_of("2026-03-31".parse().unwrap());
        let s = statement(&program, &txs, &CommissionFacts::default(), "P1", &options).unwrap();
        let mut json = serde_json::to_value(&s).unwrap();
        json["explanation"] = serde_json::Value::String(s.explanation.to_text());
        insta::assert_json_snapshot!(json);
    }
}
