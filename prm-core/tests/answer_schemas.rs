//! Keeps the answer schemas honest: every `ok` answer the conformance corpus
//! produces must validate against its operation's response schema, and no
//! operation may answer with the "any value" schema.
//!
//! The bindings read the response schemas to convert answers (Python turns
//! `"format": "decimal"` strings into `decimal.Decimal`, Node types its
//! answers from them), so a schema that drifts from the answers would turn
//! into wrong types in every language. The check is stricter than the
//! published schemas: every object that lists its properties is validated
//! with `unevaluatedProperties: false`, so a field the answer has and the
//! schema forgets is reported too. The published schemas stay open, so a
//! field added later does not break an older binding.

use serde_json::{Map, Value};

mod corpus;

/// `schema` with `unevaluatedProperties: false` on every object schema that
/// lists its properties and leaves the rest open. The variants of a
/// flattened enum (`oneOf` beside `properties`) are left open: the object
/// that holds them closes over their properties and its own.
fn closed(schema: &Value, part_of_parent: bool) -> Value {
    match schema {
        Value::Object(fields) => {
            let has_properties = fields.contains_key("properties");
            let mut out = Map::new();
            for (key, value) in fields {
                let composite = matches!(key.as_str(), "oneOf" | "anyOf" | "allOf");
                let value = match value {
                    Value::Array(items) if composite => Value::Array(
                        items
                            .iter()
                            .map(|item| closed(item, has_properties))
                            .collect(),
                    ),
                    other => closed(other, false),
                };
                out.insert(key.clone(), value);
            }
            if has_properties
                && !part_of_parent
                && !fields.contains_key("additionalProperties")
                && !fields.contains_key("unevaluatedProperties")
            {
                out.insert("unevaluatedProperties".to_owned(), Value::Bool(false));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|i| closed(i, false)).collect()),
        other => other.clone(),
    }
}

/// The strict validator of `op`'s answers.
fn validator(op: &str) -> Result<jsonschema::Validator, String> {
    let schema = prm_core::api::response_schema(op).ok_or("no response schema")?;
    jsonschema::options()
        .should_validate_formats(true)
        .should_ignore_unknown_formats(true)
        .build(&closed(&schema, false))
        .map_err(|e| format!("response schema does not compile: {e}"))
}

/// Every place `answer` departs from `op`'s response schema.
fn schema_errors(op: &str, answer: &Value) -> Vec<String> {
    match validator(op) {
        Ok(validator) => validator
            .iter_errors(answer)
            .map(|e| format!("{} {}: {e}", e.instance_path(), e.schema_path()))
            .collect(),
        Err(e) => vec![e],
    }
}

/// The `ok` answer of a corpus case, or `None` for a case that expects an error
/// or whose request is not JSON.
fn ok_answer(case: &Value) -> Option<(String, Value)> {
    let op = case.get("op")?.as_str()?.to_owned();
    let request = match (case.get("input_text"), case.get("input")) {
        (Some(Value::String(raw)), _) => serde_json::from_str(raw).ok()?,
        (_, Some(input)) => input.clone(),
        _ => return None,
    };
    case.get("expect")?;
    let answer = prm_core::api::call_value(&op, &request).ok()?;
    Some((op, answer))
}

#[test]
fn every_ok_answer_of_the_corpus_matches_its_schema() {
    let files = corpus::case_files();
    let mut checked = 0;
    let mut failures = Vec::new();
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let Ok(case) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        let Some((op, answer)) = ok_answer(&case) else {
            continue;
        };
        checked += 1;
        for error in schema_errors(&op, &answer) {
            failures.push(format!("{} ({op}): {error}", file.display()));
        }
    }
    assert!(checked >= 50, "only {checked} ok answers checked");
    assert!(
        failures.is_empty(),
        "{} schema violations in {checked} answers:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A schema that says nothing about the value: `true`, `{}`, or only annotations.
fn is_any_value(schema: &Value) -> bool {
    match schema {
        Value::Bool(b) => *b,
        Value::Object(fields) => fields.keys().all(|key| {
            matches!(
                key.as_str(),
                "$schema" | "title" | "description" | "$defs" | "$comment"
            )
        }),
        _ => false,
    }
}

#[test]
fn no_operation_answers_with_the_any_value_schema() {
    let untyped: Vec<&str> = prm_core::api::operations()
        .into_iter()
        .filter(|op| prm_core::api::response_schema(op).is_none_or(|s| is_any_value(&s)))
        .collect();
    assert!(untyped.is_empty(), "untyped answers: {untyped:?}");
}

#[test]
fn the_strict_check_catches_an_undeclared_field() {
    let answer = serde_json::json!({"version": "0.1.0", "schema_version": 1, "surprise": true});
    assert!(!schema_errors("version", &answer).is_empty());
    let answer = serde_json::json!({"version": 1});
    assert!(!schema_errors("version", &answer).is_empty());
}

#[test]
fn any_value_detection() {
    assert!(is_any_value(&serde_json::json!(true)));
    assert!(is_any_value(
        &serde_json::json!({"$schema": "x", "title": "AnyValue"})
    ));
    assert!(!is_any_value(&serde_json::json!({"type": "object"})));
}

/// The calls of the `quarter` demo: the sample program and quarter through
/// `program.validate`, `tiers.evaluate` and the MDF ledger (allocation
/// preview, the quarter's commands with their refusals, report, balances).
#[test]
fn the_quarter_demo_answers_match_their_schemas() {
    use prm_core::sample;
    use serde_json::json;
    let quarter = sample::quarter();
    let doc = quarter.program.clone();
    let mdf = sample::mdf(&quarter);
    let partners = mdf
        .commands
        .first()
        .and_then(|c| c.get("partners"))
        .cloned()
        .unwrap_or_default();
    let facts = sample::tier_facts(&quarter);
    let mut calls = vec![
        ("program.validate", json!({"program": doc})),
        (
            "tiers.evaluate",
            json!({"program": doc, "as_of": sample::as_of(), "partners": facts}),
        ),
        (
            "mdf.allocate",
            json!({"program": doc, "fund": "coop", "period": "2026-Q1", "partners": partners}),
        ),
    ];
    let applied = prm_core::api::call_value(
        "mdf.apply",
        &json!({"program": doc, "events": [], "commands": mdf.commands}),
    )
    .unwrap();
    let events = applied.get("events").cloned().unwrap_or_default();
    calls.push((
        "mdf.report",
        json!({"program": doc, "events": events, "as_of": "2026-03-31", "fund": "coop",
               "period": "2026-Q1"}),
    ));
    calls.push((
        "mdf.balance",
        json!({"program": doc, "events": events, "as_of": "2026-05-01", "fund": "coop"}),
    ));
    let mut failures: Vec<String> = schema_errors("mdf.apply", &applied);
    for (op, request) in &calls {
        let answer = prm_core::api::call_value(op, request).unwrap();
        failures.extend(
            schema_errors(op, &answer)
                .into_iter()
                .map(|e| format!("{op}: {e}")),
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
