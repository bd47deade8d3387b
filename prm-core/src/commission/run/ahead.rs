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

/// A ring of the last [`AHEAD`] items put in, each with the ledger found
/// for it (`NONE` when none was).
#[derive(Debug)]
pub(super) struct Ahead<T> {
    ring: [Option<(T, u32)>; AHEAD],
    at: usize,
}

impl<T> Default for Ahead<T> {
    fn default() -> Ahead<T> {
        Ahead {
            ring: std::array::from_fn(|_| None),
            at: 0,
        }
    }
}

impl<T> Ahead<T> {
    /// Puts `item` and its ledger in; returns the pair put in [`AHEAD`]
    /// puts ago, if any, which is now due.
    pub(super) fn put(&mut self, item: T, ledger: u32) -> Option<(T, u32)> {
        let slot = self.ring.get_mut(self.at % AHEAD)?;
        self.at = self.at.wrapping_add(1);
        slot.replace((item, ledger))
    }

    /// The ledger of the item put in half of [`AHEAD`] puts before the last.
    pub(super) fn halfway(&self) -> Option<u32> {
        self.ring
            .get(self.at.wrapping_sub(AHEAD / 2 + 1) % AHEAD)?
            .as_ref()
            .map(|(_, ledger)| *ledger)
    }

    /// The items still waiting, oldest first.
    pub(super) fn drain(self) -> impl Iterator<Item = (T, u32)> {
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
