//! Python values to prm's JSON and back.
//!
//! Into prm ([`py_to_value`]), following `docs/conventions.md`:
//!
//! | Python | JSON |
//! |---|---|
//! | `decimal.Decimal` | a decimal string without exponent (`Decimal("1E+3")` → `"1000"`); NaN and infinities are refused |
//! | `datetime.datetime` with a timezone | an RFC 3339 instant; a naive one is refused |
//! | `datetime.date` | `YYYY-MM-DD` |
//! | `float` | a JSON number, which prm refuses where a decimal is expected (`decimal_must_be_string`) |
//! | `int` | a JSON integer; beyond 64 bits, a string of digits |
//! | `str`, `bool`, `None` | themselves |
//! | mappings, lists, tuples, other sequences | objects and arrays |
//! | `prm.Program`, `prm.Result`, `enum.Enum` | their JSON form (`__prm_json__`) or value |
//!
//! Anything else (sets, bytes, `datetime.time`, arbitrary objects) is refused
//! with the JSON path of the value, so a mistake deep in a request says where
//! it is. Out of prm ([`value_to_py`]), JSON becomes plain Python data; the
//! `prm` package turns decimals and dates into `Decimal` and `date` by the
//! operation's answer schema.

use crate::guard::{invalid, invalid_with_help, to_py_err};
use crate::program::NativeProgram;
use prm_core::{ErrorCode, JsonPath};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyDict, PyFloat, PyInt, PyList, PyMapping, PySequence, PyString, PyTuple, PyType,
};
use serde_json::{Map, Number, Value};

/// How deep a request may nest before it is refused (and how a cycle ends).
const MAX_DEPTH: usize = 256;

/// Where a value sits in the request, kept on the stack while converting and
/// written out as a [`JsonPath`] only when something is wrong.
#[derive(Clone, Copy)]
pub(crate) enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    pub(crate) fn json_path(&self) -> JsonPath {
        match self {
            Path::Root => JsonPath::root(),
            Path::Key(parent, key) => parent.json_path().key(key),
            Path::Index(parent, index) => parent.json_path().index(*index),
        }
    }

    fn depth(&self) -> usize {
        match self {
            Path::Root => 0,
            Path::Key(parent, _) | Path::Index(parent, _) => parent.depth() + 1,
        }
    }
}

fn class<'py>(
    py: Python<'py>,
    cell: &'static PyOnceLock<Py<PyType>>,
    module: &str,
    name: &str,
) -> PyResult<&'py Bound<'py, PyType>> {
    cell.import(py, module, name)
}

static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DATETIME: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DATE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static TIME: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static TIMEDELTA: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static ENUM: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// `decimal.Decimal`.
pub(crate) fn decimal_class(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    class(py, &DECIMAL, "decimal", "Decimal")
}

/// Converts a Python value to JSON for a prm request.
///
/// # Errors
///
/// `prm.ValidationError` naming the path of a value that has no JSON form.
pub(crate) fn py_to_value(value: &Bound<'_, PyAny>) -> PyResult<Value> {
    to_value(value, &Path::Root)
}

/// Converts one value at `path`.
pub(crate) fn to_value(value: &Bound<'_, PyAny>, path: &Path<'_>) -> PyResult<Value> {
    let py = value.py();
    if value.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(text) = value.cast::<PyString>() {
        return Ok(Value::String(text.to_cow()?.into_owned()));
    }
    if let Ok(flag) = value.cast::<PyBool>() {
        return Ok(Value::Bool(flag.is_true()));
    }
    if let Ok(int) = value.cast::<PyInt>() {
        return int_value(int);
    }
    if let Ok(float) = value.cast::<PyFloat>() {
        let number = float.value();
        return match Number::from_f64(number) {
            Some(n) => Ok(Value::Number(n)),
            None => Err(refuse(
                py,
                ErrorCode::WrongType,
                path,
                format!("{number} is not a number JSON can carry"),
                None,
            )),
        };
    }
    if path.depth() >= MAX_DEPTH {
        return Err(to_py_err(
            py,
            &prm_core::Error::LimitExceeded(vec![
                prm_core::Problem::new(ErrorCode::LimitExceeded, path.json_path())
                    .message(format!("the request nests deeper than {MAX_DEPTH} levels")),
            ]),
        ));
    }
    if let Ok(dict) = value.cast::<PyDict>() {
        let mut map = Map::new();
        for (key, item) in dict.iter() {
            let key = dict_key(&key, path)?;
            let converted = to_value(&item, &Path::Key(path, &key))?;
            map.insert(key, converted);
        }
        return Ok(Value::Object(map));
    }
    if let Ok(list) = value.cast::<PyList>() {
        let mut items = Vec::with_capacity(list.len());
        for (i, item) in list.iter().enumerate() {
            items.push(to_value(&item, &Path::Index(path, i))?);
        }
        return Ok(Value::Array(items));
    }
    if let Ok(tuple) = value.cast::<PyTuple>() {
        let mut items = Vec::with_capacity(tuple.len());
        for (i, item) in tuple.iter().enumerate() {
            items.push(to_value(&item, &Path::Index(path, i))?);
        }
        return Ok(Value::Array(items));
    }
    if value.is_instance(decimal_class(py)?)? {
        return decimal_value(value, path);
    }
    if value.is_instance(class(py, &DATETIME, "datetime", "datetime")?)? {
        return datetime_value(value, path);
    }
    if value.is_instance(class(py, &DATE, "datetime", "date")?)? {
        let text: String = value.call_method0("isoformat")?.extract()?;
        return Ok(Value::String(text));
    }
    if let Ok(program) = value.cast::<NativeProgram>() {
        return Ok(program.get().value().clone());
    }
    if let Ok(method) = value.getattr("__prm_json__") {
        return to_value(&method.call0()?, path);
    }
    if value.is_instance(class(py, &TIME, "datetime", "time")?)?
        || value.is_instance(class(py, &TIMEDELTA, "datetime", "timedelta")?)?
    {
        let kind = type_name(value);
        return Err(refuse(
            py,
            ErrorCode::WrongType,
            path,
            format!("a `datetime.{kind}` has no JSON form in prm"),
            Some("pass a `datetime.date` for a day or an aware `datetime.datetime` for an instant"),
        ));
    }
    if value.is_instance(class(py, &ENUM, "enum", "Enum")?)? {
        return to_value(&value.getattr("value")?, path);
    }
    if let Ok(mapping) = value.cast::<PyMapping>() {
        let mut map = Map::new();
        for item in mapping.items()?.iter() {
            let (key, item): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
            let key = dict_key(&key, path)?;
            let converted = to_value(&item, &Path::Key(path, &key))?;
            map.insert(key, converted);
        }
        return Ok(Value::Object(map));
    }
    if value.hasattr("__index__")?
        && let Ok(int) = value.call_method0("__index__")?.cast_into::<PyInt>()
    {
        return int_value(&int);
    }
    if let Ok(sequence) = value.cast::<PySequence>()
        && !is_bytes_like(value)
    {
        let mut items = Vec::new();
        for (i, item) in sequence.try_iter()?.enumerate() {
            items.push(to_value(&item?, &Path::Index(path, i))?);
        }
        return Ok(Value::Array(items));
    }
    let kind = type_name(value);
    let help = match kind.as_str() {
        "set" | "frozenset" => Some("pass a list"),
        "bytes" | "bytearray" | "memoryview" => Some("decode it to `str` first"),
        _ => None,
    };
    Err(refuse(
        py,
        ErrorCode::WrongType,
        path,
        format!("a `{kind}` cannot be sent to prm"),
        help,
    ))
}

fn is_bytes_like(value: &Bound<'_, PyAny>) -> bool {
    matches!(
        type_name(value).as_str(),
        "bytes" | "bytearray" | "memoryview"
    )
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .and_then(|n| n.extract::<String>())
        .unwrap_or_else(|_| "object".to_owned())
}

fn refuse(
    py: Python<'_>,
    code: ErrorCode,
    path: &Path<'_>,
    message: String,
    help: Option<&str>,
) -> PyErr {
    let error = match help {
        Some(help) => invalid_with_help(code, path.json_path(), message, help.to_owned()),
        None => invalid(code, path.json_path(), message),
    };
    to_py_err(py, &error)
}

fn dict_key(key: &Bound<'_, PyAny>, path: &Path<'_>) -> PyResult<String> {
    match key.cast::<PyString>() {
        Ok(text) => Ok(text.to_cow()?.into_owned()),
        Err(_) => Err(refuse(
            key.py(),
            ErrorCode::WrongType,
            path,
            format!(
                "object keys must be strings, found the {} `{}`",
                type_name(key),
                key.repr()
                    .and_then(|r| r.extract::<String>())
                    .unwrap_or_default()
            ),
            None,
        )),
    }
}

fn int_value(int: &Bound<'_, PyInt>) -> PyResult<Value> {
    if let Ok(small) = int.extract::<i64>() {
        return Ok(Value::Number(small.into()));
    }
    if let Ok(big) = int.extract::<u64>() {
        return Ok(Value::Number(big.into()));
    }
    // Beyond 64 bits JSON parsers lose digits; prm reads a digit string as a decimal.
    Ok(Value::String(int.str()?.to_cow()?.into_owned()))
}

fn decimal_value(value: &Bound<'_, PyAny>, path: &Path<'_>) -> PyResult<Value> {
    let finite: bool = value.call_method0("is_finite")?.extract()?;
    if !finite {
        let shown: String = value.str()?.extract()?;
        return Err(refuse(
            value.py(),
            ErrorCode::InvalidDecimal,
            path,
            format!("Decimal(\"{shown}\") is not a finite decimal"),
            None,
        ));
    }
    // Fixed-point notation: `str()` would write `1E+3`, which prm refuses.
    let text: String = value.call_method1("__format__", ("f",))?.extract()?;
    Ok(Value::String(text))
}

fn datetime_value(value: &Bound<'_, PyAny>, path: &Path<'_>) -> PyResult<Value> {
    if value.call_method0("utcoffset")?.is_none() {
        let shown: String = value.call_method0("isoformat")?.extract()?;
        return Err(refuse(
            value.py(),
            ErrorCode::InvalidInstant,
            path,
            format!("the datetime {shown} has no timezone, so it is not an instant"),
            Some(
                "attach one, e.g. `dt.replace(tzinfo=datetime.timezone.utc)`; for a day pass a `datetime.date`",
            ),
        ));
    }
    let text: String = value.call_method0("isoformat")?.extract()?;
    Ok(Value::String(text))
}

/// Converts JSON to plain Python data: objects to `dict`, arrays to `list`.
///
/// # Errors
///
/// Only when Python cannot allocate.
pub(crate) fn value_to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(flag) => PyBool::new(py, *flag).to_owned().into_any(),
        Value::Number(number) => {
            if let Some(small) = number.as_i64() {
                small.into_pyobject(py)?.into_any()
            } else if let Some(big) = number.as_u64() {
                big.into_pyobject(py)?.into_any()
            } else {
                number
                    .as_f64()
                    .unwrap_or(f64::NAN)
                    .into_pyobject(py)?
                    .into_any()
            }
        }
        Value::String(text) => PyString::new(py, text).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(value_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(fields) => {
            let dict = PyDict::new(py);
            for (key, item) in fields {
                dict.set_item(key, value_to_py(py, item)?)?;
            }
            dict.into_any()
        }
    })
}

/// A `TypeError` for an argument of the wrong Python type.
pub(crate) fn type_error(message: String) -> PyErr {
    PyTypeError::new_err(message)
}
