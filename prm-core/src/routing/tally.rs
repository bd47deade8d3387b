//! [`Tally`]: exclusions counted while a rule runs, without allocating.

use super::decision::ExclusionReason;
use std::collections::BTreeMap;

/// How many example partner ids an exclusion reason keeps.
pub(super) const EXAMPLES: usize = 3;

/// Exclusions counted while a rule runs, without allocating: a count and the
/// three lowest partner indices (the lowest ids) per reason.
#[derive(Debug, Clone)]
pub(super) struct Tally {
    pub(super) counts: [usize; REASONS],
    pub(super) examples: [[u32; EXAMPLES]; REASONS],
    /// The id of a `fixed` partner that is not listed.
    pub(super) unlisted: Option<String>,
}

pub(super) const REASONS: usize = ExclusionReason::ALL.len();

impl Tally {
    pub(super) fn new() -> Tally {
        Tally {
            counts: [0; REASONS],
            examples: [[u32::MAX; EXAMPLES]; REASONS],
            unlisted: None,
        }
    }

    pub(super) fn add(&mut self, reason: ExclusionReason, index: u32) {
        let r = reason as usize;
        if let Some(count) = self.counts.get_mut(r) {
            *count += 1;
        }
        if let Some(examples) = self.examples.get_mut(r) {
            // Keep the lowest indices, sorted: insert and let the largest fall off.
            let mut carry = index;
            for slot in examples.iter_mut() {
                if carry == *slot {
                    return;
                }
                if carry < *slot {
                    std::mem::swap(&mut carry, slot);
                }
            }
        }
    }

    pub(super) fn merge(&mut self, other: &Tally) {
        for (r, count) in other.counts.iter().enumerate() {
            if let Some(mine) = self.counts.get_mut(r) {
                *mine += count;
            }
            let (Some(reason), Some(examples)) =
                (ExclusionReason::ALL.get(r), other.examples.get(r))
            else {
                continue;
            };
            for index in examples.iter().copied().filter(|i| *i != u32::MAX) {
                let before = self.counts.get(r).copied().unwrap_or(0);
                self.add(*reason, index);
                if let Some(mine) = self.counts.get_mut(r) {
                    *mine = before;
                }
            }
        }
        if self.unlisted.is_none() {
            self.unlisted.clone_from(&other.unlisted);
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.counts.iter().all(|c| *c == 0)
    }

    pub(super) fn numbers(&self) -> BTreeMap<ExclusionReason, usize> {
        ExclusionReason::ALL
            .iter()
            .zip(self.counts)
            .filter(|(_, c)| *c > 0)
            .map(|(r, c)| (*r, c))
            .collect()
    }

    pub(super) fn summary(&self) -> String {
        if self.is_empty() {
            return "none".to_owned();
        }
        let parts: Vec<String> = ExclusionReason::ALL
            .iter()
            .zip(self.counts)
            .filter(|(_, c)| *c > 0)
            .map(|(r, c)| format!("{} {c}", r.as_str()))
            .collect();
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tally_keeps_the_lowest_three_examples() {
        let mut tally = Tally::new();
        for index in [9, 4, 7, 1, 4, 8] {
            tally.add(ExclusionReason::AtCapacity, index);
        }
        assert_eq!(tally.numbers().get(&ExclusionReason::AtCapacity), Some(&6));
        assert_eq!(
            tally.examples[ExclusionReason::AtCapacity as usize],
            [1, 4, 7]
        );
        let mut other = Tally::new();
        other.add(ExclusionReason::AtCapacity, 0);
        tally.merge(&other);
        assert_eq!(
            tally.examples[ExclusionReason::AtCapacity as usize],
            [0, 1, 4]
        );
        assert_eq!(tally.summary(), "at_capacity 7");
    }
}
