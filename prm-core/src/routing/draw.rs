//! The reproducible weighted draw.
//!
//! The draw is specified bit for bit so any language reproduces it:
//!
//! 1. `h = splitmix64(fnv1a64(seed + ":" + lead_id))`, over the UTF-8 bytes;
//! 2. `k = h >> 11`, an integer in `[0, 2^53)`, and `u = k / 2^53`;
//! 3. walk the candidates sorted by partner id, adding up their weights into
//!    `C_i`; the winner is the first whose cumulative weight exceeds `u * S`,
//!    where `S` is the sum of all weights.
//!
//! Step 3 is evaluated exactly: `C_i * 2^53 > k * S`, in integers, after
//! scaling every weight to the largest number of decimal places among them.
//! A weight of 0 adds nothing to `C_i`, so it can never be the first to exceed
//! the threshold: a zero-weight partner never receives a weighted lead.

use crate::error::{Error, JsonPath};
use crate::hash::{fnv1a64, splitmix64};
use crate::money::Decimal;

/// `k = splitmix64(fnv1a64(seed + ":" + lead_id)) >> 11`: the draw's position in `[0, 2^53)`.
///
/// ```
/// use prm_core::routing::draw_position;
/// let k = draw_position("geo", "L-1");
/// assert!(k < 1 << 53);
/// assert_eq!(k, draw_position("geo", "L-1")); // reproducible
/// ```
pub fn draw_position(seed: &str, lead_id: &str) -> u64 {
    let mut key = String::with_capacity(seed.len() + 1 + lead_id.len());
    key.push_str(seed);
    key.push(':');
    key.push_str(lead_id);
    splitmix64(fnv1a64(&key)) >> 11
}

/// Weights scaled to integers at one common number of decimal places.
///
/// # Errors
///
/// `overflow` when a weight does not fit 128 bits once scaled.
pub(crate) fn scale_weights(weights: &[Decimal]) -> Result<Vec<u128>, Error> {
    let scale = weights.iter().map(|w| w.value().scale()).max().unwrap_or(0);
    weights.iter().map(|w| scale_one(*w, scale)).collect()
}

/// One weight as an integer at `scale` decimal places.
pub(crate) fn scale_one(weight: Decimal, scale: u32) -> Result<u128, Error> {
    let value = weight.value();
    let mantissa = u128::try_from(value.mantissa().max(0)).unwrap_or(0);
    let factor = 10u128.checked_pow(scale.saturating_sub(value.scale()));
    factor
        .and_then(|f| mantissa.checked_mul(f))
        .ok_or_else(|| Error::overflow(JsonPath::root(), format!("lead weight {weight}")))
}

/// The index of the winner among integer `weights` (in partner-id order) for position `k`.
///
/// # Errors
///
/// `overflow` when `k * S` does not fit 128 bits.
pub(crate) fn pick_scaled(weights: &[u128], k: u64) -> Result<Option<usize>, Error> {
    pick_from(weights.iter().copied(), k)
}

/// [`pick_scaled`] over any re-iterable sequence of weights (walked twice: total, then winner).
pub(crate) fn pick_from<I>(weights: I, k: u64) -> Result<Option<usize>, Error>
where
    I: Iterator<Item = u128> + Clone,
{
    let overflow = || Error::overflow(JsonPath::root(), "the weighted draw's threshold");
    let mut total: u128 = 0;
    for w in weights.clone() {
        total = total.checked_add(w).ok_or_else(overflow)?;
    }
    if total == 0 {
        return Ok(None);
    }
    let threshold = u128::from(k).checked_mul(total).ok_or_else(overflow)?;
    let mut cumulative: u128 = 0;
    let mut last = None;
    for (i, w) in weights.enumerate() {
        if w == 0 {
            continue;
        }
        cumulative = cumulative.checked_add(w).ok_or_else(overflow)?;
        last = Some(i);
        if cumulative.checked_mul(1 << 53).ok_or_else(overflow)? > threshold {
            return Ok(Some(i));
        }
    }
    Ok(last)
}

/// Draws one of `weights` (given in partner-id order) for `lead_id`, as the module documents.
///
/// Returns `None` when every weight is 0.
///
/// # Errors
///
/// `overflow` when the weights are too large or have too many decimal places to
/// compare exactly in 128 bits.
///
/// # Example
///
/// ```
/// use prm_core::routing::{draw_position, weighted_draw};
/// use prm_core::Decimal;
/// let weights = [Decimal::from(3i64), Decimal::from(1i64)]; // partners A and B, in id order
/// let k = draw_position("seed", "L-1");
/// let winner = weighted_draw("seed", "L-1", &weights)?;
/// // A wins when k / 2^53 < 3/4, B otherwise.
/// assert_eq!(winner, Some(if (k as f64) / 2f64.powi(53) < 0.75 { 0 } else { 1 }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Properties
///
/// A zero weight never wins; over many leads each weight wins its share
/// `w_i / S` of them (`prop_zero_weight_never_wins`, `weighted_shares_match_weights`).
pub fn weighted_draw(
    seed: &str,
    lead_id: &str,
    weights: &[Decimal],
) -> Result<Option<usize>, Error> {
    pick_scaled(&scale_weights(weights)?, draw_position(seed, lead_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draw_matches_the_written_algorithm() {
        // The worked example of docs/routing.md, step by step.
        let key = "north:L-0001";
        let h = splitmix64(fnv1a64(key));
        assert_eq!(draw_position("north", "L-0001"), h >> 11);
        let u = (h >> 11) as f64 / 2f64.powi(53);
        let weights: Vec<Decimal> = ["3", "1", "0", "2"]
            .iter()
            .map(|w| w.parse().unwrap())
            .collect();
        let winner = weighted_draw("north", "L-0001", &weights).unwrap().unwrap();
        let target = u * 6.0;
        let cumulative = [3.0, 4.0, 4.0, 6.0];
        let expected = cumulative.iter().position(|c| *c > target).unwrap();
        assert_eq!(winner, expected);
    }

    #[test]
    fn all_zero_weights_draw_nobody() {
        assert_eq!(
            weighted_draw("s", "L", &[Decimal::ZERO, Decimal::ZERO]).unwrap(),
            None
        );
        assert_eq!(weighted_draw("s", "L", &[]).unwrap(), None);
    }

    #[test]
    fn decimal_weights_scale_to_a_common_place() {
        let weights: Vec<Decimal> = ["0.5", "1.25", "2"]
            .iter()
            .map(|w| w.parse().unwrap())
            .collect();
        assert_eq!(scale_weights(&weights).unwrap(), vec![50, 125, 200]);
    }

    #[test]
    fn weighted_shares_match_weights() {
        // DOMAIN.md §3: A (weight 3) and B (weight 1): A receives 75% within 0.5 points.
        let weights = [Decimal::from(3i64), Decimal::from(1i64)];
        let scaled = scale_weights(&weights).unwrap();
        let n = 100_000;
        let a = (0..n)
            .filter(|i| {
                pick_scaled(&scaled, draw_position("seed", &format!("L{i}"))).unwrap() == Some(0)
            })
            .count();
        let share = a as f64 / n as f64 * 100.0;
        assert!((share - 75.0).abs() <= 0.5, "A received {share}%");
    }

    proptest::proptest! {
        #[test]
        fn prop_zero_weight_never_wins(weights in proptest::collection::vec(0u32..5, 1..8), lead in "[A-Z0-9-]{1,12}") {
            let decimals: Vec<Decimal> = weights.iter().map(|w| Decimal::from(*w)).collect();
            match weighted_draw("seed", &lead, &decimals).unwrap() {
                Some(i) => proptest::prop_assert!(weights[i] > 0),
                None => proptest::prop_assert!(weights.iter().all(|w| *w == 0)),
            }
        }
    }
}
