//! [`Transaction`]: a sale, refund or cancellation that earns (or reverses) commission.

use crate::calendar::Date;
use crate::error::{ErrorCode, JsonPath, Problem, Problems};
use crate::money::{Currency, Decimal};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// What a transaction is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum TransactionKind {
    /// A sale: earns commission.
    #[default]
    Sale,
    /// A refund of part or all of a sale (`original_id`): claws commission back.
    Refund,
    /// A cancellation of a sale (`original_id`): claws commission back like a refund.
    Cancellation,
}

impl TransactionKind {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TransactionKind::Sale => "sale",
            TransactionKind::Refund => "refund",
            TransactionKind::Cancellation => "cancellation",
        }
    }
}

/// What decides a transaction's place in a run, and what a refund says of
/// it: enough for [`StatementRun::prepare_chunks`](super::StatementRun::prepare_chunks)
/// to prepare a batch whose transactions come in chunks, before any of them
/// is built. Borrowed, so a binding can lend them from its own columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransactionKey<'t> {
    /// The transaction's id.
    pub id: &'t str,
    /// Its booking date.
    pub date: Date,
    /// Sale, refund or cancellation.
    pub kind: TransactionKind,
    /// The sale a refund or cancellation reverses.
    pub original_id: Option<&'t str>,
}

impl<'t> TransactionKey<'t> {
    /// The key of `tx`.
    pub fn of(tx: &'t Transaction) -> TransactionKey<'t> {
        TransactionKey {
            id: &tx.id,
            date: tx.date,
            kind: tx.kind,
            original_id: tx.original_id.as_deref(),
        }
    }

    /// Where the transaction comes in a run: by date, sales before refunds
    /// and cancellations on the same date, then by id.
    pub fn order(&self) -> (Date, bool, &'t str) {
        (self.date, self.kind != TransactionKind::Sale, self.id)
    }
}

/// One partner's share of a split transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Split {
    /// The partner earning this share.
    pub partner_id: String,
    /// The share, above 0; a transaction's shares add up to exactly 1.
    pub share: Decimal,
}

/// A sale, refund or cancellation booked by a partner.
///
/// Amounts are positive and in `currency` (the program's currency when
/// absent). A refund or cancellation names the sale it reverses in
/// `original_id` and is split like that sale.
///
/// ```
/// use prm_core::commission::Transaction;
/// let sale: Transaction = serde_json::from_str(r#"{
///   "id": "T1", "partner_id": "P1", "date": "2026-01-05", "amount": "1000.00",
///   "product_id": "CLOUD-SUITE", "category": "subscription"
/// }"#)?;
/// assert_eq!(sale.kind.as_str(), "sale");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Transaction {
    /// Unique id.
    pub id: String,
    /// The partner that booked it (and earns it, unless `splits` says otherwise).
    pub partner_id: String,
    /// Booking date.
    pub date: Date,
    /// `sale` (default), `refund` or `cancellation`.
    #[serde(default)]
    pub kind: TransactionKind,
    /// The amount, above 0 (a refund's amount is what was refunded).
    pub amount: Decimal,
    /// The currency of `amount` and `cost`; the program's currency when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// The vendor's cost, for margin plans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<Decimal>,
    /// Units sold, for per-unit rates (1 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Decimal>,
    /// The product sold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<String>,
    /// The product's category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The end customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    /// For recurring revenue: the contract year this billing falls in (1 is the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_year: Option<u32>,
    /// For recurring revenue: when the contract started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_start: Option<Date>,
    /// When the customer paid, for plans payable on payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_on: Option<Date>,
    /// Partner shares; absent means all of it goes to `partner_id`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub splits: Vec<Split>,
    /// The registered deal this sale closed, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deal_registration_id: Option<String>,
    /// For a refund or cancellation: the sale it reverses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_id: Option<String>,
}

impl Transaction {
    /// A sale of `amount` (in the program's currency) by `partner_id` on `date`.
    ///
    /// ```
    /// use prm_core::commission::Transaction;
    /// let sale = Transaction::sale("T1", "P1", "2026-01-05".parse()?, "1000.00".parse()?);
    /// assert_eq!(sale.amount.to_string(), "1000.00");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sale(id: &str, partner_id: &str, date: Date, amount: Decimal) -> Transaction {
        Transaction {
            id: id.to_owned(),
            partner_id: partner_id.to_owned(),
            date,
            kind: TransactionKind::Sale,
            amount,
            currency: None,
            cost: None,
            quantity: None,
            product_id: None,
            category: None,
            customer_id: None,
            contract_year: None,
            contract_start: None,
            paid_on: None,
            splits: Vec::new(),
            deal_registration_id: None,
            original_id: None,
        }
    }

    /// A refund of `amount` of sale `original_id`, booked by `partner_id` on `date`.
    pub fn refund(
        id: &str,
        partner_id: &str,
        date: Date,
        amount: Decimal,
        original_id: &str,
    ) -> Transaction {
        Transaction {
            kind: TransactionKind::Refund,
            original_id: Some(original_id.to_owned()),
            ..Transaction::sale(id, partner_id, date, amount)
        }
    }

    /// True for refunds and cancellations.
    pub fn is_reversal(&self) -> bool {
        self.kind != TransactionKind::Sale
    }

    /// The contract year: `contract_year`, else derived from `contract_start`.
    pub(crate) fn contract_year(&self) -> Option<u32> {
        self.contract_year.or_else(|| {
            let start = self.contract_start?;
            let months = months_between(start, self.date)?;
            u32::try_from(months / 12 + 1).ok()
        })
    }

    /// Checks what can be checked on the transaction alone, reporting under `path`.
    pub(crate) fn validate(
        &self,
        currency: Currency,
        at: &dyn Fn() -> JsonPath,
        problems: &mut Problems,
    ) {
        let places = currency.minor_units();
        let precision = |value: Decimal, field: &str, problems: &mut Problems| {
            // The written scale bounds the significant one: most amounts stop here.
            if value.value().scale() > places && value.significant_scale() > places {
                problems.push(
                    Problem::new(ErrorCode::MoneyPrecision, at().key(field))
                        .message(format!(
                            "{value} has {} decimal places but {currency} has {places}",
                            value.significant_scale()
                        ))
                        .help("round the amount to the currency's minor units before passing it"),
                );
            }
        };
        if self.amount <= Decimal::ZERO {
            problems.push(
                Problem::new(ErrorCode::OutOfRange, at().key("amount"))
                    .message(format!(
                        "a transaction amount must be above 0, found {}",
                        self.amount
                    ))
                    .help("book refunds as `kind: refund` with a positive amount"),
            );
        }
        precision(self.amount, "amount", problems);
        if let Some(cost) = self.cost {
            if cost.is_negative() {
                problems.push(
                    Problem::new(ErrorCode::OutOfRange, at().key("cost"))
                        .message(format!("cost must not be negative, found {cost}")),
                );
            }
            precision(cost, "cost", problems);
        }
        if let Some(quantity) = self.quantity.filter(|q| q.is_negative()) {
            problems.push(
                Problem::new(ErrorCode::OutOfRange, at().key("quantity"))
                    .message(format!("quantity must not be negative, found {quantity}")),
            );
        }
        if self.contract_year == Some(0) {
            problems.push(
                Problem::new(ErrorCode::OutOfRange, at().key("contract_year"))
                    .message("contract years start at 1, found 0"),
            );
        }
        match (self.kind, &self.original_id) {
            (TransactionKind::Sale, Some(_)) => problems.push(
                Problem::new(ErrorCode::InvalidValue, at().key("original_id"))
                    .message("a sale has no `original_id`; only refunds and cancellations name one")
                    .help("set `kind` to `refund` or `cancellation`, or remove `original_id`"),
            ),
            (TransactionKind::Refund | TransactionKind::Cancellation, None) => problems.push(
                Problem::new(ErrorCode::MissingField, at().key("original_id")).message(format!(
                    "a {} must name the sale it reverses in `original_id`",
                    self.kind.as_str()
                )),
            ),
            _ => {}
        }
        if self.is_reversal() && !self.splits.is_empty() {
            problems.push(
                Problem::new(ErrorCode::InvalidValue, at().key("splits"))
                    .message(
                        "a refund is split like its original sale; it has no `splits` of its own",
                    )
                    .help("remove `splits` from the refund"),
            );
        }
        if !self.splits.is_empty() {
            let mut sum = Decimal::ZERO;
            let mut seen = BTreeSet::new();
            for (i, split) in self.splits.iter().enumerate() {
                let at = at().key("splits").index(i);
                if split.share <= Decimal::ZERO {
                    problems.push(
                        Problem::new(ErrorCode::CommissionSplitShares, at.key("share")).message(
                            format!("a split share must be above 0, found {}", split.share),
                        ),
                    );
                }
                if !seen.insert(split.partner_id.as_str()) {
                    problems.push(
                        Problem::new(ErrorCode::DuplicateId, at.key("partner_id")).message(
                            format!("partner `{}` appears twice in the splits", split.partner_id),
                        ),
                    );
                }
                sum = sum.checked_add(split.share).unwrap_or(sum);
            }
            if sum != Decimal::ONE {
                problems.push(
                    Problem::new(ErrorCode::CommissionSplitShares, at().key("splits"))
                        .message(format!(
                            "split shares must add up to exactly 1, found {sum}"
                        ))
                        .help("adjust the shares; use `0.3333` and `0.6667`, not `1/3` twice"),
                );
            }
        }
    }
}

/// Whole months from `start` to `date` (0 in the first month), or `None` when `date` is before `start`.
pub(crate) fn months_between(start: Date, date: Date) -> Option<i64> {
    if date < start {
        return None;
    }
    let mut months = (i64::from(date.year()) - i64::from(start.year())) * 12
        + i64::from(date.month())
        - i64::from(start.month());
    if date.day() < start.day() {
        // Not a full month yet, unless `start` was clamped (e.g. Jan 31 + 1 month = Feb 28).
        let anniversary = i32::try_from(months)
            .ok()
            .and_then(|m| start.add_months(m).ok());
        if anniversary.is_some_and(|a| date < a) {
            months -= 1;
        }
    }
    Some(months)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn months_between_counts_whole_months() {
        for &(start, day, want) in &[
            ("2025-01-15", "2025-01-15", Some(0)),
            ("2025-01-15", "2025-02-14", Some(0)),
            ("2025-01-15", "2025-02-15", Some(1)),
            ("2025-01-31", "2025-02-28", Some(1)),
            ("2025-01-15", "2026-01-15", Some(12)),
            ("2025-01-15", "2025-01-14", None),
        ] {
            assert_eq!(
                months_between(date(start), date(day)),
                want,
                "{start} → {day}"
            );
        }
    }

    #[test]
    fn contract_year_is_derived_from_contract_start() {
        let mut t = Transaction::sale("T", "P", date("2026-02-01"), Decimal::ONE);
        t.contract_start = Some(date("2025-01-15"));
        assert_eq!(t.contract_year(), Some(2));
        t.contract_year = Some(5);
        assert_eq!(t.contract_year(), Some(5));
    }

    #[test]
    fn validate_reports_split_and_refund_problems() {
        let mut t = Transaction::sale("T", "P", date("2026-02-01"), "10.001".parse().unwrap());
        t.kind = TransactionKind::Refund;
        t.splits = vec![
            Split {
                partner_id: "A".into(),
                share: "0.7".parse().unwrap(),
            },
            Split {
                partner_id: "A".into(),
                share: "0.2".parse().unwrap(),
            },
        ];
        let mut problems = Problems::new();
        t.validate(Currency::eur(), &JsonPath::root, &mut problems);
        let found: Vec<_> = problems
            .into_vec()
            .into_iter()
            .map(|p| (p.code().to_string(), p.path().to_owned()))
            .collect();
        assert_eq!(
            found,
            vec![
                ("money_precision".into(), "$.amount".into()),
                ("missing_field".into(), "$.original_id".into()),
                ("invalid_value".into(), "$.splits".into()),
                ("duplicate_id".into(), "$.splits[1].partner_id".into()),
                ("commission_split_shares".into(), "$.splits".into()),
            ]
        );
    }
}
