//! The ledger's state, rebuilt from events: accounts, requests, claims, periods.

use crate::calendar::Date;
use crate::error::{Error, ErrorCode, JsonPath, Problem};
use crate::money::{Decimal, Rate};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A small, fixed `Hasher` for ids (no random seed, the same on every
/// machine): eight bytes at a time, each word folded in with a rotate, an xor
/// and a multiply by an odd constant, as rustc's FxHash does, then finished
/// with SplitMix64's mixer so that every input bit reaches the low bits the
/// table indexes by.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct IdHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl IdHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        crate::hash::splitmix64(self.0)
    }

    fn write(&mut self, bytes: &[u8]) {
        // The length first, so that zero padding cannot make two ids alike.
        self.add(bytes.len() as u64);
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            for (slot, byte) in word.iter_mut().zip(rest) {
                *slot = *byte;
            }
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    fn write_u64(&mut self, word: u64) {
        self.add(word);
    }
}

/// The longest id held inline; longer ids live on the heap.
const INLINE: usize = 24;

/// An id (request, claim, partner, activity type) as a table key: up to 24
/// bytes are held inline, so a lookup compares bytes in the table itself
/// instead of following a pointer, and recording an id allocates nothing.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum IdKey {
    Inline(u8, [u8; INLINE]),
    Heap(Box<str>),
}

impl IdKey {
    /// The key of `id`.
    pub fn new(id: &str) -> IdKey {
        let bytes = id.as_bytes();
        match u8::try_from(bytes.len()) {
            Ok(len) if bytes.len() <= INLINE => {
                // Whole words first (fixed-size copies), then the last few bytes.
                let mut inline = [0u8; INLINE];
                let mut chunks = bytes.chunks_exact(8);
                let mut slots = inline.chunks_exact_mut(8);
                for (chunk, slot) in (&mut chunks).zip(&mut slots) {
                    slot.copy_from_slice(chunk);
                }
                let mut word = [0u8; 8];
                for (w, b) in word.iter_mut().zip(chunks.remainder()) {
                    *w = *b;
                }
                if let Some(slot) = slots.next() {
                    slot.copy_from_slice(&word);
                }
                IdKey::Inline(len, inline)
            }
            _ => IdKey::Heap(id.into()),
        }
    }

    /// True when this is the key of `id` (compares bytes, no UTF-8 check).
    pub fn is(&self, id: &str) -> bool {
        match self {
            IdKey::Inline(len, bytes) => bytes.get(..usize::from(*len)) == Some(id.as_bytes()),
            IdKey::Heap(text) => **text == *id,
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        match self {
            IdKey::Inline(len, bytes) => bytes
                .get(..usize::from(*len))
                .and_then(|b| std::str::from_utf8(b).ok())
                .unwrap_or_default(),
            IdKey::Heap(text) => text,
        }
    }
}

impl std::hash::Hash for IdKey {
    /// Hashes the length and the words that hold the id (equal keys have equal bytes).
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            IdKey::Inline(len, bytes) => {
                state.write_u8(*len);
                let words = usize::from(*len).div_ceil(8);
                for chunk in bytes.chunks_exact(8).take(words) {
                    let mut word = [0u8; 8];
                    word.copy_from_slice(chunk);
                    state.write_u64(u64::from_le_bytes(word));
                }
            }
            IdKey::Heap(text) => state.write(text.as_bytes()),
        }
    }
}

impl std::fmt::Display for IdKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A map keyed by id, hashed with [`IdHasher`]; never iterated where order is visible.
pub(crate) type IdMap<V> = HashMap<IdKey, V, BuildHasherDefault<IdHasher>>;

/// The hash of `id` by [`IdHasher`], folded to 32 bits.
fn id_tag(id: &str) -> u32 {
    let mut hasher = IdHasher::default();
    hasher.write(id.as_bytes());
    let hash = hasher.finish();
    // The high half: SplitMix64 spreads every input bit into it.
    u32::try_from(hash >> 32).unwrap_or_default()
}

/// An index from ids to positions in a table that holds the ids itself (the
/// ledger's requests and claims).
///
/// Open addressing with linear probing, at most half full: each slot is one
/// word holding the id's 32-bit hash and its position plus one (zero: empty),
/// so the index of a million ids takes 16 MB less than a `HashMap` of keys,
/// a lookup reads one small slot and then the entry it found (which the
/// caller reads next anyway), and growing never needs the ids again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct IdIndex {
    slots: Vec<u64>,
    len: usize,
}

/// Where a probe for an id ended.
enum Probe {
    /// At the id's entry: its position in the table of ids.
    Found(usize),
    /// At the empty slot where the id would go.
    Vacant(usize),
}

impl IdIndex {
    /// Makes room for `additional` more ids without growing.
    pub fn reserve(&mut self, additional: usize) {
        let wanted = self.len.saturating_add(additional).saturating_mul(2);
        if wanted > self.slots.len() {
            self.rebuild(wanted.next_power_of_two().max(16));
        }
    }

    fn rebuild(&mut self, size: usize) {
        let old = std::mem::replace(&mut self.slots, vec![0; size]);
        let mask = size - 1;
        for word in old.into_iter().filter(|w| *w != 0) {
            let tag = (word >> 32) as usize;
            let mut at = tag & mask;
            while self.slots.get(at).is_some_and(|w| *w != 0) {
                at = (at + 1) & mask;
            }
            if let Some(slot) = self.slots.get_mut(at) {
                *slot = word;
            }
        }
    }

    /// Probes for `id`; `key_of(position)` reads the id stored at a position.
    fn probe<'k>(&self, id: &str, tag: u32, key_of: impl Fn(usize) -> Option<&'k IdKey>) -> Probe {
        let mask = self.slots.len().wrapping_sub(1);
        let mut at = tag as usize & mask;
        loop {
            let Some(&word) = self.slots.get(at) else {
                return Probe::Vacant(at);
            };
            if word == 0 {
                return Probe::Vacant(at);
            }
            if (word >> 32) as u32 == tag {
                let position = ((word & 0xffff_ffff) - 1) as usize;
                if key_of(position).is_some_and(|k| k.is(id)) {
                    return Probe::Found(position);
                }
            }
            at = (at + 1) & mask;
        }
    }

    /// The position of `id`, if indexed.
    pub fn find<'k>(&self, id: &str, key_of: impl Fn(usize) -> Option<&'k IdKey>) -> Option<usize> {
        if self.len == 0 {
            return None;
        }
        match self.probe(id, id_tag(id), key_of) {
            Probe::Found(position) => Some(position),
            Probe::Vacant(_) => None,
        }
    }

    /// Indexes `id` at `position`; `Ok(false)` when `id` is already indexed
    /// (nothing changes), an error past four billion entries.
    pub fn insert<'k>(
        &mut self,
        id: &str,
        position: usize,
        key_of: impl Fn(usize) -> Option<&'k IdKey>,
    ) -> Result<bool, Error> {
        self.reserve(1);
        let tag = id_tag(id);
        let at = match self.probe(id, tag, key_of) {
            Probe::Found(_) => return Ok(false),
            Probe::Vacant(at) => at,
        };
        let stored = u32::try_from(position)
            .ok()
            .and_then(|p| p.checked_add(1))
            .ok_or_else(|| overflow(&JsonPath::root()))?;
        let slot = self
            .slots
            .get_mut(at)
            .ok_or_else(|| overflow(&JsonPath::root()))?;
        *slot = (u64::from(tag) << 32) | u64::from(stored);
        self.len += 1;
        Ok(true)
    }

    /// Every indexed position, ascending (for tests that compare states).
    #[cfg(test)]
    pub fn positions(&self) -> Vec<usize> {
        let mut all: Vec<usize> = self
            .slots
            .iter()
            .filter(|w| **w != 0)
            .map(|w| ((w & 0xffff_ffff) - 1) as usize)
            .collect();
        all.sort_unstable();
        all
    }
}

/// Money figures of one account, one period or one group of accounts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Figures {
    pub allocated: Decimal,
    pub carried_in: Decimal,
    pub adjusted: Decimal,
    pub approved: Decimal,
    pub paid: Decimal,
    pub released: Decimal,
    pub expired: Decimal,
    pub carried_out: Decimal,
    pub pending: Decimal,
}

pub(crate) fn overflow(at: &JsonPath) -> Error {
    Error::overflow(at, "an MDF ledger amount")
}

/// `op` on two amounts written with the same number of places whose
/// mantissas fit in 64 bits (nearly every amount of a ledger), as integers;
/// `None` otherwise, for `rust_decimal` to do. The result is exactly what
/// `rust_decimal` gives: same scale, zero never negative.
///
/// A zero written with fewer places counts as written with the other's
/// (`0 + 5.00` is `5.00`, as in `rust_decimal`), so that figures starting at
/// zero stay on the fast path.
fn same_scale(a: Decimal, b: Decimal, op: fn(i64, i64) -> Option<i64>) -> Option<Decimal> {
    let (x, y) = (a.value(), b.value());
    let scale = match (x.scale(), y.scale()) {
        (p, q) if p == q => p,
        (p, q) if p < q && x.is_zero() => q,
        (p, q) if q < p && y.is_zero() => p,
        _ => return None,
    };
    let m = op(
        i64::try_from(x.mantissa()).ok()?,
        i64::try_from(y.mantissa()).ok()?,
    )?;
    rust_decimal::Decimal::try_new(m, scale)
        .ok()
        .map(Decimal::new)
}

pub(crate) fn plus(a: Decimal, b: Decimal) -> Result<Decimal, Error> {
    if let Some(sum) = same_scale(a, b, i64::checked_add) {
        return Ok(sum);
    }
    a.checked_add(b).ok_or_else(|| overflow(&JsonPath::root()))
}

pub(crate) fn minus(a: Decimal, b: Decimal) -> Result<Decimal, Error> {
    if let Some(difference) = same_scale(a, b, i64::checked_sub) {
        return Ok(difference);
    }
    a.checked_sub(b).ok_or_else(|| overflow(&JsonPath::root()))
}

impl Figures {
    /// allocated + carried in + adjusted.
    pub fn funds(&self) -> Result<Decimal, Error> {
        plus(plus(self.allocated, self.carried_in)?, self.adjusted)
    }

    /// funds − approved + released − expired.
    pub fn available(&self) -> Result<Decimal, Error> {
        plus(minus(self.funds()?, self.approved)?, self.released)
            .and_then(|v| minus(v, self.expired))
    }

    /// approved − paid − released.
    pub fn open_commitment(&self) -> Result<Decimal, Error> {
        minus(minus(self.approved, self.paid)?, self.released)
    }

    /// Adds another set of figures to these.
    pub fn add(&mut self, other: &Figures) -> Result<(), Error> {
        self.allocated = plus(self.allocated, other.allocated)?;
        self.carried_in = plus(self.carried_in, other.carried_in)?;
        self.adjusted = plus(self.adjusted, other.adjusted)?;
        self.approved = plus(self.approved, other.approved)?;
        self.paid = plus(self.paid, other.paid)?;
        self.released = plus(self.released, other.released)?;
        self.expired = plus(self.expired, other.expired)?;
        self.carried_out = plus(self.carried_out, other.carried_out)?;
        self.pending = plus(self.pending, other.pending)?;
        Ok(())
    }
}

/// One partner's money in one period of one fund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Account {
    /// Index into the ledger's periods.
    pub slot: usize,
    pub partner_id: String,
    pub tier: Option<String>,
    pub has_allocation: bool,
    pub figures: Figures,
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RequestStatus {
    Pending,
    Approved,
    Rejected,
    Cancelled,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Approved => "approved",
            RequestStatus::Rejected => "rejected",
            RequestStatus::Cancelled => "cancelled",
        }
    }
}

/// A request for funds and what became of it.
///
/// Laid out by hand in three cache lines, aligned to one: a replay reads a
/// request at random (by id), so what an event reads together lies together.
/// The first line holds the id and the fields every lookup and status check
/// reads; the second the amounts every approval, claim and release updates;
/// the third the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
#[repr(C, align(64))]
pub(crate) struct Request {
    pub id: IdKey,
    pub account: usize,
    /// The account's period slot (kept here so that checking an amount's
    /// places does not read the account).
    pub slot: usize,
    pub claim_deadline: Date,
    /// Claims submitted or approved and not yet paid.
    pub live_claims: u32,
    pub claims: u32,
    /// Index into the ledger's interned activity types.
    pub activity: u16,
    pub status: RequestStatus,
    pub requested: Decimal,
    pub approved: Decimal,
    /// What submitted, approved and paid claims hold of the approval.
    pub claimed: Decimal,
    pub released: Decimal,
    pub paid: Decimal,
    pub not_reimbursable: Decimal,
    pub vendor_share: Rate,
    pub start: Date,
    pub end: Date,
}

impl Request {
    /// What is left of the approval to claim: approved − released − claimed.
    pub fn unclaimed(&self) -> Result<Decimal, Error> {
        minus(minus(self.approved, self.released)?, self.claimed)
    }
}

/// Where a claim stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClaimStatus {
    Submitted,
    Approved,
    Rejected,
    Paid,
}

impl ClaimStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimStatus::Submitted => "submitted",
            ClaimStatus::Approved => "approved",
            ClaimStatus::Rejected => "rejected",
            ClaimStatus::Paid => "paid",
        }
    }
}

/// A claim for reimbursement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Claim {
    pub id: IdKey,
    pub request: usize,
    pub status: ClaimStatus,
    /// The reimbursable amount while submitted; the approved amount after approval.
    pub amount: Decimal,
}

/// One period of one fund, as the ledger tracks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PeriodState {
    pub fund: usize,
    pub period: usize,
    pub closed: bool,
    /// The fund currency's minor units.
    pub places: u32,
    /// Allocations plus adjustments: what the pool has given out.
    pub pool_used: Decimal,
    /// Allocations alone; never above the pool, even after negative adjustments.
    pub allocated: Decimal,
    pub accounts: IdMap<usize>,
}

/// A problem with an event passed in: the ledger cannot be rebuilt from it.
pub(crate) fn inconsistent(index: usize, message: impl Into<String>) -> Error {
    Error::problem(
        Problem::new(
            ErrorCode::MdfLedgerInconsistent,
            JsonPath::root().key("events").index(index),
        )
        .message(message)
        .help("pass the events exactly as prm returned them, in order, without edits"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn balance_formulas_follow_the_domain() -> Result<(), Error> {
        let f = Figures {
            allocated: d("2000.00"),
            carried_in: d("300.00"),
            adjusted: d("-100.00"),
            approved: d("900.00"),
            paid: d("600.00"),
            released: d("300.00"),
            expired: d("0.00"),
            ..Figures::default()
        };
        assert_eq!(f.funds()?, d("2200.00"));
        assert_eq!(f.available()?, d("1600.00"));
        assert_eq!(f.open_commitment()?, d("0.00"));
        Ok(())
    }

    #[test]
    fn id_keys_hold_short_ids_inline_and_long_ids_on_the_heap() {
        let short = IdKey::new("R0000001");
        assert!(matches!(short, IdKey::Inline(8, _)));
        for id in ["", "a", "abcdefgh", "abcdefghi", "abcdefghijklmnopqrstuvwx"] {
            assert_eq!(IdKey::new(id).as_str(), id);
        }
        assert!(matches!(
            IdKey::new("abcdefghijklmnopqrstuvwxy"),
            IdKey::Heap(_)
        ));
        assert_eq!(short.as_str(), "R0000001");
        let long = IdKey::new("request-2026-q1-partner-0042-trade-show");
        assert!(matches!(long, IdKey::Heap(_)));
        assert_eq!(long.to_string(), "request-2026-q1-partner-0042-trade-show");
        assert_ne!(IdKey::new("P1"), IdKey::new("P1\0"));
        assert_eq!(IdKey::new("é"), IdKey::new("é"));
    }

    #[test]
    fn id_index_finds_every_id_across_growth_and_refuses_duplicates() -> Result<(), Error> {
        let mut keys: Vec<IdKey> = Vec::new();
        let mut index = IdIndex::default();
        for n in 0..5_000 {
            let id = if n % 7 == 0 {
                format!("a-long-request-id-past-the-inline-limit-{n}")
            } else {
                format!("R{n:07}")
            };
            let position = keys.len();
            let inserted = index.insert(&id, position, |at| keys.get(at))?;
            assert!(inserted);
            keys.push(IdKey::new(&id));
            assert!(!index.insert(&id, position + 1, |at| keys.get(at))?);
        }
        for (position, key) in keys.iter().enumerate() {
            assert_eq!(index.find(key.as_str(), |at| keys.get(at)), Some(position));
        }
        assert_eq!(index.find("R9999999", |at| keys.get(at)), None);
        assert_eq!(index.find("", |at| keys.get(at)), None);
        assert_eq!(index.positions(), (0..keys.len()).collect::<Vec<_>>());
        assert_eq!(IdIndex::default().find("R1", |at| keys.get(at)), None);
        Ok(())
    }

    proptest::proptest! {
        /// The integer fast path of `plus` and `minus` gives exactly what
        /// `rust_decimal` gives: the same value, scale and text.
        #[test]
        fn prop_plus_and_minus_equal_the_decimal_arithmetic(
            a in proptest::num::i64::ANY,
            b in proptest::num::i64::ANY,
            a_scale in 0u32..6,
            b_scale in 0u32..6,
            small in proptest::bool::ANY,
        ) {
            // Small mantissas at mixed scales, or any mantissas at one scale.
            let (a, b) = if small { (a % 1_000_000, b % 1_000_000) } else { (a, b) };
            let x = Decimal::new(rust_decimal::Decimal::new(a, a_scale));
            let y = Decimal::new(rust_decimal::Decimal::new(b, a_scale.max(b_scale * u32::from(small))));
            let zero = Decimal::new(rust_decimal::Decimal::new(0, b_scale));
            for (fast, slow) in [
                (plus(x, y).ok(), x.checked_add(y)),
                (minus(x, y).ok(), x.checked_sub(y)),
                (minus(y, x).ok(), y.checked_sub(x)),
                (plus(zero, x).ok(), zero.checked_add(x)),
                (minus(zero, x).ok(), zero.checked_sub(x)),
                (minus(x, zero).ok(), x.checked_sub(zero)),
                (plus(Decimal::ZERO, y).ok(), Decimal::ZERO.checked_add(y)),
                (plus(x, Decimal::new(-x.value())).ok(), x.checked_add(Decimal::new(-x.value()))),
            ] {
                proptest::prop_assert_eq!(fast.map(|d| d.to_string()), slow.map(|d| d.to_string()));
                proptest::prop_assert_eq!(fast.map(|d| d.value().scale()), slow.map(|d| d.value().scale()));
            }
        }
    }

    #[test]
    fn request_fills_three_whole_cache_lines() {
        assert_eq!(std::mem::size_of::<Request>(), 192);
        assert_eq!(std::mem::align_of::<Request>(), 64);
    }

    #[test]
    fn id_hasher_is_fixed_and_tells_ids_apart() {
        use std::hash::BuildHasher;
        let build = BuildHasherDefault::<IdHasher>::default();
        let a = build.hash_one("R0000001");
        assert_eq!(a, build.hash_one("R0000001"));
        assert_ne!(a, build.hash_one("R0000002"));
        assert_ne!(build.hash_one("P1"), build.hash_one("P1\0"));
    }
}
