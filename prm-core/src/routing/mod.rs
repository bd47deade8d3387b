//! Lead routing: which partner receives a lead, by which rule, and why.
//!
//! # Overview
//!
//! * [`Lead`]: the prospect to route (where, what, how big, who declined it).
//! * [`RoutingPartner`]: a [`Partner`](crate::Partner) with its tier, lead
//!   weight, capacity and open leads, pauses, territory, certifications and
//!   performance stats.
//! * [`RoutingConfig`]: the program's `routing` section: rules tried by
//!   priority, each with a [`Condition`](crate::condition::Condition) on the
//!   lead, an [`Eligibility`] filter on partners and a [`Strategy`]; the
//!   [`DefaultRoute`] when no rule places the lead; the [`AcceptancePolicy`].
//! * [`route`] / [`route_batch`] (or a [`LeadRouter`] built once): a
//!   [`RoutingDecision`] per lead and the new [`RoutingState`].
//! * [`next_action`]: the acceptance SLA (wait, reroute, escalate or done).
//!
//! # Strategies
//!
//! * `geo_expanding`: distance rings (haversine, Earth radius 6371.0088 km;
//!   a partner exactly on a ring's radius is inside it), then optionally
//!   the lead's country, then optionally the nearest partner anywhere. The
//!   first step with an eligible partner decides; its candidates are drawn
//!   by weight or the nearest wins. Partners without coordinates can only
//!   match the country step.
//! * `weighted_random`: the reproducible draw of [`weighted_draw`]; a weight
//!   of 0 never receives a lead.
//! * `round_robin`: the first eligible partner after the rule's pointer, in
//!   partner-id order, wrapping; a missing pointer, or one naming a partner
//!   that is not listed, starts from the first.
//! * `load_balanced`: lowest `open_leads / capacity`, then fewest open
//!   leads, then partner id.
//! * `score`: a weighted sum of factors, each from 0 to 1, highest wins,
//!   ties by partner id.
//! * `fixed`: a named partner, when eligible.
//!
//! # State
//!
//! prm keeps no state: the [`RoutingState`] (round-robin pointers and running
//! open-lead counts) comes in with each call and the new one goes out with
//! the decision. Routing a batch threads it from lead to lead, and gives
//! exactly what routing the leads one by one would.
//!
//! # Speed
//!
//! A [`LeadRouter`] indexes the partners once: an R*-tree over their
//! coordinates answers ring and nearest queries nearest-first, so a geo rule
//! examines only the partners up to its first ring with a candidate, and a
//! territory rule examines only partners whose territory names the lead's
//! country or region.

mod config;
mod decision;
mod draw;
mod eligibility;
mod geo;
mod lead;
mod partner;
mod route;
mod sla;
mod state;
mod strategy;
mod tally;
mod vocabulary;

pub use config::{
    AcceptancePolicy, DefaultRoute, Eligibility, FactorKind, GeoPick, MAX_ROUTING_RULES,
    ProductMatch, RoutingConfig, RoutingRule, ScoreFactor, Strategy, StrategyKind,
};
pub use decision::{
    Candidate, ExclusionCounts, ExclusionReason, Exclusions, Routed, RoutedBatch, RoutingDecision,
    RoutingOutcome, RuleAttempt,
};
pub use draw::{draw_position, weighted_draw};
pub use geo::{EARTH_RADIUS_KM, haversine_km};
pub use lead::{Company, LEAD_FIELDS, Lead};
pub use partner::{PartnerStats, Pause, RoutingPartner, TerritoryArea};
pub use route::{LeadRouter, route, route_batch};
pub use sla::{Assignment, NextAction, SlaDecision, next_action};
pub use state::RoutingState;
