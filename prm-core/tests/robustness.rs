//! Hostile input and shared use: deep values that would overflow the stack,
//! huge documents, and one `Program` used from many threads at once.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    reason = "a test: a failed index or unwrap is a failed test"
)]
use prm_core::limits::{self, MAX_DOCUMENT_BYTES, MAX_JSON_DEPTH};
use prm_core::{Program, api};
use serde_json::{Value, json};

mod corpus;

/// A condition `{"kind": "not", "condition": ...}` nested `depth` times, built without recursing.
fn deep_condition(depth: usize) -> Value {
    let mut node = json!({"kind": "field", "field": "country", "op": "eq", "value": "DE"});
    for _ in 0..depth {
        // Not `json!`: it serializes its operands, which recurses.
        let mut map = serde_json::Map::new();
        map.insert("kind".to_owned(), Value::from("not"));
        map.insert("condition".to_owned(), node);
        node = Value::Object(map);
    }
    node
}

/// A program whose one routing rule holds `condition`.
fn program_with_condition(condition: Value) -> Value {
    let mut program = json!({
        "schema_version": 1,
        "currency": "EUR",
        "routing": {
            "rules": [{
                "id": "deep", "priority": 1, "condition": null,
                "eligibility": {"products": "any"},
                "strategy": {"kind": "round_robin"}
            }],
            "default": {"kind": "house_account", "partner_id": "HOUSE"}
        }
    });
    program["routing"]["rules"][0]["condition"] = condition;
    program
}

fn problem_codes(answer: &str) -> (String, Vec<String>) {
    let value: Value = serde_json::from_str(answer).unwrap_or(Value::Null);
    let error = &value["error"];
    let codes = error["problems"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|p| p["code"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default();
    (error["code"].as_str().unwrap_or("").to_owned(), codes)
}

#[test]
fn hundred_thousand_deep_value_is_refused_not_a_stack_overflow() {
    // Built iteratively by a host, passed straight to `call_value`.
    let mut request = json!({});
    request["program"] = program_with_condition(deep_condition(100_000));
    let err = api::call_value("program.validate", &request).unwrap_err();
    assert_eq!(err.code(), "limit_exceeded");
    assert_eq!(err.problems()[0].code().as_str(), "nesting_too_deep");
    // The typed entry points refuse it too.
    let err = Program::from_value(&request["program"]).unwrap_err();
    assert_eq!(err.problems()[0].code().as_str(), "nesting_too_deep");
    let err = prm_core::input::read::<Program>(&request["program"]).unwrap_err();
    assert_eq!(err.problems()[0].code().as_str(), "nesting_too_deep");
    limits::drop_deep(request);
}

#[test]
fn deep_value_path_points_at_the_limit() {
    let mut deep = json!(1);
    for _ in 0..1_000 {
        deep = Value::Array(vec![deep]);
    }
    let err = limits::check_depth(&deep).unwrap_err();
    let path = err.problems()[0].path().to_owned();
    assert_eq!(path, format!("${}", "[0]".repeat(MAX_JSON_DEPTH)));
    limits::drop_deep(deep);
}

#[test]
fn depth_limit_is_exact() {
    let nest = |levels: usize| {
        let mut v = json!(1);
        for _ in 0..levels {
            v = Value::Array(vec![v]);
        }
        v
    };
    assert!(limits::check_depth(&nest(MAX_JSON_DEPTH)).is_ok());
    assert!(limits::check_depth(&nest(MAX_JSON_DEPTH + 1)).is_err());
}

#[test]
fn hundred_thousand_deep_text_is_refused() {
    let condition = format!(
        "{}{}{}",
        r#"{"kind":"not","condition":"#.repeat(100_000),
        r#"{"kind":"field","field":"country","op":"eq","value":"DE"}"#,
        "}".repeat(100_000)
    );
    let request = format!(
        r#"{{"program":{{"schema_version":1,"currency":"EUR","routing":{{"rules":[{{"id":"deep","priority":1,"condition":{condition},"eligibility":{{"products":"any"}},"strategy":{{"kind":"round_robin"}}}}],"default":{{"kind":"house_account","partner_id":"HOUSE"}}}}}}}}"#
    );
    let (code, problems) = problem_codes(&api::call("program.validate", &request));
    assert_eq!(code, "limit_exceeded");
    assert_eq!(problems, vec!["nesting_too_deep"]);
}

#[test]
fn condition_deeper_than_its_limit_is_refused_within_json_depth() {
    // 40 `not`s: 82 JSON levels (fine for JSON), but deeper than 32 condition levels.
    let mut request = json!({});
    request["program"] = program_with_condition(deep_condition(40));
    let err = api::call_value("program.validate", &request).unwrap_err();
    assert_eq!(err.code(), "limit_exceeded");
    assert!(
        err.problems()
            .iter()
            .any(|p| p.code().as_str() == "nesting_too_deep"
                && p.path().starts_with("$.program.routing.rules[0].condition")),
        "{err}"
    );
}

#[test]
fn deepest_accepted_condition_reads_on_a_small_stack() {
    // serde's derive recurses; the limits keep the recursion within a 1 MiB thread stack.
    let mut request = json!({});
    request["program"] = program_with_condition(deep_condition(32));
    let result = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(move || api::call_value("program.validate", &request).map(|_| ()))
        .unwrap()
        .join()
        .unwrap();
    // 32 `not`s: the deepest condition prm accepts.
    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn document_over_the_size_limit_is_refused_before_parsing() {
    let request = format!(r#"{{"pad":"{}"}}"#, "x".repeat(MAX_DOCUMENT_BYTES));
    let (code, problems) = problem_codes(&api::call("version", &request));
    assert_eq!(code, "limit_exceeded");
    assert_eq!(problems, vec!["document_too_large"]);
}

#[test]
fn requirement_tree_deeper_than_its_limit_is_refused() {
    let mut node = json!({"kind": "flag", "flag": "agreement_signed"});
    for _ in 0..40 {
        node = json!({"kind": "all_of", "requirements": [node]});
    }
    let program = json!({
        "schema_version": 1, "currency": "EUR",
        "tiers": {"tiers": [{"id": "gold", "name": "Gold", "rank": 1, "requirements": [node]}]}
    });
    let answer = api::call("program.validate", &json!({"program": program}).to_string());
    let (code, problems) = problem_codes(&answer);
    assert_eq!(code, "limit_exceeded", "{answer}");
    assert!(
        problems.contains(&"nesting_too_deep".to_owned()),
        "{answer}"
    );
}

/// Every corpus case with a request, as (operation, request text).
fn cases() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for path in corpus::case_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let case: Value = serde_json::from_str(&text).unwrap();
        let Some(op) = case["op"].as_str() else {
            continue;
        };
        let request = match (&case["input_text"], &case["input"]) {
            (Value::String(raw), _) => raw.clone(),
            (_, Value::Null) => continue,
            (_, input) => input.to_string(),
        };
        out.push((op.to_owned(), request));
    }
    out
}

#[test]
fn eight_threads_answer_the_corpus_as_one_thread_does() {
    let corpus = cases();
    assert!(corpus.len() > 100);
    let sequential: Vec<String> = corpus.iter().map(|(op, r)| api::call(op, r)).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|t| {
                let corpus = &corpus;
                scope.spawn(move || {
                    // Each thread walks the corpus from a different starting point.
                    let n = corpus.len();
                    (0..n)
                        .map(|i| {
                            let k = (i + t * n / 8) % n;
                            (k, api::call(&corpus[k].0, &corpus[k].1))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for handle in handles {
            for (k, answer) in handle.join().unwrap() {
                assert_eq!(answer, sequential[k], "case {k} ({})", corpus[k].0);
            }
        }
    });
}

#[test]
fn one_program_shared_by_eight_threads_decides_as_sequential_calls() {
    let sample = prm_core::sample::quarter();
    let program = Program::from_value(&sample.program).unwrap();
    let facts = prm_core::sample::tier_facts(&sample);
    let as_of = prm_core::sample::as_of();
    let sequential = prm_core::tier::evaluate_batch(&program, &facts, as_of).unwrap();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|_| scope.spawn(|| prm_core::tier::evaluate_batch(&program, &facts, as_of)))
            .collect();
        for handle in handles {
            assert_eq!(handle.join().unwrap().unwrap(), sequential);
        }
    });
}
