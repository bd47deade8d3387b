//! `version` and `program.validate`.

use crate::error::Error;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The `version` request: an empty object.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct VersionRequest {}

/// `version`: `{}` → `{"version": "0.1.0", "schema_version": 1, "operations": [...]}`.
pub(super) fn version(request: &Value) -> Result<Value, Error> {
    super::request::<VersionRequest>(request)?;
    super::to_value(&VersionAnswer {
        version: crate::version(),
        schema_version: crate::program::SCHEMA_VERSION,
        operations: super::operations(),
    })
}

/// The `version` answer.
#[derive(Serialize, JsonSchema)]
pub(super) struct VersionAnswer {
    /// prm's version.
    version: &'static str,
    /// The program document version this prm reads.
    schema_version: u32,
    /// Every operation name, sorted.
    operations: Vec<&'static str>,
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
    super::to_value(&ProgramSummary {
        valid: true,
        schema_version: crate::program::SCHEMA_VERSION,
        name: program.name().map(str::to_owned),
        currency: program.currency(),
        rounding: program.rounding(),
        fiscal_calendar: program.fiscal_calendar(),
        sections: program.sections(),
    })
}

/// The `program.validate` answer.
#[derive(Serialize, JsonSchema)]
pub(super) struct ProgramSummary {
    /// Always `true`: an invalid program is an `invalid` error instead.
    valid: bool,
    /// The document version.
    schema_version: u32,
    /// The program's name.
    name: Option<String>,
    /// The currency of bare amounts.
    currency: crate::Currency,
    /// The rounding mode.
    rounding: crate::RoundingMode,
    /// The fiscal calendar.
    fiscal_calendar: crate::calendar::FiscalCalendar,
    /// The engine sections present.
    sections: Vec<&'static str>,
}

/// The `describe` request: `{"op": "<operation name>"}`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct DescribeRequest {
    /// The operation to describe.
    op: String,
}

/// The `describe` answer: what an operation does and the JSON Schemas of its request and answer.
#[derive(Serialize, JsonSchema)]
pub(super) struct Description {
    /// The operation's name.
    op: String,
    /// One line saying what it does.
    summary: &'static str,
    /// The JSON Schema of its request.
    request: Value,
    /// The JSON Schema of its answer (the value under `ok`).
    response: Value,
}

/// `describe`: `{"op": "money.round"}` → its summary and schemas, so a binding
/// in any language can learn which answer fields are decimals and dates.
pub(super) fn describe(request: &Value) -> Result<Value, Error> {
    let r: DescribeRequest = super::request(request)?;
    match (
        super::describe(&r.op),
        super::request_schema(&r.op),
        super::response_schema(&r.op),
    ) {
        (Some(summary), Some(request), Some(response)) => super::to_value(&Description {
            op: r.op,
            summary,
            request,
            response,
        }),
        _ => Err(super::unknown_operation(
            &r.op,
            &crate::JsonPath::root().key("op"),
        )),
    }
}
