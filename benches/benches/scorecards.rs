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

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{Criterion, criterion_group, criterion_main};
use prm_benches::scorecards::{date, setup};
use prm_core::scorecard;
use std::hint::black_box;
use std::time::Duration;

/// CPU time of the benchmark's thread, from `/proc/thread-self/schedstat`
/// (nanoseconds on the CPU). The development machine is shared by several
/// builds, so wall time counts the time spent waiting for a core; CPU time
/// is what the evaluation itself costs.
struct CpuTime;

static WALL: WallTime = WallTime;

fn thread_cpu_nanos() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

impl Measurement for CpuTime {
    type Intermediate = u64;
    type Value = Duration;

    fn start(&self) -> u64 {
        thread_cpu_nanos()
    }

    fn end(&self, start: u64) -> Duration {
        Duration::from_nanos(thread_cpu_nanos().saturating_sub(start))
    }

    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }

    fn zero(&self) -> Duration {
        Duration::ZERO
    }

    fn to_f64(&self, value: &Duration) -> f64 {
        value.as_nanos() as f64
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        WALL.formatter()
    }
}

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
