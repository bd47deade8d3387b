//! [`Rate`]: a decimal fraction such as `0.07`, also written `"7%"`.

use super::Decimal;
use crate::error::{Error, ErrorCode, JsonPath, Problem};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

/// A rate as a decimal fraction: `0.07` is seven percent.
///
/// The JSON form is a decimal string (`"0.07"`), a percent string (`"7%"`,
/// exactly `0.07`), or an integer (`1` is one hundred percent). It is written
/// back as a decimal fraction. Whether a negative rate makes sense is up to
/// the engine that reads it.
///
/// ```
/// use prm_core::Rate;
/// let a: Rate = "7%".parse()?;
/// let b: Rate = "0.07".parse()?;
/// assert_eq!(a, b);
/// assert_eq!(a.to_string(), "0.07");
/// assert_eq!("12.5%".parse::<Rate>()?.to_string(), "0.125");
/// assert!("7 %".parse::<Rate>().is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Rate(Decimal);

impl Rate {
    /// A rate from its decimal fraction.
    pub fn new(fraction: Decimal) -> Rate {
        Rate(fraction)
    }

    /// The decimal fraction (`0.07` for seven percent).
    pub fn fraction(self) -> Decimal {
        self.0
    }

    /// Reads `"0.07"` or `"7%"`.
    ///
    /// # Errors
    ///
    /// `invalid_rate` at `path` when the text is neither.
    pub fn parse_at(text: &str, path: &JsonPath) -> Result<Rate, Error> {
        let invalid = || {
            Error::problem(Problem::new(ErrorCode::InvalidRate, path).message(format!(
                "expected a rate such as `0.07` or `7%`, found `{text}`"
            )))
        };
        match text.strip_suffix('%') {
            Some(percent) => {
                let value = Decimal::parse_at(percent, path).map_err(|_| invalid())?;
                value
                    .checked_div(Decimal::ONE_HUNDRED)
                    .map(|d| Rate(normalize(d)))
                    .ok_or_else(invalid)
            }
            None => Decimal::parse_at(text, path)
                .map(Rate)
                .map_err(|_| invalid()),
        }
    }
}

fn normalize(d: Decimal) -> Decimal {
    Decimal::new(d.value().normalize())
}

impl FromStr for Rate {
    type Err = Error;
    fn from_str(text: &str) -> Result<Rate, Error> {
        Rate::parse_at(text, &JsonPath::root())
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Rate({})", self.0)
    }
}

impl Serialize for Rate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

struct RateVisitor;

impl de::Visitor<'_> for RateVisitor {
    type Value = Rate;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a rate such as \"0.07\" or \"7%\"")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Rate, E> {
        Rate::from_str(text).map_err(|e| E::custom(e.problems().first().map_or("", |p| p.text())))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Rate, E> {
        Ok(Rate(Decimal::from(value)))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Rate, E> {
        Ok(Rate(Decimal::new(rust_decimal::Decimal::from(value))))
    }

    fn visit_f64<E: de::Error>(self, _value: f64) -> Result<Rate, E> {
        Err(E::custom(super::decimal::FLOAT_MESSAGE))
    }
}

impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Rate, D::Error> {
        deserializer.deserialize_any(RateVisitor)
    }
}

impl JsonSchema for Rate {
    fn schema_name() -> Cow<'static, str> {
        "Rate".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A rate: a decimal fraction as a string (\"0.07\"), a percent (\"7%\") or an integer.",
            "type": ["string", "integer"],
            "format": "rate",
            "pattern": "^-?[0-9]+(\\.[0-9]+)?%?$"
        })
    }
}
