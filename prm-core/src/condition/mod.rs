//! Condition trees: `all` / `any` / `not` over `{field, op, value}` tests, as JSON.
//!
//! A [`Condition`] is configuration: a routing rule says which leads it is
//! for, and a screening rule (onboarding) which applications it knocks out,
//! with the same tree. It is data, never a string language, so every binding
//! reads and writes it as plain JSON:
//!
//! ```json
//! {"kind": "all", "conditions": [
//!   {"kind": "field", "field": "country", "op": "in", "value": ["DE", "AT", "CH"]},
//!   {"kind": "field", "field": "estimated_value", "op": "gte", "value": "50000"},
//!   {"kind": "not", "condition": {"kind": "field", "field": "source", "op": "eq", "value": "web"}}
//! ]}
//! ```
//!
//! # Overview
//!
//! * [`Condition`]: the tree as it is written in a program document.
//! * [`FieldSet`]: the fields a kind of subject has and their [`FieldType`]s;
//!   each engine declares its own (routing declares the lead's fields).
//! * [`Condition::compile`] checks a tree against a field set, reporting
//!   every problem with its path (an unknown field, an operator that does not
//!   fit the field's type, a value of the wrong type), and gives a
//!   [`CompiledCondition`] with typed operands.
//! * [`Subject`]: anything a compiled condition can be evaluated against.
//!   The tree is generic over it, so routing evaluates leads and onboarding
//!   will evaluate applications with the same code.
//!
//! # Operators by field type
//!
//! | type | operators |
//! |---|---|
//! | `text` | `eq`, `ne`, `in`, `not_in`, `contains` (substring), `prefix`, `exists` |
//! | `decimal` | `eq`, `ne`, `in`, `not_in`, `gt`, `gte`, `lt`, `lte`, `between`, `exists` |
//! | `date`, `instant` | `eq`, `ne`, `gt`, `gte`, `lt`, `lte`, `between`, `exists` |
//! | `boolean` | `eq`, `ne`, `exists` |
//! | `text_list` | `contains` (has the element), `in` (has any of), `not_in` (has none of), `exists` (not empty) |
//! | `any` (open fields such as `custom.*`) | every operator, typed by the value at evaluation |
//!
//! `between` takes `[low, high]` and includes both ends. `in` and `not_in`
//! take a non-empty array. `exists` takes no value or a boolean (`false`
//! asks for the field to be absent). Text comparisons are exact (case
//! matters). Decimals are strings or integers, as everywhere in prm.
//!
//! # Missing fields
//!
//! A test on a field the subject does not have is false, except `ne`,
//! `not_in` and `exists` with `false`, which hold: a lead with no industry
//! is not in the industry `retail`.

mod compile;
mod field;
mod tree;

pub use compile::{CompiledCondition, MAX_CONDITION_DEPTH};
pub use field::{FieldSet, FieldType, FieldValue, Subject};
pub use tree::{Condition, Op};
