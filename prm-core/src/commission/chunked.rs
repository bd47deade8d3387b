//! [`Chunked`]: items numbered in arrival order, kept in fixed chunks, of
//! which the oldest can be forgotten.
//!
//! A run keeps something for every transaction of a stream (its id, its
//! index entry, its shares). One buffer for a million of them is tens of
//! megabytes, which the allocator maps fresh from the system (and gives
//! back) on every run, so each run paid a page fault for every 4 KiB of it,
//! and growing it copied it. Chunks of [`CHUNK`] items (a few dozen KiB) are
//! ordinary allocations the allocator reuses, are never copied, and
//! forgetting the oldest items frees whole chunks.

use std::collections::VecDeque;

/// How many items one chunk holds (a power of two).
pub(crate) const CHUNK: usize = 1 << 10;

/// Items numbered from 0 in arrival order; the oldest can be forgotten, and
/// a number never changes when older items are.
#[derive(Debug, Clone)]
pub(crate) struct Chunked<T> {
    /// The full chunks of [`CHUNK`] items, oldest first.
    full: VecDeque<Vec<T>>,
    /// The chunk being filled, after the full ones (a push is a `Vec` push).
    tail: Vec<T>,
    /// How many items at the front of the oldest chunk were forgotten.
    skip: usize,
    /// The number of the oldest item kept: how many were forgotten.
    first: u32,
    /// How many items are kept.
    len: usize,
}

impl<T> Default for Chunked<T> {
    fn default() -> Chunked<T> {
        Chunked {
            full: VecDeque::new(),
            tail: Vec::new(),
            skip: 0,
            first: 0,
            len: 0,
        }
    }
}

impl<T> Chunked<T> {
    /// The number of the oldest item kept (how many were forgotten).
    pub(crate) fn first(&self) -> u32 {
        self.first
    }

    /// The number the next item gets.
    pub(crate) fn next(&self) -> u32 {
        self.first
            .saturating_add(u32::try_from(self.len).unwrap_or(u32::MAX))
    }

    /// Adds an item and returns its number (inlined: a call moved the item
    /// through the stack, about 20 instructions a push).
    #[inline]
    pub(crate) fn push(&mut self, item: T) -> u32 {
        let n = self.next();
        // A chunk holds exactly CHUNK items (`place` counts on it), whatever
        // capacity the allocator gave it.
        if self.tail.len() >= CHUNK {
            let full = std::mem::replace(&mut self.tail, Vec::with_capacity(CHUNK));
            self.full.push_back(full);
        } else if self.tail.capacity() == 0 {
            self.tail.reserve_exact(CHUNK);
        }
        self.tail.push(item);
        self.len += 1;
        n
    }

    /// Where item `n` sits: (chunk counted from the oldest, position in it).
    fn place(&self, n: u32) -> Option<(usize, usize)> {
        let back = n.checked_sub(self.first)? as usize;
        if back >= self.len {
            return None;
        }
        let at = back + self.skip;
        Some((at / CHUNK, at % CHUNK))
    }

    /// Item `n`, unless it was forgotten or is not there yet.
    pub(crate) fn get(&self, n: u32) -> Option<&T> {
        let (chunk, at) = self.place(n)?;
        match self.full.get(chunk) {
            Some(full) => full.get(at),
            None => self.tail.get(at),
        }
    }

    /// Item `n`, unless it was forgotten or is not there yet.
    pub(crate) fn get_mut(&mut self, n: u32) -> Option<&mut T> {
        let (chunk, at) = self.place(n)?;
        match self.full.get_mut(chunk) {
            Some(full) => full.get_mut(at),
            None => self.tail.get_mut(at),
        }
    }

    /// The oldest item kept.
    pub(crate) fn front(&self) -> Option<&T> {
        self.get(self.first)
    }

    /// Forgets the oldest item (its chunk is freed with the chunk's last item).
    pub(crate) fn forget_oldest(&mut self) {
        if self.is_empty() {
            return;
        }
        self.skip += 1;
        self.len -= 1;
        self.first = self.first.saturating_add(1);
        if self.skip == CHUNK {
            if self.full.pop_front().is_none() {
                self.tail.clear();
            }
            self.skip = 0;
        }
    }

    /// Forgets the items numbered below `n`.
    pub(crate) fn forget_below(&mut self, n: u32) {
        while self.first < n && !self.is_empty() {
            self.forget_oldest();
        }
    }

    /// How many items are kept.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// True when no item is kept.
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Room for `additional` more items: only the list of chunks is
    /// reserved, since chunks never move.
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.full.reserve(additional.div_ceil(CHUNK));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn prop_numbers_and_items_match_a_plain_deque(
            steps in proptest::collection::vec((0u8..4, 0usize..3000), 1..40),
        ) {
            // Pushes, forgetting and look-ups across chunk boundaries, against
            // every item ever pushed (with the number of the oldest retained).
            let mut items: Chunked<usize> = Chunked::default();
            let mut all: Vec<usize> = Vec::new();
            let mut first = 0usize;
            for (op, k) in steps {
                match op {
                    0 | 1 => {
                        for _ in 0..k {
                            let n = items.push(all.len() * 7);
                            proptest::prop_assert_eq!(n as usize, all.len());
                            all.push(all.len() * 7);
                        }
                    }
                    2 => {
                        let below = (first + k).min(all.len());
                        items.forget_below(u32::try_from(below).unwrap_or(u32::MAX));
                        first = first.max(below);
                    }
                    _ => {
                        for _ in 0..k.min(5) {
                            items.forget_oldest();
                            first = (first + 1).min(all.len());
                        }
                    }
                }
                proptest::prop_assert_eq!(items.len(), all.len() - first);
                proptest::prop_assert_eq!(items.next() as usize, all.len());
                proptest::prop_assert_eq!(items.front(), all.get(first));
                for n in [0, first.saturating_sub(1), first, first + 1, all.len().saturating_sub(1), all.len()] {
                    let want = if n >= first { all.get(n) } else { None };
                    proptest::prop_assert_eq!(items.get(u32::try_from(n).unwrap_or(u32::MAX)), want);
                }
                // Changing the newest retained item changes that one only.
                if let Some(last) = all.len().checked_sub(1).filter(|l| *l >= first) {
                    let n = u32::try_from(last).unwrap_or(u32::MAX);
                    proptest::prop_assert!(items.get_mut(n).is_some());
                    if let (Some(item), Some(model)) = (items.get_mut(n), all.get_mut(last)) {
                        *item += 1;
                        *model += 1;
                    }
                    proptest::prop_assert_eq!(items.get(n), all.get(last));
                }
            }
        }
    }
}
