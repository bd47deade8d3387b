//! [`CompiledCondition`]: a checked, typed condition tree, ready to evaluate.

use super::field::{FieldSet, FieldType, FieldValue, Subject};
use super::tree::{Condition, Op};
use crate::calendar::{Date, Instant};
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use crate::money::Decimal;
use serde_json::Value;
use std::cmp::Ordering;

/// How deep a condition tree may nest before it is refused with `limit_exceeded`.
pub const MAX_CONDITION_DEPTH: usize = 32;

/// A condition tree checked against a [`FieldSet`], with typed operands.
///
/// Built by [`Condition::compile`]; evaluate it with [`CompiledCondition::evaluate`].
#[derive(Debug, Clone, PartialEq)]
pub struct CompiledCondition {
    node: Node,
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    All(Vec<Node>),
    Any(Vec<Node>),
    Not(Box<Node>),
    Test {
        field: String,
        op: Op,
        operand: Operand,
    },
}

#[derive(Debug, Clone, PartialEq)]
enum Scalar {
    Text(String),
    Decimal(Decimal),
    Date(Date),
    Instant(Instant),
    Boolean(bool),
}

#[derive(Debug, Clone, PartialEq)]
enum Operand {
    One(Scalar),
    Many(Vec<Scalar>),
    Range(Scalar, Scalar),
    Exists(bool),
}

impl Condition {
    /// Checks the tree against `fields` and types its operands.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] listing every problem, each under `path`:
    /// * `condition_unknown_field` for a field the set does not declare (with a suggestion);
    /// * `condition_operator_mismatch` for an operator that does not fit the field's type
    ///   (`gt` on text, `prefix` on a decimal);
    /// * `condition_value_mismatch` for a value of the wrong type or shape (a string for a
    ///   decimal field, `between` without `[low, high]`, an empty `in` list);
    /// * `missing_field` when an operator other than `exists` has no value;
    /// * `decimal_must_be_string`, `invalid_decimal`, `invalid_date`, `invalid_instant` for
    ///   malformed operands;
    /// * `nesting_too_deep` (an [`Error::LimitExceeded`]) when the tree nests deeper than 32 levels.
    ///
    /// # Example
    ///
    /// ```
    /// use prm_core::condition::{Condition, FieldSet, FieldType};
    /// use prm_core::JsonPath;
    /// const FIELDS: FieldSet = FieldSet::new(
    ///     &[("country", FieldType::Text), ("estimated_value", FieldType::Decimal)], None);
    /// let ok: Condition = serde_json::from_str(
    ///     r#"{"kind": "field", "field": "estimated_value", "op": "between", "value": ["1000", 5000]}"#)?;
    /// assert!(ok.compile(&FIELDS, &JsonPath::root()).is_ok());
    ///
    /// let bad: Condition = serde_json::from_str(r#"{"kind": "all", "conditions": [
    ///     {"kind": "field", "field": "contry", "op": "eq", "value": "DE"},
    ///     {"kind": "field", "field": "country", "op": "gt", "value": "DE"}]}"#)?;
    /// let err = bad.compile(&FIELDS, &JsonPath::root()).unwrap_err();
    /// let found: Vec<_> = err.problems().iter().map(|p| (p.code().as_str(), p.path())).collect();
    /// assert_eq!(found, vec![
    ///     ("condition_unknown_field", "$.conditions[0].field"),
    ///     ("condition_operator_mismatch", "$.conditions[1].op"),
    /// ]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn compile(&self, fields: &FieldSet, path: &JsonPath) -> Result<CompiledCondition, Error> {
        let mut problems = Problems::new();
        let node = compile_node(self, fields, path, 0, &mut problems);
        match node {
            Some(node) if problems.is_empty() => Ok(CompiledCondition { node }),
            _ => Err(problems_error(problems)),
        }
    }
}

fn problems_error(problems: Problems) -> Error {
    let list = problems.into_vec();
    if list.is_empty() {
        Error::Internal(vec![
            Problem::new(ErrorCode::Internal, JsonPath::root())
                .message("condition refused without a problem; please report this"),
        ])
    } else if list.iter().any(|p| p.code().is_limit()) {
        Error::LimitExceeded(list)
    } else {
        Error::Invalid(list)
    }
}

fn compile_node(
    condition: &Condition,
    fields: &FieldSet,
    path: &JsonPath,
    depth: usize,
    problems: &mut Problems,
) -> Option<Node> {
    if depth > MAX_CONDITION_DEPTH {
        problems.push(
            Problem::new(ErrorCode::NestingTooDeep, path)
                .message(format!(
                    "condition nests more than {MAX_CONDITION_DEPTH} levels deep"
                ))
                .help(
                    "flatten the tree: `all` inside `all` (or `any` inside `any`) can be one list",
                ),
        );
        return None;
    }
    match condition {
        Condition::All { conditions } | Condition::Any { conditions } => {
            let list = path.key("conditions");
            let nodes: Vec<Option<Node>> = conditions
                .iter()
                .enumerate()
                .map(|(i, c)| compile_node(c, fields, &list.index(i), depth + 1, problems))
                .collect();
            let nodes: Option<Vec<Node>> = nodes.into_iter().collect();
            let nodes = nodes?;
            Some(if matches!(condition, Condition::All { .. }) {
                Node::All(nodes)
            } else {
                Node::Any(nodes)
            })
        }
        Condition::Not { condition } => compile_node(
            condition,
            fields,
            &path.key("condition"),
            depth + 1,
            problems,
        )
        .map(|n| Node::Not(Box::new(n))),
        Condition::Field { field, op, value } => {
            compile_test(field, *op, value.as_ref(), fields, path, problems)
        }
    }
}

fn allowed_ops(field_type: FieldType) -> &'static [Op] {
    use Op::*;
    match field_type {
        FieldType::Text => &[Eq, Ne, In, NotIn, Contains, Prefix, Exists],
        FieldType::Decimal => &[Eq, Ne, In, NotIn, Gt, Gte, Lt, Lte, Between, Exists],
        FieldType::Date | FieldType::Instant => &[Eq, Ne, Gt, Gte, Lt, Lte, Between, Exists],
        FieldType::Boolean => &[Eq, Ne, Exists],
        FieldType::TextList => &[Contains, In, NotIn, Exists],
        FieldType::Any => &[
            Eq, Ne, In, NotIn, Gt, Gte, Lt, Lte, Between, Contains, Prefix, Exists,
        ],
    }
}

fn compile_test(
    field: &str,
    op: Op,
    value: Option<&Value>,
    fields: &FieldSet,
    path: &JsonPath,
    problems: &mut Problems,
) -> Option<Node> {
    let Some(field_type) = fields.field_type(field) else {
        let mut problem = Problem::new(ErrorCode::ConditionUnknownField, path.key("field"))
            .message(format!("unknown field `{field}`"));
        if let Some(close) = crate::input::did_you_mean(field, fields.names()) {
            problem = problem.help(format!("did you mean `{close}`?"));
        } else {
            let mut known: Vec<String> = fields.names().map(str::to_owned).collect();
            if let Some(prefix) = fields.open_prefix() {
                known.push(format!("{prefix}<name>"));
            }
            problem = problem.help(format!("known fields: {}", known.join(", ")));
        }
        problems.push(problem);
        return None;
    };
    let allowed = allowed_ops(field_type);
    if !allowed.contains(&op) {
        let names: Vec<&str> = allowed.iter().map(|o| o.as_str()).collect();
        problems.push(
            Problem::new(ErrorCode::ConditionOperatorMismatch, path.key("op"))
                .message(format!(
                    "operator `{}` does not fit {} field `{field}`",
                    op.as_str(),
                    field_type.as_str()
                ))
                .help(format!("use one of {}", names.join(", "))),
        );
        return None;
    }
    let value_path = path.key("value");
    let operand = match (op, value) {
        (Op::Exists, None) => Some(Operand::Exists(true)),
        (Op::Exists, Some(Value::Bool(b))) => Some(Operand::Exists(*b)),
        (Op::Exists, Some(other)) => {
            problems.push(mismatch(
                &value_path,
                "`true` or `false` (or no value)",
                other,
            ));
            None
        }
        (_, None) => {
            problems.push(
                Problem::new(ErrorCode::MissingField, &value_path)
                    .message(format!("operator `{}` needs a `value`", op.as_str())),
            );
            None
        }
        (Op::In | Op::NotIn, Some(Value::Array(items))) if !items.is_empty() => {
            let element = element_type(field_type);
            let scalars: Vec<Option<Scalar>> = items
                .iter()
                .enumerate()
                .map(|(i, v)| scalar(element, op, v, &value_path.index(i), problems))
                .collect();
            scalars
                .into_iter()
                .collect::<Option<Vec<_>>>()
                .map(Operand::Many)
        }
        (Op::In | Op::NotIn, Some(other)) => {
            problems.push(mismatch(&value_path, "a non-empty array of values", other));
            None
        }
        (Op::Between, Some(Value::Array(items))) if items.len() == 2 => {
            let low = items
                .first()
                .and_then(|v| scalar(field_type, op, v, &value_path.index(0), problems));
            let high = items
                .get(1)
                .and_then(|v| scalar(field_type, op, v, &value_path.index(1), problems));
            match (low, high) {
                (Some(low), Some(high)) => {
                    if compare(&low, &high) == Some(Ordering::Greater) {
                        problems.push(
                            Problem::new(ErrorCode::ConditionValueMismatch, &value_path)
                                .message(format!(
                                    "`between` needs [low, high] with low <= high, found {}",
                                    value.map_or(String::new(), Value::to_string)
                                ))
                                .help("swap the two bounds"),
                        );
                        None
                    } else if compare(&low, &high).is_none() {
                        problems.push(
                            Problem::new(ErrorCode::ConditionValueMismatch, &value_path)
                                .message("`between` needs two bounds of the same type"),
                        );
                        None
                    } else {
                        Some(Operand::Range(low, high))
                    }
                }
                _ => None,
            }
        }
        (Op::Between, Some(Value::Array(items))) => {
            problems.push(
                Problem::new(ErrorCode::ConditionValueMismatch, &value_path).message(format!(
                    "`between` needs exactly two bounds `[low, high]`, found {}",
                    items.len()
                )),
            );
            None
        }
        (Op::Between, Some(other)) => {
            problems.push(mismatch(&value_path, "an array `[low, high]`", other));
            None
        }
        (_, Some(v)) => {
            let element = if field_type == FieldType::TextList {
                FieldType::Text
            } else {
                field_type
            };
            scalar(element, op, v, &value_path, problems).map(Operand::One)
        }
    }?;
    Some(Node::Test {
        field: field.to_owned(),
        op,
        operand,
    })
}

fn element_type(field_type: FieldType) -> FieldType {
    if field_type == FieldType::TextList {
        FieldType::Text
    } else {
        field_type
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string \"{s}\""),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

fn mismatch(path: &JsonPath, expected: &str, found: &Value) -> Problem {
    Problem::new(ErrorCode::ConditionValueMismatch, path)
        .message(format!("expected {expected}, found {}", describe(found)))
}

fn take<T>(result: Result<T, Error>, problems: &mut Problems) -> Option<T> {
    problems.take(result)
}

fn parse_instant(text: &str, path: &JsonPath) -> Result<Instant, Error> {
    chrono::DateTime::parse_from_rfc3339(text).map_err(|_| {
        Error::problem(
            Problem::new(ErrorCode::InvalidInstant, path)
                .message(format!(
                    "expected an RFC 3339 instant with offset, found `{text}`"
                ))
                .help("write instants like `2026-01-05T09:30:00Z`"),
        )
    })
}

fn decimal_value(value: &Value, path: &JsonPath, problems: &mut Problems) -> Option<Decimal> {
    match value {
        Value::String(text) => take(Decimal::parse_at(text, path), problems),
        Value::Number(n) if n.is_i64() => n.as_i64().map(Decimal::from),
        Value::Number(n) if n.is_u64() => n
            .as_u64()
            .map(|u| Decimal::new(rust_decimal::Decimal::from(u))),
        Value::Number(n) => {
            problems.push(
                Problem::new(ErrorCode::DecimalMustBeString, path)
                    .message(format!("expected a decimal string, found the number {n}"))
                    .help(format!("write it as a string: \"{n}\"")),
            );
            None
        }
        other => {
            problems.push(mismatch(path, "a decimal string such as \"50000\"", other));
            None
        }
    }
}

/// Reads one operand of `field_type` from `value`.
fn scalar(
    field_type: FieldType,
    op: Op,
    value: &Value,
    path: &JsonPath,
    problems: &mut Problems,
) -> Option<Scalar> {
    match field_type {
        FieldType::Text | FieldType::TextList => match value {
            Value::String(s) => Some(Scalar::Text(s.clone())),
            other => {
                problems.push(mismatch(path, "a string", other));
                None
            }
        },
        FieldType::Decimal => decimal_value(value, path, problems).map(Scalar::Decimal),
        FieldType::Date => match value {
            Value::String(s) => take(Date::parse_at(s, path), problems).map(Scalar::Date),
            other => {
                problems.push(mismatch(path, "a date `YYYY-MM-DD`", other));
                None
            }
        },
        FieldType::Instant => match value {
            Value::String(s) => take(parse_instant(s, path), problems).map(Scalar::Instant),
            other => {
                problems.push(mismatch(path, "an RFC 3339 instant", other));
                None
            }
        },
        FieldType::Boolean => match value {
            Value::Bool(b) => Some(Scalar::Boolean(*b)),
            other => {
                problems.push(mismatch(path, "`true` or `false`", other));
                None
            }
        },
        FieldType::Any => any_scalar(op, value, path, problems),
    }
}

/// An operand of an open field, typed by its JSON form: booleans, integers and
/// decimal strings for ordering operators, dates and instants, else text.
fn any_scalar(op: Op, value: &Value, path: &JsonPath, problems: &mut Problems) -> Option<Scalar> {
    let ordering = matches!(op, Op::Gt | Op::Gte | Op::Lt | Op::Lte | Op::Between);
    match value {
        Value::Bool(b) => Some(Scalar::Boolean(*b)),
        Value::Number(_) => decimal_value(value, path, problems).map(Scalar::Decimal),
        Value::String(s) if ordering => {
            if let Ok(d) = Decimal::parse_at(s, path) {
                Some(Scalar::Decimal(d))
            } else if let Ok(d) = Date::parse_at(s, path) {
                Some(Scalar::Date(d))
            } else if let Ok(i) = parse_instant(s, path) {
                Some(Scalar::Instant(i))
            } else {
                problems.push(mismatch(
                    path,
                    "a decimal, date or instant for an ordering operator",
                    value,
                ));
                None
            }
        }
        Value::String(s) => Some(Scalar::Text(s.clone())),
        other => {
            problems.push(mismatch(path, "a string, number or boolean", other));
            None
        }
    }
}

fn compare(a: &Scalar, b: &Scalar) -> Option<Ordering> {
    match (a, b) {
        (Scalar::Text(x), Scalar::Text(y)) => Some(x.as_str().cmp(y.as_str())),
        (Scalar::Decimal(x), Scalar::Decimal(y)) => Some(x.cmp(y)),
        (Scalar::Date(x), Scalar::Date(y)) => Some(x.cmp(y)),
        (Scalar::Instant(x), Scalar::Instant(y)) => Some(x.cmp(y)),
        (Scalar::Boolean(x), Scalar::Boolean(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// Orders a field value against an operand of the operand's type, or `None` when they do not compare.
fn order(value: &FieldValue<'_>, operand: &Scalar) -> Option<Ordering> {
    match (value, operand) {
        (FieldValue::Text(x), Scalar::Text(y)) => Some((*x).cmp(y.as_str())),
        (FieldValue::Decimal(x), Scalar::Decimal(y)) => Some(x.cmp(y)),
        (FieldValue::Date(x), Scalar::Date(y)) => Some(x.cmp(y)),
        (FieldValue::Instant(x), Scalar::Instant(y)) => Some(x.cmp(y)),
        (FieldValue::Boolean(x), Scalar::Boolean(y)) => Some(x.cmp(y)),
        (FieldValue::Json(json), _) => {
            json_scalar(json, operand).and_then(|s| compare(&s, operand))
        }
        _ => None,
    }
}

/// Reads an open field's JSON value as the operand's type, when it can be.
fn json_scalar(json: &Value, like: &Scalar) -> Option<Scalar> {
    let root = JsonPath::root();
    match (like, json) {
        (Scalar::Text(_), Value::String(s)) => Some(Scalar::Text(s.clone())),
        (Scalar::Boolean(_), Value::Bool(b)) => Some(Scalar::Boolean(*b)),
        (Scalar::Decimal(_), Value::String(s)) => {
            Decimal::parse_at(s, &root).ok().map(Scalar::Decimal)
        }
        (Scalar::Decimal(_), Value::Number(n)) => {
            n.as_i64().map(|i| Scalar::Decimal(Decimal::from(i)))
        }
        (Scalar::Date(_), Value::String(s)) => Date::parse_at(s, &root).ok().map(Scalar::Date),
        (Scalar::Instant(_), Value::String(s)) => parse_instant(s, &root).ok().map(Scalar::Instant),
        _ => None,
    }
}

fn present(value: &FieldValue<'_>) -> bool {
    match value {
        FieldValue::Missing => false,
        FieldValue::TextList(list) => !list.is_empty(),
        FieldValue::Json(json) => !json.is_null(),
        _ => true,
    }
}

impl CompiledCondition {
    /// A condition that always holds (a rule without a condition).
    pub fn always() -> CompiledCondition {
        CompiledCondition {
            node: Node::All(Vec::new()),
        }
    }

    /// True when the condition holds for `subject`.
    ///
    /// # Properties
    ///
    /// Pure: the same subject gives the same answer; `not` inverts exactly.
    pub fn evaluate<S: Subject + ?Sized>(&self, subject: &S) -> bool {
        evaluate_node(&self.node, subject)
    }
}

fn evaluate_node<S: Subject + ?Sized>(node: &Node, subject: &S) -> bool {
    match node {
        Node::All(nodes) => nodes.iter().all(|n| evaluate_node(n, subject)),
        Node::Any(nodes) => nodes.iter().any(|n| evaluate_node(n, subject)),
        Node::Not(inner) => !evaluate_node(inner, subject),
        Node::Test { field, op, operand } => test(&subject.field(field), *op, operand),
    }
}

fn test(value: &FieldValue<'_>, op: Op, operand: &Operand) -> bool {
    if let Operand::Exists(want) = operand {
        return present(value) == *want;
    }
    if !present(value) {
        return matches!(op, Op::Ne | Op::NotIn);
    }
    match (op, operand) {
        (Op::Contains, Operand::One(Scalar::Text(needle))) => match value {
            FieldValue::Text(text) => text.contains(needle.as_str()),
            FieldValue::TextList(list) => list.iter().any(|item| item == needle),
            FieldValue::Json(Value::String(text)) => text.contains(needle.as_str()),
            FieldValue::Json(Value::Array(items)) => {
                items.iter().any(|i| i.as_str() == Some(needle.as_str()))
            }
            _ => false,
        },
        (Op::Contains, Operand::One(other)) => match value {
            FieldValue::Json(Value::Array(items)) => items.iter().any(|i| {
                json_scalar(i, other).is_some_and(|s| compare(&s, other) == Some(Ordering::Equal))
            }),
            _ => false,
        },
        (Op::Prefix, Operand::One(Scalar::Text(start))) => match value {
            FieldValue::Text(text) => text.starts_with(start.as_str()),
            FieldValue::Json(Value::String(text)) => text.starts_with(start.as_str()),
            _ => false,
        },
        (Op::In | Op::NotIn, Operand::Many(options)) => {
            let hit = match value {
                FieldValue::TextList(list) => list.iter().any(|item| {
                    options
                        .iter()
                        .any(|o| matches!(o, Scalar::Text(t) if t == item))
                }),
                _ => options
                    .iter()
                    .any(|o| order(value, o) == Some(Ordering::Equal)),
            };
            hit == (op == Op::In)
        }
        (Op::Between, Operand::Range(low, high)) => {
            matches!(order(value, low), Some(Ordering::Greater | Ordering::Equal))
                && matches!(order(value, high), Some(Ordering::Less | Ordering::Equal))
        }
        (_, Operand::One(operand)) => match order(value, operand) {
            Some(ordering) => match op {
                Op::Eq => ordering == Ordering::Equal,
                Op::Ne => ordering != Ordering::Equal,
                Op::Gt => ordering == Ordering::Greater,
                Op::Gte => ordering != Ordering::Less,
                Op::Lt => ordering == Ordering::Less,
                Op::Lte => ordering != Ordering::Greater,
                _ => false,
            },
            None => op == Op::Ne,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    const FIELDS: FieldSet = FieldSet::new(
        &[
            ("country", FieldType::Text),
            ("value", FieldType::Decimal),
            ("created_at", FieldType::Instant),
            ("products", FieldType::TextList),
            ("vip", FieldType::Boolean),
        ],
        Some("custom."),
    );

    #[derive(Default)]
    struct Facts {
        country: Option<String>,
        value: Option<Decimal>,
        products: Vec<String>,
        vip: Option<bool>,
        custom: BTreeMap<String, Value>,
    }

    impl Subject for Facts {
        fn field(&self, name: &str) -> FieldValue<'_> {
            match name {
                "country" => self
                    .country
                    .as_deref()
                    .map_or(FieldValue::Missing, FieldValue::Text),
                "value" => self.value.map_or(FieldValue::Missing, FieldValue::Decimal),
                "products" => FieldValue::TextList(&self.products),
                "vip" => self.vip.map_or(FieldValue::Missing, FieldValue::Boolean),
                other => other
                    .strip_prefix("custom.")
                    .and_then(|k| self.custom.get(k))
                    .map_or(FieldValue::Missing, FieldValue::Json),
            }
        }
    }

    fn holds(tree: Value, facts: &Facts) -> bool {
        let condition: Condition = serde_json::from_value(tree).unwrap();
        condition
            .compile(&FIELDS, &JsonPath::root())
            .unwrap()
            .evaluate(facts)
    }

    fn codes(tree: Value) -> Vec<(String, String)> {
        let condition: Condition = serde_json::from_value(tree).unwrap();
        match condition.compile(&FIELDS, &JsonPath::root()) {
            Ok(_) => Vec::new(),
            Err(e) => e
                .problems()
                .iter()
                .map(|p| (p.code().to_string(), p.path().to_owned()))
                .collect(),
        }
    }

    fn de() -> Facts {
        Facts {
            country: Some("DE".into()),
            value: Some("75000".parse().unwrap()),
            products: vec!["CLOUD".into(), "EDGE".into()],
            vip: Some(true),
            custom: BTreeMap::from([
                ("segment".into(), json!("enterprise")),
                ("seats".into(), json!(250)),
            ]),
        }
    }

    #[test]
    fn every_operator_on_its_type() {
        let facts = de();
        for (tree, want) in [
            (
                json!({"kind": "field", "field": "country", "op": "eq", "value": "DE"}),
                true,
            ),
            (
                json!({"kind": "field", "field": "country", "op": "ne", "value": "DE"}),
                false,
            ),
            (
                json!({"kind": "field", "field": "country", "op": "in", "value": ["AT", "DE"]}),
                true,
            ),
            (
                json!({"kind": "field", "field": "country", "op": "not_in", "value": ["AT"]}),
                true,
            ),
            (
                json!({"kind": "field", "field": "country", "op": "prefix", "value": "D"}),
                true,
            ),
            (
                json!({"kind": "field", "field": "country", "op": "contains", "value": "E"}),
                true,
            ),
            (
                json!({"kind": "field", "field": "value", "op": "gt", "value": "75000"}),
                false,
            ),
            (
                json!({"kind": "field", "field": "value", "op": "gte", "value": 75000}),
                true,
            ),
            (
                json!({"kind": "field", "field": "value", "op": "lt", "value": "75000.01"}),
                true,
            ),
            (
                json!({"kind": "field", "field": "value", "op": "lte", "value": "74999"}),
                false,
            ),
            (
                json!({"kind": "field", "field": "value", "op": "between", "value": ["75000", "80000"]}),
                true,
            ),
            (
                json!({"kind": "field", "field": "value", "op": "in", "value": ["75000.00"]}),
                true,
            ),
            (
                json!({"kind": "field", "field": "products", "op": "contains", "value": "EDGE"}),
                true,
            ),
            (
                json!({"kind": "field", "field": "products", "op": "in", "value": ["X", "CLOUD"]}),
                true,
            ),
            (
                json!({"kind": "field", "field": "products", "op": "not_in", "value": ["CLOUD"]}),
                false,
            ),
            (
                json!({"kind": "field", "field": "products", "op": "exists"}),
                true,
            ),
            (
                json!({"kind": "field", "field": "vip", "op": "eq", "value": true}),
                true,
            ),
            (
                json!({"kind": "field", "field": "custom.segment", "op": "eq", "value": "enterprise"}),
                true,
            ),
            (
                json!({"kind": "field", "field": "custom.seats", "op": "gte", "value": "200"}),
                true,
            ),
            (
                json!({"kind": "field", "field": "custom.seats", "op": "eq", "value": "x"}),
                false,
            ),
        ] {
            assert_eq!(holds(tree.clone(), &facts), want, "{tree}");
        }
    }

    #[test]
    fn missing_field_fails_tests_except_negative_ones() {
        let empty = Facts::default();
        for (tree, want) in [
            (
                json!({"kind": "field", "field": "country", "op": "eq", "value": "DE"}),
                false,
            ),
            (
                json!({"kind": "field", "field": "country", "op": "ne", "value": "DE"}),
                true,
            ),
            (
                json!({"kind": "field", "field": "country", "op": "not_in", "value": ["DE"]}),
                true,
            ),
            (
                json!({"kind": "field", "field": "country", "op": "exists"}),
                false,
            ),
            (
                json!({"kind": "field", "field": "country", "op": "exists", "value": false}),
                true,
            ),
            (
                json!({"kind": "field", "field": "products", "op": "exists"}),
                false,
            ),
            (
                json!({"kind": "field", "field": "custom.x", "op": "gt", "value": 1}),
                false,
            ),
        ] {
            assert_eq!(holds(tree.clone(), &empty), want, "{tree}");
        }
    }

    #[test]
    fn all_any_not_combine() {
        let facts = de();
        assert!(holds(json!({"kind": "all", "conditions": []}), &facts));
        assert!(!holds(json!({"kind": "any", "conditions": []}), &facts));
        assert!(holds(
            json!({"kind": "any", "conditions": [
                {"kind": "field", "field": "country", "op": "eq", "value": "FR"},
                {"kind": "not", "condition": {"kind": "field", "field": "vip", "op": "eq", "value": false}}
            ]}),
            &facts
        ));
    }

    #[test]
    fn compile_reports_every_problem_with_its_path() {
        let found = codes(json!({"kind": "all", "conditions": [
            {"kind": "field", "field": "countyr", "op": "eq", "value": "DE"},
            {"kind": "field", "field": "country", "op": "gt", "value": "DE"},
            {"kind": "field", "field": "value", "op": "eq", "value": "lots"},
            {"kind": "field", "field": "value", "op": "eq", "value": 1.5},
            {"kind": "field", "field": "value", "op": "between", "value": ["10", "5"]},
            {"kind": "field", "field": "value", "op": "in", "value": []},
            {"kind": "field", "field": "created_at", "op": "gt", "value": "2026-01-01"},
            {"kind": "field", "field": "vip", "op": "eq"},
            {"kind": "not", "condition": {"kind": "field", "field": "vip", "op": "exists", "value": "yes"}}
        ]}));
        let want: Vec<(String, String)> = [
            ("condition_unknown_field", "$.conditions[0].field"),
            ("condition_operator_mismatch", "$.conditions[1].op"),
            ("invalid_decimal", "$.conditions[2].value"),
            ("decimal_must_be_string", "$.conditions[3].value"),
            ("condition_value_mismatch", "$.conditions[4].value"),
            ("condition_value_mismatch", "$.conditions[5].value"),
            ("invalid_instant", "$.conditions[6].value"),
            ("missing_field", "$.conditions[7].value"),
            (
                "condition_value_mismatch",
                "$.conditions[8].condition.value",
            ),
        ]
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect();
        assert_eq!(found, want);
    }

    #[test]
    fn deep_trees_are_refused() {
        let mut tree = json!({"kind": "field", "field": "vip", "op": "exists"});
        for _ in 0..40 {
            tree = json!({"kind": "not", "condition": tree});
        }
        let condition: Condition = serde_json::from_value(tree).unwrap();
        let err = condition.compile(&FIELDS, &JsonPath::root()).unwrap_err();
        assert_eq!(err.code(), "limit_exceeded");
    }

    proptest::proptest! {
        #[test]
        fn prop_not_inverts_and_evaluation_is_pure(value in 0i64..200, low in 0i64..200, span in 0i64..100) {
            let facts = Facts { value: Some(Decimal::from(value)), ..Facts::default() };
            let test = json!({"kind": "field", "field": "value", "op": "between", "value": [low, low + span]});
            let inside = holds(test.clone(), &facts);
            proptest::prop_assert_eq!(inside, value >= low && value <= low + span);
            proptest::prop_assert_eq!(holds(json!({"kind": "not", "condition": test.clone()}), &facts), !inside);
            proptest::prop_assert_eq!(holds(test, &facts), inside);
        }
    }
}
