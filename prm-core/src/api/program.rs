//! `version` and `program.validate`.

use crate::error::Error;
use serde::Deserialize;
use serde_json::{Value, json};

/// `version`: `{}` → `{"version": "0.1.0", "schema_version": 1}`.
pub(super) fn version(_request: &Value) -> Result<Value, Error> {
    Ok(json!({ "version": crate::version(), "schema_version": crate::program::SCHEMA_VERSION }))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[expect(
    dead_code,
    reason = "the fields are read by `program_at`; this type gives the request its schema"
)]
struct ValidateRequest {
    program: Value,
}

/// `program.validate`: `{"program": {...}}` → a summary of the valid program,
/// or `invalid` with every problem under `$.program`.
pub(super) fn validate(request: &Value) -> Result<Value, Error> {
    super::request::<ValidateRequest>(request)?;
    let program = super::program_at(request)?;
    Ok(json!({
        "valid": true,
        "schema_version": crate::program::SCHEMA_VERSION,
        "name": program.name(),
        "currency": program.currency(),
        "rounding": program.rounding(),
        "fiscal_calendar": program.fiscal_calendar(),
        "sections": program.sections(),
    }))
}
