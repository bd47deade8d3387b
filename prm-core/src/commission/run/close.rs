//! Closing a ledger: minimum period basis, target bonuses, totals,
//! carry-forward and the explanation.

use super::super::brackets::{self, BracketMode};
use super::super::compiled::{money_like, money_text, number, percent};
use super::super::facts::CarryForward;
use super::super::plan::AcceleratorScope;
use super::super::statement::{
    CommissionLine, CommissionStatement, ComponentKind, LineKind, LineStatus, StatementTotals,
};
use super::super::transaction::TransactionKind;
use super::records::{TableShare, Tally};
use super::{Detail, StatementRun, add, component, status, tidy};
use crate::error::{Error, ErrorCode, JsonPath, Problem};
use crate::explain::{Explanation, Outcome, Step};
use crate::money::{Decimal, RoundingMode};

impl<'a> StatementRun<'a> {
    /// Period-level rules (minimum basis, target bonuses), totals, carry-forward, explanation.
    pub(super) fn close(&mut self, ledger: u32) -> Option<Result<CommissionStatement, Error>> {
        let as_of = self.options.as_of;
        let places = self.places;
        let net_basis = self.net_basis(ledger)?;
        let tables = self.table_shares(ledger)?;
        let everything = self.accelerates_all(ledger)?;
        let mode = self.mode;
        let mt = |v: Decimal| money_text(v, places);
        let l = self.ledgers.get_mut(ledger as usize)?;
        let plan = self.plans.get(l.plan)?;
        // Every statement has an explanation, so it is written with few
        // allocations: each amount's text once, each message in one piece
        // (`concat`, not `format!`).
        let net_text = mt(net_basis);
        let gross = l.gross.get()?;
        // Plan, period, basis, tables, accelerator, cap, minimum, bonuses,
        // carry-forward and lines: room for all, not grown step by step.
        let mut explanation =
            Explanation::with_capacity(8 + plan.period_tables.len() + plan.bonuses.len());
        explanation.push(
            Step::new(
                ["plan.", &plan.id].concat(),
                Outcome::Applied,
                l.plan_reason.clone(),
            )
            .value("plan", plan.id.as_str())
            .value("name", plan.name.as_deref().unwrap_or(&plan.id)),
        );
        let (start, end) = (l.period.start.to_string(), l.period.end.to_string());
        explanation.push(
            Step::new(
                "period",
                Outcome::Info,
                [
                    "period ",
                    &start,
                    "..",
                    &l.period.last_day().to_string(),
                    " (",
                    plan.period.as_str(),
                    "), as of ",
                    &as_of.to_string(),
                ]
                .concat(),
            )
            .value("start", start)
            .value("end", end),
        );
        explanation.push(
            Step::new(
                "basis",
                Outcome::Info,
                [
                    "net basis ",
                    &mode.round(net_basis, places).to_text(),
                    ": sales ",
                    &mode.round(gross, places).to_text(),
                    " less refunds inside the window ",
                    &mode.round(l.refunded, places).to_text(),
                ]
                .concat(),
            )
            .value("net_basis", net_text.as_str())
            .value("sales", mt(gross))
            .value("refunds", mt(l.refunded)),
        );
        for (t, TableShare { total, net, .. }) in tables.iter().enumerate() {
            let Some(table) = plan.period_tables.get(t) else {
                continue;
            };
            // Equal amounts have equal texts (`money_like` is canonical).
            let net_of_table = if *net == net_basis {
                net_text.clone()
            } else {
                mt(*net)
            };
            let total_text = mt(*total);
            let mut step = Step::new(
                table.rule.clone(),
                Outcome::Applied,
                [
                    match table.mode {
                        BracketMode::Graduated => "graduated",
                        BracketMode::Retroactive => "retroactive",
                    },
                    " brackets on the period's net basis ",
                    &net_of_table,
                    ": ",
                    &total_text,
                ]
                .concat(),
            )
            .value("net_basis", net_of_table.as_str())
            .value("total", total_text);
            match table.mode {
                BracketMode::Graduated => {
                    for slice in brackets::slices(&table.steps, *net) {
                        step = step.child(Step::new(
                            [&table.rule, "[", &slice.index.to_string(), "]"].concat(),
                            Outcome::Applied,
                            [
                                &mt(slice.from),
                                " to ",
                                &mt(slice.to),
                                " at ",
                                &percent(slice.rate),
                                " = ",
                                &mt(slice.amount),
                            ]
                            .concat(),
                        ));
                    }
                }
                BracketMode::Retroactive => {
                    if let Some((i, s)) =
                        brackets::reached(&table.steps, *net).filter(|_| *net > Decimal::ZERO)
                    {
                        step = step.child(Step::new(
                            format!("{}[{i}]", table.rule),
                            Outcome::Applied,
                            format!(
                                "reached the bracket from {}: all of {} at {}",
                                mt(s.from),
                                mt(*net),
                                percent(s.rate)
                            ),
                        ));
                    }
                }
            }
            explanation.push(step);
        }
        if let Some(acc) = &plan.accelerator {
            let quota = l.quota.unwrap_or(acc.quota);
            let attainment = net_basis
                .checked_div(quota)
                .map(|a| RoundingMode::HalfEven.round(a, 4))
                .unwrap_or(Decimal::ZERO);
            let met = net_basis >= quota;
            let message = match acc.on {
                AcceleratorScope::Excess => format!(
                    "quota {}: attainment {}; commission on basis above quota × {}",
                    mt(quota),
                    percent(attainment),
                    number(acc.multiplier)
                ),
                AcceleratorScope::Everything if everything => format!(
                    "quota {} reached (attainment {}): all of the period's commission × {}",
                    mt(quota),
                    percent(attainment),
                    number(acc.multiplier)
                ),
                AcceleratorScope::Everything => format!(
                    "quota {} not reached (attainment {}): no accelerator",
                    mt(quota),
                    percent(attainment)
                ),
            };
            explanation.push(
                Step::new(
                    plan.rule("accelerator"),
                    if met { Outcome::Met } else { Outcome::Failed },
                    message,
                )
                .value("quota", quota.to_text())
                .value("attainment", attainment.to_text()),
            );
        }
        if let Some(cap) = plan.cap {
            let capped = l.this.capped.get()?;
            explanation.push(
                if capped.is_zero() {
                    Step::new(
                        plan.rule("period_cap"),
                        Outcome::Met,
                        ["earnings stayed within the period cap ", &mt(cap)].concat(),
                    )
                } else {
                    Step::new(
                        plan.rule("period_cap"),
                        Outcome::Applied,
                        format!(
                            "earnings of {} reached the period cap {} on `{}`: {} capped",
                            mt(l.this.earned.get()?.checked_add(l.this.overrides.get()?)?),
                            mt(cap),
                            l.first_capped.clone().unwrap_or_default(),
                            mt(capped)
                        ),
                    )
                }
                .value("cap", cap.to_text())
                .value("capped", capped.to_text()),
            );
        }
        // Minimum period basis: below it, nothing earned in the period is paid.
        let forfeit = plan.minimum_basis.is_some_and(|m| net_basis < m);
        if let Some(minimum) = plan.minimum_basis {
            explanation.push(Step::new(
                plan.rule("minimum_period_basis"),
                if forfeit {
                    Outcome::Failed
                } else {
                    Outcome::Met
                },
                if forfeit {
                    format!(
                        "net basis {net_text} is below the minimum {}: nothing earned this period is paid",
                        mt(minimum)
                    )
                } else {
                    format!("net basis {net_text} reaches the minimum {}", mt(minimum))
                },
            ));
        }
        if forfeit {
            l.this = Tally::new(places);
            for (this_period, line) in &mut l.lines {
                if !*this_period || (line.amount.is_zero() && line.capped.is_zero()) {
                    continue;
                }
                let pre_cap = line.amount.checked_add(line.capped).unwrap_or(line.amount);
                line.components.retain(|c| c.kind != ComponentKind::Cap);
                line.components.push(component(
                    &plan.rule("minimum_period_basis"),
                    ComponentKind::MinimumPeriodBasis,
                    Decimal::new(-pre_cap.value()),
                    "the period's basis stayed below the plan's minimum".to_owned(),
                ));
                tidy(&mut line.components, places);
                line.amount = mode.round(Decimal::ZERO, places);
                line.capped = mode.round(Decimal::ZERO, places);
            }
        }
        // Target bonuses.
        let mut bonuses = Decimal::ZERO;
        for (rule, target, bonus) in &plan.bonuses {
            let met = !forfeit && net_basis >= *target;
            explanation.push(Step::new(
                rule.clone(),
                if met { Outcome::Met } else { Outcome::Failed },
                if met {
                    [
                        "net basis ",
                        &net_text,
                        " reached the target ",
                        &mt(*target),
                        ": bonus ",
                        &mt(*bonus),
                    ]
                    .concat()
                } else {
                    [
                        "net basis ",
                        &net_text,
                        " is short of the target ",
                        &mt(*target),
                    ]
                    .concat()
                },
            ));
            if !met {
                continue;
            }
            let amount = mode.round(*bonus, places);
            bonuses = bonuses.checked_add(amount)?;
            let payable_on = l.period.last_day().add_days(i64::from(plan.hold_days)).ok();
            let st = status(payable_on, as_of);
            match st {
                LineStatus::Payable => l.this.payable.add(amount)?,
                LineStatus::Pending => l.this.pending.add(amount)?,
            }
            if self.detail == Detail::Lines {
                l.lines.push((
                    true,
                    CommissionLine {
                        kind: LineKind::TargetBonus,
                        partner_id: l.partner_id.clone(),
                        transaction_id: None,
                        transaction_kind: None,
                        date: l.period.last_day(),
                        original_id: None,
                        reverses: None,
                        from_partner_id: None,
                        transaction_amount: None,
                        transaction_currency: None,
                        share: Decimal::ONE,
                        basis: mode.round(net_basis, places),
                        rate: None,
                        amount,
                        capped: mode.round(Decimal::ZERO, places),
                        components: vec![component(
                            rule,
                            ComponentKind::TargetBonus,
                            money_like(*bonus, places),
                            format!("net basis reached {}", mt(*target)),
                        )],
                        payable_on,
                        status: st,
                    },
                ));
            }
        }
        let zero = mode.round(Decimal::ZERO, places);
        let m = |v: Decimal| mode.round(v, places);
        let this = l.this.sums()?;
        let prior = l.prior.sums()?;
        let clawed = add(this.clawed, prior.clawed)?;
        let payable = add(this.payable, prior.payable)?;
        let pending = add(this.pending, prior.pending)?;
        let net = add(add(payable, pending)?, zero)?;
        let totals = StatementTotals {
            basis: m(net_basis),
            earned: m(this.earned),
            overrides: m(this.overrides),
            clawed_back: m(clawed),
            capped: m(this.capped),
            bonuses: m(bonuses),
            net: m(net),
            payable: m(payable),
            pending: m(pending),
        };
        // Carry-forward.
        let calendar = self.program.fiscal_calendar();
        let fiscal_year = calendar.fiscal_year(l.period.start);
        let carry = match self.facts.carry_forward.get(&l.partner_id) {
            Some(cf) if cf.through >= l.period.start => {
                return Some(Err(Error::problem(
                    Problem::new(
                        ErrorCode::CommissionCarryForwardOverlap,
                        JsonPath::root()
                            .key("carry_forward")
                            .key(&l.partner_id)
                            .key("through"),
                    )
                    .message(format!(
                        "the carry-forward of `{}` already counts through {}, inside the period {}",
                        l.partner_id, cf.through, l.period
                    ))
                    .help("pass the carry-forward of the previous period's statement"),
                )));
            }
            Some(cf) => Some(cf),
            None => None,
        };
        let same_year = carry.filter(|cf| cf.fiscal_year == fiscal_year);
        let carry_forward = CarryForward {
            fiscal_year,
            through: l.period.last_day(),
            year_to_date_basis: m(add(
                same_year.map_or(Decimal::ZERO, |c| c.year_to_date_basis),
                net_basis,
            )?),
            year_to_date_net: m(add(
                same_year.map_or(Decimal::ZERO, |c| c.year_to_date_net),
                net,
            )?),
            lifetime_net: m(add(carry.map_or(Decimal::ZERO, |c| c.lifetime_net), net)?),
        };
        explanation.push(
            Step::new(
                "carry_forward",
                Outcome::Info,
                [
                    "fiscal year ",
                    &fiscal_year.to_string(),
                    " to date: basis ",
                    &carry_forward.year_to_date_basis.to_text(),
                    ", net ",
                    &carry_forward.year_to_date_net.to_text(),
                    "; lifetime net ",
                    &carry_forward.lifetime_net.to_text(),
                ]
                .concat(),
            )
            .value("fiscal_year", fiscal_year)
            .value(
                "previous",
                carry.map_or("none".to_owned(), |c| c.through.to_string()),
            ),
        );
        let mut lines: Vec<CommissionLine> = std::mem::take(&mut l.lines)
            .into_iter()
            .map(|(_, line)| line)
            .collect();
        lines.sort_by(|a, b| {
            let bonus = |x: &CommissionLine| x.kind == LineKind::TargetBonus;
            bonus(a).cmp(&bonus(b)).then(a.date.cmp(&b.date))
        });
        if !lines.is_empty() {
            let mut step = Step::new("lines", Outcome::Info, format!("{} lines", lines.len()));
            for line in &lines {
                step = step.child(line_step(line));
            }
            explanation.push(step);
        }
        Some(Ok(CommissionStatement {
            partner_id: l.partner_id.clone(),
            plan_id: plan.id.clone(),
            period: l.period,
            currency: self.currency,
            lines,
            totals,
            carry_forward,
            explanation,
        }))
    }
}

fn line_step(line: &CommissionLine) -> Step {
    let id = line
        .transaction_id
        .clone()
        .unwrap_or_else(|| "bonus".to_owned());
    let message = match line.kind {
        LineKind::Sale => format!(
            "sale on {}: basis {} earns {}",
            line.date, line.basis, line.amount
        ),
        LineKind::Override => format!(
            "override on `{}`'s sale of {}: {}",
            line.from_partner_id.as_deref().unwrap_or("?"),
            line.date,
            line.amount
        ),
        LineKind::Clawback => format!(
            "{} on {} of `{}`: {}",
            line.transaction_kind
                .map_or("refund", TransactionKind::as_str),
            line.date,
            line.original_id.as_deref().unwrap_or("?"),
            line.amount
        ),
        LineKind::TargetBonus => format!("target bonus: {}", line.amount),
    };
    let outcome = if line.amount.is_zero() && line.kind == LineKind::Clawback {
        Outcome::Skipped
    } else {
        Outcome::Applied
    };
    let mut step = Step::new(id, outcome, message)
        .value("amount", line.amount)
        .value(
            "status",
            match line.status {
                LineStatus::Payable => "payable",
                LineStatus::Pending => "pending",
            },
        );
    if !line.capped.is_zero() {
        step = step.value("capped", line.capped);
    }
    for c in &line.components {
        step = step.child(
            Step::new(c.rule.clone(), Outcome::Applied, c.detail.clone()).value("amount", c.amount),
        );
    }
    step
}
