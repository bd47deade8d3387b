//! What a stream retains for refunds: index entries and shares numbered in
//! arrival order, of which the oldest can be forgotten once no refund can
//! reverse them any more.
//!
//! A number never changes when older items are forgotten, so records and
//! entries keep pointing at the same share. Items that come from
//! `prior_lines` live apart (their numbers carry [`PRIOR`]) and are never
//! forgotten: the host holds those lines anyway.

use std::collections::VecDeque;

/// The bit that marks an item from `prior_lines`.
pub(super) const PRIOR: u32 = 1 << 31;

/// How many items one chunk of the stream holds (a power of two).
///
/// The stream's items live in chunks of this many, never in one buffer:
/// a buffer for a million index entries or shares is tens of megabytes,
/// which the allocator takes fresh from the system (and gives back) on
/// every run, so each run paid a page fault for every 4 KiB of it, and
/// growing one would copy it. Chunks of 1,024 (a few dozen KiB each) are
/// ordinary allocations that the allocator reuses, and forgetting the
/// oldest items frees whole chunks.
const CHUNK: usize = 1 << 10;

/// Items from the stream (forgettable, oldest first) and from `prior_lines`.
#[derive(Debug, Clone)]
pub(super) struct Retained<T> {
    /// The stream's items in chunks of [`CHUNK`], oldest first; only the
    /// last chunk is not full.
    chunks: VecDeque<Vec<T>>,
    /// How many items at the front of `chunks[0]` were forgotten.
    skip: usize,
    /// The number of the oldest retained item: how many were forgotten.
    first: u32,
    prior: Vec<T>,
}

impl<T> Default for Retained<T> {
    fn default() -> Retained<T> {
        Retained {
            chunks: VecDeque::new(),
            skip: 0,
            first: 0,
            prior: Vec::new(),
        }
    }
}

fn number(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl<T> Retained<T> {
    /// The number the next item from the stream gets.
    pub(super) fn next(&self) -> u32 {
        self.first.saturating_add(number(self.len()))
    }

    /// The number the next item from `prior_lines` gets.
    pub(super) fn next_prior(&self) -> u32 {
        PRIOR | number(self.prior.len())
    }

    /// Adds an item from the stream and returns its number.
    pub(super) fn push(&mut self, item: T) -> u32 {
        let n = self.next();
        match self.chunks.back_mut() {
            Some(last) if last.len() < CHUNK => last.push(item),
            _ => {
                let mut chunk = Vec::with_capacity(CHUNK);
                chunk.push(item);
                self.chunks.push_back(chunk);
            }
        }
        n
    }

    /// Adds an item from `prior_lines` and returns its number.
    pub(super) fn push_prior(&mut self, item: T) -> u32 {
        let n = self.next_prior();
        self.prior.push(item);
        n
    }

    /// Where the stream's item numbered `n` sits: (chunk, position in it).
    fn place(&self, n: u32) -> Option<(usize, usize)> {
        let at = (n.checked_sub(self.first)? as usize).checked_add(self.skip)?;
        Some((at / CHUNK, at % CHUNK))
    }

    /// The item numbered `n`, unless it was forgotten.
    pub(super) fn get(&self, n: u32) -> Option<&T> {
        if n & PRIOR != 0 {
            return self.prior.get((n & !PRIOR) as usize);
        }
        let (chunk, at) = self.place(n)?;
        self.chunks.get(chunk)?.get(at)
    }

    /// The item numbered `n`, unless it was forgotten.
    pub(super) fn get_mut(&mut self, n: u32) -> Option<&mut T> {
        if n & PRIOR != 0 {
            return self.prior.get_mut((n & !PRIOR) as usize);
        }
        let (chunk, at) = self.place(n)?;
        self.chunks.get_mut(chunk)?.get_mut(at)
    }

    /// The oldest item from the stream still retained.
    pub(super) fn oldest(&self) -> Option<&T> {
        self.chunks.front()?.get(self.skip)
    }

    /// Forgets the oldest item from the stream (its chunk is freed with the
    /// chunk's last item).
    pub(super) fn forget_oldest(&mut self) {
        let Some(front) = self.chunks.front() else {
            return;
        };
        if self.skip >= front.len() {
            return;
        }
        self.skip += 1;
        self.first = self.first.saturating_add(1);
        if self.skip == CHUNK {
            self.chunks.pop_front();
            self.skip = 0;
        }
    }

    /// Forgets the stream's items numbered below `n`.
    pub(super) fn forget_below(&mut self, n: u32) {
        while self.first < n && self.len() > 0 {
            self.forget_oldest();
        }
    }

    /// How many items from the stream are retained.
    pub(super) fn len(&self) -> usize {
        let Some(last) = self.chunks.back() else {
            return 0;
        };
        ((self.chunks.len() - 1) * CHUNK + last.len()).saturating_sub(self.skip)
    }

    /// Room for `additional` more items from the stream: only the chunks'
    /// list is reserved, since chunks never move.
    pub(super) fn reserve(&mut self, additional: usize) {
        self.chunks.reserve(additional.div_ceil(CHUNK));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_survive_forgetting_older_items() {
        let mut items = Retained::default();
        for i in 0..10u32 {
            assert_eq!(items.push(i * 10), i);
        }
        let prior = items.push_prior(7);
        items.forget_below(4);
        assert_eq!(items.len(), 6);
        assert_eq!(items.get(3), None);
        assert_eq!(items.get(4), Some(&40));
        assert_eq!(items.get(9), Some(&90));
        assert_eq!(items.get(10), None);
        assert_eq!(items.get(prior), Some(&7));
        assert_eq!(items.push(100), 10);
        assert_eq!(items.oldest(), Some(&40));
    }

    proptest::proptest! {
        #[test]
        fn prop_numbers_and_items_match_a_plain_deque(
            steps in proptest::collection::vec((0u8..4, 0usize..3000), 1..40),
        ) {
            // Pushes, forgetting and look-ups across chunk boundaries, against
            // every item ever pushed (with the number of the oldest retained).
            let mut items: Retained<usize> = Retained::default();
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
                proptest::prop_assert_eq!(items.oldest(), all.get(first));
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
