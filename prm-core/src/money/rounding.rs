//! [`RoundingMode`]: how an exact result becomes an amount in minor units.

use super::Decimal;
use rust_decimal::RoundingStrategy;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How a value is rounded to a currency's minor units.
///
/// prm rounds once per line, never on intermediate values, and totals are
/// sums of rounded lines, so they always reconcile. With two minor units:
///
/// | mode        | 2.345 | 2.355 | -2.345 | 2.341 |
/// |-------------|-------|-------|--------|-------|
/// | `half_even` | 2.34  | 2.36  | -2.34  | 2.34  |
/// | `half_up`   | 2.35  | 2.36  | -2.35  | 2.34  |
/// | `down`      | 2.34  | 2.35  | -2.34  | 2.34  |
/// | `up`        | 2.35  | 2.36  | -2.35  | 2.35  |
///
/// `half_up` rounds ties away from zero; `down` rounds toward zero and `up`
/// away from zero, so a clawback mirrors the line it reverses.
///
/// ```
/// use prm_core::{Decimal, RoundingMode};
/// let v: Decimal = "2.345".parse()?;
/// assert_eq!(RoundingMode::HalfEven.round(v, 2).to_string(), "2.34");
/// assert_eq!(RoundingMode::HalfUp.round(v, 2).to_string(), "2.35");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoundingMode {
    /// Ties go to the even neighbour (banker's rounding): 2.345 → 2.34, 2.355 → 2.36.
    #[default]
    HalfEven,
    /// Ties go away from zero: 2.345 → 2.35, -2.345 → -2.35.
    HalfUp,
    /// Toward zero (truncation): 2.349 → 2.34, -2.349 → -2.34.
    Down,
    /// Away from zero: 2.341 → 2.35, -2.341 → -2.35.
    Up,
}

impl RoundingMode {
    /// Rounds `value` to `places` digits after the point with this mode.
    ///
    /// The result always has exactly `places` digits after the point
    /// (`5` becomes `5.00` at two places), so amounts print as money.
    pub fn round(self, value: Decimal, places: u32) -> Decimal {
        let strategy = match self {
            RoundingMode::HalfEven => RoundingStrategy::MidpointNearestEven,
            RoundingMode::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            RoundingMode::Down => RoundingStrategy::ToZero,
            RoundingMode::Up => RoundingStrategy::AwayFromZero,
        };
        let mut rounded = value.value().round_dp_with_strategy(places, strategy);
        // rescale pads with zeros; it cannot lose digits after the rounding above.
        if rounded.scale() < places {
            rounded.rescale(places);
        }
        Decimal::new(rounded)
    }

    /// The wire spelling (`half_even`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            RoundingMode::HalfEven => "half_even",
            RoundingMode::HalfUp => "half_up",
            RoundingMode::Down => "down",
            RoundingMode::Up => "up",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_table() -> Result<(), crate::Error> {
        use RoundingMode::*;
        for &(mode, input, want) in &[
            (HalfEven, "2.345", "2.34"),
            (HalfEven, "2.355", "2.36"),
            (HalfEven, "-2.345", "-2.34"),
            (HalfUp, "2.345", "2.35"),
            (HalfUp, "-2.345", "-2.35"),
            (Down, "2.349", "2.34"),
            (Down, "-2.349", "-2.34"),
            (Up, "2.341", "2.35"),
            (Up, "-2.341", "-2.35"),
            (HalfEven, "5", "5.00"),
            (HalfUp, "4.99995", "5.00"),
            (HalfEven, "-0.001", "0.00"),
        ] {
            assert_eq!(
                mode.round(input.parse()?, 2).to_string(),
                want,
                "{mode:?} {input}"
            );
        }
        Ok(())
    }

    #[test]
    fn zero_places_for_jpy() -> Result<(), crate::Error> {
        assert_eq!(
            RoundingMode::HalfEven
                .round("1234.5".parse()?, 0)
                .to_string(),
            "1234"
        );
        assert_eq!(
            RoundingMode::HalfUp.round("1234.5".parse()?, 0).to_string(),
            "1235"
        );
        Ok(())
    }

    proptest::proptest! {
        #[test]
        fn prop_rounding_moves_a_value_at_most_half_a_unit(
            mantissa in -(1i128 << 95)..(1i128 << 95),
            scale in 0u32..=28,
            places in 0u32..=4,
        ) {
            let value = Decimal::new(rust_decimal::Decimal::from_i128_with_scale(mantissa, scale));
            let unit = rust_decimal::Decimal::new(1, places);
            let half = unit / rust_decimal::Decimal::TWO;
            for mode in [RoundingMode::HalfEven, RoundingMode::HalfUp, RoundingMode::Down, RoundingMode::Up] {
                let rounded = mode.round(value, places);
                let moved = (rounded.value() - value.value()).abs();
                match mode {
                    RoundingMode::HalfEven | RoundingMode::HalfUp => proptest::prop_assert!(moved <= half, "{mode:?} {value} -> {rounded}"),
                    RoundingMode::Down => {
                        proptest::prop_assert!(moved < unit);
                        proptest::prop_assert!(rounded.abs() <= value.abs());
                    }
                    RoundingMode::Up => {
                        proptest::prop_assert!(moved < unit);
                        proptest::prop_assert!(rounded.abs() >= value.abs());
                    }
                }
                // Padding to `places` digits needs room in the 96-bit mantissa.
                if value.abs().value() < rust_decimal::Decimal::from(10u64.pow(18)) {
                    proptest::prop_assert_eq!(rounded.value().scale(), places);
                }
            }
        }
    }
}
