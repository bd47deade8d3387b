//! [`evaluate`] and [`evaluate_batch`]: qualification and the lifecycle, for one partner or many.

use super::decision::TierDecision;
use super::facts::PartnerFacts;
use super::ladder::{TierDef, TierProgram};
use super::lifecycle::decide;
use super::report::{
    ComponentInfo, ComponentReport, Detail, ReportBlock, ReportUnit, RequirementInfo,
    RequirementKind, RequirementReport, Span, TierReport,
};
use super::requirement::{PointsComponent, PointsRequirement, Requirement};
use crate::calendar::Date;
use crate::certification::{CertificationCatalog, CertificationRequirement, Holdings};
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use crate::metric::{MetricContext, MetricValue, Records, ResolvedMetric, Source, Unit};
use crate::money::Decimal;
use crate::partner::Person;
use crate::program::Program;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A tier program compiled against one `as_of`: windows resolved and names
/// looked up once, so that many partners are evaluated cheaply.
pub(crate) struct Evaluator<'p> {
    tiers: &'p TierProgram,
    catalog: Option<&'p CertificationCatalog>,
    empty_catalog: CertificationCatalog,
    context: MetricContext,
    metrics: Vec<ResolvedMetric<'p>>,
    /// For each metric, the first rule that reads it (None: unused).
    used_by: Vec<Option<Arc<str>>>,
    /// Some certification requirement counts people through a [`Roster`].
    uses_roster: bool,
    /// For each `certified_people` metric, its filter and bits, to count it from the roster.
    people_masks: Vec<Option<(CertificationRequirement, CertificationMask)>>,
    /// Buffers reused from one partner to the next: metric values and roster bits.
    scratch: std::cell::RefCell<(Vec<Option<MetricValue>>, Vec<u128>)>,
    ladder: Vec<CompiledTier<'p>>,
    /// The tier ids by rank, for the lifecycle's reasons.
    names: Vec<Arc<str>>,
    /// What each compiled requirement is, shared by every decision; while compiling, empty.
    infos: Arc<[RequirementInfo]>,
    /// The infos compiled so far (emptied into `infos` at the end).
    compiled_infos: Vec<RequirementInfo>,
    /// Points components in the whole ladder: each decision's component count.
    component_count: usize,
    /// The block a decision points to until its own is sealed.
    empty_block: Arc<ReportBlock>,
}

/// Where the reports are written: the block being filled, and where the current
/// partner's reports start in it (its positions count from there).
struct Reports {
    requirements: Vec<RequirementReport>,
    components: Vec<ComponentReport>,
    requirement_base: usize,
    component_base: usize,
}

/// About how many requirement reports a block holds: a block of a batch is a few tens of
/// kilobytes, allocated and freed once for many partners.
const BLOCK_REPORTS: usize = 1024;

impl Reports {
    /// Room for `partners` partners' reports.
    fn with_room(evaluator: &Evaluator<'_>, partners: usize) -> Reports {
        Reports {
            requirements: Vec::with_capacity(evaluator.infos.len().saturating_mul(partners)),
            components: Vec::with_capacity(evaluator.component_count.saturating_mul(partners)),
            requirement_base: 0,
            component_base: 0,
        }
    }

    /// Starts the next partner's reports.
    fn start(&mut self) {
        self.requirement_base = self.requirements.len();
        self.component_base = self.components.len();
    }

    /// Drops the current partner's reports (its evaluation failed).
    fn discard(&mut self) {
        self.requirements.truncate(self.requirement_base);
        self.components.truncate(self.component_base);
    }

    /// The current partner's runs of requirement reports and components in the block.
    fn runs(&self) -> (Span, Span) {
        (
            Span::new(
                self.requirement_base,
                self.requirements.len() - self.requirement_base,
            ),
            Span::new(
                self.component_base,
                self.components.len() - self.component_base,
            ),
        )
    }

    /// The next requirement report's position within the current partner's.
    fn next_requirement(&self) -> usize {
        self.requirements.len() - self.requirement_base
    }

    /// The next component's position within the current partner's.
    fn next_component(&self) -> usize {
        self.components.len() - self.component_base
    }

    /// The current partner's requirement report at `at`.
    fn requirement(&self, at: usize) -> Option<&RequirementReport> {
        self.requirements.get(self.requirement_base + at)
    }

    /// The current partner's requirement report at `at`, to fill in.
    fn requirement_mut(&mut self, at: usize) -> Option<&mut RequirementReport> {
        self.requirements.get_mut(self.requirement_base + at)
    }

    /// Seals the block for `decisions`, whose reports it holds, and starts a new one.
    fn seal(&mut self, evaluator: &Evaluator<'_>, decisions: &mut [TierDecision], room: usize) {
        let block = Arc::new(ReportBlock {
            infos: evaluator.infos.clone(),
            requirements: std::mem::take(&mut self.requirements),
            components: std::mem::take(&mut self.components),
        });
        for decision in decisions {
            decision.block = block.clone();
        }
        *self = Reports::with_room(evaluator, room);
    }
}

struct CompiledTier<'p> {
    def: &'p TierDef,
    id: Arc<str>,
    requirements: Vec<Compiled<'p>>,
}

struct Compiled<'p> {
    /// The requirement's position in the evaluator's infos (and its reports' `info`).
    info: usize,
    node: Node<'p>,
}

enum Node<'p> {
    AllOf(Vec<Compiled<'p>>),
    AnyOf(Vec<Compiled<'p>>),
    AtLeast(u32, Vec<Compiled<'p>>),
    Metric {
        metric: usize,
        at_least: Option<Decimal>,
        at_most: Option<Decimal>,
    },
    Certifications {
        requirement: &'p CertificationRequirement,
        /// The matching certifications as a set of catalog positions, for catalogs of up to
        /// 128 certifications: a person holds the requirement when their set meets it.
        mask: Option<CertificationMask>,
    },
    Points {
        requirement: &'p PointsRequirement,
        components: Vec<CompiledComponent<'p>>,
        gate: Option<Box<Compiled<'p>>>,
    },
    Flag {
        flag: &'p str,
        is: bool,
    },
}

/// Certifications as bits of catalog positions.
#[derive(Clone, Copy)]
struct CertificationMask {
    bits: u128,
    /// Every bit is needed (`all_of`), not any one.
    all: bool,
}

/// For each of a partner's people, the catalog positions of the certifications
/// they hold that count on `as_of`.
struct Roster {
    held: Vec<u128>,
}

impl Roster {
    #[cfg(test)]
    fn new(holdings: &Holdings<'_>, people: &[Person], as_of: Date) -> Roster {
        Roster::reusing(Vec::new(), holdings, people, as_of)
    }

    /// A roster built in `held`'s storage, so that a batch allocates it once.
    fn reusing(
        mut held: Vec<u128>,
        holdings: &Holdings<'_>,
        people: &[Person],
        as_of: Date,
    ) -> Roster {
        held.clear();
        held.resize(people.len(), 0);
        for i in 0..holdings.len() {
            let (Some(award), Some(index)) = (holdings.award(i), holdings.catalog_index(i)) else {
                continue;
            };
            if index >= 128 || !holdings.counts_on(i, as_of) {
                continue;
            }
            if let Some(slot) = people
                .iter()
                .position(|p| p.id == award.person_id)
                .and_then(|p| held.get_mut(p))
            {
                *slot |= 1u128 << index;
            }
        }
        Roster { held }
    }

    /// The same count as [`CertificationRequirement::count`], from the bits.
    fn count(
        &self,
        requirement: &CertificationRequirement,
        mask: CertificationMask,
        people: &[Person],
        as_of: Date,
    ) -> crate::certification::CertificationCount {
        let mut in_scope = 0u32;
        let mut holders = 0u32;
        for (person, held) in people.iter().zip(&self.held) {
            if requirement.in_scope(person, as_of) {
                in_scope = in_scope.saturating_add(1);
                let holds = if mask.all {
                    held & mask.bits == mask.bits
                } else {
                    held & mask.bits != 0
                };
                holders = holders.saturating_add(u32::from(holds));
            }
        }
        requirement.tally(holders, in_scope)
    }
}

impl CertificationMask {
    fn of(requirement: &CertificationRequirement, catalog: &CertificationCatalog) -> Option<Self> {
        (catalog.certifications.len() <= 128).then(|| CertificationMask {
            bits: catalog
                .certifications
                .iter()
                .enumerate()
                .filter(|(_, def)| requirement.matches(def))
                .fold(0u128, |bits, (i, _)| bits | (1u128 << i)),
            all: !requirement.all_of.is_empty(),
        })
    }
}

struct CompiledComponent<'p> {
    component: &'p PointsComponent,
    metric: usize,
    gate: Option<Box<Compiled<'p>>>,
}

/// One partner as the requirements see it.
struct View<'a> {
    values: &'a [Option<MetricValue>],
    holdings: &'a Holdings<'a>,
    roster: Option<&'a Roster>,
    people: &'a [Person],
    flags: &'a BTreeMap<String, bool>,
    as_of: Date,
}

fn overflow(rule: &str) -> Error {
    Error::overflow(JsonPath::root(), format!("requirement `{rule}`"))
}

fn unit_of(unit: Unit, context: &MetricContext) -> ReportUnit {
    match unit {
        Unit::Money => ReportUnit::Money(context.currency),
        Unit::Count => ReportUnit::Count,
        Unit::Percent => ReportUnit::Percent,
        Unit::Number => ReportUnit::Number,
    }
}

impl<'p> Evaluator<'p> {
    /// Compiles `program`'s tier section for evaluations on `as_of`.
    pub fn new(program: &'p Program, as_of: Date) -> Result<Evaluator<'p>, Error> {
        let tiers = program.tiers().ok_or_else(|| {
            Error::problem(
                Problem::new(ErrorCode::MissingField, JsonPath::root().key("tiers"))
                    .message("the program has no tier section")
                    .help("add a `tiers` section with at least one tier"),
            )
        })?;
        let context = MetricContext::of(program, as_of);
        let metrics = tiers
            .metrics
            .iter()
            .map(|(name, def)| def.resolve(name, &context))
            .collect::<Result<Vec<_>, Error>>()?;
        let mut evaluator = Evaluator {
            tiers,
            catalog: program.certifications(),
            empty_catalog: CertificationCatalog::default(),
            context,
            used_by: vec![None; metrics.len()],
            uses_roster: false,
            people_masks: Vec::new(),
            scratch: std::cell::RefCell::new((Vec::new(), Vec::new())),
            metrics,
            ladder: Vec::new(),
            names: Vec::new(),
            infos: Arc::from(Vec::new()),
            compiled_infos: Vec::new(),
            component_count: 0,
            empty_block: Arc::new(ReportBlock::default()),
        };
        let mut ladder = Vec::with_capacity(tiers.tiers.len());
        for def in &tiers.tiers {
            let requirements = def
                .requirements
                .iter()
                .enumerate()
                .map(|(i, r)| evaluator.compile(r, format!("{}.requirements[{i}]", def.id)))
                .collect();
            ladder.push(CompiledTier {
                def,
                id: Arc::from(def.id.as_str()),
                requirements,
            });
        }
        evaluator.names = ladder.iter().map(|t| t.id.clone()).collect();
        let catalog = evaluator.catalog();
        let people_masks: Vec<_> = evaluator
            .metrics
            .iter()
            .map(|m| match &m.def.measure {
                crate::metric::Measure::CertifiedPeople(filter) => {
                    let requirement = filter.requirement();
                    CertificationMask::of(&requirement, catalog).map(|mask| (requirement, mask))
                }
                _ => None,
            })
            .collect();
        evaluator.uses_roster |= people_masks.iter().any(Option::is_some);
        evaluator.people_masks = people_masks;
        evaluator.ladder = ladder;
        let infos = std::mem::take(&mut evaluator.compiled_infos);
        evaluator.component_count = infos.iter().map(|i| i.components.len()).sum();
        evaluator.infos = Arc::from(infos);
        Ok(evaluator)
    }

    fn metric_index(&mut self, name: &str, rule: &str) -> usize {
        let found = self
            .metrics
            .binary_search_by(|m| m.name.cmp(name))
            .unwrap_or(usize::MAX);
        if let Some(slot) = self.used_by.get_mut(found)
            && slot.is_none()
        {
            *slot = Some(Arc::from(rule));
        }
        found
    }

    fn compile(&mut self, requirement: &'p Requirement, rule: String) -> Compiled<'p> {
        let children = |this: &mut Self, list: &'p [Requirement]| -> Vec<Compiled<'p>> {
            list.iter()
                .enumerate()
                .map(|(i, r)| this.compile(r, format!("{rule}.requirements[{i}]")))
                .collect()
        };
        let (node, mut info) = match requirement {
            Requirement::AllOf { requirements } => (
                Node::AllOf(children(self, requirements)),
                RequirementInfo::new(
                    rule.clone(),
                    RequirementKind::AllOf,
                    ReportUnit::Requirements,
                ),
            ),
            Requirement::AnyOf { requirements } => (
                Node::AnyOf(children(self, requirements)),
                RequirementInfo::new(
                    rule.clone(),
                    RequirementKind::AnyOf,
                    ReportUnit::Requirements,
                ),
            ),
            Requirement::AtLeast {
                count,
                requirements,
            } => (
                Node::AtLeast(*count, children(self, requirements)),
                composite_info(
                    &rule,
                    RequirementKind::AtLeast,
                    usize::try_from(*count).unwrap_or(usize::MAX),
                ),
            ),
            Requirement::Metric {
                metric,
                at_least,
                at_most,
            } => {
                let index = self.metric_index(metric, &rule);
                let (label, unit, period) = match self.metrics.get(index) {
                    Some(m) => (
                        m.def.label_or(metric).to_owned(),
                        unit_of(m.def.measure.unit(), &self.context),
                        m.period,
                    ),
                    None => (metric.clone(), ReportUnit::Number, None),
                };
                // Money thresholds read with the currency's minor units ("50000" is 50000.00).
                let pad = |value: Decimal| match unit {
                    ReportUnit::Money(currency)
                        if value.significant_scale() <= currency.minor_units() =>
                    {
                        self.context.rounding.round(value, currency.minor_units())
                    }
                    _ => value,
                };
                let mut info = RequirementInfo::new(rule.clone(), RequirementKind::Metric, unit);
                info.subject = Some(label);
                info.metric = Some(metric.clone());
                info.period = period;
                info.at_least = at_least.map(pad);
                info.at_most = at_most.map(pad);
                info.required = info.at_least.or(info.at_most).unwrap_or(Decimal::ZERO);
                (
                    Node::Metric {
                        metric: index,
                        at_least: at_least.map(pad),
                        at_most: at_most.map(pad),
                    },
                    info,
                )
            }
            Requirement::Certifications(requirement) => {
                let mut info = RequirementInfo::new(
                    rule.clone(),
                    RequirementKind::Certifications,
                    ReportUnit::People,
                );
                info.subject = Some(requirement.describe());
                info.certification = Some(requirement.clone());
                let mask = CertificationMask::of(requirement, self.catalog());
                self.uses_roster |= mask.is_some();
                (Node::Certifications { requirement, mask }, info)
            }
            Requirement::Points(points) => {
                let components = points
                    .components
                    .iter()
                    .enumerate()
                    .map(|(i, component)| CompiledComponent {
                        component,
                        metric: self.metric_index(&component.metric, &rule),
                        gate: component.gate.as_ref().map(|gate| {
                            Box::new(self.compile(gate, format!("{rule}.components[{i}].gate")))
                        }),
                    })
                    .collect();
                let mut info =
                    RequirementInfo::new(rule.clone(), RequirementKind::Points, ReportUnit::Points);
                info.every_component_above_zero = points.every_component_above_zero;
                info.required = points.min_total;
                info.components = points
                    .components
                    .iter()
                    .map(|c| ComponentInfo {
                        metric: c.metric.clone(),
                        max_points: c.max_points,
                    })
                    .collect();
                (
                    Node::Points {
                        requirement: points,
                        components,
                        gate: points
                            .gate
                            .as_ref()
                            .map(|gate| Box::new(self.compile(gate, format!("{rule}.gate")))),
                    },
                    info,
                )
            }
            Requirement::Flag { flag, is } => {
                let mut info =
                    RequirementInfo::new(rule.clone(), RequirementKind::Flag, ReportUnit::Flag);
                info.subject = Some(flag.clone());
                info.flag_is = *is;
                info.required = Decimal::from(i64::from(*is));
                (Node::Flag { flag, is: *is }, info)
            }
        };
        info.rule = rule;
        let index = self.compiled_infos.len();
        self.compiled_infos.push(info);
        Compiled { info: index, node }
    }

    fn catalog(&self) -> &CertificationCatalog {
        self.catalog.unwrap_or(&self.empty_catalog)
    }

    /// Qualifies one partner and decides its lifecycle step; problems are
    /// reported with paths relative to the facts (`$.sales[0].amount`).
    pub fn evaluate(&self, facts: &PartnerFacts) -> Result<TierDecision, Error> {
        let mut out = Reports::with_room(self, 1);
        let mut decision = self.evaluate_into(facts, &mut out)?;
        out.seal(self, std::slice::from_mut(&mut decision), 0);
        Ok(decision)
    }

    /// As [`Evaluator::evaluate`], writing the reports into `out`'s block; the decision
    /// points to an empty block until `out` is sealed.
    ///
    /// Paths are only built when there is a problem: the common case allocates none.
    fn evaluate_into(
        &self,
        facts: &PartnerFacts,
        out: &mut Reports,
    ) -> Result<TierDecision, Error> {
        out.start();
        let decision = self.evaluate_partner(facts, out);
        if decision.is_err() {
            out.discard();
        }
        decision
    }

    fn evaluate_partner(
        &self,
        facts: &PartnerFacts,
        out: &mut Reports,
    ) -> Result<TierDecision, Error> {
        let mut problems = Problems::new();
        if !facts.looks_valid(&self.tiers.metrics, self.context.currency) {
            problems.take(facts.validate(
                &self.tiers.metrics,
                self.context.currency,
                &JsonPath::root(),
            ));
        }
        let holdings = problems.take(
            Holdings::new(self.catalog(), &facts.awards)
                .map_err(|e| e.under(&JsonPath::root().key("awards"))),
        );
        let records = Records {
            sales: facts.sales.as_deref(),
            observations: facts.observations.as_deref(),
            people: &facts.people,
            holdings: holdings.as_ref(),
        };
        // Reuse the previous partner's buffers (fresh ones if they are somehow in use).
        let (mut values, held) = self
            .scratch
            .try_borrow_mut()
            .map(|mut s| std::mem::take(&mut *s))
            .unwrap_or_default();
        values.clear();
        let roster = match (&holdings, self.uses_roster) {
            (Some(holdings), true) => Some(Roster::reusing(
                held,
                holdings,
                &facts.people,
                self.context.as_of,
            )),
            _ => None,
        };
        for ((metric, used_by), mask) in self
            .metrics
            .iter()
            .zip(&self.used_by)
            .zip(&self.people_masks)
        {
            let Some(rule) = used_by else {
                values.push(None);
                continue;
            };
            let value = match (facts.metrics.get(metric.name), mask, &roster) {
                (Some(given), _, _) => Some(metric.given(*given)),
                (None, Some((requirement, mask)), Some(roster)) => {
                    let count = roster.count(requirement, *mask, &facts.people, self.context.as_of);
                    Some(MetricValue {
                        value: Decimal::from(count.holders),
                        unit: Unit::Count,
                        period: None,
                        source: crate::metric::ValueSource::Computed,
                    })
                }
                (None, _, _) => metric.compute(&records, &self.context)?,
            };
            // Without readable awards, people metrics are unknown rather than missing.
            let unknown = holdings.is_none() && metric.def.measure.source() == Source::People;
            if value.is_none() && !unknown {
                problems.push(missing_metric(metric, rule));
            }
            values.push(value);
        }
        let (Some(holdings), true) = (holdings, problems.is_empty()) else {
            return Err(Error::invalid(problems.into_vec()));
        };
        let view = View {
            values: &values,
            holdings: &holdings,
            roster: roster.as_ref(),
            people: &facts.people,
            flags: &facts.flags,
            as_of: self.context.as_of,
        };
        let mut reports = Vec::with_capacity(self.ladder.len());
        for tier in &self.ladder {
            let (requirements, met) = self.eval_all(&tier.requirements, &view, out)?;
            reports.push(TierReport {
                tier: tier.id.clone(),
                rank: tier.def.rank,
                met: met == tier.requirements.len(),
                requirements,
            });
        }
        if let Ok(mut scratch) = self.scratch.try_borrow_mut() {
            *scratch = (values, roster.map(|r| r.held).unwrap_or_default());
        }
        let qualified = reports.iter().rposition(|r| r.met);
        let transition = decide(
            &self.tiers.policy,
            &self.tiers.tiers,
            &self.names,
            self.context.fiscal,
            facts.assignment.as_ref(),
            qualified,
            self.context.as_of,
        )
        .map_err(|e| e.under(&JsonPath::root().key("assignment")))?;
        let next = qualified.map_or(0, |q| q + 1);
        let runs = out.runs();
        let id = |i: Option<usize>| i.and_then(|i| self.ladder.get(i)).map(|t| t.id.clone());
        Ok(TierDecision {
            partner_id: facts.partner_id.clone(),
            as_of: self.context.as_of,
            kind: transition.kind,
            effective_on: transition.effective_on,
            tier: id(transition.tier),
            previous_tier: id(transition.previous),
            qualified_tier: id(qualified),
            downgrade_on: transition.downgrade_on,
            reason: transition.reason,
            assignment: transition.assignment,
            next_tier: (next < reports.len()).then_some(next),
            tiers: reports,
            problems: if holdings.has_problems() {
                holdings.problems(&JsonPath::root().key("awards"))
            } else {
                Vec::new()
            },
            block: self.empty_block.clone(),
            requirements: runs.0,
            components: runs.1,
        })
    }

    fn value(&self, view: &View<'_>, metric: usize) -> MetricValue {
        view.values
            .get(metric)
            .copied()
            .flatten()
            .unwrap_or(MetricValue {
                value: Decimal::ZERO,
                unit: Unit::Number,
                period: None,
                source: crate::metric::ValueSource::Computed,
            })
    }

    /// Reports `list` as consecutive reports (their nested ones after them), and counts
    /// those met.
    fn eval_all(
        &self,
        list: &[Compiled<'_>],
        view: &View<'_>,
        out: &mut Reports,
    ) -> Result<(Span, usize), Error> {
        let start = out.next_requirement();
        out.requirements
            .extend(list.iter().map(|c| RequirementReport::new(c.info)));
        let mut met = 0;
        for (i, compiled) in list.iter().enumerate() {
            let report = self.eval(compiled, view, out)?;
            met += usize::from(report.met);
            if let Some(slot) = out.requirement_mut(start + i) {
                *slot = report;
            }
        }
        Ok((Span::new(start, list.len()), met))
    }

    /// Reports `compiled` after its nested reports (a gate), and returns its position.
    fn eval_one(
        &self,
        compiled: &Compiled<'_>,
        view: &View<'_>,
        out: &mut Reports,
    ) -> Result<u32, Error> {
        let report = self.eval(compiled, view, out)?;
        let at = u32::try_from(out.next_requirement()).unwrap_or(u32::MAX);
        out.requirements.push(report);
        Ok(at)
    }

    /// Reports one requirement; its nested requirements, gates and components go to `out`.
    fn eval(
        &self,
        compiled: &Compiled<'_>,
        view: &View<'_>,
        out: &mut Reports,
    ) -> Result<RequirementReport, Error> {
        let rule = || {
            self.infos
                .get(compiled.info)
                .map_or("", |i| i.rule.as_str())
        };
        let sub = |a: Decimal, b: Decimal| a.checked_sub(b).ok_or_else(|| overflow(rule()));
        let mut composite =
            |children: &[Compiled<'_>], need: usize| -> Result<RequirementReport, Error> {
                let mut report = RequirementReport::new(compiled.info);
                let (nested, met) = self.eval_all(children, view, out)?;
                report.detail = Detail::Nested(nested);
                report.met = met >= need;
                report.actual = Decimal::from(i64::try_from(met).unwrap_or(i64::MAX));
                Ok(report)
            };
        match &compiled.node {
            Node::AllOf(children) => composite(children, children.len()),
            Node::AnyOf(children) => composite(children, 1),
            Node::AtLeast(count, children) => {
                composite(children, usize::try_from(*count).unwrap_or(usize::MAX))
            }
            Node::Metric {
                metric,
                at_least,
                at_most,
            } => {
                let value = self.value(view, *metric);
                let v = value.value;
                let mut report = RequirementReport::new(compiled.info);
                report.actual = v;
                report.source = Some(value.source);
                let below = at_least.filter(|low| v < *low);
                let above = at_most.filter(|high| v > *high);
                report.met = below.is_none() && above.is_none();
                // The shortfall is derived on demand; check here that it can be computed.
                match (below, above) {
                    (Some(low), _) => sub(low, v).map(|_| ())?,
                    (_, Some(high)) => sub(v, high).map(|_| ())?,
                    _ => {}
                }
                Ok(report)
            }
            Node::Certifications { requirement, mask } => {
                let count = match (mask, view.roster) {
                    (Some(mask), Some(roster)) => {
                        roster.count(requirement, *mask, view.people, view.as_of)
                    }
                    _ => requirement.count(view.holdings, view.people, view.as_of),
                };
                let mut report = RequirementReport::new(compiled.info);
                report.met = count.met;
                report.actual = Decimal::from(count.holders);
                report.detail = Detail::Certifications {
                    in_scope: count.in_scope,
                    required: count.required,
                    share: count.share,
                };
                Ok(report)
            }
            Node::Points {
                requirement,
                components,
                gate,
            } => {
                let mut report = RequirementReport::new(compiled.info);
                let gate = match gate {
                    Some(gate) => Some(self.eval_one(gate, view, out)?),
                    None => None,
                };
                // A gate, when there is one, must hold.
                let is_met = |out: &Reports, at: Option<u32>| {
                    at.is_none_or(|at| out.requirement(at as usize).is_some_and(|g| g.met))
                };
                let open = is_met(out, gate);
                let mut total = Decimal::ZERO;
                let mut all_above_zero = true;
                let scored = out.next_component();
                out.components.resize(
                    out.components.len() + components.len(),
                    ComponentReport::default(),
                );
                for (i, compiled) in components.iter().enumerate() {
                    let component = compiled.component;
                    let value = self.value(view, compiled.metric).value;
                    let component_gate = match &compiled.gate {
                        Some(gate) => Some(self.eval_one(gate, view, out)?),
                        None => None,
                    };
                    let scores = open && is_met(out, component_gate);
                    let raw = value
                        .checked_mul(component.points_per_unit)
                        .ok_or_else(|| overflow(rule()))?
                        .max(Decimal::ZERO);
                    let capped = component.max_points.is_some_and(|max| raw > max);
                    let points = if scores {
                        component.max_points.map_or(raw, |max| raw.min(max))
                    } else {
                        Decimal::ZERO
                    };
                    if points <= Decimal::ZERO {
                        all_above_zero = false;
                    }
                    total = total.checked_add(points).ok_or_else(|| overflow(rule()))?;
                    if let Some(slot) = out.components.get_mut(out.component_base + scored + i) {
                        *slot = ComponentReport {
                            value,
                            points,
                            capped: scores && capped,
                            gate: component_gate,
                        };
                    }
                }
                report.met = open
                    && total >= requirement.min_total
                    && (!requirement.every_component_above_zero || all_above_zero);
                report.actual = total;
                sub(requirement.min_total, total)?;
                report.detail = Detail::Points {
                    components: Span::new(scored, components.len()),
                    gate,
                };
                Ok(report)
            }
            Node::Flag { flag, is } => {
                let value = view.flags.get(*flag).copied().unwrap_or(false);
                let mut report = RequirementReport::new(compiled.info);
                report.met = value == *is;
                report.actual = Decimal::from(i64::from(value));
                Ok(report)
            }
        }
    }
}

fn composite_info(rule: &str, kind: RequirementKind, need: usize) -> RequirementInfo {
    let mut info = RequirementInfo::new(rule.to_owned(), kind, ReportUnit::Requirements);
    info.required = Decimal::from(i64::try_from(need).unwrap_or(i64::MAX));
    info
}

fn missing_metric(metric: &ResolvedMetric<'_>, rule: &str) -> Problem {
    let (records, help) = match metric.def.measure.source() {
        Source::Sales => (
            " nor any `sales` to compute it from",
            "give the metric's value under `metrics`, or pass `sales` (an empty list means none)",
        ),
        Source::Observations => (
            " nor any `observations` to compute it from",
            "give the metric's value under `metrics`, or pass `observations` (an empty list means none)",
        ),
        Source::People => ("", "give the metric's value under `metrics`"),
        Source::Host => (
            " (a custom metric is always given by the host)",
            "give the metric's value under `metrics`",
        ),
    };
    Problem::new(
        ErrorCode::TierMetricMissing,
        JsonPath::root().key("metrics").key(metric.name),
    )
    .message(format!(
        "metric `{}` is needed by `{rule}`, but the facts give no value{records}",
        metric.name
    ))
    .help(help)
}

/// Qualifies a partner for the highest tier whose every requirement holds on
/// `as_of`, and decides its lifecycle step from the assignment in `facts`.
///
/// The [`TierDecision`] reports every requirement of every tier (actual,
/// required, met, shortfall), the gap to the next tier in numbers and words,
/// the decision (`upgraded`, `downgraded`, `retained`, `at_risk`,
/// `recovered`) with its effective date, and the new assignment to store.
/// Problems are reported with paths relative to `facts`.
///
/// # Errors
///
/// Returns an [`Error`] listing every problem, not only the first:
/// * `missing_field` when the program has no tier section;
/// * `tier_metric_missing` when a requirement needs a metric the facts neither give
///   nor let prm compute;
/// * `unknown_reference` for an award of an unknown certification, a given metric the
///   program does not define, or an assignment naming an unknown tier;
/// * `person_not_at_partner`, `duplicate_id`, `currency_mismatch`, `money_precision` for facts;
/// * `tier_assignment_after_as_of` (a `conflict`) when the assignment is newer than `as_of`.
///
/// # Properties
///
/// * Evaluating again on the same `as_of` with the returned assignment returns the same
///   assignment (`prop_evaluating_twice_on_the_same_day_changes_nothing`).
/// * The same partner described by raw records or by pre-aggregated metrics gets the same
///   decision (`prop_raw_and_aggregated_facts_agree`).
///
/// # Example
///
/// ```
/// use prm_core::{Program, tier};
/// let program = Program::from_json(r#"{"schema_version": 1, "currency": "EUR", "tiers": {
///   "metrics": {"revenue": {"measure": {"kind": "revenue"}, "window": {"kind": "trailing_months", "months": 12}}},
///   "tiers": [
///     {"id": "registered", "name": "Registered", "rank": 0},
///     {"id": "gold", "name": "Gold", "rank": 2, "requirements": [
///       {"kind": "metric", "metric": "revenue", "at_least": "50000"}]}
///   ]}}"#)?;
/// let facts: tier::PartnerFacts = serde_json::from_str(
///     r#"{"partner_id": "P1", "metrics": {"revenue": "31500.00"}}"#)?;
/// let decision = tier::evaluate(&program, &facts, "2026-03-31".parse()?)?;
/// assert_eq!(decision.qualified_tier.as_deref(), Some("registered"));
/// assert_eq!(decision.gap_words().as_deref(), Some("gold needs 18,500.00 EUR more revenue"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn evaluate(
    program: &Program,
    facts: &PartnerFacts,
    as_of: Date,
) -> Result<TierDecision, Error> {
    Evaluator::new(program, as_of)?.evaluate(facts)
}

/// Evaluates many partners in one call, in partner id order.
///
/// The program is compiled once (windows resolved, names looked up), so a
/// batch costs little more than the sum of its partners' records. Problems
/// are reported with paths into `facts` (`$[3].sales[0].amount`), for every
/// partner at once.
///
/// # Errors
///
/// As [`evaluate`], for every partner; `duplicate_id` for a partner listed twice.
///
/// # Example
///
/// ```
/// use prm_core::{Program, tier};
/// let program = Program::from_json(r#"{"schema_version": 1, "currency": "EUR", "tiers": {"tiers": [
///   {"id": "registered", "name": "Registered", "rank": 0},
///   {"id": "silver", "name": "Silver", "rank": 1, "requirements": [{"kind": "flag", "flag": "agreement_signed"}]}
/// ]}}"#)?;
/// let facts: Vec<tier::PartnerFacts> = serde_json::from_str(r#"[
///   {"partner_id": "P2", "flags": {"agreement_signed": true}},
///   {"partner_id": "P1"}
/// ]"#)?;
/// let decisions = tier::evaluate_batch(&program, &facts, "2026-03-31".parse()?)?;
/// let tiers: Vec<_> = decisions.iter().map(|d| (d.partner_id.as_str(), d.tier.as_deref())).collect();
/// assert_eq!(tiers, [("P1", Some("registered")), ("P2", Some("silver"))]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn evaluate_batch(
    program: &Program,
    facts: &[PartnerFacts],
    as_of: Date,
) -> Result<Vec<TierDecision>, Error> {
    let evaluator = Evaluator::new(program, as_of)?;
    // Evaluate in partner id order (the sort is linear on input already in order),
    // so the decisions need no sorting afterwards.
    let mut order: Vec<usize> = (0..facts.len()).collect();
    order.sort_by(|&a, &b| match (facts.get(a), facts.get(b)) {
        (Some(x), Some(y)) => x.partner_id.cmp(&y.partner_id),
        _ => std::cmp::Ordering::Equal,
    });
    let mut failures: Vec<(usize, Vec<Problem>)> = Vec::new();
    for pair in order.windows(2) {
        let (Some(&a), Some(&b)) = (pair.first(), pair.last()) else {
            continue;
        };
        if let (Some(x), Some(y)) = (facts.get(a), facts.get(b))
            && x.partner_id == y.partner_id
        {
            let later = a.max(b);
            let problem = Problem::new(
                ErrorCode::DuplicateId,
                JsonPath::root().index(later).key("partner_id"),
            )
            .message(format!("partner `{}` is listed twice", x.partner_id));
            failures.push((later, vec![problem]));
        }
    }
    let mut decisions: Vec<TierDecision> = Vec::with_capacity(facts.len());
    let mut conflicts_only = true;
    // The reports of `per_block` partners at a time share one block.
    let per_block = (BLOCK_REPORTS / evaluator.infos.len().max(1)).clamp(1, facts.len().max(1));
    let mut out = Reports::with_room(&evaluator, per_block);
    let mut sealed = 0;
    for &i in &order {
        let Some(partner) = facts.get(i) else {
            continue;
        };
        if decisions.len() - sealed == per_block {
            out.seal(
                &evaluator,
                decisions.get_mut(sealed..).unwrap_or_default(),
                per_block,
            );
            sealed = decisions.len();
        }
        match evaluator.evaluate_into(partner, &mut out) {
            Ok(mut decision) => {
                if !decision.problems.is_empty() {
                    let at = JsonPath::root().index(i);
                    let moved = std::mem::take(&mut decision.problems);
                    decision.problems = moved.into_iter().map(|p| p.under(&at)).collect();
                }
                decisions.push(decision);
            }
            Err(error @ Error::Overflow(_)) => return Err(error),
            Err(error) => {
                conflicts_only &= matches!(error, Error::Conflict(_));
                let at = JsonPath::root().index(i);
                failures.push((
                    i,
                    error
                        .problems()
                        .iter()
                        .map(|p| p.clone().under(&at))
                        .collect(),
                ));
            }
        }
    }
    out.seal(
        &evaluator,
        decisions.get_mut(sealed..).unwrap_or_default(),
        0,
    );
    if failures.is_empty() {
        return Ok(decisions);
    }
    let duplicates = failures
        .iter()
        .any(|(_, p)| p.iter().any(|p| p.code() == ErrorCode::DuplicateId));
    failures.sort_by_key(|(i, _)| *i);
    let all: Vec<Problem> = failures.into_iter().flat_map(|(_, p)| p).collect();
    Err(if conflicts_only && !duplicates {
        Error::Conflict(all)
    } else {
        Error::invalid(all)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{add_days, parse_date};
    use crate::metric::{MetricContext, Observation, Records, Sale, SaleKind};
    use crate::money::Amount;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    fn d(text: &str) -> Date {
        parse_date(text).unwrap()
    }

    fn program() -> Program {
        Program::from_value(&json!({
            "schema_version": 1, "currency": "EUR",
            "certifications": {"certifications": [
                {"id": "SALES-FOUNDATION", "name": "Sales Foundation", "track": "sales", "level": 1},
                {"id": "SALES-PRO", "name": "Sales Professional", "track": "sales", "level": 2,
                 "validity_months": 24, "grace_days": 30, "prerequisites": ["SALES-FOUNDATION"]},
                {"id": "TECH-ARCH", "name": "Technical Architect", "track": "technical", "level": 3,
                 "validity_months": 24}
            ]},
            "tiers": {
                "metrics": {
                    "revenue": {"measure": {"kind": "revenue"}, "window": {"kind": "trailing_months", "months": 12}},
                    "new_customers": {"measure": {"kind": "new_customers"}, "window": {"kind": "trailing_months", "months": 12}},
                    "certified_people": {"measure": {"kind": "certified_people"}},
                    "growth": {"measure": {"kind": "revenue_growth"}, "window": {"kind": "trailing_months", "months": 12}},
                    "deployments": {"measure": {"kind": "sum", "series": "deployments"}, "window": {"kind": "trailing_months", "months": 12}}
                },
                "tiers": [
                    {"id": "registered", "name": "Registered", "rank": 0},
                    {"id": "silver", "name": "Silver", "rank": 1, "requirements": [
                        {"kind": "metric", "metric": "revenue", "at_least": "10000"}
                    ]},
                    {"id": "gold", "name": "Gold", "rank": 2, "requirements": [
                        {"kind": "metric", "metric": "revenue", "at_least": "50000"},
                        {"kind": "certifications", "any_of": ["SALES-PRO"], "people": 2}
                    ]},
                    {"id": "platinum", "name": "Platinum", "rank": 3, "requirements": [
                        {"kind": "points", "min_total": "70", "every_component_above_zero": true, "components": [
                            {"metric": "new_customers", "points_per_unit": "10", "max_points": "30"},
                            {"metric": "certified_people", "points_per_unit": "4", "max_points": "40"},
                            {"metric": "growth", "points_per_unit": "1", "max_points": "20"},
                            {"metric": "deployments", "points_per_unit": "2", "max_points": "10"}
                        ]}
                    ]}
                ]
            }
        }))
        .unwrap()
    }

    fn facts(value: Value) -> PartnerFacts {
        serde_json::from_value(value).unwrap()
    }

    fn points_of(metrics: Value) -> (bool, String) {
        let decision = evaluate(
            &program(),
            &facts(json!({"partner_id": "P1", "metrics": metrics})),
            d("2026-03-31"),
        )
        .unwrap();
        let platinum = &decision.tiers[3].requirements(&decision)[0];
        (platinum.met, platinum.actual.to_string())
    }

    /// DOMAIN.md §2 worked example (points).
    #[test]
    fn points_follow_the_worked_example() {
        let base = |customers: i64, people: i64, growth: i64, deployments: i64| {
            json!({"revenue": "0", "new_customers": customers, "certified_people": people,
                   "growth": growth, "deployments": deployments})
        };
        assert_eq!(points_of(base(2, 7, 15, 3)), (false, "69".into()));
        assert_eq!(points_of(base(2, 8, 15, 3)), (true, "73".into()));
        assert_eq!(points_of(base(3, 10, 15, 0)), (false, "85".into()));
    }

    /// A batch shares report blocks between partners: each decision must still read
    /// exactly its own reports, across block boundaries.
    #[test]
    fn batch_decisions_equal_single_evaluations_across_blocks() {
        let program = program();
        let facts: Vec<PartnerFacts> = (0..700)
            .map(|i| {
                facts(json!({
                    "partner_id": format!("P{i:04}"),
                    "metrics": {"revenue": format!("{}.00", i * 97), "new_customers": i % 4,
                                "certified_people": i % 11, "growth": i % 23, "deployments": i % 6}
                }))
            })
            .collect();
        let as_of = d("2026-03-31");
        let batch = evaluate_batch(&program, &facts, as_of).unwrap();
        assert_eq!(batch.len(), facts.len());
        let per_block = BLOCK_REPORTS / Evaluator::new(&program, as_of).unwrap().infos.len();
        assert!(
            per_block < facts.len(),
            "the batch must span several blocks"
        );
        for (decision, partner) in batch.iter().zip(&facts) {
            let single = evaluate(&program, partner, as_of).unwrap();
            assert_eq!(decision, &single);
            assert_eq!(
                serde_json::to_value(decision).unwrap(),
                serde_json::to_value(&single).unwrap()
            );
        }
    }

    #[test]
    fn gap_reads_as_the_domain_sentence() {
        let decision = evaluate(
            &program(),
            &facts(json!({
                "partner_id": "P1",
                "metrics": {"revenue": "31500.00", "new_customers": 0, "certified_people": 0, "growth": 0, "deployments": 0},
                "people": [{"id": "anna", "partner_id": "P1"}, {"id": "ben", "partner_id": "P1"}],
                "awards": [
                    {"person_id": "anna", "cert_id": "SALES-FOUNDATION", "earned_on": "2024-01-01"},
                    {"person_id": "anna", "cert_id": "SALES-PRO", "earned_on": "2025-01-01"}
                ]
            })),
            d("2026-03-31"),
        )
        .unwrap();
        assert_eq!(decision.qualified_tier.as_deref(), Some("silver"));
        assert_eq!(
            decision.gap_words().as_deref(),
            Some("gold needs 18,500.00 EUR more revenue and 1 more SALES-PRO")
        );
        let gold = decision.next().unwrap();
        let requirements = gold.requirements(&decision);
        assert_eq!(requirements[0].shortfall(&decision).to_string(), "18500.00");
        assert_eq!(requirements[1].shortfall(&decision).to_string(), "1");
        assert_eq!(gold.progress(&decision).to_string(), "0.565");
    }

    #[test]
    fn threshold_met_exactly_holds() {
        let decision = evaluate(
            &program(),
            &facts(
                json!({"partner_id": "P1", "sales": [{"date": "2026-03-31", "amount": "10000.00"}],
                          "observations": []}),
            ),
            d("2026-03-31"),
        )
        .unwrap();
        assert_eq!(decision.qualified_tier.as_deref(), Some("silver"));
        assert_eq!(
            decision.tiers[1].requirements(&decision)[0]
                .shortfall(&decision)
                .to_string(),
            "0"
        );
    }

    #[test]
    fn missing_metrics_are_reported_with_the_rule_that_needs_them() {
        let err = evaluate(
            &program(),
            &facts(json!({"partner_id": "P1"})),
            d("2026-03-31"),
        )
        .unwrap_err();
        let found: Vec<(&str, &str)> = err
            .problems()
            .iter()
            .map(|p| (p.code().as_str(), p.path()))
            .collect();
        assert_eq!(
            found,
            [
                ("tier_metric_missing", "$.metrics.deployments"),
                ("tier_metric_missing", "$.metrics.growth"),
                ("tier_metric_missing", "$.metrics.new_customers"),
                ("tier_metric_missing", "$.metrics.revenue"),
            ]
        );
    }

    #[test]
    fn batch_comes_back_in_partner_order_and_reports_every_partner() {
        let program = program();
        let ok = |id: &str| facts(json!({"partner_id": id, "sales": [], "observations": []}));
        let decisions =
            evaluate_batch(&program, &[ok("P3"), ok("P1"), ok("P2")], d("2026-03-31")).unwrap();
        let ids: Vec<&str> = decisions.iter().map(|d| d.partner_id.as_str()).collect();
        assert_eq!(ids, ["P1", "P2", "P3"]);
        let bad = facts(
            json!({"partner_id": "P1", "sales": [{"date": "2026-01-01", "amount": "1.005"}], "observations": []}),
        );
        let err = evaluate_batch(&program, &[ok("P1"), bad], d("2026-03-31")).unwrap_err();
        let paths: Vec<&str> = err.problems().iter().map(|p| p.path()).collect();
        assert_eq!(paths, ["$[1].partner_id", "$[1].sales[0].amount"]);
    }

    #[test]
    fn explanation_names_every_tier_and_the_lifecycle() {
        let decision = evaluate(
            &program(),
            &facts(json!({"partner_id": "P1", "sales": [], "observations": [],
                          "assignment": {"tier": "silver", "since": "2025-01-01"}})),
            d("2026-03-31"),
        )
        .unwrap();
        let text = decision.explanation().to_text();
        assert!(
            text.starts_with("✗ tier.platinum: platinum needs 70 more points (needs 70)"),
            "{text}"
        );
        assert!(
            text.contains("✓ tier.registered: registered: every requirement holds"),
            "{text}"
        );
        assert!(text.contains("→ lifecycle: below `silver` since 2026-03-31 (no grace): downgraded to `registered`"), "{text}");
    }

    fn strip_sources(value: &mut Value) {
        match value {
            Value::Object(map) => {
                map.remove("source");
                map.values_mut().for_each(strip_sources);
            }
            Value::Array(items) => items.iter_mut().for_each(strip_sources),
            _ => {}
        }
    }

    fn arb_facts() -> impl Strategy<Value = PartnerFacts> {
        let sale = (
            0i64..800,
            1i64..4_000_000,
            0u8..6,
            proptest::bool::weighted(0.1),
        );
        let award = (0usize..4, 0usize..3, 0i64..1200);
        (
            proptest::collection::vec(sale, 0..30),
            proptest::collection::vec((0i64..400, 0i64..5), 0..6),
            proptest::collection::vec(award, 0..8),
            proptest::collection::vec(proptest::option::of(0i64..500), 4),
        )
            .prop_map(|(sales, deployments, awards, left)| {
                let origin = d("2024-01-01");
                let people: Vec<Person> = left
                    .iter()
                    .enumerate()
                    .map(|(i, left)| Person {
                        id: format!("p{i}"),
                        partner_id: "P1".into(),
                        roles: vec!["sales".into()],
                        active_from: None,
                        active_to: left.map(|days| add_days(d("2025-06-01"), days).unwrap()),
                    })
                    .collect();
                let certs = ["SALES-FOUNDATION", "SALES-PRO", "TECH-ARCH"];
                PartnerFacts {
                    partner_id: "P1".into(),
                    sales: Some(
                        sales
                            .into_iter()
                            .map(|(day, cents, customer, refund)| Sale {
                                id: None,
                                date: add_days(origin, day).unwrap(),
                                kind: if refund {
                                    SaleKind::Refund
                                } else {
                                    SaleKind::Sale
                                },
                                amount: Amount::bare(Decimal::new(rust_decimal::Decimal::new(
                                    cents, 2,
                                ))),
                                customer_id: Some(format!("C{customer}")),
                            })
                            .collect(),
                    ),
                    observations: Some(
                        deployments
                            .into_iter()
                            .map(|(day, n)| Observation {
                                series: "deployments".into(),
                                date: add_days(d("2025-04-01"), day).unwrap(),
                                value: Decimal::from(n),
                            })
                            .collect(),
                    ),
                    awards: awards
                        .into_iter()
                        .map(|(person, cert, day)| crate::certification::Award {
                            person_id: format!("p{person}"),
                            cert_id: certs[cert].into(),
                            earned_on: add_days(origin, day).unwrap(),
                            renewed_on: Vec::new(),
                        })
                        .collect(),
                    people,
                    ..PartnerFacts::default()
                }
            })
    }

    proptest! {
        /// The bit-set count used in batches agrees with the general count.
        #[test]
        fn prop_roster_counts_match_the_general_count(raw in arb_facts(), day in 0i64..900) {
            let program = program();
            let catalog = program.certifications().unwrap();
            let holdings = Holdings::new(catalog, &raw.awards).unwrap();
            let as_of = add_days(d("2024-06-01"), day)?;
            let roster = Roster::new(&holdings, &raw.people, as_of);
            for requirement in [
                json!({"any_of": ["SALES-PRO"], "people": 2}),
                json!({"track": "sales"}),
                json!({"min_level": 2, "role": "sales"}),
                json!({"all_of": ["SALES-FOUNDATION", "SALES-PRO"]}),
                json!({"any_of": ["SALES-FOUNDATION", "TECH-ARCH"], "role": "sales", "coverage": "50%"}),
            ] {
                let requirement: CertificationRequirement = serde_json::from_value(requirement).unwrap();
                let mask = CertificationMask::of(&requirement, catalog).unwrap();
                prop_assert_eq!(
                    roster.count(&requirement, mask, &raw.people, as_of),
                    requirement.count(&holdings, &raw.people, as_of)
                );
            }
        }

        /// DOMAIN.md §2: facts given as raw records or pre-aggregated give the same answer.
        #[test]
        fn prop_raw_and_aggregated_facts_agree(raw in arb_facts()) {
            let program = program();
            let as_of = d("2026-03-31");
            let context = MetricContext::of(&program, as_of);
            let catalog = program.certifications().unwrap();
            let holdings = Holdings::new(catalog, &raw.awards).unwrap();
            let records = Records {
                sales: raw.sales.as_deref(),
                observations: raw.observations.as_deref(),
                people: &raw.people,
                holdings: Some(&holdings),
            };
            let mut aggregated = raw.clone();
            aggregated.sales = None;
            aggregated.observations = None;
            for (name, def) in &program.tiers().unwrap().metrics {
                let value = def.resolve(name, &context)?.compute(&records, &context)?.unwrap();
                aggregated.metrics.insert(name.clone(), value.value);
            }
            let mut a = serde_json::to_value(evaluate(&program, &raw, as_of)?).unwrap();
            let mut b = serde_json::to_value(evaluate(&program, &aggregated, as_of)?).unwrap();
            strip_sources(&mut a);
            strip_sources(&mut b);
            prop_assert_eq!(a, b);
        }
    }
}
