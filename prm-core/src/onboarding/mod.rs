//! Partner lifecycle: screening applications, the onboarding checklist and lifecycle transitions.
//!
//! An [`Application`] is screened by the program's [`ScreeningPolicy`]
//! (the `onboarding.screening` section): **knock-out** rules (condition
//! trees, the same as routing's) reject outright; **scoring** rules add
//! points; the total is compared with two thresholds (`accept`, `review`);
//! missing required documents make the outcome `incomplete` with the list.
//! Every outcome lists the rules that fired and the points each gave.
//!
//! A partner moves through [`LifecycleStatus`]es (applicant, screening,
//! onboarding, active, suspended, terminated) by [`LifecycleEvent`]s.
//! [`transition`] returns the new state or every problem that blocks it;
//! becoming active (or active again) needs the onboarding [`Checklist`]
//! complete: agreements in force, certified people, documents on file.
//!
//! # Overview
//!
//! ```
//! use prm_core::onboarding::{Application, ScreeningOutcome, ScreeningPolicy, screen};
//! let policy: ScreeningPolicy = serde_json::from_str(r#"{
//!   "required_documents": ["trade_register"],
//!   "knock_outs": [{"id": "no_references", "reason": "at least one reference is needed",
//!     "when": {"kind": "field", "field": "references", "op": "eq", "value": 0}}],
//!   "scoring": [{"id": "support", "points": 50,
//!     "when": {"kind": "field", "field": "answers.has_support_team", "op": "eq", "value": true}}],
//!   "thresholds": {"accept": 60, "review": 40}
//! }"#)?;
//! let app: Application = serde_json::from_str(r#"{"id": "A-7",
//!   "company": {"name": "Kovacs Systems", "country": "HU"},
//!   "references": [{"name": "City of Pecs"}], "documents": ["trade_register"],
//!   "answers": {"has_support_team": true}}"#)?;
//! let result = screen(&policy, &app)?;
//! assert_eq!(result.outcome, ScreeningOutcome::Review);
//! assert_eq!(result.score.to_string(), "50");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Where it bites
//!
//! * A knock-out beats everything: a knocked-out application is `reject`
//!   even with a perfect score and all documents. The score is still
//!   reported.
//! * `incomplete` comes before the thresholds: an application missing a
//!   document is not scored into `reject`, it is asked for the document.
//! * Thresholds are inclusive: a score exactly at `accept` is accepted.
//! * Answers are typed by their JSON value: `answers.has_support_team` is a
//!   boolean if the applicant answered `true`.

mod application;
mod lifecycle;
mod screening;

pub use application::{APPLICATION_FIELDS, Application, Company, Reference};
pub use lifecycle::{
    Blocker, Checklist, ChecklistProgress, LifecycleEvent, LifecycleState, LifecycleStatus,
    OnboardingPolicy, Transition, checklist, transition,
};
pub use screening::{
    CompiledScreening, FiredRule, KnockOut, ScoringRule, ScreeningOutcome, ScreeningPolicy,
    ScreeningResult, Thresholds, screen,
};
