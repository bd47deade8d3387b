//! `certifications.status`, `certifications.reminders` and `certifications.compliance`.

use super::{program_at, request, to_value};
use crate::calendar::{Date, ReminderSchedule};
use crate::certification::{
    self, Award, CertificationCatalog, CertificationRequirement, Holdings, check_people,
    for_active_people,
};
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use crate::partner::{PartnerId, Person};
use crate::program::Program;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
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
pub(super) fn status(value: &Value) -> Result<Value, Error> {
    let r: StatusRequest = request(value)?;
    let program = program_at(value)?;
    let catalog = catalog(&program)?;
    let path = JsonPath::root().key("awards");
    let holdings = Holdings::new(catalog, &r.awards).map_err(|e| e.under(&path))?;
    if r.strict {
        let problems = holdings.problems(&path);
        if !problems.is_empty() {
            return Err(Error::invalid(problems));
        }
    }
    let statuses: Vec<_> = (0..r.awards.len())
        .filter_map(|i| holdings.status(i, r.as_of, &path))
        .collect();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for s in &statuses {
        *counts.entry(s.status.as_str()).or_insert(0) += 1;
    }
    Ok(json!({
        "as_of": r.as_of,
        "awards": to_value(&statuses)?,
        "by_status": counts,
    }))
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
pub(super) fn reminders(value: &Value) -> Result<Value, Error> {
    let r: RemindersRequest = request(value)?;
    let program = program_at(value)?;
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
    Ok(json!({
        "since": r.since,
        "as_of": r.as_of,
        "schedule": schedule,
        "reminders": to_value(&due)?,
    }))
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
pub(super) fn compliance(value: &Value) -> Result<Value, Error> {
    let r: ComplianceRequest = request(value)?;
    let program = program_at(value)?;
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
    let mut results = Vec::with_capacity(r.requirements.len());
    for (name, requirement) in &r.requirements {
        let found = requirement.compliance(&holdings, &r.people, catalog, r.as_of);
        let words = if found.count.met {
            String::new()
        } else {
            requirement.shortfall_words(&found.count)
        };
        let mut entry = to_value(&found)?;
        if let Value::Object(fields) = &mut entry {
            fields.insert("name".to_owned(), json!(name));
            fields.insert("certifications".to_owned(), json!(requirement.describe()));
            if !words.is_empty() {
                fields.insert("missing_words".to_owned(), json!(words));
            }
        }
        results.push(entry);
    }
    let compliant = results
        .iter()
        .all(|entry| entry.get("met") == Some(&Value::Bool(true)));
    Ok(json!({
        "partner_id": r.partner_id,
        "as_of": r.as_of,
        "compliant": compliant,
        "requirements": results,
        "problems": holdings.problems(&JsonPath::root().key("awards")),
    }))
}
