//! Shared set-up for prm's criterion benchmarks (`cargo bench -p prm-benches`).
//!
//! The benchmarks live in `benches/benches/`; their figures, and the machine
//! they were measured on, are recorded in `docs/performance.md`.

pub mod commission_workload;

/// The sample program document used by the benchmarks.
pub fn sample_program() -> serde_json::Value {
    prm_core::sample::program()
}

pub mod mdf;
pub mod scorecards;
pub mod tiers;
