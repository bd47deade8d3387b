//! `deal_registration.check`, `deal_registration.extend` and `deal_registration.expire`.

use super::ProgramSource;
use crate::calendar::Date;
use crate::deal_registration::{
    Registration, check as check_registration, expire as expire_registrations,
    extend as extend_registration,
};
use crate::error::Error;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

/// The `deal_registration.check` request.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct CheckRequest {
    /// The program document; its `deal_registration` policy is used (defaults without one).
    #[schemars(with = "crate::Program")]
    #[expect(
        dead_code,
        reason = "read by `program_at` with its own paths; declared for the schema"
    )]
    program: Value,
    /// The submitted registration.
    registration: Registration,
    /// The registering partner's tier, for its `deal_protection_days` benefit.
    #[serde(default)]
    partner_tier: Option<String>,
    /// Registrations already on file (any status).
    #[serde(default)]
    existing: Vec<Registration>,
    /// The day of the check; approval dates from it.
    as_of: Date,
}

/// `deal_registration.check` → approve, conflict or reject.
pub(super) fn check(request: &Value, source: ProgramSource<'_>) -> Result<Value, Error> {
    let r: CheckRequest = super::request(request)?;
    let program = source.program(request)?;
    let decision = check_registration(
        &program,
        &r.registration,
        r.partner_tier.as_deref(),
        &r.existing,
        r.as_of,
    )?;
    super::to_value(&decision)
}

/// The `deal_registration.extend` request.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ExtendRequest {
    /// The program document; its `deal_registration` policy is used.
    #[schemars(with = "crate::Program")]
    #[expect(
        dead_code,
        reason = "read by `program_at` with its own paths; declared for the schema"
    )]
    program: Value,
    /// The approved registration to extend.
    registration: Registration,
    /// The day of the request.
    as_of: Date,
}

/// `deal_registration.extend` → extended (with the updated registration) or refused.
pub(super) fn extend(request: &Value, source: ProgramSource<'_>) -> Result<Value, Error> {
    let r: ExtendRequest = super::request(request)?;
    let program = source.program(request)?;
    super::to_value(&extend_registration(&program, &r.registration, r.as_of)?)
}

/// The `deal_registration.expire` request.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ExpireRequest {
    /// The program document; its `deal_registration` policy is used.
    #[schemars(with = "crate::Program")]
    #[expect(
        dead_code,
        reason = "read by `program_at` with its own paths; declared for the schema"
    )]
    program: Value,
    /// The registrations to look at.
    registrations: Vec<Registration>,
    /// The day of the question.
    as_of: Date,
}

/// `deal_registration.expire` → the registrations that lapsed by `as_of`.
pub(super) fn expire(request: &Value, source: ProgramSource<'_>) -> Result<Value, Error> {
    let r: ExpireRequest = super::request(request)?;
    let program = source.program(request)?;
    super::to_value(&expire_registrations(&program, &r.registrations, r.as_of)?)
}
