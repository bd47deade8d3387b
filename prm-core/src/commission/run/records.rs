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
    pub(super) from_partner: u32,
}

#[derive(Debug, Clone)]
pub(super) struct SaleRecord {
    pub(super) seq: u32,
    pub(super) share_ref: u32,
    pub(super) tx: u32,
    /// The sale's index entry, whose id the explanation names when lines
    /// (and so `tx`) are not kept: the run's id index numbers ids as it
    /// numbers entries (`IdIndex::id`).
    pub(super) entry: u32,
    pub(super) date: Date,
    pub(super) basis: Decimal,
    pub(super) pre: Decimal,
    /// The tier change in effect on the line's date (its index in the
    /// ledger's `tiers`, `NONE` before the first), which gives the multiplier.
    pub(super) tier: u32,
    pub(super) bits: u64,
    pub(super) payable_on: Option<Date>,
    /// The rate, bracket and SPIFF components, kept only when lines are.
    pub(super) detail: Option<Box<RecordDetail>>,
    pub(super) override_ref: u32,
    /// Its [`SaleExtra`] in the run's `extras`; `NONE` when it has none, and
    /// its amounts are then zero.
    pub(super) extra: u32,
}

/// What few sale records need: the basis above quota (with an accelerator on
/// the excess) and the SPIFF. Kept apart from [`SaleRecord`], which a stream
/// writes for every sale of a deferred ledger. With the rounded amount kept
/// by the ledger only from pricing to settling ([`Ledger::rounded`]), the
/// record is 40 bytes smaller than with all three in it.
#[derive(Debug, Clone, Copy)]
pub(super) struct SaleExtra {
    pub(super) excess: Decimal,
    pub(super) spiff: Decimal,
}

impl SaleExtra {
    /// Both zero: what a record without an extra has.
    pub(super) const NONE: SaleExtra = SaleExtra {
        excess: Decimal::ZERO,
        spiff: Decimal::ZERO,
    };

    /// True when there is nothing to keep apart.
    pub(super) fn is_none(&self) -> bool {
        self.excess.is_zero() && self.spiff.is_zero()
    }
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
    /// The sale's index entry, as for [`SaleRecord::entry`].
    pub(super) entry: u32,
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
    /// Boxed: a record is as large as its largest kind, and clawbacks are few.
    pub(super) original: Box<str>,
    pub(super) date: Date,
    pub(super) amount: Decimal,
    pub(super) share_ref: u32,
    pub(super) p_before: Decimal,
    pub(super) p_after: Decimal,
    pub(super) within: bool,
    pub(super) days: i32,
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
/// lines and double up to [`CHUNK_CAPACITY`]. The chunk being filled sits in
/// the ledger itself, so where the next record goes is known from the
/// ledger's own cache line ([`Records::warm`]); it comes first (`repr(C)`),
/// so that it ends the ledger's second cache line (the full chunks, read
/// only when a chunk fills, are in the third).
#[derive(Debug, Clone, Default)]
#[repr(C)]
pub(super) struct Records {
    /// The chunk being filled.
    current: Vec<Record>,
    /// The full chunks before it, oldest first.
    full: Vec<Vec<Record>>,
}

impl Records {
    pub(super) fn push(&mut self, record: Record) {
        if self.current.len() < self.current.capacity() {
            self.current.push(record);
            return;
        }
        let capacity = if self.current.capacity() == 0 {
            8
        } else {
            (self.current.capacity() * 2).min(CHUNK_CAPACITY)
        };
        let full = std::mem::replace(&mut self.current, Vec::with_capacity(capacity));
        if !full.is_empty() {
            self.full.push(full);
        }
        self.current.push(record);
    }

    /// Asks the processor for the memory where the next record will go,
    /// when it goes into the current chunk (a hint: nothing is read or changed).
    pub(super) fn warm(&self) {
        if self.current.len() < self.current.capacity() {
            prefetch_index::prefetch_index(&self.current, self.current.len());
        }
    }

    pub(super) fn extend(&mut self, records: impl IntoIterator<Item = Record>) {
        for record in records {
            self.push(record);
        }
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &Record> {
        self.full.iter().flatten().chain(self.current.iter())
    }

    pub(super) fn len(&self) -> usize {
        self.full.iter().map(Vec::len).sum::<usize>() + self.current.len()
    }

    #[cfg(test)]
    pub(super) fn is_empty(&self) -> bool {
        self.current.is_empty() && self.full.iter().all(Vec::is_empty)
    }

    /// The shares the clawbacks among the records reverse, sorted (a binary
    /// search tells whether a line's paid amount must be written back).
    pub(super) fn reversed_shares(&self) -> Vec<u32> {
        let mut shares: Vec<u32> = self
            .iter()
            .filter_map(|r| match r {
                Record::Clawback(ev) => Some(ev.share_ref),
                _ => None,
            })
            .collect();
        shares.sort_unstable();
        shares
    }

    /// Puts the records in arrival order (only overrides added at the close
    /// can be out of it).
    pub(super) fn sort_by_seq(&mut self) {
        if self.iter().is_sorted_by_key(Record::seq) {
            return;
        }
        let mut all: Vec<Record> = std::mem::take(&mut self.full)
            .into_iter()
            .flatten()
            .chain(std::mem::take(&mut self.current))
            .collect();
        all.sort_by_key(Record::seq);
        self.current = all;
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

/// A running sum of money, exactly the decimal running sum: while every
/// amount added is written with the currency's places (every rounded line,
/// nearly every sale's basis) and the sum fits 64 bits, it is kept in minor
/// units, one integer addition instead of a decimal one. The first amount
/// that is not (another scale, or past 64 bits) turns it into a decimal: the
/// units so far plus that amount, as the decimal sum would have it then, and
/// every later amount is added to that decimal. So [`Total::get`] gives the
/// decimal running sum's value and scale (starting from a plain `0`), and
/// [`Total::add`] fails on the amount where that sum would overflow
/// (`prop_total_is_the_decimal_running_sum`). The decimal is boxed, being
/// rare: a total is 24 bytes, and a ledger's hot cache lines hold two.
#[derive(Debug, Clone)]
pub(super) struct Total {
    /// The sum in minor units, while `rest` is `None`.
    units: i64,
    /// A currency's places (at most 28) fit a byte.
    places: u8,
    /// Whether `units` holds anything added (so the sum has the places).
    any_units: bool,
    /// The sum as a decimal, once an amount could not be added in units.
    rest: Option<Box<Decimal>>,
}

impl Total {
    /// An empty sum of amounts in a currency with `places` minor digits.
    pub(super) fn new(places: u32) -> Total {
        Total {
            units: 0,
            places: u8::try_from(places).unwrap_or(u8::MAX),
            any_units: false,
            rest: None,
        }
    }

    /// Adds `amount`; `None` on overflow of the decimal range (the sum is
    /// then unchanged).
    pub(super) fn add(&mut self, amount: Decimal) -> Option<()> {
        let value = amount.value();
        if self.rest.is_none()
            && value.scale() == u32::from(self.places)
            && let Ok(units) = i64::try_from(value.mantissa())
            && let Some(sum) = self.units.checked_add(units)
        {
            self.units = sum;
            self.any_units = true;
            return Some(());
        }
        match &mut self.rest {
            // Added in place: no allocation an amount once the sum is a decimal.
            Some(rest) => **rest = rest.checked_add(amount)?,
            None => {
                self.rest = Some(Box::new(self.get()?.checked_add(amount)?));
                self.units = 0;
                self.any_units = false;
            }
        }
        Some(())
    }

    /// Adds `units` minor units: what [`Total::add`] does with them written
    /// as an amount at the places, without the decimal.
    pub(super) fn add_units(&mut self, units: i64) -> Option<()> {
        match self.units.checked_add(units) {
            Some(sum) if self.rest.is_none() => {
                self.units = sum;
                self.any_units = true;
                Some(())
            }
            _ => self.add(super::cap::money(units, u32::from(self.places))?),
        }
    }

    /// The sum in minor units, when every amount added was at the places.
    pub(super) fn units(&self) -> Option<i64> {
        self.rest.is_none().then_some(self.units)
    }

    /// The sum; `None` past the decimal range.
    pub(super) fn get(&self) -> Option<Decimal> {
        match &self.rest {
            Some(rest) => Some(**rest),
            None if self.any_units => rust_decimal::Decimal::try_from_i128_with_scale(
                i128::from(self.units),
                u32::from(self.places),
            )
            .ok()
            .map(Decimal::new),
            None => Some(Decimal::ZERO),
        }
    }
}

/// Running sums of settled lines, as [`Total`]s.
#[derive(Debug, Clone)]
pub(super) struct Tally {
    pub(super) earned: Total,
    pub(super) overrides: Total,
    pub(super) clawed: Total,
    pub(super) capped: Total,
    pub(super) payable: Total,
    pub(super) pending: Total,
}

impl Tally {
    /// Empty sums in a currency with `places` minor digits.
    pub(super) fn new(places: u32) -> Tally {
        Tally {
            earned: Total::new(places),
            overrides: Total::new(places),
            clawed: Total::new(places),
            capped: Total::new(places),
            payable: Total::new(places),
            pending: Total::new(places),
        }
    }

    /// The sums as decimals; `None` past the decimal range.
    pub(super) fn sums(&self) -> Option<Sums> {
        Some(Sums {
            earned: self.earned.get()?,
            overrides: self.overrides.get()?,
            clawed: self.clawed.get()?,
            capped: self.capped.get()?,
            payable: self.payable.get()?,
            pending: self.pending.get()?,
        })
    }
}

/// Running sums of settled lines, read out.
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
    /// The change's index in the ledger's `tiers` (`NONE` before the first change).
    pub(super) index: u32,
}

impl TierCursor {
    /// The remembered change index, when `date` is among the days covered.
    pub(super) fn on(&self, date: Date) -> Option<u32> {
        (self.valid && self.from <= date && self.until.is_none_or(|u| date < u))
            .then_some(self.index)
    }
}

/// A sum per period table of a ledger's plan (a [`Total`] of sales, a
/// decimal of refunds). One table (nearly every plan with any) is kept in the
/// ledger itself: a sale adds to it without reaching a second allocation, a
/// likely cache miss of its own.
#[derive(Debug, Clone)]
pub(super) enum TableSums<T> {
    One(T),
    Many(Vec<T>),
}

impl<T: Clone> TableSums<T> {
    /// `zero` for each of `tables` tables.
    pub(super) fn of(zero: T, tables: usize) -> TableSums<T> {
        if tables == 1 {
            TableSums::One(zero)
        } else {
            TableSums::Many(vec![zero; tables])
        }
    }

    pub(super) fn as_slice(&self) -> &[T] {
        match self {
            TableSums::One(sum) => std::slice::from_ref(sum),
            TableSums::Many(sums) => sums,
        }
    }

    pub(super) fn as_mut_slice(&mut self) -> &mut [T] {
        match self {
            TableSums::One(sum) => std::slice::from_mut(sum),
            TableSums::Many(sums) => sums,
        }
    }
}

/// One partner's statement in the making.
///
/// Laid out by hand (`repr(C)`, aligned to a cache line), in the order a
/// transaction reads the fields: what every share touches comes first and
/// fits the first two cache lines, which `StatementRun::warm` asks for
/// ahead (a stream reaches a different partner's ledger with nearly every
/// transaction, so each line touched is a likely cache miss); then the
/// running basis and quota of an accelerator on the excess, what lines
/// settled on arrival update, and what only the close reads.
#[derive(Debug, Clone)]
#[repr(C, align(64))]
pub(super) struct Ledger {
    pub(super) name: u32,
    pub(super) parent: u32,
    pub(super) plan: usize,
    pub(super) period: Period,
    pub(super) kind: Option<PartnerKind>,
    pub(super) deferred: bool,
    /// Something happened in the period (a sale, override or clawback), or the
    /// partner was asked for by name: the ledger gets a statement.
    pub(super) active: bool,
    pub(super) tier_cursor: TierCursor,
    /// The period's sales basis: a [`Total`], since every sale adds to it
    /// (an integer addition instead of a decimal one).
    pub(super) gross: Total,
    pub(super) table_gross: TableSums<Total>,
    pub(super) records: Records,
    pub(super) running_basis: Decimal,
    pub(super) quota: Option<Decimal>,
    pub(super) paid_earnings: Total,
    pub(super) this: Tally,
    pub(super) refunded: Decimal,
    pub(super) table_refunded: TableSums<Decimal>,
    /// The rounded amount of each of its sale records, in their order by
    /// `seq`, from the pricing of a deferred ledger
    /// (`StatementRun::price_deferred`) to its settling; empty otherwise.
    pub(super) rounded: Vec<Decimal>,
    pub(super) tiers: Vec<(Date, Decimal, String)>,
    pub(super) partner_id: String,
    pub(super) plan_reason: String,
    pub(super) first_capped: Option<String>,
    /// Settled lines, each flagged `true` when it belongs to this period (not a
    /// clawback of an earlier statement's line).
    pub(super) lines: Vec<(bool, CommissionLine)>,
    pub(super) prior: Tally,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn what_a_sale_touches_fits_two_cache_lines() {
        // `StatementRun::warm` asks for the ledger's first two lines, which
        // hold every field a sale reads or writes (but the running basis
        // and quota, read only under an accelerator on the excess): the
        // header, the sums and the chunk of records being filled.
        use std::mem::offset_of;
        let end = |offset: usize, size: usize| offset + size;
        assert!(end(offset_of!(Ledger, tier_cursor), size_of::<TierCursor>()) <= 64);
        assert_eq!(size_of::<Total>(), 24);
        assert!(offset_of!(Ledger, gross) < offset_of!(Ledger, table_gross));
        assert!(offset_of!(Ledger, table_gross) < offset_of!(Ledger, records));
        assert_eq!(offset_of!(Records, current), 0);
        // `warm` asks for the second line through the records.
        assert!(offset_of!(Ledger, records) >= 64);
        let current = end(offset_of!(Ledger, records), size_of::<Vec<Record>>());
        assert!(current <= 128, "the records' chunk ends at {current}");
    }

    #[test]
    fn records_stay_small() {
        // A stream writes a record for nearly every sale of a deferred
        // ledger: its size is memory traffic (see docs/performance.md).
        assert!(size_of::<Record>() <= 96, "{}", size_of::<Record>());
    }

    proptest! {
        #[test]
        fn prop_total_is_the_decimal_running_sum(
            amounts in proptest::collection::vec((0u8..6, any::<i64>(), 0u32..5, 0u32..3), 0..40),
            places in 0u32..4,
        ) {
            // Amounts at the currency's places and at other scales, zeros at
            // any scale, amounts that cancel, small and large ones and ones
            // near the decimal limit, in any order: after each, the total
            // has the decimal running sum's value and scale, and it fails
            // (unchanged) on the amount where that sum overflows.
            let mut total = Total::new(places);
            let mut sum = Decimal::ZERO;
            let mut previous: Option<Decimal> = None;
            for (kind, mantissa, scale, size) in amounts {
                let value = match kind {
                    0 => rust_decimal::Decimal::new(0, scale),
                    1 => rust_decimal::Decimal::new(mantissa >> (20 * size), places),
                    2 => rust_decimal::Decimal::new(mantissa >> (20 * size), scale),
                    // The last amount taken back.
                    3 => previous.map_or(rust_decimal::Decimal::ZERO, |p| -p.value()),
                    // Near 2^96: sums past it overflow, or lose their last digits.
                    _ => rust_decimal::Decimal::from_i128_with_scale(
                        (i128::from(mantissa) << 32) | 0xffff_ffff,
                        scale,
                    ),
                };
                let amount = Decimal::new(value);
                previous = Some(amount);
                let before = total.get();
                let added = total.add(amount);
                match sum.checked_add(amount) {
                    Some(next) => {
                        prop_assert!(added.is_some(), "{sum} + {amount}");
                        sum = next;
                    }
                    None => {
                        prop_assert!(added.is_none(), "{sum} + {amount}");
                        prop_assert_eq!(total.get().map(|d| d.to_string()), before.map(|d| d.to_string()));
                        break;
                    }
                }
                let got = total.get();
                prop_assert_eq!(got, Some(sum));
                prop_assert_eq!(got.map(|d| d.to_string()), Some(sum.to_string()));
            }
        }

        #[test]
        fn prop_units_added_are_amounts_at_the_places(
            units in proptest::collection::vec(any::<i64>(), 0..20),
            places in 0u32..4,
        ) {
            // `add_units` is `add` of the same minor units written as an
            // amount, including past 64 bits.
            let (mut by_units, mut by_amounts) = (Total::new(places), Total::new(places));
            for u in units {
                let a = by_units.add_units(u);
                let b = by_amounts.add(super::super::cap::money(u, places).unwrap_or(Decimal::ZERO));
                prop_assert_eq!(a.is_some(), b.is_some());
                prop_assert_eq!(by_units.get().map(|d| d.to_string()), by_amounts.get().map(|d| d.to_string()));
                prop_assert_eq!(by_units.units(), by_amounts.units());
            }
        }
    }
}
