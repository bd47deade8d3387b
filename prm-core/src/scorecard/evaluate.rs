//! [`evaluate`]: KPIs over the window and the previous one, health, bands, trend and signals.

use super::config::{KpiMeasure, PeerGroup, Scale, ScorecardProgram, metric_def};
use super::facts::{LeadRecord, ScorecardFacts};
use crate::calendar::{Date, Period, Window, add_days};
use crate::certification::{CertificationCatalog, Holdings, check_people};
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use crate::explain::{Explanation, Outcome, Step};
use crate::metric::{
    Measure, MetricContext, MetricDef, Records, ResolvedMetric, SaleKind, check_sales,
};
use crate::money::{Decimal, RoundingMode};
use crate::program::Program;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// The health band a score falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    /// At or above the `healthy` band.
    Healthy,
    /// At or above `watch`, below `healthy`.
    Watch,
    /// Below `watch`.
    AtRisk,
}

impl Band {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Band::Healthy => "healthy",
            Band::Watch => "watch",
            Band::AtRisk => "at_risk",
        }
    }
}

/// Which way health moved against the previous window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    /// Up by more than the tolerance.
    Up,
    /// Within the tolerance.
    Flat,
    /// Down by more than the tolerance.
    Down,
}

/// What a signal warns about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignalKind {
    /// Revenue fell more than the threshold against the previous window.
    RevenueDrop,
    /// No deal won for more than the configured days.
    NoRecentDeal,
    /// A certification expiry ahead would break the tier's certification requirement.
    CertificationExpiry,
    /// Most of the quarter has passed and little of the MDF is used.
    UnusedMdf,
}

/// A warning about a partner, with the facts behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Signal {
    /// What it warns about.
    pub kind: SignalKind,
    /// The warning, for a person.
    pub message: String,
    /// The facts behind it, by name.
    pub facts: BTreeMap<&'static str, String>,
}

/// One KPI of one partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct KpiResult<'a> {
    /// The KPI.
    pub id: &'a str,
    /// Its value over the window; `null` when there is no data.
    pub value: Option<Decimal>,
    /// Its value over the previous window.
    pub previous: Option<Decimal>,
    /// Its score, 0 to 100; `null` without data.
    pub score: Option<Decimal>,
    /// Its score over the previous window.
    pub previous_score: Option<Decimal>,
    /// Its weight.
    pub weight: Decimal,
    /// Why there is no value, when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_data: Option<&'static str>,
}

/// One partner's scorecard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Scorecard<'a> {
    /// The partner.
    pub partner_id: &'a str,
    /// Its tier, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<&'a str>,
    /// Its region, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<&'a str>,
    /// Every KPI, in the program's order.
    pub kpis: Vec<KpiResult<'a>>,
    /// The weighted health score, 0 to 100; `null` when no KPI has data.
    pub health: Option<Decimal>,
    /// The health over the previous window.
    pub previous_health: Option<Decimal>,
    /// The band of `health`.
    pub band: Option<Band>,
    /// The trend of health against the previous window.
    pub trend: Option<Trend>,
    /// The signals raised, by kind.
    pub signals: Vec<Signal>,
    /// The explanation.
    pub explanation: Explanation,
}

/// Scorecards for many partners, with the windows they cover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ScorecardReport<'a> {
    /// The day asked about.
    pub as_of: Date,
    /// The window KPIs cover.
    pub window: Period,
    /// The previous window.
    pub previous_window: Period,
    /// One scorecard per partner, in the order given.
    pub scorecards: Vec<Scorecard<'a>>,
}

/// How a KPI is computed, resolved once for every partner.
enum Plan<'a> {
    Metric(ResolvedMetric<'a>, ResolvedMetric<'a>),
    Ratio {
        numerator: (ResolvedMetric<'a>, ResolvedMetric<'a>),
        denominator: (ResolvedMetric<'a>, ResolvedMetric<'a>),
        percent: bool,
    },
    Acceptance,
    Conversion,
    Response,
    Given,
}

/// Everything resolved once per batch.
struct Setup<'a> {
    now: MetricContext,
    before: MetricContext,
    window: Period,
    previous: Period,
    plans: Vec<Plan<'a>>,
    revenue: (ResolvedMetric<'a>, ResolvedMetric<'a>),
    /// The KPI that already measures revenue, if any: the revenue-drop signal reuses it.
    revenue_kpi: Option<usize>,
    /// The fiscal quarter of `as_of`, for the unused-MDF signal.
    quarter: Period,
}

const PLACES: u32 = 2;

/// Scorecards for `partners` on `as_of` under the program's `scorecards` section.
///
/// For each partner and KPI: the value over the window and over the
/// previous window (the same span just before, as tier growth uses), both
/// computed by the metric engine from the same raw records as tier
/// metrics; its score from 0 to 100 (by bounds, or by percentile among the
/// partners passed in the same peer group); the weighted health score over
/// the KPIs that have data; its band; the trend against the previous
/// window's health; and the signals with their facts. A KPI without data
/// in the window (no leads, no deals for an average, a zero denominator)
/// says so and is left out of the health score, never divided by zero.
///
/// # Errors
///
/// * `missing_field` at `$.program.scorecards` when the program has no scorecards section;
/// * `duplicate_id` for a partner passed twice; sales, people and awards problems with
///   their paths under `$.partners[i]`;
/// * `overflow` when a value leaves the exact decimal range.
///
/// # Properties
///
/// Every score and health is between 0 and 100, and a partner's percentile
/// score never falls when its value rises (`prop_scores_stay_within_0_and_100`,
/// `prop_percentile_is_monotonic`).
///
/// # Example
///
/// ```
/// use prm_core::Program;
/// use prm_core::scorecard::{Band, ScorecardFacts, evaluate};
/// let program = Program::from_json(r#"{"schema_version": 1, "currency": "EUR",
///   "scorecards": {
///     "window": {"kind": "trailing_months", "months": 3},
///     "kpis": [{"id": "revenue", "measure": {"kind": "metric", "measure": {"kind": "revenue"}},
///               "scale": {"kind": "bounds", "worst": 0, "best": 10000}}],
///     "bands": {"healthy": 70, "watch": 40}}}"#)?;
/// let facts: Vec<ScorecardFacts> = serde_json::from_str(r#"[{"partner_id": "p1",
///   "sales": [{"date": "2026-02-10", "amount": "3000.00"}]}]"#)?;
/// let report = evaluate(&program, &facts, "2026-03-31".parse()?)?;
/// let card = &report.scorecards[0];
/// assert_eq!(card.health.map(|h| h.to_string()).as_deref(), Some("30.00"));
/// assert_eq!(card.band, Some(Band::AtRisk));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn evaluate<'a>(
    program: &'a Program,
    partners: &'a [ScorecardFacts],
    as_of: Date,
) -> Result<ScorecardReport<'a>, Error> {
    let Some(section) = program.scorecards() else {
        return Err(Error::problem(
            Problem::new(
                ErrorCode::MissingField,
                JsonPath::root().key("program").key("scorecards"),
            )
            .message("the program has no scorecards section")
            .help("add a `scorecards` section to the program"),
        ));
    };
    check_facts(program, partners)?;
    let now = MetricContext::of(program, as_of);
    let window = section.window.period(as_of, now.fiscal)?;
    let previous = section.window.preceding(as_of, now.fiscal)?;
    let before = MetricContext {
        as_of: add_days(previous.end, -1)?,
        ..now
    };
    let fixed = Window::Fixed {
        start: previous.start,
        end: previous.end,
    };
    // Definitions first (owned), then their resolutions (borrowing them).
    let mut defs: Vec<(MetricDef, MetricDef)> = Vec::new();
    for kpi in &section.kpis {
        match &kpi.measure {
            KpiMeasure::Metric { measure } => defs.push(pair(measure, section.window, fixed)),
            KpiMeasure::Ratio {
                numerator,
                denominator,
                ..
            } => {
                defs.push(pair(numerator, section.window, fixed));
                defs.push(pair(denominator, section.window, fixed));
            }
            _ => {}
        }
    }
    let revenue_defs = pair(&Measure::Revenue, section.window, fixed);
    let mut resolved = defs
        .iter()
        .map(|(a, b)| Ok((a.resolve("kpi", &now)?, b.resolve("kpi", &before)?)))
        .collect::<Result<Vec<_>, Error>>()?
        .into_iter();
    let mut plans = Vec::with_capacity(section.kpis.len());
    for kpi in &section.kpis {
        let plan = match &kpi.measure {
            KpiMeasure::Metric { .. } => match resolved.next() {
                Some((a, b)) => Plan::Metric(a, b),
                None => return Err(internal("metric plan")),
            },
            KpiMeasure::Ratio { percent, .. } => match (resolved.next(), resolved.next()) {
                (Some(numerator), Some(denominator)) => Plan::Ratio {
                    numerator,
                    denominator,
                    percent: *percent,
                },
                _ => return Err(internal("ratio plan")),
            },
            KpiMeasure::LeadAcceptanceRate => Plan::Acceptance,
            KpiMeasure::LeadConversionRate => Plan::Conversion,
            KpiMeasure::AverageResponseHours => Plan::Response,
            KpiMeasure::Given => Plan::Given,
        };
        plans.push(plan);
    }
    let setup = Setup {
        now,
        before,
        window,
        previous,
        plans,
        revenue: (
            revenue_defs.0.resolve("revenue", &now)?,
            revenue_defs.1.resolve("revenue", &before)?,
        ),
        revenue_kpi: section.kpis.iter().position(|k| {
            matches!(&k.measure, KpiMeasure::Metric { measure } if *measure == Measure::Revenue)
        }),
        quarter: now.fiscal.quarter(as_of)?.period,
    };
    let catalog = program.certifications();
    // Pass 1: every KPI's values, one row of `width` per partner in one flat buffer.
    let width = section.kpis.len().max(1);
    let mut values: Vec<Values> = Vec::with_capacity(partners.len() * width);
    for (i, facts) in partners.iter().enumerate() {
        let holdings = holdings_of(catalog, facts, i)?;
        for (kpi, plan) in section.kpis.iter().zip(&setup.plans) {
            values.push(kpi_values(&setup, plan, &kpi.id, facts, holdings.as_ref())?);
        }
        if section.kpis.is_empty() {
            values.push((None, None, None));
        }
    }
    let values: Vec<&[Values]> = values.chunks_exact(width).collect();
    // Pass 2: scores (percentiles need every peer's value), flat like the values.
    let mut scores: Vec<(Option<Decimal>, Option<Decimal>)> =
        vec![(None, None); partners.len() * width];
    let rounding = program.rounding();
    for (k, kpi) in section.kpis.iter().enumerate() {
        let column = scores.iter_mut().skip(k).step_by(width);
        match kpi.scale {
            Scale::Bounds { worst, best } => {
                for (row, out) in values.iter().zip(column) {
                    let (now_v, before_v, _) = row.get(k).copied().unwrap_or((None, None, None));
                    *out = (
                        bounds_score(now_v, worst, best, rounding)?,
                        bounds_score(before_v, worst, best, rounding)?,
                    );
                }
            }
            Scale::Percentile {
                among,
                higher_is_better,
            } => {
                let now_scores = percentiles(
                    partners,
                    &values,
                    k,
                    among,
                    higher_is_better,
                    rounding,
                    |v| v.0,
                )?;
                let before_scores = percentiles(
                    partners,
                    &values,
                    k,
                    among,
                    higher_is_better,
                    rounding,
                    |v| v.1,
                )?;
                for ((out, a), b) in column.zip(now_scores).zip(before_scores) {
                    *out = (a, b);
                }
            }
        }
    }
    // Pass 3: health, band, trend, signals.
    let mut cards = Vec::with_capacity(partners.len());
    let score_rows = scores.chunks_exact(width);
    for (i, ((facts, row), score_row)) in partners.iter().zip(&values).zip(score_rows).enumerate() {
        let holdings = match section.signals.certification_expiry {
            Some(_) => holdings_of(catalog, facts, i)?,
            None => None,
        };
        cards.push(card(
            section,
            &setup,
            facts,
            row,
            score_row,
            holdings.as_ref(),
            rounding,
        )?);
    }
    Ok(ScorecardReport {
        as_of,
        window: setup.window,
        previous_window: setup.previous,
        scorecards: cards,
    })
}

fn internal(what: &str) -> Error {
    Error::Internal(vec![
        Problem::new(ErrorCode::Internal, JsonPath::root())
            .message(format!("scorecard {what} is missing; please report this")),
    ])
}

fn pair(measure: &Measure, window: Window, previous: Window) -> (MetricDef, MetricDef) {
    (metric_def(measure, window), metric_def(measure, previous))
}

fn check_facts(program: &Program, partners: &[ScorecardFacts]) -> Result<(), Error> {
    let mut problems = Problems::new();
    let mut seen = BTreeSet::new();
    let list = JsonPath::root().key("partners");
    for (i, facts) in partners.iter().enumerate() {
        if !seen.insert(facts.partner_id.as_str()) {
            problems.push(
                Problem::new(ErrorCode::DuplicateId, list.index(i).key("partner_id"))
                    .message(format!("partner `{}` is passed twice", facts.partner_id)),
            );
        }
        if let Some(sales) = &facts.sales {
            problems.take(check_sales(
                sales,
                program.currency(),
                &list.index(i).key("sales"),
            ));
        }
        if !facts.people.is_empty() {
            problems.take(check_people(
                &facts.partner_id,
                &facts.people,
                &list.index(i).key("people"),
            ));
        }
    }
    problems.into_result(())
}

fn holdings_of<'a>(
    catalog: Option<&'a CertificationCatalog>,
    facts: &'a ScorecardFacts,
    i: usize,
) -> Result<Option<Holdings<'a>>, Error> {
    match (catalog, &facts.awards) {
        (Some(catalog), Some(awards)) => Holdings::new(catalog, awards)
            .map(Some)
            .map_err(|e| e.under(&JsonPath::root().key("partners").index(i).key("awards"))),
        _ => Ok(None),
    }
}

type Values = (Option<Decimal>, Option<Decimal>, Option<&'static str>);

fn kpi_values(
    setup: &Setup<'_>,
    plan: &Plan<'_>,
    id: &str,
    facts: &ScorecardFacts,
    holdings: Option<&Holdings<'_>>,
) -> Result<Values, Error> {
    let records = Records {
        sales: facts.sales.as_deref(),
        observations: facts.observations.as_deref(),
        people: &facts.people,
        holdings,
    };
    let leads = facts.leads.as_deref();
    let values = match plan {
        Plan::Metric(now, before) => {
            let a = metric_value(now, &records, &setup.now)?;
            let b = metric_value(before, &records, &setup.before)?;
            (
                a,
                b,
                a.is_none().then_some(no_data_reason(now.def, &records)),
            )
        }
        Plan::Ratio {
            numerator,
            denominator,
            percent,
        } => {
            let rounding = setup.now.rounding;
            let a = ratio(
                metric_value(&numerator.0, &records, &setup.now)?,
                metric_value(&denominator.0, &records, &setup.now)?,
                *percent,
                rounding,
            )?;
            let b = ratio(
                metric_value(&numerator.1, &records, &setup.before)?,
                metric_value(&denominator.1, &records, &setup.before)?,
                *percent,
                rounding,
            )?;
            (
                a,
                b,
                a.is_none()
                    .then_some("the denominator is zero or has no data in the window"),
            )
        }
        Plan::Acceptance | Plan::Conversion | Plan::Response => {
            let rounding = setup.now.rounding;
            let a = lead_value(plan, leads, setup.window, rounding)?;
            let b = lead_value(plan, leads, setup.previous, rounding)?;
            let why = match (leads, plan) {
                (None, _) => "no lead records were passed",
                (_, Plan::Response) => "no lead with a response time in the window",
                (_, Plan::Acceptance) => "no lead accepted or declined in the window",
                _ => "no lead in the window",
            };
            (a, b, a.is_none().then_some(why))
        }
        Plan::Given => {
            let given = facts.given.get(id).copied().unwrap_or_default();
            (
                given.current,
                given.previous,
                given.current.is_none().then_some("the host gave no value"),
            )
        }
    };
    Ok(values)
}

fn no_data_reason(def: &MetricDef, records: &Records<'_>) -> &'static str {
    match (&def.measure, records.sales, records.observations) {
        (Measure::AverageDealSize, Some(_), _) => "no deal won in the window",
        (Measure::RevenueGrowth, Some(_), _) => "no revenue in the previous window to grow from",
        (Measure::Average { .. }, _, Some(_)) => "no observation of the series in the window",
        (Measure::CertifiedPeople(_), _, _) => "no awards were passed",
        _ => "the records this KPI needs were not passed",
    }
}

/// A metric's value, or `None` when it has no data: records not passed, or an average
/// (deal size, series) over nothing, or growth from nothing.
fn metric_value(
    metric: &ResolvedMetric<'_>,
    records: &Records<'_>,
    context: &MetricContext,
) -> Result<Option<Decimal>, Error> {
    let period = metric.period;
    let has_data = match (&metric.def.measure, period) {
        (Measure::AverageDealSize, Some(p)) => records.sales.is_some_and(|s| {
            s.iter()
                .any(|s| s.kind == SaleKind::Sale && p.contains(s.date))
        }),
        (Measure::Average { series }, Some(p)) => records
            .observations
            .is_some_and(|o| o.iter().any(|o| &o.series == series && p.contains(o.date))),
        (Measure::RevenueGrowth, _) => match (records.sales, metric.preceding) {
            (Some(sales), Some(before)) => {
                let total =
                    crate::metric::net_revenue(sales.iter().filter(|s| before.contains(s.date)))
                        .ok_or_else(|| Error::overflow(JsonPath::root(), "previous revenue"))?;
                total > Decimal::ZERO
            }
            _ => false,
        },
        _ => true,
    };
    if !has_data {
        return Ok(None);
    }
    Ok(metric.compute(records, context)?.map(|v| v.value))
}

fn ratio(
    numerator: Option<Decimal>,
    denominator: Option<Decimal>,
    percent: bool,
    rounding: RoundingMode,
) -> Result<Option<Decimal>, Error> {
    let (Some(n), Some(d)) = (numerator, denominator) else {
        return Ok(None);
    };
    if d.is_zero() {
        return Ok(None);
    }
    let scaled = if percent {
        n.checked_mul(Decimal::ONE_HUNDRED)
    } else {
        Some(n)
    };
    let value = scaled
        .and_then(|n| n.checked_div(d))
        .ok_or_else(|| Error::overflow(JsonPath::root(), "a KPI ratio"))?;
    Ok(Some(rounding.round(value, PLACES)))
}

fn count(n: usize) -> Decimal {
    Decimal::from(i64::try_from(n).unwrap_or(i64::MAX))
}

fn lead_value(
    plan: &Plan<'_>,
    leads: Option<&[LeadRecord]>,
    period: Period,
    rounding: RoundingMode,
) -> Result<Option<Decimal>, Error> {
    let Some(leads) = leads else {
        return Ok(None);
    };
    let in_window = leads.iter().filter(|l| period.contains(l.date));
    match plan {
        Plan::Acceptance => {
            let (mut answered, mut accepted) = (0usize, 0usize);
            for lead in in_window {
                if let Some(yes) = lead.accepted {
                    answered += 1;
                    accepted += usize::from(yes);
                }
            }
            if answered == 0 {
                return Ok(None);
            }
            ratio(Some(count(accepted)), Some(count(answered)), true, rounding)
        }
        Plan::Conversion => {
            let (mut received, mut converted) = (0usize, 0usize);
            for lead in in_window {
                received += 1;
                converted += usize::from(lead.converted);
            }
            if received == 0 {
                return Ok(None);
            }
            ratio(
                Some(count(converted)),
                Some(count(received)),
                true,
                rounding,
            )
        }
        _ => {
            let (mut n, mut total) = (0usize, Decimal::ZERO);
            for hours in in_window.filter_map(|l| l.response_hours) {
                n += 1;
                total = total
                    .checked_add(hours)
                    .ok_or_else(|| Error::overflow(JsonPath::root(), "response hours"))?;
            }
            if n == 0 {
                return Ok(None);
            }
            ratio(Some(total), Some(count(n)), false, rounding)
        }
    }
}

fn bounds_score(
    value: Option<Decimal>,
    worst: Decimal,
    best: Decimal,
    rounding: RoundingMode,
) -> Result<Option<Decimal>, Error> {
    let Some(value) = value else {
        return Ok(None);
    };
    let overflow = || Error::overflow(JsonPath::root(), "a KPI score");
    let span = best.checked_sub(worst).ok_or_else(overflow)?;
    if span.is_zero() {
        return Ok(Some(Decimal::ZERO));
    }
    let raw = value
        .checked_sub(worst)
        .and_then(|d| d.checked_mul(Decimal::ONE_HUNDRED))
        .and_then(|d| d.checked_div(span))
        .ok_or_else(overflow)?;
    Ok(Some(rounding.round(
        raw.max(Decimal::ZERO).min(Decimal::ONE_HUNDRED),
        PLACES,
    )))
}

/// Percentile scores of KPI `k` for every partner, among its peers.
fn percentiles<'a>(
    partners: &'a [ScorecardFacts],
    values: &[&[Values]],
    k: usize,
    among: PeerGroup,
    higher_is_better: bool,
    rounding: RoundingMode,
    pick: impl Fn(&Values) -> Option<Decimal>,
) -> Result<Vec<Option<Decimal>>, Error> {
    let group = |facts: &'a ScorecardFacts| -> &'a str {
        match among {
            PeerGroup::All => "",
            PeerGroup::Tier => facts.tier.as_deref().unwrap_or_default(),
            PeerGroup::Region => facts.region.as_deref().unwrap_or_default(),
        }
    };
    // Values of one KPI share a scale (rounded once to 2 places), so ranking can compare
    // integer mantissas instead of decimals; otherwise it compares decimals.
    let one_scale = {
        let mut scales = values
            .iter()
            .filter_map(|row| row.get(k).and_then(&pick))
            .map(|v| v.value().scale());
        match scales.next() {
            Some(first) => scales.all(|scale| scale == first),
            None => true,
        }
    };
    if one_scale {
        ranks(
            partners,
            values,
            k,
            group,
            higher_is_better,
            rounding,
            |row: &Values| pick(row).map(|v| v.value().mantissa()),
        )
    } else {
        ranks(partners, values, k, group, higher_is_better, rounding, pick)
    }
}

fn ranks<'a, K: Ord + Copy>(
    partners: &'a [ScorecardFacts],
    values: &[&[Values]],
    k: usize,
    group: impl Fn(&'a ScorecardFacts) -> &'a str,
    higher_is_better: bool,
    rounding: RoundingMode,
    key: impl Fn(&Values) -> Option<K>,
) -> Result<Vec<Option<Decimal>>, Error> {
    // Few groups (tiers, regions): an ordered map beats hashing every lookup.
    let mut peers: BTreeMap<&str, Vec<(K, usize)>> = BTreeMap::new();
    for (i, (facts, row)) in partners.iter().zip(values).enumerate() {
        if let Some(v) = row.get(k).and_then(&key) {
            peers.entry(group(facts)).or_default().push((v, i));
        }
    }
    // Each group sorted once; every run of equal values shares one score, with
    // `below` the run's start and `tied` its length (what `percentile_rank`
    // finds by binary search for one value).
    let mut out = vec![None; partners.len()];
    for list in peers.values_mut() {
        list.sort_unstable();
        let n = list.len();
        let mut start = 0;
        while let Some(&(value, _)) = list.get(start) {
            let run = list
                .get(start..)
                .map_or(0, |rest| rest.partition_point(|(v, _)| *v == value));
            let score = percentile_score(n, start, run, higher_is_better, rounding)?;
            for &(_, i) in list.get(start..start + run).unwrap_or_default() {
                if let Some(slot) = out.get_mut(i) {
                    *slot = Some(score);
                }
            }
            start += run.max(1);
        }
    }
    Ok(out)
}

/// `100 × (below + (tied − 1) / 2) / (n − 1)` over sorted `peers` (which include `value`);
/// 50 for a lone partner.
#[cfg(test)]
pub(crate) fn percentile_rank<K: Ord + Copy>(
    peers: &[K],
    value: K,
    higher_is_better: bool,
    rounding: RoundingMode,
) -> Result<Decimal, Error> {
    let below = peers.partition_point(|p| *p < value);
    let through = peers.partition_point(|p| *p <= value);
    let tied = through.saturating_sub(below);
    percentile_score(peers.len(), below, tied, higher_is_better, rounding)
}

/// The percentile score of a value with `below` peers under it and `tied`
/// equal to it (itself included), among `n`.
fn percentile_score(
    n: usize,
    below: usize,
    tied: usize,
    higher_is_better: bool,
    rounding: RoundingMode,
) -> Result<Decimal, Error> {
    let overflow = || Error::overflow(JsonPath::root(), "a percentile");
    if n <= 1 {
        return Ok(Decimal::new(rust_decimal::Decimal::new(5000, PLACES)));
    }
    // Exact integer arithmetic, rounded once with the program's mode: the score is
    // 100 × a / d with a = 2·below + tied − 1 and d = 2·(n − 1), or 100 × (d − a) / d when
    // lower is better; in hundredths, 10,000 × a / d.
    let wide = |x: usize| u128::try_from(x).unwrap_or(u128::MAX);
    let d = wide(2 * (n - 1));
    let a = wide(2 * below + tied.saturating_sub(1));
    let a = if higher_is_better {
        a
    } else {
        d.saturating_sub(a)
    };
    let x = a.checked_mul(10_000).ok_or_else(overflow)?;
    let (q, rest) = (x / d, x % d);
    let up = match rounding {
        RoundingMode::HalfEven => 2 * rest > d || (2 * rest == d && q % 2 == 1),
        RoundingMode::HalfUp => 2 * rest >= d,
        RoundingMode::Down => false,
        RoundingMode::Up => rest > 0,
    };
    let hundredths = i128::try_from(q + u128::from(up)).map_err(|_| overflow())?;
    rust_decimal::Decimal::try_from_i128_with_scale(hundredths, PLACES)
        .map(Decimal::new)
        .map_err(|_| overflow())
}

fn weighted(
    section: &ScorecardProgram,
    scores: &[(Option<Decimal>, Option<Decimal>)],
    pick: impl Fn(&(Option<Decimal>, Option<Decimal>)) -> Option<Decimal>,
    rounding: RoundingMode,
) -> Result<Option<Decimal>, Error> {
    let overflow = || Error::overflow(JsonPath::root(), "a health score");
    let (mut total, mut weights) = (Decimal::ZERO, Decimal::ZERO);
    for (kpi, s) in section.kpis.iter().zip(scores) {
        if let Some(score) = pick(s) {
            total = score
                .checked_mul(kpi.weight)
                .and_then(|x| x.checked_add(total))
                .ok_or_else(overflow)?;
            weights = weights.checked_add(kpi.weight).ok_or_else(overflow)?;
        }
    }
    if weights.is_zero() {
        return Ok(None);
    }
    let health = total.checked_div(weights).ok_or_else(overflow)?;
    Ok(Some(rounding.round(health, PLACES)))
}

fn card<'a>(
    section: &'a ScorecardProgram,
    setup: &Setup<'_>,
    facts: &'a ScorecardFacts,
    values: &[Values],
    scores: &[(Option<Decimal>, Option<Decimal>)],
    holdings: Option<&Holdings<'_>>,
    rounding: RoundingMode,
) -> Result<Scorecard<'a>, Error> {
    let mut explanation = Explanation::new();
    let mut kpis = Vec::with_capacity(section.kpis.len());
    // One sentence shows the weighted sum; only KPIs without data get a step of their own.
    let mut terms = String::new();
    for ((kpi, &(value, previous, no_data)), &(score, previous_score)) in
        section.kpis.iter().zip(values).zip(scores)
    {
        match (value, score) {
            (Some(_), Some(s)) => {
                if !terms.is_empty() {
                    terms.push_str(" + ");
                }
                let _ = write!(terms, "{} × {s} {}", kpi.weight, kpi.label());
            }
            _ => explanation.push(Step::new(
                format!("scorecard.kpis.{}", kpi.id),
                Outcome::Skipped,
                format!(
                    "{}: no data ({}); left out of the health score",
                    kpi.label(),
                    no_data.unwrap_or("no value")
                ),
            )),
        }
        kpis.push(KpiResult {
            id: &kpi.id,
            value,
            previous,
            score,
            previous_score,
            weight: kpi.weight,
            no_data: if value.is_none() {
                Some(no_data.unwrap_or("no value"))
            } else {
                None
            },
        });
    }
    let health = weighted(section, scores, |s| s.0, rounding)?;
    let previous_health = weighted(section, scores, |s| s.1, rounding)?;
    let band = health.map(|h| {
        if h >= section.bands.healthy {
            Band::Healthy
        } else if h >= section.bands.watch {
            Band::Watch
        } else {
            Band::AtRisk
        }
    });
    let trend = match (health, previous_health) {
        (Some(now), Some(before)) => {
            let delta = now.checked_sub(before).unwrap_or(Decimal::ZERO);
            Some(if delta > section.trend_tolerance {
                Trend::Up
            } else if delta.abs() <= section.trend_tolerance {
                Trend::Flat
            } else {
                Trend::Down
            })
        }
        _ => None,
    };
    match (health, band) {
        (Some(h), Some(b)) => {
            let mut message = format!("health {h} is {}: the weighted mean of {terms}", b.as_str());
            if let Some(before) = previous_health {
                let _ = write!(message, "; {before} over the previous window");
            }
            explanation.push(Step::new("scorecard.health", Outcome::Info, message));
        }
        _ => explanation.push(Step::new(
            "scorecard.health",
            Outcome::Skipped,
            "no KPI has data in the window: no health score",
        )),
    }
    let signals = signals(section, setup, facts, values, holdings)?;
    for signal in &signals {
        explanation.push(Step::new(
            format!("scorecard.signals.{}", signal_name(signal.kind)),
            Outcome::Failed,
            signal.message.clone(),
        ));
    }
    Ok(Scorecard {
        partner_id: &facts.partner_id,
        tier: facts.tier.as_deref(),
        region: facts.region.as_deref(),
        kpis,
        health,
        previous_health,
        band,
        trend,
        signals,
        explanation,
    })
}

fn signal_name(kind: SignalKind) -> &'static str {
    match kind {
        SignalKind::RevenueDrop => "revenue_drop",
        SignalKind::NoRecentDeal => "no_recent_deal",
        SignalKind::CertificationExpiry => "certification_expiry",
        SignalKind::UnusedMdf => "unused_mdf",
    }
}

fn signals(
    section: &ScorecardProgram,
    setup: &Setup<'_>,
    facts: &ScorecardFacts,
    values: &[Values],
    holdings: Option<&Holdings<'_>>,
) -> Result<Vec<Signal>, Error> {
    let rules = &section.signals;
    let as_of = setup.now.as_of;
    let mut out = Vec::new();
    let overflow = || Error::overflow(JsonPath::root(), "a signal");
    if let (Some(threshold), Some(sales)) = (rules.revenue_drop_percent, facts.sales.as_deref()) {
        let (now, before) = match setup.revenue_kpi.and_then(|k| values.get(k)) {
            Some(&(now, before, _)) => (now, before),
            None => {
                let records = Records {
                    sales: Some(sales),
                    ..Records::default()
                };
                (
                    setup
                        .revenue
                        .0
                        .compute(&records, &setup.now)?
                        .map(|v| v.value),
                    setup
                        .revenue
                        .1
                        .compute(&records, &setup.before)?
                        .map(|v| v.value),
                )
            }
        };
        if let (Some(now), Some(before)) = (now, before)
            && before > Decimal::ZERO
        {
            let drop = before
                .checked_sub(now)
                .and_then(|d| d.checked_mul(Decimal::ONE_HUNDRED))
                .and_then(|d| d.checked_div(before))
                .ok_or_else(overflow)?;
            let drop = setup.now.rounding.round(drop, PLACES);
            if drop > threshold {
                let mut f = BTreeMap::new();
                f.insert("revenue", now.to_string());
                f.insert("previous_revenue", before.to_string());
                f.insert("drop_percent", drop.to_string());
                f.insert("threshold_percent", threshold.to_string());
                out.push(Signal {
                    kind: SignalKind::RevenueDrop,
                    message: format!(
                        "revenue fell {drop}% ({before} to {now}), more than {threshold}%"
                    ),
                    facts: f,
                });
            }
        }
    }
    if let (Some(limit), Some(sales)) = (rules.no_deal_days, facts.sales.as_deref()) {
        let last = sales
            .iter()
            .filter(|s| s.kind == SaleKind::Sale && s.date <= as_of)
            .map(|s| s.date)
            .max();
        let days = last.map(|d| d.days_until(as_of));
        if days.is_none_or(|d| d > i64::from(limit)) {
            let mut f = BTreeMap::new();
            f.insert("limit_days", limit.to_string());
            let message = match (last, days) {
                (Some(last), Some(days)) => {
                    f.insert("last_deal_on", last.to_string());
                    f.insert("days_since", days.to_string());
                    format!("no deal won for {days} days (since {last}), more than {limit}")
                }
                _ => "no deal won on record".to_owned(),
            };
            out.push(Signal {
                kind: SignalKind::NoRecentDeal,
                message,
                facts: f,
            });
        }
    }
    if let (Some(rule), Some(holdings), Some(tier)) =
        (&rules.certification_expiry, holdings, facts.tier.as_deref())
        && let Some(requirement) = rule.requirements.get(tier)
    {
        let then = add_days(as_of, i64::from(rule.days))?;
        let now_count = requirement.count(holdings, &facts.people, as_of);
        let then_count = requirement.count(holdings, &facts.people, then);
        if now_count.met && !then_count.met {
            let mut f = BTreeMap::new();
            f.insert("tier", tier.to_owned());
            f.insert("certifications", requirement.describe());
            f.insert("holders_now", now_count.holders.to_string());
            f.insert("holders_then", then_count.holders.to_string());
            f.insert("required", then_count.required.to_string());
            f.insert("on", then.to_string());
            out.push(Signal {
                kind: SignalKind::CertificationExpiry,
                message: format!(
                    "by {then} only {} of {} required people will hold {}: {tier} would be lost",
                    then_count.holders,
                    then_count.required,
                    requirement.describe()
                ),
                facts: f,
            });
        }
    }
    if let (Some(rule), Some(mdf)) = (rules.unused_mdf, facts.mdf)
        && mdf.funds > Decimal::ZERO
    {
        let quarter = setup.quarter;
        let elapsed = count(usize::try_from(quarter.start.days_until(as_of) + 1).unwrap_or(0));
        let share = elapsed
            .checked_div(count(usize::try_from(quarter.days()).unwrap_or(1)))
            .ok_or_else(overflow)?;
        let used = mdf.spent.checked_div(mdf.funds).ok_or_else(overflow)?;
        if share >= rule.after.fraction() && used < rule.below.fraction() {
            let rounding = setup.now.rounding;
            let pct = |x: Decimal| {
                x.checked_mul(Decimal::ONE_HUNDRED)
                    .map(|p| rounding.round(p, PLACES).to_string())
                    .unwrap_or_default()
            };
            let (used, share) = (pct(used), pct(share));
            let message =
                format!("{share}% of the quarter has passed and only {used}% of the MDF is used");
            let mut f = BTreeMap::new();
            f.insert("funds", mdf.funds.to_string());
            f.insert("spent", mdf.spent.to_string());
            f.insert("used_percent", used);
            f.insert("quarter_elapsed_percent", share);
            f.insert("quarter_ends_on", quarter.last_day().to_string());
            out.push(Signal {
                kind: SignalKind::UnusedMdf,
                message,
                facts: f,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(n: i64) -> Decimal {
        Decimal::from(n)
    }

    #[test]
    fn percentile_shares_a_score_among_tied_peers() {
        let peers = [d(10), d(20), d(20), d(30)];
        let r = RoundingMode::HalfEven;
        assert_eq!(
            percentile_rank(&peers, d(10), true, r).unwrap().to_string(),
            "0.00"
        );
        assert_eq!(
            percentile_rank(&peers, d(20), true, r).unwrap().to_string(),
            "50.00"
        );
        assert_eq!(
            percentile_rank(&peers, d(30), true, r).unwrap().to_string(),
            "100.00"
        );
        assert_eq!(
            percentile_rank(&peers, d(30), false, r)
                .unwrap()
                .to_string(),
            "0.00"
        );
        assert_eq!(
            percentile_rank(&[d(5)], d(5), true, r).unwrap().to_string(),
            "50.00"
        );
    }

    #[test]
    fn scorecard_json_shape() {
        let program =
            Program::from_value(&serde_json::json!({"schema_version": 1, "currency": "EUR",
            "scorecards": {"window": {"kind": "trailing_months", "months": 3},
              "kpis": [
                {"id": "revenue", "measure": {"kind": "metric", "measure": {"kind": "revenue"}},
                 "weight": 2, "scale": {"kind": "bounds", "worst": 0, "best": 1000}},
                {"id": "acceptance", "measure": {"kind": "lead_acceptance_rate"},
                 "scale": {"kind": "bounds", "worst": 0, "best": 100}}],
              "bands": {"healthy": 70, "watch": 40},
              "signals": {"revenue_drop_percent": 10, "no_deal_days": 30}}}))
            .unwrap();
        let facts: Vec<ScorecardFacts> = serde_json::from_value(serde_json::json!([
            {"partner_id": "p1", "tier": "gold",
             "sales": [{"date": "2026-02-01", "amount": "500.00"}, {"date": "2025-12-01", "amount": "900.00"}],
             "leads": []}]))
        .unwrap();
        let report = evaluate(&program, &facts, "2026-03-31".parse().unwrap()).unwrap();
        insta::assert_json_snapshot!(serde_json::to_value(&report).unwrap());
    }

    #[test]
    fn bounds_clamp_and_invert() {
        let r = RoundingMode::HalfEven;
        assert_eq!(
            bounds_score(Some(d(60)), d(48), d(2), r).unwrap(),
            Some(Decimal::from(0i64).max(r.round(d(0), 2)))
        );
        assert_eq!(
            bounds_score(Some(d(25)), d(48), d(2), r)
                .unwrap()
                .unwrap()
                .to_string(),
            "50.00"
        );
        assert_eq!(bounds_score(None, d(0), d(1), r).unwrap(), None);
    }

    proptest! {
        #[test]
        fn prop_scores_stay_within_0_and_100(v in -1000i64..1000, w in -500i64..500, b in -500i64..500) {
            prop_assume!(w != b);
            let s = bounds_score(Some(d(v)), d(w), d(b), RoundingMode::HalfEven).unwrap().unwrap();
            prop_assert!(s >= Decimal::ZERO && s <= Decimal::ONE_HUNDRED);
        }

        /// Ranking a whole group by runs of equal values gives every partner
        /// the score `percentile_rank` gives its value, group by group.
        #[test]
        fn prop_ranks_equal_percentile_rank(
            raw in proptest::collection::vec((proptest::option::of(0i64..40), 0u8..3), 0..60),
            higher in proptest::bool::ANY,
        ) {
            let partners: Vec<ScorecardFacts> = raw
                .iter()
                .enumerate()
                .map(|(i, (_, g))| serde_json::from_value(serde_json::json!(
                    {"partner_id": format!("p{i}"), "tier": format!("t{g}")}
                )).unwrap())
                .collect();
            let rows: Vec<Values> = raw.iter().map(|(v, _)| (v.map(d), None, None)).collect();
            let values: Vec<&[Values]> = rows.chunks_exact(1).collect();
            let r = RoundingMode::HalfEven;
            let tier = |f: &ScorecardFacts| -> String { f.tier.clone().unwrap_or_default() };
            let got = percentiles(&partners, &values, 0, PeerGroup::Tier, higher, r, |v| v.0).unwrap();
            for (i, (value, _)) in raw.iter().enumerate() {
                let want = value.map(|v| {
                    let mut peers: Vec<Decimal> = raw
                        .iter()
                        .enumerate()
                        .filter(|(j, (w, _))| w.is_some() && tier(&partners[*j]) == tier(&partners[i]))
                        .filter_map(|(_, (w, _))| w.map(d))
                        .collect();
                    peers.sort_unstable();
                    percentile_rank(&peers, d(v), higher, r).unwrap()
                });
                prop_assert_eq!(got[i], want);
            }
        }

        #[test]
        fn prop_percentile_is_monotonic(mut peers in proptest::collection::vec(0i64..50, 1..30), a in 0usize..30, b in 0usize..30) {
            peers.sort_unstable();
            let values: Vec<Decimal> = peers.iter().map(|p| d(*p)).collect();
            let (Some(x), Some(y)) = (values.get(a % values.len()), values.get(b % values.len())) else { return Ok(()); };
            let r = RoundingMode::HalfEven;
            let sx = percentile_rank(&values, *x, true, r).unwrap();
            let sy = percentile_rank(&values, *y, true, r).unwrap();
            prop_assert!(sx >= Decimal::ZERO && sx <= Decimal::ONE_HUNDRED);
            if x < y { prop_assert!(sx < sy); }
            if x == y { prop_assert_eq!(sx, sy); }
        }
    }
}
