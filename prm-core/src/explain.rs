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

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;

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
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, String>,
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
            values: BTreeMap::new(),
            children: Vec::new(),
        }
    }

    /// Records a value the step saw.
    #[must_use]
    pub fn value(mut self, name: impl Into<String>, value: impl ToString) -> Step {
        self.values.insert(name.into(), value.to_string());
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
