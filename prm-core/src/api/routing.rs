//! `routing.route`, `routing.route_batch` and `routing.next_action`.

use super::ProgramSource;
use crate::calendar::Instant;
use crate::error::Error;
use crate::routing::{
    AcceptancePolicy, Assignment, Lead, LeadRouter, RoutingPartner, RoutingState,
    next_action as sla_next_action,
};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

/// The `routing.route` request.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RouteRequest {
    /// The program document (its `routing` section is used).
    #[schemars(with = "crate::Program")]
    #[expect(
        dead_code,
        reason = "read by `program_at` with its own paths; declared for the schema"
    )]
    program: Value,
    /// The partners that may receive the lead.
    partners: Vec<RoutingPartner>,
    /// The lead.
    lead: Lead,
    /// The state returned by the previous call; empty by default.
    #[serde(default)]
    state: RoutingState,
}

/// `routing.route`: `{program, partners, lead, state?}` → `{decision, state}`.
pub(super) fn route(request: &Value, source: ProgramSource<'_>) -> Result<Value, Error> {
    let r: RouteRequest = super::request(request)?;
    let program = source.program(request)?;
    let routed = LeadRouter::new(&program, &r.partners)?.route(&r.lead, &r.state)?;
    super::to_value(&routed)
}

/// The `routing.route_batch` request.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RouteBatchRequest {
    /// The program document (its `routing` section is used).
    #[schemars(with = "crate::Program")]
    #[expect(
        dead_code,
        reason = "read by `program_at` with its own paths; declared for the schema"
    )]
    program: Value,
    /// The partners that may receive the leads.
    partners: Vec<RoutingPartner>,
    /// The leads, routed in this order.
    leads: Vec<Lead>,
    /// The state returned by the previous call; empty by default.
    #[serde(default)]
    state: RoutingState,
}

/// `routing.route_batch`: `{program, partners, leads, state?}` → `{decisions, state}`.
pub(super) fn route_batch(request: &Value, source: ProgramSource<'_>) -> Result<Value, Error> {
    let r: RouteBatchRequest = super::request(request)?;
    let program = source.program(request)?;
    let routed = LeadRouter::new(&program, &r.partners)?.route_batch(&r.leads, &r.state)?;
    super::to_value(&routed)
}

/// The `routing.next_action` request.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct NextActionRequest {
    /// The program document; its `routing.acceptance` policy is used (24 hours, 3 attempts by default).
    #[schemars(with = "crate::Program")]
    #[expect(
        dead_code,
        reason = "read by `program_at` with its own paths; declared for the schema"
    )]
    program: Value,
    /// Every offer of the lead so far.
    history: Vec<Assignment>,
    /// The moment of the question (RFC 3339).
    now: Instant,
}

/// `routing.next_action`: `{program, history, now}` → `{action, ..., attempts, timed_out, explanation}`.
pub(super) fn next_action(request: &Value, source: ProgramSource<'_>) -> Result<Value, Error> {
    let r: NextActionRequest = super::request(request)?;
    let program = source.program(request)?;
    let policy = program
        .routing()
        .map_or_else(AcceptancePolicy::default, |c| c.acceptance);
    super::to_value(&sla_next_action(&policy, &r.history, r.now)?)
}
