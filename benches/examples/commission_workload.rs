//! The commission workload of `benches/commission.rs` for the Python
//! benchmark (`benches/python/bench_statements.py`): writes it to files, and
//! times the Rust paths on it.
//!
//! ```text
//! cargo run --release -p prm-benches --example commission_workload -- write <dir>
//! cargo run --release -p prm-benches --example commission_workload -- time [repeat]
//! ```
//!
//! `write` puts `transactions.csv` (one row per transaction, in stream order;
//! an empty cell is no value) and `request.json` (the `commission.statements`
//! request without its transactions: program, tier history, plan, `as_of`,
//! `detail: "totals"`) in `<dir>`.
//!
//! `time` generates the same data and times, best of `repeat` (default 3):
//!
//! * `engine`: what the criterion bench `commission_stream_1m_totals` times, a
//!   `StatementRun` with `Detail::Totals` fed the typed transactions;
//! * `facade`: `prm_core::api::call_value("commission.statements", ...)` on the
//!   same request as JSON values (reading them into core types included).
//!
//! It prints one JSON line: each path's seconds and transactions per second,
//! and the total net of the statements, to check the Python answer against.

use prm_benches::commission_workload::{self, AS_OF, PLAN, Workload, options};
use prm_core::commission::{Detail, StatementRun};
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

fn main() {
    if let Err(message) = run() {
        eprintln!("commission_workload: {message}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let workload = commission_workload::generate().map_err(|e| e.to_string())?;
    match args.first().map(String::as_str) {
        Some("write") => {
            let dir = args.get(1).ok_or("write: name the directory")?;
            write(&workload, std::path::Path::new(dir))
        }
        Some("time") => {
            let repeat = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(3);
            time(&workload, repeat)
        }
        _ => Err("use `write <dir>` or `time [repeat]`; see the doc comment".into()),
    }
}

/// The request without its transactions, as `commission.statements` takes it.
fn base_request(workload: &Workload) -> Result<Value, String> {
    Ok(json!({
        "program": prm_benches::sample_program(),
        "tier_history": serde_json::to_value(&workload.facts.tier_history).map_err(|e| e.to_string())?,
        "plan": PLAN,
        "as_of": AS_OF,
        "detail": "totals",
    }))
}

fn cell(value: Option<String>) -> String {
    value.unwrap_or_default()
}

fn write(workload: &Workload, dir: &std::path::Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let mut csv = String::with_capacity(workload.transactions.len() * 96);
    csv.push_str("id,partner_id,date,kind,amount,cost,quantity,product_id,category,original_id\n");
    for t in &workload.transactions {
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{},{},{},{},{}",
            t.id,
            t.partner_id,
            t.date,
            t.kind.as_str(),
            t.amount,
            cell(t.cost.map(|c| c.to_string())),
            cell(t.quantity.map(|q| q.to_string())),
            cell(t.product_id.clone()),
            cell(t.category.clone()),
            cell(t.original_id.clone()),
        );
    }
    std::fs::write(dir.join("transactions.csv"), csv).map_err(|e| e.to_string())?;
    let request = base_request(workload)?;
    std::fs::write(
        dir.join("request.json"),
        serde_json::to_string(&request).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())
}

fn best<T>(
    repeat: usize,
    mut f: impl FnMut() -> Result<T, String>,
) -> Result<(Duration, T), String> {
    let mut fastest = Duration::MAX;
    let mut last = None;
    for _ in 0..repeat.max(1) {
        let start = Instant::now();
        let value = f()?;
        fastest = fastest.min(start.elapsed());
        last = Some(value);
    }
    last.map(|value| (fastest, value))
        .ok_or_else(|| "nothing ran".to_owned())
}

fn rate(rows: usize, elapsed: Duration) -> f64 {
    let seconds = elapsed.as_secs_f64();
    if seconds > 0.0 {
        rows as f64 / seconds
    } else {
        0.0
    }
}

fn time(workload: &Workload, repeat: usize) -> Result<(), String> {
    let rows = workload.transactions.len();
    let (engine, net) = best(repeat, || {
        let mut run = StatementRun::new(
            &workload.program,
            &workload.facts,
            options(),
            Detail::Totals,
        )
        .map_err(|e| e.to_string())?;
        run.extend(std::hint::black_box(&workload.transactions).iter());
        run.finish()
            .map(|r| r.totals.net)
            .map_err(|e| e.to_string())
    })?;

    let mut request = base_request(workload)?;
    let transactions: Vec<Value> = workload
        .transactions
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    if let Value::Object(fields) = &mut request {
        fields.insert("transactions".into(), Value::Array(transactions));
    }
    let (facade, answer) = best(repeat, || {
        prm_core::api::call_value("commission.statements", &request).map_err(|e| e.to_string())
    })?;
    let facade_net = answer
        .pointer("/totals/net")
        .cloned()
        .unwrap_or(Value::Null);
    println!(
        "{}",
        json!({
            "rows": rows,
            "engine": {"seconds": engine.as_secs_f64(), "rows_per_second": rate(rows, engine)},
            "facade": {"seconds": facade.as_secs_f64(), "rows_per_second": rate(rows, facade)},
            "net": net.to_string(),
            "facade_net": facade_net,
        })
    );
    Ok(())
}
