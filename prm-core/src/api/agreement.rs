//! `agreements.status`, `agreements.reminders` and `compliance.check`.

use super::{ProgramSource, request, to_value};
use crate::agreement::{
    self, Activity, Agreement, AgreementPolicy, AgreementReminder, AgreementReport, PartnerRecords,
};
use crate::calendar::{Date, ReminderSchedule};
use crate::certification::{Award, Holdings, check_people};
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use crate::partner::{PartnerId, Person};
use crate::program::Program;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The warning horizon when the program has no agreements section.
const DEFAULT_HORIZON: u32 = 30;

fn policy(program: &Program) -> Result<&AgreementPolicy, Error> {
    program.agreements().ok_or_else(|| {
        Error::problem(
            Problem::new(
                ErrorCode::MissingField,
                JsonPath::root().key("program").key("agreements"),
            )
            .message("the program has no agreements section")
            .help("add an `agreements` section listing the agreement kinds"),
        )
    })
}

/// Checks each agreement's dates and, when the program lists kinds, its kind.
pub(super) fn check_agreements(
    program: &Program,
    agreements: &[Agreement],
    path: &JsonPath,
) -> Result<(), Error> {
    let mut problems = Problems::new();
    let mut ids = std::collections::BTreeSet::new();
    for (i, a) in agreements.iter().enumerate() {
        let at = path.index(i);
        if !ids.insert(a.id.as_str()) {
            problems.push(
                Problem::new(ErrorCode::DuplicateId, at.key("id"))
                    .message(format!("agreement `{}` is listed twice", a.id)),
            );
        }
        problems.take(a.validate(&at));
        if let Some(policy) = program.agreements() {
            problems.take(policy.check_kind(&a.kind, &at.key("kind")));
        }
    }
    problems.into_result(())
}

/// Reads a partner's awards against the program's catalog, when both exist.
pub(super) fn holdings<'a>(
    program: &'a Program,
    awards: &'a [Award],
) -> Result<Option<Holdings<'a>>, Error> {
    match program.certifications() {
        Some(catalog) => Holdings::new(catalog, awards)
            .map(Some)
            .map_err(|e| e.under(&JsonPath::root().key("awards"))),
        None if awards.is_empty() => Ok(None),
        None => Err(Error::problem(
            Problem::new(
                ErrorCode::MissingField,
                JsonPath::root().key("program").key("certifications"),
            )
            .message("awards are given, and the program has no certification catalog"),
        )),
    }
}

/// The horizon of `program`'s agreements section, or 30 days.
pub(super) fn horizon(program: &Program) -> u32 {
    program
        .agreements()
        .map_or(DEFAULT_HORIZON, |p| p.expiring_days)
}

/// The `agreements.status` request.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct StatusRequest {
    /// The program document; its `agreements` section gives the warning horizon (30 days
    /// without one).
    #[schemars(with = "crate::Program")]
    #[expect(
        dead_code,
        reason = "read by `program_at` with its own paths; declared for the schema"
    )]
    program: Value,
    /// The day to answer for.
    as_of: Date,
    /// The agreements.
    agreements: Vec<Agreement>,
}

/// `agreements.status`: each agreement's status on `as_of`, with its term and renewal.
pub(super) fn status(value: &Value, source: ProgramSource<'_>) -> Result<Value, Error> {
    let r: StatusRequest = request(value)?;
    let program = source.program(value)?;
    check_agreements(&program, &r.agreements, &JsonPath::root().key("agreements"))?;
    let horizon = horizon(&program);
    let mut agreements = Vec::with_capacity(r.agreements.len());
    let mut by_status: BTreeMap<String, usize> = BTreeMap::new();
    for a in &r.agreements {
        let report = a.status(r.as_of, horizon)?;
        *by_status
            .entry(report.status.as_str().to_owned())
            .or_insert(0) += 1;
        agreements.push(report);
    }
    to_value(&StatusAnswer {
        as_of: r.as_of,
        horizon_days: horizon,
        agreements,
        by_status,
    })
}

/// The `agreements.status` answer.
#[derive(Serialize, JsonSchema)]
pub(super) struct StatusAnswer {
    /// The day answered for.
    as_of: Date,
    /// Days before an end or a notice deadline when an agreement counts as expiring.
    horizon_days: u32,
    /// Each agreement's status, in request order.
    agreements: Vec<AgreementReport>,
    /// How many agreements have each status.
    by_status: BTreeMap<String, usize>,
}

/// The `agreements.reminders` request.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RemindersRequest {
    /// The program document, with an `agreements` section.
    #[schemars(with = "crate::Program")]
    #[expect(
        dead_code,
        reason = "read by `program_at` with its own paths; declared for the schema"
    )]
    program: Value,
    /// The `as_of` of the previous run: reminders due after it are returned.
    since: Date,
    /// Reminders due on or before this day are returned.
    as_of: Date,
    /// The agreements.
    agreements: Vec<Agreement>,
    /// Days before each deadline to remind; the section's `reminder_days` by default.
    #[serde(default)]
    schedule: Option<ReminderSchedule>,
}

/// `agreements.reminders`: every reminder due in `(since, as_of]`, exactly once.
pub(super) fn reminders(value: &Value, source: ProgramSource<'_>) -> Result<Value, Error> {
    let r: RemindersRequest = request(value)?;
    let program = source.program(value)?;
    let policy = policy(&program)?;
    check_agreements(&program, &r.agreements, &JsonPath::root().key("agreements"))?;
    let schedule = match r.schedule {
        Some(schedule) => {
            schedule.validate(&JsonPath::root().key("schedule"))?;
            schedule
        }
        None if !policy.reminder_days.is_empty() => policy.reminder_days.clone(),
        None => {
            return Err(Error::problem(
                Problem::new(ErrorCode::MissingField, JsonPath::root().key("schedule"))
                    .message("no schedule given, and the agreements section has no reminder_days")
                    .help("pass a schedule such as [60, 30, 7], or set agreements.reminder_days"),
            ));
        }
    };
    let due = agreement::reminders_due(&r.agreements, &schedule, r.since, r.as_of)?;
    to_value(&RemindersAnswer {
        since: r.since,
        as_of: r.as_of,
        schedule,
        reminders: due,
    })
}

/// The `agreements.reminders` answer.
#[derive(Serialize, JsonSchema)]
pub(super) struct RemindersAnswer {
    /// Reminders due after this day were looked for.
    since: Date,
    /// Reminders due on or before this day were looked for.
    as_of: Date,
    /// The days before each deadline that were used.
    schedule: ReminderSchedule,
    /// Every reminder due in `(since, as_of]`.
    reminders: Vec<AgreementReminder>,
}

/// The `compliance.check` request.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ComplianceRequest {
    /// The program document, with an `agreements` section naming what each activity needs.
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
    /// The activity: `receive_leads`, `request_mdf`, `earn_commission` or `register_deals`.
    activity: Activity,
    /// The partner's agreements.
    #[serde(default)]
    agreements: Vec<Agreement>,
    /// The partner's people.
    #[serde(default)]
    people: Vec<Person>,
    /// Their awards.
    #[serde(default)]
    awards: Vec<Award>,
}

/// `compliance.check`: whether a partner may do an activity, or what is missing.
pub(super) fn compliance(value: &Value, source: ProgramSource<'_>) -> Result<Value, Error> {
    let r: ComplianceRequest = request(value)?;
    let program = source.program(value)?;
    let policy = policy(&program)?;
    let mut problems = Problems::new();
    problems.take(check_agreements(
        &program,
        &r.agreements,
        &JsonPath::root().key("agreements"),
    ));
    problems.take(check_people(
        &r.partner_id,
        &r.people,
        &JsonPath::root().key("people"),
    ));
    let holdings = problems.take(holdings(&program, &r.awards)).flatten();
    problems.into_result(())?;
    let records = PartnerRecords {
        partner_id: &r.partner_id,
        agreements: &r.agreements,
        people: &r.people,
        holdings: holdings.as_ref(),
    };
    let report = agreement::compliance(policy, &records, r.activity, r.as_of)?;
    to_value(&report)
}
