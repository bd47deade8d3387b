//! Shared set-up for prm's criterion benchmarks (`cargo bench -p prm-benches`).
//!
//! The benchmarks live in `benches/benches/`; their figures, and the machine
//! they were measured on, are recorded in `docs/performance.md`.

use prm_core::Program;
use prm_core::calendar::Date;
use prm_core::commission::{CommissionFacts, TierChange, Transaction};
use prm_core::hash::SplitMix64;
use prm_core::money::Decimal;

/// Partners of the commission data.
pub const PARTNERS: u64 = 10_000;

/// The sample program document used by the benchmarks.
pub fn sample_program() -> serde_json::Value {
    prm_core::sample::program()
}

/// Products of the commission data: id, category, cost in percent of the price.
const PRODUCTS: [(&str, &str, i64); 4] = [
    ("CLOUD-SUITE", "subscription", 35),
    ("SECURE-EDGE", "hardware", 62),
    ("DATA-VAULT", "subscription", 30),
    ("ANALYTICS", "services", 55),
];

/// Day `days` of 2026.
fn date(days: u64) -> Date {
    let start: Date = "2026-01-01".parse().unwrap_or_default();
    start
        .add_days(i64::try_from(days).unwrap_or(0))
        .unwrap_or(start)
}

/// `value` cents as a decimal.
fn cents(value: u64) -> Decimal {
    format!("{}.{:02}", value / 100, value % 100)
        .parse()
        .unwrap_or_default()
}

/// The commission benchmark's data: the sample program, a tier history for
/// 10,000 partners, and the first `transactions` transactions (sales over Q1
/// 2026, about one in thirty partly refunded later) in the order a stream
/// takes them. Generated from a fixed seed: a shorter run is a prefix of a
/// longer one.
pub fn commission_data(transactions: usize) -> (Program, CommissionFacts, Vec<Transaction>) {
    let program = Program::from_value(&sample_program()).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1)
    });
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
    let mut txs = Vec::with_capacity(transactions);
    let mut n = 0u64;
    while txs.len() < transactions {
        n += 1;
        let partner = format!("R{:05}", rng.below(PARTNERS));
        let day = rng.below(90);
        let Some(&(product, category, cost_percent)) =
            PRODUCTS.get(usize::try_from(rng.below(4)).unwrap_or(0))
        else {
            continue;
        };
        let amount = 20_000 + rng.below(480_000);
        let id = format!("T{n:07}");
        let mut sale = Transaction::sale(&id, &partner, date(day), cents(amount));
        sale.cost = Some(cents(
            amount * u64::try_from(cost_percent).unwrap_or(0) / 100,
        ));
        sale.product_id = Some(product.to_owned());
        sale.category = Some(category.to_owned());
        sale.quantity = Some(Decimal::from(1 + i64::try_from(rng.below(4)).unwrap_or(0)));
        txs.push(sale);
        if rng.below(30) == 0 && txs.len() < transactions {
            let later = day + 5 + rng.below(55);
            if later < 90 {
                n += 1;
                let part = amount * (1 + rng.below(4)) / 4;
                txs.push(Transaction::refund(
                    &format!("T{n:07}"),
                    &partner,
                    date(later),
                    cents(part),
                    &id,
                ));
            }
        }
    }
    txs.sort_by(|a, b| (a.date, a.is_reversal(), &a.id).cmp(&(b.date, b.is_reversal(), &b.id)));
    (program, facts, txs)
}
