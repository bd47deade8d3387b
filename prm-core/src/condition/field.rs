//! [`FieldType`], [`FieldSet`], [`FieldValue`] and the [`Subject`] trait.

use crate::calendar::{Date, Instant};
use crate::money::Decimal;
use serde_json::Value;

/// The type of a field a condition can test; it decides which operators fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldType {
    /// A string (`country`, `company.domain`).
    Text,
    /// An exact decimal (`estimated_value`).
    Decimal,
    /// A calendar date.
    Date,
    /// An instant with offset (`created_at`).
    Instant,
    /// `true` or `false`.
    Boolean,
    /// A list of strings (`products`).
    TextList,
    /// A field whose type is only known from its value (`custom.*`).
    Any,
}

impl FieldType {
    /// The type's name in messages: `text`, `decimal`, `date`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Decimal => "decimal",
            FieldType::Date => "date",
            FieldType::Instant => "instant",
            FieldType::Boolean => "boolean",
            FieldType::TextList => "text_list",
            FieldType::Any => "any",
        }
    }
}

/// The fields one kind of subject offers to conditions, with their types.
///
/// `open_prefix` admits any field under a prefix (`custom.` admits
/// `custom.segment`), typed [`FieldType::Any`].
///
/// ```
/// use prm_core::condition::{FieldSet, FieldType};
/// const FIELDS: FieldSet = FieldSet::new(&[("country", FieldType::Text)], Some("custom."));
/// assert_eq!(FIELDS.field_type("country"), Some(FieldType::Text));
/// assert_eq!(FIELDS.field_type("custom.segment"), Some(FieldType::Any));
/// assert_eq!(FIELDS.field_type("contry"), None);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct FieldSet {
    fields: &'static [(&'static str, FieldType)],
    open_prefix: Option<&'static str>,
}

impl FieldSet {
    /// A field set with these named fields and, optionally, an open prefix.
    pub const fn new(
        fields: &'static [(&'static str, FieldType)],
        open_prefix: Option<&'static str>,
    ) -> FieldSet {
        FieldSet {
            fields,
            open_prefix,
        }
    }

    /// The type of field `name`, or `None` when the set has no such field.
    pub fn field_type(&self, name: &str) -> Option<FieldType> {
        if let Some((_, t)) = self.fields.iter().find(|(n, _)| *n == name) {
            return Some(*t);
        }
        match self.open_prefix {
            Some(prefix) if name.len() > prefix.len() && name.starts_with(prefix) => {
                Some(FieldType::Any)
            }
            _ => None,
        }
    }

    /// The named fields, in declaration order.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.fields.iter().map(|(n, _)| *n)
    }

    /// The open prefix, if any (`custom.`).
    pub fn open_prefix(&self) -> Option<&'static str> {
        self.open_prefix
    }
}

/// The value of one field of a subject, as a condition sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue<'a> {
    /// The subject has no value for the field.
    Missing,
    /// A string.
    Text(&'a str),
    /// An exact decimal.
    Decimal(Decimal),
    /// A date.
    Date(Date),
    /// An instant.
    Instant(Instant),
    /// A boolean.
    Boolean(bool),
    /// A list of strings.
    TextList(&'a [String]),
    /// A JSON value of an open field, typed at evaluation.
    Json(&'a Value),
}

/// Anything a [`CompiledCondition`](super::CompiledCondition) can be evaluated against.
///
/// ```
/// use prm_core::condition::{Condition, FieldSet, FieldType, FieldValue, Subject};
/// struct Applicant { country: String }
/// impl Subject for Applicant {
///     fn field(&self, name: &str) -> FieldValue<'_> {
///         match name {
///             "country" => FieldValue::Text(&self.country),
///             _ => FieldValue::Missing,
///         }
///     }
/// }
/// const FIELDS: FieldSet = FieldSet::new(&[("country", FieldType::Text)], None);
/// let tree: Condition = serde_json::from_str(
///     r#"{"kind": "field", "field": "country", "op": "in", "value": ["DE", "AT"]}"#)?;
/// let compiled = tree.compile(&FIELDS, &prm_core::JsonPath::root())?;
/// assert!(compiled.evaluate(&Applicant { country: "AT".into() }));
/// assert!(!compiled.evaluate(&Applicant { country: "FR".into() }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Subject {
    /// The value of field `name` (one the [`FieldSet`] declares), or [`FieldValue::Missing`].
    fn field(&self, name: &str) -> FieldValue<'_>;
}
