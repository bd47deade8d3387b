//! The tier lifecycle: [`LifecyclePolicy`], [`TierAssignment`] and the decision between them.
//!
//! Qualification says which tier a partner's facts support today; the
//! lifecycle decides what happens to the tier the partner *holds*:
//!
//! ```text
//!                 qualifies higher                         qualifies higher
//!   ┌────────┐  (now, next month/quarter)  ┌──────────┐   ┌─────────────────┐
//!   │  held  │ ─────────────────────────▶  │ upgraded │   │                 │
//!   │  tier  │ ◀─────── meets tier ──────  │          │   │                 ▼
//!   └────────┘                             └──────────┘   │            ┌──────────┐
//!     │    ▲  meets its tier again                        │            │ upgraded │
//!     │    └──────────── recovered ◀──────────┐           │            └──────────┘
//!     │ falls below                            │           │
//!     ▼                                        │           │
//!   ┌─────────┐  grace over (days or evaluations), on a review date  ┌────────────┐
//!   │ at_risk │ ────────────────────────────────────────────────────▶ │ downgraded │
//!   └─────────┘        (at most max_levels levels at once)           └────────────┘
//! ```
//!
//! The assignment (`{tier, since, at_risk_since, ...}`) comes in with the
//! facts and goes out with the decision; prm keeps nothing. A tier changes at
//! most once per `as_of`, so evaluating again on the same `as_of` with the
//! returned assignment changes nothing.

use super::ladder::{TierDef, TierId};
use crate::calendar::{Date, FiscalCalendar, add_days};
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;

fn one() -> u32 {
    1
}

/// How a tier program moves partners between tiers.
///
/// ```
/// use prm_core::tier::LifecyclePolicy;
/// let policy: LifecyclePolicy = serde_json::from_str(r#"{
///   "upgrade": {"effective": "next_month", "max_levels": 1},
///   "downgrade": {"grace": {"kind": "days", "days": 90},
///                 "review_dates": [{"month": 3, "day": 1}], "max_levels": 1}
/// }"#)?;
/// assert_eq!(policy.downgrade.max_levels, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LifecyclePolicy {
    /// When and how far a partner moves up.
    #[serde(default)]
    pub upgrade: UpgradePolicy,
    /// When and how far a partner moves down.
    #[serde(default)]
    pub downgrade: DowngradePolicy,
}

/// When and how far upgrades go.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpgradePolicy {
    /// When an upgrade takes effect; `immediately` by default.
    #[serde(default)]
    pub effective: UpgradeTiming,
    /// At most this many levels per upgrade (1: one level at a time); absent: straight to
    /// the qualified tier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_levels: Option<u32>,
}

/// When an upgrade takes effect.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UpgradeTiming {
    /// On `as_of`.
    #[default]
    Immediately,
    /// On the first day of the month after `as_of`.
    NextMonth,
    /// On the first day of the fiscal quarter after `as_of`'s.
    NextQuarter,
}

/// When and how far downgrades go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DowngradePolicy {
    /// How long a partner below its tier stays `at_risk` before a downgrade; none by default.
    #[serde(default)]
    pub grace: Grace,
    /// Days of the year on which downgrades take effect (`{"month": 3, "day": 1}`);
    /// none: as soon as grace is over.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub review_dates: Vec<MonthDay>,
    /// At most this many levels per downgrade; 1 by default.
    #[serde(default = "one")]
    pub max_levels: u32,
}

impl Default for DowngradePolicy {
    fn default() -> DowngradePolicy {
        DowngradePolicy {
            grace: Grace::None,
            review_dates: Vec::new(),
            max_levels: 1,
        }
    }
}

/// How long a partner below its tier keeps it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Grace {
    /// No grace: the first evaluation below the tier may downgrade.
    #[default]
    None,
    /// This many days after the partner first fell below its tier.
    Days {
        /// Days, at least 1.
        days: u32,
    },
    /// This many consecutive evaluations (on different days) below the tier, this one included.
    Evaluations {
        /// Evaluations, at least 1.
        count: u32,
    },
}

/// A day of the year, such as 1 March.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct MonthDay {
    /// 1 to 12.
    pub month: u32,
    /// 1 to the month's last day (29 February is refused: it is not in every year).
    pub day: u32,
}

impl MonthDay {
    fn in_year(self, year: i32) -> Option<Date> {
        Date::new(year, self.month, self.day).ok()
    }
}

impl LifecyclePolicy {
    /// Checks levels, grace and review dates; problems are reported under `path`.
    ///
    /// # Errors
    ///
    /// `out_of_range` for a `max_levels` or a grace of 0; `invalid_date` for a review
    /// date that is not a day of every year; `duplicate_id` for a review date listed twice.
    pub fn validate(&self, path: &JsonPath) -> Result<(), Error> {
        let mut problems = Problems::new();
        if self.upgrade.max_levels == Some(0) {
            problems.push(
                Problem::new(ErrorCode::OutOfRange, path.key("upgrade").key("max_levels"))
                    .message("max_levels must be at least 1, found 0")
                    .help("leave max_levels out to upgrade straight to the qualified tier"),
            );
        }
        let down = path.key("downgrade");
        if self.downgrade.max_levels == 0 {
            problems.push(
                Problem::new(ErrorCode::OutOfRange, down.key("max_levels"))
                    .message("max_levels must be at least 1, found 0"),
            );
        }
        match self.downgrade.grace {
            Grace::Days { days: 0 } => problems.push(
                Problem::new(ErrorCode::OutOfRange, down.key("grace").key("days"))
                    .message("a grace of 0 days is no grace")
                    .help(r#"write {"kind": "none"}, or give at least 1 day"#),
            ),
            Grace::Evaluations { count: 0 } => problems.push(
                Problem::new(ErrorCode::OutOfRange, down.key("grace").key("count"))
                    .message("a grace of 0 evaluations is no grace")
                    .help(r#"write {"kind": "none"}, or give at least 1 evaluation"#),
            ),
            _ => {}
        }
        let mut seen = BTreeSet::new();
        for (i, review) in self.downgrade.review_dates.iter().enumerate() {
            let at = down.key("review_dates").index(i);
            // 2023 is a common year: a day valid in it is valid in every year.
            if review.in_year(2023).is_none() {
                problems.push(
                    Problem::new(ErrorCode::InvalidDate, at)
                        .message(format!(
                            "month {} day {} is not a day of every year",
                            review.month, review.day
                        ))
                        .help(
                            "use a day that exists in every year, such as 28 February or 1 March",
                        ),
                );
            } else if !seen.insert(*review) {
                problems.push(Problem::new(ErrorCode::DuplicateId, at).message(format!(
                    "review date {:02}-{:02} is listed twice",
                    review.month, review.day
                )));
            }
        }
        problems.into_result(())
    }

    /// The first review date on or after `date`, or `date` itself when there are none.
    fn review_on_or_after(&self, date: Date) -> Date {
        if self.downgrade.review_dates.is_empty() {
            return date;
        }
        (date.year()..=date.year().saturating_add(1))
            .flat_map(|year| {
                self.downgrade
                    .review_dates
                    .iter()
                    .filter_map(move |r| r.in_year(year))
            })
            .filter(|d| *d >= date)
            .min()
            .unwrap_or(date)
    }

    fn upgrade_effective(&self, as_of: Date, fiscal: FiscalCalendar) -> Result<Date, Error> {
        match self.upgrade.effective {
            UpgradeTiming::Immediately => Ok(as_of),
            UpgradeTiming::NextMonth => as_of.first_of_month().add_months(1),
            UpgradeTiming::NextQuarter => Ok(fiscal.quarter(as_of)?.period.end),
        }
    }
}

/// The tier a partner holds, and where it stands: the lifecycle's state.
///
/// The host stores it and passes it back on the next evaluation. A new
/// partner has none: its first evaluation assigns the qualified tier at once.
///
/// ```
/// use prm_core::tier::TierAssignment;
/// let held: TierAssignment = serde_json::from_str(
///     r#"{"tier": "gold", "since": "2025-04-01", "at_risk_since": "2026-01-31", "at_risk_evaluations": 2}"#)?;
/// assert_eq!(held.tier.as_deref(), Some("gold"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TierAssignment {
    /// The tier held; `null` below the entry tier.
    #[serde(default)]
    pub tier: Option<TierId>,
    /// The day the tier took effect.
    pub since: Date,
    /// The first evaluation day the partner was found below its tier, while it still is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_risk_since: Option<Date>,
    /// Consecutive evaluation days below the tier since then.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub at_risk_evaluations: u32,
    /// The `as_of` of the evaluation that returned this assignment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluated_on: Option<Date>,
    /// The `as_of` of the evaluation that last changed the tier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed_on: Option<Date>,
    /// A change decided but not yet in effect: a scheduled upgrade, or a downgrade waiting
    /// for its review date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<PendingChange>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// A tier change that takes effect later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PendingChange {
    /// The tier it leads to (`null`: no tier).
    #[serde(default)]
    pub tier: Option<TierId>,
    /// The day it takes effect.
    pub effective_on: Date,
}

/// What the lifecycle decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// The partner moves up (now, or on a later effective date).
    Upgraded,
    /// The partner moves down.
    Downgraded,
    /// Nothing changes.
    Retained,
    /// The partner is below its tier and keeps it for now.
    AtRisk,
    /// The partner was at risk and meets its tier again.
    Recovered,
}

impl DecisionKind {
    /// The wire spelling (`at_risk`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionKind::Upgraded => "upgraded",
            DecisionKind::Downgraded => "downgraded",
            DecisionKind::Retained => "retained",
            DecisionKind::AtRisk => "at_risk",
            DecisionKind::Recovered => "recovered",
        }
    }
}

/// The lifecycle's answer: what happened, from which tier to which, when, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Transition {
    pub kind: DecisionKind,
    pub effective_on: Date,
    /// Ladder index of the tier held before (None: no tier).
    pub previous: Option<usize>,
    /// Ladder index of the tier the decision leads to.
    pub tier: Option<usize>,
    /// When a downgrade is scheduled or expected, for `at_risk`.
    pub downgrade_on: Option<Date>,
    pub reason: Reason,
    pub assignment: TierAssignment,
}

/// The lifecycle state on the ladder: levels are ladder indices, -1 below the entry tier.
#[derive(Debug, Clone, PartialEq, Eq)]
struct State {
    level: i64,
    since: Date,
    at_risk_since: Option<Date>,
    evaluations: u32,
    changed_on: Option<Date>,
    pending: Option<(i64, Date)>,
}

struct Step {
    kind: DecisionKind,
    effective_on: Date,
    tier: i64,
    downgrade_on: Option<Date>,
    reason: Reason,
}

fn level(index: Option<usize>) -> i64 {
    index.map_or(-1, |i| i64::try_from(i).unwrap_or(i64::MAX))
}

fn index(level: i64) -> Option<usize> {
    usize::try_from(level).ok()
}

fn tier_index(
    ladder: &[TierDef],
    id: Option<&str>,
    path: impl FnOnce() -> JsonPath,
) -> Result<Option<usize>, Error> {
    match id {
        None => Ok(None),
        Some(id) => match ladder.iter().position(|t| t.id == id) {
            Some(i) => Ok(Some(i)),
            None => {
                // The path is built only for the problem: evaluations of a batch build none.
                let mut problem = Problem::new(ErrorCode::UnknownReference, path())
                    .message(format!("unknown tier `{id}`"));
                if let Some(close) =
                    crate::input::did_you_mean(id, ladder.iter().map(|t| t.id.as_str()))
                {
                    problem = problem.help(format!("did you mean `{close}`?"));
                }
                Err(Error::problem(problem))
            }
        },
    }
}

/// Decides the lifecycle step for a partner that qualifies for `qualified` on `as_of`.
///
/// Problems are reported relative to the assignment (`$.since`).
pub(crate) fn decide(
    policy: &LifecyclePolicy,
    ladder: &[TierDef],
    names: &[Arc<str>],
    fiscal: FiscalCalendar,
    held: Option<&TierAssignment>,
    qualified: Option<usize>,
    as_of: Date,
) -> Result<Transition, Error> {
    let name = |level: i64| index(level).and_then(|i| names.get(i)).cloned();
    let Some(held) = held else {
        let reason = Reason::First {
            tier: name(level(qualified)),
        };
        return Ok(Transition {
            kind: if qualified.is_some() {
                DecisionKind::Upgraded
            } else {
                DecisionKind::Retained
            },
            effective_on: as_of,
            previous: None,
            tier: qualified,
            downgrade_on: None,
            reason,
            assignment: TierAssignment {
                tier: qualified.and_then(|i| ladder.get(i)).map(|t| t.id.clone()),
                since: as_of,
                at_risk_since: None,
                at_risk_evaluations: 0,
                evaluated_on: Some(as_of),
                changed_on: Some(as_of),
                pending: None,
            },
        });
    };
    let path = &JsonPath::root();
    let mut problems = Problems::new();
    for (field, date) in [
        ("since", Some(held.since)),
        ("evaluated_on", held.evaluated_on),
        ("changed_on", held.changed_on),
        ("at_risk_since", held.at_risk_since),
    ] {
        if let Some(date) = date.filter(|d| *d > as_of) {
            // Reached only when the assignment is newer than as_of.
            problems.push(
                Problem::new(ErrorCode::TierAssignmentAfterAsOf, path.key(field))
                    .message(format!("{field} is {date}, after as_of {as_of}"))
                    .help("evaluate in date order, passing the assignment the previous evaluation returned"),
            );
        }
    }
    if !problems.is_empty() {
        return Err(Error::Conflict(problems.into_vec()));
    }
    let current = tier_index(ladder, held.tier.as_deref(), || path.key("tier"))?;
    let pending = match &held.pending {
        Some(p) => Some((
            level(tier_index(ladder, p.tier.as_deref(), || {
                path.key("pending").key("tier")
            })?),
            p.effective_on,
        )),
        None => None,
    };
    let state = State {
        level: level(current),
        since: held.since,
        at_risk_since: held.at_risk_since,
        evaluations: held.at_risk_evaluations,
        changed_on: held.changed_on,
        pending,
    };
    let q = level(qualified);
    let may_change = held.changed_on != Some(as_of);
    let same_day = held.evaluated_on == Some(as_of);
    let (step, mut state) = step(
        policy, fiscal, &state, q, as_of, may_change, same_day, &name,
    )?;
    if may_change && state.changed_on == Some(as_of) {
        // The tier changed: settle the risk tracking as a re-evaluation would, so that the
        // returned assignment is a fixed point.
        state = self::step(policy, fiscal, &state, q, as_of, false, true, &name)?.1;
    }
    Ok(Transition {
        kind: step.kind,
        effective_on: step.effective_on,
        previous: current,
        tier: index(step.tier),
        downgrade_on: step.downgrade_on,
        reason: step.reason,
        assignment: TierAssignment {
            tier: index(state.level)
                .and_then(|i| ladder.get(i))
                .map(|t| t.id.clone()),
            since: state.since,
            at_risk_since: state.at_risk_since,
            at_risk_evaluations: state.evaluations,
            evaluated_on: Some(as_of),
            changed_on: state.changed_on,
            pending: state.pending.map(|(level, effective_on)| PendingChange {
                tier: index(level)
                    .and_then(|i| ladder.get(i))
                    .map(|t| t.id.clone()),
                effective_on,
            }),
        },
    })
}

#[expect(
    clippy::too_many_arguments,
    reason = "one step of the state machine: policy, calendar, state, input and two flags"
)]
fn step(
    policy: &LifecyclePolicy,
    fiscal: FiscalCalendar,
    state: &State,
    q: i64,
    as_of: Date,
    may_change: bool,
    same_day: bool,
    name: &dyn Fn(i64) -> TierName,
) -> Result<(Step, State), Error> {
    let mut s = state.clone();
    let from = s.level;
    let mut applied: Option<Date> = None;
    if may_change
        && let Some((target, effective_on)) = s.pending
        && target > s.level
        && effective_on <= as_of
    {
        s.level = target;
        s.since = effective_on;
        s.pending = None;
        s.at_risk_since = None;
        s.evaluations = 0;
        s.changed_on = Some(as_of);
        applied = Some(effective_on);
    }
    let may_change = may_change && applied.is_none();
    let current = s.level;
    let applied_change = |on: Date| Applied {
        from: name(from),
        to: name(current),
        on,
    };
    let step = if q > current {
        s.at_risk_since = None;
        s.evaluations = 0;
        let target = match policy.upgrade.max_levels {
            Some(max) => q.min(current.saturating_add(i64::from(max))),
            None => q,
        };
        let limit = (target < q).then(|| Limit {
            max: policy.upgrade.max_levels.unwrap_or(0),
            qualified: name(q),
            up: true,
        });
        let effective_on = policy.upgrade_effective(as_of, fiscal)?;
        if effective_on <= as_of {
            s.pending = None;
            if may_change {
                s.level = target;
                s.since = as_of;
                s.changed_on = Some(as_of);
                Step {
                    kind: DecisionKind::Upgraded,
                    effective_on: as_of,
                    tier: target,
                    downgrade_on: None,
                    reason: Reason::Upgraded {
                        from: name(current),
                        to: name(target),
                        on: as_of,
                        limit,
                    },
                }
            } else if let Some(effective) = applied {
                Step {
                    kind: DecisionKind::Upgraded,
                    effective_on: effective,
                    tier: current,
                    downgrade_on: None,
                    reason: Reason::AppliedThenWaits {
                        applied: applied_change(effective),
                        qualified: name(q),
                    },
                }
            } else {
                Step {
                    kind: DecisionKind::Retained,
                    effective_on: as_of,
                    tier: current,
                    downgrade_on: None,
                    reason: Reason::UpgradeWaits {
                        qualified: name(q),
                        on: as_of,
                    },
                }
            }
        } else {
            s.pending = Some((target, effective_on));
            Step {
                kind: DecisionKind::Upgraded,
                effective_on,
                tier: target,
                downgrade_on: None,
                reason: Reason::Scheduled {
                    applied: applied.map(applied_change),
                    from: name(current),
                    to: name(target),
                    on: effective_on,
                    quarter: policy.upgrade.effective == UpgradeTiming::NextQuarter,
                    limit,
                },
            }
        }
    } else if q == current {
        s.pending = None;
        if s.at_risk_since.is_some() {
            s.at_risk_since = None;
            s.evaluations = 0;
            Step {
                kind: DecisionKind::Recovered,
                effective_on: as_of,
                tier: current,
                downgrade_on: None,
                reason: Reason::Recovered {
                    tier: name(current),
                },
            }
        } else if let Some(effective) = applied {
            Step {
                kind: DecisionKind::Upgraded,
                effective_on: effective,
                tier: current,
                downgrade_on: None,
                reason: Reason::Applied(applied_change(effective)),
            }
        } else {
            Step {
                kind: DecisionKind::Retained,
                effective_on: as_of,
                tier: current,
                downgrade_on: None,
                reason: Reason::Retained {
                    tier: name(current),
                },
            }
        }
    } else {
        if s.pending.is_some_and(|(target, _)| target > current) {
            s.pending = None;
        }
        match s.at_risk_since {
            None => {
                s.at_risk_since = Some(as_of);
                s.evaluations = 1;
            }
            Some(_) if !same_day => s.evaluations = s.evaluations.saturating_add(1),
            Some(_) => {}
        }
        let since = s.at_risk_since.unwrap_or(as_of);
        let grace_ends = match policy.downgrade.grace {
            Grace::None => Some(since),
            Grace::Days { days } => Some(add_days(since, i64::from(days))?),
            Grace::Evaluations { count } => (s.evaluations >= count).then_some(as_of),
        };
        let grace_over = grace_ends.filter(|end| *end <= as_of);
        let target = q.max(current.saturating_sub(i64::from(policy.downgrade.max_levels.max(1))));
        let reviews = !policy.downgrade.review_dates.is_empty();
        let due = match (s.pending.filter(|(t, _)| *t < current), grace_over) {
            (Some((_, date)), _) => Some(date),
            (None, Some(over)) if reviews => {
                let after_change = match s.changed_on {
                    Some(changed) => add_days(changed, 1)?,
                    None => over,
                };
                Some(policy.review_on_or_after(over.max(after_change)))
            }
            (None, Some(_)) => Some(as_of),
            (None, None) => None,
        };
        let risk = Risk {
            since,
            grace: policy.downgrade.grace,
            evaluations: s.evaluations,
        };
        match due {
            Some(due) if due <= as_of && may_change => {
                s.level = target;
                s.since = due;
                s.changed_on = Some(as_of);
                s.pending = None;
                if q < target {
                    s.at_risk_since = Some(as_of);
                } else {
                    s.at_risk_since = None;
                }
                s.evaluations = 0;
                Step {
                    kind: DecisionKind::Downgraded,
                    effective_on: due,
                    tier: target,
                    downgrade_on: None,
                    reason: Reason::Downgraded {
                        from: name(current),
                        to: name(target),
                        on: due,
                        risk,
                        limit: (target > q).then(|| Limit {
                            max: policy.downgrade.max_levels,
                            qualified: name(q),
                            up: false,
                        }),
                    },
                }
            }
            Some(due) if due <= as_of => {
                if reviews {
                    s.pending = Some((target, due));
                }
                Step {
                    kind: DecisionKind::AtRisk,
                    effective_on: as_of,
                    tier: current,
                    downgrade_on: Some(due),
                    reason: Reason::DowngradeWaits {
                        tier: name(current),
                        as_of,
                        risk,
                    },
                }
            }
            Some(due) => {
                s.pending = Some((target, due));
                Step {
                    kind: DecisionKind::AtRisk,
                    effective_on: as_of,
                    tier: current,
                    downgrade_on: Some(due),
                    reason: Reason::DowngradeScheduled {
                        tier: name(current),
                        to: name(target),
                        on: due,
                        risk,
                    },
                }
            }
            None => Step {
                kind: DecisionKind::AtRisk,
                effective_on: as_of,
                tier: current,
                downgrade_on: grace_ends.map(|end| policy.review_on_or_after(end)),
                reason: Reason::InGrace {
                    tier: name(current),
                    risk,
                },
            },
        }
    };
    Ok((step, s))
}

/// A tier as a reason names it: `` `gold` ``, or `no tier`.
type TierName = Option<Arc<str>>;

struct Named<'a>(&'a TierName);

impl fmt::Display for Named<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(tier) => write!(f, "`{tier}`"),
            None => f.write_str("no tier"),
        }
    }
}

/// Why a partner is below its tier: since when, and how much grace it has used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Risk {
    since: Date,
    grace: Grace,
    evaluations: u32,
}

impl fmt::Display for Risk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.grace {
            Grace::None => f.write_str("no grace"),
            Grace::Days { days } => write!(f, "grace of {days} days from {}", self.since),
            Grace::Evaluations { count } => {
                write!(
                    f,
                    "{} of {count} evaluations below the tier",
                    self.evaluations
                )
            }
        }
    }
}

/// A scheduled upgrade that took effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Applied {
    from: TierName,
    to: TierName,
    on: Date,
}

impl fmt::Display for Applied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the upgrade from {} to {} scheduled for {} took effect",
            Named(&self.from),
            Named(&self.to),
            self.on
        )
    }
}

/// A move cut short by `max_levels`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Limit {
    max: u32,
    qualified: TierName,
    up: bool,
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            " (at most {} level{} per {}; it qualifies for {})",
            self.max,
            if self.max == 1 { "" } else { "s" },
            if self.up { "upgrade" } else { "downgrade" },
            Named(&self.qualified)
        )
    }
}

fn limit_text(limit: &Option<Limit>) -> String {
    limit.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// Why the lifecycle decided what it did; written out only when asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reason {
    First {
        tier: TierName,
    },
    Upgraded {
        from: TierName,
        to: TierName,
        on: Date,
        limit: Option<Limit>,
    },
    Applied(Applied),
    AppliedThenWaits {
        applied: Applied,
        qualified: TierName,
    },
    UpgradeWaits {
        qualified: TierName,
        on: Date,
    },
    Scheduled {
        applied: Option<Applied>,
        from: TierName,
        to: TierName,
        on: Date,
        quarter: bool,
        limit: Option<Limit>,
    },
    Recovered {
        tier: TierName,
    },
    Retained {
        tier: TierName,
    },
    Downgraded {
        from: TierName,
        to: TierName,
        on: Date,
        risk: Risk,
        limit: Option<Limit>,
    },
    DowngradeWaits {
        tier: TierName,
        as_of: Date,
        risk: Risk,
    },
    DowngradeScheduled {
        tier: TierName,
        to: TierName,
        on: Date,
        risk: Risk,
    },
    InGrace {
        tier: TierName,
        risk: Risk,
    },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::First { tier: Some(tier) } => {
                write!(f, "first assignment: the partner qualifies for `{tier}`")
            }
            Reason::First { tier: None } => {
                f.write_str("first assignment: the partner qualifies for no tier")
            }
            Reason::Upgraded {
                from,
                to,
                on,
                limit,
            } => write!(
                f,
                "upgraded from {} to {}, effective {on}{}",
                Named(from),
                Named(to),
                limit_text(limit)
            ),
            Reason::Applied(applied) => write!(f, "{applied}"),
            Reason::AppliedThenWaits { applied, qualified } => write!(
                f,
                "{applied}; it qualifies for {}, which waits for the next evaluation",
                Named(qualified)
            ),
            Reason::UpgradeWaits { qualified, on } => write!(
                f,
                "qualifies for {}, but the tier already changed on {on}; the upgrade waits for the next evaluation",
                Named(qualified)
            ),
            Reason::Scheduled {
                applied,
                from,
                to,
                on,
                quarter,
                limit,
            } => {
                if let Some(applied) = applied {
                    write!(f, "{applied}; ")?;
                }
                write!(
                    f,
                    "upgrade from {} to {} scheduled for {on} ({}){}",
                    Named(from),
                    Named(to),
                    if *quarter {
                        "upgrades take effect at the next quarter"
                    } else {
                        "upgrades take effect at the next month"
                    },
                    limit_text(limit)
                )
            }
            Reason::Recovered { tier } => {
                write!(f, "meets {} again; the risk is cleared", Named(tier))
            }
            Reason::Retained { tier } => write!(f, "meets {}; it keeps it", Named(tier)),
            Reason::Downgraded {
                from,
                to,
                on,
                risk,
                limit,
            } => write!(
                f,
                "below {} since {} ({risk}): downgraded to {}, effective {on}{}",
                Named(from),
                risk.since,
                Named(to),
                limit_text(limit)
            ),
            Reason::DowngradeWaits { tier, as_of, risk } => write!(
                f,
                "below {} since {} ({risk}); the tier already changed on {as_of}, so the downgrade waits for the next evaluation",
                Named(tier),
                risk.since
            ),
            Reason::DowngradeScheduled { tier, to, on, risk } => write!(
                f,
                "below {} since {} ({risk}); downgrade to {} on the review date {on} unless it recovers",
                Named(tier),
                risk.since,
                Named(to)
            ),
            Reason::InGrace { tier, risk } => write!(
                f,
                "below {} since {} ({risk}); it keeps the tier while the grace lasts",
                Named(tier),
                risk.since
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_date;
    use proptest::prelude::*;
    use serde_json::json;

    fn d(text: &str) -> Date {
        parse_date(text).unwrap()
    }

    fn ladder() -> Vec<TierDef> {
        serde_json::from_value(json!([
            {"id": "registered", "name": "Registered", "rank": 0},
            {"id": "silver", "name": "Silver", "rank": 1},
            {"id": "gold", "name": "Gold", "rank": 2},
            {"id": "platinum", "name": "Platinum", "rank": 3}
        ]))
        .unwrap()
    }

    fn policy(value: serde_json::Value) -> LifecyclePolicy {
        serde_json::from_value(value).unwrap()
    }

    fn held(value: serde_json::Value) -> TierAssignment {
        serde_json::from_value(value).unwrap()
    }

    fn names() -> Vec<Arc<str>> {
        ladder().iter().map(|t| Arc::from(t.id.as_str())).collect()
    }

    fn run(
        policy: &LifecyclePolicy,
        held: Option<&TierAssignment>,
        qualified: Option<usize>,
        as_of: &str,
    ) -> Transition {
        decide(
            policy,
            &ladder(),
            &names(),
            FiscalCalendar::default(),
            held,
            qualified,
            d(as_of),
        )
        .unwrap()
    }

    #[test]
    fn first_evaluation_assigns_the_qualified_tier() {
        let t = run(&LifecyclePolicy::default(), None, Some(2), "2026-03-31");
        assert_eq!(t.kind, DecisionKind::Upgraded);
        assert_eq!(t.assignment.tier.as_deref(), Some("gold"));
    }

    #[test]
    fn upgrade_next_month_is_scheduled_then_applied() {
        let p = policy(json!({"upgrade": {"effective": "next_month"}}));
        let silver = held(json!({"tier": "silver", "since": "2025-01-01"}));
        let t = run(&p, Some(&silver), Some(2), "2026-03-31");
        assert_eq!(
            (t.kind, t.effective_on),
            (DecisionKind::Upgraded, d("2026-04-01"))
        );
        assert_eq!(t.assignment.tier.as_deref(), Some("silver"));
        assert_eq!(
            t.assignment.pending,
            Some(PendingChange {
                tier: Some("gold".into()),
                effective_on: d("2026-04-01")
            })
        );
        let later = run(&p, Some(&t.assignment), Some(2), "2026-04-15");
        assert_eq!(
            (later.kind, later.effective_on),
            (DecisionKind::Upgraded, d("2026-04-01"))
        );
        assert_eq!(later.assignment.tier.as_deref(), Some("gold"));
        assert_eq!(later.assignment.since, d("2026-04-01"));
        assert_eq!(later.assignment.pending, None);
    }

    #[test]
    fn upgrade_next_quarter_follows_the_fiscal_calendar() {
        let p = policy(json!({"upgrade": {"effective": "next_quarter"}}));
        let silver = held(json!({"tier": "silver", "since": "2025-01-01"}));
        let t = run(&p, Some(&silver), Some(2), "2026-02-10");
        assert_eq!(t.effective_on, d("2026-04-01"));
    }

    #[test]
    fn one_level_at_a_time_stops_at_the_next_tier() {
        let p = policy(json!({"upgrade": {"max_levels": 1}}));
        let reg = held(json!({"tier": "registered", "since": "2025-01-01"}));
        let t = run(&p, Some(&reg), Some(3), "2026-03-31");
        assert_eq!(t.assignment.tier.as_deref(), Some("silver"));
        let again = run(&p, Some(&t.assignment), Some(3), "2026-03-31");
        assert_eq!(again.kind, DecisionKind::Retained);
        assert_eq!(again.assignment, t.assignment);
        let next = run(&p, Some(&t.assignment), Some(3), "2026-04-30");
        assert_eq!(next.assignment.tier.as_deref(), Some("gold"));
    }

    #[test]
    fn grace_days_keep_the_tier_through_their_last_day() {
        let p = policy(json!({"downgrade": {"grace": {"kind": "days", "days": 30}}}));
        let gold = held(json!({"tier": "gold", "since": "2025-01-01"}));
        let first = run(&p, Some(&gold), Some(1), "2026-01-01");
        assert_eq!(first.kind, DecisionKind::AtRisk);
        assert_eq!(first.downgrade_on, Some(d("2026-01-31")));
        let last_day = run(&p, Some(&first.assignment), Some(1), "2026-01-30");
        assert_eq!(last_day.kind, DecisionKind::AtRisk);
        let over = run(&p, Some(&last_day.assignment), Some(1), "2026-01-31");
        assert_eq!(
            (over.kind, over.effective_on),
            (DecisionKind::Downgraded, d("2026-01-31"))
        );
        assert_eq!(over.assignment.tier.as_deref(), Some("silver"));
        assert_eq!(over.assignment.at_risk_since, None);
    }

    #[test]
    fn recovering_during_grace_clears_the_risk() {
        let p = policy(json!({"downgrade": {"grace": {"kind": "days", "days": 30}}}));
        let gold = held(json!({"tier": "gold", "since": "2025-01-01"}));
        let first = run(&p, Some(&gold), Some(1), "2026-01-01");
        let back = run(&p, Some(&first.assignment), Some(2), "2026-01-15");
        assert_eq!(back.kind, DecisionKind::Recovered);
        assert_eq!(back.assignment.at_risk_since, None);
    }

    #[test]
    fn grace_in_evaluations_counts_distinct_days() {
        let p = policy(json!({"downgrade": {"grace": {"kind": "evaluations", "count": 2}}}));
        let gold = held(json!({"tier": "gold", "since": "2025-01-01"}));
        let first = run(&p, Some(&gold), Some(1), "2026-01-31");
        let repeat = run(&p, Some(&first.assignment), Some(1), "2026-01-31");
        assert_eq!(repeat.assignment.at_risk_evaluations, 1);
        let second = run(&p, Some(&repeat.assignment), Some(1), "2026-02-28");
        assert_eq!(second.kind, DecisionKind::Downgraded);
    }

    #[test]
    fn downgrade_waits_for_the_review_date() {
        let p = policy(json!({"downgrade": {"review_dates": [{"month": 3, "day": 1}]}}));
        let gold = held(json!({"tier": "gold", "since": "2025-01-01"}));
        let t = run(&p, Some(&gold), Some(0), "2026-01-15");
        assert_eq!(
            (t.kind, t.downgrade_on),
            (DecisionKind::AtRisk, Some(d("2026-03-01")))
        );
        let late = run(&p, Some(&t.assignment), Some(0), "2026-03-04");
        assert_eq!(
            (late.kind, late.effective_on),
            (DecisionKind::Downgraded, d("2026-03-01"))
        );
        assert_eq!(late.assignment.tier.as_deref(), Some("silver")); // one level at a time
        assert_eq!(late.assignment.at_risk_since, Some(d("2026-03-04")));
        assert_eq!(
            late.assignment.pending.map(|p| p.effective_on),
            Some(d("2027-03-01"))
        );
    }

    #[test]
    fn max_levels_lets_a_downgrade_fall_further() {
        let p = policy(json!({"downgrade": {"max_levels": 3}}));
        let platinum = held(json!({"tier": "platinum", "since": "2025-01-01"}));
        let t = run(&p, Some(&platinum), Some(0), "2026-01-15");
        assert_eq!(t.assignment.tier.as_deref(), Some("registered"));
    }

    #[test]
    fn assignment_from_the_future_is_a_conflict() {
        let gold = held(json!({"tier": "gold", "since": "2026-05-01"}));
        let err = decide(
            &LifecyclePolicy::default(),
            &ladder(),
            &names(),
            FiscalCalendar::default(),
            Some(&gold),
            Some(2),
            d("2026-03-31"),
        )
        .unwrap_err();
        assert_eq!(err.code(), "conflict");
        assert_eq!(err.problems()[0].path(), "$.since");
    }

    #[test]
    fn validate_refuses_leap_day_reviews_and_zero_levels() {
        let p = policy(json!({"upgrade": {"max_levels": 0},
                              "downgrade": {"review_dates": [{"month": 2, "day": 29}], "grace": {"kind": "days", "days": 0}}}));
        let err = p.validate(&JsonPath::root()).unwrap_err();
        let paths: Vec<&str> = err.problems().iter().map(|p| p.path()).collect();
        assert_eq!(
            paths,
            [
                "$.upgrade.max_levels",
                "$.downgrade.grace.days",
                "$.downgrade.review_dates[0]"
            ]
        );
    }

    fn arb_policy() -> impl Strategy<Value = LifecyclePolicy> {
        (
            0u8..3,
            proptest::option::of(1u32..3),
            0u8..3,
            1u32..40,
            proptest::bool::ANY,
            1u32..4,
        )
            .prop_map(|(timing, up_max, grace, amount, reviews, down_max)| {
                LifecyclePolicy {
                    upgrade: UpgradePolicy {
                        effective: match timing {
                            0 => UpgradeTiming::Immediately,
                            1 => UpgradeTiming::NextMonth,
                            _ => UpgradeTiming::NextQuarter,
                        },
                        max_levels: up_max,
                    },
                    downgrade: DowngradePolicy {
                        grace: match grace {
                            0 => Grace::None,
                            1 => Grace::Days { days: amount },
                            _ => Grace::Evaluations {
                                count: amount % 4 + 1,
                            },
                        },
                        review_dates: if reviews {
                            vec![MonthDay { month: 3, day: 1 }, MonthDay { month: 9, day: 1 }]
                        } else {
                            Vec::new()
                        },
                        max_levels: down_max,
                    },
                }
            })
    }

    proptest! {
        /// DOMAIN.md §2: evaluating again on the same as_of with the returned assignment
        /// changes nothing.
        #[test]
        fn prop_evaluating_twice_on_the_same_day_changes_nothing(
            policy in arb_policy(),
            steps in proptest::collection::vec((1i64..60, 0usize..5), 1..25),
        ) {
            let ladder = ladder();
            let names = names();
            let mut as_of = d("2025-01-01");
            let mut held: Option<TierAssignment> = None;
            for (gap, q) in steps {
                as_of = add_days(as_of, gap)?;
                let qualified = (q < 4).then_some(q);
                let first = decide(&policy, &ladder, &names, FiscalCalendar::default(), held.as_ref(), qualified, as_of)?;
                let again = decide(&policy, &ladder, &names, FiscalCalendar::default(), Some(&first.assignment), qualified, as_of)?;
                prop_assert_eq!(&again.assignment, &first.assignment);
                // a tier moves at most max_levels per evaluation, either way
                let before = level(held.as_ref().and_then(|h| ladder.iter().position(|t| Some(&t.id) == h.tier.as_ref())));
                let after = level(first.assignment.tier.as_ref().and_then(|id| ladder.iter().position(|t| &t.id == id)));
                if held.is_some() {
                    let up = i64::from(policy.upgrade.max_levels.unwrap_or(4));
                    prop_assert!(after - before <= up);
                    prop_assert!(before - after <= i64::from(policy.downgrade.max_levels));
                }
                held = Some(first.assignment);
            }
        }
    }
}
