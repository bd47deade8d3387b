//! Interned words as bits, so eligibility checks compare masks instead of strings.

use std::collections::HashMap;

/// The most distinct words a vocabulary holds as bits; beyond it, checks compare strings.
const BITS: usize = 64;

/// Words (products, languages, specializations, certifications) seen among the partners.
#[derive(Debug, Default)]
pub(crate) struct Vocabulary<'a> {
    bits: HashMap<&'a str, u32>,
    overflow: bool,
}

/// What a lead or rule asks for, against one vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wanted {
    /// Nothing is asked for: the check passes.
    Nothing,
    /// These bits, all known.
    Mask(u64),
    /// A word no partner has: the check fails for everyone.
    Impossible,
    /// The vocabulary overflowed: compare strings.
    Slow,
}

impl<'a> Vocabulary<'a> {
    /// Learns `word`.
    pub(crate) fn learn(&mut self, word: &'a str) {
        if self.bits.contains_key(word) {
            return;
        }
        match u32::try_from(self.bits.len()) {
            Ok(n) if (n as usize) < BITS => {
                self.bits.insert(word, n);
            }
            _ => self.overflow = true,
        }
    }

    /// The mask of `words` (unknown words add nothing).
    pub(crate) fn mask<'w>(&self, words: impl IntoIterator<Item = &'w String>) -> u64 {
        words
            .into_iter()
            .filter_map(|w| self.bits.get(w.as_str()))
            .fold(0, |mask, bit| mask | (1u64 << bit))
    }

    /// What asking for all of `words` means.
    pub(crate) fn wanted<'w>(&self, words: impl IntoIterator<Item = &'w String>) -> Wanted {
        if self.overflow {
            return Wanted::Slow;
        }
        let mut mask = 0u64;
        let mut any = false;
        for word in words {
            any = true;
            match self.bits.get(word.as_str()) {
                Some(bit) => mask |= 1u64 << bit,
                None => return Wanted::Impossible,
            }
        }
        if any {
            Wanted::Mask(mask)
        } else {
            Wanted::Nothing
        }
    }

    /// True when every word the partners use has a bit.
    pub(crate) fn exact(&self) -> bool {
        !self.overflow
    }
}

impl Wanted {
    /// True when `have` holds every wanted bit; `None` when strings must decide.
    pub(crate) fn met_by(self, have: u64) -> Option<bool> {
        match self {
            Wanted::Nothing => Some(true),
            Wanted::Mask(mask) => Some(have & mask == mask),
            Wanted::Impossible => Some(false),
            Wanted::Slow => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_and_wants() {
        let words = ["de".to_owned(), "en".to_owned(), "hu".to_owned()];
        let mut vocabulary = Vocabulary::default();
        for w in &words {
            vocabulary.learn(w);
        }
        let have = vocabulary.mask(&words[..2]);
        assert_eq!(vocabulary.wanted(&words[..1]).met_by(have), Some(true));
        assert_eq!(vocabulary.wanted(&words[2..]).met_by(have), Some(false));
        assert_eq!(
            vocabulary.wanted(&["fr".to_owned()]).met_by(have),
            Some(false)
        );
        assert_eq!(vocabulary.wanted(&[]).met_by(0), Some(true));
    }

    #[test]
    fn overflow_falls_back_to_strings() {
        let words: Vec<String> = (0..200).map(|i| format!("w{i}")).collect();
        let mut vocabulary = Vocabulary::default();
        for w in &words {
            vocabulary.learn(w);
        }
        assert!(!vocabulary.exact());
        assert_eq!(vocabulary.wanted(&words[..1]), Wanted::Slow);
    }
}
