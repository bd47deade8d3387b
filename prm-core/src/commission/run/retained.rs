//! What a stream retains for refunds: index entries and shares numbered in
//! arrival order, of which the oldest can be forgotten once no refund can
//! reverse them any more.
//!
//! A number never changes when older items are forgotten, so records and
//! entries keep pointing at the same share. Items that come from
//! `prior_lines` live apart (their numbers carry [`PRIOR`]) and are never
//! forgotten: the host holds those lines anyway.

use super::super::chunked::Chunked;

/// The bit that marks an item from `prior_lines`.
pub(super) const PRIOR: u32 = 1 << 31;

/// Items from the stream (forgettable, oldest first, in chunks) and from
/// `prior_lines`.
#[derive(Debug, Clone)]
pub(super) struct Retained<T> {
    stream: Chunked<T>,
    prior: Vec<T>,
}

impl<T> Default for Retained<T> {
    fn default() -> Retained<T> {
        Retained {
            stream: Chunked::default(),
            prior: Vec::new(),
        }
    }
}

impl<T> Retained<T> {
    /// The number of the oldest item from the stream still retained.
    pub(super) fn first(&self) -> u32 {
        self.stream.first()
    }

    /// The number the next item from the stream gets.
    pub(super) fn next(&self) -> u32 {
        self.stream.next()
    }

    /// The number the next item from `prior_lines` gets.
    pub(super) fn next_prior(&self) -> u32 {
        PRIOR | u32::try_from(self.prior.len()).unwrap_or(u32::MAX)
    }

    /// Adds an item from the stream and returns its number.
    pub(super) fn push(&mut self, item: T) -> u32 {
        self.stream.push(item)
    }

    /// Adds an item from `prior_lines` and returns its number.
    pub(super) fn push_prior(&mut self, item: T) -> u32 {
        let n = self.next_prior();
        self.prior.push(item);
        n
    }

    /// The item numbered `n`, unless it was forgotten.
    pub(super) fn get(&self, n: u32) -> Option<&T> {
        if n & PRIOR != 0 {
            return self.prior.get((n & !PRIOR) as usize);
        }
        self.stream.get(n)
    }

    /// The item numbered `n`, unless it was forgotten.
    pub(super) fn get_mut(&mut self, n: u32) -> Option<&mut T> {
        if n & PRIOR != 0 {
            return self.prior.get_mut((n & !PRIOR) as usize);
        }
        self.stream.get_mut(n)
    }

    /// The oldest item from the stream still retained.
    pub(super) fn oldest(&self) -> Option<&T> {
        self.stream.front()
    }

    /// Forgets the oldest item from the stream.
    pub(super) fn forget_oldest(&mut self) {
        self.stream.forget_oldest();
    }

    /// Forgets the stream's items numbered below `n`.
    pub(super) fn forget_below(&mut self, n: u32) {
        self.stream.forget_below(n);
    }

    /// How many items from the stream are retained.
    pub(super) fn len(&self) -> usize {
        self.stream.len()
    }

    /// Room for `additional` more items from the stream.
    pub(super) fn reserve(&mut self, additional: usize) {
        self.stream.reserve(additional);
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
}
