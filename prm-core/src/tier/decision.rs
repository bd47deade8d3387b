//! [`TierDecision`]: qualification, the lifecycle step, and their explanation.

use super::lifecycle::{DecisionKind, TierAssignment};
use super::report::{
    ComponentReport, InDecision, ReportBlock, RequirementInfo, RequirementKind, RequirementReport,
    Span, TierReport,
};
use crate::calendar::Date;
use crate::error::Problem;
use crate::explain::{Explanation, Outcome, Step};
use crate::partner::PartnerId;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use std::sync::Arc;

/// The outcome of evaluating one partner: where it qualifies, what happens to its tier, and why.
///
/// The requirement reports of the decisions of one batch are stored together, in blocks
/// of a few dozen decisions; a decision kept alive keeps its block alive.
#[derive(Clone)]
pub struct TierDecision {
    /// The partner.
    pub partner_id: PartnerId,
    /// The day of the evaluation.
    pub as_of: Date,
    /// What the lifecycle decided.
    pub kind: DecisionKind,
    /// When the decision takes effect (a scheduled upgrade's future date, a downgrade's
    /// review date, else `as_of`).
    pub effective_on: Date,
    /// The tier the decision leads to (for a scheduled upgrade, the tier to come).
    pub tier: Option<Arc<str>>,
    /// The tier held before the evaluation.
    pub previous_tier: Option<Arc<str>>,
    /// The highest tier whose every requirement holds on `as_of`.
    pub qualified_tier: Option<Arc<str>>,
    /// For `at_risk`: when the downgrade is scheduled or, with a grace in days, expected.
    pub downgrade_on: Option<Date>,
    /// Why, written out by [`TierDecision::reason`].
    pub(crate) reason: super::lifecycle::Reason,
    /// The assignment to store and pass to the next evaluation.
    pub assignment: TierAssignment,
    /// Every tier, lowest rank first; [`TierReport::requirements`] reads each one's
    /// requirements in this decision.
    pub tiers: Vec<TierReport>,
    /// Index in `tiers` of the tier above the qualified one, if there is one.
    pub next_tier: Option<usize>,
    /// What is wrong in the award records (`renewal_outside_window`, `prerequisite_missing`);
    /// the decision stands, and these awards counted only as far as they are valid.
    pub problems: Vec<Problem>,
    /// The block holding this decision's reports, shared with the decisions evaluated
    /// with it.
    pub(crate) block: Arc<ReportBlock>,
    /// This decision's requirement reports in the block: every report of every tier,
    /// nested ones and gates included; its tiers and composites address theirs by position
    /// in this run.
    pub(crate) requirements: Span,
    /// This decision's points components in the block, addressed by position in this run.
    pub(crate) components: Span,
}

impl PartialEq for TierDecision {
    fn eq(&self, other: &Self) -> bool {
        self.partner_id == other.partner_id
            && self.as_of == other.as_of
            && self.kind == other.kind
            && self.effective_on == other.effective_on
            && self.tier == other.tier
            && self.previous_tier == other.previous_tier
            && self.qualified_tier == other.qualified_tier
            && self.downgrade_on == other.downgrade_on
            && self.reason == other.reason
            && self.assignment == other.assignment
            && self.tiers == other.tiers
            && self.next_tier == other.next_tier
            && self.problems == other.problems
            && self.requirement_reports() == other.requirement_reports()
            && self.component_reports() == other.component_reports()
            && (Arc::ptr_eq(&self.block, &other.block) || self.infos() == other.infos())
    }
}

impl std::fmt::Debug for TierDecision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TierDecision")
            .field("partner_id", &self.partner_id)
            .field("as_of", &self.as_of)
            .field("kind", &self.kind)
            .field("effective_on", &self.effective_on)
            .field("tier", &self.tier)
            .field("previous_tier", &self.previous_tier)
            .field("qualified_tier", &self.qualified_tier)
            .field("downgrade_on", &self.downgrade_on)
            .field("reason", &self.reason)
            .field("assignment", &self.assignment)
            .field("tiers", &self.tiers)
            .field("next_tier", &self.next_tier)
            .field("problems", &self.problems)
            .field("requirements", &self.requirement_reports())
            .field("components", &self.component_reports())
            .finish()
    }
}

impl TierDecision {
    /// Why the lifecycle decided what it did, in a sentence:
    /// ``below `gold` since 2026-03-31 (grace of 90 days from 2026-03-31); it keeps the tier while the grace lasts``.
    pub fn reason(&self) -> String {
        self.reason.to_string()
    }

    /// The requirement report at `index` among the decision's.
    pub(crate) fn requirement_at(&self, index: u32) -> Option<&RequirementReport> {
        self.requirement_reports().get(index as usize)
    }

    /// Every requirement report of the decision, in the order its positions count.
    pub(crate) fn requirement_reports(&self) -> &[RequirementReport] {
        self.requirements.of(&self.block.requirements)
    }

    /// Every points component of the decision, in the order its positions count.
    pub(crate) fn component_reports(&self) -> &[ComponentReport] {
        self.components.of(&self.block.components)
    }

    /// What each requirement is, by the reports' `info`.
    pub(crate) fn infos(&self) -> &[RequirementInfo] {
        &self.block.infos
    }

    /// The report of the tier the partner qualifies for.
    pub fn qualification(&self) -> Option<&TierReport> {
        let id = self.qualified_tier.as_deref()?;
        self.tiers.iter().find(|t| &*t.tier == id)
    }

    /// The report of the tier above the qualified one: the partner's next tier.
    pub fn next(&self) -> Option<&TierReport> {
        self.tiers.get(self.next_tier?)
    }

    /// The gap to the next tier in words: `gold needs 18,500.00 EUR more revenue and 1 more SALES-PRO`.
    pub fn gap_words(&self) -> Option<String> {
        self.next().map(|tier| tier.words(self))
    }

    /// How close the partner is to its next tier, 0 to 1.
    pub fn gap_progress(&self) -> Option<crate::money::Decimal> {
        self.next().map(|tier| tier.progress(self))
    }

    /// The trace behind the decision: each tier and its requirements, the
    /// qualification, the lifecycle step and any problem in the records.
    pub fn explanation(&self) -> Explanation {
        let mut explanation = Explanation::new();
        for tier in self.tiers.iter().rev() {
            let mut step = Step::new(
                format!("tier.{}", tier.tier),
                if tier.met {
                    Outcome::Met
                } else {
                    Outcome::Failed
                },
                tier.words(self),
            )
            .value("rank", tier.rank);
            for requirement in tier.requirements(self) {
                step = step.child(requirement_step(self, requirement));
            }
            explanation.push(step);
        }
        explanation.push(
            Step::new(
                "qualification",
                Outcome::Applied,
                match &self.qualified_tier {
                    Some(tier) => format!(
                        "qualifies for `{tier}`, the highest tier whose every requirement holds"
                    ),
                    None => {
                        "qualifies for no tier: even the entry tier's requirements fail".to_owned()
                    }
                },
            )
            .value("as_of", self.as_of),
        );
        let mut lifecycle = Step::new("lifecycle", Outcome::Applied, self.reason())
            .value("decision", self.kind.as_str())
            .value("effective_on", self.effective_on);
        if let Some(day) = self.downgrade_on {
            lifecycle = lifecycle.value("downgrade_on", day);
        }
        explanation.push(lifecycle);
        for problem in &self.problems {
            explanation.push(
                Step::new("records", Outcome::Info, problem.text())
                    .value("code", problem.code())
                    .value("path", problem.path()),
            );
        }
        explanation
    }
}

fn requirement_step(decision: &TierDecision, report: &RequirementReport) -> Step {
    let outcome = if report.met {
        Outcome::Met
    } else {
        Outcome::Failed
    };
    let info = report.info(decision);
    let subject = info.subject.as_deref().unwrap_or(info.kind.as_str());
    let unit = info.unit;
    let message = match info.kind {
        RequirementKind::Metric => {
            let bound = match (info.at_most, report.required(decision)) {
                (Some(high), low) if low != high => {
                    format!("from {} to {}", unit.format(low), unit.format(high))
                }
                (Some(high), _) => format!("at most {}", unit.format(high)),
                (None, low) => format!("at least {}", unit.format(low)),
            };
            format!("{subject} is {}, needs {bound}", unit.format(report.actual))
        }
        RequirementKind::Certifications => format!(
            "{} of {} active people in scope hold {subject}, needs {}",
            report.actual,
            report.in_scope().unwrap_or(0),
            report.required(decision)
        ),
        RequirementKind::Points => {
            format!(
                "{} points, needs {}",
                report.actual,
                report.required(decision)
            )
        }
        RequirementKind::Flag => format!(
            "{subject} is {}",
            if report.actual.is_zero() {
                "not set"
            } else {
                "set"
            }
        ),
        kind => format!(
            "{} of {} nested requirements hold, `{}` needs {}",
            report.actual,
            report.requirements(decision).len(),
            kind.as_str(),
            report.required(decision)
        ),
    };
    let mut step = Step::new(info.rule.clone(), outcome, message)
        .value("actual", report.actual)
        .value("required", report.required(decision));
    if !report.met {
        step = step
            .value("shortfall", report.shortfall(decision))
            .value("missing", report.words(decision));
    }
    for (component_info, component) in report.components(decision) {
        step = step.child(
            Step::new(
                format!("{}.{}", info.rule, component_info.metric),
                if component.points.is_zero() {
                    Outcome::Failed
                } else {
                    Outcome::Met
                },
                format!(
                    "{} {} scores {} points{}",
                    component_info.metric,
                    component.value,
                    component.points,
                    if component.capped { " (capped)" } else { "" }
                ),
            )
            .value("points", component.points),
        );
    }
    if let Some(gate) = report.gate(decision) {
        step = step.child(requirement_step(decision, gate));
    }
    for child in report.requirements(decision) {
        step = step.child(requirement_step(decision, child));
    }
    step
}

/// The next tier, in numbers and words, as the JSON answer shows it.
struct Gap<'a>(&'a TierDecision, &'a TierReport);

impl Serialize for Gap<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shortfall<'a> {
            rule: &'a str,
            kind: RequirementKind,
            #[serde(skip_serializing_if = "Option::is_none")]
            subject: Option<&'a str>,
            actual: crate::money::Decimal,
            required: crate::money::Decimal,
            shortfall: crate::money::Decimal,
            unit: super::report::ReportUnit,
            words: String,
        }
        let (decision, tier) = (self.0, self.1);
        let shortfalls: Vec<Shortfall<'_>> = tier
            .unmet_leaves(decision)
            .into_iter()
            .map(|r| Shortfall {
                rule: r.rule(decision),
                kind: r.kind(decision),
                subject: r.subject(decision),
                actual: r.actual,
                required: r.required(decision),
                shortfall: r.shortfall(decision),
                unit: r.unit(decision),
                words: r.words(decision),
            })
            .collect();
        let mut map = serializer.serialize_map(Some(5))?;
        map.serialize_entry("tier", &*tier.tier)?;
        map.serialize_entry("rank", &tier.rank)?;
        map.serialize_entry("progress", &tier.progress(decision))?;
        map.serialize_entry("words", &tier.words(decision))?;
        map.serialize_entry("shortfalls", &shortfalls)?;
        map.end()
    }
}

impl Serialize for TierDecision {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("partner_id", &self.partner_id)?;
        map.serialize_entry("as_of", &self.as_of)?;
        map.serialize_entry("decision", &self.kind)?;
        map.serialize_entry("effective_on", &self.effective_on)?;
        map.serialize_entry("tier", &self.tier.as_deref())?;
        map.serialize_entry("previous_tier", &self.previous_tier.as_deref())?;
        map.serialize_entry("qualified_tier", &self.qualified_tier.as_deref())?;
        if let Some(day) = self.downgrade_on {
            map.serialize_entry("downgrade_on", &day)?;
        }
        map.serialize_entry("reason", &self.reason())?;
        map.serialize_entry("assignment", &self.assignment)?;
        map.serialize_entry("next_tier", &self.next().map(|tier| Gap(self, tier)))?;
        map.serialize_entry("tiers", &InDecision::tiers(self))?;
        if !self.problems.is_empty() {
            map.serialize_entry("problems", &self.problems)?;
        }
        map.serialize_entry("explanation", &self.explanation())?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use crate::Program;
    use serde_json::json;

    /// The JSON shape of a decision is what every binding sees: pin it.
    #[test]
    fn decision_json_shape() {
        let program = Program::from_value(&json!({
            "schema_version": 1, "currency": "EUR",
            "certifications": {"certifications": [
                {"id": "SALES-PRO", "name": "Sales Professional", "validity_months": 24}]},
            "tiers": {
                "metrics": {"revenue": {"measure": {"kind": "revenue"},
                                        "window": {"kind": "trailing_months", "months": 12}}},
                "policy": {"downgrade": {"grace": {"kind": "days", "days": 30}}},
                "tiers": [
                    {"id": "registered", "name": "Registered", "rank": 0},
                    {"id": "gold", "name": "Gold", "rank": 1, "requirements": [
                        {"kind": "metric", "metric": "revenue", "at_least": "50000"},
                        {"kind": "any_of", "requirements": [
                            {"kind": "certifications", "any_of": ["SALES-PRO"], "people": 2},
                            {"kind": "flag", "flag": "agreement_signed"}]},
                        {"kind": "points", "min_total": "10", "components": [
                            {"metric": "revenue", "points_per_unit": "0.001", "max_points": "20"}]}
                    ]}
                ]
            }
        }))
        .unwrap();
        let facts: crate::tier::PartnerFacts = serde_json::from_value(json!({
            "partner_id": "P1",
            "sales": [{"date": "2026-01-15", "amount": "31500.00"}],
            "people": [{"id": "anna", "partner_id": "P1"}],
            "awards": [{"person_id": "anna", "cert_id": "SALES-PRO", "earned_on": "2025-01-01"}],
            "assignment": {"tier": "gold", "since": "2025-07-01"}
        }))
        .unwrap();
        let decision =
            crate::tier::evaluate(&program, &facts, "2026-03-31".parse().unwrap()).unwrap();
        insta::assert_json_snapshot!(serde_json::to_value(&decision).unwrap());
    }
}
