//! Runs the shared conformance corpus (`tests/conformance/**/*.json`) through
//! `prm_core::api::call`, the same entry point every binding uses.
//!
//! A case is `{"op", "input" | "input_text", "expect" | "expect_error"}`.
//! `expect` is matched as a subset of the `ok` answer and `expect_error` as a
//! subset of the `error` answer: every key it names must match recursively;
//! arrays match element by element and must have the same length.

use serde_json::Value;
use std::path::Path;

mod corpus;

/// Where `actual` departs from `expected` (subset semantics), if anywhere.
fn mismatch(expected: &Value, actual: &Value, at: &str) -> Option<String> {
    match (expected, actual) {
        (Value::Object(want), Value::Object(got)) => {
            want.iter().find_map(|(key, w)| match got.get(key) {
                Some(g) => mismatch(w, g, &format!("{at}.{key}")),
                None => Some(format!("{at}.{key}: missing in answer")),
            })
        }
        (Value::Array(want), Value::Array(got)) => {
            if want.len() != got.len() {
                return Some(format!(
                    "{at}: expected {} elements, found {}",
                    want.len(),
                    got.len()
                ));
            }
            want.iter()
                .zip(got)
                .enumerate()
                .find_map(|(i, (w, g))| mismatch(w, g, &format!("{at}[{i}]")))
        }
        _ if expected == actual => None,
        _ => Some(format!("{at}: expected {expected}, found {actual}")),
    }
}

fn run_case(path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let case: Value = serde_json::from_str(&text).map_err(|e| format!("case is not JSON: {e}"))?;
    let op = case
        .get("op")
        .and_then(Value::as_str)
        .ok_or("case has no `op`")?;
    let request = match (case.get("input_text"), case.get("input")) {
        (Some(Value::String(raw)), _) => raw.clone(),
        (_, Some(input)) => input.to_string(),
        _ => return Err("case has neither `input` nor `input_text`".into()),
    };
    let answer: Value = serde_json::from_str(&prm_core::api::call(op, &request))
        .map_err(|e| format!("answer is not JSON: {e}"))?;
    match (case.get("expect"), case.get("expect_error")) {
        (Some(expect), None) => match answer.get("ok") {
            Some(ok) => mismatch(expect, ok, "$").map_or(Ok(()), Err),
            None => Err(format!("expected ok, got {answer}")),
        },
        (None, Some(expect)) => match answer.get("error") {
            Some(error) => mismatch(expect, error, "$")
                .map_or(Ok(()), |m| Err(format!("{m}\n  answer: {error}"))),
            None => Err(format!("expected an error, got {answer}")),
        },
        _ => Err("case needs exactly one of `expect` and `expect_error`".into()),
    }
}

#[test]
fn conformance_corpus() {
    let files = corpus::case_files();
    assert!(
        files.len() >= 50,
        "corpus looks empty: {} cases in {}",
        files.len(),
        corpus::dir().display()
    );
    let failures: Vec<String> = files
        .iter()
        .filter_map(|f| run_case(f).err().map(|e| format!("{}: {e}", f.display())))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn matcher_is_a_subset_match_with_exact_arrays() {
    let answer = serde_json::json!({"a": {"b": 1, "c": [1, 2]}, "d": "x"});
    assert_eq!(
        mismatch(&serde_json::json!({"a": {"b": 1}}), &answer, "$"),
        None
    );
    assert!(mismatch(&serde_json::json!({"a": {"c": [1]}}), &answer, "$").is_some());
    assert!(mismatch(&serde_json::json!({"e": 1}), &answer, "$").is_some());
    assert!(mismatch(&serde_json::json!({"d": "y"}), &answer, "$").is_some());
}
