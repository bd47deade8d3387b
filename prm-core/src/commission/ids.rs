//! [`IdIndex`]: transaction ids to entries, without an allocation per id.
//!
//! A run must find a refund's original among every transaction seen so far.
//! Keeping each id as its own `String` costs an allocation per transaction;
//! here the ids' bytes go into one growing buffer, and a map from each id's
//! FNV-1a hash to a chain of entries resolves the (rare) collisions by
//! comparing the stored bytes, so a lookup is exact.

use std::collections::HashMap;
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
    start: u32,
    len: u32,
    value: u32,
    next: u32,
}

/// Ids mapped to `u32` values, stored in one buffer.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdIndex {
    bytes: String,
    slots: Vec<Slot>,
    heads: HashMap<u64, u32, BuildHasherDefault<Identity>>,
}

impl IdIndex {
    /// The value stored for `id`.
    pub(crate) fn get(&self, id: &str) -> Option<u32> {
        let mut at = *self.heads.get(&crate::hash::fnv1a64(id))?;
        while at != END {
            let slot = self.slots.get(at as usize)?;
            let start = slot.start as usize;
            if self.bytes.get(start..start + slot.len as usize) == Some(id) {
                return Some(slot.value);
            }
            at = slot.next;
        }
        None
    }

    /// Stores `value` for `id` unless `id` is already stored; true when it was new.
    /// One hash and one walk of the chain, whether or not the id is new.
    pub(crate) fn insert_new(&mut self, id: &str, value: u32) -> bool {
        let hash = crate::hash::fnv1a64(id);
        let head = self.heads.get(&hash).copied().unwrap_or(END);
        let mut at = head;
        while at != END {
            let Some(slot) = self.slots.get(at as usize) else {
                break;
            };
            let start = slot.start as usize;
            if self.bytes.get(start..start + slot.len as usize) == Some(id) {
                return false;
            }
            at = slot.next;
        }
        let (Ok(start), Ok(len), Ok(index)) = (
            u32::try_from(self.bytes.len()),
            u32::try_from(id.len()),
            u32::try_from(self.slots.len()),
        ) else {
            return false;
        };
        self.bytes.push_str(id);
        self.slots.push(Slot {
            start,
            len,
            value,
            next: head,
        });
        self.heads.insert(hash, index);
        true
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
        if self.get(id).is_some() {
            return;
        }
        let (Ok(start), Ok(len), Ok(index)) = (
            u32::try_from(self.bytes.len()),
            u32::try_from(id.len()),
            u32::try_from(self.slots.len()),
        ) else {
            return;
        };
        self.bytes.push_str(id);
        let head = self.heads.entry(crate::hash::fnv1a64(id)).or_insert(END);
        self.slots.push(Slot {
            start,
            len,
            value,
            next: *head,
        });
        *head = index;
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
        index.slots.push(Slot {
            start: 1,
            len: 1,
            value: 2,
            next: head,
        });
        index.heads.insert(hash, 1);
        assert_eq!(index.get("a"), Some(1));
        assert_eq!(index.get("b"), None); // "b" hashes elsewhere
        assert_eq!(index.slots.len(), 2);
    }
}
