//! [`Names`]: the partner ids a run meets, numbered in the order it first
//! meets them.
//!
//! Every transaction names a partner, so finding a name's number is on the
//! path of every transaction. The table is open-addressing (linear probing,
//! at most half full), and a slot holds the id's hash, its number, its length
//! and its first [`INLINE`] bytes: an id that short (partner ids usually are)
//! is found, or found absent, in the slot itself, without reading the list of
//! names. A longer id compares its remaining bytes with the listed name.

/// The bytes of an id a slot holds.
const INLINE: usize = 16;

/// One slot of the table; `number` is the name's number plus one, and zero
/// marks an empty slot.
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    hash: u32,
    number: u32,
    len: u32,
    inline: [u8; INLINE],
}

impl Slot {
    /// True when the slot holds `id` (of hash `hash`), its bytes past
    /// [`INLINE`] being those of `listed`.
    fn holds<'n>(&self, id: &str, hash: u32, listed: impl FnOnce() -> Option<&'n str>) -> bool {
        let bytes = id.as_bytes();
        if self.hash != hash || self.len as usize != bytes.len() {
            return false;
        }
        let head = bytes.len().min(INLINE);
        if self.inline.get(..head) != bytes.get(..head) {
            return false;
        }
        bytes.len() <= INLINE
            || listed().and_then(|n| n.as_bytes().get(INLINE..)) == bytes.get(INLINE..)
    }
}

/// Partner ids numbered from 0 in the order they were first added.
#[derive(Debug, Clone, Default)]
pub(super) struct Names {
    /// A power of two long (or empty), at most half full.
    table: Vec<Slot>,
    /// Each name, by number.
    list: Vec<String>,
}

/// An id's hash, as the run's id index takes it.
fn hash_of(id: &str) -> u32 {
    super::super::ids::tag(id)
}

impl Names {
    /// The number of `id`, if it was added.
    pub(super) fn get(&self, id: &str) -> Option<u32> {
        self.probe(id, hash_of(id)).ok()
    }

    /// The number of `id`, adding it (with the next number) if it is new.
    pub(super) fn intern(&mut self, id: &str) -> u32 {
        self.grow_for(self.list.len().saturating_add(1));
        let hash = hash_of(id);
        let at = match self.probe(id, hash) {
            Ok(number) => return number,
            Err(at) => at,
        };
        let number = super::idx(self.list.len());
        let mut inline = [0u8; INLINE];
        let head = id.len().min(INLINE);
        if let (Some(to), Some(from)) = (inline.get_mut(..head), id.as_bytes().get(..head)) {
            to.copy_from_slice(from);
        }
        if let Some(slot) = self.table.get_mut(at) {
            *slot = Slot {
                hash,
                number: number.saturating_add(1),
                len: u32::try_from(id.len()).unwrap_or(u32::MAX),
                inline,
            };
        }
        self.list.push(id.to_owned());
        number
    }

    /// The name numbered `number`.
    pub(super) fn name(&self, number: u32) -> Option<&str> {
        self.list.get(number as usize).map(String::as_str)
    }

    /// `Ok(number)` where `id` is, or `Err(slot)`: the empty slot where it would go.
    fn probe(&self, id: &str, hash: u32) -> Result<u32, usize> {
        let mask = self.table.len().wrapping_sub(1);
        let mut at = hash as usize & mask;
        loop {
            let Some(slot) = self.table.get(at).filter(|s| s.number != 0) else {
                return Err(at);
            };
            let number = slot.number - 1;
            if slot.holds(id, hash, || self.name(number)) {
                return Ok(number);
            }
            at = (at + 1) & mask;
        }
    }

    /// Keeps the table at most half full for `names` names.
    fn grow_for(&mut self, names: usize) {
        let wanted = names.saturating_mul(2);
        if wanted <= self.table.len() {
            return;
        }
        let size = wanted.next_power_of_two().max(16);
        let old = std::mem::replace(&mut self.table, vec![Slot::default(); size]);
        let mask = size - 1;
        for slot in old.into_iter().filter(|s| s.number != 0) {
            let mut at = slot.hash as usize & mask;
            while self.table.get(at).is_some_and(|s| s.number != 0) {
                at = (at + 1) & mask;
            }
            if let Some(free) = self.table.get_mut(at) {
                *free = slot;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_are_numbered_in_the_order_they_come() {
        let mut names = Names::default();
        assert_eq!(names.get("P1"), None);
        assert_eq!(names.intern("P1"), 0);
        assert_eq!(names.intern("a-partner-id-longer-than-sixteen-bytes"), 1);
        assert_eq!(names.intern("P1"), 0);
        assert_eq!(names.get("a-partner-id-longer-than-sixteen-bytes"), Some(1));
        // Same first sixteen bytes and length, another tail: another name.
        assert_eq!(names.get("a-partner-id-longer-than-sixteen-BYTES"), None);
        assert_eq!(names.get(""), None);
        assert_eq!(names.intern(""), 2);
        assert_eq!(
            names.name(1),
            Some("a-partner-id-longer-than-sixteen-bytes")
        );
        assert_eq!(names.name(3), None);
    }

    #[test]
    fn a_long_id_is_told_apart_by_its_tail() {
        // The same hash, length and first sixteen bytes: only the tail,
        // compared with the listed name, tells the two apart.
        let listed = "a-partner-id-longer-than-sixteen-bytes";
        let other = "a-partner-id-longer-than-sixteen-BYTES";
        let mut inline = [0u8; INLINE];
        inline.copy_from_slice(&listed.as_bytes()[..INLINE]);
        let slot = Slot {
            hash: 7,
            number: 1,
            len: 38,
            inline,
        };
        assert!(slot.holds(listed, 7, || Some(listed)));
        assert!(!slot.holds(other, 7, || Some(listed)));
        assert!(!slot.holds(listed, 8, || Some(listed)));
        assert!(!slot.holds(listed, 7, || None));
    }

    proptest! {
        #[test]
        fn prop_names_behave_like_a_map(
            ids in proptest::collection::vec("[a-c]{0,3}|p{15}[ab]{0,3}", 0..200),
        ) {
            // Short ids, ids around the inline length that share their first
            // fifteen bytes, and repeats of both, past several growths of
            // the table: numbers as a map gives them.
            let mut names = Names::default();
            let mut map = std::collections::HashMap::new();
            for id in &ids {
                prop_assert_eq!(names.get(id), map.get(id.as_str()).copied());
                let next = super::super::idx(map.len());
                let want = *map.entry(id.as_str()).or_insert(next);
                prop_assert_eq!(names.intern(id), want);
            }
            for (id, n) in &map {
                prop_assert_eq!(names.get(id), Some(*n));
                prop_assert_eq!(names.name(*n), Some(*id));
            }
        }
    }
}
