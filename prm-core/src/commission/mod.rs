//! Commissions: plans, statements, clawbacks, splits, overrides and what-if.
//!
//! # Overview
//!
//! * A [`CommissionPlan`] (in the program's `commissions` section) says how a
//!   partner's [`Transaction`]s turn into commission: the basis (revenue or
//!   margin), rates and bracket tables, tier multipliers, an accelerator,
//!   per-transaction limits, SPIFFs, target bonuses, a period cap, a minimum
//!   period basis, the clawback window, payout timing and two-tier overrides.
//! * [`statement`] and [`statements`] turn a period's transactions into a
//!   [`CommissionStatement`] per partner: [`CommissionLine`]s, each made of
//!   [`LineComponent`]s that cite the rule they come from, the
//!   [`StatementTotals`], the [`CarryForward`] for the next statement, and an
//!   explanation.
//! * [`StatementRun`] does the same from a stream of transactions, keeping
//!   per-partner state rather than the transactions.
//! * [`compare`] runs two versions of the plans over the same transactions.
//!
//! ```
//! use prm_core::commission::{self, CommissionFacts, StatementOptions, Transaction};
//! let program = prm_core::Program::from_json(r#"{"schema_version": 1, "currency": "EUR",
//!   "commissions": {"plans": [{"id": "resale", "brackets": [{"id": "volume", "scope": "period",
//!     "brackets": [{"from": "0", "to": "10000", "rate": "5%"},
//!                  {"from": "10000", "to": "50000", "rate": "7%"},
//!                  {"from": "50000", "rate": "10%"}]}]}]}}"#)?;
//! let sales = [
//!     Transaction::sale("T1", "P1", "2026-01-15".parse()?, "20000.00".parse()?),
//!     Transaction::sale("T2", "P1", "2026-02-15".parse()?, "40000.00".parse()?),
//! ];
//! let options = StatementOptions::as_of("2026-03-31".parse()?);
//! let run = commission::statements(&program, &sales, &CommissionFacts::default(), &options)?;
//! // Net basis 60,000, graduated: 500 + 2,800 + 1,000 = 4,300, shared by basis.
//! let statement = &run.statements[0];
//! assert_eq!(statement.totals.net.to_string(), "4300.00");
//! let lines: Vec<String> = statement.lines.iter().map(|l| l.amount.to_string()).collect();
//! assert_eq!(lines, ["1433.33", "2866.67"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # How a line is computed
//!
//! For each partner's share of a sale, in this order:
//!
//! 1. the transaction is split into partner shares (largest remainder, so the shares add up);
//! 2. the share's basis: revenue, or margin = max(0, amount - cost), converted with the FX table;
//! 3. the base amount: the chosen rates plus every bracket table;
//! 4. the tier multiplier at the transaction date, then the accelerator;
//! 5. the per-transaction minimum and maximum;
//! 6. SPIFFs, added and never multiplied;
//! 7. one rounding, to the currency's minor units with the plan's mode (else the program's);
//! 8. the period cap, in transaction order (by date, sales before refunds, then
//!    id): the line that crosses it is reduced,
//!    later lines pay nothing, and each reduction is reported as capped;
//! 9. clawbacks: a refund inside the window reverses the proportion it
//!    refunds of what the original line paid, as a negative line;
//! 10. overrides for the parent distributor.
//!
//! # Where it bites
//!
//! * **Period-cumulative brackets** are applied once to the period's net
//!   basis (sales less refunds of this period's sales inside the window), and
//!   each sale line receives its share, the lines rounded by largest remainder
//!   so they sum exactly to the rounded total. A line's amount therefore
//!   depends on the whole period: such plans settle their lines when the
//!   period closes.
//! * **Retroactive brackets** pay the whole basis at the rate of the bracket
//!   reached; brackets are half-open, so a basis of exactly 10,000 has reached
//!   the bracket that starts at 10,000.
//! * **Refunds that cross periods** claw back in the period of the refund,
//!   against what the earlier statement paid: pass that statement's lines in
//!   `prior_lines`. A refund whose original is missing is an error, never zero.
//! * **Cumulative clawbacks**: each refund claws back `round(paid × refunded so far)`
//!   minus what was clawed back before, so a sale refunded in several parts
//!   nets to exactly zero once fully refunded.

/// `format!` when the explanation is wanted, an empty (unallocated) string otherwise.
macro_rules! note {
    ($want:expr, $($arg:tt)*) => {
        if $want { format!($($arg)*) } else { String::new() }
    };
}

mod brackets;
mod chunked;
mod compare;
mod compiled;
mod facts;
mod filters;
mod ids;
mod plan;
mod run;
mod statement;
mod transaction;

pub use brackets::{Bracket, BracketMode, BracketScope, BracketTable, MAX_BRACKETS};
pub use compare::{PartnerComparison, PlanComparison, TotalsComparison, compare};
pub use facts::{CarryForward, CommissionFacts, FxRate, StatementOptions, TierChange};
pub use plan::{
    Accelerator, AcceleratorScope, AppliesTo, Basis, CommissionPlan, CommissionProgram,
    MAX_BRACKET_TABLES, OverrideBasis, OverrideRule, Payout, PayoutTrigger, PlanPeriod, RateRule,
    RateSelection, Spiff, SpiffPay, TargetBonus, TierMultiplier, TransactionFilter,
    TransactionLimits,
};
pub use run::{Detail, StatementRun};
pub use statement::{
    CommissionLine, CommissionStatement, CommissionStatements, ComponentKind, LineComponent,
    LineKind, LineStatus, StatementTotals, statement, statements,
};
pub use transaction::{Split, Transaction, TransactionKey, TransactionKind};
