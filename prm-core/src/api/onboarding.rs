//! `onboarding.screen`, `onboarding.checklist` and `onboarding.transition`.

use super::agreement::{check_agreements, holdings, horizon};
use super::{ProgramSource, request, to_value};
use crate::agreement::{Agreement, PartnerRecords};
use crate::calendar::Date;
use crate::certification::{Award, check_people};
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use crate::onboarding::{
    Application, ChecklistProgress, LifecycleEvent, LifecycleState, OnboardingPolicy,
    ScreeningResult, Transition, checklist, transition,
};
use crate::partner::{PartnerId, Person};
use crate::program::Program;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

fn policy(program: &Program) -> Result<&OnboardingPolicy, Error> {
    program.onboarding().ok_or_else(|| {
        Error::problem(
            Problem::new(
                ErrorCode::MissingField,
                JsonPath::root().key("program").key("onboarding"),
            )
            .message("the program has no onboarding section")
            .help("add an `onboarding` section with `screening` and `checklist`"),
        )
    })
}

/// The `onboarding.screen` request.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ScreenRequest {
    /// The program document, with an `onboarding` section.
    #[schemars(with = "crate::Program")]
    #[expect(
        dead_code,
        reason = "read by `program_at` with its own paths; declared for the schema"
    )]
    program: Value,
    /// One application; give this or `applications`.
    #[serde(default)]
    application: Option<Application>,
    /// A batch of applications.
    #[serde(default)]
    applications: Option<Vec<Application>>,
}

/// `onboarding.screen`: the outcome of one application, or of each in a batch.
pub(super) fn screen(value: &Value, source: ProgramSource<'_>) -> Result<Value, Error> {
    let r: ScreenRequest = request(value)?;
    let program = source.program(value)?;
    let policy = policy(&program)?;
    let compiled = policy.screening.compile(
        &JsonPath::root()
            .key("program")
            .key("onboarding")
            .key("screening"),
    )?;
    match (r.application, r.applications) {
        (Some(one), None) => to_value(&ScreenAnswer::One(compiled.screen(&one)?)),
        (None, Some(many)) => {
            let mut results = Vec::with_capacity(many.len());
            let mut by_outcome: BTreeMap<&'static str, usize> = BTreeMap::new();
            for app in &many {
                let result = compiled.screen(app)?;
                let key = match result.outcome {
                    crate::onboarding::ScreeningOutcome::Accept => "accept",
                    crate::onboarding::ScreeningOutcome::Review => "review",
                    crate::onboarding::ScreeningOutcome::Reject => "reject",
                    crate::onboarding::ScreeningOutcome::Incomplete => "incomplete",
                };
                *by_outcome.entry(key).or_insert(0) += 1;
                results.push(result);
            }
            to_value(&ScreenAnswer::Batch {
                results,
                by_outcome,
            })
        }
        _ => Err(Error::problem(
            Problem::new(ErrorCode::MissingField, JsonPath::root().key("application"))
                .message("give exactly one of `application` and `applications`"),
        )),
    }
}

/// The `onboarding.screen` answer: one application's result, or a batch's.
#[derive(Serialize, JsonSchema)]
#[serde(untagged)]
pub(super) enum ScreenAnswer {
    /// The result for the one `application` of the request.
    One(ScreeningResult),
    /// The results for `applications`.
    Batch {
        /// One result per application, in request order.
        results: Vec<ScreeningResult>,
        /// How many applications had each outcome.
        by_outcome: BTreeMap<&'static str, usize>,
    },
}

/// The `onboarding.checklist` request.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ChecklistRequest {
    /// The program document, with an `onboarding` section.
    #[schemars(with = "crate::Program")]
    #[expect(
        dead_code,
        reason = "read by `program_at` with its own paths; declared for the schema"
    )]
    program: Value,
    /// The day to answer for.
    as_of: Date,
    /// The partner.
    partner_id: PartnerId,
    /// The partner's agreements.
    #[serde(default)]
    agreements: Vec<Agreement>,
    /// The partner's people.
    #[serde(default)]
    people: Vec<Person>,
    /// Their awards.
    #[serde(default)]
    awards: Vec<Award>,
    /// Document kinds on file.
    #[serde(default)]
    documents: Vec<String>,
}

/// The `onboarding.transition` request.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct TransitionRequest {
    /// The program document, with an `onboarding` section.
    #[schemars(with = "crate::Program")]
    #[expect(
        dead_code,
        reason = "read by `program_at` with its own paths; declared for the schema"
    )]
    program: Value,
    /// The day the event happens.
    as_of: Date,
    /// The partner.
    partner_id: PartnerId,
    /// The current lifecycle state.
    state: LifecycleState,
    /// The event.
    event: LifecycleEvent,
    /// The partner's agreements.
    #[serde(default)]
    agreements: Vec<Agreement>,
    /// The partner's people.
    #[serde(default)]
    people: Vec<Person>,
    /// Their awards.
    #[serde(default)]
    awards: Vec<Award>,
    /// Document kinds on file.
    #[serde(default)]
    documents: Vec<String>,
}

fn check_records(
    program: &Program,
    partner_id: &str,
    agreements: &[Agreement],
    people: &[Person],
) -> Result<(), Error> {
    let mut problems = Problems::new();
    problems.take(check_agreements(
        program,
        agreements,
        &JsonPath::root().key("agreements"),
    ));
    problems.take(check_people(
        partner_id,
        people,
        &JsonPath::root().key("people"),
    ));
    problems.into_result(())
}

/// `onboarding.checklist`: what is done and what is missing on `as_of`.
pub(super) fn checklist_op(value: &Value, source: ProgramSource<'_>) -> Result<Value, Error> {
    let r: ChecklistRequest = request(value)?;
    let program = source.program(value)?;
    let policy = policy(&program)?;
    check_records(&program, &r.partner_id, &r.agreements, &r.people)?;
    let holdings = holdings(&program, &r.awards)?;
    let records = PartnerRecords {
        partner_id: &r.partner_id,
        agreements: &r.agreements,
        people: &r.people,
        holdings: holdings.as_ref(),
    };
    let progress = checklist(
        &policy.checklist,
        &records,
        &r.documents,
        horizon(&program),
        r.as_of,
    )?;
    to_value(&ChecklistAnswer {
        progress,
        partner_id: r.partner_id,
        as_of: r.as_of,
    })
}

/// The `onboarding.checklist` answer.
#[derive(Serialize, JsonSchema)]
pub(super) struct ChecklistAnswer {
    /// Each item, what is done and what is missing.
    #[serde(flatten)]
    progress: ChecklistProgress,
    /// The partner.
    partner_id: PartnerId,
    /// The day answered for.
    as_of: Date,
}

/// `onboarding.transition`: the new lifecycle state, or what blocks it.
pub(super) fn transition_op(value: &Value, source: ProgramSource<'_>) -> Result<Value, Error> {
    let r: TransitionRequest = request(value)?;
    let program = source.program(value)?;
    let policy = policy(&program)?;
    check_records(&program, &r.partner_id, &r.agreements, &r.people)?;
    let holdings = holdings(&program, &r.awards)?;
    let records = PartnerRecords {
        partner_id: &r.partner_id,
        agreements: &r.agreements,
        people: &r.people,
        holdings: holdings.as_ref(),
    };
    let result = transition(
        &policy.checklist,
        r.state,
        r.event,
        &records,
        &r.documents,
        horizon(&program),
        r.as_of,
    )?;
    to_value(&TransitionAnswer {
        transition: result,
        partner_id: r.partner_id,
    })
}

/// The `onboarding.transition` answer.
#[derive(Serialize, JsonSchema)]
pub(super) struct TransitionAnswer {
    /// The event, whether it applied, the new state and what blocks it.
    #[serde(flatten)]
    transition: Transition,
    /// The partner.
    partner_id: PartnerId,
}
