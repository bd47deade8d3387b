//! Resource limits: how large and how deep an input prm accepts.
//!
//! prm runs inside other people's systems, so no input may crash it, hang it
//! or make it use memory out of proportion to the request. Each limit below
//! is checked before the work it protects, and breaking one is an
//! [`Error::LimitExceeded`] whose problem names
//! the limit with its own code:
//!
//! | limit | code | where |
//! |---|---|---|
//! | [`MAX_DOCUMENT_BYTES`] | `document_too_large` | the request text of [`api::call`](crate::api::call), before parsing |
//! | [`MAX_JSON_DEPTH`] | `nesting_too_deep` | every JSON value read by [`input::read`](crate::input::read) and [`api::call_value`](crate::api::call_value) |
//! | [`MAX_CONDITION_DEPTH`](crate::condition::MAX_CONDITION_DEPTH) | `nesting_too_deep` | condition trees (routing rules, deal registration) |
//! | [`MAX_REQUIREMENT_DEPTH`](crate::tier::MAX_REQUIREMENT_DEPTH) | `nesting_too_deep` | tier requirement trees |
//! | [`MAX_BRACKETS`](crate::commission::MAX_BRACKETS) | `list_too_long` | brackets of one commission table |
//! | [`MAX_BRACKET_TABLES`](crate::commission::MAX_BRACKET_TABLES) | `list_too_long` | bracket tables of one plan |
//! | [`MAX_ROUTING_RULES`](crate::routing::MAX_ROUTING_RULES) | `list_too_long` | routing rules of a program |
//!
//! The depth check walks the value with an explicit stack, so a value a host
//! built 100,000 levels deep is refused without recursing; serde's derive,
//! the structural walk of [`input`](crate::input) and the engines then only
//! ever see values at most [`MAX_JSON_DEPTH`] deep.
//!
//! ```
//! use prm_core::limits;
//! let mut deep = serde_json::json!("leaf");
//! for _ in 0..200 {
//!     deep = serde_json::Value::Array(vec![deep]);
//! }
//! let err = limits::check_depth(&deep).unwrap_err();
//! assert_eq!(err.code(), "limit_exceeded");
//! assert_eq!(err.problems()[0].code().as_str(), "nesting_too_deep");
//! ```

use crate::error::{Error, ErrorCode, JsonPath, Problem};
use serde_json::Value;

/// The longest request text [`api::call`](crate::api::call) reads: 32 MiB.
pub const MAX_DOCUMENT_BYTES: usize = 32 * 1024 * 1024;

/// The deepest nesting of arrays and objects prm reads: 128 levels, the same
/// as `serde_json`'s own limit on JSON text, so text and values agree.
pub const MAX_JSON_DEPTH: usize = 128;

/// Refuses request text longer than [`MAX_DOCUMENT_BYTES`].
///
/// # Errors
///
/// [`Error::LimitExceeded`] with a `document_too_large` problem at `$`.
///
/// # Example
///
/// ```
/// assert!(prm_core::limits::check_size("{}").is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_size(text: &str) -> Result<(), Error> {
    if text.len() > MAX_DOCUMENT_BYTES {
        return Err(Error::LimitExceeded(vec![
            Problem::new(ErrorCode::DocumentTooLarge, JsonPath::root())
                .message(format!(
                    "the request is {} bytes long; prm reads at most {MAX_DOCUMENT_BYTES} bytes",
                    text.len()
                ))
                .help("split the request into batches (for example fewer leads or transactions per call)"),
        ]));
    }
    Ok(())
}

/// Refuses a value nested more than [`MAX_JSON_DEPTH`] levels deep, without recursing.
///
/// # Errors
///
/// [`Error::LimitExceeded`] with a `nesting_too_deep` problem at the path of
/// the first array or object found below the limit.
///
/// # Example
///
/// ```
/// let shallow = serde_json::json!({"a": [{"b": 1}]});
/// assert!(prm_core::limits::check_depth(&shallow).is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_depth(value: &Value) -> Result<(), Error> {
    // Each entry: a container, its depth (1 for the root), and the step that led to it.
    let mut stack: Vec<(&Value, usize)> = vec![(value, 0)];
    while let Some((node, depth)) = stack.pop() {
        let children: Box<dyn Iterator<Item = &Value>> = match node {
            Value::Array(items) => Box::new(items.iter()),
            Value::Object(fields) => Box::new(fields.values()),
            _ => continue,
        };
        let depth = depth + 1;
        if depth > MAX_JSON_DEPTH {
            return Err(too_deep(value));
        }
        stack.extend(
            children
                .filter(|c| c.is_array() || c.is_object())
                .map(|c| (c, depth)),
        );
    }
    Ok(())
}

/// The `nesting_too_deep` error, at the path of the first container found
/// below the limit (searched again without recursing; only on failure).
fn too_deep(value: &Value) -> Error {
    let mut path = JsonPath::root();
    let mut stack: Vec<(&Value, usize, JsonPath)> = vec![(value, 0, JsonPath::root())];
    while let Some((node, depth, here)) = stack.pop() {
        if depth >= MAX_JSON_DEPTH {
            path = here;
            break;
        }
        match node {
            Value::Array(items) => stack.extend(
                items
                    .iter()
                    .enumerate()
                    .rev()
                    .filter(|(_, c)| c.is_array() || c.is_object())
                    .map(|(i, c)| (c, depth + 1, here.index(i))),
            ),
            Value::Object(fields) => stack.extend(
                fields
                    .iter()
                    .rev()
                    .filter(|(_, c)| c.is_array() || c.is_object())
                    .map(|(k, c)| (c, depth + 1, here.key(k))),
            ),
            _ => {}
        }
    }
    Error::LimitExceeded(vec![
        Problem::new(ErrorCode::NestingTooDeep, path)
            .message(format!(
                "the input nests arrays and objects more than {MAX_JSON_DEPTH} levels deep"
            ))
            .help("flatten the structure: prm's documents never need more than a few dozen levels"),
    ])
}

/// Drops a value of any depth without recursing (dropping a deep
/// `serde_json::Value` recurses once per level and can overflow the stack).
///
/// Hosts that build values for [`api::call_value`](crate::api::call_value)
/// from untrusted input can use it to dispose of a refused value safely.
///
/// # Example
///
/// ```
/// let mut deep = serde_json::json!(null);
/// for _ in 0..100_000 {
///     deep = serde_json::Value::Array(vec![deep]); // not `json!`: it would serialize, recursing
/// }
/// prm_core::limits::drop_deep(deep);
/// ```
pub fn drop_deep(value: Value) {
    let mut stack = vec![value];
    while let Some(mut node) = stack.pop() {
        match &mut node {
            Value::Array(items) => stack.append(items),
            Value::Object(fields) => {
                let map = std::mem::take(fields);
                stack.extend(map.into_iter().map(|(_, v)| v));
            }
            _ => {}
        }
    }
}
