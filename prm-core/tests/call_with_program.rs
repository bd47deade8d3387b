//! `api::call_with_program` answers exactly as `api::call_value` with the
//! program embedded in the request: checked on every corpus case whose
//! program is valid, ok answers and error answers alike.

use prm_core::{Program, api};
use serde_json::Value;
use std::collections::BTreeSet;

mod corpus;

fn answer(result: Result<Value, prm_core::Error>) -> Value {
    api::answer(result)
}

#[test]
fn call_with_program_answers_as_call_value_on_the_corpus() {
    let files = corpus::case_files();
    let mut compared = 0;
    let mut ops = BTreeSet::new();
    let mut failures = Vec::new();
    for file in &files {
        let case: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let (Some(op), Some(Value::Object(input))) =
            (case.get("op").and_then(Value::as_str), case.get("input"))
        else {
            continue;
        };
        let Some(document) = input.get("program") else {
            continue;
        };
        if op == "program.validate" {
            continue;
        }
        let Ok(program) = Program::from_value(document) else {
            continue;
        };
        let mut without = input.clone();
        without.remove("program");
        let embedded = answer(api::call_value(op, &Value::Object(input.clone())));
        let given = answer(api::call_with_program(
            op,
            &program,
            &Value::Object(without),
        ));
        compared += 1;
        ops.insert(op.to_owned());
        if embedded != given {
            failures.push(format!(
                "{}: call_value {embedded}\n  call_with_program {given}",
                file.display()
            ));
        }
    }
    assert!(compared >= 100, "only {compared} cases compared");
    assert!(
        ops.len() >= 20,
        "only {} operations compared: {ops:?}",
        ops.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

const PROGRAM: &str = r#"{"schema_version": 1, "currency": "EUR"}"#;

#[test]
fn a_program_given_twice_is_refused() {
    let request = serde_json::json!({
        "program": {"schema_version": 1, "currency": "EUR"},
        "as_of": "2026-03-31", "agreements": []
    });
    let error = api::call_with_program(
        "agreements.status",
        &Program::from_json(PROGRAM).unwrap(),
        &request,
    )
    .unwrap_err();
    assert_eq!(error.problems()[0].code().as_str(), "invalid_value");
    assert_eq!(error.problems()[0].path(), "$.program");
}

#[test]
fn an_operation_without_a_program_is_refused() {
    let error = api::call_with_program(
        "version",
        &Program::from_json(PROGRAM).unwrap(),
        &serde_json::json!({}),
    )
    .unwrap_err();
    assert_eq!(error.problems()[0].path(), "$.program");
    let error = api::call_with_program(
        "no.such",
        &Program::from_json(PROGRAM).unwrap(),
        &serde_json::json!({}),
    )
    .unwrap_err();
    assert_eq!(error.code(), "unknown_operation");
}

#[test]
fn the_placeholder_is_not_reported_with_the_request_problems() {
    let error = api::call_with_program(
        "agreements.status",
        &Program::from_json(PROGRAM).unwrap(),
        &serde_json::json!({"as_of": "2026-3-31", "agreements": []}),
    )
    .unwrap_err();
    let paths: Vec<&str> = error.problems().iter().map(|p| p.path()).collect();
    assert_eq!(paths, ["$.as_of"]);
}

#[test]
fn the_text_form_answers_with_tagged_json() {
    let program = Program::from_json(PROGRAM).unwrap();
    let ok = api::call_text_with_program(
        "agreements.status",
        &program,
        r#"{"as_of": "2026-03-31", "agreements": []}"#,
    );
    assert!(ok.starts_with(r#"{"ok":{"as_of":"2026-03-31""#), "{ok}");
    let error = api::call_text_with_program("agreements.status", &program, "{");
    assert!(error.contains(r#""code":"malformed_json""#), "{error}");
}
