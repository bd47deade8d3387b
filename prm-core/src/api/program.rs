//! `version` and `program.validate`.

use crate::error::Error;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

/// The `version` request: an empty object.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct VersionRequest {}

/// `version`: `{}` → `{"version": "0.1.0", "schema_version": 1, "operations": [...]}`.
pub(super) fn version(request: &Value) -> Result<Value, Error> {
    super::request::<VersionRequest>(request)?;
    Ok(json!({
        "version": crate::version(),
        "schema_version": crate::program::SCHEMA_VERSION,
        "operations": super::operations(),
    }))
}

/// The `program.validate` request: `{"program": <program document>}`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ValidateRequest {
    /// The program document.
    #[schemars(with = "crate::Program")]
    #[expect(
        dead_code,
        reason = "read by `program_at` with its own paths; declared for the schema"
    )]
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
