//! [`Decimal`]: an exact decimal that crosses every boundary as a string.

use crate::error::{Error, ErrorCode, JsonPath, Problem};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

/// An exact decimal number (28 significant digits), never a float.
///
/// On the wire a decimal is a JSON string (`"1234.50"`) or a JSON integer
/// (`12`). A JSON number with a fraction or exponent (`12.5`, `1e3`) is
/// refused with `decimal_must_be_string`: most JSON parsers have already
/// turned it into a binary float and lost digits. Strings follow a strict
/// grammar: an optional `-`, digits, and optionally `.` and more digits, so
/// `"12,50"`, `"1e3"`, `" 5"`, `".5"` and `"1_000"` are `invalid_decimal`.
/// Negative zero reads as zero.
///
/// ```
/// use prm_core::Decimal;
/// let d: Decimal = "1234.50".parse()?;
/// assert_eq!(d.to_string(), "1234.50");
/// assert!("12,50".parse::<Decimal>().is_err());
/// assert_eq!(serde_json::to_string(&d)?, "\"1234.50\"");
/// assert!(serde_json::from_str::<Decimal>("12.5").is_err()); // a float
/// assert_eq!(serde_json::from_str::<Decimal>("12")?.to_string(), "12");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Decimal(rust_decimal::Decimal);

impl Decimal {
    /// Zero.
    pub const ZERO: Decimal = Decimal(rust_decimal::Decimal::ZERO);
    /// One.
    pub const ONE: Decimal = Decimal(rust_decimal::Decimal::ONE);
    /// One hundred.
    pub const ONE_HUNDRED: Decimal = Decimal(rust_decimal::Decimal::ONE_HUNDRED);

    /// Wraps a `rust_decimal::Decimal`, folding negative zero into zero.
    pub fn new(value: rust_decimal::Decimal) -> Decimal {
        let mut value = value;
        if value.is_zero() {
            value.set_sign_positive(true);
        }
        Decimal(value)
    }

    /// The underlying `rust_decimal::Decimal`.
    pub fn value(self) -> rust_decimal::Decimal {
        self.0
    }

    /// Reads a decimal with the strict grammar described on the type.
    ///
    /// # Errors
    ///
    /// `invalid_decimal` at `path` when the text is not a decimal, or has more
    /// than 28 digits after the point (it is never rounded silently).
    pub fn parse_at(text: &str, path: &JsonPath) -> Result<Decimal, Error> {
        if !is_decimal_text(text) {
            return Err(Error::problem(
                Problem::new(ErrorCode::InvalidDecimal, path)
                    .message(format!("expected a decimal such as `1234.50`, found `{text}`"))
                    .help("use digits with an optional `-` and `.`; no spaces, commas, exponents or `%`"),
            ));
        }
        rust_decimal::Decimal::from_str_exact(text)
            .map(Decimal::new)
            .map_err(|e| {
                Error::problem(
                    Problem::new(ErrorCode::InvalidDecimal, path)
                        .message(format!("`{text}` cannot be held exactly: {e}"))
                        .help("decimals have at most 28 significant digits"),
                )
            })
    }

    /// True when the value is zero.
    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// True when the value is below zero.
    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    /// The decimal as text, as `to_string` writes it (`-12.50`), without going
    /// through a formatter: for the many amounts explanations write.
    pub(crate) fn to_text(self) -> String {
        let magnitude = self.0.mantissa().unsigned_abs();
        let Ok(digits) = u64::try_from(magnitude) else {
            return self.to_string();
        };
        let mut buffer = [0u8; 64];
        let text = write_digits(&mut buffer, digits, self.0.scale());
        let mut out = String::with_capacity(text.len() + 1);
        if self.0.is_sign_negative() {
            out.push('-');
        }
        out.push_str(text);
        out
    }

    /// The number of digits after the point, trailing zeros removed.
    pub fn significant_scale(self) -> u32 {
        self.0.normalize().scale()
    }

    /// `self + other`, or `None` on overflow.
    pub fn checked_add(self, other: Decimal) -> Option<Decimal> {
        self.0.checked_add(other.0).map(Decimal::new)
    }

    /// `self - other`, or `None` on overflow.
    pub fn checked_sub(self, other: Decimal) -> Option<Decimal> {
        self.0.checked_sub(other.0).map(Decimal::new)
    }

    /// `self * other`, or `None` on overflow.
    pub fn checked_mul(self, other: Decimal) -> Option<Decimal> {
        self.0.checked_mul(other.0).map(Decimal::new)
    }

    /// `self / other`, or `None` on overflow or division by zero.
    pub fn checked_div(self, other: Decimal) -> Option<Decimal> {
        self.0.checked_div(other.0).map(Decimal::new)
    }

    /// The absolute value.
    pub fn abs(self) -> Decimal {
        Decimal(self.0.abs())
    }

    /// The smaller of two values.
    pub fn min(self, other: Decimal) -> Decimal {
        if other < self { other } else { self }
    }

    /// The larger of two values.
    pub fn max(self, other: Decimal) -> Decimal {
        if other > self { other } else { self }
    }
}

fn is_decimal_text(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && fraction.is_none_or(all_digits)
}

impl FromStr for Decimal {
    type Err = Error;
    fn from_str(text: &str) -> Result<Decimal, Error> {
        Decimal::parse_at(text, &JsonPath::root())
    }
}

impl From<rust_decimal::Decimal> for Decimal {
    fn from(value: rust_decimal::Decimal) -> Decimal {
        Decimal::new(value)
    }
}

impl From<Decimal> for rust_decimal::Decimal {
    fn from(value: Decimal) -> rust_decimal::Decimal {
        value.0
    }
}

impl From<i64> for Decimal {
    fn from(value: i64) -> Decimal {
        Decimal(rust_decimal::Decimal::from(value))
    }
}

impl From<u32> for Decimal {
    fn from(value: u32) -> Decimal {
        Decimal(rust_decimal::Decimal::from(value))
    }
}

impl fmt::Display for Decimal {
    /// Writes the decimal as `rust_decimal` does (`-12.50`), digit for digit.
    ///
    /// Amounts whose digits fit in 64 bits (every money amount in practice)
    /// are written from a machine integer; `rust_decimal` divides its 96-bit
    /// mantissa by ten once per digit, which made formatting the largest cost
    /// of statements and explanations.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let magnitude = self.0.mantissa().unsigned_abs();
        match u64::try_from(magnitude) {
            Ok(digits) if f.precision().is_none() => {
                let mut buffer = [0u8; 64];
                let text = write_digits(&mut buffer, digits, self.0.scale());
                f.pad_integral(self.0.is_sign_positive(), "", text)
            }
            _ => fmt::Display::fmt(&self.0, f),
        }
    }
}

/// Writes `digits` with the decimal point `scale` digits from the right, as
/// `rust_decimal` does (`0.05`, `12.50`, `7`), at the end of `buffer`.
fn write_digits(buffer: &mut [u8; 64], digits: u64, scale: u32) -> &str {
    let mut at = buffer.len();
    let mut put = |buffer: &mut [u8; 64], byte: u8| {
        at = at.saturating_sub(1);
        if let Some(slot) = buffer.get_mut(at) {
            *slot = byte;
        }
        at
    };
    let mut rest = digits;
    let mut start = buffer.len();
    for _ in 0..scale {
        start = put(buffer, b'0' + (rest % 10) as u8);
        rest /= 10;
    }
    if scale > 0 {
        start = put(buffer, b'.');
        if rest == 0 {
            start = put(buffer, b'0');
        }
    }
    while rest > 0 {
        start = put(buffer, b'0' + (rest % 10) as u8);
        rest /= 10;
    }
    if start == buffer.len() {
        // Zero with no decimal places.
        start = put(buffer, b'0');
    }
    buffer
        .get(start..)
        .and_then(|bytes| std::str::from_utf8(bytes).ok())
        .unwrap_or("")
}

impl fmt::Debug for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Decimal({})", self.0)
    }
}

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

/// The message serde reports for a float where a decimal belongs.
pub(crate) const FLOAT_MESSAGE: &str = "a decimal must be a JSON string such as \"12.50\" (or an integer), not a number with a fraction";

struct DecimalVisitor;

impl de::Visitor<'_> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal string such as \"12.50\" or an integer")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Decimal, E> {
        Decimal::from_str(text)
            .map_err(|e| E::custom(e.problems().first().map_or("", |p| p.text())))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Decimal, E> {
        Ok(Decimal(rust_decimal::Decimal::from(value)))
    }

    fn visit_f64<E: de::Error>(self, _value: f64) -> Result<Decimal, E> {
        Err(E::custom(FLOAT_MESSAGE))
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        deserializer.deserialize_any(DecimalVisitor)
    }
}

impl JsonSchema for Decimal {
    fn schema_name() -> Cow<'static, str> {
        "Decimal".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "An exact decimal as a string (\"1234.50\") or an integer; never a JSON number with a fraction.",
            "type": ["string", "integer"],
            "format": "decimal",
            "pattern": "^-?[0-9]+(\\.[0-9]+)?$"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_grammar_table() {
        for &(text, ok) in &[
            ("0", true),
            ("-12.50", true),
            ("1234567890123456789012345678", true),
            ("0.0000000000000000000000000001", true),
            ("12,50", false),
            ("1e3", false),
            (" 5", false),
            (".5", false),
            ("5.", false),
            ("1_000", false),
            ("+5", false),
            ("", false),
            ("-", false),
            ("7%", false),
            ("0.00000000000000000000000000001", false), // 29 places would round
        ] {
            assert_eq!(text.parse::<Decimal>().is_ok(), ok, "{text}");
        }
    }

    #[test]
    fn negative_zero_reads_as_zero() -> Result<(), Error> {
        let d: Decimal = "-0.00".parse()?;
        assert!(!d.is_negative());
        assert_eq!(d.to_string(), "0.00");
        Ok(())
    }

    #[test]
    fn display_matches_rust_decimal() {
        for text in [
            "0",
            "0.00",
            "-0.00",
            "7",
            "12.50",
            "-12.50",
            "0.05",
            "0.0000000001",
            "1000",
            "18446744073709551615",
            "18446744073709551616",
            "-18446744073709551615.5",
            "0.0000000000000000000000000001",
            "1234567890123456789012345678",
        ] {
            let raw: rust_decimal::Decimal = text.parse().unwrap();
            let ours = Decimal(raw);
            assert_eq!(ours.to_string(), raw.to_string(), "{text}");
            assert_eq!(format!("{ours:>30}"), format!("{raw:>30}"), "{text}");
            assert_eq!(format!("{ours:+}"), format!("{raw:+}"), "{text}");
            assert_eq!(format!("{ours:.3}"), format!("{raw:.3}"), "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        fn prop_display_matches_rust_decimal(
            lo in proptest::prelude::any::<u32>(),
            mid in proptest::prelude::any::<u32>(),
            hi in 0u32..3,
            zero in proptest::prelude::any::<bool>(),
            negative in proptest::prelude::any::<bool>(),
            scale in 0u32..=28,
        ) {
            let (lo, mid, hi) = if zero { (0, 0, 0) } else { (lo, mid, hi) };
            let raw = rust_decimal::Decimal::from_parts(lo, mid, hi, negative, scale);
            let ours = Decimal(raw);
            proptest::prop_assert_eq!(ours.to_string(), raw.to_string());
            proptest::prop_assert_eq!(format!("{ours:<40}"), format!("{raw:<40}"));
        }
    }

    proptest::proptest! {
        #[test]
        fn prop_to_text_equals_to_string(
            lo in proptest::prelude::any::<u32>(),
            mid in proptest::prelude::any::<u32>(),
            hi in 0u32..4,
            negative in proptest::prelude::any::<bool>(),
            scale in 0u32..=28,
        ) {
            let value = Decimal::new(rust_decimal::Decimal::from_parts(lo, mid, hi, negative, scale));
            proptest::prop_assert_eq!(value.to_text(), value.to_string());
        }
    }

    proptest::proptest! {
        #[test]
        fn prop_text_round_trips(mantissa in -(1i128 << 95)..(1i128 << 95), scale in 0u32..=28) {
            let value = Decimal::new(rust_decimal::Decimal::from_i128_with_scale(mantissa, scale));
            let text = value.to_string();
            let back: Decimal = text.parse()?;
            proptest::prop_assert_eq!(back, value);
            proptest::prop_assert_eq!(back.to_string(), text);
            let json = serde_json::to_string(&value).map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
            let from_json: Decimal = serde_json::from_str(&json).map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
            proptest::prop_assert_eq!(from_json, value);
        }
    }
}
