//! The two small, portable hash functions behind prm's reproducible draws.
//!
//! Both are specified bit for bit so any language can reproduce them:
//! FNV-1a 64 (offset basis `0xcbf29ce484222325`, prime `0x100000001b3`) over
//! UTF-8 bytes, and SplitMix64 (Steele, Lea and Flood, 2014) as a mixer.

/// FNV-1a, 64-bit, over the bytes of `text`.
///
/// ```
/// assert_eq!(prm_core::hash::fnv1a64(""), 0xcbf29ce484222325);
/// assert_eq!(prm_core::hash::fnv1a64("a"), 0xaf63dc4c8601ec8c);
/// ```
pub fn fnv1a64(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// SplitMix64's output function applied to `state + 0x9e3779b97f4a7c15`.
///
/// ```
/// // The first output of SplitMix64 seeded with 0.
/// assert_eq!(prm_core::hash::splitmix64(0), 0xe220a8397b1dcdaf);
/// ```
pub fn splitmix64(state: u64) -> u64 {
    let mut z = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A seeded SplitMix64 sequence, for deterministic sample data.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A sequence that starts from `seed`.
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64 { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let out = splitmix64(self.state);
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        out
    }

    /// A number in `0..bound` (0 when `bound` is 0); slightly biased, fine for samples.
    pub fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 {
            0
        } else {
            self.next_u64() % bound
        }
    }

    /// A uniform value in `[0, 1)` with 53 bits of precision.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// One of `items`, or `None` when empty.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let index = usize::try_from(self.below(items.len() as u64)).unwrap_or(0);
        items.get(index)
    }
}
