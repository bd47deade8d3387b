//! [`Ledger`]: the state rebuilt from events, and commands decided against it.

use super::command::Command;
use super::config::{FundPeriod, FundProgram, MdfProgram};
use super::event::{Change, Event, ExpiryReason, ReleaseReason};
use super::state::{
    Account, Claim, Figures, IdIndex, IdKey, IdMap, PeriodState, Request, RequestStatus,
};
use crate::Program;
use crate::calendar::Date;
use crate::error::{Error, ErrorCode, JsonPath, Problem};
use crate::explain::{Explanation, Outcome, Step};
use crate::money::Decimal;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeSet;

mod decide;
mod record;

/// What a command did: the events it produced and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Decision {
    /// The command's kind (`submit_request`, ...).
    pub command: &'static str,
    /// The new events, numbered after the ledger's last one; the host appends them.
    pub events: Vec<Event>,
    /// How the command was checked and decided.
    pub explanation: Explanation,
}

/// The MDF ledger: balances, requests and claims rebuilt from the events so far.
///
/// The ledger is event-sourced. The host keeps the append-only list of
/// [`Event`]s; prm rebuilds the state from them ([`Ledger::replay`]), checks
/// a [`Command`] against the program's rules and that state, and answers with
/// the new events ([`Ledger::apply`]). A refused command produces no events
/// and leaves the ledger exactly as it was.
///
/// Time moves with the commands: before a command dated `on` is checked, the
/// ledger releases every approval whose claim window closed before `on`
/// (approved money nobody can claim any more goes back to the available
/// balance). Those `released` events are returned with the command's own.
///
/// # Example
///
/// ```
/// use prm_core::{Program, mdf::{Ledger, Command}};
/// let program = Program::from_value(&prm_core::sample::program())?;
/// let mut ledger = Ledger::new(&program)?;
/// let allocate: Command = serde_json::from_value(serde_json::json!({
///     "kind": "allocate", "on": "2026-01-02", "fund": "coop", "period": "2026-Q1",
///     "partners": [{"partner_id": "P0001", "tier": "gold", "previous_revenue": "100000.00"}]
/// }))?;
/// let decision = ledger.apply(&allocate)?;
/// assert_eq!(decision.events.len(), 1);
/// assert_eq!(ledger.figures_of("coop", "2026-Q1", "P0001")?.available.to_string(), "2000.00");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Ledger<'p> {
    program: &'p Program,
    mdf: &'p MdfProgram,
    slots: Vec<PeriodState>,
    fund_base: Vec<usize>,
    accounts: Vec<Account>,
    requests: Vec<Request>,
    request_index: IdIndex,
    claims: Vec<Claim>,
    claim_index: IdIndex,
    /// Activity types named by requests, interned.
    activities: Vec<IdKey>,
    activity_index: IdMap<u16>,
    /// Approved requests by claim deadline, for releases.
    deadlines: BTreeSet<(Date, usize)>,
    /// The day deadlines were last pruned.
    pruned_on: Option<Date>,
    last_seq: u64,
    last_on: Option<Date>,
}

/// The figures of one account, as [`Ledger::figures_of`] reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
pub struct AccountFigures {
    /// funds − approved + released − expired.
    pub available: Decimal,
    /// approved − paid − released.
    pub open_commitment: Decimal,
    /// allocated + carried in + adjusted.
    pub funds: Decimal,
    /// Paid to the partner.
    pub paid: Decimal,
}

fn internal(what: &str) -> Error {
    Error::Internal(vec![
        Problem::new(ErrorCode::Internal, JsonPath::root())
            .message(format!("MDF ledger: {what}; please report this")),
    ])
}

fn root() -> JsonPath {
    JsonPath::root()
}

impl<'p> Ledger<'p> {
    /// An empty ledger for the program's `mdf` section.
    ///
    /// # Errors
    ///
    /// `missing_field` at `$.mdf` when the program has no `mdf` section.
    pub fn new(program: &'p Program) -> Result<Ledger<'p>, Error> {
        let mdf = program.mdf().ok_or_else(|| {
            Error::problem(
                Problem::new(ErrorCode::MissingField, root().key("mdf"))
                    .message("the program has no `mdf` section")
                    .help("add an `mdf` section with at least one fund program"),
            )
        })?;
        let mut slots = Vec::new();
        let mut fund_base = Vec::with_capacity(mdf.funds.len());
        for (f, fund) in mdf.funds.iter().enumerate() {
            fund_base.push(slots.len());
            let places = fund.currency_or(program.currency()).minor_units();
            for p in 0..fund.periods.len() {
                slots.push(PeriodState {
                    fund: f,
                    period: p,
                    closed: false,
                    places,
                    pool_used: Decimal::ZERO,
                    allocated: Decimal::ZERO,
                    accounts: IdMap::default(),
                });
            }
        }
        Ok(Ledger {
            program,
            mdf,
            slots,
            fund_base,
            accounts: Vec::new(),
            requests: Vec::new(),
            request_index: IdIndex::default(),
            claims: Vec::new(),
            claim_index: IdIndex::default(),
            activities: Vec::new(),
            activity_index: IdMap::default(),
            deadlines: BTreeSet::new(),
            pruned_on: None,
            last_seq: 0,
            last_on: None,
        })
    }

    /// Rebuilds the ledger from `events`, checking each against the ones before.
    ///
    /// # Errors
    ///
    /// * `mdf_ledger_inconsistent` at `$.events[i]` for an event that does not
    ///   follow from the ones before it (a gap in `seq`, an unknown request, a
    ///   claim paid twice, an approval beyond the available balance);
    /// * `mdf_out_of_order` for an event dated before the one before it;
    /// * `money_precision` for an amount finer than the fund's currency.
    ///
    /// # Example
    ///
    /// ```
    /// use prm_core::{Program, mdf::{Event, Ledger}};
    /// let program = Program::from_value(&prm_core::sample::program())?;
    /// let events: Vec<Event> = serde_json::from_value(serde_json::json!([
    ///   {"seq": 1, "on": "2026-01-02", "change": {"kind": "allocated", "fund": "coop",
    ///    "period": "2026-Q1", "partner_id": "P0001", "tier": "gold", "amount": "2000.00"}}
    /// ]))?;
    /// let ledger = Ledger::replay(&program, &events)?;
    /// assert_eq!(ledger.last_seq(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Example: a gap in the sequence is refused
    ///
    /// ```
    /// # use prm_core::{Program, mdf::{Event, Ledger}};
    /// # let program = Program::from_value(&prm_core::sample::program())?;
    /// let events: Vec<Event> = serde_json::from_value(serde_json::json!([
    ///   {"seq": 2, "on": "2026-01-02", "change": {"kind": "period_closed", "fund": "coop", "period": "2026-Q1"}}
    /// ]))?;
    /// let err = Ledger::replay(&program, &events).unwrap_err();
    /// assert_eq!(err.problems()[0].code().as_str(), "mdf_ledger_inconsistent");
    /// assert_eq!(err.problems()[0].path(), "$.events[0]");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Properties
    ///
    /// Replaying the events a ledger produced gives the same state
    /// (`prop_replaying_events_gives_the_same_balance`).
    pub fn replay(program: &'p Program, events: &[Event]) -> Result<Ledger<'p>, Error> {
        let mut ledger = Ledger::new(program)?;
        ledger.reserve_for(events);
        for (i, event) in events.iter().enumerate() {
            ledger.evolve(event, i)?;
        }
        Ok(ledger)
    }

    /// Rebuilds the ledger from the events dated on or before `as_of`.
    ///
    /// # Errors
    ///
    /// As [`Ledger::replay`].
    pub fn replay_until(
        program: &'p Program,
        events: &[Event],
        as_of: Date,
    ) -> Result<Ledger<'p>, Error> {
        let mut ledger = Ledger::new(program)?;
        ledger.reserve_for(events);
        for (i, event) in events.iter().enumerate() {
            if event.on > as_of {
                break;
            }
            ledger.evolve(event, i)?;
        }
        Ok(ledger)
    }

    /// Makes room for the requests, claims and accounts `events` create, so
    /// that a long replay never grows (and rehashes) its tables.
    fn reserve_for(&mut self, events: &[Event]) {
        let (mut requests, mut claims, mut accounts) = (0, 0, 0);
        for event in events {
            match event.change {
                Change::RequestSubmitted { .. } => requests += 1,
                Change::ClaimSubmitted { .. } => claims += 1,
                Change::Allocated { .. } => accounts += 1,
                _ => {}
            }
        }
        self.requests.reserve(requests);
        self.request_index.reserve(requests);
        self.claims.reserve(claims);
        self.claim_index.reserve(claims);
        self.accounts.reserve(accounts);
    }

    /// The program the ledger follows.
    pub fn program(&self) -> &'p Program {
        self.program
    }

    /// The number of events recorded so far (the last `seq`).
    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }

    /// The date of the last event, if any.
    pub fn last_on(&self) -> Option<Date> {
        self.last_on
    }

    /// The figures of one partner in one period.
    ///
    /// # Errors
    ///
    /// `unknown_reference` for an unknown fund or period; `overflow` past the decimal range.
    pub fn figures_of(
        &self,
        fund: &str,
        period: &str,
        partner_id: &str,
    ) -> Result<AccountFigures, Error> {
        let slot = self.slot_at(fund, period, &root())?;
        let figures = self
            .slots
            .get(slot)
            .and_then(|s| s.accounts.get(&IdKey::new(partner_id)))
            .and_then(|a| self.accounts.get(*a))
            .map(|a| a.figures)
            .unwrap_or_default();
        Ok(AccountFigures {
            available: figures.available()?,
            open_commitment: figures.open_commitment()?,
            funds: figures.funds()?,
            paid: figures.paid,
        })
    }

    /// Checks `command` against the rules and the current state and, when it
    /// passes, records its events and returns them.
    ///
    /// Before the command is checked, approvals whose claim window closed
    /// before the command's date are released; those events come first.
    /// Problems are reported with paths into the command (`$.requested`).
    ///
    /// # Errors
    ///
    /// Every problem with the command, and the ledger is left unchanged:
    /// * `invalid` when the command breaks the program's rules: `mdf_lead_time_not_met`,
    ///   `mdf_activity_not_eligible`, `mdf_not_compliant`, `mdf_vendor_share_exceeded`, `mdf_claim_window_closed`,
    ///   `mdf_claim_before_activity_end`, `mdf_proof_missing`, `mdf_approval_limit_exceeded`,
    ///   `mdf_approval_exceeds_amount`, `mdf_period_not_open`, `mdf_period_not_ended`,
    ///   `mdf_tier_required`, `unknown_reference` to the program, bad amounts;
    /// * `not_found` for a request or claim the ledger does not know;
    /// * `conflict` when it does not fit the state: `insufficient_funds`, `mdf_pool_exceeded`,
    ///   `mdf_request_not_pending`, `mdf_request_not_approved`, `mdf_request_has_open_claims`,
    ///   `mdf_approval_used_up`, `mdf_claim_not_pending`, `mdf_claim_not_approved`,
    ///   `mdf_claim_already_paid`, `mdf_already_allocated`, `mdf_period_closed`,
    ///   `mdf_out_of_order`, `duplicate_id`.
    ///
    /// # Example
    ///
    /// ```
    /// use prm_core::{Program, mdf::{Command, Ledger}};
    /// let program = Program::from_value(&prm_core::sample::program())?;
    /// let mut ledger = Ledger::new(&program)?;
    /// let allocate: Command = serde_json::from_value(serde_json::json!({
    ///     "kind": "allocate", "on": "2026-01-02", "fund": "coop", "period": "2026-Q1",
    ///     "partners": [{"partner_id": "P0001", "tier": "silver", "previous_revenue": "80000.00"}]}))?;
    /// let decision = ledger.apply(&allocate)?;
    /// assert_eq!(decision.events[0].seq, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Example: a refused command changes nothing
    ///
    /// ```
    /// # use prm_core::{Program, mdf::{Command, Ledger}};
    /// # let program = Program::from_value(&prm_core::sample::program())?;
    /// let mut ledger = Ledger::new(&program)?;
    /// let pay: Command = serde_json::from_value(serde_json::json!(
    ///     {"kind": "pay_claim", "on": "2026-01-05", "claim_id": "C-404"}))?;
    /// let err = ledger.apply(&pay).unwrap_err();
    /// assert_eq!(err.code(), "not_found");
    /// assert_eq!(err.problems()[0].path(), "$.claim_id");
    /// assert_eq!(ledger.last_seq(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Properties
    ///
    /// Available never goes below zero, a request is never paid more than its
    /// approval, a claim is paid once, and a refused command changes nothing
    /// (`prop_random_commands_keep_the_ledger_sound`).
    pub fn apply(&mut self, command: &Command) -> Result<Decision, Error> {
        let on = command.on();
        if let Some(last) = self.last_on
            && on < last
        {
            return Err(Error::Conflict(vec![
                Problem::new(ErrorCode::MdfOutOfOrder, root().key("on"))
                    .message(format!(
                        "the command is dated {on}, before the ledger's last event on {last}"
                    ))
                    .help(format!("date the command {last} or later")),
            ]));
        }
        let releases = self.due_releases(on)?;
        let mut explanation = Explanation::new();
        let changes = if releases.is_empty() {
            self.decide(command, &mut explanation)?
        } else {
            let mut staged = self.clone();
            staged.evolve_all(&releases)?;
            staged.decide(command, &mut explanation)?
        };
        let mut events = releases;
        let first = self.last_seq + events.len() as u64 + 1;
        for (seq, change) in (first..).zip(changes) {
            events.push(Event { seq, on, change });
        }
        if let Some(first) = events.first()
            && first.seq != self.last_seq + 1
        {
            return Err(internal("event numbering"));
        }
        let released = events
            .iter()
            .filter(|e| matches!(e.change, Change::Released { .. }))
            .count();
        if released > 0 {
            explanation.push(Step::new(
                "mdf.ledger.release",
                Outcome::Applied,
                format!(
                    "{released} approval(s) released first: their claim windows closed before {on}"
                ),
            ));
        }
        // The ledger decided these events against this very state, so recording them cannot fail.
        self.evolve_all(&events)?;
        Ok(Decision {
            command: command.kind(),
            events,
            explanation,
        })
    }

    /// Applies `commands` in order, all or nothing: when one is refused, the
    /// ledger is put back as it was before the first and the refusal is
    /// returned with paths under the command's position (`$[2].requested`).
    ///
    /// # Errors
    ///
    /// The first refusal, as [`Ledger::apply`] reports it.
    ///
    /// # Example
    ///
    /// ```
    /// use prm_core::{Program, mdf::{Command, Ledger}};
    /// let program = Program::from_value(&prm_core::sample::program())?;
    /// let mut ledger = Ledger::new(&program)?;
    /// let commands: Vec<Command> = serde_json::from_value(serde_json::json!([
    ///   {"kind": "allocate", "on": "2026-01-02", "fund": "coop", "period": "2026-Q1",
    ///    "partners": [{"partner_id": "P0001", "tier": "gold", "previous_revenue": "100000.00"}]},
    ///   {"kind": "close_period", "on": "2026-01-03", "fund": "coop", "period": "2026-Q1"}
    /// ]))?;
    /// // The close is refused (the period has not ended), so the allocation is not kept either.
    /// let err = ledger.apply_all(&commands).unwrap_err();
    /// assert_eq!(err.problems()[0].path(), "$[1].on");
    /// assert_eq!(ledger.last_seq(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn apply_all(&mut self, commands: &[Command]) -> Result<Vec<Decision>, Error> {
        let before = self.clone();
        let mut decisions = Vec::with_capacity(commands.len());
        for (i, command) in commands.iter().enumerate() {
            match self.apply(command) {
                Ok(decision) => decisions.push(decision),
                Err(error) => {
                    *self = before;
                    return Err(error.under(&root().index(i)));
                }
            }
        }
        Ok(decisions)
    }

    /// A preview of the `allocate` command: how `partners` would share what
    /// is left of the period's pool. Problems are reported at `$.fund`,
    /// `$.period` and `$.partners[i]`.
    ///
    /// # Errors
    ///
    /// As [`super::allocate`].
    pub fn preview_allocation(
        &self,
        fund: &str,
        period: &str,
        partners: &[super::AllocationFacts],
    ) -> Result<super::Allocation, Error> {
        let slot = self.slot_at(fund, period, &root())?;
        let (fund_cfg, period_cfg) = self.config(slot)?;
        let used = self.pool_taken(slot);
        super::allocation::compute(
            self.program,
            fund_cfg,
            period_cfg,
            partners,
            used,
            &root().key("partners"),
        )
    }

    /// The releases due before a command dated `on`: approvals whose claim
    /// deadline is before `on` with money still unclaimed.
    pub(crate) fn due_releases(&self, on: Date) -> Result<Vec<Event>, Error> {
        let mut events = Vec::new();
        let mut seq = self.last_seq;
        for &(deadline, r) in self.deadlines.range(..(on, 0)) {
            let Some(request) = self.requests.get(r) else {
                return Err(internal("deadline names an unknown request"));
            };
            if request.status != RequestStatus::Approved {
                continue;
            }
            let amount = request.unclaimed()?;
            if amount <= Decimal::ZERO {
                continue;
            }
            let day = deadline.add_days(1)?;
            seq += 1;
            events.push(Event {
                seq,
                on: day,
                change: Change::Released {
                    request_id: request.id.to_string(),
                    amount,
                    reason: ReleaseReason::ClaimDeadlinePassed,
                },
            });
            if let Some(expired) = self.expiry_after_release(request.account, amount)? {
                seq += 1;
                events.push(Event {
                    seq,
                    on: day,
                    change: expired,
                });
            }
        }
        Ok(events)
    }

    /// When an account's period is closed, released money expires at once.
    fn expiry_after_release(
        &self,
        account: usize,
        amount: Decimal,
    ) -> Result<Option<Change>, Error> {
        let account = self
            .accounts
            .get(account)
            .ok_or_else(|| internal("request names an unknown account"))?;
        let slot = self
            .slots
            .get(account.slot)
            .ok_or_else(|| internal("account names an unknown period"))?;
        if !slot.closed {
            return Ok(None);
        }
        let (fund, period) = self.config(account.slot)?;
        Ok(Some(Change::Expired {
            fund: fund.id.clone(),
            period: period.id.clone(),
            partner_id: account.partner_id.clone(),
            amount,
            reason: ExpiryReason::ReleasedAfterClose,
        }))
    }

    fn evolve_all(&mut self, events: &[Event]) -> Result<(), Error> {
        for (i, event) in events.iter().enumerate() {
            self.evolve(event, i)?;
        }
        Ok(())
    }

    // ----- lookups -----

    fn config(&self, slot: usize) -> Result<(&'p FundProgram, &'p FundPeriod), Error> {
        let state = self
            .slots
            .get(slot)
            .ok_or_else(|| internal("unknown period slot"))?;
        let fund = self
            .mdf
            .funds
            .get(state.fund)
            .ok_or_else(|| internal("unknown fund"))?;
        let period = fund
            .periods
            .get(state.period)
            .ok_or_else(|| internal("unknown period"))?;
        Ok((fund, period))
    }

    fn fund_index(&self, fund: &str) -> Option<usize> {
        self.mdf.funds.iter().position(|f| f.id == fund)
    }

    fn slot(&self, fund: &str, period: &str) -> Option<usize> {
        let f = self.fund_index(fund)?;
        let p = self
            .mdf
            .funds
            .get(f)?
            .periods
            .iter()
            .position(|p| p.id == period)?;
        Some(self.fund_base.get(f)? + p)
    }

    /// The slot of `fund`/`period`, or `unknown_reference` at `at.fund` / `at.period`.
    fn fund_at(&self, fund: &str, at: &JsonPath) -> Result<usize, Error> {
        self.mdf.fund_at(fund, at)
    }

    /// The slot of `fund`/`period`, or `unknown_reference` at `at.fund` / `at.period`.
    fn slot_at(&self, fund: &str, period: &str, at: &JsonPath) -> Result<usize, Error> {
        let (f, p) = self.mdf.locate(fund, period, at)?;
        Ok(self.fund_base.get(f).copied().unwrap_or_default() + p)
    }

    /// What new allocations cannot have of the pool: allocations and
    /// adjustments together, but never less than the allocations alone (a
    /// negative adjustment does not make room for more allocations).
    fn pool_taken(&self, slot: usize) -> Decimal {
        self.slots
            .get(slot)
            .map_or(Decimal::ZERO, |s| s.pool_used.max(s.allocated))
    }

    fn account_of(&self, slot: usize, partner_id: &str) -> Option<&Account> {
        let index = self
            .slots
            .get(slot)?
            .accounts
            .get(&IdKey::new(partner_id))?;
        self.accounts.get(*index)
    }

    fn figures(&self, slot: usize, partner_id: &str) -> Figures {
        self.account_of(slot, partner_id)
            .map(|a| a.figures)
            .unwrap_or_default()
    }

    fn account_index(&mut self, slot: usize, partner_id: &str) -> Result<usize, Error> {
        let state = self
            .slots
            .get_mut(slot)
            .ok_or_else(|| internal("unknown period slot"))?;
        let index = self.accounts.len();
        match state.accounts.entry(IdKey::new(partner_id)) {
            std::collections::hash_map::Entry::Occupied(entry) => return Ok(*entry.get()),
            std::collections::hash_map::Entry::Vacant(entry) => {
                entry.insert(index);
            }
        }
        self.accounts.push(Account {
            slot,
            partner_id: partner_id.to_owned(),
            tier: None,
            has_allocation: false,
            figures: Figures::default(),
        });
        Ok(index)
    }

    fn request_at(&self, id: &str, at: &JsonPath) -> Result<(usize, &Request), Error> {
        self.request_position(id)
            .and_then(|r| self.requests.get(r).map(|req| (r, req)))
            .ok_or_else(|| {
                Error::NotFound(vec![
                    Problem::new(ErrorCode::UnknownReference, at)
                        .message(format!("the ledger has no request `{id}`")),
                ])
            })
    }

    fn claim_at(&self, id: &str, at: &JsonPath) -> Result<(usize, &Claim), Error> {
        self.claim_position(id)
            .and_then(|c| self.claims.get(c).map(|claim| (c, claim)))
            .ok_or_else(|| {
                Error::NotFound(vec![
                    Problem::new(ErrorCode::UnknownReference, at)
                        .message(format!("the ledger has no claim `{id}`")),
                ])
            })
    }

    // ----- read access for balances and reports -----

    pub(crate) fn slots(&self) -> &[PeriodState] {
        &self.slots
    }

    pub(crate) fn accounts(&self) -> &[Account] {
        &self.accounts
    }

    pub(crate) fn requests(&self) -> &[Request] {
        &self.requests
    }

    pub(crate) fn claims(&self) -> &[Claim] {
        &self.claims
    }

    pub(crate) fn request_position(&self, id: &str) -> Option<usize> {
        self.request_index
            .find(id, |r| self.requests.get(r).map(|request| &request.id))
    }

    pub(crate) fn claim_position(&self, id: &str) -> Option<usize> {
        self.claim_index
            .find(id, |c| self.claims.get(c).map(|claim| &claim.id))
    }

    pub(crate) fn slot_config(
        &self,
        slot: usize,
    ) -> Result<(&'p FundProgram, &'p FundPeriod), Error> {
        self.config(slot)
    }

    pub(crate) fn find_slot(
        &self,
        fund: &str,
        period: &str,
        at: &JsonPath,
    ) -> Result<usize, Error> {
        self.slot_at(fund, period, at)
    }

    /// The balances of the accounts `events` touched (an account is a partner
    /// in one period of one fund), by fund, period and partner.
    ///
    /// # Errors
    ///
    /// `overflow` past the decimal range.
    pub fn balances_touched(&self, events: &[Event]) -> Result<Vec<super::AccountBalance>, Error> {
        super::balance::touched(self, events)
    }

    /// Applies events the ledger produced itself (the due releases of a balance).
    pub(crate) fn record_due(&mut self, events: &[Event]) -> Result<(), Error> {
        self.evolve_all(events)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mdf::balance;
    use serde_json::json;

    /// DOMAIN.md §6's numbers: a gold partner accruing 2%, a trade show at 50%.
    fn program() -> Program {
        Program::from_value(&json!({
            "schema_version": 1, "currency": "EUR",
            "tiers": {"tiers": [
                {"id": "silver", "name": "Silver", "rank": 1,
                 "benefits": {"mdf_accrual_rate": "1%", "mdf_activity_types": ["digital"]}},
                {"id": "gold", "name": "Gold", "rank": 2,
                 "benefits": {"mdf_accrual_rate": "2%", "mdf_activity_types": ["digital", "trade_show"]}}
            ]},
            "mdf": {"funds": [{
                "id": "coop",
                "periods": [
                    {"id": "q1", "start": "2024-01-01", "end": "2024-04-01", "pool": "10000.00"},
                    {"id": "q2", "start": "2024-04-01", "end": "2024-07-01", "pool": "10000.00"}
                ],
                "allocation": {"kind": "accrual"},
                "activity_types": [
                    {"id": "trade_show", "vendor_share": "50%", "required_proof": ["invoice", "photos"]},
                    {"id": "digital", "vendor_share": "50%"}
                ],
                "lead_time": {"days": 14},
                "auto_approve_up_to": "200.00",
                "approval_limits": [
                    {"role": "channel_manager", "up_to": "1000.00"},
                    {"role": "director"}
                ],
                "claim_window_days": 60,
                "expiry": {"grace_days": 30, "carry_over": {"share": "50%", "cap_per_partner": "300.00"}}
            }]}
        }))
        .unwrap()
    }

    fn command(value: serde_json::Value) -> Command {
        serde_json::from_value(value).unwrap()
    }

    fn run(ledger: &mut Ledger<'_>, commands: &[serde_json::Value]) {
        for c in commands {
            ledger.apply(&command(c.clone())).unwrap();
        }
    }

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn codes(error: &Error) -> Vec<&'static str> {
        error.problems().iter().map(|p| p.code().as_str()).collect()
    }

    fn setup() -> Vec<serde_json::Value> {
        vec![
            json!({"kind": "allocate", "on": "2024-01-02", "fund": "coop", "period": "q1",
                   "partners": [{"partner_id": "P1", "tier": "gold", "previous_revenue": "100000.00"}]}),
            json!({"kind": "submit_request", "on": "2024-01-05", "request_id": "R1", "fund": "coop",
                   "partner_id": "P1", "activity_type": "trade_show", "start": "2024-02-28",
                   "end": "2024-03-01", "planned_cost": "1800.00", "requested": "900.00"}),
            json!({"kind": "approve_request", "on": "2024-01-08", "request_id": "R1",
                   "approver": {"id": "u1", "role": "channel_manager"}}),
        ]
    }

    #[test]
    fn trade_show_example_leaves_1100_available_and_reimburses_900() {
        let p = program();
        let mut ledger = Ledger::new(&p).unwrap();
        run(&mut ledger, &setup());
        let f = ledger.figures_of("coop", "q1", "P1").unwrap();
        assert_eq!(f.funds, d("2000.00"));
        assert_eq!(f.available, d("1100.00"));
        let decision = ledger
            .apply(&command(
                json!({"kind": "submit_claim", "on": "2024-03-05", "claim_id": "C1",
                "request_id": "R1", "actual_cost": "2000.00", "proofs": ["invoice", "photos"]}),
            ))
            .unwrap();
        let Some(Change::ClaimSubmitted {
            reimbursable,
            not_reimbursable,
            share_of_cost,
            ..
        }) = decision.events.first().map(|e| &e.change)
        else {
            panic!("no claim event: {decision:?}");
        };
        assert_eq!(
            (*share_of_cost, *reimbursable, *not_reimbursable),
            (d("1000.00"), d("900.00"), d("100.00"))
        );
    }

    #[test]
    fn claim_window_accepts_day_60_and_refuses_day_61() {
        let p = program();
        let mut ledger = Ledger::new(&p).unwrap();
        run(&mut ledger, &setup());
        let claim = |on: &str| {
            command(
                json!({"kind": "submit_claim", "on": on, "claim_id": "C1", "request_id": "R1",
                           "actual_cost": "500.00", "proofs": ["invoice", "photos"]}),
            )
        };
        let mut late = ledger.clone();
        let err = late.apply(&claim("2024-05-01")).unwrap_err();
        assert_eq!(codes(&err), vec!["mdf_claim_window_closed"]);
        assert!(ledger.apply(&claim("2024-04-30")).is_ok());
    }

    #[test]
    fn refused_command_changes_nothing() {
        let p = program();
        let mut ledger = Ledger::new(&p).unwrap();
        run(&mut ledger, &setup());
        run(
            &mut ledger,
            &[
                json!({"kind": "submit_request", "on": "2024-01-09", "request_id": "R2",
                "fund": "coop", "partner_id": "P1", "activity_type": "trade_show",
                "start": "2024-02-01", "end": "2024-02-01", "planned_cost": "5000.00",
                "requested": "2500.00"}),
            ],
        );
        let before = format!("{ledger:?}");
        let err = ledger
            .apply(&command(
                json!({"kind": "approve_request", "on": "2024-01-09", "request_id": "R2",
                "approver": {"id": "u1", "role": "director"}}),
            ))
            .unwrap_err();
        assert_eq!(codes(&err), vec!["insufficient_funds"]);
        assert_eq!(err.code(), "conflict");
        assert_eq!(
            err.problems()[0].suggestion(),
            Some("approve at most 1100.00 (a partial approval), or add funds with `adjust`")
        );
        assert_eq!(format!("{ledger:?}"), before);
    }

    #[test]
    fn partial_approval_within_available_is_accepted() {
        let p = program();
        let mut ledger = Ledger::new(&p).unwrap();
        run(&mut ledger, &setup());
        run(
            &mut ledger,
            &[
                json!({"kind": "submit_request", "on": "2024-01-09", "request_id": "R2",
                    "fund": "coop", "partner_id": "P1", "activity_type": "trade_show",
                    "start": "2024-02-01", "end": "2024-02-01", "planned_cost": "5000.00",
                    "requested": "2500.00"}),
                json!({"kind": "approve_request", "on": "2024-01-09", "request_id": "R2",
                    "amount": "1100.00", "approver": {"id": "u1", "role": "director"}}),
            ],
        );
        let f = ledger.figures_of("coop", "q1", "P1").unwrap();
        assert_eq!(f.available, d("0.00"));
        assert_eq!(f.open_commitment, d("2000.00"));
    }

    #[test]
    fn approval_above_the_role_limit_names_the_role_needed() {
        let p = program();
        let mut ledger = Ledger::new(&p).unwrap();
        run(&mut ledger, &setup()[..2]);
        run(
            &mut ledger,
            &[
                json!({"kind": "submit_request", "on": "2024-01-05", "request_id": "R2", "fund": "coop",
                "partner_id": "P1", "activity_type": "trade_show", "start": "2024-03-01",
                "end": "2024-03-01", "planned_cost": "2400.00", "requested": "1100.00"}),
            ],
        );
        let err = ledger
            .apply(&command(
                json!({"kind": "approve_request", "on": "2024-01-08", "request_id": "R2",
                "approver": {"id": "u1", "role": "channel_manager"}}),
            ))
            .unwrap_err();
        assert_eq!(codes(&err), vec!["mdf_approval_limit_exceeded"]);
        assert_eq!(
            err.problems()[0].suggestion(),
            Some("an approval of 1100.00 needs `director`")
        );
    }

    #[test]
    fn small_requests_are_approved_on_submission_when_funds_allow() {
        let p = program();
        let mut ledger = Ledger::new(&p).unwrap();
        run(&mut ledger, &setup()[..1]);
        let decision = ledger
            .apply(&command(
                json!({"kind": "submit_request", "on": "2024-01-05", "request_id": "R9",
                "fund": "coop", "partner_id": "P1", "activity_type": "digital",
                "start": "2024-02-01", "end": "2024-02-01", "planned_cost": "400.00",
                "requested": "200.00"}),
            ))
            .unwrap();
        assert!(matches!(
            decision.events.get(1).map(|e| &e.change),
            Some(Change::RequestApproved { auto: true, .. })
        ));
    }

    #[test]
    fn second_partial_claim_reimburses_what_is_left_and_reports_the_excess() {
        let p = program();
        let mut ledger = Ledger::new(&p).unwrap();
        run(&mut ledger, &setup());
        let claim = |id: &str, cost: &str| {
            command(
                json!({"kind": "submit_claim", "on": "2024-03-05", "claim_id": id,
                "request_id": "R1", "actual_cost": cost, "proofs": ["invoice", "photos"]}),
            )
        };
        ledger.apply(&claim("C1", "1200.00")).unwrap();
        let decision = ledger.apply(&claim("C2", "1200.00")).unwrap();
        assert!(matches!(
            decision.events.first().map(|e| &e.change),
            Some(Change::ClaimSubmitted { reimbursable, not_reimbursable, .. })
                if *reimbursable == d("300.00") && *not_reimbursable == d("300.00")
        ));
        let err = ledger.apply(&claim("C3", "100.00")).unwrap_err();
        assert_eq!(codes(&err), vec!["mdf_approval_used_up"]);
    }

    #[test]
    fn claim_is_paid_once() {
        let p = program();
        let mut ledger = Ledger::new(&p).unwrap();
        run(&mut ledger, &setup());
        run(
            &mut ledger,
            &[
                json!({"kind": "submit_claim", "on": "2024-03-05", "claim_id": "C1", "request_id": "R1",
                    "actual_cost": "1800.00", "proofs": ["invoice", "photos"]}),
                json!({"kind": "approve_claim", "on": "2024-03-06", "claim_id": "C1"}),
                json!({"kind": "pay_claim", "on": "2024-03-07", "claim_id": "C1"}),
            ],
        );
        let err = ledger
            .apply(&command(
                json!({"kind": "pay_claim", "on": "2024-03-08", "claim_id": "C1"}),
            ))
            .unwrap_err();
        assert_eq!(codes(&err), vec!["mdf_claim_already_paid"]);
        assert_eq!(err.code(), "conflict");
        let f = ledger.figures_of("coop", "q1", "P1").unwrap();
        assert_eq!((f.paid, f.open_commitment), (d("900.00"), d("0.00")));
    }

    #[test]
    fn unclaimed_approval_is_released_the_day_after_the_deadline() {
        let p = program();
        let mut ledger = Ledger::new(&p).unwrap();
        run(&mut ledger, &setup());
        // Deadline 2024-04-30; a command on 2024-04-30 releases nothing, one on 2024-05-01 does.
        let adjust = |on: &str| {
            command(
                json!({"kind": "adjust", "on": on, "fund": "coop", "period": "q2",
                "partner_id": "P1", "amount": "1.00", "reason": "test"}),
            )
        };
        let decision = ledger.apply(&adjust("2024-04-30")).unwrap();
        assert_eq!(decision.events.len(), 1);
        let decision = ledger.apply(&adjust("2024-05-01")).unwrap();
        assert!(matches!(
            decision.events.first(),
            Some(Event { on, change: Change::Released { amount, reason: ReleaseReason::ClaimDeadlinePassed, .. }, .. })
                if on.to_string() == "2024-05-01" && *amount == d("900.00")
        ));
        let f = ledger.figures_of("coop", "q1", "P1").unwrap();
        assert_eq!((f.available, f.open_commitment), (d("2000.00"), d("0.00")));
    }

    #[test]
    fn closing_expires_unspent_money_and_carries_a_capped_share() {
        let p = program();
        let mut ledger = Ledger::new(&p).unwrap();
        run(&mut ledger, &setup());
        let close = |on: &str| {
            command(json!({"kind": "close_period", "on": on, "fund": "coop", "period": "q1"}))
        };
        let err = ledger.clone().apply(&close("2024-04-30")).unwrap_err();
        assert_eq!(codes(&err), vec!["mdf_period_not_ended"]);
        let decision = ledger.apply(&close("2024-05-01")).unwrap();
        let kinds: Vec<&str> = decision.events.iter().map(|e| e.change.kind()).collect();
        // The unclaimed approval is released first (deadline 2024-04-30), then 2000.00 expires.
        assert_eq!(
            kinds,
            vec!["released", "expired", "carried_in", "period_closed"]
        );
        let q1 = ledger.figures_of("coop", "q1", "P1").unwrap();
        let q2 = ledger.figures_of("coop", "q2", "P1").unwrap();
        assert_eq!(q1.available, d("0.00"));
        assert_eq!(q2.available, d("300.00")); // 50% of 2000.00, capped at 300.00
        let err = ledger.clone().apply(&close("2024-05-02")).unwrap_err();
        assert_eq!(codes(&err), vec!["mdf_period_closed"]);
    }

    #[test]
    fn money_released_after_close_expires_at_once() {
        let p = program();
        let mut ledger = Ledger::new(&p).unwrap();
        run(&mut ledger, &setup()[..2]);
        run(
            &mut ledger,
            &[
                // A request whose window outlives the close: activity ends 2024-03-31, deadline 2024-05-30.
                json!({"kind": "submit_request", "on": "2024-01-05", "request_id": "R2", "fund": "coop",
                    "partner_id": "P1", "activity_type": "digital", "start": "2024-03-31",
                    "end": "2024-03-31", "planned_cost": "1000.00", "requested": "500.00"}),
                json!({"kind": "approve_request", "on": "2024-01-08", "request_id": "R2",
                    "approver": {"id": "u1", "role": "channel_manager"}}),
                json!({"kind": "close_period", "on": "2024-05-01", "fund": "coop", "period": "q1"}),
            ],
        );
        let decision = ledger
            .apply(&command(
                json!({"kind": "cancel_request", "on": "2024-05-02", "request_id": "R2"}),
            ))
            .unwrap();
        let kinds: Vec<&str> = decision.events.iter().map(|e| e.change.kind()).collect();
        assert_eq!(kinds, vec!["request_cancelled", "released", "expired"]);
        assert_eq!(
            ledger.figures_of("coop", "q1", "P1").unwrap().available,
            d("0.00")
        );
    }

    #[test]
    fn claims_need_an_approved_request() {
        let p = program();
        let mut ledger = Ledger::new(&p).unwrap();
        run(&mut ledger, &setup()[..2]);
        run(
            &mut ledger,
            &[
                json!({"kind": "reject_request", "on": "2024-01-06", "request_id": "R1", "reason": "no"}),
            ],
        );
        let err = ledger
            .apply(&command(
                json!({"kind": "submit_claim", "on": "2024-03-05", "claim_id": "C1",
                "request_id": "R1", "actual_cost": "10.00", "proofs": ["invoice", "photos"]}),
            ))
            .unwrap_err();
        assert_eq!(codes(&err), vec!["mdf_request_not_approved"]);
    }

    #[test]
    fn commands_dated_before_the_last_event_are_refused() {
        let p = program();
        let mut ledger = Ledger::new(&p).unwrap();
        run(&mut ledger, &setup());
        let err = ledger
            .apply(&command(
                json!({"kind": "reject_request", "on": "2024-01-07", "request_id": "R1",
                "reason": "late"}),
            ))
            .unwrap_err();
        assert_eq!(codes(&err), vec!["mdf_out_of_order"]);
    }

    #[test]
    fn replay_refuses_a_tampered_ledger() {
        let p = program();
        let mut ledger = Ledger::new(&p).unwrap();
        let mut events = Vec::new();
        for c in setup() {
            events.extend(ledger.apply(&command(c)).unwrap().events);
        }
        assert!(Ledger::replay(&p, &events).is_ok());
        let mut gap = events.clone();
        gap.remove(1);
        let err = Ledger::replay(&p, &gap).unwrap_err();
        assert_eq!(codes(&err), vec!["mdf_ledger_inconsistent"]);
        assert_eq!(err.problems()[0].path(), "$.events[1]");
        let mut inflated = events.clone();
        if let Some(Change::RequestApproved { amount, .. }) =
            inflated.get_mut(2).map(|e| &mut e.change)
        {
            *amount = d("5000.00");
        }
        assert_eq!(
            codes(&Ledger::replay(&p, &inflated).unwrap_err()),
            vec!["mdf_ledger_inconsistent"]
        );
    }

    #[test]
    fn balance_as_of_includes_releases_due_by_then() {
        let p = program();
        let mut ledger = Ledger::new(&p).unwrap();
        let mut events = Vec::new();
        for c in setup() {
            events.extend(ledger.apply(&command(c)).unwrap().events);
        }
        let on = |s: &str| s.parse::<Date>().unwrap();
        let before = balance(&p, &events, on("2024-04-30"), &Default::default()).unwrap();
        assert!(before.due_events.is_empty());
        let after = balance(&p, &events, on("2024-05-01"), &Default::default()).unwrap();
        assert_eq!(after.due_events.len(), 1);
        assert_eq!(after.accounts[0].figures.released, d("900.00"));
        assert_eq!(after.accounts[0].figures.available, d("2000.00"));
        assert!(after.periods[0].expiry_due);
        let early = balance(&p, &events, on("2024-01-06"), &Default::default()).unwrap();
        assert_eq!(early.accounts[0].figures.approved, d("0.00"));
        assert_eq!(early.accounts[0].figures.pending_review, d("900.00"));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;
        use std::collections::BTreeMap;

        fn program() -> Program {
            Program::from_value(&json!({
                "schema_version": 1, "currency": "EUR",
                "mdf": {"funds": [{
                    "id": "f",
                    "periods": [
                        {"id": "q1", "start": "2024-01-01", "end": "2024-04-01", "pool": "2000.00"},
                        {"id": "q2", "start": "2024-04-01", "end": "2024-07-01", "pool": "2000.00"}
                    ],
                    "allocation": {"kind": "discretionary"},
                    "activity_types": [
                        {"id": "event", "vendor_share": "50%", "required_proof": ["invoice"]},
                        {"id": "digital", "vendor_share": "75%"}
                    ],
                    "lead_time": {"days": 3},
                    "auto_approve_up_to": "50.00",
                    "approval_limits": [{"role": "manager", "up_to": "300.00"}, {"role": "director"}],
                    "claim_window_days": 30,
                    "expiry": {"grace_days": 5, "carry_over": {"share": "50%", "cap_per_partner": "100.00"}}
                }]}
            }))
            .unwrap()
        }

        #[derive(Debug, Clone)]
        enum Op {
            Allocate(u8, u32, bool),
            Submit(u8, u8, bool, u8, u8, u32, u8),
            Approve(u8, u8, bool),
            Reject(u8),
            Cancel(u8),
            Claim(u8, u32, bool),
            ApproveClaim(u8, u8),
            RejectClaim(u8),
            Pay(u8),
            Adjust(u8, i32, bool),
            Close(bool),
        }

        fn op() -> impl Strategy<Value = Op> {
            // Few ids and friendly amounts, so that sequences reach approvals, claims and payments.
            prop_oneof![
                2 => (0u8..3, 0u32..150_000, any::<bool>()).prop_map(|(p, c, q)| Op::Allocate(p, c, q)),
                3 => (0u8..6, 0u8..3, any::<bool>(), 2u8..10, 0u8..4, 1u32..40_000, 40u8..115)
                    .prop_map(|(r, p, d, l, n, c, f)| Op::Submit(r, p, d, l, n, c, f)),
                4 => (0u8..4, prop_oneof![2 => Just(0u8), 1 => 1u8..120], any::<bool>())
                    .prop_map(|(r, f, d)| Op::Approve(r, f, d)),
                1 => (0u8..4).prop_map(Op::Reject),
                1 => (0u8..4).prop_map(Op::Cancel),
                3 => (0u8..4, 1u32..40_000, prop::bool::weighted(0.85))
                    .prop_map(|(r, cost, proof)| Op::Claim(r, cost, proof)),
                3 => (0u8..4, prop_oneof![3 => Just(0u8), 1 => 1u8..120]).prop_map(|(c, f)| Op::ApproveClaim(c, f)),
                1 => (0u8..4).prop_map(Op::RejectClaim),
                3 => (0u8..4).prop_map(Op::Pay),
                1 => (0u8..3, -50_000i32..50_000, any::<bool>()).prop_map(|(p, a, q)| Op::Adjust(p, a, q)),
                1 => any::<bool>().prop_map(Op::Close),
            ]
        }

        fn money(cents: i64) -> String {
            Decimal::new(rust_decimal::Decimal::new(cents, 2)).to_string()
        }

        /// Ids submitted so far, so that later commands name real requests and claims.
        #[derive(Default)]
        struct Ids {
            requests: Vec<String>,
            claims: Vec<String>,
            next: usize,
        }

        impl Ids {
            fn request(&self, r: u8) -> Option<String> {
                let n = self.requests.len();
                (n > 0).then(|| self.requests[usize::from(r) % n].clone())
            }
            fn claim(&self, c: u8) -> Option<String> {
                let n = self.claims.len();
                (n > 0).then(|| self.claims[usize::from(c) % n].clone())
            }
            /// Remembers the ids a command submitted, once it was applied.
            fn applied(&mut self, command: &Command) {
                match command {
                    Command::SubmitRequest { request_id, .. } => {
                        self.requests.push(request_id.clone())
                    }
                    Command::SubmitClaim { claim_id, .. } => self.claims.push(claim_id.clone()),
                    _ => {}
                }
            }
        }

        /// The command for `op` on day `on`, or `None` when it would name a
        /// request or claim and none exists yet.
        fn command_for(op: &Op, on: Date, ids: &mut Ids) -> Option<Command> {
            let period = |q2: bool| if q2 { "q2" } else { "q1" };
            ids.next += 1;
            let fresh = ids.next;
            let value = match op {
                Op::Allocate(p, c, q2) => json!({"kind": "allocate", "on": on, "fund": "f",
                    "period": period(*q2), "partners": [{"partner_id": format!("P{p}"), "amount": money(i64::from(*c))}]}),
                Op::Submit(r, p, digital, lead, days, cost, pct) => {
                    let share = if *digital { 75 } else { 50 };
                    let requested = i64::from(*cost) * share / 100 * i64::from(*pct) / 100;
                    let start = on.add_days(i64::from(*lead)).unwrap();
                    // Now and then reuse an id, which must be refused.
                    let id = match ids.request(*r).filter(|_| *r == 0) {
                        Some(existing) => existing,
                        None => format!("R{fresh}"),
                    };
                    json!({"kind": "submit_request", "on": on, "request_id": id, "fund": "f",
                        "partner_id": format!("P{p}"), "activity_type": if *digital { "digital" } else { "event" },
                        "start": start, "end": start.add_days(i64::from(*days)).unwrap(),
                        "planned_cost": money(i64::from(*cost)), "requested": money(requested.max(1))})
                }
                Op::Approve(r, pct, director) => {
                    let mut c = json!({"kind": "approve_request", "on": on, "request_id": ids.request(*r)?,
                        "approver": {"id": "u", "role": if *director { "director" } else { "manager" }}});
                    if *pct > 0 {
                        c["amount"] = json!(money(i64::from(*pct) * 10));
                    }
                    c
                }
                Op::Reject(r) => {
                    json!({"kind": "reject_request", "on": on, "request_id": ids.request(*r)?, "reason": "x"})
                }
                Op::Cancel(r) => {
                    json!({"kind": "cancel_request", "on": on, "request_id": ids.request(*r)?})
                }
                Op::Claim(r, cost, proof) => json!({"kind": "submit_claim", "on": on,
                    "claim_id": format!("C{fresh}"), "request_id": ids.request(*r)?,
                    "actual_cost": money(i64::from(*cost)),
                    "proofs": if *proof { vec!["invoice"] } else { vec![] }}),
                Op::ApproveClaim(c, pct) => {
                    let mut v =
                        json!({"kind": "approve_claim", "on": on, "claim_id": ids.claim(*c)?});
                    if *pct > 0 {
                        v["amount"] = json!(money(i64::from(*pct) * 10));
                    }
                    v
                }
                Op::RejectClaim(c) => {
                    json!({"kind": "reject_claim", "on": on, "claim_id": ids.claim(*c)?, "reason": "x"})
                }
                Op::Pay(c) => json!({"kind": "pay_claim", "on": on, "claim_id": ids.claim(*c)?}),
                Op::Adjust(p, a, q2) => {
                    json!({"kind": "adjust", "on": on, "fund": "f", "period": period(*q2),
                    "partner_id": format!("P{p}"), "amount": money(i64::from(*a)), "reason": "fix"})
                }
                Op::Close(q2) => {
                    json!({"kind": "close_period", "on": on, "fund": "f", "period": period(*q2)})
                }
            };
            Some(command(value))
        }

        /// Sums each account's money straight from the events: the naive reference model.
        fn oracle(events: &[Event]) -> BTreeMap<(String, String), [Decimal; 7]> {
            let mut requests: BTreeMap<String, (String, String)> = BTreeMap::new();
            let mut claims: BTreeMap<String, String> = BTreeMap::new();
            let mut sums: BTreeMap<(String, String), [Decimal; 7]> = BTreeMap::new();
            let mut add = |key: (String, String), i: usize, amount: Decimal| {
                let row = sums.entry(key).or_insert([Decimal::ZERO; 7]);
                row[i] = row[i].checked_add(amount).unwrap();
            };
            for e in events {
                match &e.change {
                    Change::Allocated {
                        period,
                        partner_id,
                        amount,
                        ..
                    } => add((period.clone(), partner_id.clone()), 0, *amount),
                    Change::CarriedIn {
                        period,
                        partner_id,
                        amount,
                        ..
                    } => add((period.clone(), partner_id.clone()), 1, *amount),
                    Change::Adjusted {
                        period,
                        partner_id,
                        amount,
                        ..
                    } => add((period.clone(), partner_id.clone()), 2, *amount),
                    Change::RequestSubmitted {
                        request_id,
                        period,
                        partner_id,
                        ..
                    } => {
                        requests.insert(request_id.clone(), (period.clone(), partner_id.clone()));
                    }
                    Change::RequestApproved {
                        request_id, amount, ..
                    } => add(requests[request_id].clone(), 3, *amount),
                    Change::ClaimSubmitted {
                        claim_id,
                        request_id,
                        ..
                    } => {
                        claims.insert(claim_id.clone(), request_id.clone());
                    }
                    Change::Paid {
                        claim_id, amount, ..
                    } => add(requests[&claims[claim_id]].clone(), 4, *amount),
                    Change::Released {
                        request_id, amount, ..
                    } => add(requests[request_id].clone(), 5, *amount),
                    Change::Expired {
                        period,
                        partner_id,
                        amount,
                        ..
                    } => add((period.clone(), partner_id.clone()), 6, *amount),
                    _ => {}
                }
            }
            sums
        }

        /// The whole state as text, hash maps in key order (their capacity
        /// and iteration order may differ between two equal ledgers).
        fn canonical(ledger: &Ledger<'_>) -> String {
            let slots: Vec<(bool, Decimal, Decimal, BTreeMap<&IdKey, &usize>)> = ledger
                .slots()
                .iter()
                .map(|s| {
                    (
                        s.closed,
                        s.pool_used,
                        s.allocated,
                        s.accounts.iter().collect(),
                    )
                })
                .collect();
            let requests = ledger.request_index.positions();
            let claims = ledger.claim_index.positions();
            format!(
                "{slots:?}\n{:?}\n{:?}\n{requests:?}\n{:?}\n{claims:?}\n{:?}\n{} {:?}",
                ledger.accounts(),
                ledger.requests(),
                ledger.claims(),
                ledger.deadlines,
                ledger.last_seq,
                ledger.last_on
            )
        }

        fn check_sound(ledger: &Ledger<'_>, events: &[Event]) -> Result<(), TestCaseError> {
            for account in ledger.accounts() {
                prop_assert!(
                    !account.figures.available().unwrap().is_negative(),
                    "available below zero: {account:?}"
                );
                prop_assert!(!account.figures.open_commitment().unwrap().is_negative());
            }
            for request in ledger.requests() {
                prop_assert!(
                    request.paid <= request.approved,
                    "paid beyond approval: {request:?}"
                );
                prop_assert!(
                    !request.unclaimed().unwrap().is_negative(),
                    "over-claimed: {request:?}"
                );
            }
            for (slot, state) in ledger.slots().iter().enumerate() {
                let (_, period) = ledger.slot_config(slot).unwrap();
                let allocated = ledger
                    .accounts()
                    .iter()
                    .filter(|a| a.slot == slot)
                    .fold(Decimal::ZERO, |t, a| {
                        t.checked_add(a.figures.allocated).unwrap()
                    });
                prop_assert!(allocated <= period.pool.amount());
                prop_assert!(state.pool_used <= period.pool.amount());
            }
            let mut paid: BTreeMap<&str, usize> = BTreeMap::new();
            for e in events {
                if let Change::Paid { claim_id, .. } = &e.change {
                    *paid.entry(claim_id).or_default() += 1;
                }
            }
            prop_assert!(
                paid.values().all(|n| *n == 1),
                "a claim paid twice: {paid:?}"
            );
            Ok(())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(200))]

            #[test]
            fn prop_random_commands_keep_the_ledger_sound(
                ops in proptest::collection::vec((0u8..4, op()), 1..80),
            ) {
                let p = program();
                let mut ledger = Ledger::new(&p).unwrap();
                let mut events = Vec::new();
                let mut on: Date = "2024-01-01".parse().unwrap();
                let mut ids = Ids::default();
                for (wait, op) in &ops {
                    on = on.add_days(i64::from(*wait)).unwrap();
                    let Some(command) = command_for(op, on, &mut ids) else {
                        continue;
                    };
                    let before = format!("{ledger:?}");
                    match ledger.apply(&command) {
                        Ok(decision) => {
                            ids.applied(&command);
                            for (k, e) in decision.events.iter().enumerate() {
                                prop_assert_eq!(e.seq, events.len() as u64 + 1 + k as u64);
                            }
                            events.extend(decision.events);
                        }
                        Err(error) => {
                            prop_assert!(!error.problems().is_empty());
                            prop_assert_eq!(format!("{ledger:?}"), before, "a refused command changed the ledger");
                        }
                    }
                    check_sound(&ledger, &events)?;
                }
                // The naive model agrees with the ledger's arithmetic.
                let sums = oracle(&events);
                for account in ledger.accounts() {
                    let (_, period) = ledger.slot_config(account.slot).unwrap();
                    let f = &account.figures;
                    let want = sums.get(&(period.id.clone(), account.partner_id.clone())).copied().unwrap_or([Decimal::ZERO; 7]);
                    prop_assert_eq!([f.allocated, f.carried_in, f.adjusted, f.approved, f.paid, f.released, f.expired], want);
                }
            }

            #[test]
            fn prop_replaying_events_gives_the_same_balance(
                ops in proptest::collection::vec((0u8..4, op()), 1..80),
            ) {
                let p = program();
                let mut ledger = Ledger::new(&p).unwrap();
                let mut events = Vec::new();
                let mut on: Date = "2024-01-01".parse().unwrap();
                let mut ids = Ids::default();
                for (wait, op) in &ops {
                    on = on.add_days(i64::from(*wait)).unwrap();
                    let Some(command) = command_for(op, on, &mut ids) else {
                        continue;
                    };
                    if let Ok(decision) = ledger.apply(&command) {
                        ids.applied(&command);
                        events.extend(decision.events);
                    }
                }
                let replayed = Ledger::replay(&p, &events).unwrap();
                prop_assert_eq!(canonical(&replayed), canonical(&ledger));
                let as_of = on.add_days(400).unwrap();
                let a = balance(&p, &events, as_of, &Default::default()).unwrap();
                let b = balance(&p, &events, as_of, &Default::default()).unwrap();
                prop_assert_eq!(a, b);
            }
        }
    }
}
