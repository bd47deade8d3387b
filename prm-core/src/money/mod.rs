//! Exact money: [`Decimal`], [`Currency`], [`Money`], [`Amount`], [`Rate`],
//! [`RoundingMode`] and largest-remainder [`allocate`].
//!
//! Money in prm is `rust_decimal` with an ISO 4217 currency, never a float.
//! Amounts cross every boundary as strings, arithmetic is checked (overflow is
//! an error), and rounding happens once per line, to the currency's minor
//! units, with an explicit [`RoundingMode`]. Totals are sums of rounded lines,
//! so they always reconcile.

mod allocate;
mod amount;
mod currency;
pub(crate) mod decimal;
mod rate;
mod rounding;

pub use allocate::allocate;
pub(crate) use allocate::allocate_sum;
pub use amount::{Amount, Money};
pub use currency::Currency;
pub use decimal::Decimal;
pub use rate::Rate;
pub use rounding::RoundingMode;
