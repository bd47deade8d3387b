//! [`RoutingPartner`]: a partner as routing sees it, with its tier, capacity,
//! pauses, territory, certifications and performance.

use crate::calendar::Instant;
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use crate::money::{Decimal, Rate};
use crate::partner::{Partner, validate_country};
use crate::tier::TierId;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A time when the partner takes no leads: `[from, until)`, open-ended without `until`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pause {
    /// The first instant of the pause.
    pub from: Instant,
    /// The first instant after it; absent while the pause lasts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Instant>,
    /// Why (`holiday`, `onboarding new staff`), for the explanation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Pause {
    /// True when `at` falls in the pause.
    pub fn covers(&self, at: Instant) -> bool {
        self.from <= at && self.until.is_none_or(|until| at < until)
    }
}

/// One area of a territory: a country, a region, or postal-code prefixes in a country.
///
/// Every field the area names must match the lead: `{"country": "DE",
/// "postal_prefixes": ["80", "81"]}` covers Munich, `{"region": "CEE"}` every
/// lead in the region `CEE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TerritoryArea {
    /// ISO 3166-1 alpha-2 country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// A region name, as leads carry it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Postal-code prefixes within `country`; empty means the whole country.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub postal_prefixes: Vec<String>,
}

impl TerritoryArea {
    /// True when the lead's country, region and postal code fall in the area.
    pub fn covers(&self, country: &str, region: Option<&str>, postal_code: Option<&str>) -> bool {
        self.country.as_deref().is_none_or(|c| c == country)
            && self.region.as_deref().is_none_or(|r| region == Some(r))
            && (self.postal_prefixes.is_empty()
                || postal_code.is_some_and(|code| {
                    self.postal_prefixes
                        .iter()
                        .any(|p| code.starts_with(p.as_str()))
                }))
    }
}

/// How a partner has performed with leads so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerStats {
    /// Share of offered leads accepted (`0.85` or `"85%"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acceptance_rate: Option<Rate>,
    /// Share of accepted leads won.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversion_rate: Option<Rate>,
    /// Average hours from assignment to acceptance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub average_response_hours: Option<Decimal>,
}

/// A partner as lead routing sees it.
///
/// `lead_weight` overrides the tier's `lead_weight` benefit; without either
/// the weight is 1. `capacity` is the most open leads the partner takes
/// (absent: no limit). An empty `territory` means the partner's own country.
///
/// ```
/// use prm_core::routing::RoutingPartner;
/// let p: RoutingPartner = serde_json::from_str(r#"{
///   "partner": {"id": "P1", "name": "Alpenblick IT GmbH", "kind": "reseller", "status": "active",
///               "country": "AT", "location": {"lat": 48.2082, "lon": 16.3738}},
///   "tier": "gold", "capacity": 20, "open_leads": 4,
///   "territory": [{"country": "AT"}, {"country": "HU"}],
///   "stats": {"acceptance_rate": "90%", "average_response_hours": "6"}
/// }"#)?;
/// assert_eq!(p.id(), "P1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoutingPartner {
    /// The partner's profile.
    pub partner: Partner,
    /// The partner's current tier id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<TierId>,
    /// Weight in weighted draws; overrides the tier's `lead_weight`. 0 never receives a weighted lead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead_weight: Option<Decimal>,
    /// Most open leads the partner takes; absent means no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    /// Leads assigned and not yet closed, as the host counts them.
    #[serde(default)]
    pub open_leads: u32,
    /// Times the partner takes no leads.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paused: Vec<Pause>,
    /// Where the partner may take leads; empty means its own country.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub territory: Vec<TerritoryArea>,
    /// Certification ids the partner holds (through its people).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certifications: Vec<String>,
    /// Performance with leads so far.
    #[serde(default)]
    pub stats: PartnerStats,
    /// Whether the partner may receive leads under the program's compliance rules
    /// (`compliance.check` for `receive_leads`); read by rules with `eligibility.compliance`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compliant: Option<bool>,
}

impl RoutingPartner {
    /// The partner's id.
    pub fn id(&self) -> &str {
        &self.partner.id
    }

    /// True when the lead's country, region and postal code fall in the partner's territory.
    pub fn covers(&self, country: &str, region: Option<&str>, postal_code: Option<&str>) -> bool {
        if self.territory.is_empty() {
            self.partner.country == country
        } else {
            self.territory
                .iter()
                .any(|area| area.covers(country, region, postal_code))
        }
    }

    /// True when a pause covers `at`.
    pub fn paused_at(&self, at: Instant) -> bool {
        self.paused.iter().any(|p| p.covers(at))
    }

    /// Checks the profile, weight, pauses, territory and stats; problems are reported under `path`.
    ///
    /// # Errors
    ///
    /// * everything [`Partner::validate`] reports, under `path.partner`;
    /// * `out_of_range` for a negative `lead_weight`, a rate outside 0 to 1, negative response hours;
    /// * `period_reversed` for a pause that ends before it starts;
    /// * `invalid_value` for a territory area naming neither country nor region, or postal
    ///   prefixes without a country.
    pub fn validate(&self, path: &JsonPath) -> Result<(), Error> {
        let mut problems = Problems::new();
        problems.take(self.partner.validate(&path.key("partner")));
        if let Some(weight) = self.lead_weight.filter(|w| w.is_negative()) {
            problems.push(
                Problem::new(ErrorCode::OutOfRange, path.key("lead_weight"))
                    .message(format!("lead_weight must not be negative, found {weight}"))
                    .help("use 0 to keep the partner out of weighted draws"),
            );
        }
        for (i, pause) in self.paused.iter().enumerate() {
            if let Some(until) = pause.until.filter(|u| *u < pause.from) {
                problems.push(
                    Problem::new(
                        ErrorCode::PeriodReversed,
                        path.key("paused").index(i).key("until"),
                    )
                    .message(format!(
                        "pause ends at {}, before it starts at {}",
                        until.to_rfc3339(),
                        pause.from.to_rfc3339()
                    )),
                );
            }
        }
        for (i, area) in self.territory.iter().enumerate() {
            let at = path.key("territory").index(i);
            if area.country.is_none() && area.region.is_none() {
                problems.push(
                    Problem::new(ErrorCode::InvalidValue, &at)
                        .message("a territory area names neither a country nor a region")
                        .help("add `country` (ISO 3166-1 alpha-2) or `region`"),
                );
            }
            if let Some(country) = &area.country {
                problems.take(validate_country(country, &at.key("country")));
            } else if !area.postal_prefixes.is_empty() {
                problems.push(
                    Problem::new(ErrorCode::InvalidValue, at.key("postal_prefixes"))
                        .message("postal prefixes need the area's `country`"),
                );
            }
        }
        let stats = path.key("stats");
        for (name, rate) in [
            ("acceptance_rate", self.stats.acceptance_rate),
            ("conversion_rate", self.stats.conversion_rate),
        ] {
            if let Some(rate) = rate
                && (rate.fraction().is_negative() || rate.fraction() > Decimal::ONE)
            {
                problems.push(
                    Problem::new(ErrorCode::OutOfRange, stats.key(name))
                        .message(format!("{name} must be from 0 to 1, found {rate}")),
                );
            }
        }
        if let Some(hours) = self
            .stats
            .average_response_hours
            .filter(|h| h.is_negative())
        {
            problems.push(
                Problem::new(ErrorCode::OutOfRange, stats.key("average_response_hours")).message(
                    format!("average_response_hours must not be negative, found {hours}"),
                ),
            );
        }
        problems.into_result(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn partner(extra: serde_json::Value) -> RoutingPartner {
        let mut value = json!({"partner": {"id": "P1", "name": "A", "kind": "reseller",
            "status": "active", "country": "DE"}});
        if let (Some(obj), Some(more)) = (value.as_object_mut(), extra.as_object()) {
            obj.extend(more.clone());
        }
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn empty_territory_is_home_country() {
        let p = partner(json!({}));
        assert!(p.covers("DE", None, None));
        assert!(!p.covers("AT", None, None));
    }

    #[test]
    fn territory_areas_match_country_region_and_prefix() {
        let p = partner(json!({"territory": [
            {"country": "DE", "postal_prefixes": ["80", "81"]}, {"region": "CEE"}]}));
        assert!(p.covers("DE", None, Some("80331")));
        assert!(!p.covers("DE", None, Some("10115")));
        assert!(!p.covers("DE", None, None));
        assert!(p.covers("HU", Some("CEE"), None));
        assert!(!p.covers("HU", None, None));
    }

    #[test]
    fn pause_is_half_open() {
        let p = partner(json!({"paused": [
            {"from": "2026-01-05T00:00:00Z", "until": "2026-01-12T00:00:00Z"}]}));
        assert!(p.paused_at("2026-01-05T00:00:00Z".parse().unwrap()));
        assert!(p.paused_at("2026-01-11T23:59:59+00:00".parse().unwrap()));
        assert!(!p.paused_at("2026-01-12T00:00:00Z".parse().unwrap()));
    }

    #[test]
    fn nan_and_infinite_coordinates_are_refused() {
        let mut p = partner(json!({}));
        p.partner.location = Some(crate::partner::Location {
            lat: f64::NAN,
            lon: f64::INFINITY,
        });
        let err = p.validate(&JsonPath::root()).unwrap_err();
        let codes: Vec<_> = err
            .problems()
            .iter()
            .map(|p| (p.code().as_str(), p.path()))
            .collect();
        assert_eq!(
            codes,
            vec![
                ("out_of_range", "$.partner.location.lat"),
                ("out_of_range", "$.partner.location.lon")
            ]
        );
    }

    #[test]
    fn validate_reports_every_problem() {
        let p = partner(json!({"lead_weight": "-1",
            "paused": [{"from": "2026-01-05T00:00:00Z", "until": "2026-01-01T00:00:00Z"}],
            "territory": [{"postal_prefixes": ["80"]}],
            "stats": {"acceptance_rate": "1.5"}}));
        let err = p.validate(&JsonPath::root()).unwrap_err();
        let codes: Vec<_> = err
            .problems()
            .iter()
            .map(|p| (p.code().as_str(), p.path()))
            .collect();
        assert_eq!(
            codes,
            vec![
                ("out_of_range", "$.lead_weight"),
                ("period_reversed", "$.paused[0].until"),
                ("invalid_value", "$.territory[0]"),
                ("invalid_value", "$.territory[0].postal_prefixes"),
                ("out_of_range", "$.stats.acceptance_rate"),
            ]
        );
    }
}
