//! [`RoutingState`]: what routing remembers between calls, kept by the host.

use crate::partner::PartnerId;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The state routing threads from one lead to the next; the host stores it between calls.
///
/// * `round_robin`: the last partner each round-robin rule picked, by rule id.
/// * `open_leads`: prm's running count of open leads, by partner id. A count
///   here replaces the partner's own `open_leads` (the host's snapshot); every
///   assignment adds one. A host that refreshes `open_leads` from its CRM
///   should drop the counts it has refreshed.
///
/// ```
/// use prm_core::routing::RoutingState;
/// let state: RoutingState = serde_json::from_str(
///     r#"{"round_robin": {"inbound": "P0002"}, "open_leads": {"P0002": 5}}"#)?;
/// assert_eq!(state.round_robin.get("inbound").map(String::as_str), Some("P0002"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoutingState {
    /// The last partner picked by each round-robin rule.
    #[serde(default)]
    pub round_robin: BTreeMap<String, PartnerId>,
    /// Open leads per partner, replacing the partners' own counts.
    #[serde(default)]
    pub open_leads: BTreeMap<PartnerId, u32>,
}
