//! [`Ahead`]: transactions waiting a few places before they are processed,
//! so the memory each one will touch can be asked for in the meantime.
//!
//! A stream reaches a different partner's ledger, a random slot of the id
//! index and another record chunk with nearly every transaction: each is a
//! likely cache miss, and processing one transaction at a time waits for
//! them in turn. A transaction that enters the ring has its id slot and
//! ledger fetched ([`super::StatementRun::warm`]); halfway through, with
//! the ledger now in cache, the spot its record will take
//! ([`super::StatementRun::warm_tail`]); it is processed when it leaves. The
//! order of processing is unchanged.

/// How many transactions wait.
pub(super) const AHEAD: usize = 16;

/// A ring of the last [`AHEAD`] items put in, each with what was found for
/// it when it was put in (`F`).
#[derive(Debug)]
pub(super) struct Ahead<T, F> {
    ring: [Option<(T, F)>; AHEAD],
    at: usize,
}

impl<T, F> Default for Ahead<T, F> {
    fn default() -> Ahead<T, F> {
        Ahead {
            ring: std::array::from_fn(|_| None),
            at: 0,
        }
    }
}

impl<T, F: Copy> Ahead<T, F> {
    /// Puts `item` and what was found for it in; returns the pair put in
    /// [`AHEAD`] puts ago, if any, which is now due.
    pub(super) fn put(&mut self, item: T, found: F) -> Option<(T, F)> {
        let slot = self.ring.get_mut(self.at % AHEAD)?;
        self.at = self.at.wrapping_add(1);
        slot.replace((item, found))
    }

    /// What was found for the item put in half of [`AHEAD`] puts before the last.
    pub(super) fn halfway(&self) -> Option<F> {
        self.ring
            .get(self.at.wrapping_sub(AHEAD / 2 + 1) % AHEAD)?
            .as_ref()
            .map(|(_, found)| *found)
    }

    /// The items still waiting, oldest first.
    pub(super) fn drain(self) -> impl Iterator<Item = (T, F)> {
        let at = self.at;
        let mut ring = self.ring;
        ring.rotate_left(at % AHEAD);
        ring.into_iter().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_leave_in_the_order_they_came() {
        for n in [0, 1, AHEAD - 1, AHEAD, AHEAD + 1, 5 * AHEAD + 3] {
            let mut ahead = Ahead::default();
            let mut out = Vec::new();
            for i in 0..n {
                out.extend(ahead.put(i, u32::try_from(i).unwrap()));
                if i >= AHEAD / 2 {
                    let halfway = u32::try_from(i - AHEAD / 2).unwrap();
                    assert_eq!(ahead.halfway(), Some(halfway));
                }
            }
            out.extend(ahead.drain());
            let want: Vec<_> = (0..n).map(|i| (i, u32::try_from(i).unwrap())).collect();
            assert_eq!(out, want, "{n} items");
        }
    }
}
