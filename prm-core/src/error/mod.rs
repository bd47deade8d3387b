//! One public [`Error`] that carries every [`Problem`] found in the input.
//!
//! prm never stops at the first mistake: validation walks the whole input and
//! reports each problem with a stable [`ErrorCode`], the [`JsonPath`] of the
//! value to fix, a message saying what was expected and what was found, and
//! sometimes a `help` line with a suggestion.
//!
//! ```
//! use prm_core::{Error, ErrorCode, Problem, JsonPath};
//! let err = Error::invalid(vec![
//!     Problem::new(ErrorCode::UnknownCurrency, JsonPath::root().key("currency"))
//!         .message("unknown currency `EUX`")
//!         .help("use an ISO 4217 code such as `EUR`"),
//! ]);
//! assert_eq!(err.code(), "invalid");
//! assert_eq!(err.problems()[0].code(), ErrorCode::UnknownCurrency);
//! assert_eq!(
//!     err.to_string(),
//!     "invalid input: $.currency: unknown currency `EUX` (help: use an ISO 4217 code such as `EUR`)"
//! );
//! ```

mod code;
mod path;

pub use code::ErrorCode;
pub use path::JsonPath;

use schemars::JsonSchema;
use serde::Serialize;
use std::fmt;

/// One thing wrong with the input: what (`code`), where (`path`) and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Problem {
    /// What is wrong, as a stable code.
    code: ErrorCode,
    /// The JSON path of the value to fix, such as `$.tiers[2].threshold`.
    path: String,
    /// What was expected and what was found.
    message: String,
    /// A suggestion for the fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<String>,
}

impl Problem {
    /// A problem with `code` at `path`; the message defaults to the code's summary.
    pub fn new(code: ErrorCode, path: impl Into<JsonPath>) -> Problem {
        Problem {
            code,
            path: path.into().as_str().to_owned(),
            message: code.summary().to_owned(),
            help: None,
        }
    }

    /// Replaces the message: say what was expected and what was found, lowercase, no period.
    #[must_use]
    pub fn message(mut self, message: impl Into<String>) -> Problem {
        self.message = message.into();
        self
    }

    /// Adds a suggestion for the fix.
    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Problem {
        self.help = Some(help.into());
        self
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The JSONPath of the offending value (`$` for the whole input).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What is wrong, for a person.
    pub fn text(&self) -> &str {
        &self.message
    }

    /// A suggestion, when prm has one.
    pub fn suggestion(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// The same problem, moved under `prefix` (used when a part is read on its own).
    #[must_use]
    pub fn under(mut self, prefix: &JsonPath) -> Problem {
        if let Some(rest) = self.path.strip_prefix('$') {
            self.path = format!("{}{rest}", prefix.as_str());
        }
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)?;
        if let Some(help) = &self.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong in prm, each kind with its problems.
///
/// Every variant carries at least one [`Problem`]. [`Error::code`] is the
/// kind's stable code (`invalid`, `overflow`, ...); each problem has its own,
/// more specific code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input breaks one or more rules.
    #[error("invalid input: {}", summarize(.0))]
    Invalid(Vec<Problem>),
    /// Exact decimal arithmetic overflowed.
    #[error("overflow: {}", summarize(.0))]
    Overflow(Vec<Problem>),
    /// A command does not fit the current state.
    #[error("conflict: {}", summarize(.0))]
    Conflict(Vec<Problem>),
    /// Something referred to does not exist.
    #[error("not found: {}", summarize(.0))]
    NotFound(Vec<Problem>),
    /// The operation name is unknown.
    #[error("unknown operation: {}", summarize(.0))]
    UnknownOperation(Vec<Problem>),
    /// The input is larger or deeper than prm accepts.
    #[error("limit exceeded: {}", summarize(.0))]
    LimitExceeded(Vec<Problem>),
    /// A bug in prm, caught before it could do harm.
    #[error("internal error: {}", summarize(.0))]
    Internal(Vec<Problem>),
}

fn summarize(problems: &[Problem]) -> String {
    match problems {
        [] => "no details".to_owned(),
        [one] => one.to_string(),
        [first, rest @ ..] => format!("{first} (and {} more)", rest.len()),
    }
}

impl Error {
    /// An [`Error::Invalid`] with these problems.
    pub fn invalid(problems: Vec<Problem>) -> Error {
        Error::Invalid(problems)
    }

    /// An [`Error::Invalid`] with a single problem.
    pub fn problem(problem: Problem) -> Error {
        Error::Invalid(vec![problem])
    }

    /// An [`Error::Overflow`] at `path`, saying what was being computed.
    pub fn overflow(path: impl Into<JsonPath>, what: impl fmt::Display) -> Error {
        Error::Overflow(vec![
            Problem::new(ErrorCode::Overflow, path)
                .message(format!("{what} overflowed the exact decimal range"))
                .help("check the magnitudes in the input; amounts above 10^20 are almost always a unit mistake"),
        ])
    }

    /// The stable code of the error's kind (`invalid`, `overflow`, ...).
    pub fn code(&self) -> &'static str {
        self.kind().as_str()
    }

    /// The kind as an [`ErrorCode`].
    pub fn kind(&self) -> ErrorCode {
        match self {
            Error::Invalid(_) => ErrorCode::Invalid,
            Error::Overflow(_) => ErrorCode::Overflow,
            Error::Conflict(_) => ErrorCode::Conflict,
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::UnknownOperation(_) => ErrorCode::UnknownOperation,
            Error::LimitExceeded(_) => ErrorCode::LimitExceeded,
            Error::Internal(_) => ErrorCode::Internal,
        }
    }

    /// Every problem, in the order found.
    pub fn problems(&self) -> &[Problem] {
        match self {
            Error::Invalid(p)
            | Error::Overflow(p)
            | Error::Conflict(p)
            | Error::NotFound(p)
            | Error::UnknownOperation(p)
            | Error::LimitExceeded(p)
            | Error::Internal(p) => p,
        }
    }

    /// The error as the JSON document every binding returns:
    /// `{"code", "message", "problems": [{"code", "path", "message", "help"?}]}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "code": self.code(),
            "message": self.to_string(),
            "problems": self.problems(),
        })
    }

    /// The error without the problems at exactly `path`; unchanged when
    /// every problem is there.
    #[must_use]
    pub(crate) fn without_problems_at(self, path: &JsonPath) -> Error {
        if self.problems().iter().all(|p| p.path() == path.as_str()) {
            return self;
        }
        let keep = |p: Vec<Problem>| {
            p.into_iter()
                .filter(|x| x.path() != path.as_str())
                .collect()
        };
        match self {
            Error::Invalid(p) => Error::Invalid(keep(p)),
            Error::Overflow(p) => Error::Overflow(keep(p)),
            Error::Conflict(p) => Error::Conflict(keep(p)),
            Error::NotFound(p) => Error::NotFound(keep(p)),
            Error::UnknownOperation(p) => Error::UnknownOperation(keep(p)),
            Error::LimitExceeded(p) => Error::LimitExceeded(keep(p)),
            Error::Internal(p) => Error::Internal(keep(p)),
        }
    }

    /// Moves every problem's path under `prefix`.
    #[must_use]
    pub fn under(self, prefix: &JsonPath) -> Error {
        let move_all = |p: Vec<Problem>| p.into_iter().map(|x| x.under(prefix)).collect();
        match self {
            Error::Invalid(p) => Error::Invalid(move_all(p)),
            Error::Overflow(p) => Error::Overflow(move_all(p)),
            Error::Conflict(p) => Error::Conflict(move_all(p)),
            Error::NotFound(p) => Error::NotFound(move_all(p)),
            Error::UnknownOperation(p) => Error::UnknownOperation(move_all(p)),
            Error::LimitExceeded(p) => Error::LimitExceeded(move_all(p)),
            Error::Internal(p) => Error::Internal(move_all(p)),
        }
    }
}

/// Collects problems while a value is validated, then turns them into a result.
///
/// ```
/// use prm_core::{Problems, Problem, ErrorCode, JsonPath};
/// let mut problems = Problems::new();
/// problems.push(Problem::new(ErrorCode::MissingField, JsonPath::root().key("id")));
/// assert!(problems.into_result(()).is_err());
/// ```
#[derive(Debug, Default, Clone)]
pub struct Problems(Vec<Problem>);

impl Problems {
    /// No problems yet.
    pub fn new() -> Problems {
        Problems(Vec::new())
    }

    /// Records a problem.
    pub fn push(&mut self, problem: Problem) {
        self.0.push(problem);
    }

    /// Records the problems of a failed step and returns its value, if any.
    pub fn take<T>(&mut self, result: Result<T, Error>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.0.extend(error.problems().iter().cloned());
                None
            }
        }
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The problems so far.
    pub fn as_slice(&self) -> &[Problem] {
        &self.0
    }

    /// `Ok(value)` when nothing was recorded, else [`Error::Invalid`] with every problem
    /// ([`Error::LimitExceeded`] when one of them is a resource limit, else
    /// [`Error::Overflow`] when one is an `overflow`).
    pub fn into_result<T>(self, value: T) -> Result<T, Error> {
        if self.0.is_empty() {
            Ok(value)
        } else if self.0.iter().any(|p| p.code().is_limit()) {
            Err(Error::LimitExceeded(self.0))
        } else if self.0.iter().any(|p| p.code() == ErrorCode::Overflow) {
            Err(Error::Overflow(self.0))
        } else {
            Err(Error::Invalid(self.0))
        }
    }

    /// The recorded problems.
    pub fn into_vec(self) -> Vec<Problem> {
        self.0
    }
}

impl Extend<Problem> for Problems {
    fn extend<I: IntoIterator<Item = Problem>>(&mut self, iter: I) {
        self.0.extend(iter);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_json_lists_every_problem() {
        let err = Error::invalid(vec![
            Problem::new(ErrorCode::MissingField, JsonPath::root().key("id"))
                .message("missing `id`"),
            Problem::new(ErrorCode::UnknownField, JsonPath::root().key("nmae"))
                .message("unknown field `nmae`")
                .help("did you mean `name`?"),
        ]);
        insta::assert_json_snapshot!(err.to_json(), @r#"
        {
          "code": "invalid",
          "message": "invalid input: $.id: missing `id` (and 1 more)",
          "problems": [
            {
              "code": "missing_field",
              "path": "$.id",
              "message": "missing `id`"
            },
            {
              "code": "unknown_field",
              "path": "$.nmae",
              "message": "unknown field `nmae`",
              "help": "did you mean `name`?"
            }
          ]
        }
        "#);
    }

    #[test]
    fn under_prefixes_paths() {
        let p = Problem::new(ErrorCode::InvalidDate, JsonPath::root().key("as_of"));
        assert_eq!(p.under(&JsonPath::root().index(3)).path(), "$[3].as_of");
    }
}
