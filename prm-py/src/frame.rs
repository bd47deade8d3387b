//! Tables in, tables out: Arrow record batches to prm's JSON rows and back.
//!
//! A table arrives through the Arrow PyCapsule interface (`__arrow_c_stream__`,
//! which pandas, polars and pyarrow all offer), is read column by column into
//! the JSON objects an operation expects, and the rows of the answer are
//! written back as Arrow arrays: decimals as `decimal128` (at the largest
//! scale in the column, so no digit is lost), dates as `date32`, instants as
//! UTC microsecond timestamps. No cell ever becomes a Python object, and all
//! of it runs with the GIL released.
//!
//! Column names may be dotted to nest (`metrics.revenue` fills
//! `{"metrics": {"revenue": ...}}`), and nested answer objects come back as
//! dotted columns (`totals.net`), so the two directions mirror each other.

use crate::guard::{invalid, invalid_with_help};
use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, StringBuilder,
    TimestampMicrosecondBuilder,
};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal128Type, Decimal256Type, Float16Type, Float32Type, Float64Type,
    Int8Type, Int16Type, Int32Type, Int64Type, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{
    Array, ArrayRef, Decimal128Array, Decimal256Array, OffsetSizeTrait, RecordBatch,
};
use arrow_buffer::i256;
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Utc};
use prm_core::{Error, ErrorCode, JsonPath};
use serde_json::{Map, Number, Value};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Days from 0001-01-01 (chrono's day 1) to 1970-01-01.
const EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// How the input table's columns become request fields.
#[derive(Debug)]
pub(crate) struct InputSpec {
    /// Column renames, applied before nesting (`{"amt": "amount"}`).
    pub rename: HashMap<String, String>,
    /// The `format` the operation's schema gives each field of a row
    /// (`decimal`, `rate`, `date`, `date-time`, ...), by field name.
    pub formats: HashMap<String, String>,
    /// Where the rows go, for problem paths: `$.transactions[*]` or `$[*]`.
    pub rows_path: JsonPath,
}

/// One column of the input, ready to be read.
struct InputColumn {
    /// The field path the column fills (`["metrics", "revenue"]`).
    segments: Vec<String>,
    /// The field name after renaming (`metrics.revenue`).
    name: String,
    array: ArrayRef,
}

/// Reads every row of `batches` into a JSON object, in table order.
///
/// # Errors
///
/// `invalid` with the column's path when a column's type cannot carry what
/// the operation expects (floats for decimals, timestamps for dates, naive
/// timestamps for instants) or has no JSON form at all (binary, durations).
pub(crate) fn rows_from_batches(
    batches: &[RecordBatch],
    spec: &InputSpec,
) -> Result<Vec<Map<String, Value>>, Error> {
    let total: usize = batches.iter().map(RecordBatch::num_rows).sum();
    let mut rows: Vec<Map<String, Value>> = Vec::with_capacity(total);
    for batch in batches {
        let schema = batch.schema();
        let columns: Vec<InputColumn> = schema
            .fields()
            .iter()
            .zip(batch.columns())
            .map(|(field, array)| {
                let name = spec
                    .rename
                    .get(field.name())
                    .cloned()
                    .unwrap_or_else(|| field.name().clone());
                InputColumn {
                    segments: name.split('.').map(str::to_owned).collect(),
                    name,
                    array: Arc::clone(array),
                }
            })
            .collect();
        let start = rows.len();
        rows.resize_with(start + batch.num_rows(), Map::new);
        let batch_rows = rows.get_mut(start..).unwrap_or_default();
        for column in &columns {
            let format = format_of(spec, column);
            let at = column_path(&spec.rows_path, &column.segments);
            let values = column_values(column.array.as_ref(), format, &at)?;
            for (row, value) in batch_rows.iter_mut().zip(values) {
                if !value.is_null() {
                    insert_at(row, &column.segments, value);
                }
            }
        }
    }
    Ok(rows)
}

/// The format the schema gives a column: its own, or its map's (`metrics.*`).
fn format_of<'a>(spec: &'a InputSpec, column: &InputColumn) -> Option<&'a str> {
    spec.formats
        .get(&column.name)
        .or_else(|| {
            let (parent, _) = column.name.rsplit_once('.')?;
            spec.formats.get(&format!("{parent}.*"))
        })
        .map(String::as_str)
}

fn column_path(rows_path: &JsonPath, segments: &[String]) -> JsonPath {
    segments
        .iter()
        .fold(rows_path.clone(), |path, segment| path.key(segment))
}

/// Puts `value` at the dotted path `segments` inside `row`.
fn insert_at(row: &mut Map<String, Value>, segments: &[String], value: Value) {
    match segments {
        [] => {}
        [last] => {
            row.insert(last.clone(), value);
        }
        [first, rest @ ..] => {
            let slot = row
                .entry(first.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            if let Value::Object(inner) = slot {
                insert_at(inner, rest, value);
            }
        }
    }
}

fn column_error(at: &JsonPath, message: String, help: &str) -> Error {
    invalid_with_help(ErrorCode::WrongType, at.clone(), message, help.to_owned())
}

/// The JSON values of one column (nulls as `Value::Null`).
fn column_values(
    array: &dyn Array,
    format: Option<&str>,
    at: &JsonPath,
) -> Result<Vec<Value>, Error> {
    let decimal_wanted = matches!(format, Some("decimal" | "rate"));
    let data_type = array.data_type();
    match data_type {
        DataType::Null => Ok(vec![Value::Null; array.len()]),
        DataType::Boolean => Ok(array.as_boolean_opt().map_or_else(Vec::new, |a| {
            a.iter()
                .map(|v| v.map_or(Value::Null, Value::Bool))
                .collect()
        })),
        DataType::Int8 => Ok(ints::<Int8Type>(array)),
        DataType::Int16 => Ok(ints::<Int16Type>(array)),
        DataType::Int32 => Ok(ints::<Int32Type>(array)),
        DataType::Int64 => Ok(ints::<Int64Type>(array)),
        DataType::UInt8 => Ok(ints::<UInt8Type>(array)),
        DataType::UInt16 => Ok(ints::<UInt16Type>(array)),
        DataType::UInt32 => Ok(ints::<UInt32Type>(array)),
        DataType::UInt64 => Ok(array
            .as_primitive_opt::<UInt64Type>()
            .map_or_else(Vec::new, |a| {
                a.iter()
                    .map(|v| v.map_or(Value::Null, |v| Value::Number(v.into())))
                    .collect()
            })),
        DataType::Float16 | DataType::Float32 | DataType::Float64 if decimal_wanted => {
            Err(column_error(
                at,
                format!(
                    "the column holds binary floats ({data_type}), and prm takes exact decimals here"
                ),
                "cast it to a decimal type (`pa.decimal128(18, 2)`, polars `pl.Decimal`), or use `decimal.Decimal` values",
            ))
        }
        DataType::Float16 => Ok(floats(
            array
                .as_primitive_opt::<Float16Type>()
                .map_or_else(Vec::new, |a| a.iter().map(|v| v.map(f64::from)).collect()),
        )),
        DataType::Float32 => Ok(floats(
            array
                .as_primitive_opt::<Float32Type>()
                .map_or_else(Vec::new, |a| a.iter().map(|v| v.map(f64::from)).collect()),
        )),
        DataType::Float64 => Ok(floats(
            array
                .as_primitive_opt::<Float64Type>()
                .map_or_else(Vec::new, |a| a.iter().collect()),
        )),
        DataType::Utf8 => Ok(strings(array.as_string_opt::<i32>().map(|a| a.iter()))),
        DataType::LargeUtf8 => Ok(strings(array.as_string_opt::<i64>().map(|a| a.iter()))),
        DataType::Utf8View => Ok(strings(array.as_string_view_opt().map(|a| a.iter()))),
        DataType::Decimal128(_, scale) => {
            let scale = *scale;
            Ok(array
                .as_primitive_opt::<Decimal128Type>()
                .map_or_else(Vec::new, |a| {
                    a.iter()
                        .map(|v| {
                            v.map_or(Value::Null, |v| {
                                Value::String(decimal_text(&v.to_string(), scale))
                            })
                        })
                        .collect()
                }))
        }
        DataType::Decimal256(_, scale) => {
            let scale = *scale;
            Ok(array
                .as_primitive_opt::<Decimal256Type>()
                .map_or_else(Vec::new, |a| {
                    a.iter()
                        .map(|v| {
                            v.map_or(Value::Null, |v| {
                                Value::String(decimal_text(&v.to_string(), scale))
                            })
                        })
                        .collect()
                }))
        }
        DataType::Date32 | DataType::Date64 if format == Some("date-time") => Err(column_error(
            at,
            format!("the column holds dates ({data_type}), and prm needs instants here"),
            "use a timestamp column with a timezone",
        )),
        DataType::Date32 => Ok(array
            .as_primitive_opt::<Date32Type>()
            .map_or_else(Vec::new, |a| {
                a.iter()
                    .map(|v| v.map_or(Value::Null, date_value))
                    .collect()
            })),
        DataType::Date64 => Ok(array
            .as_primitive_opt::<Date64Type>()
            .map_or_else(Vec::new, |a| {
                a.iter()
                    .map(|v| {
                        v.map_or(Value::Null, |ms| {
                            let days = ms.div_euclid(86_400_000);
                            i32::try_from(days).map_or(Value::Null, date_value)
                        })
                    })
                    .collect()
            })),
        DataType::Timestamp(unit, tz) => timestamp_values(array, *unit, tz.is_some(), format, at),
        DataType::Dictionary(_, values) => {
            let decoded = arrow_cast::cast(array, values).map_err(|e| {
                invalid(
                    ErrorCode::WrongType,
                    at.clone(),
                    format!("the dictionary column cannot be decoded: {e}"),
                )
            })?;
            column_values(decoded.as_ref(), format, at)
        }
        DataType::List(_) => list_values::<i32>(array, at),
        DataType::LargeList(_) => list_values::<i64>(array, at),
        DataType::FixedSizeList(_, _) => match array.as_fixed_size_list_opt() {
            Some(list) => (0..list.len())
                .map(|i| {
                    if list.is_null(i) {
                        Ok(Value::Null)
                    } else {
                        column_values(list.value(i).as_ref(), None, at).map(Value::Array)
                    }
                })
                .collect(),
            None => Ok(Vec::new()),
        },
        DataType::Struct(fields) => match array.as_struct_opt() {
            Some(structs) => {
                let mut objects: Vec<Map<String, Value>> = vec![Map::new(); structs.len()];
                for (field, child) in fields.iter().zip(structs.columns()) {
                    let values = column_values(child.as_ref(), None, &at.key(field.name()))?;
                    for (object, value) in objects.iter_mut().zip(values) {
                        if !value.is_null() {
                            object.insert(field.name().clone(), value);
                        }
                    }
                }
                Ok(objects
                    .into_iter()
                    .enumerate()
                    .map(|(i, o)| {
                        if structs.is_null(i) {
                            Value::Null
                        } else {
                            Value::Object(o)
                        }
                    })
                    .collect())
            }
            None => Ok(Vec::new()),
        },
        DataType::Map(_, _) => match array.as_map_opt() {
            Some(map) => {
                let keys = column_values(map.keys().as_ref(), None, at)?;
                let values = column_values(map.values().as_ref(), None, at)?;
                let offsets = map.value_offsets();
                (0..map.len())
                    .map(|i| {
                        if map.is_null(i) {
                            return Ok(Value::Null);
                        }
                        let (Some(&start), Some(&end)) = (offsets.get(i), offsets.get(i + 1))
                        else {
                            return Ok(Value::Null);
                        };
                        let range =
                            usize::try_from(start).unwrap_or(0)..usize::try_from(end).unwrap_or(0);
                        let mut object = Map::new();
                        for (key, value) in keys
                            .get(range.clone())
                            .unwrap_or_default()
                            .iter()
                            .zip(values.get(range).unwrap_or_default())
                        {
                            match key {
                                Value::String(k) => {
                                    object.insert(k.clone(), value.clone());
                                }
                                other => {
                                    object.insert(other.to_string(), value.clone());
                                }
                            }
                        }
                        Ok(Value::Object(object))
                    })
                    .collect()
            }
            None => Ok(Vec::new()),
        },
        other => Err(column_error(
            at,
            format!("a column of type {other} has no JSON form in prm"),
            "convert it to strings, numbers, decimals, dates or timestamps first",
        )),
    }
}

fn ints<T>(array: &dyn Array) -> Vec<Value>
where
    T: arrow_array::ArrowPrimitiveType,
    T::Native: Into<i64>,
{
    array.as_primitive_opt::<T>().map_or_else(Vec::new, |a| {
        a.iter()
            .map(|v| v.map_or(Value::Null, |v| Value::Number(v.into().into())))
            .collect()
    })
}

/// Floats become JSON numbers; NaN (pandas' missing value) becomes null.
fn floats(values: Vec<Option<f64>>) -> Vec<Value> {
    values
        .into_iter()
        .map(|v| {
            v.and_then(Number::from_f64)
                .map_or(Value::Null, Value::Number)
        })
        .collect()
}

fn strings<'a>(values: Option<impl Iterator<Item = Option<&'a str>>>) -> Vec<Value> {
    values.map_or_else(Vec::new, |values| {
        values
            .map(|v| v.map_or(Value::Null, |s| Value::String(s.to_owned())))
            .collect()
    })
}

fn list_values<O: OffsetSizeTrait>(array: &dyn Array, at: &JsonPath) -> Result<Vec<Value>, Error> {
    let Some(list) = array.as_list_opt::<O>() else {
        return Ok(Vec::new());
    };
    (0..list.len())
        .map(|i| {
            if list.is_null(i) {
                Ok(Value::Null)
            } else {
                column_values(list.value(i).as_ref(), None, at).map(Value::Array)
            }
        })
        .collect()
}

fn date_value(days: i32) -> Value {
    days.checked_add(EPOCH_DAYS_FROM_CE)
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .map_or(Value::Null, |d| {
            Value::String(d.format("%Y-%m-%d").to_string())
        })
}

fn timestamp_values(
    array: &dyn Array,
    unit: TimeUnit,
    zoned: bool,
    format: Option<&str>,
    at: &JsonPath,
) -> Result<Vec<Value>, Error> {
    if format == Some("date") {
        return Err(column_error(
            at,
            "the column holds timestamps, and prm needs dates here (a datetime is not a date)"
                .to_owned(),
            "convert it to dates: pandas `s.dt.date`, polars `s.dt.date()`, pyarrow `pc.cast(s, pa.date32())`",
        ));
    }
    if !zoned && format == Some("date-time") {
        return Err(column_error(
            at,
            "the column holds timestamps without a timezone, so they are not instants".to_owned(),
            "localize them: pandas `s.dt.tz_localize(\"UTC\")`, polars `s.dt.replace_time_zone(\"UTC\")`",
        ));
    }
    let raw: Vec<Option<i64>> = match unit {
        TimeUnit::Second => array
            .as_primitive_opt::<TimestampSecondType>()
            .map(|a| a.iter().collect()),
        TimeUnit::Millisecond => array
            .as_primitive_opt::<TimestampMillisecondType>()
            .map(|a| a.iter().collect()),
        TimeUnit::Microsecond => array
            .as_primitive_opt::<TimestampMicrosecondType>()
            .map(|a| a.iter().collect()),
        TimeUnit::Nanosecond => array
            .as_primitive_opt::<TimestampNanosecondType>()
            .map(|a| a.iter().collect()),
    }
    .unwrap_or_default();
    let (per_second, nanos_per_unit): (i64, i64) = match unit {
        TimeUnit::Second => (1, 1_000_000_000),
        TimeUnit::Millisecond => (1_000, 1_000_000),
        TimeUnit::Microsecond => (1_000_000, 1_000),
        TimeUnit::Nanosecond => (1_000_000_000, 1),
    };
    Ok(raw
        .into_iter()
        .map(|v| {
            let Some(v) = v else { return Value::Null };
            let seconds = v.div_euclid(per_second);
            let nanos =
                u32::try_from(v.rem_euclid(per_second).saturating_mul(nanos_per_unit)).unwrap_or(0);
            match DateTime::<Utc>::from_timestamp(seconds, nanos) {
                Some(instant) if zoned => {
                    Value::String(instant.to_rfc3339_opts(SecondsFormat::AutoSi, true))
                }
                Some(instant) => Value::String(
                    instant
                        .naive_utc()
                        .format("%Y-%m-%dT%H:%M:%S%.f")
                        .to_string(),
                ),
                None => Value::Null,
            }
        })
        .collect())
}

/// Writes an unscaled integer (`"-5"`) with `scale` decimal places (`"-0.05"`).
fn decimal_text(unscaled: &str, scale: i8) -> String {
    let (sign, digits) = match unscaled.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", unscaled),
    };
    if scale <= 0 {
        let zeros = "0".repeat(usize::from(scale.unsigned_abs()));
        return if digits == "0" {
            "0".to_owned()
        } else {
            format!("{sign}{digits}{zeros}")
        };
    }
    let places = usize::from(scale.unsigned_abs());
    let padded = if digits.len() <= places {
        format!("{}{digits}", "0".repeat(places + 1 - digits.len()))
    } else {
        digits.to_owned()
    };
    match padded.split_at_checked(padded.len() - places) {
        Some((whole, fraction)) => format!("{sign}{whole}.{fraction}"),
        None => format!("{sign}{padded}"),
    }
}

// ---------------------------------------------------------------------------
// Answers to tables.

/// The Arrow type of an answer column, from the operation's answer schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColumnKind {
    Decimal,
    Date,
    Instant,
    Text,
    Integer,
    Number,
    Boolean,
    /// Arrays and objects without a fixed shape: JSON text.
    Json,
}

impl ColumnKind {
    /// Reads the kind names the `prm` package passes (`decimal`, `date`, ...).
    pub(crate) fn from_name(name: &str) -> Option<ColumnKind> {
        Some(match name {
            "decimal" | "rate" => ColumnKind::Decimal,
            "date" => ColumnKind::Date,
            "date-time" => ColumnKind::Instant,
            "string" | "currency" => ColumnKind::Text,
            "integer" => ColumnKind::Integer,
            "number" => ColumnKind::Number,
            "boolean" => ColumnKind::Boolean,
            "json" => ColumnKind::Json,
            _ => return None,
        })
    }
}

/// Picks the rows out of an answer: `decisions`, or `statements[].lines` for
/// every line of every statement.
///
/// # Errors
///
/// `internal` when the path does not lead to a list of objects.
pub(crate) fn select_rows<'a>(answer: &'a Value, path: &str) -> Result<Vec<&'a Value>, Error> {
    let mut current: Vec<&Value> = vec![answer];
    let segments: Vec<&str> = path.split('.').collect();
    let last = segments.len().saturating_sub(1);
    for (i, segment) in segments.iter().enumerate() {
        let (key, spread) = match segment.strip_suffix("[]") {
            Some(key) => (key, true),
            None => (*segment, i == last),
        };
        let mut next = Vec::new();
        for value in current {
            match value.get(key) {
                Some(Value::Array(items)) if spread => next.extend(items.iter()),
                Some(Value::Null) | None => {}
                Some(found) if !spread => next.push(found),
                Some(_) => {
                    return Err(invalid(
                        ErrorCode::Internal,
                        JsonPath::root(),
                        format!(
                            "`{key}` in the answer is not a list, so `{path}` cannot select rows"
                        ),
                    ));
                }
            }
        }
        current = next;
    }
    Ok(current)
}

/// Builds the table of `rows`: the `planned` columns first (dotted paths, in
/// order, typed by the schema), then any other field found, typed by its values.
///
/// # Errors
///
/// Only when Arrow refuses the arrays it was given (a bug).
pub(crate) fn table_from_rows(
    rows: &[&Value],
    planned: &[(String, ColumnKind)],
) -> Result<(SchemaRef, RecordBatch), Error> {
    let mut columns: Vec<(String, Option<ColumnKind>)> = planned
        .iter()
        .map(|(name, kind)| (name.clone(), Some(*kind)))
        .collect();
    let planned_names: HashSet<&str> = planned.iter().map(|(name, _)| name.as_str()).collect();
    let mut seen = (Vec::new(), HashSet::new());
    for row in rows {
        leaf_names(row, None, &planned_names, &mut seen);
    }
    columns.extend(seen.0.into_iter().map(|name| (name, None)));
    let mut fields = Vec::with_capacity(columns.len());
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(columns.len());
    for (name, kind) in &columns {
        let segments: Vec<&str> = name.split('.').collect();
        let cells: Vec<Option<&Value>> = rows
            .iter()
            .map(|row| lookup(row, &segments).filter(|v| !v.is_null()))
            .collect();
        let kind = kind.unwrap_or_else(|| infer_kind(&cells));
        let array = build_column(&cells, kind);
        fields.push(Field::new(name.clone(), array.data_type().clone(), true));
        arrays.push(array);
    }
    let schema: SchemaRef = Arc::new(Schema::new(fields));
    let batch = if arrays.is_empty() {
        RecordBatch::try_new_with_options(
            Arc::clone(&schema),
            arrays,
            &arrow_array::RecordBatchOptions::new().with_row_count(Some(rows.len())),
        )
    } else {
        RecordBatch::try_new(Arc::clone(&schema), arrays)
    }
    .map_err(|e| {
        invalid(
            ErrorCode::Internal,
            JsonPath::root(),
            format!("the answer table could not be built: {e}"),
        )
    })?;
    Ok((schema, batch))
}

/// Collects, in first-seen order, the dotted leaf names under `value` that
/// no planned column covers; objects are flattened, anything else is a leaf.
fn leaf_names(
    value: &Value,
    prefix: Option<&str>,
    planned: &HashSet<&str>,
    seen: &mut (Vec<String>, HashSet<String>),
) {
    let Value::Object(fields) = value else { return };
    for (key, child) in fields {
        let joined;
        let name: &str = match prefix {
            None => key,
            Some(prefix) => {
                joined = format!("{prefix}.{key}");
                &joined
            }
        };
        if planned.contains(name) {
            continue;
        }
        if child.is_object() {
            leaf_names(child, Some(name), planned, seen);
        } else if !seen.1.contains(name) {
            seen.1.insert(name.to_owned());
            seen.0.push(name.to_owned());
        }
    }
}

fn lookup<'a>(row: &'a Value, segments: &[&str]) -> Option<&'a Value> {
    segments.iter().try_fold(row, |value, key| value.get(key))
}

fn infer_kind(cells: &[Option<&Value>]) -> ColumnKind {
    let mut kind: Option<ColumnKind> = None;
    for value in cells.iter().flatten() {
        let this = match value {
            Value::Bool(_) => ColumnKind::Boolean,
            Value::Number(n) if n.is_i64() || n.is_u64() => ColumnKind::Integer,
            Value::Number(_) => ColumnKind::Number,
            Value::String(_) => ColumnKind::Text,
            _ => ColumnKind::Json,
        };
        kind = Some(match (kind, this) {
            (None, this) => this,
            (Some(a), b) if a == b => a,
            (Some(ColumnKind::Integer), ColumnKind::Number)
            | (Some(ColumnKind::Number), ColumnKind::Integer) => ColumnKind::Number,
            _ => ColumnKind::Json,
        });
    }
    kind.unwrap_or(ColumnKind::Text)
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn build_column(cells: &[Option<&Value>], kind: ColumnKind) -> ArrayRef {
    match kind {
        ColumnKind::Decimal => decimal_column(cells).unwrap_or_else(|| text_column(cells)),
        ColumnKind::Date => {
            let parsed: Option<Vec<Option<i32>>> = cells
                .iter()
                .map(|cell| match cell {
                    None => Some(None),
                    Some(v) => v
                        .as_str()
                        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                        .and_then(|d| d.num_days_from_ce().checked_sub(EPOCH_DAYS_FROM_CE))
                        .map(Some),
                })
                .collect();
            match parsed {
                Some(days) => {
                    let mut builder = Date32Builder::with_capacity(days.len());
                    builder.extend(days);
                    Arc::new(builder.finish())
                }
                None => text_column(cells),
            }
        }
        ColumnKind::Instant => {
            let parsed: Option<Vec<Option<i64>>> = cells
                .iter()
                .map(|cell| match cell {
                    None => Some(None),
                    Some(v) => v
                        .as_str()
                        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                        .map(|t| Some(t.timestamp_micros())),
                })
                .collect();
            match parsed {
                Some(micros) => {
                    let mut builder = TimestampMicrosecondBuilder::with_capacity(micros.len());
                    builder.extend(micros);
                    Arc::new(builder.finish().with_timezone("UTC"))
                }
                None => text_column(cells),
            }
        }
        ColumnKind::Integer => {
            if cells.iter().flatten().all(|v| v.as_i64().is_some()) {
                let mut builder = Int64Builder::with_capacity(cells.len());
                builder.extend(cells.iter().map(|c| c.and_then(Value::as_i64)));
                Arc::new(builder.finish())
            } else {
                text_column(cells)
            }
        }
        ColumnKind::Number => {
            if cells.iter().flatten().all(|v| v.is_number()) {
                let mut builder = Float64Builder::with_capacity(cells.len());
                builder.extend(cells.iter().map(|c| c.and_then(Value::as_f64)));
                Arc::new(builder.finish())
            } else {
                text_column(cells)
            }
        }
        ColumnKind::Boolean => {
            if cells.iter().flatten().all(|v| v.is_boolean()) {
                let mut builder = BooleanBuilder::with_capacity(cells.len());
                builder.extend(cells.iter().map(|c| c.and_then(Value::as_bool)));
                Arc::new(builder.finish())
            } else {
                text_column(cells)
            }
        }
        ColumnKind::Text | ColumnKind::Json => text_column(cells),
    }
}

fn text_column(cells: &[Option<&Value>]) -> ArrayRef {
    let mut builder = StringBuilder::with_capacity(cells.len(), cells.len() * 8);
    for cell in cells {
        builder.append_option(cell.map(text_of));
    }
    Arc::new(builder.finish())
}

/// A `decimal128(38, s)` column at the largest scale `s` in the column, or
/// `decimal256(76, s)` when a value needs more than 38 digits there; `None`
/// when a cell is not a decimal.
fn decimal_column(cells: &[Option<&Value>]) -> Option<ArrayRef> {
    let parsed: Option<Vec<Option<(i128, u32)>>> = cells
        .iter()
        .map(|cell| match cell {
            None => Some(None),
            Some(value) => {
                let text = match value {
                    Value::String(s) => s.clone(),
                    Value::Number(n) if n.is_i64() || n.is_u64() => n.to_string(),
                    _ => return None,
                };
                text.parse::<prm_core::Decimal>()
                    .ok()
                    .map(|d| Some((d.value().mantissa(), d.value().scale())))
            }
        })
        .collect();
    let parsed = parsed?;
    let scale = parsed.iter().flatten().map(|(_, s)| *s).max().unwrap_or(0);
    let scale_i8 = i8::try_from(scale).ok()?;
    let limit: i128 = 10_i128.pow(38);
    let rescaled: Option<Vec<Option<i128>>> = parsed
        .iter()
        .map(|cell| match cell {
            None => Some(None),
            Some((mantissa, s)) => 10_i128
                .checked_pow(scale - s)
                .and_then(|factor| mantissa.checked_mul(factor))
                .filter(|v| v.unsigned_abs() < limit.unsigned_abs())
                .map(Some),
        })
        .collect();
    match rescaled {
        Some(values) => Decimal128Array::from(values)
            .with_precision_and_scale(38, scale_i8)
            .ok()
            .map(|a| Arc::new(a) as ArrayRef),
        None => {
            let wide: Option<Vec<Option<i256>>> = parsed
                .iter()
                .map(|cell| match cell {
                    None => Some(None),
                    Some((mantissa, s)) => {
                        let mut value = i256::from_i128(*mantissa);
                        for _ in *s..scale {
                            value = value.checked_mul(i256::from_i128(10))?;
                        }
                        Some(Some(value))
                    }
                })
                .collect();
            Decimal256Array::from(wide?)
                .with_precision_and_scale(76, scale_i8)
                .ok()
                .map(|a| Arc::new(a) as ArrayRef)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_text_places_the_point() {
        for &(unscaled, scale, want) in &[
            ("1250", 2, "12.50"),
            ("-5", 2, "-0.05"),
            ("5", 0, "5"),
            ("0", 3, "0.000"),
            ("12", -2, "1200"),
            ("0", -2, "0"),
            (
                "-12345678901234567890123456789",
                28,
                "-1.2345678901234567890123456789",
            ),
        ] {
            assert_eq!(
                decimal_text(unscaled, scale),
                want,
                "{unscaled} at scale {scale}"
            );
        }
    }

    #[test]
    fn select_rows_spreads_nested_lists() {
        let answer = serde_json::json!({"statements": [
            {"partner_id": "P1", "lines": [{"id": 1}, {"id": 2}]},
            {"partner_id": "P2", "lines": [{"id": 3}]},
        ]});
        let lines = select_rows(&answer, "statements[].lines").unwrap_or_default();
        assert_eq!(lines.len(), 3);
        assert_eq!(
            select_rows(&answer, "statements").unwrap_or_default().len(),
            2
        );
        assert!(
            select_rows(&answer, "missing")
                .unwrap_or_default()
                .is_empty()
        );
    }

    #[test]
    fn decimal_column_keeps_every_digit() {
        let values = [
            serde_json::json!("12.5"),
            serde_json::json!("0.0000000000000000000000000001"),
        ];
        let cells: Vec<Option<&Value>> = values.iter().map(Some).collect();
        let array = decimal_column(&cells);
        assert_eq!(
            array.map(|a| a.data_type().clone()),
            Some(DataType::Decimal128(38, 28))
        );
    }
}
