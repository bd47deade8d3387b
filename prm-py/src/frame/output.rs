//! The rows of an answer to Arrow columns.
//!
//! A [`TableSink`] takes answer rows one at a time (so a per-row operation
//! never keeps its answers) and writes each field straight into its column:
//! the answer schema's columns first, typed (decimals, dates, instants,
//! integers...), then any other field in first-seen order, typed by its
//! values. Nested objects flatten into dotted names (`totals.net`).

use super::input::{EPOCH_DAYS_FROM_CE, date_text, decimal_text};
use crate::guard::invalid;
use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, StringBuilder,
    TimestampMicrosecondBuilder,
};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Date32Array, Decimal128Array, Decimal256Array, Float64Array,
    Int64Array, RecordBatch, RecordBatchOptions, TimestampMicrosecondArray,
};
use arrow_buffer::i256;
use arrow_schema::{Field, Schema, SchemaRef};
use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat};
use prm_core::{Error, ErrorCode, JsonPath};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

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

/// Answer rows, written column by column as they come.
#[derive(Debug)]
pub(crate) struct TableSink {
    columns: Vec<Column>,
    index: HashMap<String, usize>,
    rows: usize,
    /// The column after the last one written: rows usually list their
    /// fields in the same order, so this is checked before the index.
    next: usize,
}

#[derive(Debug)]
struct Column {
    name: String,
    store: Store,
    len: usize,
}

/// A column's cells so far: typed when the schema names the column, raw JSON otherwise.
#[derive(Debug)]
enum Store {
    Decimal(Vec<Option<(i128, u32)>>),
    Date(Vec<Option<i32>>),
    Instant(Vec<Option<i64>>),
    Text(StringBuilder),
    Integer(Vec<Option<i64>>),
    Number(Vec<Option<f64>>),
    Boolean(Vec<Option<bool>>),
    Raw(Vec<Option<Value>>),
}

impl Store {
    fn new(kind: ColumnKind) -> Store {
        match kind {
            ColumnKind::Decimal => Store::Decimal(Vec::new()),
            ColumnKind::Date => Store::Date(Vec::new()),
            ColumnKind::Instant => Store::Instant(Vec::new()),
            ColumnKind::Text | ColumnKind::Json => Store::Text(StringBuilder::new()),
            ColumnKind::Integer => Store::Integer(Vec::new()),
            ColumnKind::Number => Store::Number(Vec::new()),
            ColumnKind::Boolean => Store::Boolean(Vec::new()),
        }
    }

    fn push_null(&mut self) {
        match self {
            Store::Decimal(v) => v.push(None),
            Store::Date(v) => v.push(None),
            Store::Instant(v) => v.push(None),
            Store::Text(b) => b.append_null(),
            Store::Integer(v) => v.push(None),
            Store::Number(v) => v.push(None),
            Store::Boolean(v) => v.push(None),
            Store::Raw(v) => v.push(None),
        }
    }

    /// Adds `value`; `false` when it does not fit the column's type.
    fn push(&mut self, value: &Value) -> bool {
        match self {
            Store::Decimal(v) => match decimal_parts(value) {
                Some(parts) => v.push(Some(parts)),
                None => return false,
            },
            Store::Date(v) => match value.as_str().and_then(date_days) {
                Some(days) => v.push(Some(days)),
                None => return false,
            },
            Store::Instant(v) => match value
                .as_str()
                .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            {
                Some(t) => v.push(Some(t.timestamp_micros())),
                None => return false,
            },
            Store::Text(b) => match value {
                Value::String(s) => b.append_value(s),
                other => b.append_value(other.to_string()),
            },
            Store::Integer(v) => match value.as_i64() {
                Some(n) => v.push(Some(n)),
                None => return false,
            },
            Store::Number(v) => match value.as_f64() {
                Some(n) => v.push(Some(n)),
                None => return false,
            },
            Store::Boolean(v) => match value.as_bool() {
                Some(b) => v.push(Some(b)),
                None => return false,
            },
            Store::Raw(v) => v.push(Some(value.clone())),
        }
        true
    }

    /// The same cells as raw JSON, for a column whose values turned out not to fit its type.
    fn into_raw(self) -> Store {
        let raw: Vec<Option<Value>> = match self {
            Store::Decimal(v) => v
                .into_iter()
                .map(|c| {
                    c.map(|(m, s)| {
                        Value::String(decimal_text(&m.to_string(), i8::try_from(s).unwrap_or(0)))
                    })
                })
                .collect(),
            Store::Date(v) => v
                .into_iter()
                .map(|c| c.and_then(date_text).map(Value::String))
                .collect(),
            Store::Instant(v) => v
                .into_iter()
                .map(|c| {
                    c.and_then(DateTime::from_timestamp_micros)
                        .map(|t| Value::String(t.to_rfc3339_opts(SecondsFormat::AutoSi, true)))
                })
                .collect(),
            Store::Text(mut b) => {
                let array = b.finish();
                (0..array.len())
                    .map(|i| {
                        array
                            .is_valid(i)
                            .then(|| Value::String(array.value(i).to_owned()))
                    })
                    .collect()
            }
            Store::Integer(v) => v.into_iter().map(|c| c.map(Value::from)).collect(),
            Store::Number(v) => v.into_iter().map(|c| c.map(Value::from)).collect(),
            Store::Boolean(v) => v.into_iter().map(|c| c.map(Value::Bool)).collect(),
            Store::Raw(v) => v,
        };
        Store::Raw(raw)
    }

    fn finish(self) -> ArrayRef {
        match self {
            Store::Decimal(v) => {
                decimal_array(&v).unwrap_or_else(|| Store::Decimal(v).into_raw().finish())
            }
            Store::Date(v) => Arc::new(Date32Array::from(v)),
            Store::Instant(v) => Arc::new(TimestampMicrosecondArray::from(v).with_timezone("UTC")),
            Store::Text(mut b) => Arc::new(b.finish()),
            Store::Integer(v) => Arc::new(Int64Array::from(v)),
            Store::Number(v) => Arc::new(Float64Array::from(v)),
            Store::Boolean(v) => Arc::new(BooleanArray::from(v)),
            Store::Raw(v) => {
                let cells: Vec<Option<&Value>> = v.iter().map(Option::as_ref).collect();
                build_column(&cells, infer_kind(&cells))
            }
        }
    }
}

fn date_days(text: &str) -> Option<i32> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.num_days_from_ce().checked_sub(EPOCH_DAYS_FROM_CE))
}

/// A decimal answer value as its unscaled integer and scale.
fn decimal_parts(value: &Value) -> Option<(i128, u32)> {
    let parsed = match value {
        Value::String(s) => s.parse::<prm_core::Decimal>().ok()?,
        Value::Number(n) if n.is_i64() || n.is_u64() => {
            n.to_string().parse::<prm_core::Decimal>().ok()?
        }
        _ => return None,
    };
    Some((parsed.value().mantissa(), parsed.value().scale()))
}

impl TableSink {
    /// A sink whose first columns are `planned`, in order.
    pub(crate) fn new(planned: &[(String, ColumnKind)]) -> TableSink {
        let mut sink = TableSink {
            columns: Vec::new(),
            index: HashMap::new(),
            rows: 0,
            next: 0,
        };
        for (name, kind) in planned {
            if !sink.index.contains_key(name) {
                sink.index.insert(name.clone(), sink.columns.len());
                sink.columns.push(Column {
                    name: name.clone(),
                    store: Store::new(*kind),
                    len: 0,
                });
            }
        }
        sink
    }

    /// Adds one answer row (an object; anything else becomes a `value` column).
    pub(crate) fn push(&mut self, row: &Value) {
        let mut name = String::new();
        match row {
            Value::Object(fields) => {
                for (key, value) in fields {
                    self.push_field(&mut name, key, value);
                }
            }
            other => self.push_field(&mut name, "value", other),
        }
        self.rows += 1;
        self.next = 0;
        for column in &mut self.columns {
            if column.len < self.rows {
                column.store.push_null();
                column.len += 1;
            }
        }
    }

    fn push_field(&mut self, name: &mut String, key: &str, value: &Value) {
        let mark = name.len();
        if mark > 0 {
            name.push('.');
        }
        name.push_str(key);
        match value {
            Value::Null => {}
            Value::Object(fields) if !self.index.contains_key(name.as_str()) => {
                for (key, value) in fields {
                    self.push_field(name, key, value);
                }
            }
            _ => self.push_cell(name, value),
        }
        name.truncate(mark);
    }

    fn push_cell(&mut self, name: &str, value: &Value) {
        let predicted = self
            .columns
            .get(self.next)
            .filter(|c| c.name == name)
            .map(|_| self.next);
        let at = match predicted.or_else(|| self.index.get(name).copied()) {
            Some(at) => at,
            None => {
                let at = self.columns.len();
                self.index.insert(name.to_owned(), at);
                self.columns.push(Column {
                    name: name.to_owned(),
                    store: Store::Raw(vec![None; self.rows]),
                    len: self.rows,
                });
                at
            }
        };
        let Some(column) = self.columns.get_mut(at) else {
            return;
        };
        self.next = at + 1;
        if column.len > self.rows {
            return; // the same dotted name twice in one row: the first wins
        }
        if !column.store.push(value) {
            let store = std::mem::replace(&mut column.store, Store::Raw(Vec::new()));
            column.store = store.into_raw();
            column.store.push(value);
        }
        column.len += 1;
    }

    /// The table of every row pushed.
    ///
    /// # Errors
    ///
    /// Only when Arrow refuses the arrays it was given (a bug).
    pub(crate) fn finish(self) -> Result<(SchemaRef, RecordBatch), Error> {
        let rows = self.rows;
        let mut fields = Vec::with_capacity(self.columns.len());
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(self.columns.len());
        for column in self.columns {
            let array = column.store.finish();
            fields.push(Field::new(column.name, array.data_type().clone(), true));
            arrays.push(array);
        }
        let schema: SchemaRef = Arc::new(Schema::new(fields));
        RecordBatch::try_new_with_options(
            Arc::clone(&schema),
            arrays,
            &RecordBatchOptions::new().with_row_count(Some(rows)),
        )
        .map(|batch| (schema, batch))
        .map_err(|e| {
            invalid(
                ErrorCode::Internal,
                JsonPath::root(),
                format!("the answer table could not be built: {e}"),
            )
        })
    }
}

/// The table of `rows`, with the `planned` columns first.
///
/// # Errors
///
/// As [`TableSink::finish`].
pub(crate) fn table_from_rows(
    rows: &[&Value],
    planned: &[(String, ColumnKind)],
) -> Result<(SchemaRef, RecordBatch), Error> {
    let mut sink = TableSink::new(planned);
    for row in rows {
        sink.push(row);
    }
    sink.finish()
}

/// A `decimal128(38, s)` column at the largest scale `s` in the column, or
/// `decimal256(76, s)` when a value needs more than 38 digits there.
fn decimal_array(parsed: &[Option<(i128, u32)>]) -> Option<ArrayRef> {
    let scale = parsed.iter().flatten().map(|(_, s)| *s).max().unwrap_or(0);
    let scale_i8 = i8::try_from(scale).ok()?;
    let limit: u128 = 10_u128.pow(38);
    let rescaled: Option<Vec<Option<i128>>> = parsed
        .iter()
        .map(|cell| match cell {
            None => Some(None),
            Some((mantissa, s)) => 10_i128
                .checked_pow(scale - s)
                .and_then(|factor| mantissa.checked_mul(factor))
                .filter(|v| v.unsigned_abs() < limit)
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

fn decimal_column(cells: &[Option<&Value>]) -> Option<ArrayRef> {
    let parsed: Option<Vec<Option<(i128, u32)>>> = cells
        .iter()
        .map(|cell| match cell {
            None => Some(None),
            Some(value) => decimal_parts(value).map(Some),
        })
        .collect();
    decimal_array(&parsed?)
}
