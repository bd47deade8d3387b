//! [`Currency`]: ISO 4217 codes with their minor units.

use crate::error::{Error, ErrorCode, JsonPath, Problem};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

/// An ISO 4217 currency with minor units (EUR 2, JPY 0, HUF 2, BHD 3).
///
/// Codes are exactly three upper-case letters. Codes without minor units
/// (gold `XAU`, SDR `XDR`) are refused: prm cannot round in them.
///
/// ```
/// use prm_core::Currency;
/// let bhd: Currency = "BHD".parse()?;
/// assert_eq!(bhd.minor_units(), 3);
/// assert_eq!("JPY".parse::<Currency>()?.minor_units(), 0);
/// assert!("EUX".parse::<Currency>().is_err());
/// assert!("eur".parse::<Currency>().is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    iso: iso_currency::Currency,
    minor_units: u32,
}

impl Currency {
    /// Reads an ISO 4217 code.
    ///
    /// # Errors
    ///
    /// `unknown_currency` at `path` when the code is not an ISO 4217 code with minor units.
    pub fn parse_at(code: &str, path: &JsonPath) -> Result<Currency, Error> {
        let unknown = || {
            Error::problem(
                Problem::new(ErrorCode::UnknownCurrency, path)
                    .message(format!("unknown currency `{code}`"))
                    .help("use an ISO 4217 code in upper case, such as `EUR`, `USD` or `JPY`"),
            )
        };
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(unknown());
        }
        let iso = iso_currency::Currency::from_code(code).ok_or_else(unknown)?;
        let minor_units = iso.exponent().ok_or_else(unknown)?;
        Ok(Currency {
            iso,
            minor_units: u32::from(minor_units),
        })
    }

    /// The three-letter code, e.g. `EUR`.
    pub fn code(self) -> &'static str {
        self.iso.code()
    }

    /// Digits after the point in this currency's smallest unit (EUR 2, JPY 0, BHD 3).
    pub fn minor_units(self) -> u32 {
        self.minor_units
    }

    /// Euro, the sample program's currency.
    pub fn eur() -> Currency {
        Currency {
            iso: iso_currency::Currency::EUR,
            minor_units: 2,
        }
    }
}

impl PartialOrd for Currency {
    fn partial_cmp(&self, other: &Currency) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Currency {
    fn cmp(&self, other: &Currency) -> std::cmp::Ordering {
        self.code().cmp(other.code())
    }
}

impl FromStr for Currency {
    type Err = Error;
    fn from_str(code: &str) -> Result<Currency, Error> {
        Currency::parse_at(code, &JsonPath::root())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.code())
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Currency, D::Error> {
        let code = String::deserialize(deserializer)?;
        Currency::from_str(&code)
            .map_err(|e| de::Error::custom(e.problems().first().map_or("", |p| p.text())))
    }
}

impl JsonSchema for Currency {
    fn schema_name() -> Cow<'static, str> {
        "Currency".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "An ISO 4217 currency code with minor units, e.g. \"EUR\".",
            "type": "string",
            "format": "currency",
            "pattern": "^[A-Z]{3}$"
        })
    }
}
