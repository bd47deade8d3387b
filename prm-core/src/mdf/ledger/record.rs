//! Recording events: the ledger's state follows from each event, which is checked against the ones before.

use super::{Ledger, internal, root};
use crate::calendar::Date;
use crate::error::{Error, ErrorCode, Problem};
use crate::mdf::event::{Change, Event, ExpiryReason};
use crate::mdf::state::{
    Claim, ClaimStatus, IdKey, Request, RequestStatus, inconsistent, minus, plus,
};
use crate::money::Decimal;

impl Ledger<'_> {
    pub(super) fn evolve(&mut self, event: &Event, index: usize) -> Result<(), Error> {
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
        // Once a day is enough: pruning only keeps the deadline set short.
        if self.pruned_on != Some(event.on)
            && !matches!(
                event.change,
                Change::Released { .. } | Change::Expired { .. }
            )
        {
            self.prune_deadlines(event.on)?;
            self.pruned_on = Some(event.on);
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
                let r = self.requests.len();
                let requests = &self.requests;
                let new = self.request_index.insert(request_id, r, |at| {
                    requests.get(at).map(|request| &request.id)
                })?;
                if !new {
                    return Err(inconsistent(
                        index,
                        format!("request `{request_id}` is submitted twice"),
                    ));
                }
                let activity = self.intern_activity(activity_type, index)?;
                let a = self.account_index(slot, partner_id)?;
                let account = self
                    .accounts
                    .get_mut(a)
                    .ok_or_else(|| internal("account"))?;
                account.figures.pending = plus(account.figures.pending, requested)?;
                self.requests.push(Request {
                    id: IdKey::new(request_id),
                    account: a,
                    slot,
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
                let slot = request.slot;
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
                let slot = request.slot;
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
                let claims = &self.claims;
                let new = self
                    .claim_index
                    .insert(claim_id, claims.len(), |at| claims.get(at).map(|c| &c.id))?;
                if !new {
                    return Err(inconsistent(
                        index,
                        format!("claim `{claim_id}` is submitted twice"),
                    ));
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
                    id: IdKey::new(claim_id),
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
                let slot = request.slot;
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
        self.request_position(id)
            .ok_or_else(|| inconsistent(index, format!("no request `{id}` was submitted before")))
    }

    fn recorded_claim(&self, id: &str, index: usize) -> Result<usize, Error> {
        self.claim_position(id)
            .ok_or_else(|| inconsistent(index, format!("no claim `{id}` was submitted before")))
    }
}
