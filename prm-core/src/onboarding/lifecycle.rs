//! The partner lifecycle: [`LifecycleStatus`], [`LifecycleEvent`], the onboarding
//! [`Checklist`], [`checklist`] and [`transition`].

use super::screening::ScreeningPolicy;
use crate::agreement::{AgreementPolicy, ChecklistItem, ItemKind, PartnerRecords, Requirements};
use crate::calendar::Date;
use crate::certification::{CertificationCatalog, CertificationRequirement};
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use crate::explain::{Explanation, Outcome, Step};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What must be complete before a partner becomes active.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Checklist {
    /// Agreement kinds that must each have an agreement in force.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agreements: Vec<String>,
    /// Certification requirements (people who must be certified), by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub certifications: BTreeMap<String, CertificationRequirement>,
    /// Document kinds that must be on file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<String>,
}

/// The `onboarding` section of the program document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OnboardingPolicy {
    /// How applications are screened.
    pub screening: ScreeningPolicy,
    /// What must be complete to become (or become again) active.
    #[serde(default)]
    pub checklist: Checklist,
}

impl OnboardingPolicy {
    /// Checks screening and the checklist's references; problems are reported under `path`.
    ///
    /// # Errors
    ///
    /// The screening policy's problems; `unknown_reference` for a checklist agreement kind
    /// the `agreements` section lacks (or any kind, when it is absent) and for unknown
    /// certifications.
    pub fn validate(
        &self,
        agreements: Option<&AgreementPolicy>,
        catalog: Option<&CertificationCatalog>,
        path: &JsonPath,
    ) -> Result<(), Error> {
        let mut problems = Problems::new();
        problems.take(self.screening.validate(&path.key("screening")));
        let at = path.key("checklist");
        let requirements = self.checklist.requirements();
        match agreements {
            Some(policy) => {
                problems.take(policy.check_requirements(&requirements, catalog, &at));
            }
            None => {
                for (i, kind) in self.checklist.agreements.iter().enumerate() {
                    problems.push(
                        Problem::new(ErrorCode::UnknownReference, at.key("agreements").index(i))
                            .message(format!(
                                "the checklist needs a `{kind}` agreement, and the program has no agreements section"
                            ))
                            .help("add an `agreements` section listing the agreement kinds"),
                    );
                }
                for (name, requirement) in &self.checklist.certifications {
                    problems
                        .take(requirement.validate(catalog, &at.key("certifications").key(name)));
                }
            }
        }
        problems.into_result(())
    }
}

impl Checklist {
    /// The checklist's agreements and certifications, as compliance requirements.
    pub fn requirements(&self) -> Requirements {
        Requirements {
            agreements: self.agreements.clone(),
            certifications: self.certifications.clone(),
        }
    }
}

/// Where a partner is in its life with the program.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum LifecycleStatus {
    /// Applied, not yet screened.
    Applicant,
    /// Being screened.
    Screening,
    /// Accepted; working through the checklist.
    Onboarding,
    /// A partner in good standing.
    Active,
    /// Temporarily not allowed to act as a partner.
    Suspended,
    /// Gone for good (declined applicants included).
    Terminated,
}

impl LifecycleStatus {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            LifecycleStatus::Applicant => "applicant",
            LifecycleStatus::Screening => "screening",
            LifecycleStatus::Onboarding => "onboarding",
            LifecycleStatus::Active => "active",
            LifecycleStatus::Suspended => "suspended",
            LifecycleStatus::Terminated => "terminated",
        }
    }
}

/// Something that happens to a partner.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum LifecycleEvent {
    /// applicant → screening.
    Submit,
    /// screening → onboarding.
    Approve,
    /// screening → terminated.
    Decline,
    /// onboarding → active; the checklist must be complete.
    Activate,
    /// active → suspended.
    Suspend,
    /// suspended → active; the checklist must be complete again.
    Reactivate,
    /// any status but terminated → terminated.
    Terminate,
}

impl LifecycleEvent {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            LifecycleEvent::Submit => "submit",
            LifecycleEvent::Approve => "approve",
            LifecycleEvent::Decline => "decline",
            LifecycleEvent::Activate => "activate",
            LifecycleEvent::Suspend => "suspend",
            LifecycleEvent::Reactivate => "reactivate",
            LifecycleEvent::Terminate => "terminate",
        }
    }

    /// The status the event leads to from `from`, if it applies there.
    pub fn target(self, from: LifecycleStatus) -> Option<LifecycleStatus> {
        use LifecycleEvent as E;
        use LifecycleStatus as S;
        match (self, from) {
            (E::Submit, S::Applicant) => Some(S::Screening),
            (E::Approve, S::Screening) => Some(S::Onboarding),
            (E::Decline, S::Screening) => Some(S::Terminated),
            (E::Activate, S::Onboarding) => Some(S::Active),
            (E::Suspend, S::Active) => Some(S::Suspended),
            (E::Reactivate, S::Suspended) => Some(S::Active),
            (E::Terminate, s) if s != S::Terminated => Some(S::Terminated),
            _ => None,
        }
    }

    /// True when the event needs a complete checklist.
    pub fn needs_checklist(self) -> bool {
        matches!(self, LifecycleEvent::Activate | LifecycleEvent::Reactivate)
    }
}

/// A partner's lifecycle state: its status and since when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LifecycleState {
    /// The status.
    pub status: LifecycleStatus,
    /// The day it began.
    pub since: Date,
}

/// How far a partner is through the checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ChecklistProgress {
    /// Every item, agreements first, then certifications, then documents.
    pub items: Vec<ChecklistItem>,
    /// How many are done.
    pub done: usize,
    /// How many there are.
    pub total: usize,
    /// True when every item is done.
    pub complete: bool,
    /// The items not done.
    pub missing: Vec<String>,
}

/// The checklist for `records.partner_id` on `as_of`: what is done and what is missing.
///
/// Agreements count when one of their kind is in force on `as_of`
/// (`active`, `expiring` or `in_notice_period`); certification requirements
/// count distinct active people as tiers do; documents count when their kind
/// is in `documents`.
///
/// # Errors
///
/// An agreement's own errors (`limit_exceeded`, `date_out_of_range`).
///
/// # Example
///
/// ```
/// use prm_core::agreement::{Agreement, PartnerRecords};
/// use prm_core::onboarding::{Checklist, checklist};
/// let list: Checklist = serde_json::from_str(
///     r#"{"agreements": ["reseller"], "documents": ["insurance", "tax_certificate"]}"#)?;
/// let records = PartnerRecords { partner_id: "p1", agreements: &[], people: &[], holdings: None };
/// let progress = checklist(&list, &records, &["insurance".to_owned()], 30, "2025-06-01".parse()?)?;
/// assert_eq!((progress.done, progress.total), (1, 3));
/// assert_eq!(progress.missing, ["agreement:reseller", "document:tax_certificate"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn checklist(
    list: &Checklist,
    records: &PartnerRecords<'_>,
    documents: &[String],
    horizon_days: u32,
    as_of: Date,
) -> Result<ChecklistProgress, Error> {
    let mut items = list.requirements().check(records, horizon_days, as_of)?;
    for document in &list.documents {
        let done = documents.contains(document);
        items.push(ChecklistItem {
            item: format!("document:{document}"),
            kind: ItemKind::Document,
            done,
            detail: if done {
                format!("{document} is on file")
            } else {
                format!("{document} is not on file")
            },
            status: None,
            shortfall: None,
        });
    }
    let done = items.iter().filter(|i| i.done).count();
    let missing: Vec<String> = items
        .iter()
        .filter(|i| !i.done)
        .map(|i| i.item.clone())
        .collect();
    Ok(ChecklistProgress {
        total: items.len(),
        done,
        complete: missing.is_empty(),
        missing,
        items,
    })
}

/// Something that blocks a transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Blocker {
    /// A stable code: `lifecycle_transition_not_allowed` or `checklist_incomplete`.
    pub code: &'static str,
    /// The checklist item, for `checklist_incomplete`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// What blocks, for a person.
    pub message: String,
}

/// The result of applying an event to a lifecycle state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Transition {
    /// The event.
    pub event: LifecycleEvent,
    /// The status before.
    pub from: LifecycleStatus,
    /// True when the event was applied.
    pub applied: bool,
    /// The new state when applied, else the unchanged one.
    pub state: LifecycleState,
    /// What blocks it, when it was not applied.
    pub blockers: Vec<Blocker>,
    /// The checklist, for events that need it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checklist: Option<ChecklistProgress>,
    /// The explanation.
    pub explanation: Explanation,
}

/// Applies `event` to `state` on `as_of`: the new state, or everything that blocks it.
///
/// `activate` and `reactivate` need the whole checklist done on `as_of`;
/// every missing item is a blocker. An event that does not apply to the
/// current status (activating a terminated partner) is blocked with
/// `lifecycle_transition_not_allowed`. Applying the same event again to the
/// returned state is blocked, never applied twice.
///
/// # Errors
///
/// `invalid_value` at `$.as_of` when `as_of` is before `state.since`; an
/// agreement's own errors.
///
/// # Example
///
/// ```
/// use prm_core::agreement::PartnerRecords;
/// use prm_core::onboarding::{Checklist, LifecycleEvent, LifecycleState, LifecycleStatus, transition};
/// let list: Checklist = serde_json::from_str(r#"{"documents": ["insurance"]}"#)?;
/// let state = LifecycleState { status: LifecycleStatus::Onboarding, since: "2025-01-10".parse()? };
/// let records = PartnerRecords { partner_id: "p1", agreements: &[], people: &[], holdings: None };
/// let blocked = transition(&list, state, LifecycleEvent::Activate, &records, &[], 30, "2025-02-01".parse()?)?;
/// assert!(!blocked.applied);
/// assert_eq!(blocked.blockers[0].item.as_deref(), Some("document:insurance"));
/// let done = transition(&list, state, LifecycleEvent::Activate, &records,
///     &["insurance".to_owned()], 30, "2025-02-01".parse()?)?;
/// assert_eq!(done.state.status, LifecycleStatus::Active);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn transition(
    list: &Checklist,
    state: LifecycleState,
    event: LifecycleEvent,
    records: &PartnerRecords<'_>,
    documents: &[String],
    horizon_days: u32,
    as_of: Date,
) -> Result<Transition, Error> {
    if as_of < state.since {
        return Err(Error::problem(
            Problem::new(ErrorCode::InvalidValue, JsonPath::root().key("as_of"))
                .message(format!(
                    "as_of ({as_of}) is before the state began ({})",
                    state.since
                ))
                .help("pass the state returned by the previous transition, and a later as_of"),
        ));
    }
    let mut explanation = Explanation::new();
    let mut blockers = Vec::new();
    let rule = format!("lifecycle.{}", event.as_str());
    let target = event.target(state.status);
    if target.is_none() {
        let message = format!(
            "`{}` does not apply to a partner that is {}",
            event.as_str(),
            state.status.as_str()
        );
        explanation.push(Step::new(rule.clone(), Outcome::Failed, message.clone()));
        blockers.push(Blocker {
            code: ErrorCode::LifecycleTransitionNotAllowed.as_str(),
            item: None,
            message,
        });
    }
    let progress = if event.needs_checklist() {
        let progress = checklist(list, records, documents, horizon_days, as_of)?;
        for item in &progress.items {
            explanation.push(Step::new(
                format!("checklist.{}", item.item),
                if item.done {
                    Outcome::Met
                } else {
                    Outcome::Failed
                },
                item.detail.clone(),
            ));
            if !item.done && target.is_some() {
                blockers.push(Blocker {
                    code: "checklist_incomplete",
                    item: Some(item.item.clone()),
                    message: item.detail.clone(),
                });
            }
        }
        Some(progress)
    } else {
        None
    };
    let (applied, new_state) = match target {
        Some(status) if blockers.is_empty() => {
            explanation.push(Step::new(
                rule,
                Outcome::Applied,
                format!("{} → {} on {as_of}", state.status.as_str(), status.as_str()),
            ));
            (
                true,
                LifecycleState {
                    status,
                    since: as_of,
                },
            )
        }
        Some(_) => {
            explanation.push(Step::new(
                rule,
                Outcome::Failed,
                format!("blocked by {} unfinished checklist items", blockers.len()),
            ));
            (false, state)
        }
        None => (false, state),
    };
    Ok(Transition {
        event,
        from: state.status,
        applied,
        state: new_state,
        blockers,
        checklist: progress,
        explanation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const STATUSES: [LifecycleStatus; 6] = [
        LifecycleStatus::Applicant,
        LifecycleStatus::Screening,
        LifecycleStatus::Onboarding,
        LifecycleStatus::Active,
        LifecycleStatus::Suspended,
        LifecycleStatus::Terminated,
    ];
    const EVENTS: [LifecycleEvent; 7] = [
        LifecycleEvent::Submit,
        LifecycleEvent::Approve,
        LifecycleEvent::Decline,
        LifecycleEvent::Activate,
        LifecycleEvent::Suspend,
        LifecycleEvent::Reactivate,
        LifecycleEvent::Terminate,
    ];

    fn records() -> PartnerRecords<'static> {
        PartnerRecords {
            partner_id: "p",
            agreements: &[],
            people: &[],
            holdings: None,
        }
    }

    #[test]
    fn terminated_is_final() {
        for event in EVENTS {
            assert_eq!(event.target(LifecycleStatus::Terminated), None);
        }
    }

    #[test]
    fn reactivation_only_from_suspended() {
        let from: Vec<_> = STATUSES
            .iter()
            .filter(|s| LifecycleEvent::Reactivate.target(**s).is_some())
            .collect();
        assert_eq!(from, [&LifecycleStatus::Suspended]);
    }

    #[test]
    fn transition_refuses_as_of_before_since() {
        let state = LifecycleState {
            status: LifecycleStatus::Active,
            since: "2025-03-01".parse().unwrap(),
        };
        let err = transition(
            &Checklist::default(),
            state,
            LifecycleEvent::Suspend,
            &records(),
            &[],
            30,
            "2025-02-01".parse().unwrap(),
        )
        .unwrap_err();
        assert_eq!(err.problems()[0].path(), "$.as_of");
    }

    proptest! {
        #[test]
        fn prop_transition_is_never_applied_twice(s in 0usize..6, e in 0usize..7) {
            let state = LifecycleState { status: STATUSES[s], since: "2025-01-01".parse().unwrap() };
            let as_of: Date = "2025-02-01".parse().unwrap();
            let first = transition(&Checklist::default(), state, EVENTS[e], &records(), &[], 30, as_of).unwrap();
            let again = transition(&Checklist::default(), first.state, EVENTS[e], &records(), &[], 30, as_of).unwrap();
            if first.applied { prop_assert!(!again.applied); prop_assert_eq!(again.state, first.state); }
            if !first.applied { prop_assert_eq!(first.state, state); }
            prop_assert_eq!(first.applied, EVENTS[e].target(STATUSES[s]).is_some());
        }
    }
}
