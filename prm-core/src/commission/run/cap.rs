//! Settling earning lines: the period cap in transaction order, the line's
//! status, and the line itself when lines are kept.

use super::super::compiled::{money_like, money_text};
use super::super::ids::IdIndex;
use super::super::statement::{CommissionLine, ComponentKind, LineComponent, LineKind, LineStatus};
use super::records::{OverrideRecord, SaleExtra, SaleRecord, TableShare, Total, TxInfo};
use super::{Detail, NONE, StatementRun, component, status, tidy};
use crate::calendar::Date;
use crate::money::{Decimal, RoundingMode};

impl<'a> StatementRun<'a> {
    /// Applies the period cap (in arrival order) to an earning line of `rounded`;
    /// returns (paid, capped) and records the line's status.
    pub(super) fn settle_earning(
        &mut self,
        ledger: u32,
        rounded: Decimal,
        payable_on: Option<Date>,
        kind: LineKind,
        (tx, entry): (u32, u32),
    ) -> Option<(Decimal, Decimal, LineStatus)> {
        let as_of = self.options.as_of;
        let places = self.places;
        let cap = self.plans.get(self.ledgers.get(ledger as usize)?.plan)?.cap;
        let (txs, index) = (&self.txs, &self.index);
        let l = self.ledgers.get_mut(ledger as usize)?;
        // In minor units when the line, the cap and the sum paid so far are all
        // at the currency's places (the values and scales are the same).
        let in_units = units(rounded, places).and_then(|line| {
            let room = room_in_units(CapUnits::of(cap, places), &l.paid_earnings)?;
            let paid = room.map_or(line, |room| line.min(room));
            Some((
                money(paid, places)?,
                money(line.checked_sub(paid)?, places)?,
            ))
        });
        let (paid, capped) = match in_units {
            Some(found) => found,
            None => {
                let paid = match cap {
                    Some(cap) => {
                        let room = cap.checked_sub(l.paid_earnings.get()?)?.max(Decimal::ZERO);
                        rounded.min(room)
                    }
                    None => rounded,
                };
                (paid, rounded.checked_sub(paid)?)
            }
        };
        if !capped.is_zero() && l.first_capped.is_none() {
            l.first_capped = Some(transaction_id(txs, index, tx, entry));
        }
        l.paid_earnings.add(paid)?;
        let st = status(payable_on, as_of);
        match kind {
            LineKind::Override => l.this.overrides.add(rounded)?,
            _ => l.this.earned.add(rounded)?,
        }
        l.this.capped.add(capped)?;
        match st {
            LineStatus::Payable => l.this.payable.add(paid)?,
            LineStatus::Pending => l.this.pending.add(paid)?,
        }
        Some((paid, capped, st))
    }

    /// Settles a sale line of record `r`, with its `extra` amounts, rounded
    /// to `rounded`. `period` is the ledger's period table shares and
    /// whether the accelerator applies to everything, when the caller has them.
    /// `reversed` says whether a clawback may still read what the line paid:
    /// only then is it written back to the share, which at the close sits far
    /// away in memory.
    pub(super) fn settle_sale(
        &mut self,
        ledger: u32,
        r: &SaleRecord,
        extra: &SaleExtra,
        rounded: Decimal,
        period: Option<&(Vec<TableShare>, bool)>,
        reversed: bool,
    ) -> Option<()> {
        let (paid, capped, st) = self.settle_earning(
            ledger,
            rounded,
            r.payable_on,
            LineKind::Sale,
            (r.tx, r.entry),
        )?;
        if reversed && let Some(s) = self.shares.get_mut(r.share_ref) {
            s.paid = paid;
        }
        if self.detail == Detail::Lines {
            let computed;
            let (tables, everything) = match period {
                Some((tables, everything)) => (tables, *everything),
                None => {
                    computed = (self.table_shares(ledger)?, self.accelerates_all(ledger)?);
                    (&computed.0, computed.1)
                }
            };
            let (_, components) = self.line_amount(ledger, r, extra, tables, everything, true)?;
            let share = self
                .shares
                .get(r.share_ref)
                .map_or(Decimal::ONE, |s| s.share);
            let line = self.earning_line(
                ledger,
                LineKind::Sale,
                &r.tx,
                r.date,
                share,
                r.basis,
                rounded,
                paid,
                capped,
                components,
                r.payable_on,
                st,
                NONE,
            )?;
            self.ledgers
                .get_mut(ledger as usize)?
                .lines
                .push((true, line));
        }
        Some(())
    }

    /// Settles an override line; `reversed` as for [`StatementRun::settle_sale`].
    pub(super) fn settle_override(
        &mut self,
        ledger: u32,
        r: &OverrideRecord,
        reversed: bool,
    ) -> Option<()> {
        let (paid, capped, st) = self.settle_earning(
            ledger,
            r.rounded,
            r.payable_on,
            LineKind::Override,
            (r.tx, r.entry),
        )?;
        if reversed && let Some(s) = self.shares.get_mut(r.share_ref) {
            s.paid = paid;
        }
        if self.detail == Detail::Lines {
            let from = self
                .shares
                .get(r.share_ref)
                .map_or(NONE, |s| s.from_partner);
            let share = self
                .shares
                .get(r.share_ref)
                .map_or(Decimal::ONE, |s| s.share);
            let line = self.earning_line(
                ledger,
                LineKind::Override,
                &r.tx,
                r.date,
                share,
                r.basis,
                r.rounded,
                paid,
                capped,
                r.components.clone(),
                r.payable_on,
                st,
                from,
            )?;
            self.ledgers
                .get_mut(ledger as usize)?
                .lines
                .push((true, line));
        }
        Some(())
    }

    #[expect(clippy::too_many_arguments, reason = "a line's fields")]
    pub(super) fn earning_line(
        &self,
        ledger: u32,
        kind: LineKind,
        tx: &u32,
        date: Date,
        share: Decimal,
        basis: Decimal,
        rounded: Decimal,
        paid: Decimal,
        capped: Decimal,
        mut components: Vec<LineComponent>,
        payable_on: Option<Date>,
        status: LineStatus,
        from_partner: u32,
    ) -> Option<CommissionLine> {
        let l = self.ledgers.get(ledger as usize)?;
        let plan = self.plans.get(l.plan)?;
        let info = self.txs.get(*tx as usize);
        let mut sum = Decimal::ZERO;
        for c in &components {
            sum = sum.checked_add(c.amount)?;
        }
        let rounding = rounded.checked_sub(sum)?;
        if !rounding.is_zero() {
            components.push(component(
                "program.rounding",
                ComponentKind::Rounding,
                rounding,
                format!("{} to {} places", plan.mode.as_str(), self.places),
            ));
        }
        if !capped.is_zero() {
            components.push(component(
                &plan.rule("period_cap"),
                ComponentKind::Cap,
                Decimal::new(-capped.value()),
                format!(
                    "the period cap {} was reached",
                    self.text(plan.cap.unwrap_or(Decimal::ZERO))
                ),
            ));
        }
        tidy(&mut components, self.places);
        let rate = (!basis.is_zero())
            .then(|| rounded.checked_div(basis))
            .flatten()
            .map(|r| Decimal::new(RoundingMode::HalfEven.round(r, 6).value().normalize()));
        Some(CommissionLine {
            kind,
            partner_id: l.partner_id.clone(),
            transaction_id: info.map(|t| t.id.clone()),
            transaction_kind: info.map(|t| t.kind),
            date,
            original_id: None,
            reverses: None,
            from_partner_id: (from_partner != NONE)
                .then(|| self.names.name(from_partner).map(str::to_owned))
                .flatten(),
            transaction_amount: info.map(|t| t.amount),
            transaction_currency: info.map(|t| t.currency),
            share,
            basis: money_like(basis, self.places),
            rate,
            amount: paid,
            capped: self.money(capped),
            components,
            payable_on,
            status,
        })
    }

    pub(super) fn text(&self, value: Decimal) -> String {
        money_text(value, self.places)
    }

    pub(super) fn money(&self, value: Decimal) -> Decimal {
        self.mode.round(value, self.places)
    }
}

/// `value` in minor units, when it is written with exactly `places` decimals
/// and fits 64 bits.
pub(super) fn units(value: Decimal, places: u32) -> Option<i64> {
    let value = value.value();
    (value.scale() == places)
        .then(|| i64::try_from(value.mantissa()).ok())
        .flatten()
}

/// `units` minor units as an amount written with `places` decimals.
pub(super) fn money(units: i64, places: u32) -> Option<Decimal> {
    rust_decimal::Decimal::try_from_i128_with_scale(i128::from(units), places)
        .ok()
        .map(Decimal::new)
}

/// A plan's period cap in minor units, converted once for a ledger's lines:
/// `None` without a cap, `Some(None)` when the cap is not written in minor
/// units (the decimal path then settles every line).
#[derive(Debug, Clone, Copy)]
pub(super) struct CapUnits(Option<Option<i64>>);

impl CapUnits {
    pub(super) fn of(cap: Option<Decimal>, places: u32) -> CapUnits {
        CapUnits(cap.map(|cap| units(cap, places)))
    }
}

/// What the period cap leaves to pay, in minor units: `Some(None)` without a
/// cap, `None` when the cap or the sum paid so far is not in minor units or
/// the room is negative (a cap below zero), which the decimal path settles.
pub(super) fn room_in_units(cap: CapUnits, paid: &Total) -> Option<Option<i64>> {
    match cap.0 {
        Some(cap) => cap?
            .checked_sub(paid.units()?)
            .filter(|room| *room >= 0)
            .map(Some),
        None => Some(None),
    }
}

/// The id of a line's transaction: from the line's facts when lines are
/// kept (`tx`), else from the index (`entry`); empty when neither has it.
pub(super) fn transaction_id(txs: &[TxInfo], index: &IdIndex, tx: u32, entry: u32) -> String {
    txs.get(tx as usize)
        .map(|t| t.id.as_str())
        .or_else(|| index.id(entry))
        .unwrap_or_default()
        .to_owned()
}
