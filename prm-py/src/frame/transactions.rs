//! Arrow columns straight to commission transactions.
//!
//! `commission.statements` over a table is the batch call that meets the
//! largest tables (a million transactions is an ordinary quarter), and
//! building a JSON object per row, only for the core to read it back into a
//! [`Transaction`], cost more than the statements themselves. So the columns
//! a transaction table usually has are read here cell by cell
//! ([`TransactionTable`]) and the operation runs on them unchanged
//! ([`statements`]): a table in stream order goes to the run a chunk of
//! transactions at a time ([`prm_core::api::commission_statements_in_chunks`],
//! the rows' keys lent from the columns), any other order is built whole and
//! sorted by the core ([`prm_core::api::commission_statements_typed_with`]).
//!
//! This is only a faster road to the same request. A table it does not
//! cover entirely, a column it does not know (`splits`, a dotted name), a
//! type it does not read (a float, a dictionary), or a cell it cannot convert
//! exactly (a null id, an unknown kind, a decimal beyond 28 places), makes
//! [`statements`] answer `None`, and the caller takes the JSON road, which
//! reports every problem with its path as before. Validation is never done here.

use super::input::{EPOCH_DAYS_FROM_CE, InputSpec};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Decimal128Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use arrow_array::{
    Array, ArrayRef, Date32Array, Decimal128Array, LargeStringArray, RecordBatch, StringArray,
    StringViewArray,
};
use arrow_buffer::NullBuffer;
use arrow_schema::DataType;
use chrono::{Datelike, NaiveDate};
use prm_core::Error;
use prm_core::calendar::Date;
use prm_core::commission::{CommissionStatements, Transaction, TransactionKey, TransactionKind};
use prm_core::money::Decimal;
use serde_json::Value;

/// The kinds a cell may name; another text takes the JSON road.
const KINDS: [TransactionKind; 3] = [
    TransactionKind::Sale,
    TransactionKind::Refund,
    TransactionKind::Cancellation,
];

/// Every row of `batches` as a [`Transaction`], or `None` when any column or
/// cell is outside what this reader converts exactly.
#[cfg(test)]
pub(crate) fn read(batches: &[RecordBatch], spec: &InputSpec) -> Option<Vec<Transaction>> {
    TransactionTable::new(batches, spec)?.read_all()
}

/// Which way a table's transactions went to the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Road {
    /// In stream order, a chunk at a time.
    Chunks,
    /// Built whole and sorted by the core.
    Whole,
}

/// `commission.statements` for `request` (whose `transactions` is empty) on
/// the rows of `table`, and the road they took; `None` when a cell cannot be
/// converted exactly, for the JSON road to read the table and report every
/// problem, the request's and the rows', with their paths.
///
/// # Errors
///
/// As `commission.statements`, when every row converts.
pub(crate) fn statements(
    table: &TransactionTable<'_>,
    request: &Value,
) -> Result<Option<(CommissionStatements, Road)>, Error> {
    let answer = (|| {
        if let Some(keys) = table.keys() {
            let mut fill = |start: usize, chunk: &mut [Transaction]| table.fill(start, chunk);
            let chunked =
                prm_core::api::commission_statements_in_chunks(request, &keys, &mut fill)?;
            if let Some(statements) = chunked {
                return Ok(Some((statements, Road::Chunks)));
            }
        }
        match table.read_all() {
            Some(transactions) => {
                prm_core::api::commission_statements_typed_with(request, &transactions)
                    .map(|statements| Some((statements, Road::Whole)))
            }
            None => Ok(None),
        }
    })();
    match answer {
        // The request's problems, found before every row was converted: with
        // a row that does not convert, the JSON road reports both.
        Err(_) if !table.converts() => Ok(None),
        answer => answer,
    }
}

/// A transaction table's columns, batch by batch, read a row at a time.
pub(crate) struct TransactionTable<'a> {
    /// Each batch's columns and number of rows.
    batches: Vec<(Vec<Column<'a>>, usize)>,
    /// The position of each batch's first row in the table.
    starts: Vec<usize>,
    rows: usize,
}

impl<'a> TransactionTable<'a> {
    /// The table of `batches`, or `None` when a column is outside what this
    /// reader converts (an unknown or dotted name, a type it does not read),
    /// a required column is missing, or two columns fill one field.
    pub(crate) fn new(
        batches: &'a [RecordBatch],
        spec: &InputSpec,
    ) -> Option<TransactionTable<'a>> {
        let mut table = TransactionTable {
            batches: Vec::with_capacity(batches.len()),
            starts: Vec::with_capacity(batches.len()),
            rows: 0,
        };
        for batch in batches {
            let schema = batch.schema_ref();
            let mut columns = Vec::with_capacity(batch.num_columns());
            for (field, array) in schema.fields().iter().zip(batch.columns()) {
                columns.push(Column::new(spec.column_name(field.name()), array)?);
            }
            let fills = |field: Field| columns.iter().filter(|c| c.field == field).count();
            let required = [Field::Id, Field::PartnerId, Field::Date, Field::Amount];
            // A missing required column, or two columns filling one field: the JSON road says what is wrong.
            if required.into_iter().any(|f| fills(f) == 0)
                || columns.iter().any(|c| fills(c.field) > 1)
            {
                return None;
            }
            table.batches.push((columns, batch.num_rows()));
            table.starts.push(table.rows);
            table.rows += batch.num_rows();
        }
        Some(table)
    }

    /// Every row's [`TransactionKey`], read from the cells without building
    /// anything; `None` when one of those cells cannot be converted exactly
    /// (the rows [`TransactionTable::fill`] would refuse too).
    pub(crate) fn keys(&self) -> Option<Vec<TransactionKey<'a>>> {
        let mut keys = Vec::with_capacity(self.rows);
        for (columns, rows) in &self.batches {
            let find = |field: Field| columns.iter().find(|c| c.field == field);
            let (id, date) = (find(Field::Id)?, find(Field::Date)?);
            let (kind, original) = (find(Field::Kind), find(Field::OriginalId));
            for i in 0..*rows {
                if !id.is_set(i) || !date.is_set(i) {
                    return None;
                }
                keys.push(TransactionKey {
                    id: id.text(i)?,
                    date: date.date(i)?,
                    kind: match kind.filter(|k| k.is_set(i)) {
                        Some(k) => k.kind(i)?,
                        None => TransactionKind::Sale,
                    },
                    original_id: match original.filter(|o| o.is_set(i)) {
                        Some(o) => Some(o.text(i)?),
                        None => None,
                    },
                });
            }
        }
        Some(keys)
    }

    /// Overwrites `chunk` with the rows from `start` on, keeping the
    /// allocations of the strings it held; `false` when a cell cannot be
    /// converted exactly.
    pub(crate) fn fill(&self, start: usize, chunk: &mut [Transaction]) -> bool {
        let mut batch = self
            .starts
            .partition_point(|s| *s <= start)
            .saturating_sub(1);
        for (row, tx) in (start..).zip(chunk.iter_mut()) {
            while self.starts.get(batch + 1).is_some_and(|next| *next <= row) {
                batch += 1;
            }
            let (Some((columns, _)), Some(first)) =
                (self.batches.get(batch), self.starts.get(batch))
            else {
                return false;
            };
            if fill_row(columns, row - first, tx).is_none() {
                return false;
            }
        }
        true
    }

    /// True when every cell converts exactly.
    pub(crate) fn converts(&self) -> bool {
        let mut scratch = blank();
        self.batches
            .iter()
            .all(|(columns, rows)| (0..*rows).all(|i| fill_row(columns, i, &mut scratch).is_some()))
    }

    /// Every row as a [`Transaction`], or `None` when a cell cannot be
    /// converted exactly.
    pub(crate) fn read_all(&self) -> Option<Vec<Transaction>> {
        let mut out = Vec::with_capacity(self.rows);
        for (columns, rows) in &self.batches {
            for i in 0..*rows {
                let mut tx = blank();
                fill_row(columns, i, &mut tx)?;
                out.push(tx);
            }
        }
        Some(out)
    }
}

/// Overwrites `tx` with row `i` of `columns`, reusing its strings' buffers.
fn fill_row(columns: &[Column<'_>], i: usize, tx: &mut Transaction) -> Option<()> {
    let mut spare = std::mem::replace(tx, blank());
    for column in columns {
        column.fill(i, tx, &mut spare)?;
    }
    Some(())
}

/// `text` in `buffer`'s allocation.
fn reuse(mut buffer: String, text: &str) -> String {
    buffer.clear();
    buffer.push_str(text);
    buffer
}

/// A transaction with every optional field empty; the columns fill it.
fn blank() -> Transaction {
    Transaction::sale("", "", Date::from(NaiveDate::MIN), Decimal::ZERO)
}

/// The transaction field a column fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Id,
    PartnerId,
    Date,
    Kind,
    Amount,
    Cost,
    Quantity,
    ProductId,
    Category,
    CustomerId,
    ContractYear,
    ContractStart,
    PaidOn,
    DealRegistrationId,
    OriginalId,
}

impl Field {
    fn named(name: &str) -> Option<Field> {
        Some(match name {
            "id" => Field::Id,
            "partner_id" => Field::PartnerId,
            "date" => Field::Date,
            "kind" => Field::Kind,
            "amount" => Field::Amount,
            "cost" => Field::Cost,
            "quantity" => Field::Quantity,
            "product_id" => Field::ProductId,
            "category" => Field::Category,
            "customer_id" => Field::CustomerId,
            "contract_year" => Field::ContractYear,
            "contract_start" => Field::ContractStart,
            "paid_on" => Field::PaidOn,
            "deal_registration_id" => Field::DealRegistrationId,
            "original_id" => Field::OriginalId,
            _ => return None,
        })
    }

    /// Whether a null cell would leave a field the request requires missing.
    fn required(self) -> bool {
        matches!(
            self,
            Field::Id | Field::PartnerId | Field::Date | Field::Amount
        )
    }
}

/// One column, with the reader its Arrow type calls for.
struct Column<'a> {
    field: Field,
    len: usize,
    /// The column's validity, read once (`None`: no nulls).
    nulls: Option<&'a NullBuffer>,
    cells: Cells<'a>,
}

/// A column's cells, downcast once to their Arrow type so a cell is read
/// without a dynamic type check per row (except `contract_year`, whose
/// integer width is matched per cell: a rare column).
#[derive(Clone, Copy)]
enum Cells<'a> {
    Utf8(&'a StringArray),
    LargeUtf8(&'a LargeStringArray),
    View(&'a StringViewArray),
    Date32(&'a Date32Array),
    Decimal128(&'a Decimal128Array, u32),
    Int(&'a ArrayRef),
}

impl<'a> Column<'a> {
    fn new(name: &str, array: &'a ArrayRef) -> Option<Column<'a>> {
        let field = Field::named(name)?;
        let cells = match (field, array.data_type()) {
            (Field::Date | Field::ContractStart | Field::PaidOn, DataType::Date32) => {
                Cells::Date32(array.as_primitive_opt::<Date32Type>()?)
            }
            (Field::Amount | Field::Cost | Field::Quantity, DataType::Decimal128(_, scale)) => {
                Cells::Decimal128(
                    array.as_primitive_opt::<Decimal128Type>()?,
                    u32::try_from(*scale).ok().filter(|s| *s <= 28)?,
                )
            }
            (
                Field::ContractYear,
                DataType::Int8
                | DataType::Int16
                | DataType::Int32
                | DataType::Int64
                | DataType::UInt8
                | DataType::UInt16
                | DataType::UInt32
                | DataType::UInt64,
            ) => Cells::Int(array),
            (
                Field::Date
                | Field::ContractStart
                | Field::PaidOn
                | Field::Amount
                | Field::Cost
                | Field::Quantity
                | Field::ContractYear,
                _,
            ) => return None,
            (_, DataType::Utf8) => Cells::Utf8(array.as_string_opt::<i32>()?),
            (_, DataType::LargeUtf8) => Cells::LargeUtf8(array.as_string_opt::<i64>()?),
            (_, DataType::Utf8View) => Cells::View(array.as_string_view_opt()?),
            _ => return None,
        };
        Some(Column {
            field,
            len: array.len(),
            nulls: array.nulls(),
            cells,
        })
    }

    fn is_set(&self, i: usize) -> bool {
        i < self.len && self.nulls.is_none_or(|n| n.is_valid(i))
    }

    fn text(&self, i: usize) -> Option<&'a str> {
        match self.cells {
            Cells::Utf8(a) => Some(a.value(i)),
            Cells::LargeUtf8(a) => Some(a.value(i)),
            Cells::View(a) => Some(a.value(i)),
            _ => None,
        }
    }

    fn date(&self, i: usize) -> Option<Date> {
        let Cells::Date32(a) = self.cells else {
            return None;
        };
        let date = a
            .value(i)
            .checked_add(EPOCH_DAYS_FROM_CE)
            .and_then(NaiveDate::from_num_days_from_ce_opt)?;
        // Dates the JSON road would write as text and read back; others take it.
        (1..=9999).contains(&date.year()).then(|| Date::from(date))
    }

    fn decimal(&self, i: usize) -> Option<Decimal> {
        let Cells::Decimal128(a, scale) = self.cells else {
            return None;
        };
        rust_decimal::Decimal::try_from_i128_with_scale(a.value(i), scale)
            .ok()
            .map(Decimal::from)
    }

    fn integer(&self, i: usize) -> Option<u32> {
        let Cells::Int(a) = self.cells else {
            return None;
        };
        let wide: i128 = match a.data_type() {
            DataType::Int8 => a.as_primitive_opt::<Int8Type>()?.value(i).into(),
            DataType::Int16 => a.as_primitive_opt::<Int16Type>()?.value(i).into(),
            DataType::Int32 => a.as_primitive_opt::<Int32Type>()?.value(i).into(),
            DataType::Int64 => a.as_primitive_opt::<Int64Type>()?.value(i).into(),
            DataType::UInt8 => a.as_primitive_opt::<UInt8Type>()?.value(i).into(),
            DataType::UInt16 => a.as_primitive_opt::<UInt16Type>()?.value(i).into(),
            DataType::UInt32 => a.as_primitive_opt::<UInt32Type>()?.value(i).into(),
            DataType::UInt64 => a.as_primitive_opt::<UInt64Type>()?.value(i).into(),
            _ => return None,
        };
        u32::try_from(wide).ok()
    }

    fn kind(&self, i: usize) -> Option<TransactionKind> {
        let name = self.text(i)?;
        KINDS.into_iter().find(|k| k.as_str() == name)
    }

    /// Writes cell `i` into `tx` (a blank transaction), in the buffers of
    /// `spare`'s strings where it has them; `None` when the cell cannot be
    /// converted exactly.
    fn fill(&self, i: usize, tx: &mut Transaction, spare: &mut Transaction) -> Option<()> {
        if !self.is_set(i) {
            // A null cell is an absent field, as on the JSON road.
            return if self.field.required() {
                None
            } else {
                Some(())
            };
        }
        let text = |buffer: Option<String>| Some(reuse(buffer.unwrap_or_default(), self.text(i)?));
        match self.field {
            Field::Id => tx.id = text(Some(std::mem::take(&mut spare.id)))?,
            Field::PartnerId => tx.partner_id = text(Some(std::mem::take(&mut spare.partner_id)))?,
            Field::Date => tx.date = self.date(i)?,
            Field::Kind => tx.kind = self.kind(i)?,
            Field::Amount => tx.amount = self.decimal(i)?,
            Field::Cost => tx.cost = Some(self.decimal(i)?),
            Field::Quantity => tx.quantity = Some(self.decimal(i)?),
            Field::ProductId => tx.product_id = Some(text(spare.product_id.take())?),
            Field::Category => tx.category = Some(text(spare.category.take())?),
            Field::CustomerId => tx.customer_id = Some(text(spare.customer_id.take())?),
            Field::ContractYear => tx.contract_year = Some(self.integer(i)?),
            Field::ContractStart => tx.contract_start = Some(self.date(i)?),
            Field::PaidOn => tx.paid_on = Some(self.date(i)?),
            Field::DealRegistrationId => {
                tx.deal_registration_id = Some(text(spare.deal_registration_id.take())?);
            }
            Field::OriginalId => tx.original_id = Some(text(spare.original_id.take())?),
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::{Road, TransactionTable, read, statements};
    use crate::frame::InputSpec;
    use arrow_array::{
        ArrayRef, Date32Array, Decimal128Array, Float64Array, RecordBatch, StringArray,
    };
    use prm_core::JsonPath;
    use prm_core::commission::{Transaction, TransactionKey, TransactionKind};
    use std::sync::Arc;

    fn spec() -> InputSpec {
        InputSpec {
            rename: Default::default(),
            formats: Default::default(),
            rows_path: JsonPath::from_text("$.transactions[*]"),
        }
    }

    fn batch(columns: Vec<(&str, ArrayRef)>) -> RecordBatch {
        RecordBatch::try_from_iter(columns).unwrap()
    }

    fn base(amount: ArrayRef) -> Vec<(&'static str, ArrayRef)> {
        vec![
            (
                "id",
                Arc::new(StringArray::from(vec!["T1", "T2"])) as ArrayRef,
            ),
            ("partner_id", Arc::new(StringArray::from(vec!["P1", "P2"]))),
            // 2026-01-05 and 2026-01-06, in days since 1970-01-01
            ("date", Arc::new(Date32Array::from(vec![20_458, 20_459]))),
            ("amount", amount),
        ]
    }

    fn cents(values: Vec<i128>) -> ArrayRef {
        Arc::new(
            Decimal128Array::from(values)
                .with_precision_and_scale(18, 2)
                .unwrap(),
        )
    }

    #[test]
    fn a_plain_transaction_table_becomes_transactions() {
        let read = read(&[batch(base(cents(vec![100_000, 25_050])))], &spec()).unwrap();
        let day = |d: &str| d.parse().unwrap();
        assert_eq!(
            read,
            [
                Transaction::sale("T1", "P1", day("2026-01-05"), "1000.00".parse().unwrap()),
                Transaction::sale("T2", "P2", day("2026-01-06"), "250.50".parse().unwrap()),
            ]
        );
    }

    #[test]
    fn what_the_reader_does_not_cover_is_left_to_the_json_road() {
        let floats: ArrayRef = Arc::new(Float64Array::from(vec![1.0, 2.0]));
        assert_eq!(read(&[batch(base(floats))], &spec()), None);

        let mut unknown = base(cents(vec![1, 2]));
        unknown.push(("splits", Arc::new(StringArray::from(vec!["x", "y"]))));
        assert_eq!(read(&[batch(unknown)], &spec()), None);

        let mut kinds = base(cents(vec![1, 2]));
        kinds.push(("kind", Arc::new(StringArray::from(vec!["sale", "rebate"]))));
        assert_eq!(read(&[batch(kinds)], &spec()), None);

        let mut null_id = base(cents(vec![1, 2]));
        null_id[0] = ("id", Arc::new(StringArray::from(vec![Some("T1"), None])));
        assert_eq!(read(&[batch(null_id)], &spec()), None);
    }

    /// Three batches (one empty) of sales and refunds, with optional cells
    /// set in some rows and null in others.
    fn batches() -> Vec<RecordBatch> {
        let part = |ids: Vec<&str>,
                    kinds: Vec<Option<&str>>,
                    originals: Vec<Option<&str>>,
                    products: Vec<Option<&str>>| {
            let n = ids.len();
            let first = 20_458 + i32::try_from(ids.first().map_or(0, |id| id.len())).unwrap();
            batch(vec![
                ("id", Arc::new(StringArray::from(ids)) as ArrayRef),
                ("partner_id", Arc::new(StringArray::from(vec!["P1"; n]))),
                ("date", Arc::new(Date32Array::from(vec![first; n]))),
                ("kind", Arc::new(StringArray::from(kinds))),
                ("amount", cents(vec![1_000; n])),
                ("original_id", Arc::new(StringArray::from(originals))),
                ("product_id", Arc::new(StringArray::from(products))),
            ])
        };
        vec![
            part(
                vec!["T1", "T2", "T3"],
                vec![None, Some("sale"), Some("sale")],
                vec![None, None, None],
                vec![Some("license-a-long-name"), None, Some("b")],
            ),
            part(vec![], vec![], vec![], vec![]),
            part(
                vec!["T40", "T41", "T42", "R1"],
                vec![Some("sale"), None, Some("sale"), Some("refund")],
                vec![None, None, None, Some("T1")],
                vec![None, Some("support"), None, Some("license-a")],
            ),
        ]
    }

    #[test]
    fn keys_are_the_keys_of_the_rows() {
        let batches = batches();
        let table = TransactionTable::new(&batches, &spec()).unwrap();
        let rows = table.read_all().unwrap();
        assert_eq!(rows.len(), 7);
        let want: Vec<TransactionKey> = rows.iter().map(TransactionKey::of).collect();
        assert_eq!(table.keys().unwrap(), want);
        assert_eq!(want[6].original_id, Some("T1"));
        assert_eq!(want[6].kind, TransactionKind::Refund);
        assert_eq!(want[0].kind, TransactionKind::Sale);
    }

    #[test]
    fn chunks_are_the_rows_whatever_their_size_and_reuse_strings() {
        let batches = batches();
        let table = TransactionTable::new(&batches, &spec()).unwrap();
        let rows = table.read_all().unwrap();
        for size in 1..=8 {
            // The chunk starts full of other transactions' strings, as a reused one is.
            let mut chunk: Vec<Transaction> = rows.iter().rev().take(size).cloned().collect();
            chunk.resize_with(size, || rows[0].clone());
            let mut start = 0;
            while start < rows.len() {
                let len = size.min(rows.len() - start);
                assert!(table.fill(start, &mut chunk[..len]));
                assert_eq!(
                    chunk[..len],
                    rows[start..start + len],
                    "size {size} at {start}"
                );
                start += len;
            }
        }
    }

    fn request(plan: &str) -> serde_json::Value {
        serde_json::json!({
            "program": {"schema_version": 1, "currency": "EUR", "commissions": {"plans": [
                {"id": "std", "rates": [{"kind": "percent", "id": "base", "rate": "10%"}]}]}},
            "transactions": [], "as_of": "2026-03-31", "plan": plan,
        })
    }

    /// Two sales, in stream order or not, the second amount null or not.
    fn two_sales(ordered: bool, null_amount: bool) -> RecordBatch {
        let second = (!null_amount).then_some(25_050);
        let (ids, partners, days, amounts) = if ordered {
            (
                ["T1", "T2"],
                ["P1", "P2"],
                [20_458, 20_459],
                [Some(100_000), second],
            )
        } else {
            (
                ["T2", "T1"],
                ["P2", "P1"],
                [20_459, 20_458],
                [second, Some(100_000)],
            )
        };
        let amount = Decimal128Array::from(amounts.to_vec())
            .with_precision_and_scale(18, 2)
            .unwrap();
        batch(vec![
            ("id", Arc::new(StringArray::from(ids.to_vec())) as ArrayRef),
            ("partner_id", Arc::new(StringArray::from(partners.to_vec()))),
            ("date", Arc::new(Date32Array::from(days.to_vec()))),
            ("amount", Arc::new(amount)),
        ])
    }

    #[test]
    fn a_table_in_stream_order_goes_in_chunks_another_whole() {
        let mut answers = Vec::new();
        for (ordered, road) in [(true, Road::Chunks), (false, Road::Whole)] {
            let batches = [two_sales(ordered, false)];
            let table = TransactionTable::new(&batches, &spec()).unwrap();
            let (answer, taken) = statements(&table, &request("std")).unwrap().unwrap();
            assert_eq!(taken, road);
            answers.push(answer);
        }
        assert_eq!(answers[0], answers[1]);
        assert_eq!(answers[0].totals.net.to_string(), "125.05");
    }

    #[test]
    fn the_request_and_the_rows_are_reported_together() {
        // An unknown plan: with every row converted, the core reports it
        // (on either road); with a row the reader cannot convert (a null
        // amount), the JSON road must read the table and report both.
        for ordered in [true, false] {
            let clean = [two_sales(ordered, false)];
            let table = TransactionTable::new(&clean, &spec()).unwrap();
            assert!(table.converts());
            assert!(statements(&table, &request("nope")).is_err());
            let faulty = [two_sales(ordered, true)];
            let table = TransactionTable::new(&faulty, &spec()).unwrap();
            assert!(!table.converts());
            assert!(matches!(statements(&table, &request("nope")), Ok(None)));
            assert!(matches!(statements(&table, &request("std")), Ok(None)));
        }
    }

    #[test]
    fn a_cell_that_cannot_be_read_stops_keys_and_chunks() {
        let mut kinds = base(cents(vec![1, 2]));
        kinds.push(("kind", Arc::new(StringArray::from(vec!["sale", "rebate"]))));
        let batches = [batch(kinds)];
        let table = TransactionTable::new(&batches, &spec()).unwrap();
        assert!(table.keys().is_none());
        let mut chunk = vec![
            Transaction::sale(
                "x",
                "y",
                "2026-01-01".parse().unwrap(),
                "1".parse().unwrap()
            );
            2
        ];
        assert!(table.fill(0, &mut chunk[..1]));
        assert!(!table.fill(0, &mut chunk));
        assert!(table.read_all().is_none());
    }
}
