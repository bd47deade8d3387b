//! Largest-remainder allocation: split an amount into parts that sum exactly.

use super::Decimal;
use crate::error::{Error, JsonPath};

/// Splits `total` in proportion to `weights`, rounded to `places`, so the parts
/// add up to `total` exactly (the largest-remainder, or Hamilton, method).
///
/// Each part starts as its exact share truncated toward zero; the minor units
/// left over go one each to the parts with the largest remainders, ties to the
/// earlier part. `total` is first rounded half-even to `places` if it has more
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
    let mut weight_sum = Decimal::ZERO;
    for (i, w) in weights.iter().enumerate() {
        if w.is_negative() {
            return Err(Error::problem(
                Problem::new(ErrorCode::InvalidValue, JsonPath::root().index(i))
                    .message(format!("allocation weight {w} is negative")),
            ));
        }
        weight_sum = weight_sum.checked_add(*w).ok_or_else(overflow)?;
    }
    let zero = super::RoundingMode::HalfEven.round(Decimal::ZERO, places);
    if weight_sum.is_zero() {
        return Ok(vec![zero; weights.len()]);
    }
    let negative = total.is_negative();
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
        }
        .ok_or_else(overflow)?;
        let floor = super::RoundingMode::Down.round(exact, places);
        let remainder = exact.checked_sub(floor).ok_or_else(overflow)?;
        assigned = assigned.checked_add(floor).ok_or_else(overflow)?;
        parts.push(floor);
        remainders.push(remainder);
    }
    let unit = Decimal::new(rust_decimal::Decimal::new(1, places));
    let left = magnitude.checked_sub(assigned).ok_or_else(overflow)?;
    let units_left = left.checked_div(unit).ok_or_else(overflow)?;
    let mut order: Vec<usize> = (0..weights.len()).collect();
    // The index breaks ties, so the order is total and an unstable sort gives the stable one's.
    order.sort_unstable_by(|&a, &b| {
        let ra = remainders.get(a).copied().unwrap_or_default();
        let rb = remainders.get(b).copied().unwrap_or_default();
        rb.cmp(&ra).then(a.cmp(&b))
    });
    let mut remaining = units_left;
    for index in order {
        if remaining <= Decimal::ZERO {
            break;
        }
        if let Some(part) = parts.get_mut(index) {
            *part = part.checked_add(unit).ok_or_else(overflow)?;
            remaining = remaining.checked_sub(Decimal::ONE).ok_or_else(overflow)?;
        }
    }
    if negative {
        for part in &mut parts {
            *part = Decimal::new(-part.value());
        }
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;
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
    }
}
