//! [`TierReport`] and [`RequirementReport`]: what each tier needs and what the partner has.
//!
//! Every requirement of every tier reports `actual`, `required`, `met` and
//! `shortfall` in its `unit`. The words ("gold needs 18,500.00 EUR more
//! revenue and 1 more SALES-PRO") and the progress toward a tier are derived
//! from these numbers on demand, so evaluating many partners stays cheap.
//!
//! A [`TierDecision`] keeps every report of every tier, nested ones included,
//! in one run, every points component in another, and what each
//! requirement is ([`RequirementInfo`]) once for the whole batch. A report
//! refers to its nested requirements, components, gate and info by position
//! within its decision, so it owns no allocation. The runs of the decisions a
//! batch evaluates together share one block, freed with the last of them, so
//! a batch neither allocates nor frees per report or per decision for them.
//! Reading a report therefore takes its decision:
//! `tier.requirements(&decision)`, `report.words(&decision)`.

use super::decision::TierDecision;
use crate::calendar::Period;
use crate::certification::{CertificationCount, CertificationRequirement, join_and, join_or};
use crate::metric::ValueSource;
use crate::money::{Currency, Decimal};
use rust_decimal::RoundingStrategy;
use schemars::JsonSchema;
use serde::{Serialize, Serializer};
use std::sync::Arc;

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

/// A run of reports in a decision's storage: a tier's requirements, a composite's
/// nested requirements, a points requirement's components.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Span {
    start: u32,
    len: u32,
}

impl Span {
    /// The run of `len` items from `start`.
    pub(crate) fn new(start: usize, len: usize) -> Span {
        Span {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            len: u32::try_from(len).unwrap_or(0),
        }
    }

    /// The items of the run in `items` (empty if `items` is not the decision's).
    pub(crate) fn of<T>(self, items: &[T]) -> &[T] {
        let start = self.start as usize;
        items
            .get(start..start.saturating_add(self.len as usize))
            .unwrap_or(&[])
    }
}

/// The requirement reports and components of a run of decisions evaluated together,
/// shared by those decisions: a batch allocates one block for many partners, and frees it
/// when the last of them is dropped.
#[derive(Debug, Default)]
pub(crate) struct ReportBlock {
    /// What each requirement is, by the reports' `info`.
    pub(crate) infos: Arc<[RequirementInfo]>,
    /// Every requirement report of the decisions, each decision's in one run.
    pub(crate) requirements: Vec<RequirementReport>,
    /// Every points component of the decisions, each decision's in one run.
    pub(crate) components: Vec<ComponentReport>,
}

/// One component of a points requirement, as scored for one partner.
///
/// The component's metric and cap are in the requirement's
/// [`RequirementInfo::components`], in the same order; read both with
/// [`RequirementReport::components`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ComponentReport {
    /// The metric's value.
    pub value: Decimal,
    /// Points scored (0 while its gate is closed).
    pub points: Decimal,
    /// True when the cap cut the score.
    pub capped: bool,
    /// The component's gate: its position among the decision's requirement reports.
    pub(crate) gate: Option<u32>,
}

impl ComponentReport {
    /// The component's gate, when it has one, read in the decision the component belongs to.
    pub fn gate<'d>(&self, decision: &'d TierDecision) -> Option<&'d RequirementReport> {
        decision.requirement_at(self.gate?)
    }
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
struct ComponentView<'d>(&'d TierDecision, &'d ComponentInfo, &'d ComponentReport);

impl Serialize for ComponentView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let (decision, info, report) = (self.0, self.1, self.2);
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
        if let Some(gate) = report.gate(decision) {
            map.serialize_entry("gate", &gate.in_decision(decision))?;
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

/// What a report read in another decision than its own finds: an empty requirement.
static UNKNOWN_INFO: RequirementInfo = RequirementInfo {
    rule: String::new(),
    kind: RequirementKind::AllOf,
    unit: ReportUnit::Requirements,
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
};

/// How one requirement measured up for one partner.
///
/// A report holds the partner's numbers only: what the requirement is (its
/// [`RequirementInfo`]), its nested requirements, its components and its gate
/// are kept once in the [`TierDecision`] it belongs to, so a decision owns all
/// its reports in one allocation. The methods that need them take that
/// decision: `report.rule(&decision)`, `report.requirements(&decision)`.
///
/// In the JSON answer it serializes as one object: the requirement's `rule`,
/// `kind`, `unit` (and `metric`, `at_most`, `period`, `subject` where they
/// apply) followed by the partner's numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct RequirementReport {
    /// What the requirement is: its position in the decision's shared infos.
    info: u32,
    /// True when it holds.
    pub met: bool,
    /// Whether the metric was given or computed.
    pub source: Option<ValueSource>,
    /// What the partner has.
    pub actual: Decimal,
    /// What only some kinds report.
    pub(crate) detail: Detail,
}

/// What a requirement reports beyond its numbers, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) enum Detail {
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
    /// For points: the components' scores among the decision's components, and the gate
    /// among its requirement reports.
    Points {
        /// The components, in the order of the requirement's info.
        components: Span,
        /// The gate, when the requirement has one.
        gate: Option<u32>,
    },
    /// For `all_of`, `any_of` and `at_least`: the nested requirements among the decision's.
    Nested(Span),
}

/// A report, or a list of them, with the decision that holds what they refer to: what
/// serializes as the JSON answer's objects.
pub(crate) struct InDecision<'d, T: ?Sized>(&'d TierDecision, &'d T);

impl Serialize for InDecision<'_, [RequirementReport]> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.1.iter().map(|r| r.in_decision(self.0)))
    }
}

impl Serialize for InDecision<'_, RequirementReport> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let (decision, report) = (self.0, self.1);
        let info = report.info(decision);
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("rule", &info.rule)?;
        map.serialize_entry("kind", &info.kind)?;
        map.serialize_entry("met", &report.met)?;
        map.serialize_entry("actual", &report.actual)?;
        map.serialize_entry("required", &report.required(decision))?;
        map.serialize_entry("shortfall", &report.shortfall(decision))?;
        map.serialize_entry("unit", &info.unit)?;
        if let Some(metric) = &info.metric {
            map.serialize_entry("metric", metric)?;
        }
        if let Some(at_most) = &info.at_most {
            map.serialize_entry("at_most", at_most)?;
        }
        if let Some(source) = &report.source {
            map.serialize_entry("source", source)?;
        }
        if let Some(period) = &info.period {
            map.serialize_entry("period", period)?;
        }
        if let Some(subject) = &info.subject {
            map.serialize_entry("subject", subject)?;
        }
        match report.detail {
            Detail::None => {}
            Detail::Certifications {
                in_scope, share, ..
            } => {
                map.serialize_entry("in_scope", &in_scope)?;
                if let Some(share) = share {
                    map.serialize_entry("share", &share)?;
                }
            }
            Detail::Points { .. } => {
                let views: Vec<ComponentView<'_>> = report
                    .components(decision)
                    .map(|(i, c)| ComponentView(decision, i, c))
                    .collect();
                if !views.is_empty() {
                    map.serialize_entry("components", &views)?;
                }
                if let Some(gate) = report.gate(decision) {
                    map.serialize_entry("gate", &gate.in_decision(decision))?;
                }
            }
            Detail::Nested(_) => {
                let requirements = report.requirements(decision);
                if !requirements.is_empty() {
                    map.serialize_entry("requirements", &InDecision(decision, requirements))?;
                }
            }
        }
        map.end()
    }
}

impl Serialize for InDecision<'_, TierReport> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let (decision, tier) = (self.0, self.1);
        let mut map = serializer.serialize_struct("TierReport", 4)?;
        map.serialize_field("tier", &*tier.tier)?;
        map.serialize_field("rank", &tier.rank)?;
        map.serialize_field("met", &tier.met)?;
        map.serialize_field(
            "requirements",
            &InDecision(decision, tier.requirements(decision)),
        )?;
        map.end()
    }
}

impl Serialize for InDecision<'_, [TierReport]> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.1.iter().map(|t| InDecision(self.0, t)))
    }
}

impl<'d> InDecision<'d, [TierReport]> {
    /// The decision's tiers with their requirements, as the JSON answer shows them.
    pub(crate) fn tiers(decision: &'d TierDecision) -> Self {
        InDecision(decision, &decision.tiers)
    }
}

impl RequirementReport {
    pub(crate) fn new(info: usize) -> RequirementReport {
        RequirementReport {
            info: u32::try_from(info).unwrap_or(u32::MAX),
            met: false,
            source: None,
            actual: Decimal::ZERO,
            detail: Detail::None,
        }
    }

    /// The report with the decision that holds what it refers to, for serialization.
    pub(crate) fn in_decision<'d>(&'d self, decision: &'d TierDecision) -> InDecision<'d, Self> {
        InDecision(decision, self)
    }

    /// What the requirement is, as kept in `decision`, the decision the report belongs to.
    ///
    /// # Example
    ///
    /// ```
    /// use prm_core::{Program, tier};
    /// let program = Program::from_json(r#"{"schema_version": 1, "currency": "EUR", "tiers": {"tiers": [
    ///   {"id": "silver", "name": "Silver", "rank": 1, "requirements": [{"kind": "flag", "flag": "agreement_signed"}]}
    /// ]}}"#)?;
    /// let facts: tier::PartnerFacts = serde_json::from_str(r#"{"partner_id": "P1"}"#)?;
    /// let decision = tier::evaluate(&program, &facts, "2026-03-31".parse()?)?;
    /// let silver = decision.tiers.first().ok_or("no tier")?;
    /// let flag = silver.requirements(&decision).first().ok_or("no requirement")?;
    /// assert_eq!(flag.info(&decision).rule, "silver.requirements[0]");
    /// assert_eq!(flag.words(&decision), "agreement_signed");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn info<'d>(&self, decision: &'d TierDecision) -> &'d RequirementInfo {
        decision
            .infos()
            .get(self.info as usize)
            .unwrap_or(&UNKNOWN_INFO)
    }

    /// The nested requirements (empty unless `all_of`, `any_of` or `at_least`).
    pub fn requirements<'d>(&self, decision: &'d TierDecision) -> &'d [RequirementReport] {
        match self.detail {
            Detail::Nested(span) => span.of(decision.requirement_reports()),
            _ => &[],
        }
    }

    /// The points components with their metric and cap (empty unless `points`).
    pub fn components<'d>(
        &self,
        decision: &'d TierDecision,
    ) -> impl Iterator<Item = (&'d ComponentInfo, &'d ComponentReport)> + use<'d> {
        let reports: &[ComponentReport] = match self.detail {
            Detail::Points { components, .. } => components.of(decision.component_reports()),
            _ => &[],
        };
        self.info(decision).components.iter().zip(reports)
    }

    /// The points gate, when there is one.
    pub fn gate<'d>(&self, decision: &'d TierDecision) -> Option<&'d RequirementReport> {
        match self.detail {
            Detail::Points { gate, .. } => decision.requirement_at(gate?),
            _ => None,
        }
    }

    /// For certifications: the active people in scope.
    pub fn in_scope(&self) -> Option<u32> {
        match self.detail {
            Detail::Certifications { in_scope, .. } => Some(in_scope),
            _ => None,
        }
    }

    /// For coverage: the share of the people in scope who hold it.
    pub fn share(&self) -> Option<Decimal> {
        match self.detail {
            Detail::Certifications { share, .. } => share,
            _ => None,
        }
    }

    /// What the requirement asks for (for `at_most` alone, the ceiling).
    pub fn required(&self, decision: &TierDecision) -> Decimal {
        match self.detail {
            Detail::Certifications { required, .. } => Decimal::from(required),
            _ => self.info(decision).required,
        }
    }

    /// How much is missing; 0 when met (a points requirement failing only because a
    /// component is at zero also has 0).
    pub fn shortfall(&self, decision: &TierDecision) -> Decimal {
        if self.met {
            return Decimal::ZERO;
        }
        let info = self.info(decision);
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
            _ => gap(self.required(decision), self.actual),
        }
    }

    /// Where the requirement is: `gold.requirements[1]`.
    pub fn rule<'d>(&self, decision: &'d TierDecision) -> &'d str {
        &self.info(decision).rule
    }

    /// The requirement's kind.
    pub fn kind(&self, decision: &TierDecision) -> RequirementKind {
        self.info(decision).kind
    }

    /// What the numbers count.
    pub fn unit(&self, decision: &TierDecision) -> ReportUnit {
        self.info(decision).unit
    }

    /// What the requirement is about, in words.
    pub fn subject<'d>(&self, decision: &'d TierDecision) -> Option<&'d str> {
        self.info(decision).subject.as_deref()
    }

    /// What is missing, in words: `18,500.00 EUR more revenue`; empty when met.
    pub fn words(&self, decision: &TierDecision) -> String {
        if self.met {
            return String::new();
        }
        let info = self.info(decision);
        let subject = info.subject.as_deref().unwrap_or("");
        match info.kind {
            RequirementKind::Metric => {
                let above_ceiling = info.at_most.is_some_and(|ceiling| self.actual > ceiling);
                if above_ceiling {
                    format!(
                        "{subject} {} lower",
                        info.unit.format(self.shortfall(decision))
                    )
                } else if info.unit == ReportUnit::Percent {
                    format!(
                        "{} percentage points more {subject}",
                        group_thousands(self.shortfall(decision))
                    )
                } else {
                    format!(
                        "{} more {subject}",
                        info.unit.format(self.shortfall(decision))
                    )
                }
            }
            RequirementKind::Certifications => match &info.certification {
                Some(requirement) => requirement.shortfall_words(&CertificationCount {
                    met: self.met,
                    holders: to_u32(self.actual),
                    in_scope: self.in_scope().unwrap_or(0),
                    required: to_u32(self.required(decision)),
                    shortfall: to_u32(self.shortfall(decision)),
                    share: self.share(),
                }),
                None => format!("{} more people holding {subject}", self.shortfall(decision)),
            },
            RequirementKind::Points => {
                let zero: Vec<String> = if info.every_component_above_zero {
                    self.components(decision)
                        .filter(|(_, c)| c.points <= Decimal::ZERO)
                        .map(|(i, _)| i.metric.clone())
                        .collect()
                } else {
                    Vec::new()
                };
                let shortfall = self.shortfall(decision);
                let noun = if shortfall == Decimal::ONE {
                    "point"
                } else {
                    "points"
                };
                let mut text = match (shortfall > Decimal::ZERO, zero.is_empty()) {
                    (true, true) => format!(
                        "{} more {noun} (needs {})",
                        group_thousands(shortfall),
                        group_thousands(self.required(decision))
                    ),
                    (true, false) => format!(
                        "{} more {noun} (needs {}) with a score above zero on {}",
                        group_thousands(shortfall),
                        group_thousands(self.required(decision)),
                        join_and(&zero)
                    ),
                    (false, _) => format!("a score above zero on {}", join_and(&zero)),
                };
                if let Some(gate) = self.gate(decision).filter(|g| !g.met) {
                    text = format!("{} to unlock the points, then {text}", gate.words(decision));
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
                let options: Vec<String> = self
                    .requirements(decision)
                    .iter()
                    .map(|r| r.words(decision))
                    .collect();
                match options.as_slice() {
                    [one] => one.clone(),
                    [a, b] => format!("either {a} or {b}"),
                    _ => format!("one of {}", join_or(&options)),
                }
            }
            RequirementKind::AtLeast => {
                let unmet: Vec<String> = self
                    .requirements(decision)
                    .iter()
                    .filter(|r| !r.met)
                    .map(|r| r.words(decision))
                    .collect();
                match (self.shortfall(decision) == Decimal::ONE, unmet.as_slice()) {
                    (true, [one]) => one.clone(),
                    (true, [a, b]) => format!("either {a} or {b}"),
                    (true, _) => format!("one of {}", join_or(&unmet)),
                    (false, _) => {
                        format!(
                            "{} of: {}",
                            group_thousands(self.shortfall(decision)),
                            unmet.join("; ")
                        )
                    }
                }
            }
            RequirementKind::AllOf => {
                let unmet: Vec<String> = self
                    .requirements(decision)
                    .iter()
                    .filter(|r| !r.met)
                    .map(|r| r.words(decision))
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
    pub fn progress(&self, decision: &TierDecision) -> Decimal {
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
        let info = self.info(decision);
        let progress = |r: &RequirementReport| r.progress(decision);
        let raw = match info.kind {
            RequirementKind::Metric
                if info.at_most.is_some_and(|ceiling| self.actual > ceiling) =>
            {
                ratio(info.at_most.unwrap_or(Decimal::ZERO), self.actual)
            }
            RequirementKind::Metric | RequirementKind::Certifications => {
                ratio(self.actual, self.required(decision))
            }
            RequirementKind::Points => {
                let share = ratio(self.actual, self.required(decision));
                let gated = self.gate(decision).is_some_and(|g| !g.met);
                let zero = info.every_component_above_zero
                    && self
                        .components(decision)
                        .any(|(_, c)| c.points <= Decimal::ZERO);
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
                .requirements(decision)
                .iter()
                .map(progress)
                .max()
                .unwrap_or(Decimal::ZERO),
            RequirementKind::AtLeast => {
                let mut all: Vec<Decimal> =
                    self.requirements(decision).iter().map(progress).collect();
                all.sort_unstable_by(|a, b| b.cmp(a));
                let n = usize::try_from(to_u32(self.required(decision)))
                    .unwrap_or(0)
                    .max(1);
                mean(all.into_iter().take(n), n)
            }
            RequirementKind::AllOf => {
                let nested = self.requirements(decision);
                mean(nested.iter().map(progress), nested.len().max(1))
            }
        };
        Decimal::new(
            raw.value()
                .round_dp_with_strategy(4, RoundingStrategy::ToZero)
                .normalize(),
        )
    }

    /// The unmet leaves under this requirement (itself, when it is an unmet leaf).
    pub fn unmet_leaves<'d>(&'d self, decision: &'d TierDecision) -> Vec<&'d RequirementReport> {
        let mut out = Vec::new();
        self.collect_unmet(decision, &mut out);
        out
    }

    fn collect_unmet<'d>(
        &'d self,
        decision: &'d TierDecision,
        out: &mut Vec<&'d RequirementReport>,
    ) {
        if self.met {
            return;
        }
        let nested = self.requirements(decision);
        if nested.is_empty() {
            out.push(self);
        } else {
            for child in nested {
                child.collect_unmet(decision, out);
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
///
/// Its requirement reports are kept in the [`TierDecision`] it belongs to; read them with
/// [`TierReport::requirements`].
#[derive(Debug, Clone, PartialEq)]
pub struct TierReport {
    /// The tier's id.
    pub tier: Arc<str>,
    /// Its rank.
    pub rank: u32,
    /// True when every requirement holds.
    pub met: bool,
    /// Its top-level requirements among the decision's reports.
    pub(crate) requirements: Span,
}

impl TierReport {
    /// Each top-level requirement of the tier, as kept in `decision`, the decision the
    /// tier report belongs to (empty for another decision's).
    ///
    /// # Example
    ///
    /// ```
    /// use prm_core::{Program, tier};
    /// let program = Program::from_json(r#"{"schema_version": 1, "currency": "EUR", "tiers": {
    ///   "metrics": {"revenue": {"measure": {"kind": "revenue"}, "window": {"kind": "trailing_months", "months": 12}}},
    ///   "tiers": [{"id": "gold", "name": "Gold", "rank": 2, "requirements": [
    ///     {"kind": "metric", "metric": "revenue", "at_least": "50000"}]}]}}"#)?;
    /// let facts: tier::PartnerFacts = serde_json::from_str(
    ///     r#"{"partner_id": "P1", "metrics": {"revenue": "31500.00"}}"#)?;
    /// let decision = tier::evaluate(&program, &facts, "2026-03-31".parse()?)?;
    /// let gold = decision.tiers.first().ok_or("no tier")?;
    /// let revenue = gold.requirements(&decision).first().ok_or("no requirement")?;
    /// assert_eq!(revenue.shortfall(&decision).to_string(), "18500.00");
    /// assert_eq!(gold.words(&decision), "gold needs 18,500.00 EUR more revenue");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn requirements<'d>(&self, decision: &'d TierDecision) -> &'d [RequirementReport] {
        self.requirements.of(decision.requirement_reports())
    }

    /// The tier's shortfall in words: `gold needs 18,500.00 EUR more revenue and 1 more SALES-PRO`,
    /// or `gold: every requirement holds`.
    pub fn words(&self, decision: &TierDecision) -> String {
        if self.met {
            return format!("{}: every requirement holds", self.tier);
        }
        let unmet: Vec<String> = self
            .requirements(decision)
            .iter()
            .filter(|r| !r.met)
            .map(|r| r.words(decision))
            .collect();
        format!("{} needs {}", self.tier, join_and(&unmet))
    }

    /// How close the partner is to the tier, 0 to 1: the mean progress of its requirements.
    pub fn progress(&self, decision: &TierDecision) -> Decimal {
        if self.met {
            return Decimal::ONE;
        }
        let requirements = self.requirements(decision);
        let n = requirements.len().max(1);
        let raw = mean(requirements.iter().map(|r| r.progress(decision)), n);
        Decimal::new(
            raw.value()
                .round_dp_with_strategy(4, RoundingStrategy::ToZero)
                .normalize(),
        )
    }

    /// The unmet leaves of the tier's requirement tree.
    pub fn unmet_leaves<'d>(&self, decision: &'d TierDecision) -> Vec<&'d RequirementReport> {
        self.requirements(decision)
            .iter()
            .flat_map(|r| r.unmet_leaves(decision))
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
