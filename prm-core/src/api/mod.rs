//! The operation facade: every operation by a stable name, over JSON.
//!
//! Each operation exists in three forms, as in cedar's FFI:
//!
//! * typed, in its engine's module (`Program::from_json`, ...);
//! * JSON value: [`call_value`]`("program.validate", value)` returns `Result<Value, Error>`;
//! * JSON text: [`call`]`("program.validate", text)` returns a tagged answer,
//!   `{"ok": ...}` or `{"error": {"code", "message", "problems"}}`, and never panics.
//!
//! The bindings (Python, Node, Kotlin, Swift, C) call [`call`] or
//! [`call_value`], so an operation added here is reachable in every language
//! at once, with the same name and the same JSON.
//!
//! ```
//! let answer = prm_core::api::call("version", "{}");
//! assert!(answer.starts_with(r#"{"ok":{"version":"#));
//! let answer = prm_core::api::call("no.such.op", "{}");
//! assert!(answer.contains(r#""code":"unknown_operation""#));
//! ```

mod mdf;
mod program;
mod vocabulary;

use crate::error::{Error, ErrorCode, JsonPath, Problem};
use serde::Serialize;
use serde_json::Value;

/// One operation of the facade.
struct Operation {
    name: &'static str,
    summary: &'static str,
    run: fn(&Value) -> Result<Value, Error>,
    request: fn() -> schemars::Schema,
}

fn schema<T: schemars::JsonSchema>() -> schemars::Schema {
    schemars::schema_for!(T)
}

const OPERATIONS: &[Operation] = &[
    Operation {
        name: "version",
        summary: "prm's version and the schema version it reads",
        run: program::version,
        request: schema::<program::VersionRequest>,
    },
    Operation {
        name: "program.validate",
        summary: "validate a program document and summarise it",
        run: program::validate,
        request: schema::<program::ValidateRequest>,
    },
    Operation {
        name: "money.round",
        summary: "round an amount to its currency's minor units with a rounding mode",
        run: vocabulary::round,
        request: schema::<vocabulary::RoundRequest>,
    },
    Operation {
        name: "money.allocate",
        summary: "split a total by weights with largest-remainder rounding",
        run: vocabulary::allocate_op,
        request: schema::<vocabulary::AllocateRequest>,
    },
    Operation {
        name: "rate.normalize",
        summary: "read a rate (\"0.07\" or \"7%\") as a decimal fraction",
        run: vocabulary::rate,
        request: schema::<vocabulary::RateRequest>,
    },
    Operation {
        name: "calendar.add_months",
        summary: "add months to a date, clamping to the month's last day",
        run: vocabulary::add_months_op,
        request: schema::<vocabulary::AddMonthsRequest>,
    },
    Operation {
        name: "calendar.trailing_window",
        summary: "the trailing window of N months as of a date",
        run: vocabulary::trailing_window,
        request: schema::<vocabulary::WindowRequest>,
    },
    Operation {
        name: "calendar.fiscal_quarter",
        summary: "the fiscal year and quarter of a date",
        run: vocabulary::fiscal_quarter,
        request: schema::<vocabulary::FiscalRequest>,
    },
    Operation {
        name: "mdf.allocate",
        summary: "share a fund period's pool among partners (a preview of the `allocate` command)",
        run: mdf::allocate,
        request: schema::<mdf::AllocateRequest>,
    },
    Operation {
        name: "mdf.apply",
        summary: "check MDF ledger commands against the rules and the events so far; answer with new events",
        run: mdf::apply,
        request: schema::<mdf::ApplyRequest>,
    },
    Operation {
        name: "mdf.balance",
        summary: "MDF balances (funds, available, open commitment, paid, ...) as of a date",
        run: mdf::balance,
        request: schema::<mdf::BalanceRequest>,
    },
    Operation {
        name: "mdf.report",
        summary: "MDF utilization by tier and activity type, and return on investment, as of a date",
        run: mdf::report,
        request: schema::<mdf::ReportRequest>,
    },
];

/// The names of every operation, sorted.
pub fn operations() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = OPERATIONS.iter().map(|op| op.name).collect();
    names.sort_unstable();
    names
}

/// A one-line description of operation `name`, if it exists.
pub fn describe(name: &str) -> Option<&'static str> {
    OPERATIONS
        .iter()
        .find(|op| op.name == name)
        .map(|op| op.summary)
}

/// The JSON Schema of operation `name`'s request, if the operation exists.
pub fn request_schema(name: &str) -> Option<Value> {
    OPERATIONS
        .iter()
        .find(|op| op.name == name)
        .map(|op| (op.request)().to_value())
}

/// Runs operation `op` on a JSON request value.
///
/// # Errors
///
/// `unknown_operation` for a name [`operations`] does not list; otherwise
/// whatever the operation reports.
pub fn call_value(op: &str, request: &Value) -> Result<Value, Error> {
    match OPERATIONS.iter().find(|candidate| candidate.name == op) {
        Some(operation) => (operation.run)(request),
        None => {
            let mut problem = Problem::new(ErrorCode::UnknownOperation, JsonPath::root())
                .message(format!("unknown operation `{op}`"));
            if let Some(close) = crate::input::did_you_mean(op, OPERATIONS.iter().map(|o| o.name)) {
                problem = problem.help(format!("did you mean `{close}`?"));
            } else {
                problem = problem.help(format!("known operations: {}", operations().join(", ")));
            }
            Err(Error::UnknownOperation(vec![problem]))
        }
    }
}

/// Runs operation `op` on a JSON request text and answers with JSON text:
/// `{"ok": <result>}` or `{"error": {"code", "message", "problems"}}`.
///
/// This never panics: a bug inside prm is caught and answered as an
/// `internal` error.
pub fn call(op: &str, request: &str) -> String {
    let answer = std::panic::catch_unwind(|| {
        crate::program::parse_json(request).and_then(|value| call_value(op, &value))
    })
    .unwrap_or_else(|_| {
        Err(Error::Internal(vec![
            Problem::new(ErrorCode::Internal, JsonPath::root()).message(format!(
                "operation `{op}` panicked; this is a bug in prm, please report it"
            )),
        ]))
    });
    answer_text(answer)
}

/// The tagged answer for a result: `{"ok": ...}` or `{"error": ...}`.
pub fn answer(result: Result<Value, Error>) -> Value {
    match result {
        Ok(value) => serde_json::json!({ "ok": value }),
        Err(error) => serde_json::json!({ "error": error.to_json() }),
    }
}

fn answer_text(result: Result<Value, Error>) -> String {
    let value = answer(result);
    serde_json::to_string(&value).unwrap_or_else(|_| {
        r#"{"error":{"code":"internal","message":"answer could not be written","problems":[]}}"#
            .to_owned()
    })
}

/// Serializes an operation's result.
pub(crate) fn to_value<T: Serialize>(value: &T) -> Result<Value, Error> {
    serde_json::to_value(value).map_err(|e| {
        Error::Internal(vec![
            Problem::new(ErrorCode::Internal, JsonPath::root())
                .message(format!("result could not be serialized: {e}")),
        ])
    })
}

/// Reads a request's fields as a `T`.
pub(crate) fn request<T: serde::de::DeserializeOwned + schemars::JsonSchema>(
    value: &Value,
) -> Result<T, Error> {
    crate::input::read(value)
}

/// Reads the program document at `$.program` of a request.
pub(crate) fn program_at(value: &Value) -> Result<crate::Program, Error> {
    let path = JsonPath::root().key("program");
    match value.get("program") {
        Some(doc) => crate::Program::from_value(doc).map_err(|e| e.under(&path)),
        None => Err(Error::problem(
            Problem::new(ErrorCode::MissingField, path).message("missing required field `program`"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_operation_suggests_a_name() {
        let answer: Value =
            serde_json::from_str(&call("program.validat", "{}")).unwrap_or_default();
        assert_eq!(answer["error"]["code"], "unknown_operation");
        assert_eq!(
            answer["error"]["problems"][0]["help"],
            "did you mean `program.validate`?"
        );
    }

    #[test]
    fn malformed_json_is_an_error_not_a_panic() {
        let answer: Value = serde_json::from_str(&call("version", "{\"a\":")).unwrap_or_default();
        assert_eq!(answer["error"]["problems"][0]["code"], "malformed_json");
    }
}
