//! Prints the operation and request a `structured` fuzz input stands for, and
//! prm's answer, so a crash or slow input can become a conformance case.
//!
//! Usage: `cargo run --manifest-path tests/fuzz/Cargo.toml --bin show -- PATH`

use arbitrary::Unstructured;

fn main() -> std::io::Result<()> {
    let path = std::env::args().nth(1).unwrap_or_default();
    let data = std::fs::read(&path)?;
    let mut u = Unstructured::new(&data);
    let requests = prm_fuzz::requests();
    let Ok(request) = u.choose(requests) else {
        println!("too short to choose a case");
        return Ok(());
    };
    let Some(mut value) = request.value.clone() else {
        println!("{}: a raw-text case, not mutated", request.name);
        return Ok(());
    };
    if prm_fuzz::mutate(&mut u, &mut value).is_err() {
        println!("{}: too short to mutate", request.name);
        return Ok(());
    }
    println!(
        "case: {}\nop: {}\nrequest: {value}",
        request.name, request.op
    );
    let start = std::time::Instant::now();
    let answer = prm_core::api::call(&request.op, &value.to_string());
    println!("answer ({:?}): {answer}", start.elapsed());
    Ok(())
}
