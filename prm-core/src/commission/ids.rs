//! [`IdIndex`]: transaction ids to entries, without an allocation per id.
//!
//! A run must find a refund's original among every transaction seen so far.
//! Keeping each id as its own `String` costs an allocation per transaction;
//! here the ids' bytes go into one growing buffer, and a map from each id's
//! FNV-1a hash to a chain of entries resolves the (rare) collisions by
//! comparing the stored bytes, so a lookup is exact.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

/// A `Hasher` for keys that are already FNV-1a hashes: it only mixes them
/// (SplitMix64), since the table indexes buckets by the low bits, which FNV-1a
/// leaves weak for short, similar ids.
#[derive(Debug, Clone, Copy, Default)]
struct Identity(u64);

impl Hasher for Identity {
    fn finish(&self) -> u64 {
        crate::hash::splitmix64(self.0)
    }
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*byte);
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

const END: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
struct Slot {
    /// Where the id starts, counted from the first byte ever stored.
    start: usize,
    len: u32,
    value: u32,
    next: u32,
    hash: u64,
}

/// Ids mapped to `u32` values, stored in one buffer. Ids are numbered in the
/// order they are stored, and the oldest can be forgotten
/// ([`IdIndex::forget_oldest`]), so a stream keeps only the ids it still needs.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdIndex {
    bytes: String,
    /// How many bytes were dropped from the front of `bytes`.
    bytes_first: usize,
    slots: VecDeque<Slot>,
    /// The number of `slots[0]`: how many ids were forgotten.
    first: u32,
    heads: HashMap<u64, u32, BuildHasherDefault<Identity>>,
}

impl IdIndex {
    fn slot(&self, at: u32) -> Option<&Slot> {
        self.slots.get(at.checked_sub(self.first)? as usize)
    }

    fn text(&self, slot: &Slot) -> Option<&str> {
        let start = slot.start.checked_sub(self.bytes_first)?;
        self.bytes.get(start..start + slot.len as usize)
    }

    /// The first slot on the chain from `at` that holds `id`.
    fn find(&self, mut at: u32, id: &str) -> Option<&Slot> {
        while at != END {
            let slot = self.slot(at)?;
            if self.text(slot) == Some(id) {
                return Some(slot);
            }
            at = slot.next;
        }
        None
    }

    /// The value stored for `id`.
    pub(crate) fn get(&self, id: &str) -> Option<u32> {
        let head = *self.heads.get(&crate::hash::fnv1a64(id))?;
        self.find(head, id).map(|slot| slot.value)
    }

    /// Stores `value` for `id` unless `id` is already stored; true when it was new.
    /// One hash and one walk of the chain, whether or not the id is new.
    pub(crate) fn insert_new(&mut self, id: &str, value: u32) -> bool {
        let hash = crate::hash::fnv1a64(id);
        let head = self.heads.get(&hash).copied().unwrap_or(END);
        if self.find(head, id).is_some() {
            return false;
        }
        let (Ok(len), Ok(index)) = (
            u32::try_from(id.len()),
            u32::try_from(self.slots.len()).map(|n| n.saturating_add(self.first)),
        ) else {
            return false;
        };
        let start = self.bytes_first + self.bytes.len();
        self.bytes.push_str(id);
        self.slots.push_back(Slot {
            start,
            len,
            value,
            next: head,
            hash,
        });
        self.heads.insert(hash, index);
        true
    }

    /// Forgets the oldest id stored; a later lookup of it finds nothing.
    pub(crate) fn forget_oldest(&mut self) {
        let Some(slot) = self.slots.pop_front() else {
            return;
        };
        let number = self.first;
        self.first = self.first.saturating_add(1);
        // Newer ids with the same hash chain down to it; the walk stops at
        // forgotten slots, so only a head pointing at it needs removing.
        if self.heads.get(&slot.hash) == Some(&number) {
            self.heads.remove(&slot.hash);
        }
        // Drop the forgotten bytes once they are most of the buffer (amortised O(1)).
        let dead = (slot.start + slot.len as usize).saturating_sub(self.bytes_first);
        if dead >= 4096 && dead * 2 >= self.bytes.len() && self.bytes.is_char_boundary(dead) {
            self.bytes.drain(..dead);
            self.bytes_first += dead;
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
        self.heads.reserve(ids);
        self.bytes.reserve(ids.saturating_mul(bytes));
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
        // Force a collision: chain "b" under the head of "a".
        let hash = crate::hash::fnv1a64("a");
        index.bytes.push('b');
        let head = index.heads.get(&hash).copied().unwrap_or(END);
        index.slots.push_back(Slot {
            start: 1,
            len: 1,
            value: 2,
            next: head,
            hash,
        });
        index.heads.insert(hash, 1);
        assert_eq!(index.get("a"), Some(1));
        assert_eq!(index.get("b"), None); // "b" hashes elsewhere
        assert_eq!(index.slots.len(), 2);
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
        assert_eq!(index.get("T0018999"), None);
        assert_eq!(index.get("T0019000"), Some(19_000));
        assert_eq!(index.get("T0019999"), Some(19_999));
        assert_eq!(index.get("T0000001"), None);
        // A forgotten id can be stored again.
        assert!(index.insert_new("T0000001", 7));
        assert_eq!(index.get("T0000001"), Some(7));
        assert!(index.bytes.len() < 2 * 8 * 1000 + 4096 * 2);
    }
}
