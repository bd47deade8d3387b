//! `mdf.allocate`, `mdf.apply`, `mdf.balance` and `mdf.report`.
//!
//! The typed entry points live in [`crate::mdf`]; these functions only read
//! the request, call them and write the answer.

use super::ErrorDocument;
use super::ProgramSource;
use crate::calendar::Date;
use crate::error::{Error, ErrorCode, JsonPath, Problem};
use crate::explain::Explanation;
use crate::mdf::{
    self, AccountBalance, AllocationFacts, Attribution, BalanceFilter, Command, Event, Ledger,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The `mdf.allocate` request.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct AllocateRequest {
    /// The program document.
    #[schemars(with = "crate::Program")]
    #[expect(
        dead_code,
        reason = "read by `program_at` with its own paths; declared for the schema"
    )]
    program: Value,
    /// The fund program.
    fund: String,
    /// The period.
    period: String,
    /// The partners and their facts.
    partners: Vec<AllocationFacts>,
    /// The ledger so far: the preview shares what is left of the pool.
    #[serde(default)]
    events: Vec<Event>,
}

/// `mdf.allocate`: how a period's pool (what is left of it) is shared among partners.
pub(super) fn allocate(value: &Value, source: ProgramSource<'_>) -> Result<Value, Error> {
    let request: AllocateRequest = super::request(value)?;
    let program = source.program(value)?;
    let ledger = Ledger::replay(&program, &request.events).map_err(at_program)?;
    let allocation =
        ledger.preview_allocation(&request.fund, &request.period, &request.partners)?;
    super::to_value(&allocation)
}

/// The `mdf.apply` request: one `command` or a list of `commands`, and the events so far.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ApplyRequest {
    /// The program document.
    #[schemars(with = "crate::Program")]
    #[expect(
        dead_code,
        reason = "read by `program_at` with its own paths; declared for the schema"
    )]
    program: Value,
    /// The ledger's events so far, in order.
    #[serde(default)]
    events: Vec<Event>,
    /// One command; a refusal is an error answer.
    #[serde(default)]
    command: Option<Command>,
    /// Several commands, applied in order; each is applied or refused on its own.
    #[serde(default)]
    commands: Option<Vec<Command>>,
    /// With `commands`: refuse them all (an error answer) when one is refused.
    #[serde(default)]
    all_or_nothing: bool,
}

/// `mdf.apply`: checks commands against the ledger and answers with the new events.
pub(super) fn apply(value: &Value, source: ProgramSource<'_>) -> Result<Value, Error> {
    let request: ApplyRequest = super::request(value)?;
    let program = source.program(value)?;
    let mut ledger = Ledger::replay(&program, &request.events).map_err(at_program)?;
    let root = JsonPath::root();
    let mut decisions = Vec::new();
    let mut events: Vec<Event> = Vec::new();
    match (&request.command, &request.commands) {
        (Some(command), None) => {
            let decision = ledger
                .apply(command)
                .map_err(|e| e.under(&root.key("command")))?;
            events.extend(decision.events.iter().cloned());
            decisions.push(decision_json(0, Ok(&decision)));
        }
        (None, Some(commands)) if request.all_or_nothing => {
            let applied = ledger
                .apply_all(commands)
                .map_err(|e| e.under(&root.key("commands")))?;
            for (i, decision) in applied.iter().enumerate() {
                events.extend(decision.events.iter().cloned());
                decisions.push(decision_json(i, Ok(decision)));
            }
        }
        (None, Some(commands)) => {
            for (i, command) in commands.iter().enumerate() {
                match ledger.apply(command) {
                    Ok(decision) => {
                        events.extend(decision.events.iter().cloned());
                        decisions.push(decision_json(i, Ok(&decision)));
                    }
                    Err(error) => {
                        let error = error.under(&root.key("commands").index(i));
                        decisions.push(with_kind(decision_json(i, Err(&error)), command));
                    }
                }
            }
        }
        (Some(_), Some(_)) => {
            return Err(Error::problem(
                Problem::new(ErrorCode::InvalidValue, root.key("commands"))
                    .message("give either `command` or `commands`, not both"),
            ));
        }
        (None, None) => {
            return Err(Error::problem(
                Problem::new(ErrorCode::MissingField, root.key("command"))
                    .message("missing `command` (or a list of `commands`)"),
            ));
        }
    }
    let refused = decisions
        .iter()
        .filter(|d| d.status == CommandStatus::Refused)
        .count();
    let balances = ledger.balances_touched(&events)?;
    super::to_value(&ApplyAnswer {
        events,
        applied: decisions.len() - refused,
        decisions,
        refused,
        last_seq: ledger.last_seq(),
        balances,
    })
}

/// The `mdf.apply` answer: the new events, what became of each command, and
/// the balances they touched.
#[derive(Serialize, JsonSchema)]
pub(super) struct ApplyAnswer {
    /// The new events, to append to the ledger in this order.
    events: Vec<Event>,
    /// One entry per command, in request order.
    decisions: Vec<CommandDecision>,
    /// Commands applied.
    applied: usize,
    /// Commands refused.
    refused: usize,
    /// The sequence number of the ledger's last event.
    last_seq: u64,
    /// The balances of every account the new events touched.
    balances: Vec<AccountBalance>,
}

/// Whether a command was applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(super) enum CommandStatus {
    /// The command passed the rules; its events are in the answer.
    Applied,
    /// The command broke a rule; `error` says which.
    Refused,
}

/// What became of one command of `mdf.apply`.
#[derive(Serialize, JsonSchema)]
pub(super) struct CommandDecision {
    /// The command's position in the request (0 for a single `command`).
    index: usize,
    /// The command's kind (`submit_request`, `approve_request`, ...); for a
    /// refused command, written after `error`.
    #[serde(skip_serializing_if = "Option::is_none")]
    command: Option<&'static str>,
    /// Applied or refused.
    status: CommandStatus,
    /// The sequence numbers of the events the command added.
    #[serde(skip_serializing_if = "Option::is_none")]
    events: Option<Vec<u64>>,
    /// Why the command was applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    explanation: Option<Explanation>,
    /// Why the command was refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<ErrorDocument>,
    /// The refused command's kind.
    #[serde(rename = "command", skip_serializing_if = "Option::is_none")]
    refused_command: Option<&'static str>,
}

fn decision_json(index: usize, result: Result<&mdf::Decision, &Error>) -> CommandDecision {
    match result {
        Ok(decision) => CommandDecision {
            index,
            command: Some(decision.command),
            status: CommandStatus::Applied,
            events: Some(decision.events.iter().map(|e| e.seq).collect()),
            explanation: Some(decision.explanation.clone()),
            error: None,
            refused_command: None,
        },
        Err(error) => CommandDecision {
            index,
            command: None,
            status: CommandStatus::Refused,
            events: None,
            explanation: None,
            error: Some(ErrorDocument::of(error)),
            refused_command: None,
        },
    }
}

fn with_kind(mut decision: CommandDecision, command: &Command) -> CommandDecision {
    decision.refused_command = Some(command.kind());
    decision
}

/// Errors from replaying the events already carry `$.events[i]` paths; errors
/// about the program's `mdf` section move under `$.program`.
fn at_program(error: Error) -> Error {
    let moved = error.problems().iter().any(|p| p.path() == "$.mdf");
    if moved {
        error.under(&JsonPath::root().key("program"))
    } else {
        error
    }
}

/// The `mdf.balance` request.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct BalanceRequest {
    /// The program document.
    #[schemars(with = "crate::Program")]
    #[expect(
        dead_code,
        reason = "read by `program_at` with its own paths; declared for the schema"
    )]
    program: Value,
    /// The ledger's events, in order.
    #[serde(default)]
    events: Vec<Event>,
    /// The date asked about; later events are ignored.
    as_of: Date,
    /// Only this fund program.
    #[serde(default)]
    fund: Option<String>,
    /// Only this period (needs `fund`).
    #[serde(default)]
    period: Option<String>,
    /// Only this partner's accounts.
    #[serde(default)]
    partner_id: Option<String>,
}

/// `mdf.balance`: every account's and period's balance as of a date.
pub(super) fn balance(value: &Value, source: ProgramSource<'_>) -> Result<Value, Error> {
    let request: BalanceRequest = super::request(value)?;
    let program = source.program(value)?;
    let filter = BalanceFilter {
        fund: request.fund,
        period: request.period,
        partner_id: request.partner_id,
    };
    let balance =
        mdf::balance(&program, &request.events, request.as_of, &filter).map_err(at_program)?;
    super::to_value(&balance)
}

/// The `mdf.report` request.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ReportRequest {
    /// The program document.
    #[schemars(with = "crate::Program")]
    #[expect(
        dead_code,
        reason = "read by `program_at` with its own paths; declared for the schema"
    )]
    program: Value,
    /// The ledger's events, in order.
    #[serde(default)]
    events: Vec<Event>,
    /// The date asked about; later events are ignored.
    as_of: Date,
    /// The fund program.
    fund: String,
    /// Only this period; every period of the fund when absent.
    #[serde(default)]
    period: Option<String>,
    /// Revenue the host attributes to requests, for return on investment.
    #[serde(default)]
    attributed_revenue: Vec<Attribution>,
}

/// `mdf.report`: utilization by tier and activity type, and return on investment.
pub(super) fn report(value: &Value, source: ProgramSource<'_>) -> Result<Value, Error> {
    let request: ReportRequest = super::request(value)?;
    let program = source.program(value)?;
    let scope = mdf::ReportScope {
        fund: request.fund,
        period: request.period,
        attributed_revenue: request.attributed_revenue,
    };
    let report =
        mdf::report(&program, &request.events, request.as_of, &scope).map_err(at_program)?;
    super::to_value(&report)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    fn program() -> Value {
        json!({
            "schema_version": 1, "currency": "EUR",
            "mdf": {"funds": [{
                "id": "coop", "allocation": {"kind": "accrual", "rate": "2%"}, "claim_window_days": 60,
                "periods": [{"id": "2024-Q1", "start": "2024-01-01", "end": "2024-04-01", "pool": "10000.00"}],
                "activity_types": [{"id": "trade_show", "vendor_share": "50%", "required_proof": ["invoice"]}],
                "lead_time": {"days": 14}
            }]}
        })
    }

    #[test]
    fn apply_answers_with_events_decisions_and_balances() {
        let request = json!({
            "program": program(),
            "commands": [
                {"kind": "allocate", "on": "2024-01-02", "fund": "coop", "period": "2024-Q1",
                 "partners": [{"partner_id": "P1", "previous_revenue": "100000.00"}]},
                {"kind": "submit_request", "on": "2024-01-05", "request_id": "R1", "fund": "coop",
                 "partner_id": "P1", "activity_type": "trade_show", "start": "2024-02-28",
                 "end": "2024-03-01", "planned_cost": "1800.00", "requested": "900.00"},
                {"kind": "approve_request", "on": "2024-01-08", "request_id": "R1", "amount": "950.00"}
            ]
        });
        let answer: Value =
            serde_json::from_str(&crate::api::call("mdf.apply", &request.to_string())).unwrap();
        insta::assert_json_snapshot!(answer);
    }
}
