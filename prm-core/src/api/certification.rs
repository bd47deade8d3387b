//! `certifications.status`, `certifications.reminders` and `certifications.compliance`.

use super::{ProgramSource, request, to_value};
use crate::calendar::{Date, ReminderSchedule};
use crate::certification::{
    self, Award, AwardStatus, CertificationCatalog, CertificationCompliance, CertificationReminder,
    CertificationRequirement, Holdings, check_people, for_active_people,
};
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use crate::partner::{PartnerId, Person};
use crate::program::Program;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

fn catalog(program: &Program) -> Result<&CertificationCatalog, Error> {
    program.certifications().ok_or_else(|| {
        Error::problem(
            Problem::new(
                ErrorCode::MissingField,
                JsonPath::root().key("program").key("certifications"),
            )
            .message("the program has no certification catalog")
            .help("add a `certifications` section to the program"),
        )
    })
}

/// The `certifications.status` request.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct StatusRequest {
    /// The program document, with a `certifications` section.
    #[schemars(with = "crate::Program")]
    #[expect(
        dead_code,
        reason = "read by `program_at` with its own paths; declared for the schema"
    )]
    program: Value,
    /// The day to answer for.
    as_of: Date,
    /// The awards; prerequisites are checked against the same person's other awards here.
    awards: Vec<Award>,
    /// Refuse the request when an award record has a problem (a renewal outside its
    /// window, a missing prerequisite) instead of reporting it beside the status.
    #[serde(default)]
    strict: bool,
}

/// `certifications.status`: every award's status on `as_of`, with the dates that explain it.
pub(super) fn status(value: &Value, source: ProgramSource<'_>) -> Result<Value, Error> {
    let r: StatusRequest = request(value)?;
    let program = source.program(value)?;
    let catalog = catalog(&program)?;
    let path = JsonPath::root().key("awards");
    let holdings = Holdings::new(catalog, &r.awards).map_err(|e| e.under(&path))?;
    if r.strict {
        let problems = holdings.problems(&path);
        if !problems.is_empty() {
            return Err(Error::invalid(problems));
        }
    }
    let awards: Vec<AwardStatus> = (0..r.awards.len())
        .filter_map(|i| holdings.status(i, r.as_of, &path))
        .collect();
    let mut by_status: BTreeMap<String, usize> = BTreeMap::new();
    for s in &awards {
        *by_status.entry(s.status.as_str().to_owned()).or_insert(0) += 1;
    }
    to_value(&StatusAnswer {
        as_of: r.as_of,
        awards,
        by_status,
    })
}

/// The `certifications.status` answer.
#[derive(Serialize, JsonSchema)]
pub(super) struct StatusAnswer {
    /// The day answered for.
    as_of: Date,
    /// Every award's status, in request order.
    awards: Vec<AwardStatus>,
    /// How many awards have each status.
    by_status: BTreeMap<String, usize>,
}

/// The `certifications.reminders` request.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RemindersRequest {
    /// The program document, with a `certifications` section.
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
    /// The awards.
    awards: Vec<Award>,
    /// Days before expiry to remind; the catalog's `reminder_days` by default.
    #[serde(default)]
    schedule: Option<ReminderSchedule>,
    /// When given, only people listed and active on a reminder's due date are reminded.
    #[serde(default)]
    people: Option<Vec<Person>>,
}

/// `certifications.reminders`: every reminder due in `(since, as_of]`, exactly once.
pub(super) fn reminders(value: &Value, source: ProgramSource<'_>) -> Result<Value, Error> {
    let r: RemindersRequest = request(value)?;
    let program = source.program(value)?;
    let catalog = catalog(&program)?;
    let schedule = match r.schedule {
        Some(schedule) => {
            schedule.validate(&JsonPath::root().key("schedule"))?;
            schedule
        }
        None if !catalog.reminder_days.is_empty() => catalog.reminder_days.clone(),
        None => {
            return Err(Error::problem(
                Problem::new(ErrorCode::MissingField, JsonPath::root().key("schedule"))
                    .message("no schedule given, and the catalog has no reminder_days")
                    .help("pass a schedule such as [90, 60, 30, 7], or set reminder_days in the catalog"),
            ));
        }
    };
    let mut due = certification::reminders_due(catalog, &r.awards, &schedule, r.since, r.as_of)?;
    if let Some(people) = &r.people {
        due = for_active_people(due, people);
    }
    to_value(&RemindersAnswer {
        since: r.since,
        as_of: r.as_of,
        schedule,
        reminders: due,
    })
}

/// The `certifications.reminders` answer.
#[derive(Serialize, JsonSchema)]
pub(super) struct RemindersAnswer {
    /// Reminders due after this day were looked for.
    since: Date,
    /// Reminders due on or before this day were looked for.
    as_of: Date,
    /// The days before expiry that were used.
    schedule: ReminderSchedule,
    /// Every reminder due in `(since, as_of]`.
    reminders: Vec<CertificationReminder>,
}

/// The `certifications.compliance` request.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ComplianceRequest {
    /// The program document, with a `certifications` section.
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
    /// The partner's people, each once.
    people: Vec<Person>,
    /// Their awards.
    awards: Vec<Award>,
    /// The requirements, by a name of the host's choosing.
    requirements: BTreeMap<String, CertificationRequirement>,
}

/// `certifications.compliance`: a partner's people against a set of requirements,
/// with who counts and who is missing what.
pub(super) fn compliance(value: &Value, source: ProgramSource<'_>) -> Result<Value, Error> {
    let r: ComplianceRequest = request(value)?;
    let program = source.program(value)?;
    let catalog = catalog(&program)?;
    let mut problems = Problems::new();
    for (name, requirement) in &r.requirements {
        problems.take(requirement.validate(
            Some(catalog),
            &JsonPath::root().key("requirements").key(name),
        ));
    }
    problems.take(check_people(
        &r.partner_id,
        &r.people,
        &JsonPath::root().key("people"),
    ));
    let holdings = problems.take(
        Holdings::new(catalog, &r.awards).map_err(|e| e.under(&JsonPath::root().key("awards"))),
    );
    let Some(holdings) = holdings.filter(|_| problems.is_empty()) else {
        return problems.into_result(Value::Null);
    };
    let mut requirements = Vec::with_capacity(r.requirements.len());
    for (name, requirement) in &r.requirements {
        let found = requirement.compliance(&holdings, &r.people, catalog, r.as_of);
        let missing_words = if found.count.met {
            None
        } else {
            Some(requirement.shortfall_words(&found.count)).filter(|w| !w.is_empty())
        };
        requirements.push(RequirementCompliance {
            found,
            name: name.clone(),
            certifications: requirement.describe(),
            missing_words,
        });
    }
    let compliant = requirements.iter().all(|entry| entry.found.count.met);
    to_value(&ComplianceAnswer {
        partner_id: r.partner_id,
        as_of: r.as_of,
        compliant,
        requirements,
        problems: holdings.problems(&JsonPath::root().key("awards")),
    })
}

/// The `certifications.compliance` answer.
#[derive(Serialize, JsonSchema)]
pub(super) struct ComplianceAnswer {
    /// The partner.
    partner_id: PartnerId,
    /// The day answered for.
    as_of: Date,
    /// True when every requirement holds.
    compliant: bool,
    /// Each requirement, in name order.
    requirements: Vec<RequirementCompliance>,
    /// What is wrong in the award records; those awards count only as far as they are valid.
    problems: Vec<Problem>,
}

/// One requirement of a `certifications.compliance` answer: who counts, who lacks what.
#[derive(Serialize, JsonSchema)]
pub(super) struct RequirementCompliance {
    /// The numbers, who counts and who is missing what.
    #[serde(flatten)]
    found: CertificationCompliance,
    /// The requirement's name in the request.
    name: String,
    /// The certifications it asks for, in words: `any of SALES-PRO or TECH-PRO`.
    certifications: String,
    /// What is missing, in words, when the requirement does not hold.
    #[serde(skip_serializing_if = "Option::is_none")]
    missing_words: Option<String>,
}
