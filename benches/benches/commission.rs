//! Commission statements at scale: 1,000,000 transactions over 10,000 partners.
//!
//! The plan is the sample program's reseller plan: product and category rates
//! (most specific wins), period-cumulative graduated volume brackets, tier
//! multipliers from a tier history, a SPIFF, a period cap, a target bonus and
//! clawbacks within 90 days. About one sale in thirty is partly refunded later
//! in the quarter. The data is generated from a fixed seed before timing.
//!
//! * `commission_stream_1m_totals`: a [`StatementRun`] fed the sorted
//!   transactions one by one, returning every partner's totals (the streaming path);
//! * `commission_statements_100k_lines`: `commission::statements` with every
//!   line, component and explanation, on the first 100,000 transactions.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use prm_core::Program;
use prm_core::calendar::Date;
use prm_core::commission::{
    self, CommissionFacts, Detail, StatementOptions, StatementRun, TierChange, Transaction,
};
use prm_core::hash::SplitMix64;
use prm_core::money::Decimal;
use std::hint::black_box;

const PARTNERS: u64 = 10_000;
const TRANSACTIONS: usize = 1_000_000;

const PRODUCTS: [(&str, &str, i64); 4] = [
    ("CLOUD-SUITE", "subscription", 35),
    ("SECURE-EDGE", "hardware", 62),
    ("DATA-VAULT", "subscription", 30),
    ("ANALYTICS", "services", 55),
];

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

/// The program, the facts and the transactions in the order a stream takes them.
fn data() -> (Program, CommissionFacts, Vec<Transaction>) {
    let program = Program::from_value(&prm_benches::sample_program()).unwrap_or_else(|e| {
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
    let mut txs = Vec::with_capacity(TRANSACTIONS);
    let mut n = 0u64;
    while txs.len() < TRANSACTIONS {
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
        if rng.below(30) == 0 && txs.len() < TRANSACTIONS {
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

fn options() -> StatementOptions {
    StatementOptions::as_of("2026-03-31".parse().unwrap_or_default()).plan("reseller")
}

fn statements(c: &mut Criterion) {
    let (program, facts, txs) = data();
    let mut group = c.benchmark_group("commission");
    group.throughput(Throughput::Elements(txs.len() as u64));
    group.bench_function("commission_stream_1m_totals", |b| {
        b.iter(|| {
            let Ok(mut run) = StatementRun::new(&program, &facts, options(), Detail::Totals) else {
                return None;
            };
            run.extend(black_box(&txs).iter());
            run.finish().ok().map(|r| r.totals.net)
        })
    });
    let first: Vec<Transaction> = txs.iter().take(100_000).cloned().collect();
    group.throughput(Throughput::Elements(first.len() as u64));
    group.bench_function("commission_statements_100k_lines", |b| {
        b.iter(|| {
            commission::statements(&program, black_box(&first), &facts, &options())
                .ok()
                .map(|r| r.totals.net)
        })
    });
    group.finish();
}

criterion_group!(benches, statements);
criterion_main!(benches);
