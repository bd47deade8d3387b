//! The functions uniffi exports: the generic [`call`], the [`Program`]
//! object, and typed functions for the operations that exist today.
//!
//! Naming rule: operation `namespace.verb` is the function `namespace_verb`
//! (Kotlin `namespaceVerb`, Swift `namespaceVerb(...)`), and an operation
//! that takes a program is a method of [`Program`]. Every typed function is
//! [`invoke`] with a request and an answer record: it builds the request,
//! runs the operation by name and reads the answer, so no function decides
//! anything.

use crate::error::PrmError;
use crate::generic::{LoadedProgram, guard};
use crate::types::{
    Allocation, DateString, DecimalString, FiscalCalendar, FiscalPosition, Money,
    OperationDescription, ProgramSummary, RoundingMode, VersionInfo, Window,
};
use prm_core::{Error, ErrorCode, JsonPath, Problem};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::sync::Arc;

/// Runs operation `op` on a request record and reads the answer as `T`.
fn invoke<T: DeserializeOwned>(op: &str, request: &impl Serialize) -> Result<T, PrmError> {
    guard(op, || {
        let request = serde_json::to_value(request).map_err(|e| mismatch(op, "request", &e))?;
        let answer = prm_core::api::call_value(op, &request)?;
        from_answer(op, answer)
    })
    .map_err(PrmError::from)
}

/// Reads an operation's answer as the binding's record for it.
pub(crate) fn from_answer<T: DeserializeOwned>(op: &str, answer: Value) -> Result<T, Error> {
    serde_json::from_value(answer).map_err(|e| mismatch(op, "answer", &e))
}

/// The `internal` error for a record that does not match the core's JSON:
/// a bug in this binding, which its tests exist to catch.
fn mismatch(op: &str, what: &str, error: &serde_json::Error) -> Error {
    Error::Internal(vec![
        Problem::new(ErrorCode::Internal, JsonPath::root()).message(format!(
            "the {what} of `{op}` does not match prm-ffi's record: {error}"
        )),
    ])
}

/// Runs `op` on JSON text through `run`, answering the `ok` value as JSON text.
fn call_text(
    what: &str,
    request: &str,
    run: impl FnOnce(&Value) -> Result<Value, Error>,
) -> Result<String, PrmError> {
    guard(what, || {
        let value = prm_core::program::parse_json(request)?;
        run(&value).map(|answer| answer.to_string())
    })
    .map_err(PrmError::from)
}

/// prm's version, e.g. `0.1.0`.
#[uniffi::export]
pub fn version() -> String {
    prm_core::version().to_owned()
}

/// prm's version, the program document version it reads, and every operation name.
///
/// # Errors
///
/// `internal` only, for a bug in prm.
#[uniffi::export]
pub fn version_info() -> Result<VersionInfo, PrmError> {
    invoke("version", &json!({}))
}

/// Every operation name, sorted (`calendar.add_months`, ..., `version`).
#[uniffi::export]
pub fn operations() -> Vec<String> {
    prm_core::api::operations()
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// What operation `op` does, with the JSON Schemas of its request and answer.
///
/// The schemas mark decimals with `"format": "decimal"`, dates with
/// `"format": "date"` and currencies with `"format": "currency"`.
///
/// # Errors
///
/// `unknown_operation` when prm has no operation `op`.
#[uniffi::export]
pub fn describe(op: String) -> Result<OperationDescription, PrmError> {
    guard("describe", || {
        let answer = prm_core::api::call_value("describe", &json!({ "op": op }))?;
        let text = |key: &str| answer.get(key).map(Value::to_string).unwrap_or_default();
        Ok(OperationDescription {
            op: answer
                .get("op")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            summary: answer
                .get("summary")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            request_schema: text("request"),
            response_schema: text("response"),
        })
    })
    .map_err(PrmError::from)
}

/// Runs any operation by name on a JSON request and returns the JSON of its
/// answer (the value under `ok`).
///
/// This reaches every operation, including ones added to prm after this
/// binding was written. Operations that take a program are better called
/// through [`Program::call`], which reads the program once.
///
/// # Errors
///
/// Whatever the operation reports, as a [`PrmError`] with every problem;
/// `malformed_json` when `request` is not JSON; `unknown_operation` for an
/// unknown `op`.
#[uniffi::export]
pub fn call(op: String, request: String) -> Result<String, PrmError> {
    call_text(&op, &request, |value| prm_core::api::call_value(&op, value))
}

/// Rounds `amount` to `currency`'s minor units (`money.round`); `half_even` by default.
///
/// # Errors
///
/// `invalid` for an amount that is not a decimal, or an unknown currency.
#[uniffi::export(default(mode = None))]
pub fn money_round(
    amount: DecimalString,
    currency: String,
    mode: Option<RoundingMode>,
) -> Result<Money, PrmError> {
    #[derive(Serialize)]
    struct Request {
        amount: DecimalString,
        currency: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        mode: Option<RoundingMode>,
    }
    invoke(
        "money.round",
        &Request {
            amount,
            currency,
            mode,
        },
    )
}

/// Splits `total` by `weights` with largest-remainder rounding (`money.allocate`):
/// the parts always sum exactly to the total.
///
/// # Errors
///
/// `invalid` for a negative weight, weights that sum to zero, or a bad decimal.
#[uniffi::export]
pub fn money_allocate(
    total: DecimalString,
    weights: Vec<DecimalString>,
    currency: String,
) -> Result<Allocation, PrmError> {
    #[derive(Serialize)]
    struct Request {
        total: DecimalString,
        weights: Vec<DecimalString>,
        currency: String,
    }
    invoke(
        "money.allocate",
        &Request {
            total,
            weights,
            currency,
        },
    )
}

/// Reads a rate, `"0.07"` or `"7%"`, as a decimal fraction (`rate.normalize`).
///
/// # Errors
///
/// `invalid` (`invalid_rate`) when the text is not a rate.
#[uniffi::export]
pub fn rate_normalize(rate: String) -> Result<DecimalString, PrmError> {
    #[derive(serde::Deserialize)]
    struct Answer {
        rate: DecimalString,
    }
    invoke::<Answer>("rate.normalize", &json!({ "rate": rate })).map(|a| a.rate)
}

/// Adds `months` to `date`, clamping to the month's last day (`calendar.add_months`):
/// 2024-01-31 + 1 month is 2024-02-29.
///
/// # Errors
///
/// `invalid` for a malformed date or a result outside the calendar.
#[uniffi::export]
pub fn calendar_add_months(date: DateString, months: i32) -> Result<DateString, PrmError> {
    #[derive(serde::Deserialize)]
    struct Answer {
        date: DateString,
    }
    invoke::<Answer>(
        "calendar.add_months",
        &json!({ "date": date, "months": months }),
    )
    .map(|a| a.date)
}

/// The trailing window of `months` months through `as_of` (`calendar.trailing_window`):
/// 12 months as of 2026-03-31 is 2025-04-01 to 2026-03-31.
///
/// # Errors
///
/// `invalid` for a malformed date or zero months.
#[uniffi::export]
pub fn calendar_trailing_window(as_of: DateString, months: u32) -> Result<Window, PrmError> {
    invoke(
        "calendar.trailing_window",
        &json!({ "as_of": as_of, "months": months }),
    )
}

/// The fiscal year and quarter of `date` (`calendar.fiscal_quarter`); calendar
/// years unless `fiscal_calendar` says otherwise.
///
/// # Errors
///
/// `invalid` for a malformed date or a first month outside 1..=12.
#[uniffi::export(default(fiscal_calendar = None))]
pub fn calendar_fiscal_quarter(
    date: DateString,
    fiscal_calendar: Option<FiscalCalendar>,
) -> Result<FiscalPosition, PrmError> {
    #[derive(Serialize)]
    struct Request {
        date: DateString,
        #[serde(skip_serializing_if = "Option::is_none")]
        fiscal_calendar: Option<FiscalCalendar>,
    }
    invoke(
        "calendar.fiscal_quarter",
        &Request {
            date,
            fiscal_calendar,
        },
    )
}

/// A partner program, read and validated once, then used for any number of
/// calls from any number of threads.
///
/// It is immutable: every call passes it to prm as the request's `program`,
/// so apps do not parse the program document for each call.
#[derive(Debug, uniffi::Object)]
pub struct Program {
    loaded: LoadedProgram,
}

impl Program {
    /// The loaded program, for the typed engine methods in `engines.rs`.
    pub(crate) fn loaded(&self) -> &LoadedProgram {
        &self.loaded
    }
}

#[uniffi::export]
impl Program {
    /// Reads and validates a program document (`{"schema_version": 1, "currency": "EUR", ...}`).
    ///
    /// # Errors
    ///
    /// `invalid` listing every problem with its path in the document
    /// (`$.currency`, `$.tiers[2].threshold`), `malformed_json`, or
    /// `unsupported_schema_version`.
    #[uniffi::constructor]
    pub fn from_json(json: String) -> Result<Arc<Program>, PrmError> {
        guard("Program.from_json", || LoadedProgram::from_json(&json))
            .map(|loaded| Arc::new(Program { loaded }))
            .map_err(PrmError::from)
    }

    /// The program as JSON, ready to store and read back with [`Program::from_json`].
    pub fn to_json(&self) -> String {
        self.loaded.program().to_value().to_string()
    }

    /// The program's name, currency, rounding, fiscal calendar and engine sections.
    ///
    /// # Errors
    ///
    /// `internal` only, for a bug in prm.
    pub fn summary(&self) -> Result<ProgramSummary, PrmError> {
        guard("Program.summary", || {
            from_answer("program.validate", self.loaded.summary().clone())
        })
        .map_err(PrmError::from)
    }

    /// Runs any operation by name with this program, and returns the JSON of
    /// its answer (the value under `ok`).
    ///
    /// For an operation whose request has a `program` field (every engine
    /// operation: `tiers.evaluate`, `routing.route`, `commission.statement`,
    /// ...), the program is added to `request`; leave it out of the request.
    /// Other operations see `request` unchanged.
    ///
    /// # Errors
    ///
    /// As [`call`], and `invalid` when `request` names a program of its own.
    pub fn call(&self, op: String, request: String) -> Result<String, PrmError> {
        call_text(&op, &request, |value| self.loaded.call_value(&op, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> DecimalString {
        DecimalString(s.to_owned())
    }

    fn date(s: &str) -> DateString {
        DateString(s.to_owned())
    }

    /// The core's answer for `op`, to compare a typed record with.
    fn core(op: &str, request: Value) -> Value {
        prm_core::api::call_value(op, &request).unwrap()
    }

    #[test]
    fn money_round_matches_the_core_field_for_field() {
        let money = money_round(dec("2.345"), "EUR".into(), Some(RoundingMode::HalfUp)).unwrap();
        assert_eq!(
            money,
            Money {
                amount: dec("2.35"),
                currency: "EUR".into()
            }
        );
        assert_eq!(
            serde_json::to_value(&money).unwrap(),
            core(
                "money.round",
                json!({"amount": "2.345", "currency": "EUR", "mode": "half_up"})
            )
        );
        // Without a mode the core's default, half_even, applies.
        let money = money_round(dec("2.345"), "EUR".into(), None).unwrap();
        assert_eq!(money.amount, dec("2.34"));
    }

    #[test]
    fn money_round_reports_every_problem_with_its_path() {
        let error = money_round(dec("12,50"), "EUX".into(), None).unwrap_err();
        let PrmError::Invalid { code, problems, .. } = error else {
            panic!("expected Invalid, got {error:?}");
        };
        assert_eq!(code, "invalid");
        let found: Vec<_> = problems
            .iter()
            .map(|p| (p.code.as_str(), p.path.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("invalid_decimal", "$.amount"),
                ("unknown_currency", "$.currency")
            ]
        );
    }

    #[test]
    fn allocate_window_quarter_and_rate_match_the_core() {
        let allocation =
            money_allocate(dec("1000.01"), vec![dec("0.7"), dec("0.3")], "EUR".into()).unwrap();
        assert_eq!(allocation.parts, [dec("700.01"), dec("300.00")]);
        assert_eq!(
            serde_json::to_value(&allocation).unwrap(),
            core(
                "money.allocate",
                json!({"total": "1000.01", "weights": ["0.7", "0.3"], "currency": "EUR"})
            )
        );

        let window = calendar_trailing_window(date("2026-03-31"), 12).unwrap();
        assert_eq!(
            serde_json::to_value(&window).unwrap(),
            core(
                "calendar.trailing_window",
                json!({"as_of": "2026-03-31", "months": 12})
            )
        );
        assert_eq!(window.start, date("2025-04-01"));

        let july = Some(FiscalCalendar { first_month: 7 });
        let position = calendar_fiscal_quarter(date("2025-08-15"), july).unwrap();
        assert_eq!(
            serde_json::to_value(&position).unwrap(),
            core(
                "calendar.fiscal_quarter",
                json!({"date": "2025-08-15", "fiscal_calendar": {"first_month": 7}})
            )
        );
        assert_eq!((position.fiscal_year, position.quarter), (2026, 1));

        assert_eq!(rate_normalize("7%".into()).unwrap(), dec("0.07"));
        assert_eq!(
            calendar_add_months(date("2024-01-31"), 1).unwrap(),
            date("2024-02-29")
        );
    }

    #[test]
    fn version_info_and_operations_match_the_core() {
        let info = version_info().unwrap();
        assert_eq!(
            serde_json::to_value(&info).unwrap(),
            core("version", json!({}))
        );
        assert_eq!(info.operations, operations());
        assert_eq!(version(), prm_core::version());
    }

    #[test]
    fn describe_returns_the_schemas_as_json_text() {
        let description = describe("money.round".into()).unwrap();
        assert_eq!(description.op, "money.round");
        let request: Value = serde_json::from_str(&description.request_schema).unwrap();
        assert_eq!(
            request,
            prm_core::api::request_schema("money.round").unwrap()
        );
        let response: Value = serde_json::from_str(&description.response_schema).unwrap();
        assert_eq!(
            response,
            prm_core::api::response_schema("money.round").unwrap()
        );
        let error = describe("money.rund".into()).unwrap_err();
        assert!(matches!(error, PrmError::UnknownOperation { .. }));
    }

    #[test]
    fn call_answers_the_ok_value_or_raises() {
        let answer = call(
            "money.round".into(),
            r#"{"amount": "2.345", "currency": "EUR"}"#.into(),
        )
        .unwrap();
        assert_eq!(answer, r#"{"amount":"2.34","currency":"EUR"}"#);
        let error = call("version".into(), "{".into()).unwrap_err();
        assert_eq!(error.problems()[0].code, "malformed_json");
        let error = call("no.such.op".into(), "{}".into()).unwrap_err();
        assert_eq!(error.code(), "unknown_operation");
    }

    #[test]
    fn program_summary_matches_the_core_and_round_trips() {
        let program = Program::from_json(
            r#"{"schema_version": 1, "name": "Northwind", "currency": "EUR",
                "fiscal_calendar": {"first_month": 7}}"#
                .into(),
        )
        .unwrap();
        let summary = program.summary().unwrap();
        let mut expected = core(
            "program.validate",
            json!({"program": serde_json::from_str::<Value>(&program.to_json()).unwrap()}),
        );
        // `valid` is always true in an answer, so the record leaves it out.
        expected.as_object_mut().unwrap().remove("valid");
        assert_eq!(serde_json::to_value(&summary).unwrap(), expected);
        assert_eq!(summary.name.as_deref(), Some("Northwind"));
        assert_eq!(summary.rounding, RoundingMode::HalfEven);
        assert_eq!(summary.fiscal_calendar.first_month, 7);
        let again = Program::from_json(program.to_json()).unwrap();
        assert_eq!(again.summary().unwrap(), summary);
    }

    #[test]
    fn program_errors_carry_document_paths() {
        let error =
            Program::from_json(r#"{"schema_version": 1, "currency": "EUX"}"#.into()).unwrap_err();
        assert_eq!(error.code(), "invalid");
        assert_eq!(error.problems()[0].path, "$.currency");
        assert_eq!(error.problems()[0].code, "unknown_currency");
    }

    #[test]
    fn program_call_injects_the_program() {
        let program =
            Program::from_json(r#"{"schema_version": 1, "currency": "JPY"}"#.into()).unwrap();
        let answer: Value = serde_json::from_str(
            &program
                .call("program.validate".into(), "{}".into())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(answer["currency"], "JPY");
        let error = program
            .call("program.validate".into(), r#"{"program": {}}"#.into())
            .unwrap_err();
        assert_eq!(error.problems()[0].path, "$.program");
    }

    #[test]
    fn program_is_shared_between_threads() {
        let program =
            Program::from_json(r#"{"schema_version": 1, "currency": "EUR"}"#.into()).unwrap();
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let program = Arc::clone(&program);
                std::thread::spawn(move || {
                    (0..50)
                        .map(|_| program.call("program.validate".into(), "{}".into()))
                        .all(|answer| answer.is_ok())
                })
            })
            .collect();
        assert!(handles.into_iter().all(|h| h.join().unwrap()));
    }
}
