//! One call of the core, as the sync and async exports share it.
//!
//! A [`Call`] holds owned data only (the operation, the request text, the
//! program document behind an `Arc`), so it can run on the main thread or on
//! a libuv worker thread alike. Whatever happens, it answers with the core's
//! tagged JSON text, `{"ok": ...}` or `{"error": ...}`; a panic becomes an
//! `internal` error answer and never unwinds into Node.

use crate::numbers;
use prm_core::{Error, ErrorCode, JsonPath, Problem};
use serde_json::Value;
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// Where a request's text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// JSON text written by the caller: the core's own rules apply (an
    /// integer amount such as `12` is exact and accepted).
    JsonText,
    /// `JSON.stringify` of JavaScript values: every number was a binary
    /// float, so a number where a decimal belongs is refused.
    JsValues,
}

/// A call of operation `op` on a request, with or without a program.
#[derive(Debug)]
pub(crate) struct Call {
    pub(crate) op: String,
    pub(crate) request: String,
    pub(crate) origin: Origin,
    /// The program document a `Program` object injects as `$.program`.
    pub(crate) program: Option<Arc<Value>>,
}

impl Call {
    /// Runs the call and answers with tagged JSON text. Never panics.
    pub(crate) fn run(&self) -> String {
        catch_unwind(AssertUnwindSafe(|| self.run_inner()))
            .unwrap_or_else(|_| answer_text(Err(panicked(&self.op))))
    }

    fn run_inner(&self) -> String {
        if self.origin == Origin::JsonText && self.program.is_none() {
            return prm_core::api::call(&self.op, &self.request);
        }
        let mut request = match prm_core::program::parse_json(&self.request) {
            Ok(value) => value,
            Err(error) => return answer_text(Err(error)),
        };
        let numbers = match (self.origin, request_schema(&self.op)) {
            (Origin::JsValues, Some(schema)) => {
                numbers::refuse_js_numbers(&schema, &schema, &mut request)
            }
            _ => numbers::JsNumbers::default(),
        };
        if let Some(program) = &self.program
            && let Err(error) = inject(&mut request, program)
        {
            return answer_text(Err(error));
        }
        let result = match prm_core::api::call_value(&self.op, &request) {
            Ok(_) if !numbers.is_empty() => Err(numbers::refusal(&numbers)),
            Ok(value) => Ok(value),
            Err(error) => Err(numbers::explain(error, &numbers)),
        };
        answer_text(result)
    }
}

/// Reads a program document: validated by the core, numbers refused when it
/// came from JavaScript values. Answers the document or the error.
pub(crate) fn read_program(text: &str, origin: Origin) -> Result<Value, Error> {
    catch_unwind(AssertUnwindSafe(|| {
        let mut document = prm_core::program::parse_json(text)?;
        let numbers = match origin {
            Origin::JsValues => {
                let schema = program_schema();
                numbers::refuse_js_numbers(schema, schema, &mut document)
            }
            Origin::JsonText => numbers::JsNumbers::default(),
        };
        match prm_core::Program::from_value(&document) {
            Ok(_) if !numbers.is_empty() => Err(numbers::refusal(&numbers)),
            Ok(_) => Ok(document),
            Err(error) => Err(numbers::explain(error, &numbers)),
        }
    }))
    .unwrap_or_else(|_| Err(panicked("Program.from")))
}

/// The program in its canonical form (defaults written out), as JSON text.
pub(crate) fn canonical_program(document: &Value) -> String {
    let canonical = catch_unwind(AssertUnwindSafe(|| {
        prm_core::Program::from_value(document).map(|program| program.to_value())
    }))
    .unwrap_or_else(|_| Err(panicked("Program.toJSON")));
    answer_text(canonical)
}

/// Puts the program at `$.program` of a request object.
fn inject(request: &mut Value, program: &Arc<Value>) -> Result<(), Error> {
    let root = JsonPath::root();
    let Some(fields) = request.as_object_mut() else {
        return Err(Error::problem(
            Problem::new(ErrorCode::WrongType, root)
                .message("expected the request data to be an object"),
        ));
    };
    if fields.contains_key("program") {
        return Err(Error::problem(
            Problem::new(ErrorCode::UnknownField, root.key("program"))
                .message("the request names a `program`, but the Program object supplies it")
                .help("remove `program` from the data, or call `prm.call` with the whole request"),
        ));
    }
    fields.insert("program".to_owned(), Value::clone(program));
    Ok(())
}

/// Operation `op`'s request schema, generated once per operation.
fn request_schema(op: &str) -> Option<Arc<Value>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Value>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut schemas = cache.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(schema) = schemas.get(op) {
        return Some(Arc::clone(schema));
    }
    let schema = Arc::new(prm_core::api::request_schema(op)?);
    schemas.insert(op.to_owned(), Arc::clone(&schema));
    Some(schema)
}

/// The program document's schema, generated once.
fn program_schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| schemars::schema_for!(prm_core::Program).to_value())
}

fn panicked(what: &str) -> Error {
    Error::Internal(vec![
        Problem::new(ErrorCode::Internal, JsonPath::root()).message(format!(
            "`{what}` panicked in the Node binding; this is a bug in prm, please report it"
        )),
    ])
}

/// The tagged answer as text.
pub(crate) fn answer_text(result: Result<Value, Error>) -> String {
    serde_json::to_string(&prm_core::api::answer(result)).unwrap_or_else(|_| {
        r#"{"error":{"code":"internal","message":"answer could not be written","problems":[]}}"#
            .to_owned()
    })
}
