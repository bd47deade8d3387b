//! The explanation every engine answer carries, and [`JsonText`] for parts
//! of an answer that cross as JSON.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::collections::HashMap;

/// A part of an answer as JSON text: state to store and pass back, or a
/// structure with many variants (a tier's requirement reports).
///
/// It holds the core's JSON for that part unchanged; Kotlin and Swift see a
/// `String`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonText(pub String);

uniffi::custom_newtype!(JsonText, String);

impl Serialize for JsonText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let value: Value = serde_json::from_str(&self.0).map_err(serde::ser::Error::custom)?;
        value.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for JsonText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<JsonText, D::Error> {
        let value = Value::deserialize(deserializer)?;
        serde_json::to_string(&value)
            .map(JsonText)
            .map_err(D::Error::custom)
    }
}

/// How a step of an explanation turned out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, uniffi::Enum)]
#[serde(rename_all = "snake_case")]
pub enum StepOutcome {
    /// The step was applied (a rule fired, a value was used).
    Applied,
    /// A requirement or condition held.
    Met,
    /// A requirement or condition did not hold.
    Failed,
    /// The step did not apply.
    Skipped,
    /// Information only.
    Info,
}

/// One step of an explanation: which rule, how it turned out, in words, with
/// the values it used and its own steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct ExplanationStep {
    /// The rule or stage, e.g. `tier.gold` or `routing.rule.emea`.
    pub rule: String,
    /// How it turned out.
    pub outcome: StepOutcome,
    /// What happened, for a person.
    pub message: String,
    /// The values the step used, by name; decimals and dates as text.
    #[serde(default, skip_serializing_if = "HashMap::is_empty")]
    pub values: HashMap<String, String>,
    /// The steps inside this one, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<ExplanationStep>,
}
