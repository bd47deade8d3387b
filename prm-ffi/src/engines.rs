//! Typed methods of [`Program`] for the engines' main operations: tier
//! evaluation, certification status and reminders, routing one lead, the
//! deal-registration check, a commission statement, and MDF balance and apply.
//!
//! Inputs: dates and identifiers are typed arguments; the engines' facts
//! (a partner's facts, awards, partners and lead, a registration, transactions,
//! ledger events and commands) are JSON text, exactly as in the operation's
//! request, so their schema stays the core's. Answers are typed records
//! ([`crate::records`]). Each method builds the operation's request, runs it
//! with the program through the facade and reads the answer: nothing here
//! decides anything.

use crate::error::PrmError;
use crate::generic::guard;
use crate::ops::{Program, from_answer};
use crate::records::{
    CertificationReminders, CertificationStatusReport, CommissionStatement,
    DealRegistrationDecision, MdfApplyResult, MdfBalance, RoutedLead, TierDecision,
};
use crate::types::DateString;
use prm_core::{Error, ErrorCode, JsonPath, Problem};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

/// The fields of an engine request, built from a method's arguments.
#[derive(Default)]
struct Request {
    fields: Map<String, Value>,
}

impl Request {
    /// Adds a typed argument.
    fn with(mut self, field: &str, value: Value) -> Request {
        self.fields.insert(field.to_owned(), value);
        self
    }

    /// Adds an optional typed argument when it is given.
    fn maybe(self, field: &str, value: Option<Value>) -> Request {
        match value {
            Some(value) => self.with(field, value),
            None => self,
        }
    }

    /// Adds a JSON argument as `field`; its problems are reported under `$.field`.
    fn json(self, field: &str, text: &str) -> Result<Request, Error> {
        let value = prm_core::program::parse_json(text)
            .map_err(|e| e.under(&JsonPath::root().key(field)))?;
        Ok(self.with(field, value))
    }

    /// Adds an optional JSON argument when it is given.
    fn json_maybe(self, field: &str, text: Option<&str>) -> Result<Request, Error> {
        match text {
            Some(text) => self.json(field, text),
            None => Ok(self),
        }
    }

    /// Adds every field of the JSON object `text`, refusing a field that a
    /// typed argument already sets (or `program`, which the [`Program`] adds).
    fn merge(mut self, text: &str) -> Result<Request, Error> {
        let Value::Object(fields) = prm_core::program::parse_json(text)? else {
            return Err(Error::problem(
                Problem::new(ErrorCode::WrongType, JsonPath::root())
                    .message("the facts must be a JSON object"),
            ));
        };
        for (field, value) in fields {
            if self.fields.contains_key(&field) || field == "program" {
                return Err(Error::problem(
                    Problem::new(ErrorCode::InvalidValue, JsonPath::root().key(&field))
                        .message(format!(
                            "`{field}` is set by the method's own argument or by the program"
                        ))
                        .help(format!("remove `{field}` from the facts")),
                ));
            }
            self.fields.insert(field, value);
        }
        Ok(self)
    }
}

impl Program {
    /// Runs `op` with this program on the request `build` makes, and reads the answer as `T`.
    fn run<T: DeserializeOwned>(
        &self,
        op: &str,
        build: impl FnOnce() -> Result<Request, Error>,
    ) -> Result<T, PrmError> {
        guard(op, || {
            let request = Value::Object(build()?.fields);
            let answer = self.loaded().call_value(op, &request)?;
            from_answer(op, answer)
        })
        .map_err(PrmError::from)
    }
}

/// A date argument as JSON.
fn date(day: &DateString) -> Value {
    Value::String(day.0.clone())
}

#[uniffi::export]
impl Program {
    /// Evaluates one partner's tier on `as_of` (`tiers.evaluate`): where it
    /// qualifies, what the lifecycle decides, the gap to the next tier and why.
    ///
    /// `partner_json` is the partner's facts as in the operation's request
    /// (`{"partner_id", "metrics", "people", "awards", "assignment", ...}`);
    /// pass the previous decision's `assignment` back in it.
    ///
    /// # Errors
    ///
    /// `invalid` with every problem under `$.partner` (or `$.program.tiers`
    /// when the program has no tiers); `malformed_json` for bad JSON text.
    pub fn evaluate_tier(
        &self,
        partner_json: String,
        as_of: DateString,
    ) -> Result<TierDecision, PrmError> {
        #[derive(Deserialize)]
        struct Answer {
            decision: TierDecision,
        }
        self.run::<Answer>("tiers.evaluate", || {
            Request::default()
                .with("as_of", date(&as_of))
                .json("partner", &partner_json)
        })
        .map(|answer| answer.decision)
    }

    /// Every award's status on `as_of` (`certifications.status`), with the
    /// dates that explain it and a count by status.
    ///
    /// `awards_json` is the JSON array of awards
    /// (`[{"person_id", "cert_id", "earned_on", ...}]`). With `strict`, an
    /// award record with a problem fails the call instead of being reported
    /// beside its status.
    ///
    /// # Errors
    ///
    /// `invalid` with every problem under `$.awards`, or when the program
    /// has no `certifications` section.
    #[uniffi::method(default(strict = false))]
    pub fn certification_status(
        &self,
        awards_json: String,
        as_of: DateString,
        strict: bool,
    ) -> Result<CertificationStatusReport, PrmError> {
        self.run("certifications.status", || {
            Request::default()
                .with("as_of", date(&as_of))
                .with("strict", Value::Bool(strict))
                .json("awards", &awards_json)
        })
    }

    /// The renewal reminders due after `since` and on or before `as_of`
    /// (`certifications.reminders`), each exactly once across runs.
    ///
    /// `schedule` is the days before expiry to remind (the catalog's
    /// `reminder_days` by default); `people_json`, when given, is the JSON
    /// array of people, and only people active on a reminder's due date are
    /// reminded.
    ///
    /// # Errors
    ///
    /// `invalid` with every problem under `$.awards`, `$.schedule` or `$.people`.
    #[uniffi::method(default(schedule = None, people_json = None))]
    pub fn certification_reminders(
        &self,
        awards_json: String,
        since: DateString,
        as_of: DateString,
        schedule: Option<Vec<u32>>,
        people_json: Option<String>,
    ) -> Result<CertificationReminders, PrmError> {
        self.run("certifications.reminders", || {
            Request::default()
                .with("since", date(&since))
                .with("as_of", date(&as_of))
                .maybe("schedule", schedule.map(|days| json!(days)))
                .json("awards", &awards_json)?
                .json_maybe("people", people_json.as_deref())
        })
    }

    /// Routes one lead to a partner by the program's routing rules (`routing.route`).
    ///
    /// `partners_json` is the JSON array of partners that may receive it,
    /// `lead_json` the lead, and `state_json` the `state` of the previous
    /// call (empty when absent). Store the answer's `state` and pass it with
    /// the next lead.
    ///
    /// # Errors
    ///
    /// `invalid` with every problem under `$.partners`, `$.lead` or `$.state`.
    #[uniffi::method(default(state_json = None))]
    pub fn route_lead(
        &self,
        partners_json: String,
        lead_json: String,
        state_json: Option<String>,
    ) -> Result<RoutedLead, PrmError> {
        self.run("routing.route", || {
            Request::default()
                .json("partners", &partners_json)?
                .json("lead", &lead_json)?
                .json_maybe("state", state_json.as_deref())
        })
    }

    /// Checks a deal registration on `as_of` (`deal_registration.check`):
    /// approved with its protection, in conflict with registrations on file, or rejected.
    ///
    /// `registration_json` is the submitted registration, `existing_json`
    /// the JSON array of registrations on file, and `partner_tier` the
    /// registering partner's tier (for its `deal_protection_days` benefit).
    ///
    /// # Errors
    ///
    /// `invalid` with every problem under `$.registration` or `$.existing`.
    #[uniffi::method(default(existing_json = None, partner_tier = None))]
    pub fn check_deal_registration(
        &self,
        registration_json: String,
        as_of: DateString,
        existing_json: Option<String>,
        partner_tier: Option<String>,
    ) -> Result<DealRegistrationDecision, PrmError> {
        self.run("deal_registration.check", || {
            Request::default()
                .with("as_of", date(&as_of))
                .maybe("partner_tier", partner_tier.map(Value::String))
                .json("registration", &registration_json)?
                .json_maybe("existing", existing_json.as_deref())
        })
    }

    /// One partner's commission statement (`commission.statement`): lines,
    /// totals, carry-forward and explanation, for the plan period containing
    /// `as_of` unless the facts name a `period`.
    ///
    /// `facts_json` is a JSON object with the rest of the operation's
    /// request: `transactions`, and optionally `partners`, `tier_history`,
    /// `prior_lines`, `carry_forward`, `quotas`, `fx_rates`, `period`,
    /// `detail` and `plan`. Problems are reported with those fields' paths
    /// (`$.transactions[3].amount`).
    ///
    /// # Errors
    ///
    /// `invalid` with every problem; `commission_no_plan` at `$.partner_id`
    /// when the partner gets no statement; `invalid_value` when the facts set
    /// `partner_id`, `as_of` or `program`.
    pub fn commission_statement(
        &self,
        partner_id: String,
        as_of: DateString,
        facts_json: String,
    ) -> Result<CommissionStatement, PrmError> {
        self.run("commission.statement", || {
            Request::default()
                .with("partner_id", Value::String(partner_id))
                .with("as_of", date(&as_of))
                .merge(&facts_json)
        })
    }

    /// MDF balances as of a date (`mdf.balance`): every period's totals and
    /// every account's balance, optionally only one fund, period or partner.
    ///
    /// `events_json` is the JSON array of the ledger's events, in order.
    ///
    /// # Errors
    ///
    /// `invalid` with every problem under `$.events` (events that do not
    /// replay) or `$.program`.
    #[uniffi::method(default(fund = None, period = None, partner_id = None))]
    pub fn mdf_balance(
        &self,
        events_json: String,
        as_of: DateString,
        fund: Option<String>,
        period: Option<String>,
        partner_id: Option<String>,
    ) -> Result<MdfBalance, PrmError> {
        self.run("mdf.balance", || {
            Request::default()
                .with("as_of", date(&as_of))
                .maybe("fund", fund.map(Value::String))
                .maybe("period", period.map(Value::String))
                .maybe("partner_id", partner_id.map(Value::String))
                .json("events", &events_json)
        })
    }

    /// Applies one MDF ledger command (`mdf.apply` with `command`): the new
    /// events to append, the decision and the balances touched.
    ///
    /// `events_json` is the JSON array of the ledger's events so far;
    /// `command_json` the command (`{"kind": "submit_request", ...}`).
    ///
    /// # Errors
    ///
    /// A refused command is an error: `invalid`, `conflict` or `not_found`
    /// with its problems under `$.command`.
    pub fn mdf_apply(
        &self,
        events_json: String,
        command_json: String,
    ) -> Result<MdfApplyResult, PrmError> {
        self.run("mdf.apply", || {
            Request::default()
                .json("events", &events_json)?
                .json("command", &command_json)
        })
    }

    /// Applies MDF ledger commands in order (`mdf.apply` with `commands`).
    ///
    /// Each command is applied or refused on its own, and a refusal is a
    /// decision with its error; with `all_or_nothing`, one refusal fails the
    /// call and nothing is applied.
    ///
    /// # Errors
    ///
    /// `invalid` for malformed commands or events; with `all_or_nothing`,
    /// the first refusal with its problems under `$.commands[i]`.
    #[uniffi::method(default(all_or_nothing = false))]
    pub fn mdf_apply_all(
        &self,
        events_json: String,
        commands_json: String,
        all_or_nothing: bool,
    ) -> Result<MdfApplyResult, PrmError> {
        self.run("mdf.apply", || {
            Request::default()
                .with("all_or_nothing", Value::Bool(all_or_nothing))
                .json("events", &events_json)?
                .json("commands", &commands_json)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{
        CertificationStatus, DealCheckOutcome, LineKind, MdfDecisionStatus, RoutingOutcome,
        StepOutcome, TierDecisionKind,
    };
    use serde::Serialize;
    use std::path::Path;
    use std::sync::Arc;

    /// The corpus every language runs.
    fn corpus() -> Vec<(String, Value)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/conformance");
        let mut cases = Vec::new();
        for dir in std::fs::read_dir(root).unwrap() {
            let dir = dir.unwrap().path();
            if !dir.is_dir() {
                continue;
            }
            for file in std::fs::read_dir(&dir).unwrap() {
                let file = file.unwrap().path();
                if file.extension().is_some_and(|e| e == "json") {
                    let case: Value =
                        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
                    cases.push((file.display().to_string(), case));
                }
            }
        }
        cases.sort_by(|a, b| a.0.cmp(&b.0));
        cases
    }

    fn text(input: &Value, key: &str) -> Option<String> {
        input.get(key).map(Value::to_string)
    }

    fn day(input: &Value, key: &str) -> Option<DateString> {
        input.get(key)?.as_str().map(|s| DateString(s.to_owned()))
    }

    fn string(input: &Value, key: &str) -> Option<Option<String>> {
        match input.get(key) {
            None => Some(None),
            Some(Value::String(s)) => Some(Some(s.clone())),
            Some(_) => None,
        }
    }

    fn record<T: Serialize>(result: Result<T, PrmError>) -> Result<Value, PrmError> {
        result.map(|r| serde_json::to_value(r).unwrap())
    }

    /// The typed method for a corpus case, when the case's request has the
    /// method's shape: its answer as JSON (through the record) or its error.
    fn typed(op: &str, input: &Value) -> Option<Result<Value, PrmError>> {
        let fields = input.as_object()?;
        let program = Program::from_json(fields.get("program")?.to_string()).ok()?;
        let only = |allowed: &[&str]| fields.keys().all(|k| allowed.contains(&k.as_str()));
        Some(match op {
            "tiers.evaluate" if only(&["program", "as_of", "partner"]) => {
                record(program.evaluate_tier(text(input, "partner")?, day(input, "as_of")?))
            }
            "certifications.status" if only(&["program", "as_of", "awards", "strict"]) => {
                record(program.certification_status(
                    text(input, "awards")?,
                    day(input, "as_of")?,
                    match input.get("strict") {
                        None => false,
                        Some(v) => v.as_bool()?,
                    },
                ))
            }
            "certifications.reminders"
                if only(&["program", "since", "as_of", "awards", "schedule", "people"]) =>
            {
                let schedule = match input.get("schedule") {
                    None => None,
                    Some(v) => Some(serde_json::from_value(v.clone()).ok()?),
                };
                record(program.certification_reminders(
                    text(input, "awards")?,
                    day(input, "since")?,
                    day(input, "as_of")?,
                    schedule,
                    text(input, "people"),
                ))
            }
            "routing.route" if only(&["program", "partners", "lead", "state"]) => {
                record(program.route_lead(
                    text(input, "partners")?,
                    text(input, "lead")?,
                    text(input, "state"),
                ))
            }
            "deal_registration.check"
                if only(&[
                    "program",
                    "registration",
                    "existing",
                    "as_of",
                    "partner_tier",
                ]) =>
            {
                record(program.check_deal_registration(
                    text(input, "registration")?,
                    day(input, "as_of")?,
                    text(input, "existing"),
                    string(input, "partner_tier")?,
                ))
            }
            "commission.statement" => {
                let mut facts = fields.clone();
                facts.remove("program");
                let partner_id = string(input, "partner_id")??;
                facts.remove("partner_id");
                let as_of = day(input, "as_of")?;
                facts.remove("as_of");
                record(program.commission_statement(
                    partner_id,
                    as_of,
                    Value::Object(facts).to_string(),
                ))
            }
            "mdf.balance"
                if only(&["program", "events", "as_of", "fund", "period", "partner_id"]) =>
            {
                record(program.mdf_balance(
                    text(input, "events")?,
                    day(input, "as_of")?,
                    string(input, "fund")?,
                    string(input, "period")?,
                    string(input, "partner_id")?,
                ))
            }
            "mdf.apply" if only(&["program", "events", "command"]) => record(program.mdf_apply(
                text(input, "events").unwrap_or_else(|| "[]".into()),
                text(input, "command")?,
            )),
            "mdf.apply" if only(&["program", "events", "commands", "all_or_nothing"]) => {
                record(program.mdf_apply_all(
                    text(input, "events").unwrap_or_else(|| "[]".into()),
                    text(input, "commands")?,
                    match input.get("all_or_nothing") {
                        None => false,
                        Some(v) => v.as_bool()?,
                    },
                ))
            }
            _ => return None,
        })
    }

    /// The core's answer for the same request, as the typed method's record holds it.
    fn core(op: &str, input: &Value) -> Result<Value, PrmError> {
        let mut input = input.clone();
        if op == "mdf.apply" && input.get("events").is_none() {
            input["events"] = json!([]);
        }
        let answer = prm_core::api::call_value(op, &input).map_err(PrmError::from)?;
        Ok(match op {
            "tiers.evaluate" => answer["decision"].clone(),
            _ => answer,
        })
    }

    /// Every corpus case of the eight operations that a typed method can
    /// express: the record, serialized back, equals the facade's JSON answer
    /// field by field, and errors are the facade's errors.
    #[test]
    fn typed_answers_equal_the_facade_on_the_whole_corpus() {
        let mut checked = std::collections::BTreeMap::<String, (usize, usize)>::new();
        for (file, case) in corpus() {
            let Some(op) = case.get("op").and_then(Value::as_str) else {
                continue;
            };
            let input = &case["input"];
            let Some(typed) = typed(op, input) else {
                continue;
            };
            let expected = core(op, input);
            let count = checked.entry(op.to_owned()).or_default();
            match (&typed, &expected) {
                (Ok(_), Ok(_)) => count.0 += 1,
                _ => count.1 += 1,
            }
            assert_eq!(typed, expected, "{file}");
        }
        let ops = [
            "certifications.reminders",
            "certifications.status",
            "commission.statement",
            "deal_registration.check",
            "mdf.apply",
            "mdf.balance",
            "routing.route",
            "tiers.evaluate",
        ];
        for op in ops {
            let (ok, err) = checked.get(op).copied().unwrap_or_default();
            assert!(ok >= 3, "{op}: only {ok} answers and {err} errors compared");
        }
        eprintln!("compared: {checked:?}");
    }

    fn program(json: Value) -> Arc<Program> {
        Program::from_json(json.to_string()).unwrap()
    }

    fn case(path: &str) -> Value {
        let file = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/conformance")
            .join(path);
        let case: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        case["input"].clone()
    }

    fn dec(s: &str) -> crate::DecimalString {
        crate::DecimalString(s.to_owned())
    }

    fn d(s: &str) -> DateString {
        DateString(s.to_owned())
    }

    #[test]
    fn evaluate_tier_reads_the_decision_and_the_gap() {
        let input = case("tiers/any_of_and_at_most_in_words.json");
        let p = program(input["program"].clone());
        let decision = p
            .evaluate_tier(input["partner"].to_string(), d("2026-03-31"))
            .unwrap();
        assert_eq!(decision.kind, TierDecisionKind::Upgraded);
        assert_eq!(decision.tier.as_deref(), Some("registered"));
        assert_eq!(decision.assignment.since, d("2026-03-31"));
        let gap = decision.next_tier.unwrap();
        assert_eq!((gap.tier.as_str(), gap.progress), ("silver", dec("0.621")));
        assert_eq!(gap.shortfalls[1].shortfall, dec("6"));
        assert_eq!(decision.tiers.len(), 2);
        let requirements: Value = serde_json::from_str(&decision.tiers[1].requirements.0).unwrap();
        assert_eq!(requirements[1]["at_most"], "24");
        let silver = &decision.explanation[0];
        assert_eq!(
            (silver.rule.as_str(), silver.outcome),
            ("tier.silver", StepOutcome::Failed)
        );
        assert_eq!(silver.children[0].children.len(), 2);
        assert_eq!(silver.values["rank"], "1");
    }

    #[test]
    fn evaluate_tier_reports_problems_under_the_partner() {
        let input = case("tiers/any_of_and_at_most_in_words.json");
        let p = program(input["program"].clone());
        let error = p
            .evaluate_tier(
                r#"{"partner_id": "P1", "metrics": 3}"#.into(),
                d("2026-03-31"),
            )
            .unwrap_err();
        assert_eq!(error.code(), "invalid");
        assert!(
            error.problems()[0].path.starts_with("$.partner."),
            "{error:?}"
        );
        let error = p.evaluate_tier("{".into(), d("2026-03-31")).unwrap_err();
        assert_eq!(error.problems()[0].code, "malformed_json");
        assert_eq!(error.problems()[0].path, "$.partner");
        let error = p
            .evaluate_tier(input["partner"].to_string(), d("2026-02-30"))
            .unwrap_err();
        assert_eq!(error.problems()[0].path, "$.as_of");
    }

    #[test]
    fn certification_status_and_reminders_are_typed() {
        let input = case("certifications/expiring_inside_the_warning_horizon.json");
        let p = program(input["program"].clone());
        let report = p
            .certification_status(input["awards"].to_string(), d("2025-10-12"), false)
            .unwrap();
        assert_eq!(report.awards[0].status, CertificationStatus::Expiring);
        assert_eq!(report.awards[0].expires_on, Some(d("2026-01-10")));
        assert!(report.awards[0].counts);
        assert_eq!(report.by_status["expiring"], 1);

        let input = case("certifications/reminders_after_downtime_are_not_lost.json");
        let p = program(input["program"].clone());
        let due = p
            .certification_reminders(
                input["awards"].to_string(),
                d("2025-11-01"),
                d("2025-12-31"),
                Some(vec![90, 60, 30, 7]),
                None,
            )
            .unwrap();
        let days: Vec<_> = due.reminders.iter().map(|r| r.days_before).collect();
        assert_eq!(days, [60, 30]);
        assert_eq!(due.reminders[0].due_on, d("2025-11-11"));
    }

    #[test]
    fn route_lead_threads_the_state() {
        let input = case("routing/all_partners_at_capacity.json");
        let p = program(input["program"].clone());
        let routed = p
            .route_lead(
                input["partners"].to_string(),
                input["lead"].to_string(),
                None,
            )
            .unwrap();
        assert_eq!(routed.decision.outcome, RoutingOutcome::Unassigned);
        assert_eq!(routed.decision.excluded["at_capacity"].count, 2);
        assert_eq!(routed.decision.rules[0].excluded["at_capacity"], 2);
        let again = p
            .route_lead(
                input["partners"].to_string(),
                input["lead"].to_string(),
                Some(routed.state.0.clone()),
            )
            .unwrap();
        assert_eq!(again.decision.outcome, RoutingOutcome::Unassigned);
    }

    #[test]
    fn deal_registration_check_lists_conflicts() {
        let input = case("deal_registration/accents_and_german_suffixes.json");
        let p = program(input["program"].clone());
        let decision = p
            .check_deal_registration(
                input["registration"].to_string(),
                d(input["as_of"].as_str().unwrap()),
                Some(input["existing"].to_string()),
                None,
            )
            .unwrap();
        assert_eq!(decision.outcome, DealCheckOutcome::Conflict);
        assert_eq!(decision.conflicts[0].registration_id, "A-7");
        assert_eq!(decision.conflicts[0].similarity, dec("1"));
        assert_eq!(decision.normalized.name.as_deref(), Some("muller sohne"));
    }

    #[test]
    fn commission_statement_takes_the_facts_as_one_object() {
        let input = case("commission/accelerator_on_everything_missed.json");
        let p = program(input["program"].clone());
        let facts = json!({"transactions": input["transactions"]}).to_string();
        let statement = p
            .commission_statement("P1".into(), d("2026-03-31"), facts.clone())
            .unwrap();
        assert_eq!(statement.totals.net, dec("900.00"));
        assert_eq!(statement.lines[0].kind, LineKind::Sale);
        assert_eq!(statement.lines[0].components[0].detail, "10% of 6000.00");
        assert_eq!(statement.carry_forward.fiscal_year, 2026);
        let error = p
            .commission_statement(
                "P1".into(),
                d("2026-03-31"),
                json!({"transactions": [], "as_of": "2026-01-01"}).to_string(),
            )
            .unwrap_err();
        assert_eq!(error.problems()[0].path, "$.as_of");
        assert_eq!(error.problems()[0].code, "invalid_value");
        let error = p
            .commission_statement("P1".into(), d("2026-03-31"), "[]".into())
            .unwrap_err();
        assert_eq!(error.problems()[0].code, "wrong_type");
    }

    #[test]
    fn mdf_balance_and_apply_are_typed() {
        let input =
            case("mdf/balance_as_of_a_date_after_the_claim_deadline_includes_the_due_release.json");
        let p = program(input["program"].clone());
        let balance = p
            .mdf_balance(
                input["events"].to_string(),
                d("2024-05-01"),
                None,
                None,
                None,
            )
            .unwrap();
        assert_eq!(balance.accounts[0].figures.available, dec("1400.00"));
        assert_eq!(balance.periods[0].pool_left, dec("8000.00"));
        assert_eq!(balance.due_events[0].seq, 7);
        let change: Value = serde_json::from_str(&balance.due_events[0].change.0).unwrap();
        assert_eq!(change["kind"], "released");

        let input = case("mdf/commands_apply_one_by_one_unless_all_or_nothing.json");
        let p = program(input["program"].clone());
        let result = p
            .mdf_apply_all(
                input["events"].to_string(),
                input["commands"].to_string(),
                false,
            )
            .unwrap();
        assert_eq!((result.applied, result.refused, result.last_seq), (2, 1, 2));
        assert_eq!(result.decisions[0].status, MdfDecisionStatus::Applied);
        assert_eq!(result.decisions[0].events, Some(vec![1]));
        let refusal = result.decisions[1].error.as_ref().unwrap();
        assert_eq!(refusal.problems[0].code, "mdf_vendor_share_exceeded");
        assert_eq!(refusal.problems[0].path, "$.commands[1].requested");
        assert_eq!(result.decisions[2].command, "submit_request");
        let error = p
            .mdf_apply_all(
                input["events"].to_string(),
                input["commands"].to_string(),
                true,
            )
            .unwrap_err();
        assert_eq!(error.problems()[0].code, "mdf_vendor_share_exceeded");
        let error = p
            .mdf_apply(
                input["events"].to_string(),
                input["commands"][1].to_string(),
            )
            .unwrap_err();
        assert!(
            error.problems()[0].path.starts_with("$.command"),
            "{error:?}"
        );
    }
}
