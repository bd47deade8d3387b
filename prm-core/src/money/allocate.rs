//! Largest-remainder allocation: split an amount into parts that sum exactly.

use super::Decimal;
use crate::error::{Error, JsonPath};

/// Splits `total` in proportion to `weights`, rounded to `places`, so the parts
/// add up to `total` exactly (the largest-remainder, or Hamilton, method).
///
/// Each part starts as its exact share truncated toward zero; the minor units
/// left over go one each to the parts with the largest remainders, ties to the
/// earlier part. Shares and remainders are exact rationals, computed in
/// integers (weights at their common scale, products up to 224 bits), for any
/// weights that fit 128 bits at one scale, which every amount of money does. `total` is first rounded half-even to `places` if it has more
/// digits. Zero total weight gives all zeros. Negative totals are split like
/// their absolute value and keep the sign.
///
/// # Errors
///
/// `overflow` when a share leaves the decimal range; `invalid_value` for a negative weight.
///
/// # Example
///
/// ```
/// use prm_core::{Decimal, money::allocate};
/// let d = |s: &str| s.parse::<Decimal>();
/// // A split of 1000.01 at 0.7/0.3: the extra cent goes to the larger remainder.
/// let parts = allocate(d("1000.01")?, &[d("0.7")?, d("0.3")?], 2)?;
/// assert_eq!(parts, vec![d("700.01")?, d("300.00")?]);
/// // A pool of 10,000 against allocations of 6,000, 5,000 and 1,000.
/// let parts = allocate(d("10000")?, &[d("6000")?, d("5000")?, d("1000")?], 2)?;
/// assert_eq!(parts, vec![d("5000.00")?, d("4166.67")?, d("833.33")?]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Properties
///
/// The parts always sum to `total` rounded to `places`, and no part differs
/// from its exact share by a full minor unit or more (`prop_allocate_sums_to_total`).
pub fn allocate(total: Decimal, weights: &[Decimal], places: u32) -> Result<Vec<Decimal>, Error> {
    use crate::error::{ErrorCode, Problem};
    let overflow = || Error::overflow(JsonPath::root(), "largest-remainder allocation");
    let total = super::RoundingMode::HalfEven.round(total, places);
    for (i, w) in weights.iter().enumerate() {
        if w.is_negative() {
            return Err(Error::problem(
                Problem::new(ErrorCode::InvalidValue, JsonPath::root().index(i))
                    .message(format!("allocation weight {w} is negative")),
            ));
        }
    }
    let parts = match exact::Shares::new(total, weights, places) {
        Some(shares) => shares.parts(),
        None => decimal_parts(total, weights, places),
    }
    .ok_or_else(overflow)?;
    if total.is_negative() {
        return Ok(parts
            .into_iter()
            .map(|part| Decimal::new(-part.value()))
            .collect());
    }
    Ok(parts)
}

/// What `allocate(mode.round(Σ amounts, places), amounts, places)` gives, in
/// minor units, for amounts given as `(mantissa, scale)` pairs of exact
/// decimals: the rounded sum of the amounts split over them by largest
/// remainder. This is how a period's lines are rounded so that they add up to
/// the period's total rounded once.
///
/// The amounts at their common scale are both the weights and, summed, the
/// total, so it is one pass in integers. `None` when that does not fit: a
/// negative amount, a sum of 2^96 or more at that scale (past which adding
/// the decimals would not be exact), more than 28 places. The caller then
/// takes the general path, whose answer this is whenever it gives one
/// (`prop_allocate_sum_is_the_composition`). The integer close writes its
/// lines at one scale and calls [`allocate_weights`]; this, with the amounts
/// at their own scales, is the tests' reference for it.
#[cfg(test)]
pub(crate) fn allocate_sum(
    amounts: &[(i128, u32)],
    mode: super::RoundingMode,
    places: u32,
) -> Option<Vec<u128>> {
    let scale = amounts.iter().map(|a| a.1).max().unwrap_or(0);
    if scale > 28 {
        return None;
    }
    let mut weights = Vec::with_capacity(amounts.len());
    let mut sum = 0u128;
    for &(mantissa, s) in amounts {
        let mantissa = u128::try_from(mantissa).ok()?;
        let factor = super::ten_to(scale.checked_sub(s)?)?;
        let int = super::product(mantissa, factor)?;
        sum = sum.checked_add(int)?;
        weights.push(int);
    }
    allocate_weights(weights, sum, scale, mode, places)
}

/// What `allocate(mode.round(Σ amounts, places), amounts, places)` gives, in
/// minor units, for non-negative amounts written at one scale: amount `i` is
/// `weights[i] × 10^-scale` and `sum` is their sum. The rounded sum is split
/// over them by largest remainder: how a period's lines are rounded so that
/// they add up to the period's total rounded once.
///
/// The split depends only on the amounts' values (the weights' ratios), so
/// any common scale gives the same parts, except that a scale above the
/// amounts' own makes the sum larger and so reaches the limit sooner. `None`
/// for a sum of 2^96 or more (past which adding the decimals would not be
/// exact) or more than 28 places; the caller then takes the general path.
/// `prop_allocate_weights_at_a_larger_scale_agree` checks it against the
/// amounts at their own scales, and those against summing, rounding and
/// allocating in decimals.
pub(crate) fn allocate_weights(
    weights: Vec<u128>,
    sum: u128,
    scale: u32,
    mode: super::RoundingMode,
    places: u32,
) -> Option<Vec<u128>> {
    // Below 2^96 every partial sum, like the whole, is exact in decimals.
    if sum >= 1u128 << 96 || scale > 28 {
        return None;
    }
    let total = rust_decimal::Decimal::try_from_i128_with_scale(i128::try_from(sum).ok()?, scale)
        .ok()
        .map(Decimal::new)?;
    let total = mode.round(total, places).value();
    if total.scale() != places || total.is_sign_negative() {
        return None;
    }
    exact::Shares {
        units: total.mantissa().unsigned_abs(),
        weights,
        sum,
        places,
    }
    .units()
}

/// The allocation in 28-digit decimal arithmetic, for weights too far apart
/// in scale to share 128 bits (a weight of 10^20 next to one of 10^-20): each
/// share is `|total| × weight / sum` to 28 significant digits. `None` on
/// overflow. Every amount of money takes the exact path instead.
fn decimal_parts(total: Decimal, weights: &[Decimal], places: u32) -> Option<Vec<Decimal>> {
    let mut weight_sum = Decimal::ZERO;
    for w in weights {
        weight_sum = weight_sum.checked_add(*w)?;
    }
    let zero = super::RoundingMode::HalfEven.round(Decimal::ZERO, places);
    if weight_sum.is_zero() {
        return Some(vec![zero; weights.len()]);
    }
    let magnitude = total.abs();
    let mut parts = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    let mut assigned = Decimal::ZERO;
    for w in weights {
        // Multiply first when it fits: w * total / sum keeps more digits.
        let exact = match magnitude.checked_mul(*w) {
            Some(product) => product.checked_div(weight_sum),
            None => w
                .checked_div(weight_sum)
                .and_then(|share| share.checked_mul(magnitude)),
        }?;
        let floor = super::RoundingMode::Down.round(exact, places);
        let remainder = exact.checked_sub(floor)?;
        assigned = assigned.checked_add(floor)?;
        parts.push(floor);
        remainders.push(remainder);
    }
    let unit = Decimal::new(rust_decimal::Decimal::new(1, places));
    let left = magnitude.checked_sub(assigned)?;
    let mut remaining = left.checked_div(unit)?;
    let mut order: Vec<usize> = (0..weights.len()).collect();
    // The index breaks ties, so the order is total and an unstable sort gives the stable one's.
    order.sort_unstable_by(|&a, &b| {
        let ra = remainders.get(a).copied().unwrap_or_default();
        let rb = remainders.get(b).copied().unwrap_or_default();
        rb.cmp(&ra).then(a.cmp(&b))
    });
    for index in order {
        if remaining <= Decimal::ZERO {
            break;
        }
        if let Some(part) = parts.get_mut(index) {
            *part = part.checked_add(unit)?;
            remaining = remaining.checked_sub(Decimal::ONE)?;
        }
    }
    Some(parts)
}

/// The exact allocation in integers: with the total as `T` minor units and
/// the weights as integers `w` at one scale summing to `S`, each part is
/// `⌊T·w / S⌋` units and its remainder is `T·w mod S` (the same denominator
/// for every part, so remainders compare as integers). `T·w` takes up to 224
/// bits; it is divided in `u128` when it fits and by long division when not.
mod exact {
    use super::Decimal;

    /// A total and its weights as integers, ready to be shared.
    pub(super) struct Shares {
        /// `|total|` in minor units (`10^-places`).
        pub(super) units: u128,
        /// Each weight at the weights' common scale.
        pub(super) weights: Vec<u128>,
        /// The weights' sum.
        pub(super) sum: u128,
        pub(super) places: u32,
    }

    impl Shares {
        /// `None` when the weights at their common scale, or their sum, do not
        /// fit in 128 bits, or the total has more places than `places`.
        pub(super) fn new(total: Decimal, weights: &[Decimal], places: u32) -> Option<Shares> {
            let total = total.value();
            if total.scale() != places {
                return None;
            }
            let units = total.mantissa().unsigned_abs();
            // At the weights' own scales first; only when that overflows are
            // their trailing zeros dropped (`normalize`), which costs more.
            Shares::at_common_scale(units, weights, places, false)
                .or_else(|| Shares::at_common_scale(units, weights, places, true))
        }

        fn at_common_scale(
            units: u128,
            weights: &[Decimal],
            places: u32,
            normalize: bool,
        ) -> Option<Shares> {
            let value = |w: &Decimal| {
                if normalize {
                    w.value().normalize()
                } else {
                    w.value()
                }
            };
            let scale = weights.iter().map(|w| value(w).scale()).max().unwrap_or(0);
            let mut sum = 0u128;
            let mut ints = Vec::with_capacity(weights.len());
            for w in weights {
                let w = value(w);
                let shift = 10u128.checked_pow(scale.checked_sub(w.scale())?)?;
                let int = w.mantissa().unsigned_abs().checked_mul(shift)?;
                sum = sum.checked_add(int)?;
                ints.push(int);
            }
            Some(Shares {
                units,
                weights: ints,
                sum,
                places,
            })
        }

        /// The parts, in minor units written with `places` decimals. `None` when
        /// a part leaves the decimal range (it cannot: no part exceeds the total).
        pub(super) fn parts(&self) -> Option<Vec<Decimal>> {
            self.units()?
                .into_iter()
                .map(|units| {
                    let mantissa = i128::try_from(units).ok()?;
                    rust_decimal::Decimal::try_from_i128_with_scale(mantissa, self.places)
                        .ok()
                        .map(Decimal::new)
                })
                .collect()
        }

        /// The parts in minor units.
        pub(super) fn units(&self) -> Option<Vec<u128>> {
            if self.sum == 0 {
                return Some(vec![0; self.weights.len()]);
            }
            let mut floors = Vec::with_capacity(self.weights.len());
            let mut remainders = Vec::with_capacity(self.weights.len());
            let mut assigned = 0u128;
            for &w in &self.weights {
                let (floor, remainder) = mul_div(self.units, w, self.sum);
                assigned = assigned.checked_add(floor)?;
                floors.push(floor);
                remainders.push(remainder);
            }
            // Fewer than one unit per part is left: the remainders add up to less than `n × sum`.
            let left = usize::try_from(self.units.checked_sub(assigned)?).ok()?;
            if left > 0
                && left < floors.len()
                && self.sum < 1 << 96
                && u32::try_from(floors.len()).is_ok()
            {
                // Each remainder is below the sum, so below 2^96: with the part's
                // number under it (inverted, so the earlier part is larger),
                // one 128-bit key orders the parts as the rule does, and the
                // selection compares plain integers.
                let mut keys: Vec<u128> = remainders
                    .iter()
                    .zip(0u32..)
                    .map(|(&r, i)| (r << 32) | u128::from(u32::MAX - i))
                    .collect();
                keys.select_nth_unstable_by(left, |a, b| b.cmp(a));
                for key in keys.iter().take(left) {
                    let i = (u32::MAX - (*key as u32)) as usize;
                    if let Some(floor) = floors.get_mut(i) {
                        *floor = floor.checked_add(1)?;
                    }
                }
            } else if left > 0 {
                let mut order: Vec<usize> = (0..floors.len()).collect();
                // Largest remainder first, ties to the earlier part: a total order.
                let by_remainder = |a: &usize, b: &usize| {
                    let ra = remainders.get(*a).copied().unwrap_or(0);
                    let rb = remainders.get(*b).copied().unwrap_or(0);
                    rb.cmp(&ra).then(a.cmp(b))
                };
                if left < order.len() {
                    order.select_nth_unstable_by(left, by_remainder);
                }
                for &i in order.iter().take(left) {
                    if let Some(floor) = floors.get_mut(i) {
                        *floor = floor.checked_add(1)?;
                    }
                }
            }
            Some(floors)
        }
    }

    /// `(⌊a·b / d⌋, a·b mod d)` for `d > 0` and `b ≤ d`, exactly.
    pub(super) fn mul_div(a: u128, b: u128, d: u128) -> (u128, u128) {
        // Amounts of money usually multiply within 64 bits: one 64-bit
        // division gives both the quotient and the remainder.
        if let (Ok(a), Ok(b), Ok(d)) = (u64::try_from(a), u64::try_from(b), u64::try_from(d))
            && let Some(product) = a.checked_mul(b)
        {
            return (u128::from(product / d), u128::from(product % d));
        }
        if let Some(product) = a.checked_mul(b) {
            // The remainder without a second 128-bit division.
            let quotient = product / d;
            return (quotient, product - quotient * d);
        }
        let (high, low) = wide(a, b);
        long_div(high, low, d)
    }

    /// The 256-bit product of two `u128`s, as (high, low) halves.
    pub(super) fn wide(a: u128, b: u128) -> (u128, u128) {
        const LOW: u128 = u64::MAX as u128;
        let (a1, a0) = (a >> 64, a & LOW);
        let (b1, b0) = (b >> 64, b & LOW);
        let (p00, p01, p10, p11) = (a0 * b0, a0 * b1, a1 * b0, a1 * b1);
        // The middle column: each term is below 2^128, their sum carries at most twice.
        let (mid, carry1) = p01.overflowing_add(p10);
        let (low, carry2) = p00.overflowing_add(mid << 64);
        let high = p11 + (mid >> 64) + (u128::from(carry1) << 64) + u128::from(carry2);
        (high, low)
    }

    /// `(high·2^128 + low) / d` and its remainder, bit by bit, for a quotient
    /// that fits in 128 bits (`high < d`).
    fn long_div(high: u128, low: u128, d: u128) -> (u128, u128) {
        let mut remainder = high;
        let mut quotient = 0u128;
        for bit in (0..128).rev() {
            let carry = remainder >> 127;
            remainder = (remainder << 1) | ((low >> bit) & 1);
            quotient <<= 1;
            if carry == 1 || remainder >= d {
                remainder = remainder.wrapping_sub(d);
                quotient |= 1;
            }
        }
        (quotient, remainder)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::RoundingMode;
    use proptest::prelude::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn negative_totals_keep_their_sign() -> Result<(), Error> {
        let parts = allocate(d("-1000.01"), &[d("0.7"), d("0.3")], 2)?;
        assert_eq!(parts, vec![d("-700.01"), d("-300.00")]);
        Ok(())
    }

    #[test]
    fn zero_weights_give_zeros() -> Result<(), Error> {
        assert_eq!(
            allocate(d("10"), &[d("0"), d("0")], 2)?,
            vec![d("0.00"), d("0.00")]
        );
        Ok(())
    }

    #[test]
    fn ties_go_to_the_earlier_part() -> Result<(), Error> {
        assert_eq!(
            allocate(d("0.02"), &[d("1"), d("1"), d("1")], 2)?,
            vec![d("0.01"), d("0.01"), d("0.00")]
        );
        Ok(())
    }

    #[test]
    fn weights_at_different_scales_share_exactly() -> Result<(), Error> {
        // Exact shares 33.333…, 33.333… and 33.333…: ties go to the earlier part.
        let parts = allocate(d("100.00"), &[d("1"), d("1.0"), d("1.000000000000")], 2)?;
        assert_eq!(parts, vec![d("33.34"), d("33.33"), d("33.33")]);
        Ok(())
    }

    #[test]
    fn remainders_beyond_twenty_eight_digits_are_compared_exactly() -> Result<(), Error> {
        // Shares of 1 and 1 + 10^-27 against a sum of 2 + 10^-27: the second
        // remainder is larger only past the 28th significant digit of the share.
        let w = d("1.000000000000000000000000001");
        let parts = allocate(d("0.01"), &[d("1"), w], 2)?;
        assert_eq!(parts, vec![d("0.00"), d("0.01")]);
        Ok(())
    }

    #[test]
    fn products_wider_than_128_bits_divide_exactly() {
        let a = (1u128 << 96) - 1;
        let b = (1u128 << 120) + 12_345;
        let d = (1u128 << 121) + 7;
        let (q, r) = exact::mul_div(a, b, d);
        // a·b = q·d + r, checked in halves: a·b and q·d + r agree mod 2^128 and in their top bits.
        assert!(r < d);
        assert_eq!(a.wrapping_mul(b), q.wrapping_mul(d).wrapping_add(r));
        assert_eq!(q, a / 2); // b/d is just over 1/2
    }

    /// The allocation by its definition, in integers small enough for `u128`:
    /// floors of `T·w/S`, then one unit each to the largest `T·w mod S`.
    fn by_definition(units: u128, weights: &[u128]) -> Vec<u128> {
        let sum: u128 = weights.iter().sum();
        if sum == 0 {
            return vec![0; weights.len()];
        }
        let mut parts: Vec<u128> = weights.iter().map(|w| units * w / sum).collect();
        let left = units - parts.iter().sum::<u128>();
        let mut order: Vec<usize> = (0..weights.len()).collect();
        order.sort_by(|&a, &b| (units * weights[b] % sum).cmp(&(units * weights[a] % sum)));
        for &i in order.iter().take(left as usize) {
            parts[i] += 1;
        }
        parts
    }

    proptest! {
        #[test]
        fn prop_allocate_sums_to_total(
            cents in -10_000_000_000i64..10_000_000_000i64,
            weights in proptest::collection::vec(0u32..1_000_000, 1..12),
        ) {
            let total = Decimal::new(rust_decimal::Decimal::new(cents, 2));
            let weights: Vec<Decimal> = weights.into_iter().map(Decimal::from).collect();
            let parts = allocate(total, &weights, 2)?;
            prop_assert_eq!(parts.len(), weights.len());
            let sum = parts.iter().try_fold(Decimal::ZERO, |acc, p| acc.checked_add(*p));
            let weight_sum = weights.iter().try_fold(Decimal::ZERO, |acc, w| acc.checked_add(*w));
            if weight_sum.is_some_and(|w| !w.is_zero()) {
                prop_assert_eq!(sum, Some(total));
            }
        }

        #[test]
        fn prop_allocate_follows_the_definition(
            cents in 0u64..10_000_000_000,
            weights in proptest::collection::vec((0u64..100_000_000, 0u32..12), 1..20),
        ) {
            let total = Decimal::new(rust_decimal::Decimal::new(i64::try_from(cents).unwrap(), 2));
            let decimals: Vec<Decimal> = weights
                .iter()
                .map(|&(m, scale)| Decimal::new(rust_decimal::Decimal::new(i64::try_from(m).unwrap(), scale)))
                .collect();
            // The weights as integers at scale 11 (the largest scale drawn).
            let ints: Vec<u128> = weights
                .iter()
                .map(|&(m, scale)| u128::from(m) * 10u128.pow(11 - scale))
                .collect();
            let want: Vec<Decimal> = by_definition(u128::from(cents), &ints)
                .into_iter()
                .map(|u| Decimal::new(rust_decimal::Decimal::new(i64::try_from(u).unwrap(), 2)))
                .collect();
            prop_assert_eq!(allocate(total, &decimals, 2)?, want);
        }

        #[test]
        fn prop_exact_allocation_equals_the_decimal_one_on_money(
            cents in -1_000_000_000_000i64..1_000_000_000_000,
            weights in proptest::collection::vec((0i64..1_000_000, 0u32..5), 1..12),
            places in 0u32..4,
        ) {
            // Money-sized inputs: the 28 digits of the decimal shares separate
            // every remainder, so both ways give the same parts.
            let total = Decimal::new(rust_decimal::Decimal::new(cents, 2));
            let weights: Vec<Decimal> = weights
                .into_iter()
                .map(|(m, scale)| Decimal::new(rust_decimal::Decimal::new(m, scale)))
                .collect();
            let rounded = crate::money::RoundingMode::HalfEven.round(total, places);
            let mut reference = decimal_parts(rounded, &weights, places).unwrap();
            if rounded.is_negative() {
                reference = reference.into_iter().map(|p| Decimal::new(-p.value())).collect();
            }
            prop_assert_eq!(allocate(total, &weights, places)?, reference);
        }

        #[test]
        fn prop_allocate_sum_is_the_composition(
            amounts in proptest::collection::vec((0i64..1_000_000_000_000, 0u32..16), 0..40),
            negative in proptest::option::of(0usize..40),
            zeros in any::<u64>(),
            mode in 0usize..4,
            places in 0u32..4,
            huge in any::<bool>(),
        ) {
            // Line amounts at the scales a close sees (with zeros, a negative
            // now and then, values past 96 bits): where the one pass answers,
            // it answers what summing, rounding and allocating give.
            let mode = [RoundingMode::HalfEven, RoundingMode::HalfUp, RoundingMode::Down, RoundingMode::Up][mode];
            let pairs: Vec<(i128, u32)> = amounts
                .iter()
                .enumerate()
                .map(|(i, &(m, scale))| {
                    let m = if zeros & (1 << (i % 64)) != 0 { 0 } else { i128::from(m) };
                    let m = if Some(i) == negative { -m } else { m };
                    (if huge { m << 40 } else { m }, scale)
                })
                .collect();
            let decimals: Option<Vec<Decimal>> = pairs
                .iter()
                .map(|&(m, s)| rust_decimal::Decimal::try_from_i128_with_scale(m, s).ok().map(Decimal::new))
                .collect();
            let composed = decimals.as_ref().and_then(|amounts| {
                let total = amounts.iter().try_fold(Decimal::ZERO, |acc, a| acc.checked_add(*a))?;
                allocate(mode.round(total, places), amounts, places).ok()
            });
            let fast = allocate_sum(&pairs, mode, places);
            if let Some(units) = &fast {
                let parts: Vec<Decimal> = units
                    .iter()
                    .map(|u| Decimal::new(rust_decimal::Decimal::from_i128_with_scale(i128::try_from(*u).unwrap(), places)))
                    .collect();
                prop_assert_eq!(Some(parts), composed);
            }
            // Money-sized amounts, none negative, always take the one pass.
            let any_negative = pairs.iter().any(|p| p.0 < 0);
            if !huge && !any_negative {
                prop_assert!(fast.is_some());
            }
        }

        #[test]
        fn prop_allocate_weights_at_a_larger_scale_agree(
            amounts in proptest::collection::vec((0i64..1_000_000_000_000, 0u32..14), 0..40),
            zeros in any::<u64>(),
            extra in 0u32..12,
            mode in 0usize..4,
            places in 0u32..4,
        ) {
            // The same amounts as weights at a scale above their own (as the
            // integer close writes a ledger's lines): allocate_sum's parts
            // whenever the larger sum stays below 2^96, and only then `None`.
            let mode = [RoundingMode::HalfEven, RoundingMode::HalfUp, RoundingMode::Down, RoundingMode::Up][mode];
            let pairs: Vec<(i128, u32)> = amounts
                .iter()
                .enumerate()
                .map(|(i, &(m, scale))| (if zeros & (1 << (i % 64)) != 0 { 0 } else { i128::from(m) }, scale))
                .collect();
            let own = pairs.iter().map(|p| p.1).max().unwrap_or(0);
            let scale = own + extra;
            let weights: Vec<u128> = pairs
                .iter()
                .map(|&(m, s)| u128::try_from(m).unwrap() * 10u128.pow(scale - s))
                .collect();
            let sum = weights.iter().try_fold(0u128, |a, w| a.checked_add(*w));
            let at_scale = sum.and_then(|sum| allocate_weights(weights.clone(), sum, scale, mode, places));
            let reference = allocate_sum(&pairs, mode, places);
            prop_assert!(reference.is_some());
            if sum.is_some_and(|s| s < 1 << 96) && scale <= 28 {
                prop_assert_eq!(at_scale, reference);
            } else {
                prop_assert_eq!(at_scale, None);
            }
        }

        /// Amounts of money: the 64-bit path (and its edge, a product just
        /// past 64 bits) against plain 128-bit arithmetic.
        #[test]
        fn prop_mul_div_is_exact_for_money(
            a in 0u128..(1u128 << 40),
            b in 0u128..(1u128 << 34),
            extra in 0u128..(1u128 << 34),
            shift in 0u32..30,
        ) {
            let (a, b, extra) = (a << shift, b << (shift / 2), extra << (shift / 2));
            let d = b.saturating_add(extra).max(1);
            prop_assert_eq!(exact::mul_div(a, b, d), (a * b / d, a * b % d));
        }

        #[test]
        fn prop_mul_div_is_exact(a in 0u128..(1u128 << 96), b in any::<u128>(), extra in any::<u128>()) {
            let d = b.saturating_add(extra).max(1);
            let b = b.min(d);
            let (q, r) = exact::mul_div(a, b, d);
            prop_assert!(r < d);
            prop_assert!(q <= a);
            // a·b = q·d + r: equal mod 2^128, and q·d ≤ a·b < (q + 1)·d checked in 256 bits.
            prop_assert_eq!(a.wrapping_mul(b), q.wrapping_mul(d).wrapping_add(r));
            let (qh, ql) = exact::wide(q, d);
            let (ph, pl) = exact::wide(a, b);
            let (sum_low, carry) = ql.overflowing_add(r);
            prop_assert_eq!((qh + u128::from(carry), sum_low), (ph, pl));
        }
    }
}
