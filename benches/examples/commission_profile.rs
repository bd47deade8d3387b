//! Runs the commission benchmark's workload once (or `repeat` times) outside
//! criterion, for profilers such as `valgrind --tool=callgrind` and `perf`.
//!
//! ```text
//! cargo build --release -p prm-benches --example commission_profile
//! valgrind --tool=callgrind --toggle-collect='*measured*' \
//!     target/release/examples/commission_profile totals 100000
//! target/release/examples/commission_profile <totals|lines|phases> [transactions] [repeat]
//! ```
//!
//! `totals` streams the transactions through a `StatementRun` with
//! `Detail::Totals` (as `commission_stream_1m_totals`); `lines` calls
//! `commission::statements` (as `commission_statements_100k_lines`). Prints
//! the grand net total (so two builds can be compared) and the best time.

use prm_core::Program;
use prm_core::commission::{
    self, CommissionFacts, CommissionStatements, Detail, StatementOptions, StatementRun,
    Transaction,
};
use std::time::Instant;

/// The measured work: profilers collect inside this function only
/// (`--toggle-collect='*measured*'`).
#[inline(never)]
fn measured(
    mode: &str,
    program: &Program,
    facts: &CommissionFacts,
    options: &StatementOptions,
    txs: &[Transaction],
) -> Result<CommissionStatements, prm_core::Error> {
    match mode {
        "lines" => commission::statements(program, txs, facts, options),
        _ => StatementRun::new(program, facts, options.clone(), Detail::Totals).and_then(
            |mut run| {
                run.extend(txs.iter());
                run.finish()
            },
        ),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map_or("totals", String::as_str);
    let n = args
        .get(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000usize);
    let repeat = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(1usize);
    let workload = prm_benches::commission_workload::generate_n(n).unwrap_or_else(|e| {
        eprintln!("commission_profile: {e}");
        std::process::exit(1)
    });
    let (program, facts, txs) = (workload.program, workload.facts, workload.transactions);
    let options = prm_benches::commission_workload::options();
    if mode == "phases" {
        phases(&program, &facts, &options, &txs, repeat);
        return;
    }
    let mut best = f64::INFINITY;
    let mut net = String::new();
    for _ in 0..repeat {
        let started = Instant::now();
        let result = measured(mode, &program, &facts, &options, &txs);
        best = best.min(started.elapsed().as_secs_f64());
        match result {
            Ok(r) => net = r.totals.net.to_string(),
            Err(e) => {
                eprintln!("commission_profile: {e}");
                std::process::exit(1);
            }
        }
    }
    #[expect(clippy::cast_precision_loss, reason = "a rate for people to read")]
    let rate = n as f64 / best;
    println!("{mode} {n} net={net} best={best:.3}s rate={rate:.0}/s");
}

/// Times the two phases of a totals stream apart: pushing every transaction,
/// then `finish` (the period close), and the drop of the result.
fn phases(
    program: &Program,
    facts: &CommissionFacts,
    options: &StatementOptions,
    txs: &[Transaction],
    repeat: usize,
) {
    for _ in 0..repeat {
        let cpu_started = cpu_seconds();
        let started = Instant::now();
        let Ok(mut run) = StatementRun::new(program, facts, options.clone(), Detail::Totals) else {
            return;
        };
        run.extend(txs.iter());
        let pushed = started.elapsed().as_secs_f64();
        let result = run.finish();
        let finished = started.elapsed().as_secs_f64();
        drop(result);
        let dropped = started.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - cpu_started;
        println!(
            "push {pushed:.3}s  finish {:.3}s  drop {:.3}s  (wall {dropped:.3}s, cpu {cpu:.3}s)",
            finished - pushed,
            dropped - finished
        );
    }
}

/// The CPU time of this thread so far, from `/proc/thread-self/schedstat`
/// (zero where it cannot be read): unlike wall time, it does not count the
/// time other processes held the core.
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0.0, |ns| {
            #[expect(clippy::cast_precision_loss, reason = "seconds for people to read")]
            let seconds = ns as f64 / 1e9;
            seconds
        })
}
