//! Node.js bindings for prm: the native addon behind the npm package `prm`.
//!
//! This crate only converts: every export hands its arguments to
//! [`prm_core::api::call`] and returns the core's answer. Every export is
//! `#[napi(catch_unwind)]`, so a panic becomes a JavaScript error instead of
//! aborting the process.

use napi_derive::napi;

/// prm's version, e.g. `0.1.0`.
#[napi(catch_unwind)]
pub fn version() -> String {
    prm_core::version().to_owned()
}

/// Runs operation `op` on a JSON request text and returns the JSON answer:
/// `{"ok": ...}` or `{"error": {"code", "message", "problems"}}`.
///
/// An error of the operation is an answer, not a thrown exception.
#[napi(catch_unwind)]
pub fn call(op: String, request: String) -> String {
    prm_core::api::call(&op, &request)
}
