//! Tier qualification at scale: 100,000 partners, 4 tiers of 6 requirements,
//! metrics aggregated from 1,000,000 raw sales.
//!
//! The data is generated deterministically (seeded SplitMix64) before timing.
//! Each partner has about 10 sales and refunds over 15 months, 1 to 6 people
//! with certification awards, deployments and an `agreement_signed` flag. The
//! timed call is `tier::evaluate_batch`: it validates the facts, reads the
//! awards against the catalog, aggregates six metrics per partner over their
//! windows, reports every requirement of every tier, and decides the
//! lifecycle step from each partner's current assignment.

use criterion::{Criterion, criterion_group, criterion_main};
use prm_benches::tiers::{date, setup};
use prm_core::tier;
use serde_json::json;
use std::hint::black_box;

#[path = "support/cpu_time.rs"]
mod cpu_time;
use cpu_time::CpuTime;

fn tiers(c: &mut Criterion) {
    let Some((program, facts)) = setup() else {
        return;
    };
    let as_of = date("2026-03-31");
    c.bench_function("tiers_evaluate_batch_100k_partners_1m_sales", |b| {
        b.iter(|| tier::evaluate_batch(black_box(&program), black_box(&facts), as_of))
    });
    // The JSON facade on a batch of 1,000 partners: parse, evaluate, explain and write the answer.
    let request = json!({
        "program": program.to_value(),
        "as_of": "2026-03-31",
        "partners": serde_json::to_value(facts.get(..1_000).unwrap_or(&facts)).unwrap_or_default(),
    })
    .to_string();
    c.bench_function("tiers_evaluate_json_1k_partners", |b| {
        b.iter(|| prm_core::api::call("tiers.evaluate", black_box(&request)))
    });
}

fn tiers_cpu(c: &mut Criterion<CpuTime>) {
    let Some((program, facts)) = setup() else {
        return;
    };
    let as_of = date("2026-03-31");
    c.bench_function(
        "tiers_evaluate_batch_100k_partners_1m_sales_cpu_time",
        |b| b.iter(|| tier::evaluate_batch(black_box(&program), black_box(&facts), as_of)),
    );
}

criterion_group!(benches, tiers);
criterion_group! {
    name = cpu;
    config = Criterion::default().with_measurement(CpuTime);
    targets = tiers_cpu
}
criterion_main!(benches, cpu);
