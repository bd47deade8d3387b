//! [`IdIndex`]: transaction ids to entries, without an allocation per id.
//!
//! A run must find a refund's original among every transaction seen so far,
//! and check every new id against them. Keeping each id as its own `String`
//! costs an allocation per transaction; here the ids' bytes go into one
//! buffer of chunks, numbered in the order they are stored, and an open-addressing
//! table (linear probing, at most half full) maps each id's 32-bit hash to its
//! number in one 8-byte word per slot. A new id costs one probe of that table,
//! and a hash that matches is confirmed by comparing the stored bytes, so a
//! lookup is exact.

use super::chunked::Chunked;
use std::collections::VecDeque;

/// The bytes one chunk of ids holds (more only for a longer id).
const TEXT_CHUNK: usize = 1 << 16;

/// Where an id's bytes are, and the value stored for it.
#[derive(Debug, Clone, Copy)]
struct Slot {
    /// The chunk of bytes the id is in, counted from the first chunk ever.
    chunk: u32,
    /// Where in that chunk it starts.
    at: u32,
    len: u32,
    value: u32,
}

/// Ids mapped to `u32` values, their bytes stored in chunks. Ids are numbered in the
/// order they are stored, and the oldest can be forgotten
/// ([`IdIndex::forget_oldest`]), so a stream keeps only the ids it still needs.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdIndex {
    /// The chunk of ids' bytes being filled (of [`TEXT_CHUNK`] bytes, more
    /// only for a longer id), after the full ones.
    text: String,
    /// The full chunks of ids' bytes, oldest first (never copied).
    full_texts: VecDeque<String>,
    /// The number of the oldest chunk kept: how many were dropped.
    texts_first: u32,
    /// Each id's place and value, numbered from the first id ever stored.
    slots: Chunked<Slot>,
    /// The hash table: each word is an id's 32-bit hash (high half) and its
    /// number plus one (low half); zero is an empty slot. A power of two long.
    table: Vec<u64>,
}

/// An id's 32-bit hash: its bytes read as words (eight bytes at a time, the
/// last word overlapping the one before; an id of four to seven bytes as
/// its first and last four, overlapping; a shorter one as its first, middle
/// and last byte), each word folded in with a multiplication after the
/// length, then mixed by SplitMix64 so that the tags of short, similar ids
/// such as `T0000017` and `T0000018` differ in about half their bits. (A
/// byte-at-a-time hash, FNV-1a as before, took a multiplication a byte, on
/// two ids a transaction.)
///
/// Only a run's own tables use it, so it may change between versions; equal
/// tags are always confirmed by comparing the ids.
#[inline]
pub(super) fn tag(id: &str) -> u32 {
    /// An odd constant with well-spread bits (2^64 / φ).
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let fold = |h: u64, word: u64| (h ^ word).wrapping_mul(K).rotate_left(29);
    let bytes = id.as_bytes();
    let mut h = (bytes.len() as u64).wrapping_mul(K);
    if let Some(last) = bytes.last_chunk::<8>() {
        let mut rest = bytes;
        while let Some((word, after)) = rest.split_first_chunk::<8>()
            && !after.is_empty()
        {
            h = fold(h, u64::from_le_bytes(*word));
            rest = after;
        }
        h = fold(h, u64::from_le_bytes(*last));
    } else if let (Some(first), Some(last)) = (bytes.first_chunk::<4>(), bytes.last_chunk::<4>()) {
        // Given the length, the two halves are the id.
        let word =
            u64::from(u32::from_le_bytes(*first)) | (u64::from(u32::from_le_bytes(*last)) << 32);
        h = fold(h, word);
    } else if let (Some(&a), Some(&b), Some(&c)) =
        (bytes.first(), bytes.get(bytes.len() / 2), bytes.last())
    {
        // One to three bytes: given the length, these three are the id.
        h = fold(h, u64::from(a) << 16 | u64::from(b) << 8 | u64::from(c));
    }
    (crate::hash::splitmix64(h) >> 32) as u32
}

/// An id's hash, computed once where a run first sees the id
/// ([`IdIndex::warm`]) and given again when it is stored
/// ([`IdIndex::insert_new_hashed`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IdHash(u32);

impl IdHash {
    pub(crate) fn of(id: &str) -> IdHash {
        IdHash(tag(id))
    }
}

/// Where a probe for an id ended.
enum Probe {
    /// The id's number.
    Found(u32),
    /// At the empty slot where the id would go.
    Vacant(usize),
}

impl IdIndex {
    fn slot(&self, number: u32) -> Option<&Slot> {
        self.slots.get(number)
    }

    fn text(&self, slot: &Slot) -> Option<&str> {
        let chunk = slot.chunk.checked_sub(self.texts_first)? as usize;
        let text = match self.full_texts.get(chunk) {
            Some(full) => full,
            None if chunk == self.full_texts.len() => &self.text,
            None => return None,
        };
        text.get(slot.at as usize..(slot.at as usize).checked_add(slot.len as usize)?)
    }

    fn mask(&self) -> usize {
        self.table.len().wrapping_sub(1)
    }

    fn probe(&self, id: &str, tag: u32) -> Probe {
        let mask = self.mask();
        let mut at = tag as usize & mask;
        loop {
            let word = match self.table.get(at) {
                Some(&word) if word != 0 => word,
                _ => return Probe::Vacant(at),
            };
            if (word >> 32) as u32 == tag {
                let number = (word as u32).wrapping_sub(1);
                if self.slot(number).and_then(|s| self.text(s)) == Some(id) {
                    return Probe::Found(number);
                }
            }
            at = (at + 1) & mask;
        }
    }

    /// Asks the processor to bring the table slot where the probe for the id
    /// of this hash starts into the cache, ahead of an
    /// [`IdIndex::insert_new_hashed`] or [`IdIndex::get`] of it (a hint:
    /// nothing is read or changed).
    pub(crate) fn warm(&self, hash: IdHash) {
        if !self.table.is_empty() {
            prefetch_index::prefetch_index(&self.table, hash.0 as usize & self.mask());
        }
    }

    /// The id numbered `number` (the order ids were stored in), unless it was
    /// forgotten. A run stores each transaction's id as it adds the
    /// transaction's index entry and forgets both together, so an id's number
    /// is its entry's (what `SaleRecord::entry` relies on).
    pub(crate) fn id(&self, number: u32) -> Option<&str> {
        self.slot(number).and_then(|s| self.text(s))
    }

    /// The value stored for `id`.
    pub(crate) fn get(&self, id: &str) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        match self.probe(id, tag(id)) {
            Probe::Found(number) => self.slot(number).map(|s| s.value),
            Probe::Vacant(_) => None,
        }
    }

    /// Stores `value` for `id` unless `id` is already stored; true when it was new.
    /// One hash and one probe, whether or not the id is new. (A run hashes
    /// each id once, ahead, and calls [`IdIndex::insert_new_hashed`].)
    #[cfg(test)]
    pub(crate) fn insert_new(&mut self, id: &str, value: u32) -> bool {
        self.insert_new_hashed(id, IdHash::of(id), value)
    }

    /// `IdIndex::insert_new` with the id's hash already computed; `hash`
    /// must be `IdHash::of(id)`.
    pub(crate) fn insert_new_hashed(&mut self, id: &str, hash: IdHash, value: u32) -> bool {
        debug_assert_eq!(hash, IdHash::of(id));
        self.grow_for(self.slots.len().saturating_add(1));
        let IdHash(tag) = hash;
        let at = match self.probe(id, tag) {
            Probe::Found(_) => return false,
            Probe::Vacant(at) => at,
        };
        let number = self.slots.next();
        if self.text.capacity() - self.text.len() < id.len() {
            let full = std::mem::replace(
                &mut self.text,
                String::with_capacity(TEXT_CHUNK.max(id.len())),
            );
            // The first chunk is numbered once it holds room (and so ids).
            if full.capacity() > 0 {
                self.full_texts.push_back(full);
            }
        }
        let (Ok(len), Ok(offset), Some(chunk)) = (
            u32::try_from(id.len()),
            u32::try_from(self.text.len()),
            u32::try_from(self.full_texts.len())
                .ok()
                .and_then(|n| n.checked_add(self.texts_first)),
        ) else {
            return false;
        };
        if number == u32::MAX {
            return false;
        }
        self.text.push_str(id);
        self.slots.push(Slot {
            chunk,
            at: offset,
            len,
            value,
        });
        if let Some(word) = self.table.get_mut(at) {
            *word = (u64::from(tag) << 32) | u64::from(number + 1);
        }
        true
    }

    /// Keeps the table at most half full for `ids` ids.
    fn grow_for(&mut self, ids: usize) {
        let wanted = ids.saturating_mul(2);
        if wanted <= self.table.len() {
            return;
        }
        let size = wanted.next_power_of_two().max(16);
        let old = std::mem::replace(&mut self.table, vec![0; size]);
        let mask = size - 1;
        for word in old.into_iter().filter(|w| *w != 0) {
            let mut at = (word >> 32) as usize & mask;
            while self.table.get(at).is_some_and(|w| *w != 0) {
                at = (at + 1) & mask;
            }
            if let Some(slot) = self.table.get_mut(at) {
                *slot = word;
            }
        }
    }

    /// Empties table slot `hole`, moving later words of its probe run back so
    /// every remaining id is still found (deletion without tombstones).
    fn remove_at(&mut self, mut hole: usize) {
        let mask = self.mask();
        if let Some(word) = self.table.get_mut(hole) {
            *word = 0;
        }
        let mut at = (hole + 1) & mask;
        while let Some(&word) = self.table.get(at).filter(|w| **w != 0) {
            let home = (word >> 32) as usize & mask;
            // The word may move into the hole unless its home lies cyclically in (hole, at].
            let stays = if hole <= at {
                hole < home && home <= at
            } else {
                hole < home || home <= at
            };
            if !stays {
                if let Some(slot) = self.table.get_mut(hole) {
                    *slot = word;
                }
                if let Some(slot) = self.table.get_mut(at) {
                    *slot = 0;
                }
                hole = at;
            }
            at = (at + 1) & mask;
        }
    }

    /// Forgets the oldest id stored; a later lookup of it finds nothing.
    pub(crate) fn forget_oldest(&mut self) {
        let number = self.slots.first();
        let Some(slot) = self.slots.front().copied() else {
            return;
        };
        if let Some(id) = self.text(&slot) {
            let tag = tag(id);
            let mask = self.mask();
            let mut at = tag as usize & mask;
            let wanted = (u64::from(tag) << 32) | u64::from(number.saturating_add(1));
            while let Some(&word) = self.table.get(at).filter(|w| **w != 0) {
                if word == wanted {
                    self.remove_at(at);
                    break;
                }
                at = (at + 1) & mask;
            }
        }
        self.slots.forget_oldest();
        // The chunks before the forgotten id's hold only forgotten ids.
        while self.texts_first < slot.chunk && !self.full_texts.is_empty() {
            self.full_texts.pop_front();
            self.texts_first += 1;
        }
    }

    /// How many ids are stored.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    /// Room for `ids` more ids of about `bytes` bytes each.
    pub(crate) fn reserve(&mut self, ids: usize, bytes: usize) {
        self.slots.reserve(ids);
        self.grow_for(self.slots.len().saturating_add(ids));
        self.full_texts
            .reserve(ids.saturating_mul(bytes).div_ceil(TEXT_CHUNK));
    }

    /// Stores `value` for `id` (a new id; an existing one keeps its first value).
    #[cfg(test)]
    pub(crate) fn insert(&mut self, id: &str, value: u32) {
        self.insert_new(id, value);
    }

    /// True when `id` is stored.
    #[cfg(test)]
    pub(crate) fn contains(&self, id: &str) -> bool {
        self.get(id).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_of_similar_ids_spread_over_the_table() {
        // Sequential ids of every length from 1 to 20 bytes (the words
        // overlap differently at each), as a table of 2^17 slots indexes them
        // by their low bits: no slot gets many, and ids that differ only in
        // length or padding differ.
        for width in 1..=20usize {
            let mut buckets = vec![0u32; 1 << 17];
            let n = 50_000usize.min(10usize.saturating_pow(u32::try_from(width).unwrap_or(0)));
            for i in 0..n {
                let id = format!("{i:0width$}");
                if let Some(b) = buckets.get_mut(tag(&id) as usize & ((1 << 17) - 1)) {
                    *b += 1;
                }
            }
            let most = buckets.iter().copied().max().unwrap_or(0);
            assert!(most <= 8, "width {width}: {most} ids in one slot");
        }
        // Ids that differ only at the front or in the middle (each word of
        // a long id must count), of 9 to 40 bytes.
        for width in [9usize, 16, 17, 24, 33, 40] {
            let mut tags = std::collections::HashSet::new();
            for i in 0..20_000usize {
                let digits = format!("{i:05}");
                let front = format!("{digits}{}", "x".repeat(width - 5));
                let middle = format!(
                    "{}{digits}{}",
                    "y".repeat((width - 5) / 2),
                    "z".repeat(width - 5 - (width - 5) / 2)
                );
                tags.insert(tag(&front));
                tags.insert(tag(&middle));
            }
            // Two 32-bit tags in 40,000 rarely meet: a word left out would
            // give one tag to thousands.
            assert!(tags.len() >= 39_990, "width {width}: {} tags", tags.len());
        }
        let texts = [
            "",
            "a",
            "b",
            "ab",
            "ba",
            "a\0",
            "\0a",
            "aa",
            "aaa",
            "aba",
            "abc",
            "abcd",
            "abce",
            "abcde",
            "bbcde",
            "abcdefg",
            "abcdefgh",
            "abcdefgh\0",
            "abcdefghabcdefg",
            "abcdefghabcdefgh",
            "abcdefghabcdefgi",
        ];
        let mut tags: Vec<u32> = texts.iter().map(|t| tag(t)).collect();
        tags.sort_unstable();
        tags.dedup();
        assert_eq!(tags.len(), texts.len());
    }

    #[test]
    fn index_finds_every_id_and_keeps_the_first_value() {
        let mut index = IdIndex::default();
        for i in 0..2000u32 {
            index.insert(&format!("T{i:05}"), i);
        }
        index.insert("T00007", 99);
        assert!(!index.insert_new("T00008", 99));
        assert!(index.insert_new("T09999", 5));
        assert_eq!(index.get("T09999"), Some(5));
        assert_eq!(index.get("T00007"), Some(7));
        assert_eq!(index.get("T01999"), Some(1999));
        assert_eq!(index.get("T02000"), None);
        assert!(!index.contains(""));
    }

    #[test]
    fn colliding_hashes_are_told_apart_by_their_bytes() {
        let mut index = IdIndex::default();
        index.insert("a", 1);
        // Force a collision: store "b" under the hash of "a", in the next slot.
        let tag = tag("a");
        index.text.push('b');
        index.slots.push(Slot {
            chunk: 0,
            at: 1,
            len: 1,
            value: 2,
        });
        let mask = index.mask();
        let mut at = tag as usize & mask;
        while index.table[at] != 0 {
            at = (at + 1) & mask;
        }
        index.table[at] = (u64::from(tag) << 32) | 2;
        assert_eq!(index.get("a"), Some(1));
        assert_eq!(index.get("b"), None); // "b" hashes elsewhere
        assert_eq!(index.slots.len(), 2);
    }

    /// Three ids a search found with one tag (the hash is not seeded, so
    /// such sets exist for any hash of this kind).
    const COLLIDING: [&str; 3] = ["AAAAAAAAAAAAAAAA", "Q4TBM2AXOfQFO$E.", "IIJ22KZ1\"RHU,^NB"];

    #[test]
    fn ids_with_one_tag_are_told_apart() {
        let tags: Vec<u32> = COLLIDING.iter().map(|id| tag(id)).collect();
        assert!(
            tags.iter().all(|t| *t == tags[0]),
            "the hash changed: find three ids with one tag again ({tags:x?})"
        );
        let mut index = IdIndex::default();
        for (n, id) in (0u32..).zip(COLLIDING.iter().take(2)) {
            assert!(index.insert_new(id, n));
        }
        assert!(!index.insert_new(COLLIDING[1], 9));
        assert_eq!(index.get(COLLIDING[0]), Some(0));
        assert_eq!(index.get(COLLIDING[1]), Some(1));
        assert_eq!(index.get(COLLIDING[2]), None);
        assert!(index.insert_new(COLLIDING[2], 2));
        index.forget_oldest();
        assert_eq!(index.get(COLLIDING[0]), None);
        assert_eq!(index.get(COLLIDING[1]), Some(1));
        assert_eq!(index.get(COLLIDING[2]), Some(2));
    }

    proptest::proptest! {
        #[test]
        fn prop_index_agrees_with_a_map_while_forgetting(
            ops in proptest::collection::vec((0u32..400, proptest::bool::ANY), 1..600),
        ) {
            // Insert ids (some repeated), forgetting the oldest now and then;
            // the index must agree with a plain map of the ids still kept.
            let mut index = IdIndex::default();
            let mut kept: std::collections::VecDeque<(String, u32)> = Default::default();
            for (n, (id, forget)) in ops.into_iter().enumerate() {
                let id = format!("T{id}");
                let value = u32::try_from(n).unwrap();
                let known = kept.iter().any(|(k, _)| *k == id);
                proptest::prop_assert_eq!(index.insert_new(&id, value), !known);
                if !known {
                    kept.push_back((id, value));
                }
                if forget && !kept.is_empty() {
                    index.forget_oldest();
                    kept.pop_front();
                }
                for (k, v) in &kept {
                    proptest::prop_assert_eq!(index.get(k), Some(*v));
                }
                proptest::prop_assert_eq!(index.len(), kept.len());
            }
            for probe in 0..400 {
                let id = format!("T{probe}");
                let want = kept.iter().find(|(k, _)| *k == id).map(|(_, v)| *v);
                proptest::prop_assert_eq!(index.get(&id), want);
            }
        }
    }

    #[test]
    fn empty_and_long_ids_are_stored_across_chunks_of_bytes() {
        // An empty id before any chunk exists, an id longer than a chunk, and
        // ids that fill chunks around them: all found, none confused.
        let mut index = IdIndex::default();
        assert!(index.insert_new("", 0));
        let long = "L".repeat(TEXT_CHUNK + 10);
        assert!(index.insert_new("T1", 1));
        assert!(index.insert_new(&long, 2));
        for i in 3..20_000u32 {
            assert!(index.insert_new(&format!("T{i:07}"), i));
        }
        assert!(!index.insert_new("", 9));
        assert!(!index.insert_new(&long, 9));
        assert_eq!(index.get(""), Some(0));
        assert_eq!(index.get("T1"), Some(1));
        assert_eq!(index.get(&long), Some(2));
        assert_eq!(index.id(2), Some(long.as_str()));
        assert_eq!(index.id(0), Some(""));
        for i in 3..20_000u32 {
            assert_eq!(index.get(&format!("T{i:07}")), Some(i));
        }
        assert!(index.full_texts.len() >= 3);
    }

    #[test]
    fn forgotten_ids_are_not_found_and_their_bytes_are_dropped() {
        let mut index = IdIndex::default();
        for i in 0..20_000u32 {
            assert!(index.insert_new(&format!("T{i:07}"), i));
            if i >= 1000 {
                index.forget_oldest();
            }
        }
        assert_eq!(index.len(), 1000);
        // The ids kept span chunks of bytes (160,000 bytes were stored).
        for i in 19_000..20_000u32 {
            assert_eq!(index.get(&format!("T{i:07}")), Some(i));
        }
        assert_eq!(index.get("T0018999"), None);
        assert_eq!(index.get("T0019000"), Some(19_000));
        assert_eq!(index.get("T0019999"), Some(19_999));
        assert_eq!(index.get("T0000001"), None);
        // A forgotten id can be stored again.
        assert!(index.insert_new("T0000001", 7));
        assert_eq!(index.get("T0000001"), Some(7));
        // 1,000 ids of 8 bytes kept: the chunk being filled and the one before it.
        assert!(index.full_texts.len() <= 1);
    }
}
