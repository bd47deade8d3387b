//! Period-level amounts: period bracket tables and the accelerator on
//! everything, priced once the period's net basis is known, then replayed in
//! arrival order.

use super::super::brackets;
use super::super::plan::AcceleratorScope;
use super::records::{Record, TableShare};
use super::{Detail, RATIO_PLACES, StatementRun};
use crate::money::{Decimal, RoundingMode, allocate};

impl<'a> StatementRun<'a> {
    /// Each period table's (total, net basis) for the ledger, once its period is closed.
    pub(super) fn table_shares(&self, ledger: u32) -> Option<Vec<TableShare>> {
        let l = self.ledgers.get(ledger as usize)?;
        let plan = self.plans.get(l.plan)?;
        let mut out = Vec::with_capacity(plan.period_tables.len());
        for (t, table) in plan.period_tables.iter().enumerate() {
            let net = l
                .table_gross
                .as_slice()
                .get(t)?
                .get()?
                .checked_sub(*l.table_refunded.as_slice().get(t)?)?;
            let total = brackets::evaluate(&table.steps, table.mode, net)?;
            // Each line's share is basis × total / net: the ratio is taken once per
            // period, to RATIO_PLACES, so each line costs one multiplication.
            let ratio = if net <= Decimal::ZERO || total.is_zero() {
                Decimal::ZERO
            } else {
                RoundingMode::HalfEven.round(total.checked_div(net)?, RATIO_PLACES)
            };
            out.push(TableShare { total, net, ratio });
        }
        Some(out)
    }

    pub(super) fn net_basis(&self, ledger: u32) -> Option<Decimal> {
        let l = self.ledgers.get(ledger as usize)?;
        l.gross.get()?.checked_sub(l.refunded)
    }

    pub(super) fn accelerates_all(&self, ledger: u32) -> Option<bool> {
        let l = self.ledgers.get(ledger as usize)?;
        let plan = self.plans.get(l.plan)?;
        let net = self.net_basis(ledger)?;
        Some(
            plan.accelerator
                .as_ref()
                .is_some_and(|a| a.on == AcceleratorScope::Everything)
                && l.quota.is_some_and(|q| net >= q),
        )
    }

    /// Rounds a deferred ledger's sale records once the period's net basis is
    /// known, keeping the amounts in the ledger ([`super::records::Ledger::rounded`])
    /// until [`StatementRun::replay`] settles them.
    pub(super) fn price_deferred(&mut self, ledger: u32) -> Option<()> {
        let tables = self.table_shares(ledger)?;
        let everything = self.accelerates_all(ledger)?;
        let has_tables = !tables.is_empty();
        let mode = self
            .plans
            .get(self.ledgers.get(ledger as usize)?.plan)?
            .mode;
        let mut records = std::mem::take(&mut self.ledgers.get_mut(ledger as usize)?.records);
        // In `seq` order, the order the rounded amounts are kept in.
        records.sort_by_seq();
        let mut exact = Vec::new();
        for record in records.iter() {
            if let Record::Sale(r) = record {
                let (e, _) =
                    self.line_amount(ledger, r, &self.extra(r), &tables, everything, false)?;
                exact.push(e);
            }
        }
        let rounded: Vec<Decimal> = if has_tables {
            let mut total = Decimal::ZERO;
            for e in &exact {
                total = total.checked_add(*e)?;
            }
            let total = mode.round(total, self.places);
            allocate(total, &exact, self.places).ok()?
        } else {
            exact.iter().map(|e| mode.round(*e, self.places)).collect()
        };
        let rounded = rounded.into_iter().map(|r| self.money(r)).collect();
        let l = self.ledgers.get_mut(ledger as usize)?;
        l.records = records;
        l.rounded = rounded;
        Some(())
    }

    /// Settles a deferred ledger's records in arrival order.
    pub(super) fn replay(&mut self, ledger: u32) -> Option<()> {
        let mut records = std::mem::take(&mut self.ledgers.get_mut(ledger as usize)?.records);
        records.sort_by_seq();
        // The period's shares are fixed by now: computed once, for the lines' components.
        let period = if self.detail == Detail::Lines {
            Some((self.table_shares(ledger)?, self.accelerates_all(ledger)?))
        } else {
            None
        };
        // Only the shares this ledger's clawbacks reverse get their paid amounts written back.
        let reversed = records.reversed_shares();
        let is_reversed = |share: u32| reversed.binary_search(&share).is_ok();
        // Priced in `seq` order: the sale records' rounded amounts, in turn.
        let rounded = std::mem::take(&mut self.ledgers.get_mut(ledger as usize)?.rounded);
        let mut rounded = rounded.into_iter();
        for record in records.iter() {
            match record {
                Record::Sale(r) => {
                    let extra = self.extra(r);
                    let amount = rounded.next()?;
                    self.settle_sale(
                        ledger,
                        r,
                        &extra,
                        amount,
                        period.as_ref(),
                        is_reversed(r.share_ref),
                    )?;
                }
                Record::Override(r) => {
                    self.settle_override(ledger, r, is_reversed(r.share_ref))?;
                }
                Record::Clawback(ev) => self.settle_clawback(ledger, ev)?,
            }
        }
        Some(())
    }
}
