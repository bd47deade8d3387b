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
pub(crate) use allocate::allocate_weights;
pub use amount::{Amount, Money};
pub use currency::Currency;
pub use decimal::Decimal;
pub use rate::Rate;
pub use rounding::RoundingMode;

/// 10^0 to 10^28, the powers a decimal's scale takes: looked up by the
/// integer paths (the exact allocation, the commission close) rather than
/// computed for every amount.
#[expect(
    clippy::indexing_slicing,
    reason = "evaluated while compiling: an index out of range fails the build, never a run"
)]
const POWERS_OF_TEN: [u128; 29] = {
    let mut table = [1u128; 29];
    let mut n = 1;
    while n < 29 {
        table[n] = table[n - 1] * 10;
        n += 1;
    }
    table
};

/// 10^n for n up to 28; `None` past it.
pub(crate) fn ten_to(n: u32) -> Option<u128> {
    POWERS_OF_TEN.get(n as usize).copied()
}

/// `a × b`, `None` past 128 bits. Two factors of 64 bits multiply into 128
/// bits without the overflow check (a library call for 128 bits), which is
/// the common case for amounts of money.
pub(crate) fn product(a: u128, b: u128) -> Option<u128> {
    match (u64::try_from(a), u64::try_from(b)) {
        (Ok(a), Ok(b)) => Some(u128::from(a) * u128::from(b)),
        _ => a.checked_mul(b),
    }
}
