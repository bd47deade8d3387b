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
    run: Run,
    request: fn() -> schemars::Schema,
    response: fn() -> schemars::Schema,
}

/// How an operation runs: on its request alone, or on its request and a program.
#[derive(Clone, Copy)]
enum Run {
    /// The request is all the operation reads.
    Plain(fn(&Value) -> Result<Value, Error>),
    /// The operation also reads a program: the request's `program`, or one the caller parsed.
    WithProgram(fn(&Value, ProgramSource<'_>) -> Result<Value, Error>),
}

/// Where an operation that reads a program finds it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ProgramSource<'a> {
    /// In the request's `program`, parsed and validated on each call.
    Request,
    /// Already parsed and validated by the caller ([`call_with_program`]).
    Given(&'a crate::Program),
}

impl<'a> ProgramSource<'a> {
    /// The program: read from `$.program` of `request`, or the one given.
    pub(crate) fn program(self, request: &Value) -> Result<ProgramRef<'a>, Error> {
        match self {
            ProgramSource::Request => program_at(request).map(|p| ProgramRef::Read(Box::new(p))),
            ProgramSource::Given(program) => Ok(ProgramRef::Given(program)),
        }
    }
}

/// A program an operation reads: its own copy, read from the request, or the caller's.
#[derive(Debug)]
pub(crate) enum ProgramRef<'a> {
    /// Read from the request.
    Read(Box<crate::Program>),
    /// Given by the caller.
    Given(&'a crate::Program),
}

impl std::ops::Deref for ProgramRef<'_> {
    type Target = crate::Program;

    fn deref(&self) -> &crate::Program {
        match self {
            ProgramRef::Read(program) => program,
            ProgramRef::Given(program) => program,
        }
    }
}

/// The schema of a request: what the operation reads.
fn schema<T: schemars::JsonSchema>() -> schemars::Schema {
    schemars::schema_for!(T)
}

/// The schema of an answer: what the operation writes (fields skipped when
/// empty are optional).
fn answer_schema<T: schemars::JsonSchema>() -> schemars::Schema {
    schemars::generate::SchemaSettings::default()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<T>()
}

/// An error inside an `ok` answer (a refused command of a batch), as
/// [`Error::to_json`] writes it.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct ErrorDocument {
    /// The error's kind: `invalid`, `conflict`, `not_found`, ...
    code: String,
    /// Every problem, in one line.
    message: String,
    /// Each problem with its code, path, message and help.
    problems: Vec<Problem>,
}

impl ErrorDocument {
    /// The document of `error`.
    pub(crate) fn of(error: &Error) -> ErrorDocument {
        ErrorDocument {
            code: error.code().to_owned(),
            message: error.to_string(),
            problems: error.problems().to_vec(),
        }
    }
}

const OPERATIONS: &[Operation] = &[
    Operation {
        name: "describe",
        summary: "an operation's summary and the JSON Schemas of its request and answer",
        run: Run::Plain(program::describe),
        request: schema::<program::DescribeRequest>,
        response: answer_schema::<program::Description>,
    },
    Operation {
        name: "version",
        summary: "prm's version and the schema version it reads",
        run: Run::Plain(program::version),
        request: schema::<program::VersionRequest>,
        response: answer_schema::<program::VersionAnswer>,
    },
    Operation {
        name: "program.validate",
        summary: "validate a program document and summarise it",
        run: Run::Plain(program::validate),
        request: schema::<program::ValidateRequest>,
        response: answer_schema::<program::ProgramSummary>,
    },
    Operation {
        name: "money.round",
        summary: "round an amount to its currency's minor units with a rounding mode",
        run: Run::Plain(vocabulary::round),
        request: schema::<vocabulary::RoundRequest>,
        response: answer_schema::<crate::Money>,
    },
    Operation {
        name: "money.allocate",
        summary: "split a total by weights with largest-remainder rounding",
        run: Run::Plain(vocabulary::allocate_op),
        request: schema::<vocabulary::AllocateRequest>,
        response: answer_schema::<vocabulary::Allocation>,
    },
    Operation {
        name: "rate.normalize",
        summary: "read a rate (\"0.07\" or \"7%\") as a decimal fraction",
        run: Run::Plain(vocabulary::rate),
        request: schema::<vocabulary::RateRequest>,
        response: answer_schema::<vocabulary::RateAnswer>,
    },
    Operation {
        name: "calendar.add_months",
        summary: "add months to a date, clamping to the month's last day",
        run: Run::Plain(vocabulary::add_months_op),
        request: schema::<vocabulary::AddMonthsRequest>,
        response: answer_schema::<vocabulary::DateAnswer>,
    },
    Operation {
        name: "calendar.trailing_window",
        summary: "the trailing window of N months as of a date",
        run: Run::Plain(vocabulary::trailing_window),
        request: schema::<vocabulary::WindowRequest>,
        response: answer_schema::<vocabulary::Window>,
    },
    Operation {
        name: "calendar.fiscal_quarter",
        summary: "the fiscal year and quarter of a date",
        run: Run::Plain(vocabulary::fiscal_quarter),
        request: schema::<vocabulary::FiscalRequest>,
        response: answer_schema::<vocabulary::FiscalPosition>,
    },
    Operation {
        name: "certifications.status",
        summary: "each award's status on a day, with the dates that explain it",
        run: Run::WithProgram(certification::status),
        request: schema::<certification::StatusRequest>,
        response: answer_schema::<certification::StatusAnswer>,
    },
    Operation {
        name: "certifications.reminders",
        summary: "renewal reminders due in (since, as_of], each exactly once",
        run: Run::WithProgram(certification::reminders),
        request: schema::<certification::RemindersRequest>,
        response: answer_schema::<certification::RemindersAnswer>,
    },
    Operation {
        name: "certifications.compliance",
        summary: "a partner's people against certification requirements: who counts, who is missing what",
        run: Run::WithProgram(certification::compliance),
        request: schema::<certification::ComplianceRequest>,
        response: answer_schema::<certification::ComplianceAnswer>,
    },
    Operation {
        name: "tiers.evaluate",
        summary: "qualify one partner or a batch for a tier and decide the tier lifecycle step",
        run: Run::WithProgram(tier::evaluate),
        request: schema::<tier::EvaluateRequest>,
        response: answer_schema::<tier::EvaluateAnswer>,
    },
    Operation {
        name: "routing.route",
        summary: "route one lead to a partner by the program's rules; returns the decision and the new state",
        run: Run::WithProgram(routing::route),
        request: schema::<routing::RouteRequest>,
        response: answer_schema::<crate::routing::Routed>,
    },
    Operation {
        name: "routing.route_batch",
        summary: "route leads in order, threading the state; equal to routing them one by one",
        run: Run::WithProgram(routing::route_batch),
        request: schema::<routing::RouteBatchRequest>,
        response: answer_schema::<crate::routing::RoutedBatch>,
    },
    Operation {
        name: "routing.next_action",
        summary: "the acceptance SLA: wait, reroute, escalate or done for a lead's offers so far",
        run: Run::WithProgram(routing::next_action),
        request: schema::<routing::NextActionRequest>,
        response: answer_schema::<crate::routing::SlaDecision>,
    },
    Operation {
        name: "deal_registration.check",
        summary: "approve a deal registration, or report its conflicts or why it is rejected",
        run: Run::WithProgram(deal_registration::check),
        request: schema::<deal_registration::CheckRequest>,
        response: answer_schema::<crate::deal_registration::RegistrationDecision>,
    },
    Operation {
        name: "deal_registration.extend",
        summary: "extend an approved registration's protection, within the policy's maximum",
        run: Run::WithProgram(deal_registration::extend),
        request: schema::<deal_registration::ExtendRequest>,
        response: answer_schema::<crate::deal_registration::ExtensionDecision>,
    },
    Operation {
        name: "deal_registration.expire",
        summary: "list the registrations whose protection lapsed by a date",
        run: Run::WithProgram(deal_registration::expire),
        request: schema::<deal_registration::ExpireRequest>,
        response: answer_schema::<crate::deal_registration::ExpiryReport>,
    },
    Operation {
        name: "commission.statement",
        summary: "one partner's commission statement for a period: lines, totals, carry-forward, explanation",
        run: Run::WithProgram(commission::statement),
        request: schema::<commission::StatementRequest>,
        response: answer_schema::<crate::commission::CommissionStatement>,
    },
    Operation {
        name: "commission.statements",
        summary: "every partner's commission statement for a period, with grand totals",
        run: Run::WithProgram(commission::statements),
        request: schema::<commission::StatementsRequest>,
        response: answer_schema::<crate::commission::CommissionStatements>,
    },
    Operation {
        name: "commission.compare",
        summary: "run the same transactions under two versions of the commission plans and report the differences",
        run: Run::WithProgram(commission::compare),
        request: schema::<commission::CompareRequest>,
        response: answer_schema::<crate::commission::PlanComparison>,
    },
    Operation {
        name: "mdf.allocate",
        summary: "share a fund period's pool among partners (a preview of the `allocate` command)",
        run: Run::WithProgram(mdf::allocate),
        request: schema::<mdf::AllocateRequest>,
        response: answer_schema::<crate::mdf::Allocation>,
    },
    Operation {
        name: "mdf.apply",
        summary: "check MDF ledger commands against the rules and the events so far; answer with new events",
        run: Run::WithProgram(mdf::apply),
        request: schema::<mdf::ApplyRequest>,
        response: answer_schema::<mdf::ApplyAnswer>,
    },
    Operation {
        name: "mdf.balance",
        summary: "MDF balances (funds, available, open commitment, paid, ...) as of a date",
        run: Run::WithProgram(mdf::balance),
        request: schema::<mdf::BalanceRequest>,
        response: answer_schema::<crate::mdf::Balance>,
    },
    Operation {
        name: "mdf.report",
        summary: "MDF utilization by tier and activity type, and return on investment, as of a date",
        run: Run::WithProgram(mdf::report),
        request: schema::<mdf::ReportRequest>,
        response: answer_schema::<crate::mdf::MdfReport>,
    },
    Operation {
        name: "onboarding.screen",
        summary: "screen one application or a batch: knock-outs, score, thresholds, missing documents, rules fired",
        run: Run::WithProgram(onboarding::screen),
        request: schema::<onboarding::ScreenRequest>,
        response: answer_schema::<onboarding::ScreenAnswer>,
    },
    Operation {
        name: "onboarding.checklist",
        summary: "a partner's onboarding checklist on a day: agreements, certified people, documents, done and missing",
        run: Run::WithProgram(onboarding::checklist_op),
        request: schema::<onboarding::ChecklistRequest>,
        response: answer_schema::<onboarding::ChecklistAnswer>,
    },
    Operation {
        name: "onboarding.transition",
        summary: "apply a lifecycle event: the new state, or every problem that blocks it",
        run: Run::WithProgram(onboarding::transition_op),
        request: schema::<onboarding::TransitionRequest>,
        response: answer_schema::<onboarding::TransitionAnswer>,
    },
    Operation {
        name: "agreements.status",
        summary: "each agreement's status on a day, with its term, renewal and notice deadline",
        run: Run::WithProgram(agreement::status),
        request: schema::<agreement::StatusRequest>,
        response: answer_schema::<agreement::StatusAnswer>,
    },
    Operation {
        name: "agreements.reminders",
        summary: "agreement reminders (notice deadlines, ends) due in (since, as_of], each exactly once",
        run: Run::WithProgram(agreement::reminders),
        request: schema::<agreement::RemindersRequest>,
        response: answer_schema::<agreement::RemindersAnswer>,
    },
    Operation {
        name: "compliance.check",
        summary: "whether a partner may do an activity (leads, MDF, commission, deals) on a day, or what is missing",
        run: Run::WithProgram(agreement::compliance),
        request: schema::<agreement::ComplianceRequest>,
        response: answer_schema::<crate::agreement::ComplianceReport>,
    },
    Operation {
        name: "scorecards.evaluate",
        summary: "partner scorecards: KPIs over the window and the previous one, health, band, trend and signals",
        run: Run::WithProgram(scorecard::evaluate),
        request: schema::<scorecard::EvaluateRequest>,
        response: answer_schema::<scorecard::EvaluateAnswer<'static>>,
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
        Some(operation) => match operation.run {
            Run::Plain(run) => run(request),
            Run::WithProgram(run) => run(request, ProgramSource::Request),
        },
        None => Err(unknown_operation(op, &JsonPath::root())),
    }
}

/// Runs operation `op` on a JSON request with a program the caller has
/// already parsed and validated, so a host that makes many calls against
/// one program reads it once.
///
/// The request is the operation's request without its `program` field;
/// the answer is exactly what [`call_value`] answers for the same request
/// with the program's document embedded.
///
/// # Errors
///
/// * `unknown_operation` for a name [`operations`] does not list;
/// * `invalid_value` at `$.program` when the operation reads no program
///   (`version`, `money.round`, ...) or when the request carries a
///   `program` as well: give the program once;
/// * `nesting_too_deep` as for [`call_value`]; otherwise whatever the
///   operation reports.
///
/// # Example
///
/// ```
/// use prm_core::{Program, api};
/// use serde_json::json;
///
/// let document = prm_core::sample::program();
/// let program = Program::from_value(&document)?; // parsed and validated once
/// let request = json!({"as_of": "2026-03-31", "agreements": []});
/// let answer = api::call_with_program("agreements.status", &program, &request)?;
/// assert_eq!(answer["as_of"], "2026-03-31");
///
/// // The same answer as with the program embedded in the request.
/// let mut embedded = request.clone();
/// embedded["program"] = document;
/// assert_eq!(api::call_value("agreements.status", &embedded)?, answer);
/// # Ok::<(), prm_core::Error>(())
/// ```
pub fn call_with_program(
    op: &str,
    program: &crate::Program,
    request: &Value,
) -> Result<Value, Error> {
    crate::limits::check_depth(request)?;
    let operation = OPERATIONS
        .iter()
        .find(|candidate| candidate.name == op)
        .ok_or_else(|| unknown_operation(op, &JsonPath::root()))?;
    let Run::WithProgram(run) = operation.run else {
        return Err(Error::problem(
            Problem::new(ErrorCode::InvalidValue, JsonPath::root().key("program"))
                .message(format!("operation `{op}` reads no program"))
                .help(format!("call `{op}` with `call_value`")),
        ));
    };
    let Some(fields) = request.as_object() else {
        return run(request, ProgramSource::Given(program));
    };
    if fields.contains_key("program") {
        return Err(Error::problem(
            Problem::new(ErrorCode::InvalidValue, JsonPath::root().key("program"))
                .message("the request carries a `program`, and a parsed program is given too")
                .help("remove `program` from the request: the parsed program is used"),
        ));
    }
    // The request types declare `program` (it is part of their schema), so a
    // placeholder stands in for it; the operation reads the given program.
    // When the request has other problems, the walk that lists them reports
    // the placeholder too: that problem is not the caller's, so it is dropped.
    let at = JsonPath::root().key("program");
    let mut with_placeholder = fields.clone();
    with_placeholder.insert("program".to_owned(), Value::Null);
    run(
        &Value::Object(with_placeholder),
        ProgramSource::Given(program),
    )
    .map_err(|e| e.without_problems_at(&at))
}

/// Like [`call_with_program`], on JSON text, answering with tagged JSON text
/// as [`call`] does: `{"ok": ...}` or `{"error": ...}`. Never panics.
///
/// ```
/// let program = prm_core::Program::from_json(r#"{"schema_version": 1, "currency": "EUR"}"#)?;
/// let answer = prm_core::api::call_text_with_program(
///     "agreements.status", &program, r#"{"as_of": "2026-03-31", "agreements": []}"#);
/// assert!(answer.starts_with(r#"{"ok":{"as_of":"2026-03-31""#));
/// # Ok::<(), prm_core::Error>(())
/// ```
pub fn call_text_with_program(op: &str, program: &crate::Program, request: &str) -> String {
    let answer = std::panic::catch_unwind(|| {
        crate::limits::check_size(request)?;
        crate::program::parse_json(request).and_then(|value| call_with_program(op, program, &value))
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
    commission::statements_with(request, ProgramSource::Request, transactions)
}

/// [`commission_statements_with`], answering with the statements themselves
/// instead of their JSON: for a binding that writes them out in its own
/// form (the Python binding writes each statement as a table row, without
/// building the whole answer as JSON first). The JSON of the answer is
/// [`commission_statements_with`]'s, byte for byte.
///
/// # Errors
///
/// As [`commission_statements_with`].
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
/// let statements = prm_core::api::commission_statements_typed_with(&request, &[sale.clone()])?;
/// assert_eq!(statements.statements[0].totals.net.to_string(), "100.00");
/// assert_eq!(
///     serde_json::to_value(&statements)?,
///     prm_core::api::commission_statements_with(&request, &[sale])?
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn commission_statements_typed_with(
    request: &Value,
    transactions: &[crate::commission::Transaction],
) -> Result<crate::commission::CommissionStatements, Error> {
    crate::limits::check_depth(request)?;
    commission::statements_typed_with(request, ProgramSource::Request, transactions)
}

/// [`commission_statements_typed_with`] on a batch built a chunk at a time,
/// for a binding reading a large table: the binding lends every
/// transaction's [`TransactionKey`](crate::commission::TransactionKey) (read
/// from its columns, nothing built), and `fill(start, chunk)` overwrites
/// `chunk` with the transactions from position `start` on. A chunk's
/// transactions are reused for the next, so a reader can keep their strings'
/// buffers. The answer is [`commission_statements_with`]'s on the whole
/// batch, byte for byte, problems and their paths included.
///
/// `Ok(None)` when this road does not apply and the binding should build the
/// batch and call [`commission_statements_typed_with`]: the keys are not in
/// the order a run takes transactions in (the batch would need sorting), the
/// request lists transactions itself, or `fill` answered `false` (a cell it
/// cannot convert).
///
/// # Errors
///
/// As [`commission_statements_with`].
///
/// # Example
///
/// ```
/// use prm_core::commission::{Transaction, TransactionKey};
/// let request = serde_json::json!({
///     "program": {"schema_version": 1, "currency": "EUR",
///                 "commissions": {"plans": [{"id": "std", "rates": [{"kind": "percent", "id": "base", "rate": "10%"}]}]}},
///     "transactions": [],
///     "as_of": "2026-03-31",
/// });
/// let sales = vec![
///     Transaction::sale("T1", "P1", "2026-01-05".parse()?, "1000.00".parse()?),
///     Transaction::sale("T2", "P2", "2026-01-06".parse()?, "500.00".parse()?),
/// ];
/// let keys: Vec<TransactionKey> = sales.iter().map(TransactionKey::of).collect();
/// let answer = prm_core::api::commission_statements_in_chunks(&request, &keys, &mut |start, chunk| {
///     chunk.clone_from_slice(&sales[start..start + chunk.len()]);
///     true
/// })?;
/// let whole = prm_core::api::commission_statements_typed_with(&request, &sales)?;
/// assert_eq!(answer, Some(whole));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn commission_statements_in_chunks(
    request: &Value,
    keys: &[crate::commission::TransactionKey<'_>],
    fill: &mut dyn FnMut(usize, &mut [crate::commission::Transaction]) -> bool,
) -> Result<Option<crate::commission::CommissionStatements>, Error> {
    crate::limits::check_depth(request)?;
    commission::statements_in_chunks(request, ProgramSource::Request, keys, fill)
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
