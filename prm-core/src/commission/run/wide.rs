//! A sale line's multiplied amount in 128-bit integers: the same value and
//! scale as the decimal arithmetic, in a few integer operations.
//!
//! At the close, every line of a plan with period tables is priced as
//! `(pre + Σ round(basis × ratio, SHARE_PLACES)) × multiplier`. In decimals
//! that is a multiplication, a rounding and an addition per table and one
//! more multiplication, each aligning scales and checking 96-bit overflow on
//! its own: about 700 instructions a line, for a million lines. Here each
//! value is a mantissa and a scale, and every step is exact. Where a result
//! could leave the range in which the decimal arithmetic is itself exact (a
//! mantissa of 96 bits, 28 places), [`multiplied`] gives `None` and the
//! caller takes the decimal path, so the answer is always the decimal one
//! (a property test checks the two agree, value and scale).

use crate::money::Decimal;

/// The largest mantissa a decimal holds: 2^96 − 1.
const MAX_MANTISSA: i128 = (1 << 96) - 1;
/// The most places a decimal holds.
const MAX_SCALE: u32 = 28;

/// An exact value: `mantissa × 10^-scale`, inside the decimal range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Wide {
    pub(super) mantissa: i128,
    pub(super) scale: u32,
}

/// 10^n, for n up to 28 (looked up rather than computed for every line).
fn ten_to(n: u32) -> Option<i128> {
    crate::money::ten_to(n).and_then(|p| i128::try_from(p).ok())
}

/// `a × b`, `None` past 128 bits. Two factors of 64 bits multiply into 127
/// bits at most: that product cannot wrap and skips the overflow check (a
/// library call for 128 bits), which is the common case here.
fn product(a: i128, b: i128) -> Option<i128> {
    match (i64::try_from(a), i64::try_from(b)) {
        (Ok(a), Ok(b)) => Some(i128::from(a).wrapping_mul(i128::from(b))),
        _ => a.checked_mul(b),
    }
}

impl Wide {
    pub(super) fn of(value: Decimal) -> Wide {
        let v = value.value();
        Wide {
            mantissa: v.mantissa(),
            scale: v.scale(),
        }
    }

    /// `Some` when the value fits a decimal as it is.
    fn checked(mantissa: i128, scale: u32) -> Option<Wide> {
        (scale <= MAX_SCALE && mantissa.unsigned_abs() <= MAX_MANTISSA.unsigned_abs())
            .then_some(Wide { mantissa, scale })
    }

    /// `self` written with `scale` places (at least as many as it has), when it fits.
    fn at(self, scale: u32) -> Option<Wide> {
        if scale == self.scale {
            return Some(self);
        }
        let factor = ten_to(scale.checked_sub(self.scale)?)?;
        Wide::checked(product(self.mantissa, factor)?, scale)
    }

    /// The sum, at the larger scale, as decimal addition gives it when both
    /// operands and the sum fit that scale. Like decimal addition, a zero
    /// operand gives the other one back as it is (`0.000 + 1.5` is `1.5`).
    pub(super) fn add(self, other: Wide) -> Option<Wide> {
        if self.mantissa == 0 {
            return Some(other);
        }
        if other.mantissa == 0 {
            return Some(self);
        }
        let scale = self.scale.max(other.scale);
        let (a, b) = (self.at(scale)?, other.at(scale)?);
        Wide::checked(a.mantissa.checked_add(b.mantissa)?, scale)
    }

    /// The product, at the sum of the scales, as decimal multiplication
    /// gives it when that fits; like it, a zero operand gives a plain `0`.
    pub(super) fn mul(self, other: Wide) -> Option<Wide> {
        if self.mantissa == 0 || other.mantissa == 0 {
            return Some(Wide {
                mantissa: 0,
                scale: 0,
            });
        }
        Wide::checked(
            product(self.mantissa, other.mantissa)?,
            self.scale.checked_add(other.scale)?,
        )
    }

    /// Rounded half to even to `places`, and written with exactly that many
    /// (as [`crate::money::RoundingMode::round`] gives it).
    fn round_half_even(self, places: u32) -> Option<Wide> {
        let Some(drop) = self.scale.checked_sub(places).filter(|d| *d > 0) else {
            return self.at(places);
        };
        let divisor = ten_to(drop)?;
        let quotient = self.mantissa / divisor;
        // The remainder without a second 128-bit division: |q × d| ≤ |m|.
        let remainder = self
            .mantissa
            .wrapping_sub(quotient.wrapping_mul(divisor))
            .unsigned_abs()
            * 2;
        let half = divisor.unsigned_abs();
        let away = remainder > half || (remainder == half && quotient % 2 != 0);
        let rounded = if !away {
            quotient
        } else if self.mantissa < 0 {
            quotient - 1
        } else {
            quotient + 1
        };
        Wide::checked(rounded, places)
    }

    fn decimal(self) -> Option<Decimal> {
        rust_decimal::Decimal::try_from_i128_with_scale(self.mantissa, self.scale)
            .ok()
            .map(Decimal::new)
    }
}

/// A period's ratio made ready for the lines whose basis has one scale (the
/// currency's places): `round_half_even(basis × ratio, places)` in one 64-bit
/// multiplication and one 64-bit division. The ratio is split once at the
/// divisor `D = 10^(basis scale + ratio scale − places)` into `ratio = whole
/// × D + part`, so that `basis × ratio = basis × whole × D + basis × part`:
/// the quotient by `D` is `basis × whole` plus the quotient of `basis ×
/// part`, which is below `basis × D` and so fits 64 bits for any basis below
/// `2^64 / D` (for cents and a 16-place ratio, a basis below 1.8 billion).
/// Any other basis, and a ratio that cannot be split so, takes
/// [`Wide::mul`] and [`Wide::round_half_even`], whose answer this is
/// (`prop_a_prepared_ratio_gives_what_mul_and_round_give`).
#[derive(Debug, Clone, Copy)]
pub(super) struct PreparedRatio {
    ratio: Wide,
    places: u32,
    /// The basis scale the split is for.
    basis_scale: u32,
    /// `D`, from 10 to 10^19; 0 when the ratio is not split (every share
    /// then takes the general operations).
    divisor: u64,
    whole: u64,
    part: u64,
}

impl PreparedRatio {
    /// `ratio` made ready for a basis of `basis_scale` places, its shares rounded to `places`.
    pub(super) fn new(ratio: Wide, basis_scale: u32, places: u32) -> PreparedRatio {
        let split = basis_scale
            .checked_add(ratio.scale)
            .filter(|scale| *scale <= MAX_SCALE)
            .and_then(|scale| scale.checked_sub(places))
            .filter(|drop| (1..=19).contains(drop))
            .and_then(ten_to)
            .and_then(|d| u64::try_from(d).ok())
            .zip(u64::try_from(ratio.mantissa).ok());
        let (divisor, whole, part) = match split {
            Some((d, r)) => (d, r / d, r % d),
            None => (0, 0, 0),
        };
        PreparedRatio {
            ratio,
            places,
            basis_scale,
            divisor,
            whole,
            part,
        }
    }

    /// `basis.mul(ratio)?.round_half_even(places)`, value and scale.
    pub(super) fn share(&self, basis: Wide) -> Option<Wide> {
        let d = self.divisor;
        if d != 0
            && basis.scale == self.basis_scale
            && let Ok(b) = u64::try_from(basis.mantissa)
            && b <= u64::MAX / d
        {
            // Like the general product, a product past 96 bits is left to the decimals.
            // (The ratio was split, so it is below 2^64 and the product fits 128 bits.)
            if u128::from(b) * self.ratio.mantissa.unsigned_abs() > MAX_MANTISSA.unsigned_abs() {
                return None;
            }
            // `b × part < b × d ≤ 2^64`; one division gives quotient and remainder.
            let low = b.wrapping_mul(self.part);
            let (q, remainder) = (low / d, low % d);
            let quotient = u128::from(b) * u128::from(self.whole) + u128::from(q);
            // Half to even: past the half, or on it with an odd quotient.
            let twice = u128::from(remainder) * 2;
            let away = twice > u128::from(d) || (twice == u128::from(d) && quotient % 2 != 0);
            let rounded = quotient + u128::from(away);
            return Wide::checked(i128::try_from(rounded).ok()?, self.places);
        }
        basis.mul(self.ratio)?.round_half_even(self.places)
    }
}

/// `(pre + Σ round_half_even(basis × ratio, places)) × multiplier`, exactly
/// as the decimal operations in that order give it (value and scale), or
/// `None` when a step could leave the range where they are exact.
pub(super) fn multiplied(
    pre: Decimal,
    basis: Decimal,
    ratios: impl IntoIterator<Item = Decimal>,
    places: u32,
    multiplier: Decimal,
) -> Option<Decimal> {
    let basis = Wide::of(basis);
    let ratios = ratios
        .into_iter()
        .map(|r| PreparedRatio::new(Wide::of(r), basis.scale, places));
    multiplied_wide(Wide::of(pre), basis, ratios, Wide::of(multiplier))?.decimal()
}

/// [`multiplied`] on values already in 128 bits, with the period's ratios
/// prepared. (The integer close, `units::weight`, takes the same steps with
/// every line at one scale, the ratios converted and split once a period.)
fn multiplied_wide(
    pre: Wide,
    basis: Wide,
    ratios: impl IntoIterator<Item = PreparedRatio>,
    multiplier: Wide,
) -> Option<Wide> {
    let mut base = pre;
    for ratio in ratios {
        base = base.add(ratio.share(basis)?)?;
    }
    base.mul(multiplier)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::RoundingMode;
    use proptest::prelude::*;

    /// The decimal operations [`multiplied`] stands for, in the same order.
    fn by_decimals(
        pre: Decimal,
        basis: Decimal,
        ratios: &[Decimal],
        places: u32,
        multiplier: Decimal,
    ) -> Option<Decimal> {
        let mut base = pre;
        for ratio in ratios {
            let part = RoundingMode::HalfEven.round(basis.checked_mul(*ratio)?, places);
            base = base.checked_add(part)?;
        }
        base.checked_mul(multiplier)
    }

    fn decimal(mantissa: i64, scale: u32) -> Decimal {
        Decimal::new(rust_decimal::Decimal::new(mantissa, scale))
    }

    #[test]
    fn a_line_of_the_benchmark_plan() {
        // 1,234.56 at 5% (61.7280), a period table paying 0.0123456789012345
        // of its basis (15.2414814... rounded to 15.2414813443), at tier
        // multiplier 1.25: (61.7280 + 15.2414813443) × 1.25.
        let (pre, basis) = (decimal(617_280, 4), decimal(123_456, 2));
        let ratio = decimal(123_456_789_012_345, 16);
        let multiplier = decimal(125, 2);
        let fast = multiplied(pre, basis, [ratio], 10, multiplier).unwrap();
        assert_eq!(fast.to_string(), "96.211851680375");
        let slow = by_decimals(pre, basis, &[ratio], 10, multiplier).unwrap();
        assert_eq!(fast.to_string(), slow.to_string());
    }

    /// What [`PreparedRatio::share`] stands for: the general product, rounded.
    fn general_share(basis: Wide, ratio: Wide, places: u32) -> Option<Wide> {
        basis.mul(ratio)?.round_half_even(places)
    }

    #[test]
    fn a_prepared_ratio_splits_at_its_divisor() {
        // 0.0123456789012345 for cents, rounded to 10 places: D = 10^8, so
        // whole = 1234567 and part = 89012345. 1,234.56 × it = 15.24148134...
        let ratio = Wide {
            mantissa: 123_456_789_012_345,
            scale: 16,
        };
        let prepared = PreparedRatio::new(ratio, 2, 10);
        assert_eq!(
            (prepared.divisor, prepared.whole, prepared.part),
            (100_000_000, 1_234_567, 89_012_345)
        );
        let basis = Wide {
            mantissa: 123_456,
            scale: 2,
        };
        let share = prepared.share(basis).unwrap();
        assert_eq!(
            share,
            Wide {
                mantissa: 152_414_813_443,
                scale: 10
            }
        );
        assert_eq!(Some(share), general_share(basis, ratio, 10));
    }

    #[test]
    fn halves_round_to_even_either_way_and_past_the_range_is_left_to_decimals() {
        let one = Decimal::ONE;
        // 0.5 × 0.25 = 0.125 → 0.12; 0.5 × 0.75 = 0.375 → 0.38; negative too.
        for (basis, ratio, want) in [
            (decimal(5, 1), decimal(25, 2), "0.12"),
            (decimal(5, 1), decimal(75, 2), "0.38"),
            (decimal(-5, 1), decimal(25, 2), "-0.12"),
            (decimal(-5, 1), decimal(75, 2), "-0.38"),
            // Zero: a zero product is a plain `0`, as decimal multiplication gives it.
            (decimal(-1, 3), decimal(1, 0), "0"),
        ] {
            let got = multiplied(Decimal::ZERO, basis, [ratio], 2, one).unwrap();
            assert_eq!(got.to_string(), want);
            let slow = by_decimals(Decimal::ZERO, basis, &[ratio], 2, one).unwrap();
            assert_eq!(slow.to_string(), want);
        }
        // A product past 96 bits: the decimal path decides.
        let big = Decimal::new(rust_decimal::Decimal::MAX);
        assert_eq!(multiplied(Decimal::ZERO, big, [big], 2, one), None);
        assert_eq!(multiplied(big, Decimal::ONE, [], 2, decimal(2, 0)), None);
    }

    proptest! {
        #[test]
        fn prop_multiplied_equals_the_decimal_operations(
            pre in (-1_000_000_000_000i64..1_000_000_000_000, 0u32..8),
            basis in (-1_000_000_000_000i64..1_000_000_000_000, 0u32..5),
            ratios in proptest::collection::vec(
                (-100_000_000_000_000_000i64..100_000_000_000_000_000, 0u32..29),
                0..3,
            ),
            places in 0u32..14,
            multiplier in (-100_000i64..100_000, 0u32..4),
            zeros in 0u32..16,
            huge in any::<bool>(),
        ) {
            // Money-sized values at many scales (with zeros now and then), and
            // values far past money: where the fast path answers, it answers
            // what the decimals do.
            let zero = |bit: u32, d: Decimal| if zeros & (1 << bit) != 0 { Decimal::ZERO } else { d };
            let widen = |m: i64| if huge { m.saturating_mul(1 << 20) } else { m };
            let pre = zero(0, decimal(widen(pre.0), pre.1));
            let basis = zero(1, decimal(widen(basis.0), basis.1));
            let ratios: Vec<Decimal> = ratios.iter().map(|(m, s)| zero(2, decimal(*m, *s))).collect();
            let multiplier = zero(3, decimal(multiplier.0, multiplier.1));
            let slow = by_decimals(pre, basis, &ratios, places, multiplier);
            // `None` leaves the line to the decimals (see the next property
            // for money-sized lines, which never are).
            if let Some(fast) = multiplied(pre, basis, ratios.iter().copied(), places, multiplier) {
                prop_assert_eq!(Some(fast.to_string()), slow.map(|d| d.to_string()));
                prop_assert_eq!(Some(fast.value().scale()), slow.map(|d| d.value().scale()));
            }
        }

        #[test]
        fn prop_a_prepared_ratio_gives_what_mul_and_round_give(
            basis in (-1_000_000_000_000i64..1_000_000_000_000, 0u32..5),
            ratio in (-100_000_000_000_000_000i64..100_000_000_000_000_000, 0u32..29),
            prepared_for in 0u32..5,
            places in 0u32..14,
            shift in 0u32..24,
        ) {
            // Bases of the scale the ratio was split for and of others, up to
            // and past the 64-bit limit of the split (`shift` widens them),
            // ratios of every scale and sign: the general operations' answer.
            let b = basis.0.saturating_mul(1 << shift);
            let basis = Wide { mantissa: i128::from(b), scale: basis.1 };
            let ratio = Wide { mantissa: i128::from(ratio.0), scale: ratio.1 };
            let prepared = PreparedRatio::new(ratio, prepared_for, places);
            prop_assert_eq!(prepared.share(basis), general_share(basis, ratio, places));
            // And on the basis scale the split was made for.
            let own = Wide { mantissa: basis.mantissa.abs(), scale: prepared_for };
            prop_assert_eq!(prepared.share(own), general_share(own, ratio, places));
        }

        #[test]
        fn prop_a_prepared_ratio_rounds_halves_to_even(
            basis_scale in 0u32..5,
            ratio_scale in 0u32..29,
            drop in 0u32..19,
            basis in 0u64..1_000_000_000,
            whole in 0u64..1_000_000,
        ) {
            // A ratio of `whole × D + D/2` times an odd basis leaves exactly
            // half a unit for every divisor D the split takes (10 to 10^19),
            // with quotients of both parities.
            let scale = basis_scale + ratio_scale;
            let drop = 1 + drop % scale.clamp(1, 19);
            let places = scale.saturating_sub(drop);
            let d = 10u64.pow(drop);
            let Some(r) = whole.checked_mul(d).and_then(|r| r.checked_add(d / 2)) else {
                return Ok(());
            };
            let ratio = Wide { mantissa: i128::from(r), scale: ratio_scale };
            let basis = Wide { mantissa: i128::from(2 * basis + 1), scale: basis_scale };
            let prepared = PreparedRatio::new(ratio, basis_scale, places);
            if (1..=28).contains(&scale) {
                prop_assert_eq!(prepared.divisor, d);
            }
            prop_assert_eq!(prepared.share(basis), general_share(basis, ratio, places));
        }

        #[test]
        fn prop_money_sized_lines_never_leave_the_fast_path(
            pre in 0i64..10_000_000_000,
            basis in 0i64..100_000_000_000,
            ratio in 0i64..10_000_000_000_000_000,
            multiplier in 0i64..1000,
        ) {
            let (pre, basis) = (decimal(pre, 4), decimal(basis, 2));
            let (ratio, multiplier) = (decimal(ratio, 16), decimal(multiplier, 2));
            let fast = multiplied(pre, basis, [ratio], 10, multiplier);
            prop_assert!(fast.is_some());
            let slow = by_decimals(pre, basis, &[ratio], 10, multiplier);
            prop_assert_eq!(fast.map(|d| d.to_string()), slow.map(|d| d.to_string()));
        }
    }
}
