//! [`Money`] (an amount with its currency) and [`Amount`] (money as input, where
//! the currency may be the document's).

use super::{Currency, Decimal, RoundingMode};
use crate::error::{Error, ErrorCode, JsonPath, Problem};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, de};
use std::borrow::Cow;
use std::fmt;

/// An exact amount in one currency, e.g. `12.50 EUR`.
///
/// Money has checked arithmetic only: there are no `+` or `*` operators, and
/// every operation returns a `Result`, so overflow and currency mismatches are
/// errors, never panics. It serializes as `{"amount": "12.50", "currency": "EUR"}`.
///
/// ```
/// use prm_core::{Money, Currency, RoundingMode};
/// let eur = Currency::eur();
/// let price = Money::new("1000.00".parse()?, eur);
/// let fee = price.checked_mul_rate("0.075".parse()?)?;
/// assert_eq!(fee.round(RoundingMode::HalfEven).to_string(), "75.00 EUR");
/// let usd = Money::new("1".parse()?, "USD".parse()?);
/// assert!(price.checked_add(usd).is_err()); // currency_mismatch
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

impl Money {
    /// `amount` in `currency`; the amount keeps the digits it has until [`Money::round`].
    pub fn new(amount: Decimal, currency: Currency) -> Money {
        Money { amount, currency }
    }

    /// Zero in `currency`, written with the currency's minor units (`0.00`).
    pub fn zero(currency: Currency) -> Money {
        Money::new(
            RoundingMode::HalfEven.round(Decimal::ZERO, currency.minor_units()),
            currency,
        )
    }

    /// The amount.
    pub fn amount(self) -> Decimal {
        self.amount
    }

    /// The currency.
    pub fn currency(self) -> Currency {
        self.currency
    }

    fn same_currency(self, other: Money) -> Result<(), Error> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(Error::problem(
                Problem::new(ErrorCode::CurrencyMismatch, JsonPath::root())
                    .message(format!(
                        "cannot combine {} with {} without an FX table",
                        self.currency, other.currency
                    ))
                    .help("supply an FX table or convert the amounts first"),
            ))
        }
    }

    /// `self + other`.
    ///
    /// # Errors
    ///
    /// `currency_mismatch` when the currencies differ; `overflow` past the decimal range.
    pub fn checked_add(self, other: Money) -> Result<Money, Error> {
        self.same_currency(other)?;
        let sum = self.amount.checked_add(other.amount);
        sum.map(|a| Money::new(a, self.currency))
            .ok_or_else(|| Error::overflow(JsonPath::root(), format!("{self} + {other}")))
    }

    /// `self - other`.
    ///
    /// # Errors
    ///
    /// `currency_mismatch` when the currencies differ; `overflow` past the decimal range.
    pub fn checked_sub(self, other: Money) -> Result<Money, Error> {
        self.same_currency(other)?;
        let diff = self.amount.checked_sub(other.amount);
        diff.map(|a| Money::new(a, self.currency))
            .ok_or_else(|| Error::overflow(JsonPath::root(), format!("{self} - {other}")))
    }

    /// `self * factor` (a quantity, a multiplier), unrounded.
    ///
    /// # Errors
    ///
    /// `overflow` past the decimal range.
    pub fn checked_mul(self, factor: Decimal) -> Result<Money, Error> {
        let product = self.amount.checked_mul(factor);
        product
            .map(|a| Money::new(a, self.currency))
            .ok_or_else(|| Error::overflow(JsonPath::root(), format!("{self} × {factor}")))
    }

    /// `self * rate`, unrounded.
    ///
    /// # Errors
    ///
    /// `overflow` past the decimal range.
    pub fn checked_mul_rate(self, rate: super::Rate) -> Result<Money, Error> {
        self.checked_mul(rate.fraction())
    }

    /// Rounded to the currency's minor units with `mode`.
    pub fn round(self, mode: RoundingMode) -> Money {
        Money::new(
            mode.round(self.amount, self.currency.minor_units()),
            self.currency,
        )
    }

    /// Negated (a clawback of this amount).
    pub fn negate(self) -> Money {
        Money::new(Decimal::new(-self.amount.value()), self.currency)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

/// Money as it is written in input: a bare amount in the document's currency
/// (`"12.50"`), or an amount with its own currency (`{"amount": "12.50", "currency": "USD"}`).
///
/// [`Amount::in_currency`] turns it into [`Money`] and checks that it has no
/// more digits than the currency's minor units (`"12.505"` EUR is `money_precision`).
///
/// ```
/// use prm_core::{Amount, Currency, JsonPath};
/// let bare: Amount = serde_json::from_str("\"12.50\"")?;
/// assert_eq!(bare.in_currency(Currency::eur(), &JsonPath::root())?.to_string(), "12.50 EUR");
/// let yen: Amount = serde_json::from_str(r#"{"amount": "1200", "currency": "JPY"}"#)?;
/// assert_eq!(yen.in_currency(Currency::eur(), &JsonPath::root())?.to_string(), "1200 JPY");
/// let fine: Amount = serde_json::from_str("\"12.505\"")?;
/// assert!(fine.in_currency(Currency::eur(), &JsonPath::root()).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Amount {
    amount: Decimal,
    currency: Option<Currency>,
}

impl Amount {
    /// An amount in the document's currency.
    pub fn bare(amount: Decimal) -> Amount {
        Amount {
            amount,
            currency: None,
        }
    }

    /// An amount in a named currency.
    pub fn with_currency(amount: Decimal, currency: Currency) -> Amount {
        Amount {
            amount,
            currency: Some(currency),
        }
    }

    /// The amount as written.
    pub fn amount(self) -> Decimal {
        self.amount
    }

    /// The currency, if the input named one.
    pub fn currency(self) -> Option<Currency> {
        self.currency
    }

    /// The money this amount means, given the document's currency.
    ///
    /// # Errors
    ///
    /// `money_precision` at `path` when the amount has more decimal places than the currency allows.
    pub fn in_currency(self, document: Currency, path: &JsonPath) -> Result<Money, Error> {
        let currency = self.currency.unwrap_or(document);
        let places = self.amount.significant_scale();
        if places > currency.minor_units() {
            return Err(Error::problem(
                Problem::new(ErrorCode::MoneyPrecision, path)
                    .message(format!(
                        "{} has {places} decimal places but {currency} has {}",
                        self.amount,
                        currency.minor_units()
                    ))
                    .help("round the amount to the currency's minor units before passing it"),
            ));
        }
        Ok(Money::new(self.amount, currency))
    }
}

impl Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.currency {
            None => self.amount.serialize(serializer),
            Some(currency) => Money::new(self.amount, currency).serialize(serializer),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AmountObject {
    amount: Decimal,
    currency: Currency,
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Amount, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        if value.is_object() {
            let object = AmountObject::deserialize(value).map_err(de::Error::custom)?;
            Ok(Amount::with_currency(object.amount, object.currency))
        } else {
            Decimal::deserialize(value)
                .map(Amount::bare)
                .map_err(de::Error::custom)
        }
    }
}

impl JsonSchema for Amount {
    fn schema_name() -> Cow<'static, str> {
        "Amount".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let decimal = generator.subschema_for::<Decimal>();
        let currency = generator.subschema_for::<Currency>();
        json_schema!({
            "description": "Money: an amount in the document's currency (\"12.50\") or {\"amount\", \"currency\"}.",
            "anyOf": [
                decimal,
                {
                    "type": "object",
                    "properties": { "amount": decimal, "currency": currency },
                    "required": ["amount", "currency"],
                    "additionalProperties": false
                }
            ]
        })
    }
}
