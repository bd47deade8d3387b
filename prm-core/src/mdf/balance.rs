//! Balances as of any date.

use super::event::Event;
use super::ledger::Ledger;
use super::state::{Figures, minus, plus};
use crate::Program;
use crate::calendar::Date;
use crate::error::{Error, ErrorCode, JsonPath, Problem};
use crate::money::{Currency, Decimal, RoundingMode};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The money of an account, a period or a group, with the balance formulas applied.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct BalanceFigures {
    /// Allocated from the pool.
    pub allocated: Decimal,
    /// Carried in from the previous period.
    pub carried_in: Decimal,
    /// Manual corrections (may be negative).
    pub adjusted: Decimal,
    /// allocated + carried in + adjusted.
    pub funds: Decimal,
    /// Approved for requests.
    pub approved: Decimal,
    /// Paid on claims.
    pub paid: Decimal,
    /// Approved money that went back to the available balance.
    pub released: Decimal,
    /// Unspent money that expired (including what carried over).
    pub expired: Decimal,
    /// Of what expired, what carried into the next period.
    pub carried_out: Decimal,
    /// funds − approved + released − expired; never negative.
    pub available: Decimal,
    /// approved − paid − released.
    pub open_commitment: Decimal,
    /// Requested and waiting for review (not yet committed).
    pub pending_review: Decimal,
    /// (paid + open commitment) / funds, to 4 places; absent without funds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub utilization: Option<Decimal>,
}

impl BalanceFigures {
    /// The figures with the balance formulas applied, written with the
    /// currency's `places` (amounts are already whole minor units).
    pub(crate) fn from_figures(f: &Figures, places: u32) -> Result<BalanceFigures, Error> {
        let funds = f.funds()?;
        let open = f.open_commitment()?;
        // Amounts are whole minor units already: only pad those written shorter (`0`).
        let pad = |v: Decimal| {
            if v.value().scale() == places {
                v
            } else {
                RoundingMode::HalfEven.round(v, places)
            }
        };
        Ok(BalanceFigures {
            allocated: pad(f.allocated),
            carried_in: pad(f.carried_in),
            adjusted: pad(f.adjusted),
            funds: pad(funds),
            approved: pad(f.approved),
            paid: pad(f.paid),
            released: pad(f.released),
            expired: pad(f.expired),
            carried_out: pad(f.carried_out),
            available: pad(f.available()?),
            open_commitment: pad(open),
            pending_review: pad(f.pending),
            utilization: ratio(plus(f.paid, open)?, funds),
        })
    }
}

/// `numerator / denominator` to 4 places (half-even), or `None` when the denominator is not positive.
pub(crate) fn ratio(numerator: Decimal, denominator: Decimal) -> Option<Decimal> {
    if denominator <= Decimal::ZERO {
        return None;
    }
    numerator
        .checked_div(denominator)
        .map(|r| RoundingMode::HalfEven.round(r, 4))
}

/// One partner's balance in one period of one fund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct AccountBalance {
    /// The fund program.
    pub fund: String,
    /// The period.
    pub period: String,
    /// The partner.
    pub partner_id: String,
    /// The tier recorded with the partner's allocation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// The figures.
    #[serde(flatten)]
    pub figures: BalanceFigures,
}

/// One period's totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct PeriodBalance {
    /// The fund program.
    pub fund: String,
    /// The period.
    pub period: String,
    /// The fund's currency.
    pub currency: Currency,
    /// The first day of the period.
    pub start: Date,
    /// The first day after the period.
    pub end: Date,
    /// The period's pool.
    pub pool: Decimal,
    /// What allocations and adjustments have given out of the pool.
    pub pool_used: Decimal,
    /// What new allocations can still take: the pool less the allocations and
    /// adjustments, or less the allocations alone when adjustments took money back.
    pub pool_left: Decimal,
    /// True once the period is closed.
    pub closed: bool,
    /// The first day the period can be closed (end plus grace).
    pub closable_from: Date,
    /// True when the period can be closed and has not been: its unspent money is due to expire.
    pub expiry_due: bool,
    /// Partners with an account in the period.
    pub partners: usize,
    /// The totals.
    #[serde(flatten)]
    pub figures: BalanceFigures,
}

/// Balances as of a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Balance {
    /// The date asked about.
    pub as_of: Date,
    /// Each period's totals, in program order.
    pub periods: Vec<PeriodBalance>,
    /// Each partner's balance, by fund, period and partner id.
    pub accounts: Vec<AccountBalance>,
    /// Releases due by `as_of` that the ledger has not recorded yet; they are
    /// included in the figures and will be recorded with the next command.
    pub due_events: Vec<Event>,
}

/// Which balances to show; everything when empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BalanceFilter {
    /// Only this fund program.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fund: Option<String>,
    /// Only this period (needs `fund`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    /// Only this partner's accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_id: Option<String>,
}

/// The ledger's state as of `as_of`: events dated up to it, plus the releases
/// due by then.
pub(crate) fn ledger_as_of<'p>(
    program: &'p Program,
    events: &[Event],
    as_of: Date,
) -> Result<(Ledger<'p>, Vec<Event>), Error> {
    let mut ledger = Ledger::replay_until(program, events, as_of)?;
    let due = ledger.due_releases(as_of)?;
    ledger.record_due(&due)?;
    Ok((ledger, due))
}

/// The slots a filter selects, checking that its fund and period exist.
pub(crate) fn selected_slots(
    ledger: &Ledger<'_>,
    fund: Option<&str>,
    period: Option<&str>,
    at: &JsonPath,
) -> Result<Vec<usize>, Error> {
    match (fund, period) {
        (None, Some(_)) => Err(Error::problem(
            Problem::new(ErrorCode::MissingField, at.key("fund"))
                .message("a `period` filter needs the `fund` it belongs to"),
        )),
        (Some(fund), Some(period)) => Ok(vec![ledger.find_slot(fund, period, at)?]),
        (Some(fund), None) => {
            let mut slots = Vec::new();
            for (slot, _) in ledger.slots().iter().enumerate() {
                let (f, _) = ledger.slot_config(slot)?;
                if f.id == fund {
                    slots.push(slot);
                }
            }
            if slots.is_empty() {
                // Reports the unknown fund with a suggestion.
                ledger.find_slot(fund, "", at)?;
            }
            Ok(slots)
        }
        (None, None) => Ok((0..ledger.slots().len()).collect()),
    }
}

/// The balances of every partner and period as of `as_of`.
///
/// Events dated after `as_of` are ignored, and approvals whose claim window
/// closed before `as_of` are released (shown in `due_events`), so the answer
/// is what the ledger would show on that day.
///
/// # Errors
///
/// As [`Ledger::replay`]; `unknown_reference` for a filter naming an unknown fund or period.
///
/// # Example
///
/// ```
/// use prm_core::{Program, mdf};
/// let program = Program::from_value(&prm_core::sample::program())?;
/// let events: Vec<mdf::Event> = serde_json::from_value(serde_json::json!([
///   {"seq": 1, "on": "2026-01-02", "change": {"kind": "allocated", "fund": "coop",
///    "period": "2026-Q1", "partner_id": "P0001", "tier": "gold", "amount": "2000.00"}}
/// ]))?;
/// let balance = mdf::balance(&program, &events, "2026-01-31".parse()?, &Default::default())?;
/// assert_eq!(balance.accounts[0].figures.available.to_string(), "2000.00");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn balance(
    program: &Program,
    events: &[Event],
    as_of: Date,
    filter: &BalanceFilter,
) -> Result<Balance, Error> {
    let (ledger, due_events) = ledger_as_of(program, events, as_of)?;
    let slots = selected_slots(
        &ledger,
        filter.fund.as_deref(),
        filter.period.as_deref(),
        &JsonPath::root(),
    )?;
    let mut periods = Vec::with_capacity(slots.len());
    let mut accounts = Vec::new();
    for slot in slots {
        let (fund, period) = ledger.slot_config(slot)?;
        let Some(state) = ledger.slots().get(slot) else {
            continue;
        };
        // The slot's accounts in the order they were opened (often already
        // by partner id), sorted by partner id only when they are not.
        let mut ids: Vec<(&str, usize)> = Vec::with_capacity(state.accounts.len());
        ids.extend(
            ledger
                .accounts()
                .iter()
                .enumerate()
                .filter(|(_, a)| a.slot == slot)
                .map(|(a, account)| (account.partner_id.as_str(), a)),
        );
        if !ids.is_sorted() {
            ids.sort_unstable();
        }
        let mut totals = Figures::default();
        for (partner_id, a) in ids {
            let Some(account) = ledger.accounts().get(a) else {
                continue;
            };
            totals.add(&account.figures)?;
            if filter
                .partner_id
                .as_deref()
                .is_none_or(|wanted| wanted == partner_id)
            {
                accounts.push(AccountBalance {
                    fund: fund.id.clone(),
                    period: period.id.clone(),
                    partner_id: partner_id.to_owned(),
                    tier: account.tier.clone(),
                    figures: BalanceFigures::from_figures(&account.figures, state.places)?,
                });
            }
        }
        let closable_from = period.end.add_days(i64::from(fund.expiry.grace_days))?;
        let pool = period.pool.amount();
        periods.push(PeriodBalance {
            fund: fund.id.clone(),
            period: period.id.clone(),
            currency: fund.currency_or(program.currency()),
            start: period.start,
            end: period.end,
            pool,
            pool_used: state.pool_used,
            pool_left: minus(pool, state.pool_used.max(state.allocated))?,
            closed: state.closed,
            closable_from,
            expiry_due: !state.closed && as_of >= closable_from,
            partners: state.accounts.len(),
            figures: BalanceFigures::from_figures(&totals, state.places)?,
        });
    }
    Ok(Balance {
        as_of,
        periods,
        accounts,
        due_events,
    })
}

/// The balances of the accounts `events` touched, by fund, period and partner.
pub(crate) fn touched(ledger: &Ledger<'_>, events: &[Event]) -> Result<Vec<AccountBalance>, Error> {
    use super::event::Change;
    let mut indices = std::collections::BTreeSet::new();
    let account_of_request = |id: &str| {
        ledger
            .request_position(id)
            .and_then(|r| ledger.requests().get(r))
            .map(|r| r.account)
    };
    for event in events {
        let index = match &event.change {
            Change::Allocated {
                fund,
                period,
                partner_id,
                ..
            }
            | Change::CarriedIn {
                fund,
                period,
                partner_id,
                ..
            }
            | Change::Adjusted {
                fund,
                period,
                partner_id,
                ..
            }
            | Change::Expired {
                fund,
                period,
                partner_id,
                ..
            } => ledger
                .find_slot(fund, period, &JsonPath::root())
                .ok()
                .and_then(|slot| ledger.slots().get(slot))
                .and_then(|s| {
                    s.accounts
                        .get(&super::state::IdKey::new(partner_id))
                        .copied()
                }),
            Change::RequestSubmitted { request_id, .. }
            | Change::RequestApproved { request_id, .. }
            | Change::RequestRejected { request_id, .. }
            | Change::RequestCancelled { request_id, .. }
            | Change::ClaimSubmitted { request_id, .. }
            | Change::Released { request_id, .. } => account_of_request(request_id),
            Change::ClaimApproved { claim_id, .. }
            | Change::ClaimRejected { claim_id, .. }
            | Change::Paid { claim_id, .. } => ledger
                .claim_position(claim_id)
                .and_then(|c| ledger.claims().get(c))
                .and_then(|c| ledger.requests().get(c.request))
                .map(|r| r.account),
            Change::PeriodClosed { .. } => None,
        };
        if let Some(index) = index {
            indices.insert(index);
        }
    }
    let mut rows = Vec::with_capacity(indices.len());
    for index in indices {
        let Some(account) = ledger.accounts().get(index) else {
            continue;
        };
        let (fund, period) = ledger.slot_config(account.slot)?;
        let places = ledger.slots().get(account.slot).map_or(2, |s| s.places);
        rows.push((
            account.slot,
            AccountBalance {
                fund: fund.id.clone(),
                period: period.id.clone(),
                partner_id: account.partner_id.clone(),
                tier: account.tier.clone(),
                figures: BalanceFigures::from_figures(&account.figures, places)?,
            },
        ));
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.partner_id.cmp(&b.1.partner_id)));
    Ok(rows.into_iter().map(|(_, row)| row).collect())
}
