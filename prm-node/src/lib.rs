//! Node.js bindings for prm: the native addon behind the npm package `prm`.
//!
//! This crate only converts: every export hands a JSON request to
//! [`prm_core::api`] and returns the core's tagged answer as JSON text,
//! `{"ok": ...}` or `{"error": {"code", "message", "problems"}}`. The
//! package's `index.js` turns answers into values and errors into `PrmError`.
//!
//! * Every export is `#[napi(catch_unwind)]`, and every call also runs under
//!   its own `catch_unwind`, so a panic becomes an `internal` error answer
//!   instead of aborting the process.
//! * The `*Async` exports run the same call on a libuv worker thread and
//!   resolve a Promise, so a large batch does not block the event loop.
//! * Requests built from JavaScript values (`fromJs = true`) refuse a
//!   number where a decimal belongs (see [`numbers`]); JSON text keeps the
//!   core's own rules.
//!
//! No operation is named here: a new operation of the core is reachable
//! through [`call`] and [`NativeProgram::call`] as soon as the core has it.

mod call;
mod numbers;

use call::{Call, Origin};
use napi::bindgen_prelude::{AsyncTask, Either};
use napi::{Env, Task};
use napi_derive::napi;
use serde_json::Value;
use std::sync::Arc;

/// prm's version, e.g. `0.1.0`.
#[napi(catch_unwind)]
pub fn version() -> String {
    prm_core::version().to_owned()
}

/// One operation of the core.
#[napi(object)]
#[derive(Debug)]
pub struct OperationInfo {
    /// The operation's stable name, e.g. `money.round`.
    pub name: String,
    /// One line saying what it does.
    pub summary: String,
    /// Whether its request carries the program document at `$.program`.
    pub takes_program: bool,
}

/// Every operation of the core, sorted by name.
#[napi(catch_unwind)]
pub fn operations() -> Vec<OperationInfo> {
    prm_core::api::operations()
        .into_iter()
        .map(|name| OperationInfo {
            name: name.to_owned(),
            summary: prm_core::api::describe(name).unwrap_or_default().to_owned(),
            takes_program: takes_program(name),
        })
        .collect()
}

fn takes_program(op: &str) -> bool {
    prm_core::api::request_schema(op)
        .as_ref()
        .and_then(|schema| schema.get("required"))
        .and_then(Value::as_array)
        .is_some_and(|required| required.iter().any(|name| name == "program"))
}

fn origin(from_js: bool) -> Origin {
    if from_js {
        Origin::JsValues
    } else {
        Origin::JsonText
    }
}

/// Runs operation `op` on a JSON request text and returns the JSON answer:
/// `{"ok": ...}` or `{"error": {"code", "message", "problems"}}`.
///
/// With `fromJs`, the text is `JSON.stringify` of JavaScript values and a
/// number where a decimal belongs is refused (`decimal_must_be_string`).
/// An error of the operation is an answer, not a thrown exception.
#[napi(catch_unwind)]
pub fn call(op: String, request: String, from_js: bool) -> String {
    Call {
        op,
        request,
        origin: origin(from_js),
        program: None,
    }
    .run()
}

/// As [`call`], computed on a libuv worker thread; resolves to the JSON answer.
#[napi(catch_unwind, ts_return_type = "Promise<string>")]
pub fn call_async(op: String, request: String, from_js: bool) -> AsyncTask<Background> {
    AsyncTask::new(Background(Call {
        op,
        request,
        origin: origin(from_js),
        program: None,
    }))
}

/// A call computed off the main thread.
#[derive(Debug)]
pub struct Background(Call);

impl Task for Background {
    type Output = String;
    type JsValue = String;

    fn compute(&mut self) -> napi::Result<String> {
        // `Call::run` catches panics itself: nothing unwinds through libuv.
        Ok(self.0.run())
    }

    fn resolve(&mut self, _env: Env, output: String) -> napi::Result<String> {
        Ok(output)
    }
}

/// A validated program document, held natively so that each call reuses it.
#[napi]
#[derive(Debug)]
pub struct NativeProgram {
    document: Arc<Value>,
}

/// Reads and validates a program document from JSON text: the program, or
/// the error answer's JSON text.
///
/// With `fromJs`, the text is `JSON.stringify` of a JavaScript object and a
/// number where a decimal belongs is refused.
#[napi(catch_unwind)]
pub fn read_program(text: String, from_js: bool) -> Either<NativeProgram, String> {
    match call::read_program(&text, origin(from_js)) {
        Ok(document) => Either::A(NativeProgram {
            document: Arc::new(document),
        }),
        Err(error) => Either::B(call::answer_text(Err(error))),
    }
}

#[napi]
impl NativeProgram {
    /// The program in canonical form, defaults written out, as a tagged answer.
    #[napi(catch_unwind)]
    pub fn to_json(&self) -> String {
        call::canonical_program(&self.document)
    }

    /// Runs operation `op` with this program at `$.program` of the request.
    #[napi(catch_unwind)]
    pub fn call(&self, op: String, request: String, from_js: bool) -> String {
        self.program_call(op, request, from_js).run()
    }

    /// As [`NativeProgram::call`], computed on a libuv worker thread.
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    pub fn call_async(&self, op: String, request: String, from_js: bool) -> AsyncTask<Background> {
        AsyncTask::new(Background(self.program_call(op, request, from_js)))
    }

    fn program_call(&self, op: String, request: String, from_js: bool) -> Call {
        Call {
            op,
            request,
            origin: origin(from_js),
            program: Some(Arc::clone(&self.document)),
        }
    }
}
