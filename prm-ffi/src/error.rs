//! [`PrmError`]: prm's one error type as uniffi exports it.
//!
//! One case per error kind of [`prm_core::Error`], each carrying the kind's
//! `code`, the `message` and every [`Problem`]. Kotlin sees a sealed
//! `PrmException` family (`PrmException.Invalid`, ...), Swift an enum
//! (`catch PrmError.Invalid(let code, let message, let problems)`).

use serde::{Deserialize, Serialize};

/// One thing wrong with the input: what (`code`), where (`path`), what is
/// wrong (`message`) and, sometimes, how to fix it (`help`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, uniffi::Record)]
pub struct Problem {
    /// The stable problem code, e.g. `unknown_currency` (see docs/errors.md).
    pub code: String,
    /// The JSONPath of the value to fix, e.g. `$.tiers[2].threshold`; `$` is the whole input.
    pub path: String,
    /// What was expected and what was found, for a person.
    pub message: String,
    /// A suggestion for the fix, when prm has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

/// An error answered by prm: its kind, its message and every problem found.
///
/// `code` is the kind's stable code (`invalid`, `overflow`, ...); each
/// problem has its own, more specific code. Errors report every problem at
/// once, not only the first.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum PrmError {
    /// The input breaks one or more rules; `problems` lists each with its path.
    #[error("{message}")]
    Invalid {
        /// Always `invalid`.
        code: String,
        /// The whole error in one line.
        message: String,
        /// Every problem found.
        problems: Vec<Problem>,
    },
    /// Exact decimal arithmetic left the decimal range; nothing was rounded.
    #[error("{message}")]
    Overflow {
        /// Always `overflow`.
        code: String,
        /// The whole error in one line.
        message: String,
        /// Where the overflow happened.
        problems: Vec<Problem>,
    },
    /// A command does not fit the current state.
    #[error("{message}")]
    Conflict {
        /// Always `conflict`.
        code: String,
        /// The whole error in one line.
        message: String,
        /// What conflicts.
        problems: Vec<Problem>,
    },
    /// Something the input refers to does not exist.
    #[error("{message}")]
    NotFound {
        /// Always `not_found`.
        code: String,
        /// The whole error in one line.
        message: String,
        /// What was not found.
        problems: Vec<Problem>,
    },
    /// The operation name is not one prm knows.
    #[error("{message}")]
    UnknownOperation {
        /// Always `unknown_operation`.
        code: String,
        /// The whole error in one line.
        message: String,
        /// The unknown name, with a suggestion.
        problems: Vec<Problem>,
    },
    /// The input is larger or deeper than prm accepts.
    #[error("{message}")]
    LimitExceeded {
        /// Always `limit_exceeded`.
        code: String,
        /// The whole error in one line.
        message: String,
        /// Which limit.
        problems: Vec<Problem>,
    },
    /// A bug in prm, caught before it could do harm. Also any error kind
    /// newer than this binding, with its own `code`.
    #[error("{message}")]
    Internal {
        /// `internal`, or the code of an error kind newer than this binding.
        code: String,
        /// The whole error in one line.
        message: String,
        /// Where it happened.
        problems: Vec<Problem>,
    },
}

impl PrmError {
    /// The kind's stable code (`invalid`, `overflow`, ...).
    pub fn code(&self) -> &str {
        match self {
            PrmError::Invalid { code, .. }
            | PrmError::Overflow { code, .. }
            | PrmError::Conflict { code, .. }
            | PrmError::NotFound { code, .. }
            | PrmError::UnknownOperation { code, .. }
            | PrmError::LimitExceeded { code, .. }
            | PrmError::Internal { code, .. } => code,
        }
    }

    /// Every problem, in the order found.
    pub fn problems(&self) -> &[Problem] {
        match self {
            PrmError::Invalid { problems, .. }
            | PrmError::Overflow { problems, .. }
            | PrmError::Conflict { problems, .. }
            | PrmError::NotFound { problems, .. }
            | PrmError::UnknownOperation { problems, .. }
            | PrmError::LimitExceeded { problems, .. }
            | PrmError::Internal { problems, .. } => problems,
        }
    }
}

impl From<prm_core::Error> for PrmError {
    fn from(error: prm_core::Error) -> PrmError {
        let code = error.code().to_owned();
        let message = error.to_string();
        let problems = error
            .problems()
            .iter()
            .map(|p| Problem {
                code: p.code().as_str().to_owned(),
                path: p.path().to_owned(),
                message: p.text().to_owned(),
                help: p.suggestion().map(str::to_owned),
            })
            .collect();
        // The kind decides the case; `code` keeps the exact wire spelling, so
        // a kind added to the core later still reaches the host intact.
        match error.kind() {
            prm_core::ErrorCode::Invalid => PrmError::Invalid {
                code,
                message,
                problems,
            },
            prm_core::ErrorCode::Overflow => PrmError::Overflow {
                code,
                message,
                problems,
            },
            prm_core::ErrorCode::Conflict => PrmError::Conflict {
                code,
                message,
                problems,
            },
            prm_core::ErrorCode::NotFound => PrmError::NotFound {
                code,
                message,
                problems,
            },
            prm_core::ErrorCode::UnknownOperation => PrmError::UnknownOperation {
                code,
                message,
                problems,
            },
            prm_core::ErrorCode::LimitExceeded => PrmError::LimitExceeded {
                code,
                message,
                problems,
            },
            _ => PrmError::Internal {
                code,
                message,
                problems,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prm_core::{ErrorCode, JsonPath};

    #[test]
    fn every_kind_maps_to_its_case_with_code_message_and_problems() {
        let problem = || {
            vec![
                prm_core::Problem::new(
                    ErrorCode::UnknownCurrency,
                    JsonPath::root().key("currency"),
                )
                .message("unknown currency `EUX`")
                .help("use `EUR`"),
            ]
        };
        let cases = [
            (prm_core::Error::Invalid(problem()), "invalid"),
            (prm_core::Error::Overflow(problem()), "overflow"),
            (prm_core::Error::Conflict(problem()), "conflict"),
            (prm_core::Error::NotFound(problem()), "not_found"),
            (
                prm_core::Error::UnknownOperation(problem()),
                "unknown_operation",
            ),
            (prm_core::Error::LimitExceeded(problem()), "limit_exceeded"),
            (prm_core::Error::Internal(problem()), "internal"),
        ];
        for (core, code) in cases {
            let message = core.to_string();
            let error = PrmError::from(core);
            assert_eq!(error.code(), code);
            assert_eq!(error.to_string(), message);
            assert_eq!(
                error.problems(),
                [Problem {
                    code: "unknown_currency".into(),
                    path: "$.currency".into(),
                    message: "unknown currency `EUX`".into(),
                    help: Some("use `EUR`".into()),
                }]
            );
        }
    }

    #[test]
    fn cases_match_the_kind() {
        let e = PrmError::from(prm_core::Error::Overflow(vec![]));
        assert!(matches!(e, PrmError::Overflow { .. }));
        let e = PrmError::from(prm_core::Error::UnknownOperation(vec![]));
        assert!(matches!(e, PrmError::UnknownOperation { .. }));
    }
}
