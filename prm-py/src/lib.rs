//! Python bindings for prm: the private native module `prm._prm`.
//!
//! The public package is `prm` (`python/prm/`), which builds the idiomatic
//! API (programs, engine namespaces, typed results, DataFrames) on the few
//! functions defined here. This crate only converts and guards:
//!
//! * [`convert`]: Python values to prm's JSON and back;
//! * [`frame`]: Arrow tables (through the PyCapsule interface) to JSON rows and back;
//! * [`guard`]: no panic crosses into Python, and prm errors become `prm.PrmError`;
//! * [`program`]: the validated program document behind `prm.Program`.
//!
//! Every operation runs through [`prm_core::api`], so an operation added to
//! the core is reachable from Python without touching this crate.
//!
//! The exception classes live in Python (`prm/_errors.py`), because
//! `ValidationError` derives from both `PrmError` and `ValueError`, which
//! pyo3's `create_exception!` (single base) cannot express.

mod convert;
mod frame;
mod guard;
mod program;

use pyo3::prelude::*;

/// prm's native module; import `prm` instead.
#[pymodule(name = "_prm")]
mod native {
    use crate::convert::{py_to_value, type_error, value_to_py};
    use crate::frame::{self, ColumnKind, InputSpec, TableSink};
    use crate::guard::{error_answer_to_py_err, guard, guard_detached, invalid, to_py_err};
    use prm_core::{Error, ErrorCode, JsonPath};
    use pyo3::prelude::*;
    use pyo3::types::{PyAny, PyString};
    use pyo3_arrow::{PyRecordBatchReader, PyTable};
    use serde_json::{Map, Value};
    use std::collections::HashMap;

    #[pymodule_export]
    use crate::program::NativeProgram;

    /// prm's version, e.g. `0.1.0`.
    #[pyfunction]
    fn version() -> &'static str {
        prm_core::version()
    }

    /// The name of every operation, sorted.
    #[pyfunction]
    fn operations() -> Vec<&'static str> {
        prm_core::api::operations()
    }

    /// Runs operation `op` on a request and returns its result as plain JSON data.
    ///
    /// `data` is JSON text, or Python data (`Decimal`, `date` and aware
    /// `datetime` are written as prm's JSON). The GIL is released while prm computes.
    #[pyfunction]
    #[pyo3(signature = (op, data, /))]
    fn call<'py>(
        py: Python<'py>,
        op: &str,
        data: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, "prm.call", || {
            let result = if let Ok(text) = data.cast::<PyString>() {
                let text = text.to_cow()?.into_owned();
                let answer = guard_detached(py, op, || Ok(prm_core::api::call(op, &text)))
                    .map_err(|e| to_py_err(py, &e))?;
                let answer: Value = serde_json::from_str(&answer).map_err(|e| {
                    to_py_err(
                        py,
                        &invalid(
                            ErrorCode::Internal,
                            JsonPath::root(),
                            format!("prm's answer is not JSON: {e}"),
                        ),
                    )
                })?;
                match answer {
                    Value::Object(mut tagged) => {
                        match (tagged.remove("ok"), tagged.remove("error")) {
                            (Some(ok), _) => Ok(ok),
                            (None, Some(error)) => Err(error_answer_to_py_err(py, &error)),
                            (None, None) => Ok(Value::Null),
                        }
                    }
                    _ => Ok(Value::Null),
                }
            } else {
                let request = py_to_value(data)?;
                guard_detached(py, op, || prm_core::api::call_value(op, &request))
                    .map_err(|e| to_py_err(py, &e))
            }?;
            value_to_py(py, &result)
        })
    }

    fn column_plan(columns: Option<Vec<(String, String)>>) -> PyResult<Vec<(String, ColumnKind)>> {
        columns
            .unwrap_or_default()
            .into_iter()
            .map(|(name, kind)| match ColumnKind::from_name(&kind) {
                Some(kind) => Ok((name, kind)),
                None => Err(type_error(format!(
                    "unknown column kind `{kind}` for `{name}`"
                ))),
            })
            .collect()
    }

    fn read_batches(
        reader: Box<dyn arrow_array::RecordBatchReader + Send>,
    ) -> Result<Vec<arrow_array::RecordBatch>, Error> {
        reader.collect::<Result<Vec<_>, _>>().map_err(|e| {
            invalid(
                ErrorCode::WrongType,
                JsonPath::root(),
                format!("the table could not be read: {e}"),
            )
        })
    }

    fn table_object<'py>(
        py: Python<'py>,
        schema: arrow_schema::SchemaRef,
        batch: arrow_array::RecordBatch,
    ) -> PyResult<Bound<'py, PyAny>> {
        let table = PyTable::try_new(vec![batch], schema)?;
        Ok(Bound::new(py, table)?.into_any())
    }

    /// Runs a batch operation over the rows of an Arrow table.
    ///
    /// Each row of `table` (anything with `__arrow_c_stream__`) becomes an
    /// object in the request's `rows` list; the answer's rows at `result`
    /// (`decisions`, `statements[].lines`) come back as an Arrow table, with
    /// the rest of the answer as plain data. `columns` types the answer's
    /// columns, `formats` names each input field's format so floats and
    /// timestamps are refused where decimals and dates belong. The GIL is
    /// released while rows are read, computed and written.
    #[pyfunction]
    #[pyo3(signature = (op, request, table, /, *, rows, result, rename = None, formats = None, columns = None))]
    #[expect(
        clippy::too_many_arguments,
        reason = "mirrors the keyword arguments of the Python API"
    )]
    fn call_frame<'py>(
        py: Python<'py>,
        op: &str,
        request: &Bound<'py, PyAny>,
        table: &Bound<'py, PyAny>,
        rows: &str,
        result: &str,
        rename: Option<HashMap<String, String>>,
        formats: Option<HashMap<String, String>>,
        columns: Option<Vec<(String, String)>>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
        let frame = Frame {
            rows,
            result,
            rename,
            formats,
            columns,
        };
        // The commission statements of a transaction table read its columns
        // straight into the core's transactions when they allow it.
        let typed = op == "commission.statements" && rows == "transactions";
        guard(py, "prm frame call", || {
            frame_pipeline(py, op, request, table, frame, typed, |request| {
                prm_core::api::call_value(op, request)
            })
        })
    }

    /// [`call_frame`] with the operation replaced by one that answers its
    /// request unchanged: tables go to JSON rows and straight back, which
    /// lets the tests check every column type both ways.
    #[pyfunction]
    #[pyo3(signature = (request, table, /, *, rows, result, rename = None, formats = None, columns = None))]
    #[expect(clippy::too_many_arguments, reason = "mirrors `call_frame`")]
    fn _echo_frame<'py>(
        py: Python<'py>,
        request: &Bound<'py, PyAny>,
        table: &Bound<'py, PyAny>,
        rows: &str,
        result: &str,
        rename: Option<HashMap<String, String>>,
        formats: Option<HashMap<String, String>>,
        columns: Option<Vec<(String, String)>>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
        let frame = Frame {
            rows,
            result,
            rename,
            formats,
            columns,
        };
        guard(py, "prm frame echo", || {
            frame_pipeline(py, "echo", request, table, frame, false, |request| {
                Ok(request.clone())
            })
        })
    }

    /// The table-shaped arguments of [`call_frame`].
    struct Frame<'a> {
        rows: &'a str,
        result: &'a str,
        rename: Option<HashMap<String, String>>,
        formats: Option<HashMap<String, String>>,
        columns: Option<Vec<(String, String)>>,
    }

    /// Reads the table's rows into the request, runs it, and writes the
    /// answer's rows as a table. With `typed`, a transaction table that
    /// [`frame::transactions::TransactionTable`] covers goes to the run as
    /// core transactions instead of JSON rows ([`typed_statements`]), and
    /// its statements are written from the typed answer
    /// ([`frame::statements`]); any other table takes the JSON road.
    fn frame_pipeline<'py, F>(
        py: Python<'py>,
        what: &str,
        request: &Bound<'py, PyAny>,
        table: &Bound<'py, PyAny>,
        frame: Frame<'_>,
        typed: bool,
        run: F,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)>
    where
        F: FnOnce(&Value) -> Result<Value, Error> + Send,
    {
        let Value::Object(mut base) = py_to_value(request)? else {
            return Err(type_error("the request must be a mapping".to_owned()));
        };
        let reader = table.extract::<PyRecordBatchReader>()?.into_reader()?;
        let plan = column_plan(frame.columns)?;
        let rows = frame.rows;
        let result = frame.result;
        let spec = InputSpec {
            rename: frame.rename.unwrap_or_default(),
            formats: frame.formats.unwrap_or_default(),
            rows_path: JsonPath::from_text(format!("{}[*]", JsonPath::root().key(rows))),
        };
        let top = result
            .split('.')
            .next()
            .unwrap_or(result)
            .trim_end_matches("[]")
            .to_owned();
        let (schema, batch, rest) = guard_detached(py, what, move || {
            let batches = read_batches(reader)?;
            let typed_answer = if typed {
                typed_statements(&batches, &spec, rows, &mut base)?
            } else {
                None
            };
            let mut answer = if let Some(statements) = typed_answer {
                drop(batches);
                if frame::statements::writes(result) {
                    // Each statement written and dropped in turn, not the whole answer as JSON.
                    return frame::statements::statement_table(statements, result, &plan);
                }
                serde_json::to_value(&statements).map_err(|e| {
                    invalid(
                        ErrorCode::Internal,
                        JsonPath::root(),
                        format!("the statements could not be written: {e}"),
                    )
                })?
            } else {
                let objects = frame::rows_from_batches(&batches, &spec)?;
                drop(batches);
                base.insert(rows.to_owned(), Value::Array(objects));
                let request = Value::Object(base);
                run(&request)?
            };
            let (schema, batch) = {
                let selected = frame::select_rows(&answer, result)?;
                frame::table_from_rows(&selected, &plan)?
            };
            if let Value::Object(fields) = &mut answer {
                fields.remove(&top);
            }
            Ok((schema, batch, answer))
        })
        .map_err(|e| to_py_err(py, &e))?;
        Ok((table_object(py, schema, batch)?, value_to_py(py, &rest)?))
    }

    /// `commission.statements` on a transaction table the typed reader
    /// covers ([`frame::transactions::statements`]), with `base` as the rest
    /// of the request; `None` when it does not cover the table, which then
    /// takes the JSON road.
    fn typed_statements(
        batches: &[arrow_array::RecordBatch],
        spec: &InputSpec,
        rows: &str,
        base: &mut Map<String, Value>,
    ) -> Result<Option<prm_core::commission::CommissionStatements>, Error> {
        let Some(table) = frame::transactions::TransactionTable::new(batches, spec) else {
            return Ok(None);
        };
        base.insert(rows.to_owned(), Value::Array(Vec::new()));
        let request = Value::Object(std::mem::take(base));
        let answer = frame::transactions::statements(&table, &request);
        if let Value::Object(map) = request {
            *base = map;
        }
        Ok(answer?.map(|(statements, _)| statements))
    }

    /// Runs an operation once per row of an Arrow table.
    ///
    /// Each row's fields join `request` (a field may not come from both) and
    /// each answer becomes a row of the returned Arrow table. The first
    /// failing row raises, its problems' paths starting with `$[row]`.
    #[pyfunction]
    #[pyo3(signature = (op, request, table, /, *, rename = None, formats = None, columns = None))]
    fn map_frame<'py>(
        py: Python<'py>,
        op: &str,
        request: &Bound<'py, PyAny>,
        table: &Bound<'py, PyAny>,
        rename: Option<HashMap<String, String>>,
        formats: Option<HashMap<String, String>>,
        columns: Option<Vec<(String, String)>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, "prm frame map", || {
            let Value::Object(base) = py_to_value(request)? else {
                return Err(type_error("the request must be a mapping".to_owned()));
            };
            let reader = table.extract::<PyRecordBatchReader>()?.into_reader()?;
            let plan = column_plan(columns)?;
            let spec = InputSpec {
                rename: rename.unwrap_or_default(),
                formats: formats.unwrap_or_default(),
                rows_path: JsonPath::from_text("$[*]"),
            };
            let (schema, batch) = guard_detached(py, op, move || {
                let batches = read_batches(reader)?;
                let mut sink = TableSink::new(&plan);
                let mut row_index = 0;
                frame::for_each_row(&batches, &spec, |row| {
                    let mut request: Map<String, Value> = base.clone();
                    for (key, value) in row {
                        if request.contains_key(&key) {
                            return Err(invalid(
                                ErrorCode::InvalidValue,
                                JsonPath::root().key(&key),
                                format!("`{key}` is given both as a column and as an argument"),
                            ));
                        }
                        request.insert(key, value);
                    }
                    let answer = prm_core::api::call_value(op, &Value::Object(request))
                        .map_err(|e| e.under(&JsonPath::from_text(format!("$[{row_index}]"))))?;
                    sink.push(&answer);
                    row_index += 1;
                    Ok(())
                })?;
                sink.finish()
            })
            .map_err(|e| to_py_err(py, &e))?;
            table_object(py, schema, batch)
        })
    }

    /// The embedded sample quarter (Northwind Partner Network, Q1 2026) as JSON
    /// data: `program`, `partners`, `people`, `awards`, `sales`, `leads`,
    /// `quarter` and `as_of`. The same on every machine; used by the
    /// examples, the docs and the benchmarks.
    #[pyfunction]
    fn _sample_quarter(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
        guard(py, "the sample quarter", || {
            let sample = guard_detached(py, "the sample quarter", || {
                let q = prm_core::sample::quarter();
                let period = prm_core::sample::quarter_period();
                Ok(serde_json::json!({
                    "program": q.program,
                    "partners": q.partners,
                    "people": q.people,
                    "awards": q.awards,
                    "sales": q.sales,
                    "leads": q.leads,
                    "quarter": {"start": period.start, "end": period.end},
                    "as_of": prm_core::sample::as_of(),
                }))
            })
            .map_err(|e| to_py_err(py, &e))?;
            value_to_py(py, &sample)
        })
    }

    /// Checks that a panic inside the binding surfaces as `prm.PrmError`
    /// (code `internal`) rather than `PanicException`; used by the tests.
    #[pyfunction]
    #[pyo3(signature = (*, detached = false))]
    fn _guard_selftest(py: Python<'_>, detached: bool) -> PyResult<()> {
        guard(py, "the guard self-test", || {
            if detached {
                guard_detached(
                    py,
                    "the detached guard self-test",
                    || -> Result<(), Error> {
                        std::panic::resume_unwind(Box::new("a deliberate panic"))
                    },
                )
                .map_err(|e| to_py_err(py, &e))
            } else {
                std::panic::resume_unwind(Box::new("a deliberate panic"))
            }
        })
    }
}
