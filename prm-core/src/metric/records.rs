//! Raw records metrics are aggregated from: [`Sale`] and [`Observation`].

use crate::calendar::Date;
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use crate::money::{Amount, Currency, Decimal};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Whether a sale record adds revenue or takes it back.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SaleKind {
    /// A deal won: adds revenue and counts as a deal.
    #[default]
    Sale,
    /// Money given back: subtracts revenue, on its own date.
    Refund,
}

/// A sale or a refund by a partner.
///
/// ```
/// use prm_core::metric::Sale;
/// let sale: Sale = serde_json::from_str(r#"{
///   "date": "2026-02-14", "amount": "12500.00", "customer_id": "C-17"
/// }"#)?;
/// assert_eq!(sale.amount.amount().to_string(), "12500.00");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sale {
    /// The transaction id, for the host's reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The booking date.
    pub date: Date,
    /// `sale` (the default) or `refund`.
    #[serde(default)]
    pub kind: SaleKind,
    /// The amount, positive, in the program's currency.
    pub amount: Amount,
    /// The end customer, for customer counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
}

/// One dated value of a named series (`satisfaction`, `deployments`, `renewals`).
///
/// Series carry whatever the program measures that is not a sale: survey
/// scores (averaged), deployments (summed), renewal outcomes as 1 and 0
/// (averaged into a renewal rate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Observation {
    /// The series.
    pub series: String,
    /// When it was observed.
    pub date: Date,
    /// The value.
    pub value: Decimal,
}

/// Checks sales against the program's currency; `path` is the sales list's.
///
/// # Errors
///
/// * `currency_mismatch` for an amount in another currency (prm has no FX table here);
/// * `money_precision` for more decimal places than the currency has;
/// * `out_of_range` for a negative amount (a refund is `kind: refund` with a positive amount).
pub fn check_sales(sales: &[Sale], currency: Currency, path: &JsonPath) -> Result<(), Error> {
    let mut problems = Problems::new();
    for (i, sale) in sales.iter().enumerate() {
        let amount = sale.amount.amount();
        let fine = sale.amount.currency().is_none_or(|c| c == currency)
            && !amount.is_negative()
            && (amount.value().scale() <= currency.minor_units()
                || amount.significant_scale() <= currency.minor_units());
        if fine {
            // The common case allocates nothing: paths are only built for problems.
            continue;
        }
        let at = path.index(i).key("amount");
        if let Some(other) = sale.amount.currency().filter(|c| *c != currency) {
            problems.push(
                Problem::new(ErrorCode::CurrencyMismatch, at.key("currency"))
                    .message(format!("sales are counted in {currency}, found {other}"))
                    .help(format!(
                        "convert the amount to {currency} before passing it"
                    )),
            );
            continue;
        }
        problems.take(sale.amount.in_currency(currency, &at));
        if sale.amount.amount().is_negative() {
            problems.push(
                Problem::new(ErrorCode::OutOfRange, at)
                    .message(format!(
                        "amounts are positive, found {}",
                        sale.amount.amount()
                    ))
                    .help(
                        "record money given back as `\"kind\": \"refund\"` with a positive amount",
                    ),
            );
        }
    }
    problems.into_result(())
}
