//! Sales: a transaction split into partner shares, each share's basis,
//! base amount, multipliers, limits and SPIFFs, in the order DOMAIN.md sets.

use super::super::compiled::{CompiledPlan, ShareFacts, number};
use super::super::plan::AcceleratorScope;
use super::super::statement::{ComponentKind, LineComponent, LineKind};
use super::super::transaction::Transaction;
use super::records::{Ledger, Record, RecordDetail, SaleExtra, SaleRecord, ShareRef, TableShare};
use super::{Detail, Loc, NONE, SHARE_PLACES, StatementRun, component, wide};
use crate::error::Error;
use crate::money::{Currency, Decimal, RoundingMode, allocate};

impl<'a> StatementRun<'a> {
    #[expect(
        clippy::too_many_arguments,
        reason = "the transaction and where it sits"
    )]
    pub(super) fn sale(
        &mut self,
        tx: &Transaction,
        seq: u32,
        loc: Loc<'_>,
        currency: Currency,
        fx: Decimal,
        tx_info: u32,
        entry: u32,
        known: u32,
    ) -> Result<(), Error> {
        let overflow =
            || Error::overflow(loc.path(), format!("commission on transaction `{}`", tx.id));
        let start = self.shares.next();
        let booking;
        if tx.splits.is_empty() {
            // `known`: the partner's ledger, when the caller looked it up already.
            let ledger = if known != NONE {
                known
            } else {
                match self.ledger_for(&tx.partner_id, Some(&|| loc.path().key("partner_id"))) {
                    Some(ledger) => ledger,
                    None => return Ok(()),
                }
            };
            booking = self.ledgers.get(ledger as usize).map_or(NONE, |l| l.name);
            self.share(
                tx,
                seq,
                tx_info,
                entry,
                ledger,
                Decimal::ONE,
                tx.amount,
                tx.cost,
                fx,
            )
            .ok_or_else(overflow)?;
        } else {
            booking = self.intern(&tx.partner_id);
            let weights: Vec<Decimal> = tx.splits.iter().map(|s| s.share).collect();
            let places = currency.minor_units();
            let revenues =
                allocate(tx.amount, &weights, places).map_err(|e| e.under(&loc.path()))?;
            let costs = match tx.cost {
                Some(cost) => {
                    Some(allocate(cost, &weights, places).map_err(|e| e.under(&loc.path()))?)
                }
                None => None,
            };
            for (k, split) in tx.splits.iter().enumerate() {
                let path = || loc.path().key("splits").index(k).key("partner_id");
                let Some(ledger) = self.ledger_for(&split.partner_id, Some(&path)) else {
                    continue;
                };
                let revenue = revenues.get(k).copied().unwrap_or(Decimal::ZERO);
                let cost = costs.as_ref().and_then(|c| c.get(k).copied());
                self.share(
                    tx,
                    seq,
                    tx_info,
                    entry,
                    ledger,
                    split.share,
                    revenue,
                    cost,
                    fx,
                )
                .ok_or_else(overflow)?;
            }
        }
        let end = self.shares.next();
        if let Some(e) = self.entries.get_mut(entry) {
            e.partner = booking;
            e.shares = (start, end.saturating_sub(start));
        }
        Ok(())
    }

    /// One partner's share of a sale. `None` on overflow.
    #[expect(
        clippy::too_many_arguments,
        reason = "one share's facts, passed without building a struct per share"
    )]
    pub(super) fn share(
        &mut self,
        tx: &Transaction,
        seq: u32,
        tx_info: u32,
        entry: u32,
        ledger: u32,
        share: Decimal,
        revenue: Decimal,
        cost: Option<Decimal>,
        fx: Decimal,
    ) -> Option<()> {
        let lines = self.detail == Detail::Lines;
        let (plan_index, period, kind, parent) = {
            let l = self.ledgers.get(ledger as usize)?;
            (l.plan, l.period, l.kind, l.parent)
        };
        let plan = self.plans.get(plan_index)?;
        let in_period = period.contains(tx.date);
        let revenue = if fx == Decimal::ONE {
            revenue
        } else {
            revenue.checked_mul(fx)?
        };
        let basis = match plan.basis {
            super::super::plan::Basis::Revenue => revenue,
            super::super::plan::Basis::Margin => {
                let cost = match cost {
                    Some(c) if fx != Decimal::ONE => c.checked_mul(fx)?,
                    Some(c) => c,
                    None => Decimal::ZERO,
                };
                revenue.checked_sub(cost)?.max(Decimal::ZERO)
            }
        };
        let share_ref = self.shares.next();
        self.shares.push(ShareRef {
            ledger,
            reverses: LineKind::Sale,
            in_period,
            from_input: true,
            share,
            basis,
            bits: 0,
            paid: Decimal::ZERO,
            from_partner: NONE,
        });
        if !in_period {
            self.outside += 1;
            return Some(());
        }
        let quantity = match tx.quantity {
            Some(q) if share == Decimal::ONE => q,
            Some(q) => q.checked_mul(share)?,
            None => share,
        };
        let facts = ShareFacts {
            tx,
            kind,
            share,
            basis,
            quantity,
            passed: plan.filters.passed(tx, kind),
        };
        let mut base_components = Vec::new();
        let base = plan.base(&facts, lines.then_some(&mut base_components))?;
        let mut spiff_components = Vec::new();
        let spiff = plan.spiffs(&facts, lines.then_some(&mut spiff_components))?;
        // A stream's dates repeat: the last day's payout date is remembered.
        let trigger = plan.payout_trigger(tx.date, tx.paid_on);
        let payable_on = match self.payable_memo {
            Some((p, t, payable)) if p == plan_index && t == trigger => payable,
            _ => {
                let payable = plan.payable_on(tx.date, tx.paid_on);
                self.payable_memo = Some((plan_index, trigger, payable));
                payable
            }
        };
        let plan = self.plans.get(plan_index)?;
        let deferred_plan = plan.deferred;
        let mode = plan.mode;
        let excess_accelerator = plan
            .accelerator
            .as_ref()
            .filter(|a| a.on == AcceleratorScope::Excess)
            .is_some();
        let l = self.ledgers.get_mut(ledger as usize)?;
        l.active = true;
        let tier = Self::tier_on(l, tx.date);
        let mut excess = Decimal::ZERO;
        if excess_accelerator {
            let before = l.running_basis;
            let after = before.checked_add(basis)?;
            l.running_basis = after;
            if let Some(quota) = l.quota {
                excess = after
                    .checked_sub(before.max(quota))?
                    .max(Decimal::ZERO)
                    .min(basis);
            }
        }
        l.gross.add(basis)?;
        for (t, gross) in l.table_gross.as_mut_slice().iter_mut().enumerate() {
            if base.bits & (1u64 << t) != 0 {
                gross.add(basis)?;
            }
        }
        if let Some(s) = self.shares.get_mut(share_ref) {
            s.bits = base.bits;
        }
        let mut record = SaleRecord {
            seq,
            share_ref,
            tx: tx_info,
            entry,
            date: tx.date,
            basis,
            pre: base.pre,
            tier,
            bits: base.bits,
            payable_on,
            detail: lines.then(|| {
                Box::new(RecordDetail {
                    base: base_components,
                    spiffs: spiff_components,
                })
            }),
            override_ref: NONE,
            extra: NONE,
        };
        let extra = SaleExtra { excess, spiff };
        let ledger_deferred = l.deferred;
        // Known now unless the plan waits for the period (a kept record of a
        // deferred ledger is priced again at the close either way).
        let mut rounded = Decimal::ZERO;
        if !deferred_plan {
            let (exact, _) = self.line_amount(ledger, &record, &extra, &[], false, false)?;
            rounded = mode.round(exact, self.places);
        }
        // The distributor's override line, when it can be computed now.
        let mut override_ref = NONE;
        if parent != NONE {
            override_ref =
                self.override_share(tx, seq, tx_info, parent, ledger, share, &record, rounded)?;
        }
        record.override_ref = override_ref;
        if ledger_deferred {
            // Kept until the close: its extra amounts too, when it has any.
            if !extra.is_none() {
                record.extra = self.extras.push(extra);
            }
            if let Some(l) = self.ledgers.get_mut(ledger as usize) {
                l.records.push(Record::Sale(record));
            }
        } else {
            self.settle_sale(ledger, &record, &extra, rounded, None, true)?;
        }
        Some(())
    }

    /// A sale record's extra amounts (all zero when it has none).
    pub(super) fn extra(&self, r: &SaleRecord) -> SaleExtra {
        if r.extra == NONE {
            return SaleExtra::NONE;
        }
        self.extras.get(r.extra).copied().unwrap_or(SaleExtra::NONE)
    }

    /// `(pre + each period table's share) × tier multiplier` in decimals,
    /// with their components when `components` is given.
    fn multiplied(
        &self,
        l: &Ledger,
        plan: &CompiledPlan,
        r: &SaleRecord,
        shares_of_tables: &[TableShare],
        multiplier: Decimal,
        mut components: Option<&mut Vec<LineComponent>>,
    ) -> Option<Decimal> {
        if let Some(c) = components.as_deref_mut()
            && let Some(detail) = &r.detail
        {
            c.extend(detail.base.iter().cloned());
        }
        let mut base = r.pre;
        for (t, share) in shares_of_tables.iter().enumerate() {
            if r.bits & (1u64 << t) == 0 {
                continue;
            }
            let (total, net) = (&share.total, &share.net);
            let part =
                RoundingMode::HalfEven.round(r.basis.checked_mul(share.ratio)?, SHARE_PLACES);
            base = base.checked_add(part)?;
            if let Some(c) = components.as_deref_mut()
                && let Some(table) = plan.period_tables.get(t)
            {
                c.push(component(
                    &table.rule,
                    ComponentKind::PeriodBracket,
                    part,
                    format!(
                        "share {} of net basis {} in the period's {}",
                        self.text(r.basis),
                        self.text(*net),
                        self.text(*total)
                    ),
                ));
            }
        }
        let multiplied = base.checked_mul(multiplier)?;
        if let Some(c) = components
            && multiplier != Decimal::ONE
        {
            let tier = l
                .tiers
                .get(r.tier as usize)
                .map_or("none", |t| t.2.as_str());
            c.push(component(
                &format!("tier.{tier}"),
                ComponentKind::TierMultiplier,
                multiplied.checked_sub(base)?,
                format!("× {} for tier `{tier}` on {}", number(multiplier), r.date),
            ));
        }
        Some(multiplied)
    }

    /// The exact amount of a sale line and its components (before rounding).
    /// `extra` is the record's extra amounts; `shares_of_tables` is each period
    /// table's total, net basis and their ratio.
    pub(super) fn line_amount(
        &self,
        ledger: u32,
        r: &SaleRecord,
        extra: &SaleExtra,
        shares_of_tables: &[TableShare],
        accelerate_all: bool,
        want_components: bool,
    ) -> Option<(Decimal, Vec<LineComponent>)> {
        let l = self.ledgers.get(ledger as usize)?;
        let plan = self.plans.get(l.plan)?;
        let multiplier = l.tiers.get(r.tier as usize).map_or(Decimal::ONE, |t| t.1);
        let mut components = Vec::new();
        // The amount alone: rates, period table shares and multiplier in
        // 128-bit integers, when that is exact (`wide`).
        let fast = if want_components {
            None
        } else {
            let ratios = shares_of_tables
                .iter()
                .enumerate()
                .filter(|(t, _)| r.bits & (1u64 << t) != 0)
                .map(|(_, share)| share.ratio);
            wide::multiplied(r.pre, r.basis, ratios, SHARE_PLACES, multiplier)
        };
        let multiplied = match fast {
            Some(multiplied) => multiplied,
            None => self.multiplied(
                l,
                plan,
                r,
                shares_of_tables,
                multiplier,
                want_components.then_some(&mut components),
            )?,
        };
        let mut uplift = Decimal::ZERO;
        if let Some(acc) = &plan.accelerator {
            let uplift_rate = acc.multiplier.checked_sub(Decimal::ONE)?;
            let excess = extra.excess;
            let note;
            match acc.on {
                AcceleratorScope::Excess if !excess.is_zero() && !r.basis.is_zero() => {
                    uplift = multiplied
                        .checked_mul(uplift_rate)?
                        .checked_mul(excess)?
                        .checked_div(r.basis)?;
                    note = note!(
                        want_components,
                        "× {} on the {} of basis above quota",
                        number(acc.multiplier),
                        self.text(excess)
                    );
                }
                AcceleratorScope::Everything if accelerate_all => {
                    uplift = multiplied.checked_mul(uplift_rate)?;
                    note = note!(
                        want_components,
                        "× {}: the period reached quota",
                        number(acc.multiplier)
                    );
                }
                _ => note = String::new(),
            }
            if want_components && !note.is_empty() {
                components.push(component(
                    &plan.rule("accelerator"),
                    ComponentKind::Accelerator,
                    uplift,
                    note,
                ));
            }
        }
        // Adding a zero changes neither the value nor the scale: skipped.
        let accelerated = if uplift.is_zero() {
            multiplied
        } else {
            multiplied.checked_add(uplift)?
        };
        let limited = plan.clamp(accelerated);
        if want_components && limited != accelerated {
            let (kind, name) = if limited > accelerated {
                (ComponentKind::Minimum, "minimum")
            } else {
                (ComponentKind::Maximum, "maximum")
            };
            components.push(component(
                &plan.rule(&format!("per_transaction.{name}")),
                kind,
                limited.checked_sub(accelerated)?,
                format!("per-transaction {name} {}", self.text(limited)),
            ));
        }
        if want_components && let Some(detail) = &r.detail {
            components.extend(detail.spiffs.iter().cloned());
        }
        let amount = if extra.spiff.is_zero() {
            limited
        } else {
            limited.checked_add(extra.spiff)?
        };
        Some((amount, components))
    }
}
