//! The operation facade: every operation by a stable name, over JSON.
//!
//! Each operation exists in three forms, as in cedar's FFI:
//!
//! * typed, in its engine's module (`Program::from_json`, ...);
//! * JSON value: [`call_value`]`("program.validate", value)` returns `Result<Value, Error>`;
//! * JSON text: [`call`]`("program.validate", text)` returns a tagged answer,
//!   `{"ok": ...}` or `{"error": {"code", "message", "problems"}}`, and never panics.
//!
//! The bindings (Python, Node, Kotlin, Swift, C) call [`call`] or
//! [`call_value`], so an operation added here is reachable in every language
//! at once, with the same name and the same JSON.
//!
//! ```
//! let answer = prm_core::api::call("version", "{}");
//! assert!(answer.starts_with(r#"{"ok":{"version":"#));
//! let answer = prm_core::api::call("no.such.op", "{}");
//! assert!(answer.contains(r#""code":"unknown_operation""#));
//! ```

mod agreement;
mod certification;
mod commission;
mod deal_registration;
mod mdf;
mod onboarding;
mod program;
mod routing;
mod scorecard;
mod tier;
mod vocabulary;

use crate::error::{Error, ErrorCode, JsonPath, Problem};
use serde::Serialize;
use serde_json::Value;

/// One operation of the facade.
struct Operation {
    name: &'static str,
    summary: &'static str,
    run: fn(&Value) -> Result<Value, Error>,
    request: fn() -> schemars::Schema,
    response: fn() -> schemars::Schema,
}

fn schema<T: schemars::JsonSchema>() -> schemars::Schema {
    schemars::schema_for!(T)
}

/// The answer schema of an operation whose answer has no typed schema yet: any JSON value.
/// Bindings then pass its decimals and dates through as strings.
fn untyped() -> schemars::Schema {
    schemars::schema_for!(Value)
}

const OPERATIONS: &[Operation] = &[
    Operation {
        name: "describe",
        summary: "an operation's summary and the JSON Schemas of its request and answer",
        run: program::describe,
        request: schema::<program::DescribeRequest>,
        response: schema::<program::Description>,
    },
    Operation {
        name: "version",
        summary: "prm's version and the schema version it reads",
        run: program::version,
        request: schema::<program::VersionRequest>,
        response: schema::<program::VersionAnswer>,
    },
    Operation {
        name: "program.validate",
        summary: "validate a program document and summarise it",
        run: program::validate,
        request: schema::<program::ValidateRequest>,
        response: schema::<program::ProgramSummary>,
    },
    Operation {
        name: "money.round",
        summary: "round an amount to its currency's minor units with a rounding mode",
        run: vocabulary::round,
        request: schema::<vocabulary::RoundRequest>,
        response: schema::<crate::Money>,
    },
    Operation {
        name: "money.allocate",
        summary: "split a total by weights with largest-remainder rounding",
        run: vocabulary::allocate_op,
        request: schema::<vocabulary::AllocateRequest>,
        response: schema::<vocabulary::Allocation>,
    },
    Operation {
        name: "rate.normalize",
        summary: "read a rate (\"0.07\" or \"7%\") as a decimal fraction",
        run: vocabulary::rate,
        request: schema::<vocabulary::RateRequest>,
        response: schema::<vocabulary::RateAnswer>,
    },
    Operation {
        name: "calendar.add_months",
        summary: "add months to a date, clamping to the month's last day",
        run: vocabulary::add_months_op,
        request: schema::<vocabulary::AddMonthsRequest>,
        response: schema::<vocabulary::DateAnswer>,
    },
    Operation {
        name: "calendar.trailing_window",
        summary: "the trailing window of N months as of a date",
        run: vocabulary::trailing_window,
        request: schema::<vocabulary::WindowRequest>,
        response: schema::<vocabulary::Window>,
    },
    Operation {
        name: "calendar.fiscal_quarter",
        summary: "the fiscal year and quarter of a date",
        run: vocabulary::fiscal_quarter,
        request: schema::<vocabulary::FiscalRequest>,
        response: schema::<vocabulary::FiscalPosition>,
    },
    Operation {
        name: "certifications.status",
        summary: "each award's status on a day, with the dates that explain it",
        run: certification::status,
        request: schema::<certification::StatusRequest>,
        response: untyped,
    },
    Operation {
        name: "certifications.reminders",
        summary: "renewal reminders due in (since, as_of], each exactly once",
        run: certification::reminders,
        request: schema::<certification::RemindersRequest>,
        response: untyped,
    },
    Operation {
        name: "certifications.compliance",
        summary: "a partner's people against certification requirements: who counts, who is missing what",
        run: certification::compliance,
        request: schema::<certification::ComplianceRequest>,
        response: untyped,
    },
    Operation {
        name: "tiers.evaluate",
        summary: "qualify one partner or a batch for a tier and decide the tier lifecycle step",
        run: tier::evaluate,
        request: schema::<tier::EvaluateRequest>,
        response: untyped,
    },
    Operation {
        name: "routing.route",
        summary: "route one lead to a partner by the program's rules; returns the decision and the new state",
        run: routing::route,
        request: schema::<routing::RouteRequest>,
        response: untyped,
    },
    Operation {
        name: "routing.route_batch",
        summary: "route leads in order, threading the state; equal to routing them one by one",
        run: routing::route_batch,
        request: schema::<routing::RouteBatchRequest>,
        response: untyped,
    },
    Operation {
        name: "routing.next_action",
        summary: "the acceptance SLA: wait, reroute, escalate or done for a lead's offers so far",
        run: routing::next_action,
        request: schema::<routing::NextActionRequest>,
        response: untyped,
    },
    Operation {
        name: "deal_registration.check",
        summary: "approve a deal registration, or report its conflicts or why it is rejected",
        run: deal_registration::check,
        request: schema::<deal_registration::CheckRequest>,
        response: untyped,
    },
    Operation {
        name: "deal_registration.extend",
        summary: "extend an approved registration's protection, within the policy's maximum",
        run: deal_registration::extend,
        request: schema::<deal_registration::ExtendRequest>,
        response: untyped,
    },
    Operation {
        name: "deal_registration.expire",
        summary: "list the registrations whose protection lapsed by a date",
        run: deal_registration::expire,
        request: schema::<deal_registration::ExpireRequest>,
        response: untyped,
    },
    Operation {
        name: "commission.statement",
        summary: "one partner's commission statement for a period: lines, totals, carry-forward, explanation",
        run: commission::statement,
        request: schema::<commission::StatementRequest>,
        response: untyped,
    },
    Operation {
        name: "commission.statements",
        summary: "every partner's commission statement for a period, with grand totals",
        run: commission::statements,
        request: schema::<commission::StatementsRequest>,
        response: untyped,
    },
    Operation {
        name: "commission.compare",
        summary: "run the same transactions under two versions of the commission plans and report the differences",
        run: commission::compare,
        request: schema::<commission::CompareRequest>,
        response: untyped,
    },
    Operation {
        name: "mdf.allocate",
        summary: "share a fund period's pool among partners (a preview of the `allocate` command)",
        run: mdf::allocate,
        request: schema::<mdf::AllocateRequest>,
        response: untyped,
    },
    Operation {
        name: "mdf.apply",
        summary: "check MDF ledger commands against the rules and the events so far; answer with new events",
        run: mdf::apply,
        request: schema::<mdf::ApplyRequest>,
        response: untyped,
    },
    Operation {
        name: "mdf.balance",
        summary: "MDF balances (funds, available, open commitment, paid, ...) as of a date",
        run: mdf::balance,
        request: schema::<mdf::BalanceRequest>,
        response: untyped,
    },
    Operation {
        name: "mdf.report",
        summary: "MDF utilization by tier and activity type, and return on investment, as of a date",
        run: mdf::report,
        request: schema::<mdf::ReportRequest>,
        response: untyped,
    },
    Operation {
        name: "onboarding.screen",
        summary: "screen one application or a batch: knock-outs, score, thresholds, missing documents, rules fired",
        run: onboarding::screen,
        request: schema::<onboarding::ScreenRequest>,
        response: untyped,
    },
    Operation {
        name: "onboarding.checklist",
        summary: "a partner's onboarding checklist on a day: agreements, certified people, documents, done and missing",
        run: onboarding::checklist_op,
        request: schema::<onboarding::ChecklistRequest>,
        response: untyped,
    },
    Operation {
        name: "onboarding.transition",
        summary: "apply a lifecycle event: the new state, or every problem that blocks it",
        run: onboarding::transition_op,
        request: schema::<onboarding::TransitionRequest>,
        response: untyped,
    },
    Operation {
        name: "agreements.status",
        summary: "each agreement's status on a day, with its term, renewal and notice deadline",
        run: agreement::status,
        request: schema::<agreement::StatusRequest>,
        response: untyped,
    },
    Operation {
        name: "agreements.reminders",
        summary: "agreement reminders (notice deadlines, ends) due in (since, as_of], each exactly once",
        run: agreement::reminders,
        request: schema::<agreement::RemindersRequest>,
        response: untyped,
    },
    Operation {
        name: "compliance.check",
        summary: "whether a partner may do an activity (leads, MDF, commission, deals) on a day, or what is missing",
        run: agreement::compliance,
        request: schema::<agreement::ComplianceRequest>,
        response: untyped,
    },
    Operation {
        name: "scorecards.evaluate",
        summary: "partner scorecards: KPIs over the window and the previous one, health, band, trend and signals",
        run: scorecard::evaluate,
        request: schema::<scorecard::EvaluateRequest>,
        response: untyped,
    },
];

/// The names of every operation, sorted.
pub fn operations() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = OPERATIONS.iter().map(|op| op.name).collect();
    names.sort_unstable();
    names
}

/// A one-line description of operation `name`, if it exists.
pub fn describe(name: &str) -> Option<&'static str> {
    OPERATIONS
        .iter()
        .find(|op| op.name == name)
        .map(|op| op.summary)
}

/// The JSON Schema of operation `name`'s request, if the operation exists.
pub fn request_schema(name: &str) -> Option<Value> {
    OPERATIONS
        .iter()
        .find(|op| op.name == name)
        .map(|op| (op.request)().to_value())
}

/// The JSON Schema of operation `name`'s answer (the value under `ok`), if the operation exists.
///
/// Bindings read its `format`s (`decimal`, `rate`, `date`, `date-time`) to turn
/// strings into their language's decimal and date types.
pub fn response_schema(name: &str) -> Option<Value> {
    OPERATIONS
        .iter()
        .find(|op| op.name == name)
        .map(|op| (op.response)().to_value())
}

/// Runs operation `op` on a JSON request value.
///
/// # Errors
///
/// `unknown_operation` for a name [`operations`] does not list;
/// `nesting_too_deep` for a request nested deeper than
/// [`MAX_JSON_DEPTH`](crate::limits::MAX_JSON_DEPTH) (checked without
/// recursing, so a host-built value of any depth is safe); otherwise
/// whatever the operation reports.
pub fn call_value(op: &str, request: &Value) -> Result<Value, Error> {
    crate::limits::check_depth(request)?;
    match OPERATIONS.iter().find(|candidate| candidate.name == op) {
        Some(operation) => (operation.run)(request),
        None => Err(unknown_operation(op, &JsonPath::root())),
    }
}

/// Runs `commission.statements` on a JSON request whose transactions a
/// binding has already read into core types.
///
/// `request` is the operation's request as a JSON value, with its
/// `transactions` usually empty (`[]`); `transactions` follow them, numbered
/// after them, so a problem of the `i`-th is reported at
/// `$.transactions[i]`, as if the request had carried it. The answer is the
/// operation's own. This lets a binding read a table's columns straight into
/// [`Transaction`](crate::commission::Transaction)s (the Python binding does,
/// for Arrow tables) instead of building a JSON object per row; the
/// computation is the operation's, unchanged.
///
/// # Errors
///
/// As `commission.statements`: `nesting_too_deep`, then every problem of the
/// request, the program and the transactions.
///
/// # Example
///
/// ```
/// use prm_core::commission::Transaction;
/// let request = serde_json::json!({
///     "program": {"schema_version": 1, "currency": "EUR",
///                 "commissions": {"plans": [{"id": "std", "rates": [{"kind": "percent", "id": "base", "rate": "10%"}]}]}},
///     "transactions": [],
///     "as_of": "2026-03-31",
/// });
/// let sale = Transaction::sale("T1", "P1", "2026-01-05".parse()?, "1000.00".parse()?);
/// let answer = prm_core::api::commission_statements_with(&request, &[sale])?;
/// assert_eq!(answer["totals"]["net"], "100.00");
/// assert_eq!(answer, prm_core::api::call_value("commission.statements", &serde_json::json!({
///     "program": request["program"], "as_of": "2026-03-31",
///     "transactions": [{"id": "T1", "partner_id": "P1", "date": "2026-01-05", "amount": "1000.00"}],
/// }))?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn commission_statements_with(
    request: &Value,
    transactions: &[crate::commission::Transaction],
) -> Result<Value, Error> {
    crate::limits::check_depth(request)?;
    commission::statements_with(request, transactions)
}

/// The `unknown_operation` error for `op` at `path`, with the closest name as a suggestion.
pub(crate) fn unknown_operation(op: &str, path: &JsonPath) -> Error {
    let mut problem = Problem::new(ErrorCode::UnknownOperation, path)
        .message(format!("unknown operation `{op}`"));
    if let Some(close) = crate::input::did_you_mean(op, OPERATIONS.iter().map(|o| o.name)) {
        problem = problem.help(format!("did you mean `{close}`?"));
    } else {
        problem = problem.help(format!("known operations: {}", operations().join(", ")));
    }
    Error::UnknownOperation(vec![problem])
}

/// Runs operation `op` on a JSON request text and answers with JSON text:
/// `{"ok": <result>}` or `{"error": {"code", "message", "problems"}}`.
///
/// This never panics: a bug inside prm is caught and answered as an
/// `internal` error. Text longer than
/// [`MAX_DOCUMENT_BYTES`](crate::limits::MAX_DOCUMENT_BYTES) is refused with
/// `document_too_large` before it is parsed.
pub fn call(op: &str, request: &str) -> String {
    let answer = std::panic::catch_unwind(|| {
        crate::limits::check_size(request)?;
        crate::program::parse_json(request).and_then(|value| call_value(op, &value))
    })
    .unwrap_or_else(|_| {
        Err(Error::Internal(vec![
            Problem::new(ErrorCode::Internal, JsonPath::root()).message(format!(
                "operation `{op}` panicked; this is a bug in prm, please report it"
            )),
        ]))
    });
    answer_text(answer)
}

/// The tagged answer for a result: `{"ok": ...}` or `{"error": ...}`.
pub fn answer(result: Result<Value, Error>) -> Value {
    match result {
        Ok(value) => serde_json::json!({ "ok": value }),
        Err(error) => serde_json::json!({ "error": error.to_json() }),
    }
}

fn answer_text(result: Result<Value, Error>) -> String {
    let value = answer(result);
    serde_json::to_string(&value).unwrap_or_else(|_| {
        r#"{"error":{"code":"internal","message":"answer could not be written","problems":[]}}"#
            .to_owned()
    })
}

/// Serializes an operation's result.
pub(crate) fn to_value<T: Serialize>(value: &T) -> Result<Value, Error> {
    serde_json::to_value(value).map_err(|e| {
        Error::Internal(vec![
            Problem::new(ErrorCode::Internal, JsonPath::root())
                .message(format!("result could not be serialized: {e}")),
        ])
    })
}

/// Reads a request's fields as a `T`.
pub(crate) fn request<T: serde::de::DeserializeOwned + schemars::JsonSchema>(
    value: &Value,
) -> Result<T, Error> {
    crate::input::read(value)
}

/// Reads the program document at `$.program` of a request.
pub(crate) fn program_at(value: &Value) -> Result<crate::Program, Error> {
    let path = JsonPath::root().key("program");
    match value.get("program") {
        Some(doc) => crate::Program::from_value(doc).map_err(|e| e.under(&path)),
        None => Err(Error::problem(
            Problem::new(ErrorCode::MissingField, path).message("missing required field `program`"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_operation_suggests_a_name() {
        let answer: Value =
            serde_json::from_str(&call("program.validat", "{}")).unwrap_or_default();
        assert_eq!(answer["error"]["code"], "unknown_operation");
        assert_eq!(
            answer["error"]["problems"][0]["help"],
            "did you mean `program.validate`?"
        );
    }

    #[test]
    fn malformed_json_is_an_error_not_a_panic() {
        let answer: Value = serde_json::from_str(&call("version", "{\"a\":")).unwrap_or_default();
        assert_eq!(answer["error"]["problems"][0]["code"], "malformed_json");
    }
}
