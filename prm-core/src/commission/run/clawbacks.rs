//! Refunds and cancellations: finding the original (in the stream or in
//! `prior_lines`), checking the refund, and the clawback lines.

use super::super::compiled::{money_like, percent};
use super::super::statement::{CommissionLine, ComponentKind, LineKind, LineStatus};
use super::super::transaction::{Transaction, TransactionKind};
use super::records::{ClawEvent, Entry, Record, ShareRef};
use super::{Detail, Loc, NONE, StatementRun, status};
use crate::error::{Error, ErrorCode, Problem, Problems};
use crate::money::{Currency, Decimal};
use std::collections::BTreeSet;

impl<'a> StatementRun<'a> {
    pub(super) fn prior_entry(&mut self, original: &str, loc: Loc<'_>) -> Option<u32> {
        if let Some(e) = self.prior_index.get(original) {
            return Some(*e);
        }
        let lines = self.prior_originals.get(original)?.clone();
        let first = lines.first()?;
        let amount = first.transaction_amount?;
        let currency = first.transaction_currency.unwrap_or(self.currency);
        let date = first.date;
        let clawbacks = self
            .prior_clawbacks
            .get(original)
            .cloned()
            .unwrap_or_default();
        let mut refunded = Decimal::ZERO;
        let mut counted = BTreeSet::new();
        for c in &clawbacks {
            if let (Some(id), Some(a)) = (&c.transaction_id, c.transaction_amount)
                && counted.insert(id.as_str())
            {
                refunded = refunded.checked_add(a)?;
            }
        }
        let start = self.shares.next_prior();
        for line in &lines {
            let path = || loc.path().key("original_id");
            let Some(ledger) = self.ledger_for(&line.partner_id, Some(&path)) else {
                continue;
            };
            let mut clawed = Decimal::ZERO;
            for c in &clawbacks {
                if c.partner_id == line.partner_id
                    && c.reverses.unwrap_or(LineKind::Sale) == line.kind
                {
                    clawed = clawed.checked_sub(c.amount)?;
                }
            }
            let from_partner = match &line.from_partner_id {
                Some(p) => self.intern(p),
                None => NONE,
            };
            let share = self.shares.push_prior(ShareRef {
                ledger,
                reverses: line.kind,
                in_period: false,
                from_input: false,
                share: line.share,
                basis: line.basis,
                bits: 0,
                paid: line.amount,
                from_partner,
            });
            if !clawed.is_zero() {
                self.clawed.insert(share, clawed);
            }
        }
        let end = self.shares.next_prior();
        let e = self.entries.push_prior(Entry {
            date,
            kind: TransactionKind::Sale,
            amount,
            currency,
            partner: NONE,
            shares: (start, end.saturating_sub(start)),
        });
        if !refunded.is_zero() {
            self.refunded.insert(e, refunded);
        }
        self.prior_index.insert(original.to_owned(), e);
        Some(e)
    }

    pub(super) fn reversal(
        &mut self,
        tx: &Transaction,
        seq: u32,
        loc: Loc<'_>,
        currency: Currency,
        tx_info: u32,
        own: u32,
    ) -> Result<(), Error> {
        let overflow =
            || Error::overflow(loc.path(), format!("clawback of transaction `{}`", tx.id));
        let original = tx.original_id.clone().unwrap_or_default();
        let at = || loc.path().key("original_id");
        let input = self.index.get(&original);
        let input_in_period = input.and_then(|e| self.entries.get(e)).is_some_and(|e| {
            let (start, len) = e.shares;
            (start..start + len).any(|s| self.shares.get(s).is_some_and(|s| s.in_period))
        });
        let entry = if (input.is_none() || !input_in_period)
            && self.prior_originals.contains_key(original.as_str())
        {
            self.prior_entry(&original, loc)
        } else {
            input
        };
        let booking = self.intern(&tx.partner_id);
        if let Some(e) = self.entries.get_mut(own) {
            e.partner = booking;
        }
        let Some(entry) = entry else {
            if let Some((_, kind)) = self
                .later
                .get(original.as_str())
                .filter(|(_, k)| *k != TransactionKind::Sale)
            {
                return Err(Error::problem(
                    Problem::new(ErrorCode::CommissionRefundOfRefund, at())
                        .message(format!(
                            "`{}` reverses `{original}`, which is itself a {}; only a sale can be reversed",
                            tx.id,
                            kind.as_str()
                        ))
                        .help("point `original_id` at the sale"),
                ));
            }
            if let Some((date, _)) = self
                .later
                .get(original.as_str())
                .filter(|(d, _)| *d > tx.date)
            {
                return Err(Error::problem(
                    Problem::new(
                        ErrorCode::CommissionRefundBeforeOriginal,
                        loc.path().key("date"),
                    )
                    .message(format!(
                        "`{}` is dated {}, before its original `{original}` ({date})",
                        tx.id, tx.date
                    ))
                    .help("check the dates: a sale is refunded after it is booked"),
                ));
            }
            return Err(Error::problem(
                Problem::new(ErrorCode::CommissionOriginalMissing, at())
                    .message(format!(
                        "the {} `{}` reverses `{original}`, which is neither among the transactions nor in `prior_lines`",
                        tx.kind.as_str(),
                        tx.id
                    ))
                    .help(match self.horizon {
                        Some(days) => format!(
                            "pass the original sale, or its statement lines in `prior_lines`; this stream forgets sales more than {days} days old (the longest clawback window)"
                        ),
                        None => "pass the original sale, or its statement lines in `prior_lines`".to_owned(),
                    }),
            ));
        };
        let settled_before = self
            .prior_clawbacks
            .get(original.as_str())
            .is_some_and(|lines| {
                lines
                    .iter()
                    .any(|l| l.transaction_id.as_deref() == Some(tx.id.as_str()))
            });
        if settled_before && self.prior_index.get(original.as_str()) == Some(&entry) {
            // An earlier statement already clawed this refund back: its line is in
            // `prior_lines`, and counted there.
            return Ok(());
        }
        let e = self.entries.get(entry).cloned().ok_or_else(overflow)?;
        let mut problems = Problems::new();
        if e.kind != TransactionKind::Sale {
            problems.push(
                Problem::new(ErrorCode::CommissionRefundOfRefund, at())
                    .message(format!(
                        "`{}` reverses `{original}`, which is itself a {}; only a sale can be reversed",
                        tx.id,
                        e.kind.as_str()
                    ))
                    .help("point `original_id` at the sale"),
            );
        }
        if e.date > tx.date {
            problems.push(
                Problem::new(
                    ErrorCode::CommissionRefundBeforeOriginal,
                    loc.path().key("date"),
                )
                .message(format!(
                    "`{}` is dated {}, before its original `{original}` ({})",
                    tx.id, tx.date, e.date
                )),
            );
        }
        if e.partner != NONE && e.partner != booking {
            let owner = self.names.name(e.partner).unwrap_or_default().to_owned();
            problems.push(
                Problem::new(
                    ErrorCode::CommissionRefundMismatch,
                    loc.path().key("partner_id"),
                )
                .message(format!(
                    "`{}` is booked by `{}` but its original `{original}` was booked by `{owner}`",
                    tx.id, tx.partner_id
                )),
            );
        }
        if e.currency != currency {
            problems.push(
                Problem::new(ErrorCode::CurrencyMismatch, loc.path().key("currency")).message(
                    format!(
                        "`{}` is in {currency} but its original `{original}` is in {}",
                        tx.id, e.currency
                    ),
                ),
            );
        }
        let refunded = self.refunded.get(&entry).copied().unwrap_or(Decimal::ZERO);
        let after = refunded.checked_add(tx.amount).ok_or_else(overflow)?;
        if e.kind == TransactionKind::Sale && after > e.amount {
            problems.push(
                Problem::new(
                    ErrorCode::CommissionRefundExceedsOriginal,
                    loc.path().key("amount"),
                )
                .message(format!(
                    "refunds of `{original}` would reach {after}, more than the sale's {}",
                    e.amount
                ))
                .help(format!(
                    "at most {} of `{original}` is left to refund",
                    e.amount.checked_sub(refunded).unwrap_or(e.amount)
                )),
            );
        }
        problems.into_result(())?;
        let p_before = refunded.checked_div(e.amount).ok_or_else(overflow)?;
        let p_after = after.checked_div(e.amount).ok_or_else(overflow)?;
        self.refunded.insert(entry, after);
        let days = e.date.days_until(tx.date);
        let (start, len) = e.shares;
        for s in start..start + len {
            let Some(share) = self.shares.get(s).cloned() else {
                continue;
            };
            let Some(l) = self.ledgers.get(share.ledger as usize) else {
                continue;
            };
            if !l.period.contains(tx.date) {
                self.outside += 1;
                continue;
            }
            let plan = self.plans.get(l.plan).ok_or_else(overflow)?;
            let within = plan.window.is_none_or(|w| days <= i64::from(w));
            let deferred = l.deferred;
            if let Some(l) = self.ledgers.get_mut(share.ledger as usize) {
                l.active = true;
            }
            if share.from_input && !share.in_period && within {
                self.problems.push(
                    Problem::new(ErrorCode::CommissionOriginalMissing, at())
                        .message(format!(
                            "`{}` claws back `{original}` ({}), which is before the statement period; its commission was settled by an earlier statement",
                            tx.id, e.date
                        ))
                        .help(format!("pass the statement lines of `{original}` in `prior_lines`")),
                );
                continue;
            }
            let event = ClawEvent {
                seq,
                tx: tx_info,
                original: original.as_str().into(),
                date: tx.date,
                amount: tx.amount,
                share_ref: s,
                p_before,
                p_after,
                within,
                // Days between two dates (of years 1 to 9999) fit in 32 bits.
                days: i32::try_from(days).unwrap_or(if days < 0 { i32::MIN } else { i32::MAX }),
            };
            if share.in_period && within && share.reverses == LineKind::Sale {
                let part = p_after
                    .checked_sub(p_before)
                    .and_then(|p| p.checked_mul(share.basis))
                    .ok_or_else(overflow)?;
                let l = self
                    .ledgers
                    .get_mut(share.ledger as usize)
                    .ok_or_else(overflow)?;
                l.refunded = l.refunded.checked_add(part).ok_or_else(overflow)?;
                for (t, refunded) in l.table_refunded.as_mut_slice().iter_mut().enumerate() {
                    if share.bits & (1u64 << t) != 0 {
                        *refunded = refunded.checked_add(part).ok_or_else(overflow)?;
                    }
                }
            }
            if deferred {
                if let Some(l) = self.ledgers.get_mut(share.ledger as usize) {
                    l.records.push(Record::Clawback(event));
                }
            } else {
                self.settle_clawback(share.ledger, &event)
                    .ok_or_else(overflow)?;
            }
        }
        Ok(())
    }

    pub(super) fn settle_clawback(&mut self, ledger: u32, ev: &ClawEvent) -> Option<()> {
        let original: &str = &ev.original;
        let as_of = self.options.as_of;
        let share = self.shares.get(ev.share_ref)?.clone();
        let plan = self.plans.get(self.ledgers.get(ledger as usize)?.plan)?;
        let window = plan.window;
        let mode = plan.mode;
        let clawed = self
            .clawed
            .get(&ev.share_ref)
            .copied()
            .unwrap_or(Decimal::ZERO);
        let amount = if ev.within {
            let target = mode.round(share.paid.checked_mul(ev.p_after)?, self.places);
            target.checked_sub(clawed)?.max(Decimal::ZERO)
        } else {
            Decimal::ZERO
        };
        if !amount.is_zero() {
            self.clawed
                .insert(ev.share_ref, clawed.checked_add(amount)?);
        }
        let value = Decimal::new(-amount.value());
        let payable_on = Some(ev.date);
        let st = status(payable_on, as_of);
        let l = self.ledgers.get_mut(ledger as usize)?;
        let sums = if share.in_period {
            &mut l.this
        } else {
            &mut l.prior
        };
        sums.clawed.add(value)?;
        match st {
            LineStatus::Payable => sums.payable.add(value)?,
            LineStatus::Pending => sums.pending.add(value)?,
        }
        if self.detail != Detail::Lines {
            return Some(());
        }
        let rule = self
            .plans
            .get(self.ledgers.get(ledger as usize)?.plan)?
            .rule("clawback");
        let what = match share.reverses {
            LineKind::Override => "override",
            _ => "commission",
        };
        let refund_share = ev.p_after.checked_sub(ev.p_before)?;
        let detail = if ev.within {
            format!(
                "refund of {} of the sale reverses {} of the {what} {} paid on `{original}` ({} days after the sale{})",
                percent(refund_share),
                percent(refund_share),
                self.text(share.paid),
                ev.days,
                window.map_or(String::new(), |w| format!(", window {w} days"))
            )
        } else {
            format!(
                "{} days after the sale, outside the {}-day window: reverses nothing",
                ev.days,
                window.unwrap_or(0)
            )
        };
        let info = self.txs.get(ev.tx as usize);
        let basis = Decimal::new(-(refund_share.checked_mul(share.basis)?).value());
        let line = CommissionLine {
            kind: LineKind::Clawback,
            partner_id: self.ledgers.get(ledger as usize)?.partner_id.clone(),
            transaction_id: info.map(|t| t.id.clone()),
            transaction_kind: info.map(|t| t.kind),
            date: ev.date,
            original_id: Some(original.to_owned()),
            reverses: Some(share.reverses),
            from_partner_id: (share.from_partner != NONE)
                .then(|| self.names.name(share.from_partner).map(str::to_owned))
                .flatten(),
            transaction_amount: Some(ev.amount),
            transaction_currency: info.map(|t| t.currency),
            share: share.share,
            basis: money_like(basis, self.places),
            rate: None,
            amount: self.money(value),
            capped: self.money(Decimal::ZERO),
            components: vec![super::super::compiled::component(
                &rule,
                ComponentKind::Clawback,
                value,
                detail,
                self.places,
            )],
            payable_on,
            status: st,
        };
        self.ledgers
            .get_mut(ledger as usize)?
            .lines
            .push((share.in_period, line));
        Some(())
    }
}
