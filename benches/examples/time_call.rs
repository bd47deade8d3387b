//! Times `prm_core::api::call_value` on a request read from disk: the Rust
//! side of the Python batch benchmark (`benches/python/bench_statements.py`),
//! which writes the same data it gives the Python binding.
//!
//! ```text
//! cargo run --release -p prm-benches --example time_call -- batch <op> <request.json> [repeat]
//! cargo run --release -p prm-benches --example time_call -- map <op> <base.json> <rows.jsonl> [repeat]
//! ```
//!
//! `batch` runs one request; `map` runs one request per row (the row's
//! fields joined to `base`). Reading and parsing the files is not timed;
//! building each request and computing it is. Prints one JSON line with the
//! best of `repeat` runs.

use serde_json::{Map, Value};
use std::time::{Duration, Instant};

fn main() {
    if let Err(message) = run() {
        eprintln!("time_call: {message}");
        std::process::exit(2);
    }
}

fn read_json(path: &str) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))
}

fn best<F: FnMut() -> Result<usize, String>>(
    repeat: usize,
    mut f: F,
) -> Result<(Duration, usize), String> {
    let mut fastest = Duration::MAX;
    let mut rows = 0;
    for _ in 0..repeat.max(1) {
        let start = Instant::now();
        rows = f()?;
        fastest = fastest.min(start.elapsed());
    }
    Ok((fastest, rows))
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| {
        args.get(i)
            .cloned()
            .ok_or_else(|| "missing argument; see the doc comment".to_owned())
    };
    let mode = arg(0)?;
    let op = arg(1)?;
    let (elapsed, rows) = match mode.as_str() {
        "batch" => {
            let request = read_json(&arg(2)?)?;
            let repeat = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(3);
            let rows = request
                .as_object()
                .and_then(|o| o.values().filter_map(Value::as_array).map(Vec::len).max())
                .unwrap_or(0);
            best(repeat, || {
                prm_core::api::call_value(&op, &request)
                    .map(|_| rows)
                    .map_err(|e| e.to_string())
            })?
        }
        "map" => {
            let Value::Object(base) = read_json(&arg(2)?)? else {
                return Err("the base request must be an object".into());
            };
            let text = std::fs::read_to_string(arg(3)?).map_err(|e| e.to_string())?;
            let rows: Vec<Map<String, Value>> = text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| match serde_json::from_str(l) {
                    Ok(Value::Object(row)) => Ok(row),
                    _ => Err(format!("not a JSON object: {l}")),
                })
                .collect::<Result<_, _>>()?;
            let repeat = args.get(4).and_then(|r| r.parse().ok()).unwrap_or(3);
            best(repeat, || {
                for row in &rows {
                    let mut request = base.clone();
                    request.extend(row.iter().map(|(k, v)| (k.clone(), v.clone())));
                    prm_core::api::call_value(&op, &Value::Object(request))
                        .map_err(|e| e.to_string())?;
                }
                Ok(rows.len())
            })?
        }
        other => return Err(format!("unknown mode `{other}`: use `batch` or `map`")),
    };
    let seconds = elapsed.as_secs_f64();
    println!(
        "{}",
        serde_json::json!({"op": op, "mode": mode, "rows": rows, "seconds": seconds,
                           "rows_per_second": if seconds > 0.0 { rows as f64 / seconds } else { 0.0 }})
    );
    Ok(())
}
