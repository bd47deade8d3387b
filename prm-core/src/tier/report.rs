//! [`TierReport`] and [`RequirementReport`]: what each tier needs and what the partner has.
//!
//! Every requirement of every tier reports `actual`, `required`, `met` and
//! `shortfall` in its `unit`. The words ("gold needs 18,500.00 EUR more
//! revenue and 1 more SALES-PRO") and the progress toward a tier are derived
//! from these numbers on demand, so evaluating many partners stays cheap.

use crate::calendar::Period;
use crate::certification::{CertificationCount, CertificationRequirement, join_and, join_or};
use crate::metric::ValueSource;
use crate::money::{Currency, Decimal};
use rust_decimal::RoundingStrategy;
use schemars::JsonSchema;
use serde::{Serialize, Serializer};
use std::sync::Arc;

pub(crate) fn arc_str<S: Serializer>(value: &Arc<str>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(value)
}

/// What a requirement's numbers are counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportUnit {
    /// Money in this currency.
    Money(Currency),
    /// A count of things (deals, customers).
    Count,
    /// Percent.
    Percent,
    /// A plain number.
    Number,
    /// Distinct people.
    People,
    /// Points.
    Points,
    /// Nested requirements met.
    Requirements,
    /// A flag: 1 set, 0 not.
    Flag,
}

impl ReportUnit {
    /// The unit on the wire: the currency code for money, else `count`, `percent`, ...
    pub fn as_str(&self) -> &'static str {
        match self {
            ReportUnit::Money(currency) => currency.code(),
            ReportUnit::Count => "count",
            ReportUnit::Percent => "percent",
            ReportUnit::Number => "number",
            ReportUnit::People => "people",
            ReportUnit::Points => "points",
            ReportUnit::Requirements => "requirements",
            ReportUnit::Flag => "flag",
        }
    }

    /// `value` as a person reads it: `18,500.00 EUR`, `3`, `12.5%`.
    pub fn format(&self, value: Decimal) -> String {
        match self {
            ReportUnit::Money(currency) => {
                let places = currency.minor_units();
                let shown = if value.significant_scale() <= places {
                    crate::money::RoundingMode::HalfEven.round(value, places)
                } else {
                    value
                };
                format!("{} {}", group_thousands(shown), currency.code())
            }
            ReportUnit::Percent => format!("{}%", group_thousands(value)),
            _ => group_thousands(value),
        }
    }
}

impl Serialize for ReportUnit {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// `1234567.5` → `1,234,567.5`.
pub(crate) fn group_thousands(value: Decimal) -> String {
    let text = value.to_string();
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let mut grouped = String::with_capacity(text.len() + whole.len() / 3);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// One component of a points requirement, as scored for one partner.
///
/// The component's metric and cap are in the requirement's
/// [`RequirementInfo::components`], in the same order.
#[derive(Debug, Clone, PartialEq)]
pub struct ComponentReport {
    /// The metric's value.
    pub value: Decimal,
    /// Points scored (0 while its gate is closed).
    pub points: Decimal,
    /// True when the cap cut the score.
    pub capped: bool,
    /// The component's gate, when it has one.
    pub gate: Option<Box<RequirementReport>>,
}

/// What a points component is: its metric and its cap.
#[derive(Debug, Clone, PartialEq)]
pub struct ComponentInfo {
    /// The metric that scores.
    pub metric: String,
    /// The most the component can score.
    pub max_points: Option<Decimal>,
}

/// A component with its info, as the JSON answer shows it.
struct ComponentView<'a>(&'a ComponentInfo, &'a ComponentReport);

impl Serialize for ComponentView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let (info, report) = (self.0, self.1);
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("metric", &info.metric)?;
        map.serialize_entry("value", &report.value)?;
        map.serialize_entry("points", &report.points)?;
        if let Some(max) = &info.max_points {
            map.serialize_entry("max_points", max)?;
        }
        if report.capped {
            map.serialize_entry("capped", &true)?;
        }
        if let Some(gate) = &report.gate {
            map.serialize_entry("gate", gate)?;
        }
        map.end()
    }
}

/// The kind of a requirement, as written in `kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequirementKind {
    /// Every nested requirement holds.
    AllOf,
    /// One nested requirement holds.
    AnyOf,
    /// At least `count` nested requirements hold.
    AtLeast,
    /// A metric against a threshold.
    Metric,
    /// Distinct people holding certifications.
    Certifications,
    /// A points score.
    Points,
    /// A boolean fact.
    Flag,
}

impl RequirementKind {
    /// The wire spelling (`all_of`, `metric`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            RequirementKind::AllOf => "all_of",
            RequirementKind::AnyOf => "any_of",
            RequirementKind::AtLeast => "at_least",
            RequirementKind::Metric => "metric",
            RequirementKind::Certifications => "certifications",
            RequirementKind::Points => "points",
            RequirementKind::Flag => "flag",
        }
    }
}

/// What a requirement is: the same for every partner, shared by their reports.
#[derive(Debug, Clone, PartialEq)]
pub struct RequirementInfo {
    /// Where the requirement is: `gold.requirements[1].requirements[0]`.
    pub rule: String,
    /// Its kind.
    pub kind: RequirementKind,
    /// What its numbers count.
    pub unit: ReportUnit,
    /// What it is about, in words (`revenue`, `SALES-PRO`, `agreement_signed`).
    pub subject: Option<String>,
    /// The metric, for `metric` requirements.
    pub metric: Option<String>,
    /// What the requirement asks for, when it is the same for every partner: the metric's
    /// floor (or ceiling), the points total, the nested requirements needed, a flag's value.
    /// A certification requirement's is in each report, since coverage depends on the people.
    pub required: Decimal,
    /// The metric's floor, when it has one.
    pub at_least: Option<Decimal>,
    /// The metric's ceiling, when it has one.
    pub at_most: Option<Decimal>,
    /// The days the metric covers.
    pub period: Option<Period>,
    /// For points: each component's metric and cap.
    pub components: Vec<ComponentInfo>,
    /// For certifications: the requirement, for the words.
    pub(crate) certification: Option<CertificationRequirement>,
    /// For points: every component must score above zero.
    pub(crate) every_component_above_zero: bool,
    /// For flags: the value that holds.
    pub(crate) flag_is: bool,
}

impl RequirementInfo {
    pub(crate) fn new(rule: String, kind: RequirementKind, unit: ReportUnit) -> RequirementInfo {
        RequirementInfo {
            rule,
            kind,
            unit,
            subject: None,
            metric: None,
            required: Decimal::ZERO,
            at_least: None,
            at_most: None,
            period: None,
            components: Vec::new(),
            certification: None,
            every_component_above_zero: false,
            flag_is: true,
        }
    }
}

/// How one requirement measured up for one partner.
///
/// It serializes as one object: the requirement's `rule`, `kind`, `unit`
/// (and `metric`, `at_most`, `period`, `subject` where they apply) followed by
/// the partner's numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct RequirementReport {
    /// What the requirement is (shared by every partner's report).
    pub info: Arc<RequirementInfo>,
    /// True when it holds.
    pub met: bool,
    /// What the partner has.
    pub actual: Decimal,
    /// Whether the metric was given or computed.
    pub source: Option<ValueSource>,
    /// What only some kinds report.
    pub detail: Detail,
}

/// What a requirement reports beyond its numbers, by kind.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Detail {
    /// Nothing more (metrics, flags).
    #[default]
    None,
    /// For certifications: the active people in scope, and for coverage the share who hold it.
    Certifications {
        /// Active people in scope.
        in_scope: u32,
        /// People who must hold it (`people`, or the coverage share of `in_scope` rounded up).
        required: u32,
        /// For coverage: the share of people in scope who hold it.
        share: Option<Decimal>,
    },
    /// For points: each component's score, and the gate.
    Points {
        /// The components, in the order of the requirement's info.
        components: Vec<ComponentReport>,
        /// The gate, when the requirement has one.
        gate: Option<Box<RequirementReport>>,
    },
    /// For `all_of`, `any_of` and `at_least`: the nested requirements.
    Nested(Vec<RequirementReport>),
}

impl Serialize for RequirementReport {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let info = &*self.info;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("rule", &info.rule)?;
        map.serialize_entry("kind", &info.kind)?;
        map.serialize_entry("met", &self.met)?;
        map.serialize_entry("actual", &self.actual)?;
        map.serialize_entry("required", &self.required())?;
        map.serialize_entry("shortfall", &self.shortfall())?;
        map.serialize_entry("unit", &info.unit)?;
        if let Some(metric) = &info.metric {
            map.serialize_entry("metric", metric)?;
        }
        if let Some(at_most) = &info.at_most {
            map.serialize_entry("at_most", at_most)?;
        }
        if let Some(source) = &self.source {
            map.serialize_entry("source", source)?;
        }
        if let Some(period) = &info.period {
            map.serialize_entry("period", period)?;
        }
        if let Some(subject) = &info.subject {
            map.serialize_entry("subject", subject)?;
        }
        match &self.detail {
            Detail::None => {}
            Detail::Certifications {
                in_scope, share, ..
            } => {
                map.serialize_entry("in_scope", in_scope)?;
                if let Some(share) = share {
                    map.serialize_entry("share", share)?;
                }
            }
            Detail::Points { components, gate } => {
                let views: Vec<ComponentView<'_>> = info
                    .components
                    .iter()
                    .zip(components)
                    .map(|(i, c)| ComponentView(i, c))
                    .collect();
                if !views.is_empty() {
                    map.serialize_entry("components", &views)?;
                }
                if let Some(gate) = gate {
                    map.serialize_entry("gate", gate)?;
                }
            }
            Detail::Nested(requirements) => {
                if !requirements.is_empty() {
                    map.serialize_entry("requirements", requirements)?;
                }
            }
        }
        map.end()
    }
}

impl RequirementReport {
    pub(crate) fn new(info: Arc<RequirementInfo>) -> RequirementReport {
        RequirementReport {
            info,
            met: false,
            actual: Decimal::ZERO,
            source: None,
            detail: Detail::None,
        }
    }

    /// The nested requirements (empty unless `all_of`, `any_of` or `at_least`).
    pub fn requirements(&self) -> &[RequirementReport] {
        match &self.detail {
            Detail::Nested(requirements) => requirements,
            _ => &[],
        }
    }

    /// The points components with their metric and cap (empty unless `points`).
    pub fn components(&self) -> impl Iterator<Item = (&ComponentInfo, &ComponentReport)> {
        let reports: &[ComponentReport] = match &self.detail {
            Detail::Points { components, .. } => components,
            _ => &[],
        };
        self.info.components.iter().zip(reports)
    }

    /// The points gate, when there is one.
    pub fn gate(&self) -> Option<&RequirementReport> {
        match &self.detail {
            Detail::Points { gate, .. } => gate.as_deref(),
            _ => None,
        }
    }

    /// For certifications: the active people in scope.
    pub fn in_scope(&self) -> Option<u32> {
        match &self.detail {
            Detail::Certifications { in_scope, .. } => Some(*in_scope),
            _ => None,
        }
    }

    /// For coverage: the share of the people in scope who hold it.
    pub fn share(&self) -> Option<Decimal> {
        match &self.detail {
            Detail::Certifications { share, .. } => *share,
            _ => None,
        }
    }

    /// What the requirement asks for (for `at_most` alone, the ceiling).
    pub fn required(&self) -> Decimal {
        match &self.detail {
            Detail::Certifications { required, .. } => Decimal::from(*required),
            _ => self.info.required,
        }
    }

    /// How much is missing; 0 when met (a points requirement failing only because a
    /// component is at zero also has 0).
    pub fn shortfall(&self) -> Decimal {
        if self.met {
            return Decimal::ZERO;
        }
        let info = &*self.info;
        let gap =
            |a: Decimal, b: Decimal| a.checked_sub(b).unwrap_or(Decimal::ZERO).max(Decimal::ZERO);
        match info.kind {
            RequirementKind::Metric => {
                match (
                    info.at_least.filter(|low| self.actual < *low),
                    info.at_most.filter(|high| self.actual > *high),
                ) {
                    (Some(low), _) => gap(low, self.actual),
                    (_, Some(high)) => gap(self.actual, high),
                    _ => Decimal::ZERO,
                }
            }
            RequirementKind::Flag => Decimal::ONE,
            _ => gap(self.required(), self.actual),
        }
    }

    /// Where the requirement is: `gold.requirements[1]`.
    pub fn rule(&self) -> &str {
        &self.info.rule
    }

    /// The requirement's kind.
    pub fn kind(&self) -> RequirementKind {
        self.info.kind
    }

    /// What the numbers count.
    pub fn unit(&self) -> ReportUnit {
        self.info.unit
    }

    /// What the requirement is about, in words.
    pub fn subject(&self) -> Option<&str> {
        self.info.subject.as_deref()
    }

    /// What is missing, in words: `18,500.00 EUR more revenue`; empty when met.
    pub fn words(&self) -> String {
        if self.met {
            return String::new();
        }
        let info = &*self.info;
        let subject = info.subject.as_deref().unwrap_or("");
        match info.kind {
            RequirementKind::Metric => {
                let above_ceiling = info.at_most.is_some_and(|ceiling| self.actual > ceiling);
                if above_ceiling {
                    format!("{subject} {} lower", info.unit.format(self.shortfall()))
                } else if info.unit == ReportUnit::Percent {
                    format!(
                        "{} percentage points more {subject}",
                        group_thousands(self.shortfall())
                    )
                } else {
                    format!("{} more {subject}", info.unit.format(self.shortfall()))
                }
            }
            RequirementKind::Certifications => match &info.certification {
                Some(requirement) => requirement.shortfall_words(&CertificationCount {
                    met: self.met,
                    holders: to_u32(self.actual),
                    in_scope: self.in_scope().unwrap_or(0),
                    required: to_u32(self.required()),
                    shortfall: to_u32(self.shortfall()),
                    share: self.share(),
                }),
                None => format!("{} more people holding {subject}", self.shortfall()),
            },
            RequirementKind::Points => {
                let zero: Vec<String> = if info.every_component_above_zero {
                    self.components()
                        .filter(|(_, c)| c.points <= Decimal::ZERO)
                        .map(|(i, _)| i.metric.clone())
                        .collect()
                } else {
                    Vec::new()
                };
                let shortfall = self.shortfall();
                let noun = if shortfall == Decimal::ONE {
                    "point"
                } else {
                    "points"
                };
                let mut text = match (shortfall > Decimal::ZERO, zero.is_empty()) {
                    (true, true) => format!(
                        "{} more {noun} (needs {})",
                        group_thousands(self.shortfall()),
                        group_thousands(self.required())
                    ),
                    (true, false) => format!(
                        "{} more {noun} (needs {}) with a score above zero on {}",
                        group_thousands(self.shortfall()),
                        group_thousands(self.required()),
                        join_and(&zero)
                    ),
                    (false, _) => format!("a score above zero on {}", join_and(&zero)),
                };
                if let Some(gate) = self.gate().filter(|g| !g.met) {
                    text = format!("{} to unlock the points, then {text}", gate.words());
                }
                text
            }
            RequirementKind::Flag => {
                if info.flag_is {
                    subject.to_owned()
                } else {
                    format!("{subject} cleared")
                }
            }
            RequirementKind::AnyOf => {
                let options: Vec<String> = self.requirements().iter().map(|r| r.words()).collect();
                match options.as_slice() {
                    [one] => one.clone(),
                    [a, b] => format!("either {a} or {b}"),
                    _ => format!("one of {}", join_or(&options)),
                }
            }
            RequirementKind::AtLeast => {
                let unmet: Vec<String> = self
                    .requirements()
                    .iter()
                    .filter(|r| !r.met)
                    .map(|r| r.words())
                    .collect();
                match (self.shortfall() == Decimal::ONE, unmet.as_slice()) {
                    (true, [one]) => one.clone(),
                    (true, [a, b]) => format!("either {a} or {b}"),
                    (true, _) => format!("one of {}", join_or(&unmet)),
                    (false, _) => {
                        format!(
                            "{} of: {}",
                            group_thousands(self.shortfall()),
                            unmet.join("; ")
                        )
                    }
                }
            }
            RequirementKind::AllOf => {
                let unmet: Vec<String> = self
                    .requirements()
                    .iter()
                    .filter(|r| !r.met)
                    .map(|r| r.words())
                    .collect();
                join_and(&unmet)
            }
        }
    }

    /// How close the requirement is to holding, from 0 to 1.
    ///
    /// A threshold counts `actual / required` (a ceiling `required / actual`),
    /// a points requirement its share of the total (halved while a component
    /// that must score is at zero), a flag 0 or 1; `all_of` averages its
    /// requirements, `any_of` takes the best, `at_least n` averages the best n.
    pub fn progress(&self) -> Decimal {
        if self.met {
            return Decimal::ONE;
        }
        let ratio = |part: Decimal, whole: Decimal| {
            if whole <= Decimal::ZERO {
                Decimal::ZERO
            } else {
                part.checked_div(whole)
                    .unwrap_or(Decimal::ZERO)
                    .max(Decimal::ZERO)
                    .min(Decimal::ONE)
            }
        };
        let info = &*self.info;
        let raw = match info.kind {
            RequirementKind::Metric
                if info.at_most.is_some_and(|ceiling| self.actual > ceiling) =>
            {
                ratio(info.at_most.unwrap_or(Decimal::ZERO), self.actual)
            }
            RequirementKind::Metric | RequirementKind::Certifications => {
                ratio(self.actual, self.required())
            }
            RequirementKind::Points => {
                let share = ratio(self.actual, self.required());
                let gated = self.gate().is_some_and(|g| !g.met);
                let zero = info.every_component_above_zero
                    && self.components().any(|(_, c)| c.points <= Decimal::ZERO);
                if gated || zero {
                    share
                        .checked_div(Decimal::from(2i64))
                        .unwrap_or(Decimal::ZERO)
                } else {
                    share
                }
            }
            RequirementKind::Flag => Decimal::ZERO,
            RequirementKind::AnyOf => self
                .requirements()
                .iter()
                .map(RequirementReport::progress)
                .max()
                .unwrap_or(Decimal::ZERO),
            RequirementKind::AtLeast => {
                let mut all: Vec<Decimal> = self
                    .requirements()
                    .iter()
                    .map(RequirementReport::progress)
                    .collect();
                all.sort_unstable_by(|a, b| b.cmp(a));
                let n = usize::try_from(to_u32(self.required())).unwrap_or(0).max(1);
                mean(all.into_iter().take(n), n)
            }
            RequirementKind::AllOf => {
                let n = self.requirements().len().max(1);
                mean(
                    self.requirements().iter().map(RequirementReport::progress),
                    n,
                )
            }
        };
        Decimal::new(
            raw.value()
                .round_dp_with_strategy(4, RoundingStrategy::ToZero)
                .normalize(),
        )
    }

    /// The unmet leaves under this requirement (itself, when it is an unmet leaf).
    pub fn unmet_leaves(&self) -> Vec<&RequirementReport> {
        let mut out = Vec::new();
        self.collect_unmet(&mut out);
        out
    }

    fn collect_unmet<'a>(&'a self, out: &mut Vec<&'a RequirementReport>) {
        if self.met {
            return;
        }
        if self.requirements().is_empty() {
            out.push(self);
        } else {
            for child in self.requirements() {
                child.collect_unmet(out);
            }
        }
    }
}

fn mean(values: impl Iterator<Item = Decimal>, n: usize) -> Decimal {
    let total = values.fold(Decimal::ZERO, |sum, v| sum.checked_add(v).unwrap_or(sum));
    total
        .checked_div(Decimal::from(i64::try_from(n).unwrap_or(1)))
        .unwrap_or(Decimal::ZERO)
}

fn to_u32(value: Decimal) -> u32 {
    use rust_decimal::prelude::ToPrimitive;
    value.value().to_u32().unwrap_or(0)
}

/// How a partner measures up against one tier.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct TierReport {
    /// The tier's id.
    #[serde(serialize_with = "arc_str")]
    pub tier: Arc<str>,
    /// Its rank.
    pub rank: u32,
    /// True when every requirement holds.
    pub met: bool,
    /// Each top-level requirement.
    pub requirements: Vec<RequirementReport>,
}

impl TierReport {
    /// The tier's shortfall in words: `gold needs 18,500.00 EUR more revenue and 1 more SALES-PRO`,
    /// or `gold: every requirement holds`.
    pub fn words(&self) -> String {
        if self.met {
            return format!("{}: every requirement holds", self.tier);
        }
        let unmet: Vec<String> = self
            .requirements
            .iter()
            .filter(|r| !r.met)
            .map(RequirementReport::words)
            .collect();
        format!("{} needs {}", self.tier, join_and(&unmet))
    }

    /// How close the partner is to the tier, 0 to 1: the mean progress of its requirements.
    pub fn progress(&self) -> Decimal {
        if self.met {
            return Decimal::ONE;
        }
        let n = self.requirements.len().max(1);
        let raw = mean(self.requirements.iter().map(RequirementReport::progress), n);
        Decimal::new(
            raw.value()
                .round_dp_with_strategy(4, RoundingStrategy::ToZero)
                .normalize(),
        )
    }

    /// The unmet leaves of the tier's requirement tree.
    pub fn unmet_leaves(&self) -> Vec<&RequirementReport> {
        self.requirements
            .iter()
            .flat_map(RequirementReport::unmet_leaves)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        for &(input, want) in &[
            ("0", "0"),
            ("999", "999"),
            ("1000", "1,000"),
            ("18500.00", "18,500.00"),
            ("-1234567.891", "-1,234,567.891"),
        ] {
            let value: Decimal = input.parse().unwrap();
            assert_eq!(group_thousands(value), want);
        }
    }

    #[test]
    fn money_pads_to_minor_units() {
        let value: Decimal = "18500".parse().unwrap();
        assert_eq!(
            ReportUnit::Money(Currency::eur()).format(value),
            "18,500.00 EUR"
        );
    }
}
