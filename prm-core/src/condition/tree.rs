//! [`Condition`] and [`Op`]: the tree as it is written in a program document.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A comparison operator of a field test.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// Equal to the value.
    Eq,
    /// Not equal to the value (holds for a missing field).
    Ne,
    /// Equal to one of the values.
    In,
    /// Equal to none of the values (holds for a missing field).
    NotIn,
    /// Greater than.
    Gt,
    /// Greater than or equal.
    Gte,
    /// Less than.
    Lt,
    /// Less than or equal.
    Lte,
    /// From `[low, high]`, both included.
    Between,
    /// Text containing the value, or a list holding it.
    Contains,
    /// Text starting with the value.
    Prefix,
    /// The field is present (or, with `false`, absent).
    Exists,
}

impl Op {
    /// The operator as written, e.g. `not_in`.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Ne => "ne",
            Op::In => "in",
            Op::NotIn => "not_in",
            Op::Gt => "gt",
            Op::Gte => "gte",
            Op::Lt => "lt",
            Op::Lte => "lte",
            Op::Between => "between",
            Op::Contains => "contains",
            Op::Prefix => "prefix",
            Op::Exists => "exists",
        }
    }
}

/// A condition tree: `all`, `any` and `not` over field tests.
///
/// ```
/// use prm_core::condition::Condition;
/// let tree: Condition = serde_json::from_str(r#"{"kind": "any", "conditions": [
///     {"kind": "field", "field": "country", "op": "eq", "value": "HU"},
///     {"kind": "not", "condition": {"kind": "field", "field": "products", "op": "exists"}}
/// ]}"#)?;
/// assert!(matches!(tree, Condition::Any { .. }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    /// Holds when every condition holds (and when the list is empty).
    All {
        /// The conditions.
        conditions: Vec<Condition>,
    },
    /// Holds when at least one condition holds (never when the list is empty).
    Any {
        /// The conditions.
        conditions: Vec<Condition>,
    },
    /// Holds when the condition does not.
    Not {
        /// The negated condition.
        condition: Box<Condition>,
    },
    /// A test of one field.
    Field {
        /// The field's name, one the subject declares (`country`, `company.domain`, `custom.segment`).
        field: String,
        /// The operator.
        op: Op,
        /// The operand: a scalar, `[low, high]` for `between`, an array for `in` / `not_in`,
        /// nothing or a boolean for `exists`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value: Option<Value>,
    },
}

impl Condition {
    /// A field test, for building trees in code.
    pub fn field(field: impl Into<String>, op: Op, value: Option<Value>) -> Condition {
        Condition::Field {
            field: field.into(),
            op,
            value,
        }
    }
}
