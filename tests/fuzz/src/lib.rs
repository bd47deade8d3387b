//! Shared parts of prm's fuzz targets: the conformance cases, the checks every
//! answer must pass, and the structure-aware mutation of requests.
//!
//! The targets live in `fuzz_targets/` and are run by `./scripts/fuzz`:
//!
//! * `program`: arbitrary bytes as a program document, through `Program::from_json`;
//! * `call`: the first byte picks an operation, the rest is the request text,
//!   through `prm_core::api::call`;
//! * `structured`: a conformance request with values swapped for edge values
//!   (decimals near the limits, odd dates, huge counts, empty lists, repeated
//!   ids), through `prm_core::api::call`.
//!
//! Every answer must be JSON of the tagged shape, with codes from the
//! catalogue, never `internal`, and the same when asked twice.

use arbitrary::{Result as ArbitraryResult, Unstructured};
use prm_core::ErrorCode;
use rust_decimal::Decimal;
use serde_json::{Map, Value};
use std::str::FromStr;
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/cases.rs"));

/// A conformance request: its case name, operation and request value.
#[derive(Debug, Clone)]
pub struct Request {
    /// The case's file name under `tests/conformance`, with `__` for `/`.
    pub name: &'static str,
    /// The operation name.
    pub op: String,
    /// The request text as the case gives it (`input` written out, or `input_text`).
    pub text: String,
    /// The request as a value, when the case's `input` is JSON (not `input_text`).
    pub value: Option<Value>,
}

/// Every conformance case as a request, parsed once.
pub fn requests() -> &'static [Request] {
    static REQUESTS: OnceLock<Vec<Request>> = OnceLock::new();
    REQUESTS.get_or_init(|| {
        CASES
            .iter()
            .filter_map(|(name, text)| {
                let case: Value = serde_json::from_str(text).ok()?;
                let op = case.get("op")?.as_str()?.to_owned();
                match (case.get("input_text"), case.get("input")) {
                    (Some(Value::String(raw)), _) => Some(Request {
                        name,
                        op,
                        text: raw.clone(),
                        value: None,
                    }),
                    (_, Some(input)) => Some(Request {
                        name,
                        op,
                        text: input.to_string(),
                        value: Some(input.clone()),
                    }),
                    _ => None,
                }
            })
            .collect()
    })
}

/// The operations of the facade, in the order the `call` target numbers them.
pub fn operations() -> &'static [&'static str] {
    static OPERATIONS: OnceLock<Vec<&'static str>> = OnceLock::new();
    OPERATIONS.get_or_init(prm_core::api::operations)
}

/// The operation the `call` target runs for a leading byte.
pub fn operation_for(byte: u8) -> &'static str {
    let ops = operations();
    ops.get(usize::from(byte) % ops.len().max(1))
        .copied()
        .unwrap_or("version")
}

/// The leading byte that makes the `call` target run `op`.
pub fn byte_for(op: &str) -> Option<u8> {
    operations()
        .iter()
        .position(|candidate| *candidate == op)
        .and_then(|i| u8::try_from(i).ok())
}

/// Why an answer of `api::call` breaks its contract, if it does.
///
/// The answer must be one JSON object with exactly one key, `ok` or `error`;
/// an error has a `code` that is an error kind of the catalogue (and not
/// `internal`, which means a bug), a `message`, and a non-empty `problems`
/// list whose entries have a catalogue `code`, a `path` starting with `$`,
/// a `message` and perhaps a `help`.
pub fn answer_fault(answer: &str) -> Option<String> {
    let value: Value = match serde_json::from_str(answer) {
        Ok(value) => value,
        Err(e) => return Some(format!("the answer is not JSON ({e}): {answer}")),
    };
    let Some(fields) = value.as_object() else {
        return Some(format!("the answer is not an object: {answer}"));
    };
    if fields.len() != 1 {
        return Some(format!("the answer has {} keys: {answer}", fields.len()));
    }
    if fields.contains_key("ok") {
        return None;
    }
    match fields.get("error") {
        Some(error) => error_fault(error).map(|fault| format!("{fault}: {answer}")),
        None => Some(format!("the answer is neither ok nor error: {answer}")),
    }
}

fn error_fault(error: &Value) -> Option<String> {
    let Some(code) = error.get("code").and_then(Value::as_str) else {
        return Some("the error has no code".to_owned());
    };
    let kind = ErrorCode::from_wire(code);
    match kind {
        None => return Some(format!("error code `{code}` is not in the catalogue")),
        Some(ErrorCode::Internal) => return Some("an internal error (a bug in prm)".to_owned()),
        Some(kind) if kind.section() != "error kinds" => {
            return Some(format!(
                "error code `{code}` is a problem code, not an error kind"
            ));
        }
        Some(_) => {}
    }
    if !error.get("message").is_some_and(Value::is_string) {
        return Some("the error has no message".to_owned());
    }
    let Some(problems) = error.get("problems").and_then(Value::as_array) else {
        return Some("the error has no problems list".to_owned());
    };
    if problems.is_empty() {
        return Some("the error's problems list is empty".to_owned());
    }
    problems.iter().find_map(problem_fault)
}

fn problem_fault(problem: &Value) -> Option<String> {
    let code = problem.get("code").and_then(Value::as_str).unwrap_or("");
    if ErrorCode::from_wire(code).is_none() {
        return Some(format!("problem code `{code}` is not in the catalogue"));
    }
    if code == "internal" {
        return Some("an internal problem (a bug in prm)".to_owned());
    }
    if !problem
        .get("path")
        .and_then(Value::as_str)
        .is_some_and(|path| path.starts_with('$'))
    {
        return Some("a problem without a `$` path".to_owned());
    }
    if !problem.get("message").is_some_and(Value::is_string) {
        return Some("a problem without a message".to_owned());
    }
    if problem.get("help").is_some_and(|help| !help.is_string()) {
        return Some("a problem whose help is not text".to_owned());
    }
    None
}

/// Why the answer to a `money.allocate` request breaks its invariants, if it does:
/// one part per weight, parts at most the currency's minor units, summing to
/// the total within less than one minor unit.
pub fn allocation_fault(request: &Value, answer: &str) -> Option<String> {
    let answer: Value = serde_json::from_str(answer).ok()?;
    let ok = answer.get("ok")?;
    let decimal = |v: &Value| v.as_str().and_then(|s| Decimal::from_str(s).ok());
    let total = request.get("total").and_then(decimal)?;
    let weights = request.get("weights")?.as_array()?;
    let parts = ok.get("parts")?.as_array()?;
    if parts.len() != weights.len() {
        return Some(format!(
            "{} parts for {} weights",
            parts.len(),
            weights.len()
        ));
    }
    let parts: Option<Vec<Decimal>> = parts.iter().map(decimal).collect();
    let Some(parts) = parts else {
        return Some("a part is not a decimal string".to_owned());
    };
    if weights
        .iter()
        .filter_map(decimal)
        .all(|weight| weight.is_zero())
    {
        return None;
    }
    let places = parts.iter().map(Decimal::scale).max().unwrap_or(0);
    let sum = parts
        .iter()
        .try_fold(Decimal::ZERO, |sum, part| sum.checked_add(*part))?;
    let unit = Decimal::new(1, places);
    let gap = sum.checked_sub(total)?.abs();
    (gap >= unit).then(|| format!("parts sum to {sum}, total {total}"))
}

/// Calls `op` with `text` twice and returns the answer, or why it breaks the contract.
///
/// # Errors
///
/// A description of the fault: not the tagged shape, an `internal` error, a
/// code outside the catalogue, or two different answers to one request.
pub fn checked_call(op: &str, text: &str) -> Result<String, String> {
    let answer = prm_core::api::call(op, text);
    if let Some(fault) = answer_fault(&answer) {
        return Err(format!("{op}: {fault}"));
    }
    let again = prm_core::api::call(op, text);
    if again != answer {
        return Err(format!(
            "{op}: two calls gave different answers:\n{answer}\n{again}"
        ));
    }
    Ok(answer)
}

/// Edge decimals: rust_decimal's limits, one past them, scales, signs,
/// exponents, percents, and text that only looks like a number.
pub const EDGE_DECIMALS: &[&str] = &[
    "79228162514264337593543950335",
    "-79228162514264337593543950335",
    "79228162514264337593543950336",
    "7922816251426433759354395033.5",
    "792281625142643375935439503.35",
    "0.0000000000000000000000000001",
    "0.00000000000000000000000000001",
    "0.1234567890123456789012345678",
    "9.999999999999999999999999999",
    "-0",
    "-0.00",
    "0",
    "0.5",
    "0.005",
    "-0.005",
    "1",
    "-1",
    "1e5",
    "1E-7",
    "1.",
    ".5",
    "+1",
    " 1",
    "1,5",
    "0x10",
    "NaN",
    "inf",
    "",
    "100%",
    "-5%",
    "0%",
    "1000000%",
    "7.9228162514264337593543950335%",
    "0.0000000000000000000000000001%",
    "18446744073709551616",
    "4294967296",
    "99999999999999999999999999999",
];

/// Edge dates and instants: leap days, the ends of the calendar, past them, malformed.
pub const EDGE_DATES: &[&str] = &[
    "2024-02-29",
    "2023-02-29",
    "2024-12-31",
    "2025-01-01",
    "0000-01-01",
    "0001-01-01",
    "9999-12-31",
    "9999-12-01",
    "10000-01-01",
    "-0001-01-01",
    "2024-13-01",
    "2024-00-10",
    "2024-1-1",
    "1970-01-01",
    "2024-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00Z",
    "2024-02-29T12:00:00+14:00",
    "2024-02-29T24:00:00Z",
];

/// Edge strings: empty, currencies, whitespace, non-ASCII, control characters.
pub const EDGE_STRINGS: &[&str] = &[
    "",
    " ",
    "EUR",
    "JPY",
    "BHD",
    "XXX",
    "eur",
    "half_even",
    "graduated",
    "all",
    "any",
    "\u{0}",
    "é",
    "\u{202e}",
    "İstanbul",
    "ß",
    "ﬁ",
    "日本",
    "$",
    "$.a[0]",
];

/// Edge numbers: zero, signs, the ends of the integer types, fractions, huge floats.
fn edge_number(u: &mut Unstructured<'_>) -> ArbitraryResult<Value> {
    Ok(match u.int_in_range(0u8..=17)? {
        0 => Value::from(0),
        1 => Value::from(-1),
        2 => Value::from(1),
        3 => Value::from(2),
        4 => Value::from(12),
        5 => Value::from(255),
        6 => Value::from(65_535),
        7 => Value::from(i64::from(i32::MAX)),
        8 => Value::from(4_294_967_296_u64),
        9 => Value::from(9_007_199_254_740_993_u64),
        10 => Value::from(u64::MAX),
        11 => Value::from(i64::MIN),
        12 => serde_json::Number::from_f64(1e308).map_or(Value::Null, Value::Number),
        13 => serde_json::Number::from_f64(0.5).map_or(Value::Null, Value::Number),
        14 => serde_json::Number::from_f64(-0.0).map_or(Value::Null, Value::Number),
        15 => Value::from(1_000_000_000),
        16 => Value::from(u.arbitrary::<i64>()?),
        _ => Value::from(u.int_in_range(-3i64..=400)?),
    })
}

/// Where a value sits in a request: keys and indices from the root.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

fn paths(value: &Value) -> Vec<Vec<Step>> {
    let mut out = Vec::new();
    let mut stack = vec![(value, Vec::new())];
    while let Some((node, path)) = stack.pop() {
        match node {
            Value::Object(fields) => {
                for (key, child) in fields {
                    let mut p = path.clone();
                    p.push(Step::Key(key.clone()));
                    stack.push((child, p));
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    let mut p = path.clone();
                    p.push(Step::Index(i));
                    stack.push((child, p));
                }
            }
            _ => {}
        }
        out.push(path);
    }
    out
}

fn at_mut<'v>(value: &'v mut Value, path: &[Step]) -> Option<&'v mut Value> {
    path.iter().try_fold(value, |node, step| match step {
        Step::Key(key) => node.get_mut(key.as_str()),
        Step::Index(i) => node.get_mut(*i),
    })
}

fn at<'v>(value: &'v Value, path: &[Step]) -> Option<&'v Value> {
    path.iter().try_fold(value, |node, step| match step {
        Step::Key(key) => node.get(key.as_str()),
        Step::Index(i) => node.get(*i),
    })
}

/// Applies up to eight mutations chosen by `u` to `request`.
///
/// A mutation picks a node and replaces it with an edge decimal, date,
/// number or string; another node of the request (repeated ids, swapped
/// fields); an empty list or object; `null`; an arbitrary string; or it
/// removes an object key, repeats a list's element (up to 64 times), or
/// drops a list's element.
///
/// # Errors
///
/// When `u` runs out of bytes mid-way, as `arbitrary` does.
pub fn mutate(u: &mut Unstructured<'_>, request: &mut Value) -> ArbitraryResult<()> {
    let rounds = u.int_in_range(1u8..=8)?;
    for _ in 0..rounds {
        let all = paths(request);
        let path = u.choose(&all)?.clone();
        let donor_path = u.choose(&all)?.clone();
        let donor = at(request, &donor_path).cloned().unwrap_or(Value::Null);
        let choice = u.int_in_range(0u8..=13)?;
        let replacement = match choice {
            0..=2 => Some(Value::from(*u.choose(EDGE_DECIMALS)?)),
            3 | 4 => Some(Value::from(*u.choose(EDGE_DATES)?)),
            5 => Some(edge_number(u)?),
            6 => Some(Value::from(*u.choose(EDGE_STRINGS)?)),
            7 => Some(donor),
            8 => Some(Value::Array(Vec::new())),
            9 => Some(Value::Object(Map::new())),
            10 => Some(Value::Null),
            11 => Some(Value::from(u.arbitrary::<String>()?)),
            _ => None,
        };
        let Some(node) = at_mut(request, &path) else {
            continue;
        };
        match (replacement, node) {
            (Some(new), node) => *node = new,
            (None, Value::Object(fields)) => {
                let keys: Vec<String> = fields.keys().cloned().collect();
                if let Ok(key) = u.choose(&keys) {
                    let _ = fields.remove(key);
                }
            }
            (None, Value::Array(items)) if !items.is_empty() => {
                let i = u.choose_index(items.len())?;
                if choice == 12 {
                    let times = u.int_in_range(1usize..=64)?;
                    if let Some(item) = items.get(i).cloned() {
                        items.extend(std::iter::repeat_n(item, times));
                    }
                } else {
                    let _ = items.remove(i);
                }
            }
            (None, node) => *node = Value::from(*u.choose(EDGE_DECIMALS)?),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_conformance_case_is_embedded() {
        assert!(requests().len() > 400, "only {} cases", requests().len());
    }

    #[test]
    fn every_conformance_answer_has_the_tagged_shape() {
        for request in requests() {
            if let Err(fault) = checked_call(&request.op, &request.text) {
                panic!("{}: {fault}", request.name);
            }
        }
    }

    #[test]
    fn an_internal_error_is_a_fault() {
        let answer = r#"{"error":{"code":"internal","message":"x","problems":[{"code":"internal","path":"$","message":"x"}]}}"#;
        assert!(answer_fault(answer).is_some());
    }

    #[test]
    fn a_problem_code_as_error_kind_is_a_fault() {
        let answer = r#"{"error":{"code":"malformed_json","message":"x","problems":[{"code":"malformed_json","path":"$","message":"x"}]}}"#;
        assert!(answer_fault(answer).is_some());
    }

    #[test]
    fn the_leading_byte_round_trips_to_its_operation() {
        for op in operations() {
            let byte = byte_for(op).unwrap();
            assert_eq!(operation_for(byte), *op);
        }
    }

    #[test]
    fn an_allocation_that_loses_a_cent_is_a_fault() {
        let request =
            serde_json::json!({"total": "10.00", "weights": ["1", "1"], "currency": "EUR"});
        assert!(allocation_fault(&request, r#"{"ok":{"parts":["5.00","4.99"]}}"#).is_some());
        assert!(allocation_fault(&request, r#"{"ok":{"parts":["5.00","5.00"]}}"#).is_none());
    }

    #[test]
    fn mutation_keeps_requests_json() {
        let bytes: Vec<u8> = (0..4096u32).map(|i| (i * 31 % 251) as u8).collect();
        let mut u = Unstructured::new(&bytes);
        for request in requests().iter().take(50) {
            let Some(mut value) = request.value.clone() else {
                continue;
            };
            let _ = mutate(&mut u, &mut value);
            assert!(serde_json::from_str::<Value>(&value.to_string()).is_ok());
        }
    }
}
