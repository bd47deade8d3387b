//! Python bindings for prm: the private native module `prm._prm`.
//!
//! The public package is `prm` (`python/prm/__init__.py`), which re-exports
//! what is defined here. This crate only converts: Python values go to JSON
//! text, [`prm_core::api::call`] runs the operation, and its tagged answer
//! comes back as Python values or as a `prm.PrmError`.
//!
//! The exception classes live in Python (`prm/_errors.py`), because
//! `ValidationError` derives from both `PrmError` and `ValueError`, which
//! pyo3's `create_exception!` (single base) cannot express.

use pyo3::prelude::*;

/// prm's native module; import `prm` instead.
#[pymodule(name = "_prm")]
mod native {
    use pyo3::prelude::*;
    use pyo3::types::PyString;

    /// prm's version, e.g. `0.1.0`.
    #[pyfunction]
    fn version() -> &'static str {
        prm_core::version()
    }

    /// Runs operation `op` on a request and returns its result.
    ///
    /// `data` is a JSON text or a value `json.dumps` accepts (usually a
    /// dict). The GIL is released while prm computes.
    #[pyfunction]
    #[pyo3(signature = (op, data, /))]
    fn call<'py>(
        py: Python<'py>,
        op: &str,
        data: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let json = py.import("json")?;
        let request: String = match data.cast::<PyString>() {
            Ok(text) => text.to_cow()?.into_owned(),
            Err(_) => json.call_method1("dumps", (data,))?.extract()?,
        };
        let op = op.to_owned();
        let answer = py.detach(move || prm_core::api::call(&op, &request));
        let answer = json.call_method1("loads", (answer,))?;
        super::unwrap_answer(py, &answer)
    }
}

/// `{"ok": value}` gives `value`; `{"error": {...}}` raises the matching
/// `prm.PrmError` subclass, built by `prm._errors._from_answer`.
fn unwrap_answer<'py>(py: Python<'py>, answer: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    match answer.get_item("error") {
        Ok(error) => {
            let exception = py
                .import("prm._errors")?
                .call_method1("_from_answer", (error,))?;
            Err(PyErr::from_value(exception))
        }
        Err(_) => answer.get_item("ok"),
    }
}
