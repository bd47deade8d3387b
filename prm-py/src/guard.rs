//! The boundary's safety net: no Rust panic reaches Python, and every prm
//! error becomes the matching `prm.PrmError` subclass.
//!
//! pyo3 would turn a panic into `pyo3_runtime.PanicException`, which derives
//! from `BaseException` and slips past `except Exception`. Every entry point
//! of `prm._prm` runs its body through [`guard`] (or [`guard_detached`] when it
//! computes without the GIL), so a bug surfaces as `prm.PrmError` with the
//! code `internal`, like the core's own `call` answers it.

use crate::convert::value_to_py;
use prm_core::{Error, ErrorCode, JsonPath, Problem};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyAny;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Runs `body`, turning a panic into an `internal` `prm.PrmError`.
pub(crate) fn guard<'py, T>(
    py: Python<'py>,
    what: &str,
    body: impl FnOnce() -> PyResult<T>,
) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(result) => result,
        Err(payload) => Err(to_py_err(py, &panicked(what, payload.as_ref()))),
    }
}

/// Runs `body` with the GIL released, turning a panic into an `internal` error.
///
/// `body` may only touch Rust data (pyo3's `Ungil` bound checks this).
pub(crate) fn guard_detached<T, F>(py: Python<'_>, what: &str, body: F) -> Result<T, Error>
where
    F: FnOnce() -> Result<T, Error> + Send,
    T: Send,
{
    py.detach(|| match catch_unwind(AssertUnwindSafe(body)) {
        Ok(result) => result,
        Err(payload) => Err(panicked(what, payload.as_ref())),
    })
}

/// The `internal` error for a panic caught while doing `what`.
fn panicked(what: &str, payload: &(dyn std::any::Any + Send)) -> Error {
    let detail = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_owned());
    Error::Internal(vec![
        Problem::new(ErrorCode::Internal, JsonPath::root()).message(format!(
            "{what} panicked ({detail}); this is a bug in prm, please report it"
        )),
    ])
}

/// The Python exception for a prm error: `prm.ValidationError` for `invalid`,
/// `prm.PrmError` otherwise, built by `prm._errors._from_answer`.
pub(crate) fn to_py_err(py: Python<'_>, error: &Error) -> PyErr {
    error_answer_to_py_err(py, &error.to_json())
}

/// The Python exception for the `error` member of a core answer.
pub(crate) fn error_answer_to_py_err(py: Python<'_>, error: &serde_json::Value) -> PyErr {
    static FROM_ANSWER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let built = FROM_ANSWER
        .get_or_try_init(py, || -> PyResult<Py<PyAny>> {
            Ok(py.import("prm._errors")?.getattr("_from_answer")?.unbind())
        })
        .and_then(|from_answer| {
            let data = value_to_py(py, error)?;
            from_answer.bind(py).call1((data,))
        });
    match built {
        Ok(exception) => PyErr::from_value(exception),
        // Only when `prm._errors` itself cannot be imported (a broken install).
        Err(import_error) => import_error,
    }
}

/// A `prm.ValidationError` with one problem, for values the binding cannot convert.
pub(crate) fn invalid(code: ErrorCode, path: JsonPath, message: String) -> Error {
    Error::problem(Problem::new(code, path).message(message))
}

/// The same, with a help line.
pub(crate) fn invalid_with_help(
    code: ErrorCode,
    path: JsonPath,
    message: String,
    help: String,
) -> Error {
    Error::problem(Problem::new(code, path).message(message).help(help))
}
