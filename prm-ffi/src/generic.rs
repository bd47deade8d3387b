//! The generic layer under both doors (uniffi and C): any operation by name,
//! with the program injected from a loaded [`LoadedProgram`].
//!
//! Nothing here knows an operation. Whether an operation takes a program is
//! read from its request schema (`prm_core::api::request_schema`), so an
//! engine operation added to the core (`tiers.evaluate`, `routing.route`,
//! ...) is reachable through `Program.call` / `prm_program_call` without a
//! change here.

use prm_core::{Error, ErrorCode, JsonPath, Problem};
use serde_json::Value;
use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

/// A validated program document, read once and shared by every call.
///
/// Immutable after construction, so it is `Send + Sync` and may be used from
/// any number of threads at once.
#[derive(Debug)]
pub(crate) struct LoadedProgram {
    /// The validated program.
    program: prm_core::Program,
    /// The document as the host passed it, injected as `program` into requests.
    document: Value,
    /// The `program.validate` answer for the document.
    summary: Value,
}

impl LoadedProgram {
    /// Reads and validates a program document given as JSON text.
    ///
    /// Problems are reported with paths relative to the document (`$.currency`).
    pub(crate) fn from_json(text: &str) -> Result<LoadedProgram, Error> {
        let document = prm_core::program::parse_json(text)?;
        let program = prm_core::Program::from_value(&document)?;
        let summary = prm_core::api::call_value(
            "program.validate",
            &serde_json::json!({ "program": &document }),
        )?;
        Ok(LoadedProgram {
            program,
            document,
            summary,
        })
    }

    /// The validated program.
    pub(crate) fn program(&self) -> &prm_core::Program {
        &self.program
    }

    /// The `program.validate` answer: name, currency, rounding, fiscal calendar, sections.
    pub(crate) fn summary(&self) -> &Value {
        &self.summary
    }

    /// Runs `op` on `request` with this program as the request's `program`.
    ///
    /// The program is added only when the operation's request schema has a
    /// `program` field; other operations see the request unchanged. A request
    /// that already names a program is refused rather than silently overridden.
    pub(crate) fn call_value(&self, op: &str, request: &Value) -> Result<Value, Error> {
        match request {
            Value::Object(fields) if takes_program(op) => {
                if fields.contains_key("program") {
                    return Err(Error::problem(
                        Problem::new(ErrorCode::InvalidValue, JsonPath::root().key("program"))
                            .message(format!(
                                "the request names a program, but `{op}` is called on a loaded program"
                            ))
                            .help("remove `program` from the request, or use `call` instead"),
                    ));
                }
                let mut fields = fields.clone();
                fields.insert("program".to_owned(), self.document.clone());
                prm_core::api::call_value(op, &Value::Object(fields))
            }
            _ => prm_core::api::call_value(op, request),
        }
    }
}

/// True when operation `op`'s request has a `program` field, per its schema.
///
/// Read once from the core's schemas, then from a cache.
pub(crate) fn takes_program(op: &str) -> bool {
    static WITH_PROGRAM: OnceLock<BTreeSet<&'static str>> = OnceLock::new();
    WITH_PROGRAM
        .get_or_init(|| {
            prm_core::api::operations()
                .into_iter()
                .filter(|name| {
                    prm_core::api::request_schema(name)
                        .and_then(|schema| schema.get("properties")?.get("program").cloned())
                        .is_some()
                })
                .collect()
        })
        .contains(op)
}

/// Runs `f`, turning a panic into an `internal` error that names `what`.
///
/// Every entry point of both doors goes through here, so no panic ever
/// reaches Kotlin, Swift or C.
pub(crate) fn guard<T>(what: &str, f: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| Err(internal(what)))
}

/// The `internal` error for a panic caught in `what`.
pub(crate) fn internal(what: &str) -> Error {
    Error::Internal(vec![
        Problem::new(ErrorCode::Internal, JsonPath::root()).message(format!(
            "{what} panicked; this is a bug in prm, please report it"
        )),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PROGRAM: &str = r#"{"schema_version": 1, "name": "Northwind", "currency": "EUR"}"#;

    #[test]
    fn only_operations_whose_schema_has_a_program_take_one() {
        assert!(takes_program("program.validate"));
        assert!(!takes_program("money.round"));
        assert!(!takes_program("version"));
        assert!(!takes_program("no.such.op"));
    }

    #[test]
    fn the_program_is_injected_and_equals_an_inline_program() {
        let loaded = LoadedProgram::from_json(PROGRAM).unwrap();
        let through_loaded = loaded.call_value("program.validate", &json!({})).unwrap();
        let inline = prm_core::api::call_value(
            "program.validate",
            &json!({"program": serde_json::from_str::<Value>(PROGRAM).unwrap()}),
        )
        .unwrap();
        assert_eq!(through_loaded, inline);
        assert_eq!(loaded.summary(), &inline);
        assert_eq!(loaded.program().name(), Some("Northwind"));
    }

    #[test]
    fn operations_without_a_program_see_the_request_unchanged() {
        let loaded = LoadedProgram::from_json(PROGRAM).unwrap();
        let answer = loaded
            .call_value(
                "money.round",
                &json!({"amount": "2.345", "currency": "EUR"}),
            )
            .unwrap();
        assert_eq!(answer, json!({"amount": "2.34", "currency": "EUR"}));
    }

    #[test]
    fn a_second_program_in_the_request_is_refused() {
        let loaded = LoadedProgram::from_json(PROGRAM).unwrap();
        let error = loaded
            .call_value("program.validate", &json!({"program": {}}))
            .unwrap_err();
        assert_eq!(error.problems()[0].code(), ErrorCode::InvalidValue);
        assert_eq!(error.problems()[0].path(), "$.program");
    }

    #[test]
    fn non_objects_reach_the_core_which_reports_them() {
        let loaded = LoadedProgram::from_json(PROGRAM).unwrap();
        let error = loaded
            .call_value("program.validate", &json!([1]))
            .unwrap_err();
        assert_eq!(error.code(), "invalid");
    }

    #[test]
    fn document_problems_have_document_paths() {
        let error =
            LoadedProgram::from_json(r#"{"schema_version": 1, "currency": "EUX"}"#).unwrap_err();
        assert_eq!(error.problems()[0].path(), "$.currency");
        let error = LoadedProgram::from_json("{").unwrap_err();
        assert_eq!(error.problems()[0].code(), ErrorCode::MalformedJson);
    }

    #[test]
    fn a_panic_becomes_an_internal_error() {
        let error = guard::<()>("test", || std::panic::panic_any("boom")).unwrap_err();
        assert_eq!(error.code(), "internal");
        assert!(error.to_string().contains("test panicked"));
    }
}
