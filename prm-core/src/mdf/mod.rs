//! Market development funds: allocation, requests, claims and an event-sourced ledger.
//!
//! # Overview
//!
//! * A [`FundProgram`] (a fund in the program's `mdf` section) has a currency,
//!   consecutive [`FundPeriod`]s each with a **pool**, an [`AllocationRule`],
//!   the [`ActivityType`]s partners may request money for, and the rules for
//!   requests (lead time, vendor share, auto-approval, approval limits),
//!   claims (window, proof) and expiry (grace, carry-over).
//! * [`allocate`] shares a period's pool among partners: a fixed amount per
//!   tier, an accrual rate of previous-period revenue (the fund's rate or the
//!   tier benefit `mdf_accrual_rate`), or a discretionary amount; clamped to the
//!   per-partner minimum and maximum, prorated for partners who joined during
//!   the period, and scaled down with largest-remainder rounding when the
//!   entitlements exceed the pool, so the allocations sum exactly to it.
//! * The [`Ledger`] is event-sourced. The host keeps the append-only list of
//!   [`Event`]s and passes it in with a [`Command`]
//!   (`allocate`, `submit_request`, `approve_request`, `reject_request`,
//!   `cancel_request`, `submit_claim`, `approve_claim`, `reject_claim`,
//!   `pay_claim`, `adjust`, `close_period`). prm rebuilds the state, checks
//!   the command against the rules and the state, and returns the new events
//!   in a [`Decision`]; a refused command returns problems and changes nothing.
//! * [`balance`] and [`report`] answer as of any date: funds, available,
//!   open commitment, paid, released, expired, utilization, by tier and by
//!   activity type, and return on investment where revenue is attributed.
//!
//! ```
//! use prm_core::{Program, mdf::{Ledger, Command}};
//! let program = Program::from_value(&prm_core::sample::program())?;
//! let mut ledger = Ledger::new(&program)?;
//! let command = |json| serde_json::from_value::<Command>(json);
//! ledger.apply(&command(serde_json::json!({"kind": "allocate", "on": "2026-01-02",
//!     "fund": "coop", "period": "2026-Q1",
//!     "partners": [{"partner_id": "P0042", "tier": "platinum", "previous_revenue": "100000.00"}]}))?)?;
//! // A trade show with planned cost 1,800 at a 50% vendor share: at most 900 can be requested.
//! ledger.apply(&command(serde_json::json!({"kind": "submit_request", "on": "2026-01-05",
//!     "request_id": "R-1", "fund": "coop", "partner_id": "P0042", "activity_type": "trade_show",
//!     "start": "2026-02-20", "end": "2026-02-22", "planned_cost": "1800.00", "requested": "900.00"}))?)?;
//! ledger.apply(&command(serde_json::json!({"kind": "approve_request", "on": "2026-01-06",
//!     "request_id": "R-1", "approver": {"id": "u-1", "role": "channel_manager"}}))?)?;
//! let figures = ledger.figures_of("coop", "2026-Q1", "P0042")?;
//! assert_eq!(figures.funds.to_string(), "3000.00");
//! assert_eq!(figures.available.to_string(), "2100.00");
//! assert_eq!(figures.open_commitment.to_string(), "900.00");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The balance
//!
//! For each partner, period and fund:
//!
//! * funds = allocated + carried in + adjusted
//! * available = funds − approved + released − expired
//! * open commitment = approved − paid − released
//! * utilization = (paid + open commitment) / funds
//!
//! Available never goes below zero: an approval beyond it is
//! `insufficient_funds`. A request is never paid more than its approval, and
//! a claim is paid once.
//!
//! # Where it bites
//!
//! * **Time moves with commands.** No clock is read: a command dated `on`
//!   first releases every approval whose claim window closed before `on`
//!   (day N of the window accepts claims, day N+1 releases what is
//!   unclaimed), and the `released` events come back with the command's own.
//!   A balance as of a date includes the releases due by then.
//! * **Limits round down.** The vendor's share of a planned or actual cost
//!   is a limit, not a line: it is rounded toward zero so the vendor never
//!   funds more than its share. Allocation and carry-over lines are rounded
//!   once with the program's rounding mode.
//! * **Closing a period** (from its end plus the grace days) expires every
//!   partner's available balance, carries the configured share of it (capped
//!   per partner) into the next period, and rejects requests still pending.
//!   Approved money is not touched: partners can still claim it, and what is
//!   released later expires at once.

mod allocation;
mod balance;
mod command;
mod config;
mod event;
mod lead_time;
mod ledger;
mod report;
mod state;

pub use allocation::{Allocation, AllocationFacts, AllocationLine, allocate};
pub use balance::{AccountBalance, Balance, BalanceFigures, BalanceFilter, PeriodBalance, balance};
pub use command::{Approver, Command};
pub use config::{
    ActivityType, AllocationRule, ApprovalLimit, CarryOver, DayCount, Expiry, FundPeriod,
    FundProgram, LeadTime, MAX_LEAD_DAYS, MdfProgram,
};
pub use event::{Change, Event, ExpiryReason, ReleaseReason};
pub use lead_time::is_business_day;
pub use ledger::{AccountFigures, Decision, Ledger};
pub use report::{
    ActivityRow, Attribution, MdfReport, ReportScope, Roi, StatusCounts, TierRow, report,
};

use crate::Program;
use crate::error::{Error, ErrorCode, JsonPath, Problem};
use crate::money::{Amount, Currency, Decimal};

/// `amount` as a decimal in `currency`, checking its currency and precision.
pub(crate) fn money_in(
    amount: Amount,
    currency: Currency,
    at: &JsonPath,
) -> Result<Decimal, Error> {
    let money = amount.in_currency(currency, at)?;
    if money.currency() != currency {
        return Err(Error::problem(
            Problem::new(ErrorCode::CurrencyMismatch, at)
                .message(format!("expected an amount in {currency}, found {money}"))
                .help(format!("give it in {currency}, or as a bare amount")),
        ));
    }
    Ok(money.amount())
}

/// Which activity types a partner may request.
pub(crate) enum Eligible {
    /// Every type: eligibility does not depend on tiers.
    All,
    /// These types.
    Only(Vec<String>),
    /// Eligibility depends on the tier, and none is known.
    NeedsTier,
}

/// The activity types a partner in `tier` may request: the fund's
/// `eligibility` map, else the tier's `mdf_activity_types` benefit, else all.
pub(crate) fn eligible_types(
    program: &Program,
    fund: &FundProgram,
    tier: Option<&str>,
) -> Eligible {
    if let Some(map) = &fund.eligibility {
        return match tier {
            None => Eligible::NeedsTier,
            Some(t) => Eligible::Only(map.get(t).cloned().unwrap_or_default()),
        };
    }
    match (program.tiers(), tier) {
        (None, _) => Eligible::All,
        (Some(_), None) => Eligible::NeedsTier,
        (Some(ladder), Some(t)) => Eligible::Only(
            ladder
                .benefits(t)
                .map(|b| b.mdf_activity_types.clone())
                .unwrap_or_default(),
        ),
    }
}
