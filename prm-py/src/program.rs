//! The validated program document behind `prm.Program`.

use crate::convert::{py_to_value, value_to_py};
use crate::guard::{guard, to_py_err};
use pyo3::prelude::*;
use pyo3::types::PyAny;
use serde_json::Value;

/// A program document that prm-core has read and validated.
///
/// `prm.Program` wraps one; requests that carry it pass the document on
/// without converting it from Python again.
#[pyclass(module = "prm._prm", name = "NativeProgram", frozen)]
#[derive(Debug)]
pub struct NativeProgram {
    program: prm_core::Program,
    /// The document as prm writes it back (defaults filled in).
    value: Value,
}

impl NativeProgram {
    fn new(program: prm_core::Program) -> NativeProgram {
        let value = program.to_value();
        NativeProgram { program, value }
    }

    /// The document as JSON.
    pub(crate) fn value(&self) -> &Value {
        &self.value
    }
}

#[pymethods]
impl NativeProgram {
    /// Reads and validates a program from JSON text.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<NativeProgram> {
        guard(py, "Program.from_json", || {
            prm_core::Program::from_json(text)
                .map(NativeProgram::new)
                .map_err(|e| to_py_err(py, &e))
        })
    }

    /// Reads and validates a program from Python data (a mapping).
    #[staticmethod]
    fn from_value(data: &Bound<'_, PyAny>) -> PyResult<NativeProgram> {
        let py = data.py();
        guard(py, "Program.from_value", || {
            let value = py_to_value(data)?;
            prm_core::Program::from_value(&value)
                .map(NativeProgram::new)
                .map_err(|e| to_py_err(py, &e))
        })
    }

    /// The document as JSON text; `indent` pretty-prints it.
    #[pyo3(signature = (*, indent = false))]
    fn to_json(&self, py: Python<'_>, indent: bool) -> PyResult<String> {
        guard(py, "Program.to_json", || {
            let written = if indent {
                serde_json::to_string_pretty(&self.value)
            } else {
                serde_json::to_string(&self.value)
            };
            written.map_err(|e| crate::convert::type_error(e.to_string()))
        })
    }

    /// The document as plain Python data (decimals stay strings, as in JSON).
    fn to_value<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(py, "Program.to_value", || value_to_py(py, &self.value))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<NativeProgram>()
            .is_ok_and(|other| other.get().program == self.program)
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.value.to_string().hash(&mut hasher);
        hasher.finish()
    }
}
