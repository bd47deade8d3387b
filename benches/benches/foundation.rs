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

criterion_group!(benches, decimals, facade);
criterion_main!(benches);
