//! Commission statements at scale: 1,000,000 transactions over 10,000 partners.
//!
//! The plan is the sample program's reseller plan: product and category rates
//! (most specific wins), period-cumulative graduated volume brackets, tier
//! multipliers from a tier history, a SPIFF, a period cap, a target bonus and
//! clawbacks within 90 days. About one sale in thirty is partly refunded later
//! in the quarter. The data is generated from a fixed seed before timing.
//!
//! * `commission_stream_1m_totals`: a [`StatementRun`] fed the sorted
//!   transactions through `extend`, returning every partner's totals (the streaming path);
//! * `commission_statements_100k_lines`: `commission::statements` with every
//!   line, component and explanation, on the first 100,000 transactions.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use prm_benches::commission_workload::{self, Workload, options};
use prm_core::commission::{self, Detail, StatementRun, Transaction};
use std::hint::black_box;

fn statements(c: &mut Criterion) {
    // The data lives in `prm_benches::commission_workload`, shared with the
    // Python benchmark (`benches/python/bench_statements.py`).
    let Workload {
        program,
        facts,
        transactions: txs,
    } = commission_workload::generate().unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1)
    });
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
