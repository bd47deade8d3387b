//! Tables in, tables out: Arrow record batches to prm's JSON rows and back.
//!
//! A table arrives through the Arrow PyCapsule interface (`__arrow_c_stream__`,
//! which pandas, polars and pyarrow all offer) and is read ([`input`]) into
//! the JSON objects an operation expects; the rows of the answer are written
//! back ([`output`]) as Arrow arrays: decimals as `decimal128` (at the largest
//! scale in the column, so no digit is lost), dates as `date32`, instants as
//! UTC microsecond timestamps. No cell ever becomes a Python object, and all
//! of it runs with the GIL released.
//!
//! Column names may be dotted to nest (`metrics.revenue` fills
//! `{"metrics": {"revenue": ...}}`), and nested answer objects come back as
//! dotted columns (`totals.net`), so the two directions mirror each other.

mod input;
mod output;
pub(crate) mod statements;
pub(crate) mod transactions;

pub(crate) use input::{InputSpec, for_each_row, rows_from_batches};
pub(crate) use output::{ColumnKind, TableSink, select_rows, table_from_rows};

#[cfg(test)]
mod tests {
    use super::input::decimal_text;
    use super::output::{ColumnKind, TableSink, select_rows};
    use arrow_array::Array;
    use arrow_schema::DataType;
    use serde_json::json;

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
    fn decimal128_text_matches_decimal_text() {
        for &(unscaled, scale) in &[
            (0_i128, 2_i8),
            (-5, 2),
            (125, 0),
            (i128::MAX, 10),
            (i128::MIN + 1, 38),
            (7, -3),
        ] {
            assert_eq!(
                super::input::decimal128_text(unscaled, scale),
                decimal_text(&unscaled.to_string(), scale)
            );
        }
    }

    #[test]
    fn select_rows_spreads_nested_lists() {
        let answer = json!({"statements": [
            {"partner_id": "P1", "lines": [{"id": 1}, {"id": 2}]},
            {"partner_id": "P2", "lines": [{"id": 3}]},
        ]});
        assert_eq!(
            select_rows(&answer, "statements[].lines").map(|r| r.len()),
            Ok(3)
        );
        assert_eq!(select_rows(&answer, "statements").map(|r| r.len()), Ok(2));
        assert_eq!(select_rows(&answer, "missing").map(|r| r.len()), Ok(0));
    }

    #[test]
    fn sink_types_planned_columns_and_flattens_the_rest() {
        let mut sink = TableSink::new(&[("totals.net".to_owned(), ColumnKind::Decimal)]);
        sink.push(&json!({"partner_id": "P1", "totals": {"net": "12.5", "lines": 2}}));
        sink.push(&json!({"partner_id": "P2", "totals": {"net": "0.0000000000000000000000000001"}, "note": null}));
        sink.push(&json!({"partner_id": "P3", "totals": null, "tags": ["a"]}));
        let (schema, batch) = match sink.finish() {
            Ok(done) => done,
            Err(error) => panic!("{error}"),
        };
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names, ["totals.net", "partner_id", "totals.lines", "tags"]);
        assert_eq!(schema.field(0).data_type(), &DataType::Decimal128(38, 28));
        assert_eq!(schema.field(2).data_type(), &DataType::Int64);
        assert_eq!(batch.num_rows(), 3);
        assert_eq!(batch.column(0).null_count(), 1);
        assert_eq!(batch.column(3).null_count(), 2);
    }

    #[test]
    fn a_value_that_does_not_fit_its_planned_type_keeps_the_column_as_text() {
        let mut sink = TableSink::new(&[("day".to_owned(), ColumnKind::Date)]);
        sink.push(&json!({"day": "2026-03-31"}));
        sink.push(&json!({"day": "soon"}));
        let (schema, _) = match sink.finish() {
            Ok(done) => done,
            Err(error) => panic!("{error}"),
        };
        assert_eq!(schema.field(0).data_type(), &DataType::Utf8);
    }
}
