//! Runs one benchmark's timed call a few times outside criterion, for
//! profilers (`perf`, `valgrind --tool=callgrind`) that should see the engine
//! and not the data set-up.
//!
//! ```text
//! cargo build --release -p prm-benches --example profile
//! valgrind --tool=callgrind --collect-atstart=no \\
//!     --toggle-collect='prm_core::mdf::balance::balance' target/release/examples/profile mdf 1
//! target/release/examples/profile tiers 5    # or scorecards
//! ```
//!
//! Prints the wall time and the CPU time of the thread for each run (the
//! machine is shared, so CPU time is the steadier figure).

use std::time::Instant;

/// Nanoseconds the thread has spent on a CPU (`/proc/thread-self/schedstat`).
fn thread_cpu_nanos() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Runs `call` `runs` times, printing each run's wall and CPU time.
fn time<T>(name: &str, runs: usize, mut call: impl FnMut() -> T, describe: impl Fn(&T) -> String) {
    for _ in 0..runs {
        let cpu = thread_cpu_nanos();
        let start = Instant::now();
        let answer = call();
        let wall = start.elapsed();
        let cpu_ms = thread_cpu_nanos().saturating_sub(cpu) as f64 / 1e6;
        println!(
            "{name}: wall {wall:?}, cpu {cpu_ms:.1} ms ({})",
            describe(&answer)
        );
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let engine = args.next().unwrap_or_default();
    let runs: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(1);
    match engine.as_str() {
        "mdf" => {
            let program = prm_benches::mdf::program();
            let events = prm_benches::mdf::events();
            let as_of = prm_benches::mdf::date("2026-03-31");
            let filter = prm_core::mdf::BalanceFilter::default();
            time(
                "mdf",
                runs,
                || prm_core::mdf::balance(&program, &events, as_of, &filter),
                |b| match b {
                    Ok(b) => format!("{} accounts", b.accounts.len()),
                    Err(e) => e.to_string(),
                },
            );
        }
        "tiers" => {
            let Some((program, facts)) = prm_benches::tiers::setup() else {
                eprintln!("profile: the tiers benchmark's program does not load");
                std::process::exit(2);
            };
            let as_of = prm_benches::tiers::date("2026-03-31");
            time(
                "tiers",
                runs,
                || prm_core::tier::evaluate_batch(&program, &facts, as_of),
                |d| match d {
                    Ok(d) => format!("{} decisions", d.len()),
                    Err(e) => e.to_string(),
                },
            );
        }
        "scorecards" => {
            let Some((program, facts)) = prm_benches::scorecards::setup() else {
                eprintln!("profile: the scorecards benchmark's program does not load");
                std::process::exit(2);
            };
            let as_of = prm_benches::scorecards::date("2026-03-31");
            time(
                "scorecards",
                runs,
                || prm_core::scorecard::evaluate(&program, &facts, as_of),
                |r| match r {
                    Ok(r) => format!("{} cards", r.scorecards.len()),
                    Err(e) => e.to_string(),
                },
            );
        }
        other => {
            eprintln!("profile: unknown benchmark `{other}` (mdf, tiers, scorecards)");
            std::process::exit(2);
        }
    }
}
