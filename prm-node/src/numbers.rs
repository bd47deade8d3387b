//! Refusing JavaScript numbers where the core expects a decimal.
//!
//! JSON text may carry an exact integer amount (`12`), and the core accepts
//! it. A JavaScript `number` is a binary float: `0.1 + 0.2` is
//! `0.30000000000000004` and `12345678901234567890` is already
//! `12345678901234567000`. So a request built from JavaScript values must
//! carry every decimal, rate and money amount as a string.
//!
//! [`refuse_js_numbers`] walks a request along the operation's JSON Schema
//! and, at every position whose schema accepts a number only as a `decimal`
//! or `rate`, turns the number into a JSON float. The core then refuses it
//! with `decimal_must_be_string`, in its usual order and together with every
//! other problem in the request; [`explain`] rewrites those problems' text to
//! name the JavaScript number. No rule of the core is repeated here: the
//! schema says where decimals are, and the core says what is wrong.

use prm_core::{Error, ErrorCode, JsonPath, Problem};
use serde_json::{Map, Number, Value};
use std::collections::BTreeMap;

/// The deepest nesting followed; deeper input is left to the core, which
/// reports `limit_exceeded`.
const MAX_DEPTH: usize = 128;

/// The JavaScript numbers found where decimals belong: path → the number as written.
#[derive(Debug, Default)]
pub(crate) struct JsNumbers(BTreeMap<String, String>);

impl JsNumbers {
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Marks every number of `value` that sits where `schema` (with `$defs`
/// resolved against `root`) expects a decimal or a rate, and makes it a float
/// so that the core refuses it.
pub(crate) fn refuse_js_numbers(root: &Value, schema: &Value, value: &mut Value) -> JsNumbers {
    let mut found = JsNumbers::default();
    if !has_number(value, 0) {
        return found; // the common case: nothing to look up in the schema
    }
    let walk = Walk { root };
    walk.visit(&[schema], value, &JsonPath::root(), 0, &mut found);
    found
}

/// Rewrites the core's `decimal_must_be_string` problems at the marked paths
/// so they speak of the JavaScript number the caller passed.
pub(crate) fn explain(error: Error, numbers: &JsNumbers) -> Error {
    if numbers.is_empty() {
        return error;
    }
    let problems: Vec<Problem> = error
        .problems()
        .iter()
        .map(|problem| match numbers.0.get(problem.path()) {
            Some(number) if problem.code() == ErrorCode::DecimalMustBeString => {
                js_number_problem(problem.path(), number)
            }
            _ => problem.clone(),
        })
        .collect();
    match error {
        Error::Invalid(_) => Error::Invalid(problems),
        Error::Overflow(_) => Error::Overflow(problems),
        Error::Conflict(_) => Error::Conflict(problems),
        Error::NotFound(_) => Error::NotFound(problems),
        Error::UnknownOperation(_) => Error::UnknownOperation(problems),
        Error::LimitExceeded(_) => Error::LimitExceeded(problems),
        Error::Internal(_) => Error::Internal(problems),
        other => other,
    }
}

/// The error for marked numbers the core did not get to report (it answered
/// without reading them): the call must not succeed on a refused input.
pub(crate) fn refusal(numbers: &JsNumbers) -> Error {
    Error::invalid(
        numbers
            .0
            .iter()
            .map(|(path, number)| js_number_problem(path, number))
            .collect(),
    )
}

fn js_number_problem(path: &str, number: &str) -> Problem {
    Problem::new(ErrorCode::DecimalMustBeString, JsonPath::from_text(path))
        .message(format!(
            "expected a decimal string, found the JavaScript number {number}"
        ))
        .help(format!(
            "a JavaScript number cannot hold every amount exactly; pass a string such as \"{number}\""
        ))
}

struct Walk<'s> {
    root: &'s Value,
}

impl<'s> Walk<'s> {
    /// Follows `$ref`s to `#/$defs/...` in the root schema.
    fn resolve(&self, schema: &'s Value) -> &'s Value {
        let mut current = schema;
        for _ in 0..32 {
            let Some(reference) = current.get("$ref").and_then(Value::as_str) else {
                return current;
            };
            match reference
                .strip_prefix('#')
                .and_then(|pointer| self.root.pointer(pointer))
            {
                Some(target) => current = target,
                None => return current,
            }
        }
        current
    }

    /// The schemas a value at this position may match: references resolved,
    /// `anyOf`/`oneOf` branches and `allOf` parts flattened.
    fn candidates(&self, schemas: &[&'s Value], out: &mut Vec<&'s Value>, depth: usize) {
        if depth > 32 {
            return;
        }
        for schema in schemas {
            let schema = self.resolve(schema);
            let mut nested: Vec<&'s Value> = Vec::new();
            for key in ["anyOf", "oneOf", "allOf"] {
                if let Some(branches) = schema.get(key).and_then(Value::as_array) {
                    nested.extend(branches.iter());
                }
            }
            out.push(schema);
            if !nested.is_empty() {
                self.candidates(&nested, out, depth + 1);
            }
        }
    }

    fn visit(
        &self,
        schemas: &[&'s Value],
        value: &mut Value,
        path: &JsonPath,
        depth: usize,
        found: &mut JsNumbers,
    ) {
        if depth > MAX_DEPTH || schemas.is_empty() {
            return;
        }
        let mut candidates = Vec::new();
        self.candidates(schemas, &mut candidates, 0);
        match value {
            Value::Number(number) if numbers_only_as_decimals(&candidates) => {
                found.0.insert(path.to_string(), number.to_string());
                if let Some(float) = number.as_f64().and_then(Number::from_f64) {
                    *number = float;
                }
            }
            Value::Object(fields) => {
                let candidates: Vec<&Value> = candidates
                    .into_iter()
                    .filter(|c| !ruled_out_by_tag(self, c, fields))
                    .collect();
                for (name, field) in fields.iter_mut() {
                    let mut sub: Vec<&'s Value> = Vec::new();
                    for candidate in &candidates {
                        match candidate.get("properties").and_then(|p| p.get(name)) {
                            Some(property) => sub.push(property),
                            None => {
                                if let Some(extra) = candidate
                                    .get("additionalProperties")
                                    .filter(|extra| extra.is_object())
                                {
                                    sub.push(extra);
                                }
                            }
                        }
                    }
                    self.visit(&sub, field, &path.key(name), depth + 1, found);
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter_mut().enumerate() {
                    let mut sub: Vec<&'s Value> = Vec::new();
                    for candidate in &candidates {
                        let positional = candidate
                            .get("prefixItems")
                            .and_then(Value::as_array)
                            .and_then(|prefix| prefix.get(index));
                        match positional {
                            Some(schema) => sub.push(schema),
                            None => {
                                if let Some(items) =
                                    candidate.get("items").filter(|items| items.is_object())
                                {
                                    sub.push(items);
                                }
                            }
                        }
                    }
                    self.visit(&sub, item, &path.index(index), depth + 1, found);
                }
            }
            _ => {}
        }
    }
}

/// Whether `value` holds a number anywhere (to the depth the walk follows).
fn has_number(value: &Value, depth: usize) -> bool {
    match value {
        Value::Number(_) => true,
        Value::Array(items) if depth <= MAX_DEPTH => {
            items.iter().any(|item| has_number(item, depth + 1))
        }
        Value::Object(fields) if depth <= MAX_DEPTH => {
            fields.values().any(|field| has_number(field, depth + 1))
        }
        _ => false,
    }
}

/// True when some candidate is a `decimal` or `rate` and none takes a plain number.
fn numbers_only_as_decimals(candidates: &[&Value]) -> bool {
    let mut decimal = false;
    for candidate in candidates {
        let format = candidate.get("format").and_then(Value::as_str);
        if matches!(format, Some("decimal" | "rate")) {
            decimal = true;
        } else if takes_plain_number(candidate) {
            return false;
        }
    }
    decimal
}

/// Whether a (resolved, non-decimal) schema accepts a JSON number.
fn takes_plain_number(schema: &Value) -> bool {
    let Some(object) = schema.as_object() else {
        // `true` accepts anything, `false` nothing.
        return schema.as_bool().unwrap_or(false);
    };
    match object.get("type") {
        Some(Value::String(name)) => matches!(name.as_str(), "integer" | "number"),
        Some(Value::Array(names)) => names
            .iter()
            .any(|name| matches!(name.as_str(), Some("integer" | "number"))),
        Some(_) => false,
        None => {
            let combinator = ["anyOf", "oneOf", "allOf", "$ref"]
                .iter()
                .any(|key| object.contains_key(*key));
            let shaped = ["properties", "items", "const", "enum"]
                .iter()
                .any(|key| object.contains_key(*key));
            let numeric_constant = object.get("const").is_some_and(Value::is_number)
                || object
                    .get("enum")
                    .and_then(Value::as_array)
                    .is_some_and(|values| values.iter().any(Value::is_number));
            // A combinator's branches are candidates of their own; a bare
            // schema (`{}`) accepts any JSON, so numbers are not refused there.
            numeric_constant || (!combinator && !shaped)
        }
    }
}

/// A tagged-union branch is ruled out when one of its constant properties
/// (the `kind` tag) differs from the value's.
fn ruled_out_by_tag(walk: &Walk<'_>, candidate: &Value, fields: &Map<String, Value>) -> bool {
    let Some(properties) = candidate.get("properties").and_then(Value::as_object) else {
        return false;
    };
    properties.iter().any(|(name, property)| {
        let property = walk.resolve(property);
        let constant = property.get("const").or_else(|| {
            property
                .get("enum")
                .and_then(Value::as_array)
                .filter(|values| values.len() == 1)
                .and_then(|values| values.first())
        });
        match (constant, fields.get(name)) {
            (Some(expected), Some(found)) => expected != found,
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn refuse(schema: &Value, mut value: Value) -> (Vec<String>, Value) {
        let found = refuse_js_numbers(schema, schema, &mut value);
        (found.0.keys().cloned().collect(), value)
    }

    fn round_schema() -> Value {
        prm_core::api::request_schema("money.round").unwrap_or_default()
    }

    #[test]
    fn integer_amount_becomes_a_float_and_is_marked() {
        let (paths, value) = refuse(&round_schema(), json!({"amount": 12, "currency": "EUR"}));
        assert_eq!(paths, vec!["$.amount"]);
        assert!(value["amount"].is_f64());
    }

    #[test]
    fn strings_and_plain_integers_are_left_alone() {
        let schema = prm_core::api::request_schema("calendar.add_months").unwrap_or_default();
        let (paths, value) = refuse(&schema, json!({"date": "2024-01-31", "months": 1}));
        assert!(paths.is_empty());
        assert_eq!(value, json!({"date": "2024-01-31", "months": 1}));
    }

    #[test]
    fn array_items_and_nested_definitions_are_followed() {
        let schema = prm_core::api::request_schema("money.allocate").unwrap_or_default();
        let (paths, _) = refuse(
            &schema,
            json!({"total": "10", "weights": ["1", 2, 3.5], "currency": "EUR"}),
        );
        assert_eq!(paths, vec!["$.weights[1]", "$.weights[2]"]);
    }

    #[test]
    fn program_documents_are_walked_through_optional_sections() {
        let schema = prm_core::api::request_schema("program.validate").unwrap_or_default();
        let (paths, _) = refuse(
            &schema,
            json!({"program": {"schema_version": 1, "currency": "EUR", "tiers": {"tiers": [
                {"id": "gold", "name": "Gold", "rank": 2,
                 "benefits": {"commission_multiplier": 1, "deal_protection_days": 60,
                              "custom": {"anything": 3}}}
            ]}}}),
        );
        assert_eq!(
            paths,
            vec!["$.program.tiers.tiers[0].benefits.commission_multiplier"]
        );
    }

    /// A tagged union as schemars writes it: `kind` picks the branch.
    fn tagged_schema() -> Value {
        json!({
            "type": "object",
            "properties": {"rule": {"$ref": "#/$defs/Rule"}},
            "$defs": {
                "Decimal": {"type": ["string", "integer"], "format": "decimal"},
                "Rule": {"oneOf": [
                    {"type": "object", "properties": {
                        "kind": {"type": "string", "const": "fixed"},
                        "value": {"$ref": "#/$defs/Decimal"}}},
                    {"type": "object", "properties": {
                        "kind": {"type": "string", "const": "count"},
                        "value": {"type": "integer"}}},
                    {"type": "object", "properties": {
                        "kind": {"type": "string", "const": "rates"},
                        "by_tier": {"type": "object",
                                    "additionalProperties": {"$ref": "#/$defs/Decimal"}}}}
                ]}
            }
        })
    }

    #[test]
    fn the_kind_tag_decides_which_branch_a_number_is_read_by() {
        let schema = tagged_schema();
        let (paths, _) = refuse(&schema, json!({"rule": {"kind": "fixed", "value": 3}}));
        assert_eq!(paths, vec!["$.rule.value"]);
        let (paths, _) = refuse(&schema, json!({"rule": {"kind": "count", "value": 3}}));
        assert!(paths.is_empty());
        let (paths, _) = refuse(
            &schema,
            json!({"rule": {"kind": "rates", "by_tier": {"gold": 2, "odd key": "1"}}}),
        );
        assert_eq!(paths, vec!["$.rule.by_tier.gold"]);
    }

    #[test]
    fn without_a_tag_an_ambiguous_number_is_left_to_the_core() {
        let (paths, value) = refuse(&tagged_schema(), json!({"rule": {"value": 3}}));
        assert!(paths.is_empty());
        assert_eq!(value, json!({"rule": {"value": 3}}));
    }

    #[test]
    fn explain_rewrites_only_marked_problems() {
        let mut found = JsNumbers::default();
        found.0.insert("$.amount".to_owned(), "12".to_owned());
        let error = Error::invalid(vec![
            Problem::new(
                ErrorCode::DecimalMustBeString,
                JsonPath::from_text("$.amount"),
            )
            .message("core text"),
            Problem::new(
                ErrorCode::UnknownCurrency,
                JsonPath::from_text("$.currency"),
            )
            .message("unknown currency"),
        ]);
        let error = explain(error, &found);
        let texts: Vec<&str> = error.problems().iter().map(Problem::text).collect();
        assert_eq!(
            texts,
            vec![
                "expected a decimal string, found the JavaScript number 12",
                "unknown currency"
            ]
        );
    }
}
