//! [`ScorecardProgram`]: the `scorecards` section: KPIs, how each maps to 0..100, bands, signals.

use crate::calendar::Window;
use crate::certification::{CertificationCatalog, CertificationRequirement};
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use crate::metric::{Measure, MetricDef};
use crate::money::{Decimal, Rate};
use crate::tier::TierProgram;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

fn one() -> Decimal {
    Decimal::ONE
}

fn yes() -> bool {
    true
}

/// What a KPI measures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum KpiMeasure {
    /// A metric measure (revenue, revenue growth, deals won, average deal size, certified
    /// people, or a series of observations such as satisfaction or approved deal
    /// registrations), aggregated by the metric engine over the scorecard's window.
    Metric {
        /// The measure.
        measure: Measure,
    },
    /// One metric measure over another (win rate: deals won over opportunities closed;
    /// MDF ROI: revenue over MDF spent). No data when the denominator is zero.
    Ratio {
        /// The numerator.
        numerator: Measure,
        /// The denominator.
        denominator: Measure,
        /// Times 100, as a percent (the default), or as a plain ratio.
        #[serde(default = "yes")]
        percent: bool,
    },
    /// Leads accepted over leads answered (accepted or declined) in the window, in percent.
    LeadAcceptanceRate,
    /// Leads converted over leads received in the window, in percent.
    LeadConversionRate,
    /// The average hours to respond to the leads that have a response time.
    AverageResponseHours,
    /// A value the host computes (MDF utilization from its ledger), passed per partner in
    /// `given`, for the window and the previous window.
    Given,
}

/// Which peers a percentile compares a partner with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PeerGroup {
    /// Every partner evaluated together.
    All,
    /// Partners in the same tier.
    Tier,
    /// Partners in the same region.
    Region,
}

/// How a KPI's value becomes a score from 0 to 100.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Scale {
    /// Linear between `worst` (0) and `best` (100), clamped; `worst` above `best` means
    /// lower is better (response hours).
    Bounds {
        /// The value that scores 0.
        worst: Decimal,
        /// The value that scores 100.
        best: Decimal,
    },
    /// The percentile rank among peers: `100 × (below + (tied − 1) / 2) / (peers − 1)`,
    /// so tied peers share a score and a lone partner scores 50.
    Percentile {
        /// Who the peers are.
        among: PeerGroup,
        /// `false` when lower values are better.
        #[serde(default = "yes")]
        higher_is_better: bool,
    },
}

/// One KPI of the scorecard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KpiDef {
    /// Its id, unique in the scorecard.
    pub id: String,
    /// How it reads in sentences; the id by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// What it measures.
    pub measure: KpiMeasure,
    /// Its weight in the health score (1 by default).
    #[serde(default = "one")]
    pub weight: Decimal,
    /// How its value maps to 0..100.
    pub scale: Scale,
}

impl KpiDef {
    /// Its label, else its id.
    pub fn label(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.id)
    }
}

/// Where the health score's bands start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bands {
    /// At or above: `healthy`.
    pub healthy: Decimal,
    /// At or above (and below `healthy`): `watch`; below: `at_risk`.
    pub watch: Decimal,
}

/// A certification expiry that would cost the tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificationExpirySignal {
    /// How many days ahead to look.
    pub days: u32,
    /// Each tier's certification requirement, by tier id.
    pub requirements: BTreeMap<String, CertificationRequirement>,
}

/// Unused MDF late in the fiscal quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnusedMdfSignal {
    /// Signal once this share of the quarter has passed (`"75%"`).
    pub after: Rate,
    /// ... and less than this share of the funds is used (`"50%"`).
    pub below: Rate,
}

/// Which signals to raise.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignalRules {
    /// Revenue in the window down more than this percent against the previous window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revenue_drop_percent: Option<Decimal>,
    /// No deal won for more than this many days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_deal_days: Option<u32>,
    /// A certification expiry that would cost the tier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certification_expiry: Option<CertificationExpirySignal>,
    /// Unused MDF late in the quarter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unused_mdf: Option<UnusedMdfSignal>,
}

/// The `scorecards` section of the program document.
///
/// ```
/// use prm_core::scorecard::ScorecardProgram;
/// let section: ScorecardProgram = serde_json::from_str(r#"{
///   "window": {"kind": "trailing_months", "months": 3},
///   "kpis": [
///     {"id": "revenue", "measure": {"kind": "metric", "measure": {"kind": "revenue"}},
///      "weight": 2, "scale": {"kind": "percentile", "among": "tier"}},
///     {"id": "response", "measure": {"kind": "average_response_hours"},
///      "scale": {"kind": "bounds", "worst": 48, "best": 2}}
///   ],
///   "bands": {"healthy": 70, "watch": 40},
///   "signals": {"revenue_drop_percent": 20, "no_deal_days": 60}
/// }"#)?;
/// assert!(section.validate(None, None, &prm_core::JsonPath::root()).is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScorecardProgram {
    /// The window KPIs cover; the previous window is the same span just before it.
    pub window: Window,
    /// The KPIs.
    pub kpis: Vec<KpiDef>,
    /// The health bands.
    pub bands: Bands,
    /// A health change within this many points either way is a `flat` trend (0 by default).
    #[serde(default)]
    pub trend_tolerance: Decimal,
    /// Which signals to raise.
    #[serde(default)]
    pub signals: SignalRules,
}

/// The metric definition a measure is computed with, over `window` when it needs one.
pub(crate) fn metric_def(measure: &Measure, window: Window) -> MetricDef {
    MetricDef {
        measure: measure.clone(),
        window: measure.needs_window().then_some(window),
        label: None,
    }
}

impl ScorecardProgram {
    /// Checks the window, every KPI, the bands and the signals; problems are reported under
    /// `path`.
    ///
    /// # Errors
    ///
    /// * `duplicate_id` for a KPI id used twice; `missing_field` for no KPI;
    /// * `out_of_range` for a negative weight, or a band outside 0..100;
    /// * `scorecard_weights_zero` when the weights add up to zero;
    /// * `scorecard_bounds_equal` for bounds with `worst` equal to `best`;
    /// * `scorecard_bands_reversed` when `watch` is above `healthy`;
    /// * a measure's own problems (a `custom` measure, which only the host can compute,
    ///   is refused as `invalid_value`: use `given`);
    /// * `unknown_reference` for a signal naming an unknown tier or certification.
    pub fn validate(
        &self,
        catalog: Option<&CertificationCatalog>,
        tiers: Option<&TierProgram>,
        path: &JsonPath,
    ) -> Result<(), Error> {
        let mut problems = Problems::new();
        problems.take(self.window.validate(&path.key("window")));
        if self.kpis.is_empty() {
            problems.push(
                Problem::new(ErrorCode::MissingField, path.key("kpis"))
                    .message("a scorecard needs at least one KPI"),
            );
        }
        let mut ids = BTreeSet::new();
        let mut total = Decimal::ZERO;
        for (i, kpi) in self.kpis.iter().enumerate() {
            let at = path.key("kpis").index(i);
            if !ids.insert(kpi.id.as_str()) {
                problems.push(
                    Problem::new(ErrorCode::DuplicateId, at.key("id"))
                        .message(format!("KPI id `{}` is used twice", kpi.id)),
                );
            }
            if kpi.weight.is_negative() {
                problems.push(
                    Problem::new(ErrorCode::OutOfRange, at.key("weight"))
                        .message(format!("weights are 0 or more, found {}", kpi.weight)),
                );
            } else {
                total = total.checked_add(kpi.weight).unwrap_or(total);
            }
            if let Scale::Bounds { worst, best } = kpi.scale
                && worst == best
            {
                problems.push(
                    Problem::new(ErrorCode::ScorecardBoundsEqual, at.key("scale").key("best"))
                        .message(format!("worst and best are both {best}"))
                        .help("give the value that scores 0 as worst and the one that scores 100 as best"),
                );
            }
            let measures: Vec<(&Measure, JsonPath)> = match &kpi.measure {
                KpiMeasure::Metric { measure } => {
                    vec![(measure, at.key("measure").key("measure"))]
                }
                KpiMeasure::Ratio {
                    numerator,
                    denominator,
                    ..
                } => vec![
                    (numerator, at.key("measure").key("numerator")),
                    (denominator, at.key("measure").key("denominator")),
                ],
                _ => Vec::new(),
            };
            for (measure, mpath) in measures {
                if *measure == Measure::Custom {
                    problems.push(
                        Problem::new(ErrorCode::InvalidValue, mpath.key("kind"))
                            .message("a custom measure has no raw records to aggregate")
                            .help(r#"use {"kind": "given"} and pass the value per partner"#),
                    );
                    continue;
                }
                // The window is the scorecard's and is checked once above; the measure's
                // own problems move under the measure's path.
                let def = metric_def(measure, self.window);
                if let Err(e) = def.validate(catalog, &JsonPath::from_text("@")) {
                    for p in e.problems() {
                        let Some(rest) = p.path().strip_prefix("@.measure") else {
                            continue;
                        };
                        let mut moved = Problem::new(
                            p.code(),
                            JsonPath::from_text(format!("{}{rest}", mpath.as_str())),
                        )
                        .message(p.text());
                        if let Some(help) = p.suggestion() {
                            moved = moved.help(help);
                        }
                        problems.push(moved);
                    }
                }
            }
        }
        if !self.kpis.is_empty() && total.is_zero() {
            problems.push(
                Problem::new(ErrorCode::ScorecardWeightsZero, path.key("kpis"))
                    .message("the KPI weights add up to 0")
                    .help("give at least one KPI a positive weight"),
            );
        }
        let hundred = Decimal::ONE_HUNDRED;
        for (name, value) in [("healthy", self.bands.healthy), ("watch", self.bands.watch)] {
            if value.is_negative() || value > hundred {
                problems.push(
                    Problem::new(ErrorCode::OutOfRange, path.key("bands").key(name))
                        .message(format!("bands are between 0 and 100, found {value}")),
                );
            }
        }
        if self.bands.watch > self.bands.healthy {
            problems.push(
                Problem::new(
                    ErrorCode::ScorecardBandsReversed,
                    path.key("bands").key("watch"),
                )
                .message(format!(
                    "watch ({}) must not be above healthy ({})",
                    self.bands.watch, self.bands.healthy
                )),
            );
        }
        if self.trend_tolerance.is_negative() {
            problems.push(
                Problem::new(ErrorCode::OutOfRange, path.key("trend_tolerance")).message(format!(
                    "the tolerance is 0 or more, found {}",
                    self.trend_tolerance
                )),
            );
        }
        if let Some(expiry) = &self.signals.certification_expiry {
            let at = path
                .key("signals")
                .key("certification_expiry")
                .key("requirements");
            for (tier, requirement) in &expiry.requirements {
                match tiers {
                    Some(tiers) => {
                        problems.take(tiers.check_reference(tier, &at.key(tier)));
                    }
                    None => problems.push(
                        Problem::new(ErrorCode::UnknownReference, at.key(tier))
                            .message(format!(
                                "tier `{tier}` is named, and the program has no tiers"
                            ))
                            .help("add a `tiers` section"),
                    ),
                }
                problems.take(requirement.validate(catalog, &at.key(tier)));
            }
        }
        if let Some(threshold) = self.signals.revenue_drop_percent
            && (threshold.is_negative() || threshold > hundred)
        {
            problems.push(
                Problem::new(
                    ErrorCode::OutOfRange,
                    path.key("signals").key("revenue_drop_percent"),
                )
                .message(format!("a drop is 0 to 100 percent, found {threshold}")),
            );
        }
        problems.into_result(())
    }
}
