//! Scorecards at scale: 100,000 partners from 1,000,000 raw sales and 500,000 leads.
//!
//! The data is generated deterministically (seeded SplitMix64) before timing.
//! Each partner has 10 sales and refunds over six months (the window and the
//! previous window), 5 leads, a tier and a region for percentile peers, and
//! its MDF use. The program scores seven KPIs (revenue and average deal size by
//! percentile among tier and all peers, revenue growth, deals won, lead
//! acceptance, response hours and conversion by bounds) and raises three kinds
//! of signals. The timed call is `scorecard::evaluate`: validate the facts,
//! aggregate every KPI over both windows, rank the percentiles, weight the
//! health score, band it, trend it, raise the signals and explain each card.

use criterion::{Criterion, criterion_group, criterion_main};
use prm_benches::scorecards::{date, setup};
use prm_core::scorecard;
use std::hint::black_box;

#[path = "support/cpu_time.rs"]
mod cpu_time;
use cpu_time::CpuTime;

fn scorecards(c: &mut Criterion) {
    let Some((program, facts)) = setup() else {
        return;
    };
    let as_of = date("2026-03-31");
    c.bench_function(
        "scorecards_evaluate_100k_partners_1m_sales_500k_leads",
        |b| b.iter(|| scorecard::evaluate(black_box(&program), black_box(&facts), as_of)),
    );
}

fn scorecards_cpu(c: &mut Criterion<CpuTime>) {
    let Some((program, facts)) = setup() else {
        return;
    };
    let as_of = date("2026-03-31");
    c.bench_function(
        "scorecards_evaluate_100k_partners_1m_sales_500k_leads_cpu_time",
        |b| b.iter(|| scorecard::evaluate(black_box(&program), black_box(&facts), as_of)),
    );
}

criterion_group!(benches, scorecards);
criterion_group! {
    name = cpu;
    config = Criterion::default().with_measurement(CpuTime);
    targets = scorecards_cpu
}
criterion_main!(benches, cpu);
