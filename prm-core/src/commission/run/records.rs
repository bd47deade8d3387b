//! What a run keeps: the index entries refunds look up, the shares they can
//! reverse, the records of lines settled at the close, and each partner's ledger.

use super::super::statement::{CommissionLine, LineComponent, LineKind};
use super::super::transaction::TransactionKind;
use crate::calendar::{Date, Period};
use crate::money::{Currency, Decimal};
use crate::partner::PartnerKind;

/// The transaction facts a line shows (kept only when lines are).
#[derive(Debug, Clone)]
pub(super) struct TxInfo {
    pub(super) id: String,
    pub(super) kind: TransactionKind,
    pub(super) amount: Decimal,
    pub(super) currency: Currency,
}

/// A transaction in the index: what a later refund needs to know about it.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub(super) date: Date,
    pub(super) kind: TransactionKind,
    pub(super) amount: Decimal,
    pub(super) currency: Currency,
    pub(super) refunded: Decimal,
    pub(super) partner: u32,
    pub(super) shares: (u32, u32),
}

/// One line a refund can reverse: a partner's share of a sale, or a distributor's override on it.
#[derive(Debug, Clone)]
pub(super) struct ShareRef {
    pub(super) ledger: u32,
    pub(super) reverses: LineKind,
    pub(super) in_period: bool,
    pub(super) from_input: bool,
    pub(super) share: Decimal,
    pub(super) basis: Decimal,
    pub(super) bits: u64,
    pub(super) paid: Decimal,
    pub(super) clawed: Decimal,
    pub(super) from_partner: u32,
}

#[derive(Debug, Clone)]
pub(super) struct SaleRecord {
    pub(super) seq: u32,
    pub(super) share_ref: u32,
    pub(super) tx: u32,
    pub(super) date: Date,
    pub(super) basis: Decimal,
    pub(super) pre: Decimal,
    /// The tier change in effect on the line's date (its index in the
    /// ledger's `tiers`, `NONE` before the first), which gives the multiplier.
    pub(super) tier: u32,
    pub(super) excess: Decimal,
    pub(super) spiff: Decimal,
    pub(super) bits: u64,
    pub(super) payable_on: Option<Date>,
    /// The rate, bracket and SPIFF components, kept only when lines are.
    pub(super) detail: Option<Box<RecordDetail>>,
    pub(super) override_ref: u32,
    pub(super) rounded: Decimal,
}

/// The components of a sale record, for lines.
#[derive(Debug, Clone, Default)]
pub(super) struct RecordDetail {
    pub(super) base: Vec<LineComponent>,
    pub(super) spiffs: Vec<LineComponent>,
}

#[derive(Debug, Clone)]
pub(super) struct OverrideRecord {
    pub(super) seq: u32,
    pub(super) share_ref: u32,
    pub(super) tx: u32,
    pub(super) date: Date,
    pub(super) basis: Decimal,
    pub(super) rounded: Decimal,
    pub(super) payable_on: Option<Date>,
    pub(super) components: Vec<LineComponent>,
}

#[derive(Debug, Clone)]
pub(super) struct ClawEvent {
    pub(super) seq: u32,
    pub(super) tx: u32,
    pub(super) original: String,
    pub(super) date: Date,
    pub(super) amount: Decimal,
    pub(super) share_ref: u32,
    pub(super) p_before: Decimal,
    pub(super) p_after: Decimal,
    pub(super) within: bool,
    pub(super) days: i64,
}

#[derive(Debug, Clone)]
pub(super) enum Record {
    Sale(SaleRecord),
    Override(OverrideRecord),
    Clawback(ClawEvent),
}

impl Record {
    pub(super) fn seq(&self) -> u32 {
        match self {
            Record::Sale(r) => r.seq,
            Record::Override(r) => r.seq,
            Record::Clawback(r) => r.seq,
        }
    }
}

/// The most records one chunk of [`Records`] holds.
const CHUNK_CAPACITY: usize = 64;

/// A ledger's records in arrival order, kept in chunks that never move: a
/// ledger that grows allocates a new chunk instead of copying what it holds
/// into a larger buffer, which for a million lines was most of the memory
/// traffic of a stream. Chunks start small (8 records) for ledgers with few
/// lines and double up to [`CHUNK_CAPACITY`].
#[derive(Debug, Clone, Default)]
pub(super) struct Records {
    chunks: Vec<Vec<Record>>,
}

impl Records {
    pub(super) fn push(&mut self, record: Record) {
        if let Some(chunk) = self.chunks.last_mut()
            && chunk.len() < chunk.capacity()
        {
            chunk.push(record);
            return;
        }
        let capacity = self
            .chunks
            .last()
            .map_or(8, |c| (c.capacity() * 2).min(CHUNK_CAPACITY));
        let mut chunk = Vec::with_capacity(capacity);
        chunk.push(record);
        self.chunks.push(chunk);
    }

    pub(super) fn extend(&mut self, records: impl IntoIterator<Item = Record>) {
        for record in records {
            self.push(record);
        }
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &Record> {
        self.chunks.iter().flatten()
    }

    pub(super) fn iter_mut(&mut self) -> impl Iterator<Item = &mut Record> {
        self.chunks.iter_mut().flatten()
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.chunks.iter().map(Vec::len).sum()
    }

    #[cfg(test)]
    pub(super) fn is_empty(&self) -> bool {
        self.chunks.iter().all(Vec::is_empty)
    }

    /// Puts the records in arrival order (only overrides added at the close
    /// can be out of it).
    pub(super) fn sort_by_seq(&mut self) {
        if self.iter().is_sorted_by_key(Record::seq) {
            return;
        }
        let mut all: Vec<Record> = std::mem::take(&mut self.chunks)
            .into_iter()
            .flatten()
            .collect();
        all.sort_by_key(Record::seq);
        self.chunks.push(all);
    }
}

/// A period table once the period is closed: what it pays in all, on what
/// net basis, and the ratio of the two that each line's basis earns.
#[derive(Debug, Clone, Copy)]
pub(super) struct TableShare {
    pub(super) total: Decimal,
    pub(super) net: Decimal,
    pub(super) ratio: Decimal,
}

/// Running sums of settled lines.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Sums {
    pub(super) earned: Decimal,
    pub(super) overrides: Decimal,
    pub(super) clawed: Decimal,
    pub(super) capped: Decimal,
    pub(super) payable: Decimal,
    pub(super) pending: Decimal,
}

/// The tier change in effect over a run of dates, remembered so a stream,
/// whose dates only move forward, reads a partner's tier history only when a
/// transaction crosses into another change's dates.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct TierCursor {
    /// Whether the cursor holds a lookup yet.
    pub(super) valid: bool,
    /// The days it covers: from `from`, until the day before `until` (the next change).
    pub(super) from: Date,
    pub(super) until: Option<Date>,
    /// The multiplier and the change's index in the ledger's `tiers` (`NONE` before the first change).
    pub(super) multiplier: Decimal,
    pub(super) index: u32,
}

impl TierCursor {
    /// The remembered multiplier and change index, when `date` is among the days covered.
    pub(super) fn on(&self, date: Date) -> Option<(Decimal, u32)> {
        (self.valid && self.from <= date && self.until.is_none_or(|u| date < u))
            .then_some((self.multiplier, self.index))
    }
}

/// One partner's statement in the making.
#[derive(Debug, Clone)]
pub(super) struct Ledger {
    pub(super) name: u32,
    pub(super) partner_id: String,
    pub(super) kind: Option<PartnerKind>,
    pub(super) plan: usize,
    pub(super) plan_reason: String,
    pub(super) period: Period,
    pub(super) parent: u32,
    pub(super) tiers: Vec<(Date, Decimal, String)>,
    pub(super) tier_cursor: TierCursor,
    pub(super) quota: Option<Decimal>,
    pub(super) deferred: bool,
    pub(super) running_basis: Decimal,
    pub(super) paid_earnings: Decimal,
    pub(super) first_capped: Option<String>,
    pub(super) gross: Decimal,
    pub(super) refunded: Decimal,
    pub(super) table_gross: Vec<Decimal>,
    pub(super) table_refunded: Vec<Decimal>,
    pub(super) records: Records,
    /// Settled lines, each flagged `true` when it belongs to this period (not a
    /// clawback of an earlier statement's line).
    pub(super) lines: Vec<(bool, CommissionLine)>,
    pub(super) this: Sums,
    pub(super) prior: Sums,
    /// Something happened in the period (a sale, override or clawback), or the
    /// partner was asked for by name: the ledger gets a statement.
    pub(super) active: bool,
}

#[cfg(test)]
mod size_probe {
    #[test]
    fn sizes() {
        eprintln!(
            "Record {} Sale {} Entry {} ShareRef {} Ledger {} ClawEvent {}",
            std::mem::size_of::<super::Record>(),
            std::mem::size_of::<super::SaleRecord>(),
            std::mem::size_of::<super::Entry>(),
            std::mem::size_of::<super::ShareRef>(),
            std::mem::size_of::<super::Ledger>(),
            std::mem::size_of::<super::ClawEvent>()
        );
    }
}
