//! Two-tier overrides: the parent distributor's line on a reseller's share.

use super::super::compiled::percent;
use super::super::plan::OverrideBasis;
use super::super::statement::{ComponentKind, LineKind};
use super::super::transaction::Transaction;
use super::records::{OverrideRecord, Record, SaleRecord, ShareRef};
use super::{Detail, NONE, StatementRun, component};
use crate::calendar::Date;
use crate::money::Decimal;

impl<'a> StatementRun<'a> {
    /// Creates the override share of a reseller's sale line (in ledger
    /// `child`, of `record` rounded to `rounded`, which is zero when the
    /// child's plan waits for the period) for `parent`; settles or records
    /// it now when it can be computed now.
    #[expect(
        clippy::too_many_arguments,
        reason = "the transaction, where it sits and the reseller's share"
    )]
    pub(super) fn override_share(
        &mut self,
        tx: &Transaction,
        seq: u32,
        tx_info: u32,
        parent: u32,
        child: u32,
        share: Decimal,
        record: &SaleRecord,
        rounded: Decimal,
    ) -> Option<u32> {
        let (parent_plan, parent_period, parent_deferred) = {
            let p = self.ledgers.get(parent as usize)?;
            (p.plan, p.period, p.deferred)
        };
        let child_deferred = self
            .plans
            .get(self.ledgers.get(child as usize)?.plan)?
            .deferred;
        let rule = self.plans.get(parent_plan)?.overrides.clone()?;
        let in_period = parent_period.contains(tx.date);
        let from_partner = self.ledgers.get(child as usize)?.name;
        let share_ref = self.shares.next();
        self.shares.push(ShareRef {
            ledger: parent,
            reverses: LineKind::Override,
            in_period,
            from_input: true,
            share,
            basis: record.basis,
            bits: 0,
            paid: Decimal::ZERO,
            from_partner,
        });
        if !in_period {
            return Some(share_ref);
        }
        if let Some(p) = self.ledgers.get_mut(parent as usize) {
            p.active = true;
        }
        let needs_commission = rule.of == OverrideBasis::Commission || rule.subtract;
        if needs_commission && child_deferred {
            // Computed from the reseller's line when its period closes.
            return Some(share_ref);
        }
        let payable_on = self.plans.get(parent_plan)?.payable_on(tx.date, tx.paid_on);
        let over = self.override_record(
            seq, share_ref, tx_info, tx.date, record, rounded, &rule, payable_on,
        )?;
        if parent_deferred {
            self.ledgers
                .get_mut(parent as usize)?
                .records
                .push(Record::Override(over));
        } else {
            self.settle_override(parent, &over, true)?;
        }
        Some(share_ref)
    }

    #[expect(clippy::too_many_arguments, reason = "the override's facts")]
    pub(super) fn override_record(
        &self,
        seq: u32,
        share_ref: u32,
        tx_info: u32,
        date: Date,
        child: &SaleRecord,
        child_rounded: Decimal,
        rule: &super::super::compiled::CompiledOverride,
        payable_on: Option<Date>,
    ) -> Option<OverrideRecord> {
        let mode = rule.mode;
        let want = self.detail == Detail::Lines;
        let (exact, note) = match (rule.of, rule.subtract) {
            (OverrideBasis::Basis, false) => (
                child.basis.checked_mul(rule.rate)?,
                note!(
                    want,
                    "{} of the reseller's basis {}",
                    percent(rule.rate),
                    self.text(child.basis)
                ),
            ),
            (OverrideBasis::Basis, true) => {
                let gross = child.basis.checked_mul(rule.rate)?;
                (
                    gross.checked_sub(child_rounded)?.max(Decimal::ZERO),
                    note!(
                        want,
                        "{} of the reseller's basis {} = {}, less the reseller's {}",
                        percent(rule.rate),
                        self.text(child.basis),
                        self.text(gross),
                        self.text(child_rounded)
                    ),
                )
            }
            (OverrideBasis::Commission, _) => (
                child_rounded.checked_mul(rule.rate)?,
                note!(
                    want,
                    "{} of the reseller's commission {}",
                    percent(rule.rate),
                    self.text(child_rounded)
                ),
            ),
        };
        let components = if self.detail == Detail::Lines {
            vec![component(&rule.rule, ComponentKind::Override, exact, note)]
        } else {
            Vec::new()
        };
        Some(OverrideRecord {
            seq,
            share_ref,
            tx: tx_info,
            entry: child.entry,
            date,
            basis: child.basis,
            rounded: mode.round(exact, self.places),
            payable_on,
            components,
        })
    }

    /// Adds to the parent the overrides that needed this ledger's settled lines.
    pub(super) fn deferred_overrides(&mut self, ledger: u32) -> Option<()> {
        let (parent, deferred) = {
            let l = self.ledgers.get(ledger as usize)?;
            (l.parent, l.deferred)
        };
        if parent == NONE || !deferred {
            return Some(());
        }
        let parent_plan = self.ledgers.get(parent as usize)?.plan;
        let Some(rule) = self.plans.get(parent_plan)?.overrides.clone() else {
            return Some(());
        };
        if !(rule.of == OverrideBasis::Commission || rule.subtract) {
            return Some(());
        }
        let records = std::mem::take(&mut self.ledgers.get_mut(ledger as usize)?.records);
        let mut new = Vec::new();
        // Priced already (phase 1): the sale records are in `seq` order, as
        // their rounded amounts are.
        let sales = records.iter().filter_map(|record| match record {
            Record::Sale(r) => Some(r),
            _ => None,
        });
        let rounded = &self.ledgers.get(ledger as usize)?.rounded;
        for (k, r) in sales.enumerate() {
            if r.override_ref == NONE || !self.shares.get(r.override_ref)?.in_period {
                continue;
            }
            let child_rounded = *rounded.get(k)?;
            let paid_on = None;
            let payable_on = self
                .plans
                .get(parent_plan)?
                .payable_on(r.date, paid_on)
                .or(r.payable_on);
            new.push(Record::Override(self.override_record(
                r.seq,
                r.override_ref,
                r.tx,
                r.date,
                r,
                child_rounded,
                &rule,
                payable_on,
            )?));
        }
        self.ledgers.get_mut(ledger as usize)?.records = records;
        self.ledgers.get_mut(parent as usize)?.records.extend(new);
        Some(())
    }
}
