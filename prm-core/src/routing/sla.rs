//! The acceptance SLA: what to do next with a lead that was offered to partners.

use super::config::AcceptancePolicy;
use crate::calendar::Instant;
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use crate::explain::{Explanation, Outcome, Step};
use crate::partner::PartnerId;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One offer of a lead to a partner, and how the partner answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// The partner offered the lead.
    pub partner_id: PartnerId,
    /// When it was offered.
    pub assigned_at: Instant,
    /// When the partner accepted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_at: Option<Instant>,
    /// When the partner declined it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declined_at: Option<Instant>,
}

/// What the host should do next with the lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum NextAction {
    /// The latest partner still has time: ask again at `until`.
    Wait {
        /// The partner being waited on.
        partner_id: PartnerId,
        /// The end of its acceptance window.
        until: Instant,
    },
    /// Route the lead again, excluding these partners (put them in the lead's `declined_by`).
    Reroute {
        /// Everyone who declined or let the window pass, sorted.
        exclude: Vec<PartnerId>,
    },
    /// The lead was offered `max_attempts` times without acceptance: hand it to a person.
    Escalate {
        /// Everyone who declined or let the window pass, sorted.
        exclude: Vec<PartnerId>,
    },
    /// A partner accepted the lead; nothing more to do.
    Done {
        /// The partner who accepted.
        partner_id: PartnerId,
        /// When.
        accepted_at: Instant,
    },
}

/// The next action, how many offers were made, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SlaDecision {
    /// What to do.
    #[serde(flatten)]
    pub action: NextAction,
    /// Offers made so far.
    pub attempts: usize,
    /// Partners whose window passed without an answer, sorted.
    pub timed_out: Vec<PartnerId>,
    /// The steps taken.
    pub explanation: Explanation,
}

/// Decides what happens next with a lead, given its offers so far and the time `now`.
///
/// Offers are taken in `assigned_at` order. An accepted offer makes the lead
/// `done`. Otherwise, when the latest offer is unanswered and its window
/// (`assigned_at + window_hours`) has not passed, the host should `wait`
/// until the window ends. Once every offer is declined or timed out, the lead
/// is `escalate`d when it has been offered `max_attempts` times, and
/// `reroute`d otherwise, excluding everyone who declined or timed out. A
/// window ends exactly at its deadline: at `now == deadline` the offer has
/// timed out.
///
/// # Errors
///
/// * `routing_sla_times_reversed` for an answer dated before its offer;
/// * `invalid_value` for an offer both accepted and declined.
///
/// # Example
///
/// ```
/// use prm_core::routing::{next_action, AcceptancePolicy, Assignment, NextAction};
/// let history: Vec<Assignment> = serde_json::from_str(r#"[
///   {"partner_id": "P1", "assigned_at": "2026-01-05T09:00:00Z", "declined_at": "2026-01-05T10:00:00Z"},
///   {"partner_id": "P2", "assigned_at": "2026-01-05T10:05:00Z"}]"#)?;
/// let policy = AcceptancePolicy { window_hours: 24, max_attempts: 3 };
/// let wait = next_action(&policy, &history, "2026-01-05T12:00:00Z".parse()?)?;
/// assert!(matches!(wait.action, NextAction::Wait { .. }));
/// let reroute = next_action(&policy, &history, "2026-01-06T10:05:00Z".parse()?)?;
/// assert_eq!(reroute.action, NextAction::Reroute { exclude: vec!["P1".into(), "P2".into()] });
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn next_action(
    policy: &AcceptancePolicy,
    history: &[Assignment],
    now: Instant,
) -> Result<SlaDecision, Error> {
    let mut problems = Problems::new();
    let list = JsonPath::root().key("history");
    for (i, offer) in history.iter().enumerate() {
        let at = list.index(i);
        for (name, answer) in [
            ("accepted_at", offer.accepted_at),
            ("declined_at", offer.declined_at),
        ] {
            if let Some(answer) = answer.filter(|a| *a < offer.assigned_at) {
                problems.push(
                    Problem::new(ErrorCode::RoutingSlaTimesReversed, at.key(name)).message(
                        format!(
                            "{name} {} is before the lead was assigned at {}",
                            answer.to_rfc3339(),
                            offer.assigned_at.to_rfc3339()
                        ),
                    ),
                );
            }
        }
        if offer.accepted_at.is_some() && offer.declined_at.is_some() {
            problems.push(
                Problem::new(ErrorCode::InvalidValue, at.clone())
                    .message(format!(
                        "the offer to {} is both accepted and declined",
                        offer.partner_id
                    ))
                    .help("keep the answer the partner gave last"),
            );
        }
    }
    problems.into_result(())?;

    let mut offers: Vec<&Assignment> = history.iter().collect();
    offers.sort_by(|a, b| {
        a.assigned_at
            .cmp(&b.assigned_at)
            .then(a.partner_id.cmp(&b.partner_id))
    });
    let window = chrono::Duration::hours(i64::from(policy.window_hours));
    let deadline = |offer: &Assignment| offer.assigned_at.checked_add_signed(window);
    let mut explanation = Explanation::new();
    let mut declined = Vec::new();
    let mut timed_out = Vec::new();
    let attempts = offers.len();
    for offer in &offers {
        if let Some(accepted_at) = offer.accepted_at {
            explanation.push(
                Step::new(
                    "routing.sla",
                    Outcome::Met,
                    format!("{} accepted the lead", offer.partner_id),
                )
                .value("accepted_at", accepted_at.to_rfc3339()),
            );
            return Ok(SlaDecision {
                action: NextAction::Done {
                    partner_id: offer.partner_id.clone(),
                    accepted_at,
                },
                attempts,
                timed_out: Vec::new(),
                explanation,
            });
        }
    }
    let mut waiting: Option<(&Assignment, Instant)> = None;
    for offer in &offers {
        if offer.declined_at.is_some() {
            declined.push(offer.partner_id.clone());
            explanation.push(Step::new(
                "routing.sla",
                Outcome::Failed,
                format!("{} declined", offer.partner_id),
            ));
            continue;
        }
        match deadline(offer) {
            Some(end) if now < end => waiting = Some((offer, end)),
            _ => {
                timed_out.push(offer.partner_id.clone());
                explanation.push(Step::new(
                    "routing.sla",
                    Outcome::Failed,
                    format!(
                        "{} did not answer within {} hours",
                        offer.partner_id, policy.window_hours
                    ),
                ));
            }
        }
    }
    timed_out.sort();
    timed_out.dedup();
    let mut exclude: Vec<PartnerId> = declined
        .into_iter()
        .chain(timed_out.iter().cloned())
        .collect();
    exclude.sort();
    exclude.dedup();
    if let Some((offer, until)) = waiting {
        explanation.push(
            Step::new(
                "routing.sla",
                Outcome::Info,
                format!(
                    "waiting for {} until {}",
                    offer.partner_id,
                    until.to_rfc3339()
                ),
            )
            .value("window_hours", policy.window_hours),
        );
        return Ok(SlaDecision {
            action: NextAction::Wait {
                partner_id: offer.partner_id.clone(),
                until,
            },
            attempts,
            timed_out,
            explanation,
        });
    }
    let limit = usize::try_from(policy.max_attempts).unwrap_or(usize::MAX);
    let action = if attempts >= limit {
        explanation.push(
            Step::new(
                "routing.sla",
                Outcome::Applied,
                format!("offered {attempts} times without acceptance (limit {limit}): escalate"),
            )
            .value("attempts", attempts),
        );
        NextAction::Escalate { exclude }
    } else {
        explanation.push(
            Step::new(
                "routing.sla",
                Outcome::Applied,
                format!(
                    "offered {attempts} of {limit} times: route again without {}",
                    if exclude.is_empty() {
                        "anyone".to_owned()
                    } else {
                        exclude.join(", ")
                    }
                ),
            )
            .value("attempts", attempts),
        );
        NextAction::Reroute { exclude }
    };
    Ok(SlaDecision {
        action,
        attempts,
        timed_out,
        explanation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offers(json: &str) -> Vec<Assignment> {
        serde_json::from_str(json).unwrap()
    }

    fn at(text: &str) -> Instant {
        text.parse().unwrap()
    }

    const POLICY: AcceptancePolicy = AcceptancePolicy {
        window_hours: 24,
        max_attempts: 2,
    };

    #[test]
    fn next_action_is_done_once_accepted() {
        let h = offers(
            r#"[{"partner_id": "P1", "assigned_at": "2026-01-05T09:00:00Z", "accepted_at": "2026-01-05T11:00:00Z"}]"#,
        );
        let d = next_action(&POLICY, &h, at("2026-01-09T00:00:00Z")).unwrap();
        assert!(matches!(d.action, NextAction::Done { ref partner_id, .. } if partner_id == "P1"));
    }

    #[test]
    fn window_ends_exactly_at_the_deadline() {
        let h = offers(r#"[{"partner_id": "P1", "assigned_at": "2026-01-05T09:00:00+01:00"}]"#);
        let before = next_action(&POLICY, &h, at("2026-01-06T07:59:59Z")).unwrap();
        assert_eq!(
            before.action,
            NextAction::Wait {
                partner_id: "P1".into(),
                until: at("2026-01-06T09:00:00+01:00")
            }
        );
        let on = next_action(&POLICY, &h, at("2026-01-06T08:00:00Z")).unwrap();
        assert_eq!(
            on.action,
            NextAction::Reroute {
                exclude: vec!["P1".into()]
            }
        );
        assert_eq!(on.timed_out, vec!["P1".to_owned()]);
    }

    #[test]
    fn escalates_after_max_attempts() {
        let h = offers(
            r#"[
            {"partner_id": "P2", "assigned_at": "2026-01-05T09:00:00Z", "declined_at": "2026-01-05T10:00:00Z"},
            {"partner_id": "P1", "assigned_at": "2026-01-05T10:00:00Z"}]"#,
        );
        let d = next_action(&POLICY, &h, at("2026-01-07T00:00:00Z")).unwrap();
        assert_eq!(
            d.action,
            NextAction::Escalate {
                exclude: vec!["P1".into(), "P2".into()]
            }
        );
    }

    #[test]
    fn empty_history_reroutes_without_exclusions() {
        let d = next_action(&POLICY, &[], at("2026-01-07T00:00:00Z")).unwrap();
        assert_eq!(
            d.action,
            NextAction::Reroute {
                exclude: Vec::new()
            }
        );
    }

    #[test]
    fn reversed_times_are_refused_with_paths() {
        let h = offers(
            r#"[{"partner_id": "P1", "assigned_at": "2026-01-05T09:00:00Z",
            "accepted_at": "2026-01-04T09:00:00Z", "declined_at": "2026-01-05T10:00:00Z"}]"#,
        );
        let err = next_action(&POLICY, &h, at("2026-01-07T00:00:00Z")).unwrap_err();
        let codes: Vec<_> = err
            .problems()
            .iter()
            .map(|p| (p.code().as_str(), p.path()))
            .collect();
        assert_eq!(
            codes,
            vec![
                ("routing_sla_times_reversed", "$.history[0].accepted_at"),
                ("invalid_value", "$.history[0]")
            ]
        );
    }
}
