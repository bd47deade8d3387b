//! [`ScorecardFacts`]: one partner's raw records for its scorecard, and [`LeadRecord`].

use crate::calendar::Date;
use crate::certification::Award;
use crate::metric::{Observation, Sale};
use crate::money::Decimal;
use crate::partner::{PartnerId, Person};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A lead routed to the partner, and what the partner did with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadRecord {
    /// The lead's id, for the host's reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The day it was assigned.
    pub date: Date,
    /// `true` accepted, `false` declined; absent while unanswered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted: Option<bool>,
    /// Hours from assignment to the partner's answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_hours: Option<Decimal>,
    /// True when it became a customer.
    #[serde(default)]
    pub converted: bool,
}

/// A KPI value the host computes itself, for the window and the previous window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GivenKpi {
    /// The value over the window; absent when there is no data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<Decimal>,
    /// The value over the previous window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<Decimal>,
}

/// The partner's MDF this fiscal quarter, pre-aggregated by the host's MDF ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MdfUse {
    /// Funds available to the partner this quarter.
    pub funds: Decimal,
    /// Funds used (paid plus open commitments).
    pub spent: Decimal,
}

/// One partner's facts for its scorecard.
///
/// Records not passed (`null` or absent) and records passed empty differ, as
/// for tier metrics: KPIs that need records not passed have no data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScorecardFacts {
    /// The partner.
    pub partner_id: PartnerId,
    /// Its tier, for tier peers and the certification-expiry signal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// Its region, for region peers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Sales and refunds (the same records tier metrics read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sales: Option<Vec<Sale>>,
    /// Leads routed to the partner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leads: Option<Vec<LeadRecord>>,
    /// Observations of named series (satisfaction, registrations approved, opportunities closed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observations: Option<Vec<Observation>>,
    /// The partner's people.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub people: Vec<Person>,
    /// Their certification awards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub awards: Option<Vec<Award>>,
    /// Host-computed KPI values, by KPI id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub given: BTreeMap<String, GivenKpi>,
    /// MDF use this quarter, for the unused-MDF signal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mdf: Option<MdfUse>,
}
