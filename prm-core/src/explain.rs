//! [`Explanation`]: the structured trace every decision carries.
//!
//! An explanation is a tree of [`Step`]s. Each step names the rule it is about
//! (`tier.gold.requirements[0]`), its [`Outcome`], a sentence for a person,
//! and the values it saw. It serializes as JSON and renders as indented text.
//!
//! ```
//! use prm_core::explain::{Explanation, Step, Outcome};
//! let mut why = Explanation::new();
//! why.push(
//!     Step::new("tier.gold", Outcome::Failed, "gold needs 18500.00 EUR more revenue")
//!         .value("actual", "31500.00")
//!         .value("required", "50000.00"),
//! );
//! why.push(Step::new("tier.silver", Outcome::Met, "silver requirements hold"));
//! assert_eq!(
//!     why.to_text(),
//!     "✗ tier.gold: gold needs 18500.00 EUR more revenue (actual=31500.00, required=50000.00)\n\
//!      ✓ tier.silver: silver requirements hold\n"
//! );
//! ```

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::ser::SerializeMap as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

/// How a step turned out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A rule was applied (a bracket, a rate, a strategy).
    Applied,
    /// A requirement or condition held.
    Met,
    /// A requirement or condition did not hold.
    Failed,
    /// A rule was not considered (its gate failed, an earlier rule decided).
    Skipped,
    /// Context: a value seen, a choice made.
    Info,
}

impl Outcome {
    fn marker(self) -> &'static str {
        match self {
            Outcome::Applied => "→",
            Outcome::Met => "✓",
            Outcome::Failed => "✗",
            Outcome::Skipped => "–",
            Outcome::Info => "·",
        }
    }
}

/// One step of an explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Step {
    /// The rule, requirement or bracket this step is about.
    pub rule: String,
    /// How it turned out.
    pub outcome: Outcome,
    /// What happened, for a person.
    pub message: String,
    /// The values it saw, by name (amounts and dates as text).
    #[serde(default, skip_serializing_if = "Values::is_empty")]
    pub values: Values,
    /// Finer steps inside this one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Step>,
}

impl Step {
    /// A step about `rule` with `outcome` and `message`.
    pub fn new(rule: impl Into<String>, outcome: Outcome, message: impl Into<String>) -> Step {
        Step {
            rule: rule.into(),
            outcome,
            message: message.into(),
            values: Values::default(),
            children: Vec::new(),
        }
    }

    /// Records a value the step saw (replacing one of the same name). A
    /// `&'static str` name is kept as it is and a `String` is moved; a
    /// borrowed `&str` needs `.to_owned()`.
    #[must_use]
    pub fn value(mut self, name: impl Into<Cow<'static, str>>, value: impl ToString) -> Step {
        self.values.insert(name, value.to_string());
        self
    }

    /// Adds a finer step.
    #[must_use]
    pub fn child(mut self, step: Step) -> Step {
        self.children.push(step);
        self
    }

    fn render(&self, depth: usize, out: &mut String) {
        let indent = "  ".repeat(depth);
        let _ = write!(
            out,
            "{indent}{} {}: {}",
            self.outcome.marker(),
            self.rule,
            self.message
        );
        if !self.values.is_empty() {
            let values: Vec<String> = self
                .values
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            let _ = write!(out, " ({})", values.join(", "));
        }
        out.push('\n');
        for child in &self.children {
            child.render(depth + 1, out);
        }
    }
}

/// The values a step saw, by name, in name order: on the wire a JSON object
/// of strings, as a `BTreeMap<String, String>` would be.
///
/// Every step records a few values, and each partner's statement carries an
/// explanation of a dozen steps, so the values are kept in one small sorted
/// vector, and a name given as a `&'static str` is not copied.
///
/// ```
/// use prm_core::explain::{Outcome, Step};
/// let step = Step::new("tier.gold", Outcome::Failed, "gold needs more revenue")
///     .value("required", "50000.00")
///     .value("actual", "31500.00");
/// assert_eq!(step.values.get("actual"), Some("31500.00"));
/// let names: Vec<&str> = step.values.iter().map(|(name, _)| name).collect();
/// assert_eq!(names, ["actual", "required"]);
/// assert_eq!(
///     serde_json::to_string(&step.values)?,
///     r#"{"actual":"31500.00","required":"50000.00"}"#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Values {
    /// Sorted by name, each name once (no tree node a step, as a
    /// `BTreeMap` would allocate). `Cow` compares and hashes by content, so
    /// the derived traits order and hash as the map's did.
    entries: Vec<(Cow<'static, str>, String)>,
}

impl Values {
    /// No values.
    pub fn new() -> Values {
        Values::default()
    }

    /// Records `value` under `name`, returning the value it replaces.
    pub fn insert(&mut self, name: impl Into<Cow<'static, str>>, value: String) -> Option<String> {
        let name = name.into();
        match self.find(&name) {
            Ok(at) => self
                .entries
                .get_mut(at)
                .map(|(_, old)| std::mem::replace(old, value)),
            Err(at) => {
                if self.entries.capacity() == 0 {
                    // Steps record a few values: room for them at once.
                    self.entries.reserve_exact(4);
                }
                self.entries.insert(at, (name, value));
                None
            }
        }
    }

    /// Where `name` is, or where it would go.
    fn find(&self, name: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(n, _)| n.as_ref().cmp(name))
    }

    /// The value named `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.find(name)
            .ok()
            .and_then(|at| self.entries.get(at))
            .map(|(_, v)| v.as_str())
    }

    /// True when a value is named `name`.
    pub fn contains_key(&self, name: &str) -> bool {
        self.find(name).is_ok()
    }

    /// Removes the value named `name`, returning it.
    pub fn remove(&mut self, name: &str) -> Option<String> {
        let at = self.find(name).ok()?;
        (at < self.entries.len()).then(|| self.entries.remove(at).1)
    }

    /// The values with their names, in name order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&str, &str)> + ExactSizeIterator {
        self.entries.iter().map(|(n, v)| (n.as_ref(), v.as_str()))
    }

    /// How many values there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl fmt::Debug for Values {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<N: Into<Cow<'static, str>>, V: Into<String>> Extend<(N, V)> for Values {
    fn extend<I: IntoIterator<Item = (N, V)>>(&mut self, values: I) {
        for (name, value) in values {
            self.insert(name, value.into());
        }
    }
}

impl<N: Into<Cow<'static, str>>, V: Into<String>> FromIterator<(N, V)> for Values {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(values: I) -> Values {
        let mut out = Values::new();
        out.extend(values);
        out
    }
}

impl<'a> IntoIterator for &'a Values {
    type Item = (&'a str, &'a str);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (Cow<'static, str>, String)>,
        fn(&'a (Cow<'static, str>, String)) -> (&'a str, &'a str),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(n, v)| (n.as_ref(), v.as_str()))
    }
}

impl Serialize for Values {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (name, value) in self.iter() {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Values {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Values, D::Error> {
        // Through a map, so a repeated name keeps its last value, as before.
        let map = BTreeMap::<String, String>::deserialize(deserializer)?;
        Ok(Values {
            entries: map.into_iter().map(|(n, v)| (Cow::Owned(n), v)).collect(),
        })
    }
}

impl JsonSchema for Values {
    fn inline_schema() -> bool {
        <BTreeMap<String, String>>::inline_schema()
    }

    fn schema_name() -> Cow<'static, str> {
        <BTreeMap<String, String>>::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        <BTreeMap<String, String>>::schema_id()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        <BTreeMap<String, String>>::json_schema(generator)
    }
}

/// The trace behind a decision: steps in the order they were taken.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct Explanation {
    steps: Vec<Step>,
}

impl Explanation {
    /// An empty explanation.
    pub fn new() -> Explanation {
        Explanation::default()
    }

    /// An empty explanation with room for `steps` steps.
    pub(crate) fn with_capacity(steps: usize) -> Explanation {
        Explanation {
            steps: Vec::with_capacity(steps),
        }
    }

    /// Appends a step.
    pub fn push(&mut self, step: Step) {
        self.steps.push(step);
    }

    /// The steps.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// The explanation as indented text, one step per line:
    /// `✓` met, `✗` failed, `→` applied, `–` skipped, `·` information.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for step in &self.steps {
            step.render(0, &mut out);
        }
        out
    }
}

impl From<Vec<Step>> for Explanation {
    fn from(steps: Vec<Step>) -> Explanation {
        Explanation { steps }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// `Values` answers what a `BTreeMap<String, String>` (its type
        /// before) answers, and writes and reads the same JSON.
        #[test]
        fn prop_values_behave_like_a_sorted_map(
            inserts in prop::collection::vec(
                (prop::sample::select(vec!["", "a", "b", "ab", "amount", "Z", "é"]), "[a-z0-9.]{0,6}"),
                0..12,
            ),
            owned in prop::collection::vec((".{0,4}", ".{0,4}"), 0..6),
            removed in prop::sample::select(vec!["a", "ab", "zz"]),
        ) {
            let mut values = Values::new();
            let mut map = BTreeMap::new();
            for (name, value) in &inserts {
                let replaced = values.insert(*name, value.clone());
                prop_assert_eq!(replaced, map.insert((*name).to_owned(), value.clone()));
            }
            // Owned names, any characters: the order is the bytes' order.
            values.extend(owned.iter().cloned());
            map.extend(owned.iter().cloned());
            prop_assert_eq!(values.remove(removed), map.remove(removed));
            prop_assert_eq!(values.contains_key("b"), map.contains_key("b"));
            let backwards: Vec<(&str, &str)> = values.iter().rev().collect();
            let map_backwards: Vec<(&str, &str)> = map.iter().rev().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            prop_assert_eq!(backwards, map_backwards);
            let looped: Vec<(&str, &str)> = (&values).into_iter().collect();
            prop_assert_eq!(looped.len(), values.len());
            prop_assert_eq!(values.len(), map.len());
            prop_assert_eq!(values.is_empty(), map.is_empty());
            let ours: Vec<(&str, &str)> = values.iter().collect();
            let theirs: Vec<(&str, &str)> = map.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            prop_assert_eq!(ours, theirs);
            for name in ["", "a", "b", "ab", "amount", "Z", "é", "zz"] {
                prop_assert_eq!(values.get(name), map.get(name).map(String::as_str));
            }
            let json = serde_json::to_string(&values).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&json, &serde_json::to_string(&map).map_err(|e| TestCaseError::fail(e.to_string()))?);
            let back: Values = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&back, &values);
            prop_assert_eq!(format!("{values:?}"), format!("{map:?}"));
        }
    }

    #[test]
    fn a_repeated_name_keeps_its_last_value() -> Result<(), serde_json::Error> {
        let values: Values = serde_json::from_str(r#"{"b": "1", "a": "2", "b": "3"}"#)?;
        assert_eq!(values.iter().collect::<Vec<_>>(), [("a", "2"), ("b", "3")]);
        let step = Step::new("r", Outcome::Info, "m")
            .value("x", 1)
            .value("x", 2);
        assert_eq!(step.values.get("x"), Some("2"));
        Ok(())
    }

    #[test]
    fn values_have_the_schema_of_a_map_of_strings() {
        let ours = schemars::schema_for!(Values);
        let theirs = schemars::schema_for!(BTreeMap<String, String>);
        assert_eq!(ours, theirs);
    }
}
