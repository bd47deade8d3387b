//! The commission workload: 1,000,000 transactions over 10,000 partners.
//!
//! One generator for every consumer of the same data: the criterion bench
//! `benches/commission.rs`, and the `commission_workload` example, which
//! writes it to files for `benches/python/bench_statements.py` and times the
//! Rust paths on it, so the Python batch path and Rust are measured on the
//! very same transactions.
//!
//! The plan is the sample program's reseller plan: product and category rates
//! (most specific wins), period-cumulative graduated volume brackets, tier
//! multipliers from a tier history, a SPIFF, a period cap, a target bonus and
//! clawbacks within 90 days. About one sale in thirty is partly refunded later
//! in the quarter. The data comes from a fixed seed.

use prm_core::Program;
use prm_core::calendar::Date;
use prm_core::commission::{CommissionFacts, StatementOptions, TierChange, Transaction};
use prm_core::hash::SplitMix64;
use prm_core::money::Decimal;

/// How many partners the transactions spread over.
pub const PARTNERS: u64 = 10_000;
/// How many transactions the workload holds (sales and their refunds).
pub const TRANSACTIONS: usize = 1_000_000;
/// The plan every partner is paid under.
pub const PLAN: &str = "reseller";
/// The day the statements are computed (the quarter's last day).
pub const AS_OF: &str = "2026-03-31";

const PRODUCTS: [(&str, &str, i64); 4] = [
    ("CLOUD-SUITE", "subscription", 35),
    ("SECURE-EDGE", "hardware", 62),
    ("DATA-VAULT", "subscription", 30),
    ("ANALYTICS", "services", 55),
];

/// The workload: the program, the facts (each partner's tier history) and the
/// transactions in the order a stream takes them (date, sales before
/// reversals, id).
#[derive(Debug)]
pub struct Workload {
    /// The sample program (its `reseller` plan pays everyone).
    pub program: Program,
    /// Each partner's tier history.
    pub facts: CommissionFacts,
    /// The sorted transactions.
    pub transactions: Vec<Transaction>,
}

fn date(days: u64) -> Date {
    let start: Date = "2026-01-01".parse().unwrap_or_default();
    start
        .add_days(i64::try_from(days).unwrap_or(0))
        .unwrap_or(start)
}

fn cents(value: u64) -> Decimal {
    format!("{}.{:02}", value / 100, value % 100)
        .parse()
        .unwrap_or_default()
}

/// The statement options of the workload: as of [`AS_OF`], under [`PLAN`].
pub fn options() -> StatementOptions {
    StatementOptions::as_of(AS_OF.parse().unwrap_or_default()).plan(PLAN)
}

/// Generates the workload from its fixed seed.
///
/// # Errors
///
/// The sample program's problems, should it ever fail to validate.
pub fn generate() -> Result<Workload, prm_core::Error> {
    generate_n(TRANSACTIONS)
}

/// Generates the first `transactions` transactions of the workload's sequence,
/// from the same seed (smaller runs for profiling, e.g. under callgrind).
///
/// # Errors
///
/// The sample program's problems, should it ever fail to validate.
pub fn generate_n(transactions: usize) -> Result<Workload, prm_core::Error> {
    let program = Program::from_value(&crate::sample_program())?;
    let mut rng = SplitMix64::new(0x434f_4d4d_4953_5349); // "COMMISSI"
    let ladder = ["registered", "silver", "gold", "platinum"];
    let mut facts = CommissionFacts::default();
    for p in 0..PARTNERS {
        let rank = usize::try_from(rng.below(4)).unwrap_or(0);
        let mut history = vec![TierChange {
            tier: ladder.get(rank).copied().unwrap_or("registered").to_owned(),
            from: "2025-01-01".parse().unwrap_or_default(),
        }];
        if rng.below(6) == 0
            && let Some(next) = ladder.get(rank + 1)
        {
            history.push(TierChange {
                tier: (*next).to_owned(),
                from: date(31),
            });
        }
        facts.tier_history.insert(format!("R{p:05}"), history);
    }
    // What each transaction will be, drawn in generation order, then built
    // in stream order (date, sales before refunds, id): each transaction's
    // strings are allocated after the previous one's, as a reader of a sorted
    // source (a file, a DataFrame, a database cursor) lays them out. (Sorting
    // built transactions would leave their strings scattered over the heap.)
    let mut drawn: Vec<Drawn> = Vec::with_capacity(transactions);
    let mut n = 0u64;
    while drawn.len() < transactions {
        n += 1;
        let partner = rng.below(PARTNERS);
        let day = rng.below(90);
        let Some(&(product, category, cost_percent)) =
            PRODUCTS.get(usize::try_from(rng.below(4)).unwrap_or(0))
        else {
            continue;
        };
        let amount = 20_000 + rng.below(480_000);
        let sale = n;
        drawn.push(Drawn {
            day,
            refund_of: None,
            n,
            partner,
            amount,
            product: Some((
                product,
                category,
                amount * u64::try_from(cost_percent).unwrap_or(0) / 100,
                1 + rng.below(4),
            )),
        });
        if rng.below(30) == 0 && drawn.len() < transactions {
            let later = day + 5 + rng.below(55);
            if later < 90 {
                n += 1;
                drawn.push(Drawn {
                    day: later,
                    refund_of: Some(sale),
                    n,
                    partner,
                    amount: amount * (1 + rng.below(4)) / 4,
                    product: None,
                });
            }
        }
    }
    drawn.sort_by(|a, b| {
        (a.day, a.refund_of.is_some())
            .cmp(&(b.day, b.refund_of.is_some()))
            .then_with(|| id_text(a.n).cmp(&id_text(b.n)))
    });
    let transactions = drawn.iter().map(Drawn::build).collect();
    Ok(Workload {
        program,
        facts,
        transactions,
    })
}

/// Id `T{n:07}` without its `T`, left-aligned and padded with zero bytes
/// (which sort before digits): ordered as the ids' text, without writing it.
fn id_text(n: u64) -> [u8; 20] {
    let width = n.checked_ilog10().map_or(1, |log| log as usize + 1).max(7);
    let mut text = [0u8; 20];
    let mut rest = n;
    for i in (0..width).rev() {
        if let Some(byte) = text.get_mut(i) {
            *byte = b'0' + u8::try_from(rest % 10).unwrap_or(0);
        }
        rest /= 10;
    }
    text
}

/// One transaction of the workload, as drawn.
struct Drawn {
    day: u64,
    /// For a refund: the number of the sale it refunds.
    refund_of: Option<u64>,
    /// The id's number.
    n: u64,
    partner: u64,
    /// In cents.
    amount: u64,
    /// For a sale: product, category, cost in cents and quantity.
    product: Option<(&'static str, &'static str, u64, u64)>,
}

impl Drawn {
    fn build(&self) -> Transaction {
        let id = format!("T{:07}", self.n);
        let partner = format!("R{:05}", self.partner);
        match (self.refund_of, self.product) {
            (Some(sale), _) => Transaction::refund(
                &id,
                &partner,
                date(self.day),
                cents(self.amount),
                &format!("T{sale:07}"),
            ),
            (None, product) => {
                let mut tx = Transaction::sale(&id, &partner, date(self.day), cents(self.amount));
                if let Some((product, category, cost, quantity)) = product {
                    tx.cost = Some(cents(cost));
                    tx.product_id = Some(product.to_owned());
                    tx.category = Some(category.to_owned());
                    tx.quantity = Some(Decimal::from(i64::try_from(quantity).unwrap_or(1)));
                }
                tx
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::id_text;

    #[test]
    fn ids_order_as_their_text() {
        let mut numbers = [1u64, 9, 10, 9_999_999, 10_000_000, 2_000_000, 12_345_678, 0];
        numbers.sort_by_key(|n| id_text(*n));
        let texts: Vec<String> = numbers.iter().map(|n| format!("T{n:07}")).collect();
        let mut sorted = texts.clone();
        sorted.sort();
        assert_eq!(texts, sorted);
    }
}
