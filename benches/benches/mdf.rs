//! The MDF ledger's hot path: replaying a year of events to balances.
//!
//! The data is generated deterministically and outside the timing by
//! [`prm_benches::mdf`]: one fund with four quarterly periods, 10,000 partners
//! each allocated every quarter, and about 213,000 requests whose lifecycles
//! (submitted, approved, claimed, claim approved, paid; or released after the
//! claim window; or rejected) bring the ledger to exactly 1,000,000 events.
#![expect(
    clippy::panic,
    reason = "a benchmark whose generated ledger does not replay must stop, loudly"
)]

use criterion::{Criterion, criterion_group, criterion_main};
use prm_benches::mdf::{EVENTS, PARTNERS, date, events, program};
use prm_core::mdf::{self, BalanceFilter};
use std::hint::black_box;

fn replay(c: &mut Criterion) {
    let program = program();
    let events = events();
    let as_of = date("2026-03-31");
    let filter = BalanceFilter::default();
    // Checked once, outside the timing: the generated ledger replays.
    let balance = mdf::balance(&program, &events, as_of, &filter)
        .unwrap_or_else(|e| panic!("generated events do not replay: {e}"));
    assert_eq!(events.len(), EVENTS);
    assert_eq!(balance.accounts.len() as u64, PARTNERS * 4);
    let mut group = c.benchmark_group("mdf");
    group.sample_size(10);
    group.bench_function("replay_1m_events_10k_partners_to_balances", |b| {
        b.iter(|| mdf::balance(&program, black_box(&events), as_of, &filter))
    });
    group.finish();
}

criterion_group!(benches, replay);
criterion_main!(benches);
