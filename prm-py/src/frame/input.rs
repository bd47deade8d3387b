//! Arrow columns to the JSON objects of a request, one per row.
//!
//! Common column types (strings, integers, floats, booleans, `decimal128`,
//! dates) are read cell by cell straight from their buffers while each row
//! is built, so a table never exists twice in memory as JSON. Nested and
//! rarer types (lists, structs, maps, dictionaries, timestamps,
//! `decimal256`) are converted a column at a time.

use crate::guard::{invalid, invalid_with_help};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal128Type, Decimal256Type, Float16Type, Float32Type, Float64Type,
    Int8Type, Int16Type, Int32Type, Int64Type, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Date32Array, Decimal128Array, Float64Array, Int64Array,
    LargeStringArray, OffsetSizeTrait, RecordBatch, StringArray, StringViewArray, UInt64Array,
};
use arrow_schema::{DataType, TimeUnit};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use prm_core::{Error, ErrorCode, JsonPath};
use serde_json::{Map, Number, Value};
use std::collections::HashMap;

/// Days from 0001-01-01 (chrono's day 1) to 1970-01-01.
pub(super) const EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// How the input table's columns become request fields.
#[derive(Debug)]
pub(crate) struct InputSpec {
    /// Column renames, applied before nesting (`{"amt": "amount"}`).
    pub rename: HashMap<String, String>,
    /// The `format` the operation's schema gives each field of a row
    /// (`decimal`, `rate`, `date`, `date-time`), by field name; `metrics.*`
    /// gives every field of a map.
    pub formats: HashMap<String, String>,
    /// Where the rows go, for problem paths: `$.transactions[*]` or `$[*]`.
    pub rows_path: JsonPath,
}

impl InputSpec {
    /// The name a table's column goes by: its rename, or its own.
    pub(crate) fn column_name<'a>(&'a self, column: &'a str) -> &'a str {
        self.rename.get(column).map_or(column, String::as_str)
    }

    /// The format the schema gives a field: its own, or its map's (`metrics.*`).
    fn format_of(&self, name: &str) -> Option<&str> {
        self.formats
            .get(name)
            .or_else(|| {
                let (parent, _) = name.rsplit_once('.')?;
                self.formats.get(&format!("{parent}.*"))
            })
            .map(String::as_str)
    }
}

/// One column of a batch, read cell by cell.
struct Reader {
    /// The field path the column fills (`["metrics", "revenue"]`).
    segments: Vec<String>,
    cells: Cells,
}

/// A column's cells, typed once so each cell is a plain read.
enum Cells {
    Null,
    Bool(BooleanArray),
    Int(Int64Array),
    UInt(UInt64Array),
    Float(Float64Array),
    Utf8(StringArray),
    LargeUtf8(LargeStringArray),
    View(StringViewArray),
    Decimal(Decimal128Array, i8),
    Date(Date32Array),
    /// Anything else, converted a column at a time.
    Values(Vec<Value>),
}

impl Cells {
    /// The JSON value of cell `i`, or `None` for a null.
    fn take(&mut self, i: usize) -> Option<Value> {
        fn valid<A: Array>(array: &A, i: usize) -> bool {
            i < array.len() && array.is_valid(i)
        }
        match self {
            Cells::Null => None,
            Cells::Bool(a) => valid(a, i).then(|| Value::Bool(a.value(i))),
            Cells::Int(a) => valid(a, i).then(|| Value::Number(a.value(i).into())),
            Cells::UInt(a) => valid(a, i).then(|| Value::Number(a.value(i).into())),
            Cells::Float(a) => valid(a, i)
                .then(|| Number::from_f64(a.value(i)).map(Value::Number))
                .flatten(),
            Cells::Utf8(a) => valid(a, i).then(|| Value::String(a.value(i).to_owned())),
            Cells::LargeUtf8(a) => valid(a, i).then(|| Value::String(a.value(i).to_owned())),
            Cells::View(a) => valid(a, i).then(|| Value::String(a.value(i).to_owned())),
            Cells::Decimal(a, scale) => {
                valid(a, i).then(|| Value::String(decimal128_text(a.value(i), *scale)))
            }
            Cells::Date(a) => valid(a, i)
                .then(|| date_text(a.value(i)))
                .flatten()
                .map(Value::String),
            Cells::Values(values) => match values.get_mut(i).map(std::mem::take) {
                Some(Value::Null) | None => None,
                Some(value) => Some(value),
            },
        }
    }
}

fn cast(array: &ArrayRef, to: &DataType, at: &JsonPath) -> Result<ArrayRef, Error> {
    arrow_cast::cast(array.as_ref(), to).map_err(|e| {
        invalid(
            ErrorCode::WrongType,
            at.clone(),
            format!("the column cannot be read as {to}: {e}"),
        )
    })
}

/// Types a column for reading, refusing the types that cannot carry what the
/// schema wants there (floats for decimals, timestamps for dates).
fn cells(array: &ArrayRef, format: Option<&str>, at: &JsonPath) -> Result<Cells, Error> {
    let decimal_wanted = matches!(format, Some("decimal" | "rate"));
    Ok(match array.data_type() {
        DataType::Null => Cells::Null,
        DataType::Boolean => array
            .as_boolean_opt()
            .cloned()
            .map_or(Cells::Null, Cells::Bool),
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32 => {
            let wide = cast(array, &DataType::Int64, at)?;
            wide.as_primitive_opt::<Int64Type>()
                .cloned()
                .map_or(Cells::Null, Cells::Int)
        }
        DataType::Int64 => array
            .as_primitive_opt::<Int64Type>()
            .cloned()
            .map_or(Cells::Null, Cells::Int),
        DataType::UInt64 => array
            .as_primitive_opt::<UInt64Type>()
            .cloned()
            .map_or(Cells::Null, Cells::UInt),
        DataType::Float16 | DataType::Float32 | DataType::Float64 if !decimal_wanted => {
            let wide = cast(array, &DataType::Float64, at)?;
            wide.as_primitive_opt::<Float64Type>()
                .cloned()
                .map_or(Cells::Null, Cells::Float)
        }
        DataType::Utf8 => array
            .as_string_opt::<i32>()
            .cloned()
            .map_or(Cells::Null, Cells::Utf8),
        DataType::LargeUtf8 => array
            .as_string_opt::<i64>()
            .cloned()
            .map_or(Cells::Null, Cells::LargeUtf8),
        DataType::Utf8View => array
            .as_string_view_opt()
            .cloned()
            .map_or(Cells::Null, Cells::View),
        DataType::Decimal128(_, scale) => array
            .as_primitive_opt::<Decimal128Type>()
            .cloned()
            .map_or(Cells::Null, |a| Cells::Decimal(a, *scale)),
        DataType::Date32 if format != Some("date-time") => array
            .as_primitive_opt::<Date32Type>()
            .cloned()
            .map_or(Cells::Null, Cells::Date),
        _ => Cells::Values(column_values(array.as_ref(), format, at)?),
    })
}

/// Calls `each` with every row of `batches` as a JSON object, in table order.
///
/// # Errors
///
/// `invalid` with the column's path (`$.transactions[*].amount`) when a
/// column's type cannot carry what the operation expects, or has no JSON
/// form at all; whatever `each` returns.
pub(crate) fn for_each_row(
    batches: &[RecordBatch],
    spec: &InputSpec,
    mut each: impl FnMut(Map<String, Value>) -> Result<(), Error>,
) -> Result<(), Error> {
    for batch in batches {
        let schema = batch.schema();
        let mut readers = Vec::with_capacity(batch.num_columns());
        for (field, array) in schema.fields().iter().zip(batch.columns()) {
            let name = spec.column_name(field.name());
            let segments: Vec<String> = name.split('.').map(str::to_owned).collect();
            let at = segments
                .iter()
                .fold(spec.rows_path.clone(), |path, segment| path.key(segment));
            readers.push(Reader {
                cells: cells(array, spec.format_of(name), &at)?,
                segments,
            });
        }
        for i in 0..batch.num_rows() {
            let mut row = Map::with_capacity(readers.len());
            for reader in &mut readers {
                if let Some(value) = reader.cells.take(i) {
                    insert_at(&mut row, &reader.segments, value);
                }
            }
            each(row)?;
        }
    }
    Ok(())
}

/// Every row of `batches` as a JSON object, in table order.
///
/// # Errors
///
/// As [`for_each_row`].
pub(crate) fn rows_from_batches(
    batches: &[RecordBatch],
    spec: &InputSpec,
) -> Result<Vec<Value>, Error> {
    let mut rows = Vec::with_capacity(batches.iter().map(RecordBatch::num_rows).sum());
    for_each_row(batches, spec, |row| {
        rows.push(Value::Object(row));
        Ok(())
    })?;
    Ok(rows)
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

/// `YYYY-MM-DD` for days since 1970-01-01.
pub(super) fn date_text(days: i32) -> Option<String> {
    let date = days
        .checked_add(EPOCH_DAYS_FROM_CE)
        .and_then(NaiveDate::from_num_days_from_ce_opt)?;
    Some(date.format("%Y-%m-%d").to_string())
}

/// The text of an unscaled `decimal128` (`-5` at scale 2 is `-0.05`), built in one allocation.
pub(super) fn decimal128_text(unscaled: i128, scale: i8) -> String {
    let mut digits = [0u8; 40];
    let mut at = digits.len();
    let mut rest = unscaled.unsigned_abs();
    loop {
        at -= 1;
        if let Some(slot) = digits.get_mut(at) {
            *slot = b'0' + (rest % 10) as u8;
        }
        rest /= 10;
        if rest == 0 || at == 0 {
            break;
        }
    }
    let text = digits
        .get(at..)
        .and_then(|d| std::str::from_utf8(d).ok())
        .unwrap_or("0");
    signed_decimal_text(unscaled < 0, text, scale)
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
pub(super) fn decimal_text(unscaled: &str, scale: i8) -> String {
    match unscaled.strip_prefix('-') {
        Some(digits) => signed_decimal_text(true, digits, scale),
        None => signed_decimal_text(false, unscaled, scale),
    }
}

/// [`decimal_text`] from a sign and the digits, in one allocation.
fn signed_decimal_text(negative: bool, digits: &str, scale: i8) -> String {
    let places = usize::from(scale.unsigned_abs());
    let mut out = String::with_capacity(digits.len() + places + 3);
    if digits.bytes().all(|b| b == b'0') && scale <= 0 {
        out.push('0');
        return out;
    }
    if negative {
        out.push('-');
    }
    if scale <= 0 {
        out.push_str(digits);
        out.extend(std::iter::repeat_n('0', places));
        return out;
    }
    if digits.len() <= places {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', places - digits.len()));
        out.push_str(digits);
    } else {
        let (whole, fraction) = digits
            .split_at_checked(digits.len() - places)
            .unwrap_or((digits, ""));
        out.push_str(whole);
        out.push('.');
        out.push_str(fraction);
    }
    out
}
