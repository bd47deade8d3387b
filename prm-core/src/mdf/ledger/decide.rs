//! Deciding commands: each is checked against the rules and the state, and produces changes.

use super::{Ledger, internal, root};
use crate::calendar::Date;
use crate::error::{Error, ErrorCode, JsonPath, Problem};
use crate::explain::{Explanation, Outcome, Step};
use crate::mdf::command::{Approver, Command};
use crate::mdf::event::{Change, ExpiryReason, ReleaseReason};
use crate::mdf::state::{Claim, ClaimStatus, IdKey, Request, RequestStatus, minus, plus};
use crate::money::{Amount, Decimal, RoundingMode};

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

impl Ledger<'_> {
    pub(super) fn decide(
        &self,
        command: &Command,
        why: &mut Explanation,
    ) -> Result<Vec<Change>, Error> {
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
        crate::mdf::money_in(amount, fund.currency_or(self.program.currency()), at)
    }

    fn decide_allocate(
        &self,
        on: Date,
        fund: &str,
        period: &str,
        partners: &[crate::mdf::AllocationFacts],
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
        let allocation = refusal.take(crate::mdf::allocation::compute(
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
            compliant,
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
            Some(_) => match crate::mdf::eligible_types(self.program, fund_cfg, tier.as_deref()) {
                crate::mdf::Eligible::All => {
                    why.push(Step::new(
                        "mdf.request.eligibility",
                        Outcome::Met,
                        format!("every activity type is eligible; `{activity_type}` is"),
                    ));
                }
                crate::mdf::Eligible::NeedsTier => refusal.invalid(
                    Problem::new(ErrorCode::MdfTierRequired, root().key("tier"))
                        .message(format!(
                            "eligibility depends on the tier, and partner `{partner_id}` has none in period `{}`",
                            period_cfg.id
                        ))
                        .help("pass the partner's `tier`, or allocate to the partner with its tier first"),
                ),
                crate::mdf::Eligible::Only(types) => {
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
        if fund_cfg.requires_compliance {
            match compliant {
                Some(true) => why.push(Step::new(
                    "mdf.request.compliance",
                    Outcome::Met,
                    format!("fund `{fund}` requires compliance for `request_mdf`; partner `{partner_id}` is compliant"),
                )),
                Some(false) => refusal.invalid(
                    Problem::new(ErrorCode::MdfNotCompliant, root().key("compliant"))
                        .message(format!(
                            "fund `{fund}` requires compliance for `request_mdf`, and partner `{partner_id}` is not compliant"
                        ))
                        .help("run `compliance.check` for activity `request_mdf` to see what is missing (an agreement in force, a certification requirement)"),
                ),
                None => refusal.invalid(
                    Problem::new(ErrorCode::MdfNotCompliant, root().key("compliant"))
                        .message(format!(
                            "fund `{fund}` requires compliance for `request_mdf`, and the request does not say whether partner `{partner_id}` is compliant"
                        ))
                        .help("run `compliance.check` for activity `request_mdf` and pass its answer as `compliant`"),
                ),
            }
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
            let before =
                crate::mdf::lead_time::days_before(on, *start, lead.count, &fund_cfg.holidays);
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
                    .ok_or_else(|| crate::mdf::state::overflow(&root().key("planned_cost")))?;
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
                    .ok_or_else(|| crate::mdf::state::overflow(&root().key("actual_cost")))?,
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
                        .ok_or_else(|| crate::mdf::state::overflow(&root()))?,
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
}

fn tier_given(command: &Command) -> bool {
    matches!(command, Command::SubmitRequest { tier: Some(_), .. })
}
