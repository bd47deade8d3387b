//! Commission statements straight to table rows.
//!
//! The typed road ([`super::transactions`]) gets the statements themselves
//! from the core. Writing them through the whole answer as one JSON value
//! cost about a sixth of a million-row call: every statement's explanation
//! became a tree of JSON values, was flattened into a text column, and the
//! tree was dropped long after it was built. Here each statement is written
//! and dropped in turn, and its list fields (`lines` and `explanation` of a
//! statement row) go straight to the JSON text the general road writes for
//! them. The table is the general road's, cell for cell and type for type
//! (a test compares the two on every shape the binding reads).

use super::output::{ColumnKind, TableSink, select_rows};
use crate::guard::invalid;
use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use prm_core::commission::{CommissionStatement, CommissionStatements};
use prm_core::{Error, ErrorCode, JsonPath};
use serde_json::{Value, json};

/// What a statement table's rows are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rows {
    /// One row per statement (`statements`).
    Statements,
    /// One row per line (`statements[].lines`).
    Lines,
}

impl Rows {
    /// The rows `result` names, when this module writes them.
    fn at(result: &str) -> Option<Rows> {
        match result {
            "statements" => Some(Rows::Statements),
            "statements[].lines" => Some(Rows::Lines),
            _ => None,
        }
    }
}

/// True when [`statement_table`] writes the rows at `result`; another path
/// is written from the whole answer as JSON.
pub(crate) fn writes(result: &str) -> bool {
    Rows::at(result).is_some()
}

/// The table of `answer`'s rows at `result` (`statements` or
/// `statements[].lines`, see [`writes`]), with the `planned` columns first,
/// and the rest of the answer (everything but `statements`) as JSON.
///
/// # Errors
///
/// When a value cannot be written as JSON, or Arrow refuses the arrays (bugs),
/// or for a `result` this does not write.
pub(crate) fn statement_table(
    answer: CommissionStatements,
    result: &str,
    planned: &[(String, ColumnKind)],
) -> Result<(SchemaRef, RecordBatch, Value), Error> {
    let Some(rows) = Rows::at(result) else {
        return Err(invalid(
            ErrorCode::Internal,
            JsonPath::root(),
            format!("statements are not written at `{result}`"),
        ));
    };
    let CommissionStatements {
        statements,
        totals,
        outside_period,
    } = answer;
    let mut rest = serde_json::to_value(CommissionStatements {
        statements: Vec::new(),
        totals,
        outside_period,
    })
    .map_err(|e| unwritable(&e))?;
    if let Value::Object(fields) = &mut rest {
        fields.remove("statements");
    }
    let mut sink = TableSink::new(planned);
    for statement in statements {
        match rows {
            Rows::Statements => sink.push(&statement_row(statement)?),
            Rows::Lines => {
                // The general road's selection, on this statement's lines only.
                let lines = serde_json::to_value(&statement.lines).map_err(|e| unwritable(&e))?;
                let wrapped = json!({"statements": [{"lines": lines}]});
                for row in select_rows(&wrapped, "statements[].lines")? {
                    sink.push(row);
                }
            }
        }
    }
    let (schema, batch) = sink.finish()?;
    Ok((schema, batch, rest))
}

/// A statement as the row the general road writes: its fields as JSON, with
/// `lines` and `explanation` already as the JSON text a list cell becomes.
fn statement_row(mut statement: CommissionStatement) -> Result<Value, Error> {
    let lines =
        serde_json::to_string(&std::mem::take(&mut statement.lines)).map_err(|e| unwritable(&e))?;
    let explanation = serde_json::to_string(&std::mem::take(&mut statement.explanation))
        .map_err(|e| unwritable(&e))?;
    let mut row = serde_json::to_value(&statement).map_err(|e| unwritable(&e))?;
    if let Value::Object(fields) = &mut row {
        // Both keys are there already (as empty lists), so each keeps its place.
        fields.insert("lines".to_owned(), Value::String(lines));
        fields.insert("explanation".to_owned(), Value::String(explanation));
    }
    Ok(row)
}

fn unwritable(error: &serde_json::Error) -> Error {
    invalid(
        ErrorCode::Internal,
        JsonPath::root(),
        format!("the statements could not be written: {error}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::output::table_from_rows;
    use prm_core::commission::Transaction;

    /// Statements with lines, components, a refund, a cap and an explanation.
    fn answer(detail: &str) -> CommissionStatements {
        let request = json!({
            "program": {"schema_version": 1, "currency": "EUR", "commissions": {"plans": [{
                "id": "std", "period_cap": "150.00",
                "rates": [{"kind": "percent", "id": "base", "rate": "10%"}],
                "clawback_window_days": 90}]}},
            "transactions": [], "as_of": "2026-03-31", "detail": detail,
        });
        let day = |d: &str| d.parse().unwrap_or_else(|e| panic!("{e}"));
        let money = |m: &str| m.parse().unwrap_or_else(|e| panic!("{e}"));
        let transactions = [
            Transaction::sale("T1", "P1", day("2026-01-05"), money("1000.00")),
            Transaction::sale("T2", "P1", day("2026-02-05"), money("900.00")),
            Transaction::sale("T3", "P2", day("2026-02-06"), money("50.00")),
            Transaction::refund("R1", "P1", day("2026-03-01"), money("100.00"), "T1"),
        ];
        prm_core::api::commission_statements_typed_with(&request, &transactions)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn statement_rows_are_the_general_roads_rows() {
        let planned = [("totals.net".to_owned(), ColumnKind::Decimal)];
        for detail in ["lines", "totals"] {
            for result in ["statements", "statements[].lines"] {
                let statements = answer(detail);
                let whole = serde_json::to_value(&statements).unwrap_or_else(|e| panic!("{e}"));
                let rows = select_rows(&whole, result).unwrap_or_else(|e| panic!("{e}"));
                let (schema, batch) =
                    table_from_rows(&rows, &planned).unwrap_or_else(|e| panic!("{e}"));
                let (typed_schema, typed_batch, rest) =
                    statement_table(statements, result, &planned).unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(typed_schema, schema, "{detail} {result}");
                assert_eq!(typed_batch, batch, "{detail} {result}");
                let mut want = whole.clone();
                if let Value::Object(fields) = &mut want {
                    fields.remove("statements");
                }
                assert_eq!(rest, want);
                // Totals only: no line is kept, so the table of lines is empty.
                let empty = detail == "totals" && result != "statements";
                assert_eq!(batch.num_rows() == 0, empty, "{detail} {result}");
            }
        }
    }

    #[test]
    fn other_rows_are_left_to_the_general_road() {
        assert!(writes("statements"));
        assert!(writes("statements[].lines"));
        assert!(!writes("statements[].explanation"));
        assert!(statement_table(answer("totals"), "totals", &[]).is_err());
    }
}
