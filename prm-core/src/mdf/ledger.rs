//! [`Ledger`]: the state rebuilt from events, and commands decided against it.

use super::command::{Approver, Command};
use super::config::{FundPeriod, FundProgram, MdfProgram};
use super::event::{Change, Event, ExpiryReason, ReleaseReason};
use super::state::{
    Account, Claim, ClaimStatus, Figures, IdKey, IdMap, PeriodState, Request, RequestStatus,
    inconsistent, minus, plus,
};
use crate::Program;
use crate::calendar::Date;
use crate::error::{Error, ErrorCode, JsonPath, Problem};
use crate::explain::{Explanation, Outcome, Step};
use crate::money::{Amount, Decimal, RoundingMode};
use serde::Serialize;
use std::collections::BTreeSet;

/// What a command did: the events it produced and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    request_index: IdMap<usize>,
    claims: Vec<Claim>,
    claim_index: IdMap<usize>,
    /// Activity types named by requests, interned.
    activities: Vec<IdKey>,
    activity_index: IdMap<u16>,
    /// Approved requests by claim deadline, for releases.
    deadlines: BTreeSet<(Date, usize)>,
    last_seq: u64,
    last_on: Option<Date>,
}

/// The figures of one account, as [`Ledger::figures_of`] reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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

/// Problems found while checking a command, each with the error kind it belongs to.
#[derive(Default)]
struct Refusal {
    problems: Vec<(Class, Problem)>,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    Conflict,
    NotFound,
    Invalid,
}

impl Refusal {
    fn invalid(&mut self, problem: Problem) {
        self.problems.push((Class::Invalid, problem));
    }
    fn conflict(&mut self, problem: Problem) {
        self.problems.push((Class::Conflict, problem));
    }
    fn take<T>(&mut self, result: Result<T, Error>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                let class = match error {
                    Error::Conflict(_) => Class::Conflict,
                    Error::NotFound(_) => Class::NotFound,
                    _ => Class::Invalid,
                };
                for problem in error.problems() {
                    self.problems.push((class, problem.clone()));
                }
                None
            }
        }
    }
    /// `Ok` when nothing was found; else the most serious kind with every problem.
    fn finish(self) -> Result<(), Error> {
        let Some(class) = self.problems.iter().map(|(c, _)| *c).max() else {
            return Ok(());
        };
        let problems: Vec<Problem> = self.problems.into_iter().map(|(_, p)| p).collect();
        Err(match class {
            Class::Invalid => Error::Invalid(problems),
            Class::NotFound => Error::NotFound(problems),
            Class::Conflict => Error::Conflict(problems),
        })
    }
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
            request_index: IdMap::default(),
            claims: Vec::new(),
            claim_index: IdMap::default(),
            activities: Vec::new(),
            activity_index: IdMap::default(),
            deadlines: BTreeSet::new(),
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
    ///   `mdf_activity_not_eligible`, `mdf_vendor_share_exceeded`, `mdf_claim_window_closed`,
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
        self.request_index
            .get(&IdKey::new(id))
            .and_then(|r| self.requests.get(*r).map(|req| (*r, req)))
            .ok_or_else(|| {
                Error::NotFound(vec![
                    Problem::new(ErrorCode::UnknownReference, at)
                        .message(format!("the ledger has no request `{id}`")),
                ])
            })
    }

    fn claim_at(&self, id: &str, at: &JsonPath) -> Result<(usize, &Claim), Error> {
        self.claim_index
            .get(&IdKey::new(id))
            .and_then(|c| self.claims.get(*c).map(|claim| (*c, claim)))
            .ok_or_else(|| {
                Error::NotFound(vec![
                    Problem::new(ErrorCode::UnknownReference, at)
                        .message(format!("the ledger has no claim `{id}`")),
                ])
            })
    }

    // ----- evolve: apply one recorded event -----

    fn evolve(&mut self, event: &Event, index: usize) -> Result<(), Error> {
        if event.seq != self.last_seq + 1 {
            return Err(inconsistent(
                index,
                format!(
                    "expected event seq {}, found {}",
                    self.last_seq + 1,
                    event.seq
                ),
            ));
        }
        if let Some(last) = self.last_on
            && event.on < last
        {
            return Err(Error::problem(
                Problem::new(
                    ErrorCode::MdfOutOfOrder,
                    root().key("events").index(index).key("on"),
                )
                .message(format!(
                    "event {} is dated {}, before the event before it ({last})",
                    event.seq, event.on
                )),
            ));
        }
        self.record(&event.change, index)?;
        self.last_seq = event.seq;
        self.last_on = Some(event.on);
        if !matches!(
            event.change,
            Change::Released { .. } | Change::Expired { .. }
        ) {
            self.prune_deadlines(event.on)?;
        }
        Ok(())
    }

    /// Drops deadline entries that passed with nothing left to release.
    fn prune_deadlines(&mut self, on: Date) -> Result<(), Error> {
        while let Some(&(deadline, r)) = self.deadlines.first() {
            if deadline >= on {
                break;
            }
            let request = self
                .requests
                .get(r)
                .ok_or_else(|| internal("deadline names an unknown request"))?;
            if request.status == RequestStatus::Approved && request.unclaimed()? > Decimal::ZERO {
                break;
            }
            self.deadlines.pop_first();
        }
        Ok(())
    }

    fn amount(
        &self,
        value: Decimal,
        slot: usize,
        index: usize,
        what: &str,
    ) -> Result<Decimal, Error> {
        let places = self.slots.get(slot).map_or(2, |s| s.places);
        // Most amounts are written with the currency's places: skip the normalization.
        if value.value().scale() > places && value.significant_scale() > places {
            return Err(Error::problem(
                Problem::new(
                    ErrorCode::MoneyPrecision,
                    root()
                        .key("events")
                        .index(index)
                        .key("change")
                        .key("amount"),
                )
                .message(format!(
                    "{what} {value} has more than {places} decimal places"
                )),
            ));
        }
        Ok(value)
    }

    fn known_slot(&self, fund: &str, period: &str, index: usize) -> Result<usize, Error> {
        self.slot(fund, period).ok_or_else(|| {
            inconsistent(
                index,
                format!("fund `{fund}` has no period `{period}` in the program"),
            )
        })
    }

    fn open_slot(&self, fund: &str, period: &str, index: usize) -> Result<usize, Error> {
        let slot = self.known_slot(fund, period, index)?;
        if self.slots.get(slot).is_some_and(|s| s.closed) {
            return Err(inconsistent(
                index,
                format!("period `{period}` of fund `{fund}` is already closed"),
            ));
        }
        Ok(slot)
    }

    fn record(&mut self, change: &Change, index: usize) -> Result<(), Error> {
        match change {
            Change::Allocated {
                fund,
                period,
                partner_id,
                tier,
                amount,
            } => {
                let slot = self.open_slot(fund, period, index)?;
                let amount = self.amount(*amount, slot, index, "allocation")?;
                let (_, cfg) = self.config(slot)?;
                let state = self.slots.get(slot).ok_or_else(|| internal("slot"))?;
                let used = plus(state.pool_used, amount)?;
                let allocated = plus(state.allocated, amount)?;
                if amount.is_negative() || used.max(allocated) > cfg.pool.amount() {
                    return Err(inconsistent(
                        index,
                        format!(
                            "allocation of {amount} takes period `{period}` to {used}, beyond its pool of {}",
                            cfg.pool.amount()
                        ),
                    ));
                }
                let a = self.account_index(slot, partner_id)?;
                let account = self
                    .accounts
                    .get_mut(a)
                    .ok_or_else(|| internal("account"))?;
                if account.has_allocation {
                    return Err(inconsistent(
                        index,
                        format!("partner `{partner_id}` is allocated twice in period `{period}`"),
                    ));
                }
                account.has_allocation = true;
                account.tier.clone_from(tier);
                account.figures.allocated = plus(account.figures.allocated, amount)?;
                if let Some(state) = self.slots.get_mut(slot) {
                    state.pool_used = used;
                    state.allocated = allocated;
                }
            }
            Change::CarriedIn {
                fund,
                period,
                from_period,
                partner_id,
                amount,
            } => {
                let slot = self.open_slot(fund, period, index)?;
                let from = self.known_slot(fund, from_period, index)?;
                let amount = self.amount(*amount, slot, index, "carry-over")?;
                let Some(source) = self
                    .slots
                    .get(from)
                    .and_then(|s| s.accounts.get(&IdKey::new(partner_id)))
                    .copied()
                else {
                    return Err(inconsistent(
                        index,
                        format!(
                            "partner `{partner_id}` has nothing in period `{from_period}` to carry over"
                        ),
                    ));
                };
                if amount.is_negative() {
                    return Err(inconsistent(index, "a carry-over cannot be negative"));
                }
                let source = self
                    .accounts
                    .get_mut(source)
                    .ok_or_else(|| internal("account"))?;
                source.figures.carried_out = plus(source.figures.carried_out, amount)?;
                let a = self.account_index(slot, partner_id)?;
                let account = self
                    .accounts
                    .get_mut(a)
                    .ok_or_else(|| internal("account"))?;
                account.figures.carried_in = plus(account.figures.carried_in, amount)?;
            }
            Change::Adjusted {
                fund,
                period,
                partner_id,
                amount,
                ..
            } => {
                let slot = self.open_slot(fund, period, index)?;
                let amount = self.amount(*amount, slot, index, "adjustment")?;
                let (_, cfg) = self.config(slot)?;
                let state = self.slots.get(slot).ok_or_else(|| internal("slot"))?;
                let used = plus(state.pool_used, amount)?;
                if amount > Decimal::ZERO && used > cfg.pool.amount() {
                    return Err(inconsistent(
                        index,
                        format!("adjustment of {amount} takes period `{period}` beyond its pool"),
                    ));
                }
                let a = self.account_index(slot, partner_id)?;
                let account = self
                    .accounts
                    .get_mut(a)
                    .ok_or_else(|| internal("account"))?;
                account.figures.adjusted = plus(account.figures.adjusted, amount)?;
                if account.figures.available()?.is_negative() {
                    return Err(inconsistent(
                        index,
                        format!(
                            "adjustment of {amount} takes partner `{partner_id}` below zero available"
                        ),
                    ));
                }
                if let Some(state) = self.slots.get_mut(slot) {
                    state.pool_used = used;
                }
            }
            Change::RequestSubmitted {
                request_id,
                fund,
                period,
                partner_id,
                activity_type,
                start,
                end,
                planned_cost,
                requested,
                vendor_share,
                claim_deadline,
                ..
            } => {
                let slot = self.open_slot(fund, period, index)?;
                let requested = self.amount(*requested, slot, index, "request")?;
                self.amount(*planned_cost, slot, index, "planned cost")?;
                if requested <= Decimal::ZERO || end < start {
                    return Err(inconsistent(
                        index,
                        format!(
                            "request `{request_id}` has no positive amount or ends before it starts"
                        ),
                    ));
                }
                let key = IdKey::new(request_id);
                let r = self.requests.len();
                match self.request_index.entry(key.clone()) {
                    std::collections::hash_map::Entry::Occupied(_) => {
                        return Err(inconsistent(
                            index,
                            format!("request `{request_id}` is submitted twice"),
                        ));
                    }
                    std::collections::hash_map::Entry::Vacant(entry) => {
                        entry.insert(r);
                    }
                }
                let activity = self.intern_activity(activity_type, index)?;
                let a = self.account_index(slot, partner_id)?;
                let account = self
                    .accounts
                    .get_mut(a)
                    .ok_or_else(|| internal("account"))?;
                account.figures.pending = plus(account.figures.pending, requested)?;
                self.requests.push(Request {
                    id: key,
                    account: a,
                    activity,
                    start: *start,
                    end: *end,
                    requested,
                    vendor_share: *vendor_share,
                    claim_deadline: *claim_deadline,
                    status: RequestStatus::Pending,
                    approved: Decimal::ZERO,
                    claimed: Decimal::ZERO,
                    paid: Decimal::ZERO,
                    released: Decimal::ZERO,
                    live_claims: 0,
                    not_reimbursable: Decimal::ZERO,
                    claims: 0,
                });
            }
            Change::RequestApproved {
                request_id, amount, ..
            } => {
                let r = self.recorded_request(request_id, index)?;
                let request = self.requests.get(r).ok_or_else(|| internal("request"))?;
                let account_index = request.account;
                let slot = self.accounts.get(account_index).map_or(0, |a| a.slot);
                let amount = self.amount(*amount, slot, index, "approval")?;
                if request.status != RequestStatus::Pending
                    || amount <= Decimal::ZERO
                    || amount > request.requested
                    || self.slots.get(slot).is_some_and(|s| s.closed)
                {
                    return Err(inconsistent(
                        index,
                        format!(
                            "request `{request_id}` ({}) cannot be approved for {amount}",
                            request.status.as_str()
                        ),
                    ));
                }
                let requested = request.requested;
                let deadline = request.claim_deadline;
                let account = self
                    .accounts
                    .get_mut(account_index)
                    .ok_or_else(|| internal("account"))?;
                account.figures.pending = minus(account.figures.pending, requested)?;
                account.figures.approved = plus(account.figures.approved, amount)?;
                if account.figures.available()?.is_negative() {
                    return Err(inconsistent(
                        index,
                        format!("approving {amount} for `{request_id}` takes available below zero"),
                    ));
                }
                if let Some(request) = self.requests.get_mut(r) {
                    request.approved = amount;
                    request.status = RequestStatus::Approved;
                }
                self.deadlines.insert((deadline, r));
            }
            Change::RequestRejected { request_id, .. } => {
                let r = self.recorded_request(request_id, index)?;
                let request = self
                    .requests
                    .get_mut(r)
                    .ok_or_else(|| internal("request"))?;
                if request.status != RequestStatus::Pending {
                    return Err(inconsistent(
                        index,
                        format!(
                            "request `{request_id}` is {} and cannot be rejected",
                            request.status.as_str()
                        ),
                    ));
                }
                request.status = RequestStatus::Rejected;
                let (a, requested) = (request.account, request.requested);
                let account = self
                    .accounts
                    .get_mut(a)
                    .ok_or_else(|| internal("account"))?;
                account.figures.pending = minus(account.figures.pending, requested)?;
            }
            Change::RequestCancelled { request_id, .. } => {
                let r = self.recorded_request(request_id, index)?;
                let request = self
                    .requests
                    .get_mut(r)
                    .ok_or_else(|| internal("request"))?;
                let was = request.status;
                let ok = was == RequestStatus::Pending
                    || (was == RequestStatus::Approved && request.live_claims == 0);
                if !ok {
                    return Err(inconsistent(
                        index,
                        format!(
                            "request `{request_id}` ({}) cannot be cancelled",
                            was.as_str()
                        ),
                    ));
                }
                request.status = RequestStatus::Cancelled;
                let (a, requested, deadline) =
                    (request.account, request.requested, request.claim_deadline);
                self.deadlines.remove(&(deadline, r));
                if was == RequestStatus::Pending {
                    let account = self
                        .accounts
                        .get_mut(a)
                        .ok_or_else(|| internal("account"))?;
                    account.figures.pending = minus(account.figures.pending, requested)?;
                }
            }
            Change::ClaimSubmitted {
                claim_id,
                request_id,
                reimbursable,
                not_reimbursable,
                ..
            } => {
                let r = self.recorded_request(request_id, index)?;
                let request = self.requests.get(r).ok_or_else(|| internal("request"))?;
                let slot = self.accounts.get(request.account).map_or(0, |a| a.slot);
                let reimbursable = self.amount(*reimbursable, slot, index, "claim")?;
                if request.status != RequestStatus::Approved
                    || reimbursable.is_negative()
                    || reimbursable > request.unclaimed()?
                {
                    return Err(inconsistent(
                        index,
                        format!(
                            "claim `{claim_id}` of {reimbursable} does not fit request `{request_id}` ({}, {} unclaimed)",
                            request.status.as_str(),
                            request.unclaimed()?
                        ),
                    ));
                }
                match self.claim_index.entry(IdKey::new(claim_id)) {
                    std::collections::hash_map::Entry::Occupied(_) => {
                        return Err(inconsistent(
                            index,
                            format!("claim `{claim_id}` is submitted twice"),
                        ));
                    }
                    std::collections::hash_map::Entry::Vacant(entry) => {
                        entry.insert(self.claims.len());
                    }
                }
                let request = self
                    .requests
                    .get_mut(r)
                    .ok_or_else(|| internal("request"))?;
                request.claimed = plus(request.claimed, reimbursable)?;
                request.not_reimbursable = plus(request.not_reimbursable, *not_reimbursable)?;
                request.live_claims += 1;
                request.claims += 1;
                self.claims.push(Claim {
                    request: r,
                    status: ClaimStatus::Submitted,
                    amount: reimbursable,
                });
            }
            Change::ClaimApproved { claim_id, amount } => {
                let c = self.recorded_claim(claim_id, index)?;
                let claim = self.claims.get(c).ok_or_else(|| internal("claim"))?;
                if claim.status != ClaimStatus::Submitted
                    || *amount <= Decimal::ZERO
                    || *amount > claim.amount
                {
                    return Err(inconsistent(
                        index,
                        format!(
                            "claim `{claim_id}` ({}) cannot be approved for {amount}",
                            claim.status.as_str()
                        ),
                    ));
                }
                let (r, was) = (claim.request, claim.amount);
                let request = self
                    .requests
                    .get_mut(r)
                    .ok_or_else(|| internal("request"))?;
                request.claimed = minus(request.claimed, minus(was, *amount)?)?;
                if let Some(claim) = self.claims.get_mut(c) {
                    claim.status = ClaimStatus::Approved;
                    claim.amount = *amount;
                }
            }
            Change::ClaimRejected { claim_id, .. } => {
                let c = self.recorded_claim(claim_id, index)?;
                let claim = self.claims.get_mut(c).ok_or_else(|| internal("claim"))?;
                if claim.status != ClaimStatus::Submitted {
                    return Err(inconsistent(
                        index,
                        format!(
                            "claim `{claim_id}` is {} and cannot be rejected",
                            claim.status.as_str()
                        ),
                    ));
                }
                claim.status = ClaimStatus::Rejected;
                let (r, was) = (claim.request, claim.amount);
                let request = self
                    .requests
                    .get_mut(r)
                    .ok_or_else(|| internal("request"))?;
                request.claimed = minus(request.claimed, was)?;
                request.live_claims = request.live_claims.saturating_sub(1);
            }
            Change::Paid {
                claim_id, amount, ..
            } => {
                let c = self.recorded_claim(claim_id, index)?;
                let claim = self.claims.get_mut(c).ok_or_else(|| internal("claim"))?;
                if claim.status != ClaimStatus::Approved || *amount != claim.amount {
                    return Err(inconsistent(
                        index,
                        format!(
                            "claim `{claim_id}` ({}, {}) cannot be paid {amount}",
                            claim.status.as_str(),
                            claim.amount
                        ),
                    ));
                }
                claim.status = ClaimStatus::Paid;
                let r = claim.request;
                let request = self
                    .requests
                    .get_mut(r)
                    .ok_or_else(|| internal("request"))?;
                request.paid = plus(request.paid, *amount)?;
                request.live_claims = request.live_claims.saturating_sub(1);
                let a = request.account;
                let account = self
                    .accounts
                    .get_mut(a)
                    .ok_or_else(|| internal("account"))?;
                account.figures.paid = plus(account.figures.paid, *amount)?;
            }
            Change::Released {
                request_id, amount, ..
            } => {
                let r = self.recorded_request(request_id, index)?;
                let request = self.requests.get(r).ok_or_else(|| internal("request"))?;
                let slot = self.accounts.get(request.account).map_or(0, |a| a.slot);
                let amount = self.amount(*amount, slot, index, "release")?;
                let live = matches!(
                    request.status,
                    RequestStatus::Approved | RequestStatus::Cancelled
                );
                if !live || amount <= Decimal::ZERO || amount > request.unclaimed()? {
                    return Err(inconsistent(
                        index,
                        format!(
                            "request `{request_id}` ({}, {} unclaimed) cannot release {amount}",
                            request.status.as_str(),
                            request.unclaimed()?
                        ),
                    ));
                }
                let (a, deadline) = (request.account, request.claim_deadline);
                let request = self
                    .requests
                    .get_mut(r)
                    .ok_or_else(|| internal("request"))?;
                request.released = plus(request.released, amount)?;
                self.deadlines.remove(&(deadline, r));
                let account = self
                    .accounts
                    .get_mut(a)
                    .ok_or_else(|| internal("account"))?;
                account.figures.released = plus(account.figures.released, amount)?;
            }
            Change::Expired {
                fund,
                period,
                partner_id,
                amount,
                reason,
            } => {
                let slot = self.known_slot(fund, period, index)?;
                let amount = self.amount(*amount, slot, index, "expiry")?;
                let closed = self.slots.get(slot).is_some_and(|s| s.closed);
                let right_time = match reason {
                    ExpiryReason::PeriodClosed => !closed,
                    ExpiryReason::ReleasedAfterClose => closed,
                };
                let Some(a) = self
                    .slots
                    .get(slot)
                    .and_then(|s| s.accounts.get(&IdKey::new(partner_id)))
                    .copied()
                else {
                    return Err(inconsistent(
                        index,
                        format!(
                            "partner `{partner_id}` has nothing in period `{period}` to expire"
                        ),
                    ));
                };
                let account = self
                    .accounts
                    .get_mut(a)
                    .ok_or_else(|| internal("account"))?;
                if !right_time || amount <= Decimal::ZERO || amount > account.figures.available()? {
                    return Err(inconsistent(
                        index,
                        format!(
                            "partner `{partner_id}` cannot expire {amount} in period `{period}` (available {})",
                            account.figures.available()?
                        ),
                    ));
                }
                account.figures.expired = plus(account.figures.expired, amount)?;
            }
            Change::PeriodClosed { fund, period } => {
                let slot = self.open_slot(fund, period, index)?;
                if let Some(state) = self.slots.get_mut(slot) {
                    state.closed = true;
                }
            }
        }
        Ok(())
    }

    /// The interned index of activity type `id`.
    fn intern_activity(&mut self, id: &str, index: usize) -> Result<u16, Error> {
        let key = IdKey::new(id);
        if let Some(found) = self.activity_index.get(&key) {
            return Ok(*found);
        }
        let next = u16::try_from(self.activities.len())
            .map_err(|_| inconsistent(index, "more than 65,535 activity types"))?;
        self.activities.push(key.clone());
        self.activity_index.insert(key, next);
        Ok(next)
    }

    /// The activity type of `request`.
    pub(crate) fn activity_of(&self, request: &Request) -> &str {
        self.activities
            .get(usize::from(request.activity))
            .map_or("", IdKey::as_str)
    }

    fn recorded_request(&self, id: &str, index: usize) -> Result<usize, Error> {
        self.request_index
            .get(&IdKey::new(id))
            .copied()
            .ok_or_else(|| inconsistent(index, format!("no request `{id}` was submitted before")))
    }

    fn recorded_claim(&self, id: &str, index: usize) -> Result<usize, Error> {
        self.claim_index
            .get(&IdKey::new(id))
            .copied()
            .ok_or_else(|| inconsistent(index, format!("no claim `{id}` was submitted before")))
    }

    // ----- decide: check a command and produce its changes -----

    fn decide(&self, command: &Command, why: &mut Explanation) -> Result<Vec<Change>, Error> {
        match command {
            Command::Allocate {
                on,
                fund,
                period,
                partners,
            } => self.decide_allocate(*on, fund, period, partners, why),
            Command::SubmitRequest { .. } => self.decide_submit_request(command, why),
            Command::ApproveRequest {
                on,
                request_id,
                amount,
                approver,
            } => self.decide_approve_request(
                *on,
                request_id,
                amount.as_ref(),
                approver.as_ref(),
                why,
            ),
            Command::RejectRequest {
                request_id, reason, ..
            } => {
                let (_, request) = self.request_at(request_id, &root().key("request_id"))?;
                self.pending(request)?;
                why.push(Step::new(
                    "mdf.request.reject",
                    Outcome::Applied,
                    format!("request `{request_id}` rejected: {reason}"),
                ));
                Ok(vec![Change::RequestRejected {
                    request_id: request_id.clone(),
                    reason: reason.clone(),
                }])
            }
            Command::CancelRequest {
                on,
                request_id,
                reason,
            } => self.decide_cancel(*on, request_id, reason.as_ref(), why),
            Command::SubmitClaim {
                on,
                claim_id,
                request_id,
                actual_cost,
                proofs,
            } => self.decide_submit_claim(*on, claim_id, request_id, *actual_cost, proofs, why),
            Command::ApproveClaim {
                on,
                claim_id,
                amount,
            } => self.decide_approve_claim(*on, claim_id, amount.as_ref(), why),
            Command::RejectClaim {
                on,
                claim_id,
                reason,
            } => self.decide_reject_claim(*on, claim_id, reason, why),
            Command::PayClaim {
                claim_id,
                reference,
                ..
            } => self.decide_pay(claim_id, reference.as_ref(), why),
            Command::Adjust {
                fund,
                period,
                partner_id,
                amount,
                reason,
                ..
            } => self.decide_adjust(fund, period, partner_id, *amount, reason, why),
            Command::ClosePeriod { on, fund, period } => self.decide_close(*on, fund, period, why),
        }
    }

    fn closed_problem(&self, slot: usize, at: JsonPath) -> Option<Problem> {
        let state = self.slots.get(slot)?;
        if !state.closed {
            return None;
        }
        let (fund, period) = self.config(slot).ok()?;
        Some(
            Problem::new(ErrorCode::MdfPeriodClosed, at).message(format!(
                "period `{}` of fund `{}` is closed; its unspent money has expired",
                period.id, fund.id
            )),
        )
    }

    fn currency_places(&self, slot: usize) -> u32 {
        self.slots.get(slot).map_or(2, |s| s.places)
    }

    fn money(&self, slot: usize, amount: Amount, at: &JsonPath) -> Result<Decimal, Error> {
        let (fund, _) = self.config(slot)?;
        super::money_in(amount, fund.currency_or(self.program.currency()), at)
    }

    fn decide_allocate(
        &self,
        on: Date,
        fund: &str,
        period: &str,
        partners: &[super::AllocationFacts],
        why: &mut Explanation,
    ) -> Result<Vec<Change>, Error> {
        let mut refusal = Refusal::default();
        let slot = self.slot_at(fund, period, &root())?;
        let (fund_cfg, period_cfg) = self.config(slot)?;
        if let Some(p) = self.closed_problem(slot, root().key("period")) {
            refusal.conflict(p);
        }
        if on >= period_cfg.end {
            refusal.invalid(
                Problem::new(ErrorCode::MdfPeriodNotOpen, root().key("on")).message(format!(
                    "allocations for period `{period}` are made before it ends on {}, not on {on}",
                    period_cfg.end
                )),
            );
        }
        if partners.is_empty() {
            refusal.invalid(
                Problem::new(ErrorCode::OutOfRange, root().key("partners"))
                    .message("expected at least one partner to allocate to"),
            );
        }
        for (i, facts) in partners.iter().enumerate() {
            if self
                .account_of(slot, &facts.partner_id)
                .is_some_and(|a| a.has_allocation)
            {
                refusal.conflict(
                    Problem::new(
                        ErrorCode::MdfAlreadyAllocated,
                        root().key("partners").index(i).key("partner_id"),
                    )
                    .message(format!(
                        "partner `{}` already has an allocation in period `{period}`",
                        facts.partner_id
                    ))
                    .help("change an existing allocation with an `adjust` command"),
                );
            }
        }
        let used = self.pool_taken(slot);
        let allocation = refusal.take(super::allocation::compute(
            self.program,
            fund_cfg,
            period_cfg,
            partners,
            used,
            &root().key("partners"),
        ));
        refusal.finish()?;
        let allocation = allocation.ok_or_else(|| internal("allocation"))?;
        for step in allocation.explanation.steps() {
            why.push(step.clone());
        }
        let mut changes = Vec::with_capacity(allocation.lines.len());
        for line in allocation.lines {
            let mut step = Step::new(
                format!("mdf.allocation.{}", line.partner_id),
                Outcome::Applied,
                format!("partner `{}` receives {}", line.partner_id, line.amount),
            )
            .value("amount", line.amount);
            for child in line.explanation.steps() {
                step = step.child(child.clone());
            }
            why.push(step);
            changes.push(Change::Allocated {
                fund: fund.to_owned(),
                period: period.to_owned(),
                partner_id: line.partner_id,
                tier: line.tier,
                amount: line.amount,
            });
        }
        Ok(changes)
    }

    fn decide_submit_request(
        &self,
        command: &Command,
        why: &mut Explanation,
    ) -> Result<Vec<Change>, Error> {
        let Command::SubmitRequest {
            on,
            request_id,
            fund,
            period,
            partner_id,
            tier,
            activity_type,
            start,
            end,
            planned_cost,
            requested,
        } = command
        else {
            return Err(internal("not a submit_request"));
        };
        let on = *on;
        let mut refusal = Refusal::default();
        if self.request_index.contains_key(&IdKey::new(request_id)) {
            refusal.conflict(
                Problem::new(ErrorCode::DuplicateId, root().key("request_id"))
                    .message(format!("the ledger already has a request `{request_id}`"))
                    .help("give each request a new id"),
            );
        }
        let f = match self.fund_at(fund, &root().key("fund")) {
            Ok(f) => f,
            Err(e) => {
                refusal.take::<()>(Err(e));
                refusal.finish()?;
                return Err(internal("unknown fund"));
            }
        };
        let fund_cfg = self.mdf.funds.get(f).ok_or_else(|| internal("fund"))?;
        // The period: named, or the one containing `on`.
        let slot = match period {
            Some(period) => refusal.take(self.slot_at(fund, period, &root())),
            None => match fund_cfg
                .periods
                .iter()
                .position(|p| p.start <= on && on < p.end)
            {
                Some(p) => Some(self.fund_base.get(f).copied().unwrap_or_default() + p),
                None => {
                    refusal.invalid(
                        Problem::new(ErrorCode::MdfPeriodNotOpen, root().key("on"))
                            .message(format!("no period of fund `{fund}` contains {on}")),
                    );
                    None
                }
            },
        };
        let Some(slot) = slot else {
            refusal.finish()?;
            return Err(internal("no period"));
        };
        let (_, period_cfg) = self.config(slot)?;
        if let Some(p) = self.closed_problem(slot, root().key("period")) {
            refusal.conflict(p);
        }
        if !(period_cfg.start <= on && on < period_cfg.end) {
            refusal.invalid(
                Problem::new(ErrorCode::MdfPeriodNotOpen, root().key("on")).message(format!(
                    "requests against period `{}` are submitted from {} to {}, not on {on}",
                    period_cfg.id,
                    period_cfg.start,
                    period_cfg.end.add_days(-1)?
                )),
            );
        }
        let account = self.account_of(slot, partner_id);
        let tier = tier
            .clone()
            .or_else(|| account.and_then(|a| a.tier.clone()));
        if let (Some(t), Some(ladder), true) = (&tier, self.program.tiers(), tier_given(command)) {
            refusal.take(ladder.check_reference(t, &root().key("tier")));
        }
        let activity = fund_cfg.activity_type(activity_type);
        match activity {
            None => {
                let mut problem = Problem::new(ErrorCode::UnknownReference, root().key("activity_type"))
                    .message(format!(
                        "fund `{fund}` has no activity type `{activity_type}` (it defines {})",
                        fund_cfg.activity_list()
                    ));
                if let Some(close) = crate::input::did_you_mean(
                    activity_type,
                    fund_cfg.activity_types.iter().map(|a| a.id.as_str()),
                ) {
                    problem = problem.help(format!("did you mean `{close}`?"));
                }
                refusal.invalid(problem);
            }
            Some(_) => match super::eligible_types(self.program, fund_cfg, tier.as_deref()) {
                super::Eligible::All => {
                    why.push(Step::new(
                        "mdf.request.eligibility",
                        Outcome::Met,
                        format!("every activity type is eligible; `{activity_type}` is"),
                    ));
                }
                super::Eligible::NeedsTier => refusal.invalid(
                    Problem::new(ErrorCode::MdfTierRequired, root().key("tier"))
                        .message(format!(
                            "eligibility depends on the tier, and partner `{partner_id}` has none in period `{}`",
                            period_cfg.id
                        ))
                        .help("pass the partner's `tier`, or allocate to the partner with its tier first"),
                ),
                super::Eligible::Only(types) => {
                    let tier_name = tier.as_deref().unwrap_or("?");
                    if types.iter().any(|t| t == activity_type) {
                        why.push(
                            Step::new(
                                "mdf.request.eligibility",
                                Outcome::Met,
                                format!("`{activity_type}` is eligible for tier `{tier_name}`"),
                            )
                            .value("tier", tier_name),
                        );
                    } else {
                        let listed: Vec<String> = types.iter().map(|t| format!("`{t}`")).collect();
                        refusal.invalid(
                            Problem::new(ErrorCode::MdfActivityNotEligible, root().key("activity_type"))
                                .message(format!(
                                    "tier `{tier_name}` may not request `{activity_type}`; it may request {}",
                                    if listed.is_empty() { "none".to_owned() } else { listed.join(", ") }
                                )),
                        );
                    }
                }
            },
        }
        if end < start {
            refusal.invalid(
                Problem::new(ErrorCode::PeriodReversed, root().key("end")).message(format!(
                    "the activity ends on {end}, before it starts on {start}"
                )),
            );
        }
        let places = self.currency_places(slot);
        let planned = refusal.take(self.money(slot, *planned_cost, &root().key("planned_cost")));
        let asked = refusal.take(self.money(slot, *requested, &root().key("requested")));
        for (name, value) in [("planned_cost", planned), ("requested", asked)] {
            if let Some(v) = value
                && v <= Decimal::ZERO
            {
                refusal.invalid(
                    Problem::new(ErrorCode::OutOfRange, root().key(name))
                        .message(format!("expected an amount above zero, found {v}")),
                );
            }
        }
        let mut vendor_share = crate::money::Rate::default();
        let mut cap = None;
        if let Some(activity) = activity {
            vendor_share = activity.vendor_share;
            let lead = fund_cfg.lead_time_for(activity);
            let latest = lead.latest_submission(*start, &fund_cfg.holidays)?;
            let before = super::lead_time::days_before(on, *start, lead.count, &fund_cfg.holidays);
            if on > latest {
                let earliest = lead.earliest_start(on, &fund_cfg.holidays)?;
                refusal.invalid(
                    Problem::new(ErrorCode::MdfLeadTimeNotMet, root().key("start"))
                        .message(format!(
                            "submitted on {on}, {before} {} day(s) before the activity starts on {start}; `{activity_type}` needs {} {} days, so it had to be submitted by {latest}",
                            lead.count.word(),
                            lead.days,
                            lead.count.word()
                        ))
                        .help(format!("start the activity on {earliest} or later")),
                );
            } else {
                why.push(
                    Step::new(
                        "mdf.request.lead_time",
                        Outcome::Met,
                        format!(
                            "submitted {before} {} day(s) before the start; {} needed (latest {latest})",
                            lead.count.word(),
                            lead.days
                        ),
                    )
                    .value("latest_submission", latest)
                    .value("start", start),
                );
            }
            if let Some(planned) = planned {
                let share = planned
                    .checked_mul(vendor_share.fraction())
                    .ok_or_else(|| super::state::overflow(&root().key("planned_cost")))?;
                let limit = RoundingMode::Down.round(share, places);
                cap = Some(limit);
                if let Some(asked) = asked {
                    if asked > limit {
                        refusal.invalid(
                            Problem::new(ErrorCode::MdfVendorShareExceeded, root().key("requested"))
                                .message(format!(
                                    "requested {asked} exceeds the vendor's share: {planned} × {vendor_share} = {limit}"
                                ))
                                .help(format!("request at most {limit}")),
                        );
                    } else {
                        why.push(
                            Step::new(
                                "mdf.request.vendor_share",
                                Outcome::Met,
                                format!("requested {asked} is within {planned} × {vendor_share} = {limit}"),
                            )
                            .value("limit", limit),
                        );
                    }
                }
            }
        }
        let _ = cap;
        refusal.finish()?;
        let (Some(planned), Some(asked)) = (planned, asked) else {
            return Err(internal("request amounts"));
        };
        let window = i64::from(fund_cfg.claim_window_days);
        let claim_deadline = end.add_days(window)?;
        let mut changes = vec![Change::RequestSubmitted {
            request_id: request_id.clone(),
            fund: fund.clone(),
            period: period_cfg.id.clone(),
            partner_id: partner_id.clone(),
            tier: tier.clone(),
            activity_type: activity_type.clone(),
            start: *start,
            end: *end,
            planned_cost: planned,
            requested: asked,
            vendor_share,
            claim_deadline,
        }];
        let available = self.figures(slot, partner_id).available()?;
        match fund_cfg.auto_approve_up_to.map(|a| a.amount()) {
            Some(limit) if asked <= limit && asked <= available => {
                why.push(
                    Step::new(
                        "mdf.request.auto_approval",
                        Outcome::Applied,
                        format!("{asked} is within the auto-approval limit {limit} and {available} is available: approved"),
                    )
                    .value("available", available),
                );
                changes.push(Change::RequestApproved {
                    request_id: request_id.clone(),
                    amount: asked,
                    auto: true,
                    approved_by: None,
                    role: None,
                });
            }
            Some(limit) if asked <= limit => why.push(
                Step::new(
                    "mdf.request.auto_approval",
                    Outcome::Failed,
                    format!("{asked} is within the auto-approval limit {limit}, but only {available} is available: waits for review"),
                )
                .value("available", available),
            ),
            Some(limit) => {
                let role = fund_cfg
                    .role_for(asked)
                    .map_or(String::new(), |r| format!(" by `{}`", r.role));
                why.push(Step::new(
                    "mdf.request.auto_approval",
                    Outcome::Skipped,
                    format!("{asked} is above the auto-approval limit {limit}: waits for review{role}"),
                ));
            }
            None => why.push(Step::new(
                "mdf.request.auto_approval",
                Outcome::Skipped,
                "the fund has no auto-approval: waits for review",
            )),
        }
        why.push(
            Step::new(
                "mdf.request.claim_deadline",
                Outcome::Info,
                format!(
                    "claims are accepted from {end} to {claim_deadline} ({window} days after the activity ends)"
                ),
            )
            .value("claim_deadline", claim_deadline),
        );
        Ok(changes)
    }

    fn pending(&self, request: &Request) -> Result<(), Error> {
        if request.status == RequestStatus::Pending {
            return Ok(());
        }
        Err(Error::Conflict(vec![
            Problem::new(ErrorCode::MdfRequestNotPending, root().key("request_id")).message(
                format!(
                    "request `{}` is already {}; only a pending request can be decided",
                    request.id,
                    request.status.as_str()
                ),
            ),
        ]))
    }

    fn decide_approve_request(
        &self,
        on: Date,
        request_id: &str,
        amount: Option<&Amount>,
        approver: Option<&Approver>,
        why: &mut Explanation,
    ) -> Result<Vec<Change>, Error> {
        let mut refusal = Refusal::default();
        let (_, request) = self.request_at(request_id, &root().key("request_id"))?;
        refusal.take(self.pending(request));
        let account = self
            .accounts
            .get(request.account)
            .ok_or_else(|| internal("account"))?;
        let slot = account.slot;
        let (fund_cfg, period_cfg) = self.config(slot)?;
        if let Some(p) = self.closed_problem(slot, root().key("request_id")) {
            refusal.conflict(p);
        }
        if request.status == RequestStatus::Pending && on > request.claim_deadline {
            refusal.invalid(
                Problem::new(ErrorCode::MdfClaimWindowClosed, root().key("on")).message(format!(
                    "request `{request_id}`'s claim window closed on {}; an approval now could never be claimed",
                    request.claim_deadline
                ))
                .help("reject the request instead"),
            );
        }
        let amount_path = if amount.is_some() {
            root().key("amount")
        } else {
            root().key("request_id")
        };
        let value = match amount {
            Some(a) => refusal.take(self.money(slot, *a, &root().key("amount"))),
            None => Some(request.requested),
        };
        if let Some(v) = value {
            if v <= Decimal::ZERO {
                refusal.invalid(
                    Problem::new(ErrorCode::OutOfRange, amount_path.clone())
                        .message(format!("expected an approval above zero, found {v}")),
                );
            } else if v > request.requested {
                refusal.invalid(
                    Problem::new(ErrorCode::MdfApprovalExceedsAmount, amount_path.clone())
                        .message(format!(
                            "approving {v} exceeds the {} requested",
                            request.requested
                        ))
                        .help(format!("approve at most {}", request.requested)),
                );
            }
        }
        let mut role_used = None;
        if !fund_cfg.approval_limits.is_empty() {
            match approver.and_then(|a| a.role.as_deref()) {
                None => refusal.invalid(
                    Problem::new(
                        ErrorCode::MissingField,
                        if approver.is_some() {
                            root().key("approver").key("role")
                        } else {
                            root().key("approver")
                        },
                    )
                    .message(format!(
                        "fund `{}` has approval limits, so an approver with a role is required",
                        fund_cfg.id
                    )),
                ),
                Some(role) => match fund_cfg.approval_limits.iter().find(|l| l.role == role) {
                    None => {
                        let mut problem = Problem::new(
                            ErrorCode::UnknownReference,
                            root().key("approver").key("role"),
                        )
                        .message(format!(
                            "fund `{}` has no approval role `{role}`",
                            fund_cfg.id
                        ));
                        if let Some(close) = crate::input::did_you_mean(
                            role,
                            fund_cfg.approval_limits.iter().map(|l| l.role.as_str()),
                        ) {
                            problem = problem.help(format!("did you mean `{close}`?"));
                        }
                        refusal.invalid(problem);
                    }
                    Some(limit) => {
                        if let (Some(v), Some(up_to)) = (value, limit.up_to.map(|u| u.amount())) {
                            if v > up_to {
                                let needed = fund_cfg
                                    .role_for(v)
                                    .map_or("no role".to_owned(), |r| format!("`{}`", r.role));
                                refusal.invalid(
                                    Problem::new(
                                        ErrorCode::MdfApprovalLimitExceeded,
                                        root().key("approver").key("role"),
                                    )
                                    .message(format!("`{role}` may approve up to {up_to}, not {v}"))
                                    .help(format!("an approval of {v} needs {needed}")),
                                );
                            } else {
                                role_used = Some((role.to_owned(), up_to.to_string()));
                            }
                        } else {
                            role_used = Some((role.to_owned(), "no limit".to_owned()));
                        }
                    }
                },
            }
        }
        let available = account.figures.available()?;
        if let Some(v) = value
            && v > available
            && v > Decimal::ZERO
        {
            refusal.conflict(
                Problem::new(ErrorCode::InsufficientFunds, amount_path)
                    .message(format!(
                        "approving {v} needs {v} available, but partner `{}` has {available} in period `{}` of fund `{}`",
                        account.partner_id, period_cfg.id, fund_cfg.id
                    ))
                    .help(if available > Decimal::ZERO {
                        format!("approve at most {available} (a partial approval), or add funds with `adjust`")
                    } else {
                        "add funds with `adjust`, or reject the request".to_owned()
                    }),
            );
        }
        refusal.finish()?;
        let amount = value.ok_or_else(|| internal("approval amount"))?;
        if let Some((role, limit)) = &role_used {
            why.push(
                Step::new(
                    "mdf.request.approval_limit",
                    Outcome::Met,
                    format!("`{role}` may approve {amount} (limit {limit})"),
                )
                .value("role", role),
            );
        }
        why.push(
            Step::new(
                "mdf.request.funds",
                Outcome::Met,
                format!("{amount} is within the {available} available"),
            )
            .value("available", available)
            .value("available_after", minus(available, amount)?),
        );
        if amount < request.requested {
            why.push(Step::new(
                "mdf.request.partial",
                Outcome::Applied,
                format!(
                    "partial approval: {amount} of the {} requested",
                    request.requested
                ),
            ));
        }
        Ok(vec![Change::RequestApproved {
            request_id: request_id.to_owned(),
            amount,
            auto: false,
            approved_by: approver.map(|a| a.id.clone()),
            role: approver.and_then(|a| a.role.clone()),
        }])
    }

    fn decide_cancel(
        &self,
        on: Date,
        request_id: &str,
        reason: Option<&String>,
        why: &mut Explanation,
    ) -> Result<Vec<Change>, Error> {
        let (_, request) = self.request_at(request_id, &root().key("request_id"))?;
        match request.status {
            RequestStatus::Pending => {}
            RequestStatus::Approved if request.live_claims == 0 => {}
            RequestStatus::Approved => {
                return Err(Error::Conflict(vec![
                    Problem::new(ErrorCode::MdfRequestHasOpenClaims, root().key("request_id"))
                        .message(format!(
                            "request `{request_id}` has {} claim(s) awaiting approval or payment",
                            request.live_claims
                        ))
                        .help("decide and pay or reject its claims first"),
                ]));
            }
            RequestStatus::Rejected | RequestStatus::Cancelled => {
                return Err(Error::Conflict(vec![
                    Problem::new(ErrorCode::MdfRequestNotPending, root().key("request_id"))
                        .message(format!(
                            "request `{request_id}` is already {}",
                            request.status.as_str()
                        )),
                ]));
            }
        }
        let mut changes = vec![Change::RequestCancelled {
            request_id: request_id.to_owned(),
            reason: reason.cloned(),
        }];
        let free = if request.status == RequestStatus::Approved {
            request.unclaimed()?
        } else {
            Decimal::ZERO
        };
        why.push(Step::new(
            "mdf.request.cancel",
            Outcome::Applied,
            format!("request `{request_id}` cancelled on {on}"),
        ));
        if free > Decimal::ZERO {
            why.push(
                Step::new(
                    "mdf.request.release",
                    Outcome::Applied,
                    format!("{free} approved and not paid goes back to the available balance"),
                )
                .value("released", free),
            );
            changes.push(Change::Released {
                request_id: request_id.to_owned(),
                amount: free,
                reason: ReleaseReason::Cancelled,
            });
            if let Some(expired) = self.expiry_after_release(request.account, free)? {
                why.push(Step::new(
                    "mdf.request.expire",
                    Outcome::Applied,
                    format!("the period is closed, so the {free} released expires at once"),
                ));
                changes.push(expired);
            }
        }
        Ok(changes)
    }

    fn decide_submit_claim(
        &self,
        on: Date,
        claim_id: &str,
        request_id: &str,
        actual_cost: Amount,
        proofs: &[String],
        why: &mut Explanation,
    ) -> Result<Vec<Change>, Error> {
        let mut refusal = Refusal::default();
        if self.claim_index.contains_key(&IdKey::new(claim_id)) {
            refusal.conflict(
                Problem::new(ErrorCode::DuplicateId, root().key("claim_id"))
                    .message(format!("the ledger already has a claim `{claim_id}`"))
                    .help("give each claim a new id"),
            );
        }
        let (_, request) = self.request_at(request_id, &root().key("request_id"))?;
        if request.status != RequestStatus::Approved {
            refusal.conflict(
                Problem::new(ErrorCode::MdfRequestNotApproved, root().key("request_id")).message(
                    format!(
                        "request `{request_id}` is {}; only an approved request can be claimed",
                        request.status.as_str()
                    ),
                ),
            );
        }
        let slot = self
            .accounts
            .get(request.account)
            .map(|a| a.slot)
            .ok_or_else(|| internal("account"))?;
        let (fund_cfg, _) = self.config(slot)?;
        if on < request.end {
            refusal.invalid(
                Problem::new(ErrorCode::MdfClaimBeforeActivityEnd, root().key("on")).message(
                    format!(
                        "claims for request `{request_id}` open when the activity ends on {}, not on {on}",
                        request.end
                    ),
                ),
            );
        }
        if on > request.claim_deadline {
            refusal.invalid(
                Problem::new(ErrorCode::MdfClaimWindowClosed, root().key("on"))
                    .message(format!(
                        "the claim window for request `{request_id}` closed on {} ({} days after the activity ended on {}); this claim is dated {on}",
                        request.claim_deadline,
                        fund_cfg.claim_window_days,
                        request.end
                    )),
            );
        } else if on >= request.end {
            why.push(
                Step::new(
                    "mdf.claim.window",
                    Outcome::Met,
                    format!(
                        "submitted on {on}, within the window that closes on {}",
                        request.claim_deadline
                    ),
                )
                .value("claim_deadline", request.claim_deadline),
            );
        }
        let activity_type = self.activity_of(request);
        match fund_cfg.activity_type(activity_type) {
            Some(activity) => {
                let missing: Vec<&String> = activity
                    .required_proof
                    .iter()
                    .filter(|kind| !proofs.iter().any(|p| p == *kind))
                    .collect();
                for kind in &missing {
                    refusal.invalid(
                        Problem::new(ErrorCode::MdfProofMissing, root().key("proofs")).message(
                            format!(
                                "a `{activity_type}` claim needs proof `{kind}`, which is not attached"
                            ),
                        ),
                    );
                }
                if missing.is_empty() && !activity.required_proof.is_empty() {
                    why.push(Step::new(
                        "mdf.claim.proof",
                        Outcome::Met,
                        format!("every required proof is attached ({})", activity.required_proof.join(", ")),
                    ));
                }
            }
            None => refusal.invalid(
                Problem::new(ErrorCode::UnknownReference, root().key("request_id")).message(
                    format!(
                        "request `{request_id}` names activity type `{activity_type}`, which the fund no longer defines"
                    ),
                ),
            ),
        }
        let actual = refusal.take(self.money(slot, actual_cost, &root().key("actual_cost")));
        if let Some(actual) = actual
            && actual <= Decimal::ZERO
        {
            refusal.invalid(
                Problem::new(ErrorCode::OutOfRange, root().key("actual_cost"))
                    .message(format!("expected a cost above zero, found {actual}")),
            );
        }
        let unclaimed = request.unclaimed()?;
        // After the window closes the remainder is released; the window is the reason to report.
        if request.status == RequestStatus::Approved
            && unclaimed <= Decimal::ZERO
            && on <= request.claim_deadline
        {
            refusal.conflict(
                Problem::new(ErrorCode::MdfApprovalUsedUp, root().key("request_id")).message(
                    format!(
                        "nothing is left to claim on request `{request_id}`: its {} approved is claimed{}",
                        request.approved,
                        if request.released > Decimal::ZERO {
                            format!(" or released ({} released)", request.released)
                        } else {
                            String::new()
                        }
                    ),
                ),
            );
        }
        let places = self.currency_places(slot);
        let mut computed = None;
        if let Some(actual) = actual
            && actual > Decimal::ZERO
        {
            let share = RoundingMode::Down.round(
                actual
                    .checked_mul(request.vendor_share.fraction())
                    .ok_or_else(|| super::state::overflow(&root().key("actual_cost")))?,
                places,
            );
            let reimbursable = share.min(unclaimed).max(Decimal::ZERO);
            if reimbursable <= Decimal::ZERO && unclaimed > Decimal::ZERO {
                refusal.invalid(
                    Problem::new(ErrorCode::OutOfRange, root().key("actual_cost")).message(
                        format!("{actual} × {} reimburses nothing", request.vendor_share),
                    ),
                );
            }
            computed = Some((actual, share, reimbursable));
        }
        refusal.finish()?;
        let (actual, share, reimbursable) = computed.ok_or_else(|| internal("claim amounts"))?;
        let excess = minus(share, reimbursable)?;
        why.push(
            Step::new(
                "mdf.claim.reimbursable",
                Outcome::Applied,
                format!(
                    "reimbursable = min({unclaimed} left of the approval, {actual} × {} = {share}) = {reimbursable}",
                    request.vendor_share
                ),
            )
            .value("unclaimed", unclaimed)
            .value("share_of_cost", share)
            .value("reimbursable", reimbursable),
        );
        if excess > Decimal::ZERO {
            why.push(
                Step::new(
                    "mdf.claim.not_reimbursable",
                    Outcome::Failed,
                    format!("{excess} of the share of cost exceeds what is left of the approval and is not reimbursable"),
                )
                .value("not_reimbursable", excess),
            );
        }
        let mut kinds: Vec<String> = proofs.to_vec();
        kinds.sort();
        kinds.dedup();
        Ok(vec![Change::ClaimSubmitted {
            claim_id: claim_id.to_owned(),
            request_id: request_id.to_owned(),
            actual_cost: actual,
            share_of_cost: share,
            reimbursable,
            not_reimbursable: excess,
            proofs: kinds,
        }])
    }

    fn claim_pending<'a>(&self, claim_id: &str, claim: &'a Claim) -> Result<&'a Claim, Error> {
        if claim.status == ClaimStatus::Submitted {
            return Ok(claim);
        }
        let code = if claim.status == ClaimStatus::Paid {
            ErrorCode::MdfClaimAlreadyPaid
        } else {
            ErrorCode::MdfClaimNotPending
        };
        Err(Error::Conflict(vec![
            Problem::new(code, root().key("claim_id")).message(format!(
                "claim `{claim_id}` is already {}; only a submitted claim can be decided",
                claim.status.as_str()
            )),
        ]))
    }

    /// Releases money freed after the claim window closed.
    fn release_freed(
        &self,
        on: Date,
        request: &Request,
        freed: Decimal,
        why: &mut Explanation,
        changes: &mut Vec<Change>,
    ) -> Result<(), Error> {
        if freed <= Decimal::ZERO || on <= request.claim_deadline {
            return Ok(());
        }
        why.push(
            Step::new(
                "mdf.claim.release",
                Outcome::Applied,
                format!(
                    "the claim window closed on {}, so the {freed} freed is released",
                    request.claim_deadline
                ),
            )
            .value("released", freed),
        );
        changes.push(Change::Released {
            request_id: request.id.to_string(),
            amount: freed,
            reason: ReleaseReason::ClaimDeadlinePassed,
        });
        if let Some(expired) = self.expiry_after_release(request.account, freed)? {
            changes.push(expired);
        }
        Ok(())
    }

    fn decide_approve_claim(
        &self,
        on: Date,
        claim_id: &str,
        amount: Option<&Amount>,
        why: &mut Explanation,
    ) -> Result<Vec<Change>, Error> {
        let (_, claim) = self.claim_at(claim_id, &root().key("claim_id"))?;
        let claim = self.claim_pending(claim_id, claim)?;
        let request = self
            .requests
            .get(claim.request)
            .ok_or_else(|| internal("request"))?;
        let slot = self
            .accounts
            .get(request.account)
            .map(|a| a.slot)
            .ok_or_else(|| internal("account"))?;
        let value = match amount {
            Some(a) => self.money(slot, *a, &root().key("amount"))?,
            None => claim.amount,
        };
        let at = root().key("amount");
        if value <= Decimal::ZERO {
            return Err(Error::problem(
                Problem::new(ErrorCode::OutOfRange, at)
                    .message(format!("expected an approval above zero, found {value}"))
                    .help("reject the claim instead"),
            ));
        }
        if value > claim.amount {
            return Err(Error::problem(
                Problem::new(ErrorCode::MdfApprovalExceedsAmount, at)
                    .message(format!(
                        "approving {value} exceeds the {} reimbursable on claim `{claim_id}`",
                        claim.amount
                    ))
                    .help(format!("approve at most {}", claim.amount)),
            ));
        }
        why.push(
            Step::new(
                "mdf.claim.approve",
                Outcome::Applied,
                format!(
                    "claim `{claim_id}` approved for {value} of {} reimbursable",
                    claim.amount
                ),
            )
            .value("amount", value),
        );
        let mut changes = vec![Change::ClaimApproved {
            claim_id: claim_id.to_owned(),
            amount: value,
        }];
        self.release_freed(on, request, minus(claim.amount, value)?, why, &mut changes)?;
        Ok(changes)
    }

    fn decide_reject_claim(
        &self,
        on: Date,
        claim_id: &str,
        reason: &str,
        why: &mut Explanation,
    ) -> Result<Vec<Change>, Error> {
        let (_, claim) = self.claim_at(claim_id, &root().key("claim_id"))?;
        let claim = self.claim_pending(claim_id, claim)?;
        let request = self
            .requests
            .get(claim.request)
            .ok_or_else(|| internal("request"))?;
        why.push(Step::new(
            "mdf.claim.reject",
            Outcome::Applied,
            format!(
                "claim `{claim_id}` rejected: {reason}; its {} can be claimed again",
                claim.amount
            ),
        ));
        let mut changes = vec![Change::ClaimRejected {
            claim_id: claim_id.to_owned(),
            reason: reason.to_owned(),
        }];
        self.release_freed(on, request, claim.amount, why, &mut changes)?;
        Ok(changes)
    }

    fn decide_pay(
        &self,
        claim_id: &str,
        reference: Option<&String>,
        why: &mut Explanation,
    ) -> Result<Vec<Change>, Error> {
        let (_, claim) = self.claim_at(claim_id, &root().key("claim_id"))?;
        match claim.status {
            ClaimStatus::Approved => {}
            ClaimStatus::Paid => {
                return Err(Error::Conflict(vec![
                    Problem::new(ErrorCode::MdfClaimAlreadyPaid, root().key("claim_id")).message(
                        format!(
                            "claim `{claim_id}` has already been paid {}; a claim is paid once",
                            claim.amount
                        ),
                    ),
                ]));
            }
            ClaimStatus::Submitted | ClaimStatus::Rejected => {
                return Err(Error::Conflict(vec![
                    Problem::new(ErrorCode::MdfClaimNotApproved, root().key("claim_id")).message(
                        format!(
                            "claim `{claim_id}` is {}; only an approved claim can be paid",
                            claim.status.as_str()
                        ),
                    ),
                ]));
            }
        }
        why.push(
            Step::new(
                "mdf.claim.pay",
                Outcome::Applied,
                format!("claim `{claim_id}` paid {}", claim.amount),
            )
            .value("amount", claim.amount),
        );
        Ok(vec![Change::Paid {
            claim_id: claim_id.to_owned(),
            amount: claim.amount,
            reference: reference.cloned(),
        }])
    }

    fn decide_adjust(
        &self,
        fund: &str,
        period: &str,
        partner_id: &str,
        amount: Amount,
        reason: &str,
        why: &mut Explanation,
    ) -> Result<Vec<Change>, Error> {
        let mut refusal = Refusal::default();
        let slot = self.slot_at(fund, period, &root())?;
        let (_, period_cfg) = self.config(slot)?;
        if let Some(p) = self.closed_problem(slot, root().key("period")) {
            refusal.conflict(p);
        }
        let value = refusal.take(self.money(slot, amount, &root().key("amount")));
        if reason.trim().is_empty() {
            refusal.invalid(
                Problem::new(ErrorCode::InvalidValue, root().key("reason"))
                    .message("an adjustment needs a reason"),
            );
        }
        let figures = self.figures(slot, partner_id);
        let available = figures.available()?;
        let used = self.slots.get(slot).map_or(Decimal::ZERO, |s| s.pool_used);
        let pool = period_cfg.pool.amount();
        if let Some(v) = value {
            if v.is_zero() {
                refusal.invalid(
                    Problem::new(ErrorCode::OutOfRange, root().key("amount"))
                        .message("an adjustment of zero changes nothing"),
                );
            } else if v > Decimal::ZERO && plus(used, v)? > pool {
                let left = minus(pool, used)?.max(Decimal::ZERO);
                refusal.conflict(
                    Problem::new(ErrorCode::MdfPoolExceeded, root().key("amount"))
                        .message(format!(
                            "adding {v} takes period `{period}` to {} allocated, beyond its pool of {pool}",
                            plus(used, v)?
                        ))
                        .help(format!("at most {left} is left in the pool")),
                );
            } else if v.is_negative() && plus(available, v)?.is_negative() {
                refusal.conflict(
                    Problem::new(ErrorCode::InsufficientFunds, root().key("amount"))
                        .message(format!(
                            "taking {} away needs that much available, but partner `{partner_id}` has {available}",
                            v.abs()
                        ))
                        .help(format!("take away at most {available}")),
                );
            }
        }
        refusal.finish()?;
        let value = value.ok_or_else(|| internal("adjustment"))?;
        why.push(
            Step::new(
                "mdf.adjust",
                Outcome::Applied,
                format!("partner `{partner_id}`'s funds change by {value}: {reason}"),
            )
            .value("available_after", plus(available, value)?),
        );
        Ok(vec![Change::Adjusted {
            fund: fund.to_owned(),
            period: period.to_owned(),
            partner_id: partner_id.to_owned(),
            amount: value,
            reason: reason.to_owned(),
        }])
    }

    fn decide_close(
        &self,
        on: Date,
        fund: &str,
        period: &str,
        why: &mut Explanation,
    ) -> Result<Vec<Change>, Error> {
        let mut refusal = Refusal::default();
        let slot = self.slot_at(fund, period, &root())?;
        let (fund_cfg, period_cfg) = self.config(slot)?;
        if let Some(p) = self.closed_problem(slot, root().key("period")) {
            refusal.conflict(p);
        }
        let grace = i64::from(fund_cfg.expiry.grace_days);
        let closable = period_cfg.end.add_days(grace)?;
        if on < closable {
            refusal.invalid(
                Problem::new(ErrorCode::MdfPeriodNotEnded, root().key("on"))
                    .message(format!(
                        "period `{period}` ends on {} and has {grace} days' grace, so it can be closed from {closable}, not on {on}",
                        period_cfg.end.add_days(-1)?
                    ))
                    .help(format!("close it on {closable} or later")),
            );
        }
        let state = self.slots.get(slot).ok_or_else(|| internal("slot"))?;
        let next = state.period + 1;
        let next_cfg = fund_cfg.periods.get(next);
        let next_slot = slot + 1;
        if next_cfg.is_some()
            && let Some(p) = self.closed_problem(next_slot, root().key("period"))
        {
            refusal.conflict(p.message(format!(
                "the next period of fund `{fund}` is already closed, so `{period}` cannot carry into it"
            )));
        }
        refusal.finish()?;
        let mut changes = Vec::new();
        // Pending requests can no longer be approved.
        for request in &self.requests {
            if request.status == RequestStatus::Pending
                && self
                    .accounts
                    .get(request.account)
                    .is_some_and(|a| a.slot == slot)
            {
                changes.push(Change::RequestRejected {
                    request_id: request.id.to_string(),
                    reason: format!("period `{period}` closed before the request was decided"),
                });
            }
        }
        if !changes.is_empty() {
            why.push(Step::new(
                "mdf.close.pending",
                Outcome::Applied,
                format!(
                    "{} pending request(s) rejected: the period closed before they were decided",
                    changes.len()
                ),
            ));
        }
        let mut partners: Vec<(&str, usize)> = state
            .accounts
            .iter()
            .map(|(id, a)| (id.as_str(), *a))
            .collect();
        partners.sort_unstable();
        let carry = fund_cfg.expiry.carry_over.as_ref();
        let places = self.currency_places(slot);
        let mut expired_total = Decimal::ZERO;
        let mut carried_total = Decimal::ZERO;
        for (partner_id, a) in partners {
            let account = self.accounts.get(a).ok_or_else(|| internal("account"))?;
            let available = account.figures.available()?;
            if available <= Decimal::ZERO {
                continue;
            }
            changes.push(Change::Expired {
                fund: fund.to_owned(),
                period: period.to_owned(),
                partner_id: partner_id.to_owned(),
                amount: available,
                reason: ExpiryReason::PeriodClosed,
            });
            expired_total = plus(expired_total, available)?;
            if let (Some(carry), Some(next_cfg)) = (carry, next_cfg) {
                let share = self.program.rounding().round(
                    available
                        .checked_mul(carry.share.fraction())
                        .ok_or_else(|| super::state::overflow(&root()))?,
                    places,
                );
                let amount = match carry.cap_per_partner {
                    Some(cap) => share.min(cap.amount()),
                    None => share,
                };
                if amount > Decimal::ZERO {
                    carried_total = plus(carried_total, amount)?;
                    let mut step = Step::new(
                        format!("mdf.close.{partner_id}"),
                        Outcome::Applied,
                        format!(
                            "{available} unspent expires; {} × {available} = {share} carries into `{}`",
                            carry.share, next_cfg.id
                        ),
                    )
                    .value("expired", available)
                    .value("carried", amount);
                    if amount < share {
                        step = step.child(Step::new(
                            "mdf.close.carry_cap",
                            Outcome::Applied,
                            format!("capped at {amount} per partner"),
                        ));
                    }
                    why.push(step);
                    changes.push(Change::CarriedIn {
                        fund: fund.to_owned(),
                        period: next_cfg.id.clone(),
                        from_period: period.to_owned(),
                        partner_id: partner_id.to_owned(),
                        amount,
                    });
                    continue;
                }
            }
            why.push(
                Step::new(
                    format!("mdf.close.{partner_id}"),
                    Outcome::Applied,
                    format!("{available} unspent expires"),
                )
                .value("expired", available),
            );
        }
        why.push(
            Step::new(
                "mdf.close",
                Outcome::Applied,
                format!(
                    "period `{period}` closed: {expired_total} expired, {carried_total} carried into {}",
                    next_cfg.map_or("no next period".to_owned(), |p| format!("`{}`", p.id))
                ),
            )
            .value("expired", expired_total)
            .value("carried_over", carried_total),
        );
        changes.push(Change::PeriodClosed {
            fund: fund.to_owned(),
            period: period.to_owned(),
        });
        Ok(changes)
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
        self.request_index.get(&IdKey::new(id)).copied()
    }

    pub(crate) fn claim_position(&self, id: &str) -> Option<usize> {
        self.claim_index.get(&IdKey::new(id)).copied()
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

fn tier_given(command: &Command) -> bool {
    matches!(command, Command::SubmitRequest { tier: Some(_), .. })
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
            let requests: BTreeMap<&IdKey, &usize> = ledger.request_index.iter().collect();
            let claims: BTreeMap<&IdKey, &usize> = ledger.claim_index.iter().collect();
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
