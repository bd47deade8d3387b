//! The vocabulary's hot paths: decimal parsing, rounding, allocation and the JSON facade.

use criterion::{Criterion, criterion_group, criterion_main};
use prm_core::{Decimal, RoundingMode, money::allocate};
use std::hint::black_box;

fn decimals(c: &mut Criterion) {
    c.bench_function("decimal_parse", |b| {
        b.iter(|| black_box("1234567.8925").parse::<Decimal>())
    });
    let value: Decimal = "1234567.8925".parse().unwrap_or_default();
    c.bench_function("round_half_even_2dp", |b| {
        b.iter(|| RoundingMode::HalfEven.round(black_box(value), 2))
    });
    let weights: Vec<Decimal> = (1..=10i64).map(Decimal::from).collect();
    let total: Decimal = "10000.01".parse().unwrap_or_default();
    c.bench_function("allocate_10_parts", |b| {
        b.iter(|| allocate(black_box(total), &weights, 2))
    });
}

fn facade(c: &mut Criterion) {
    let request = serde_json::json!({ "program": prm_benches::sample_program() }).to_string();
    c.bench_function("api_program_validate", |b| {
        b.iter(|| prm_core::api::call("program.validate", black_box(&request)))
    });
    let bad =
        r#"{"program": {"schema_version": 1, "currency": "EUX", "rounding": "x", "extra": 1}}"#;
    c.bench_function("api_program_validate_invalid", |b| {
        b.iter(|| prm_core::api::call("program.validate", black_box(bad)))
    });
}

/// One partner's tier decision through the facade, on the sample program:
/// with the program embedded in the request (parsed and validated on every
/// call) and with a program parsed once (`call_with_program`).
fn program_reuse(c: &mut Criterion) {
    let document = prm_benches::sample_program();
    let Ok(program) = prm_core::Program::from_value(&document) else {
        return;
    };
    let quarter = prm_core::sample::quarter();
    let Some(partner) = prm_core::sample::tier_facts(&quarter).into_iter().next() else {
        return;
    };
    let as_of = prm_core::sample::as_of();
    let request = serde_json::json!({"as_of": as_of, "partner": partner});
    let embedded = serde_json::json!({"program": document, "as_of": as_of, "partner": partner});
    c.bench_function("api_tiers_evaluate_one_partner_program_in_request", |b| {
        b.iter(|| prm_core::api::call_value("tiers.evaluate", black_box(&embedded)))
    });
    c.bench_function("api_tiers_evaluate_one_partner_program_given", |b| {
        b.iter(|| prm_core::api::call_with_program("tiers.evaluate", &program, black_box(&request)))
    });
}

criterion_group!(benches, decimals, facade, program_reuse);
criterion_main!(benches);
