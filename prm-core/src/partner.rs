//! [`Partner`] and [`Person`]: who sells for the vendor, and who works there.

use crate::calendar::Date;
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A partner's id, unique within a program's facts.
pub type PartnerId = String;
/// A person's id.
pub type PersonId = String;

/// What a partner does for the vendor.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PartnerKind {
    /// Buys and resells.
    Reseller,
    /// Sells to resellers (the upper level of a two-tier program).
    Distributor,
    /// Refers customers for a fee.
    Referral,
    /// Implements and integrates.
    Integrator,
    /// Managed service provider.
    Msp,
    /// Advises customers.
    Consultant,
    /// Operates a franchise.
    Franchisee,
    /// Anything else.
    Other,
}

/// Where a partner stands in the program.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PartnerStatus {
    /// Has applied.
    Applicant,
    /// Accepted, completing onboarding.
    Onboarding,
    /// In good standing.
    Active,
    /// Temporarily excluded.
    Suspended,
    /// Left the program.
    Terminated,
}

/// A point on Earth in decimal degrees (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// Latitude, -90 to 90.
    pub lat: f64,
    /// Longitude, -180 to 180.
    pub lon: f64,
}

impl Location {
    /// Checks that both coordinates are finite and in range.
    ///
    /// # Errors
    ///
    /// `out_of_range` at `path.lat` or `path.lon`.
    pub fn validate(&self, path: &JsonPath) -> Result<(), Error> {
        let mut problems = Problems::new();
        for (name, value, limit) in [("lat", self.lat, 90.0), ("lon", self.lon, 180.0)] {
            if !value.is_finite() || value.abs() > limit {
                problems.push(Problem::new(ErrorCode::OutOfRange, path.key(name)).message(
                    format!(
                        "{name} must be a finite number from -{limit} to {limit}, found {value}"
                    ),
                ));
            }
        }
        problems.into_result(())
    }
}

/// A company that sells or refers for the vendor.
///
/// ```
/// use prm_core::Partner;
/// let p: Partner = serde_json::from_str(r#"{
///   "id": "p-001", "name": "Alpenblick IT GmbH", "kind": "reseller", "status": "active",
///   "country": "AT", "joined_on": "2023-04-01"
/// }"#)?;
/// assert_eq!(p.country, "AT");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Partner {
    /// Unique id.
    pub id: PartnerId,
    /// Display name.
    pub name: String,
    /// What the partner does.
    pub kind: PartnerKind,
    /// Where it stands in the program.
    pub status: PartnerStatus,
    /// ISO 3166-1 alpha-2 country code, upper case (`DE`).
    pub country: String,
    /// A region name the program uses (`DACH`, `EMEA-North`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Postal code, as written in the country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// Coordinates, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Languages spoken (ISO 639-1, `de`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
    /// Specializations (`security`, `cloud`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub specializations: Vec<String>,
    /// Products the partner is authorized to sell.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<String>,
    /// The distributor above this reseller, in two-tier programs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<PartnerId>,
    /// When the partner joined the program.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joined_on: Option<Date>,
}

impl Partner {
    /// Checks the country code and coordinates; problems are reported under `path`.
    ///
    /// # Errors
    ///
    /// `invalid_value` for a country that is not two upper-case letters;
    /// `out_of_range` for coordinates outside the globe.
    pub fn validate(&self, path: &JsonPath) -> Result<(), Error> {
        let mut problems = Problems::new();
        if let Err(e) = validate_country(&self.country, &path.key("country")) {
            problems.extend(e.problems().iter().cloned());
        }
        if let Some(location) = &self.location {
            problems.take(location.validate(&path.key("location")));
        }
        if self.parent_id.as_deref() == Some(self.id.as_str()) {
            problems.push(
                Problem::new(ErrorCode::InvalidValue, path.key("parent_id"))
                    .message(format!("partner `{}` names itself as its parent", self.id)),
            );
        }
        problems.into_result(())
    }
}

/// Checks an ISO 3166-1 alpha-2 code's shape: two upper-case ASCII letters.
///
/// # Errors
///
/// `invalid_value` at `path` otherwise.
pub fn validate_country(code: &str, path: &JsonPath) -> Result<(), Error> {
    if code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(Error::problem(
            Problem::new(ErrorCode::InvalidValue, path).message(format!(
                "expected an ISO 3166-1 alpha-2 country code such as `DE`, found `{code}`"
            )),
        ))
    }
}

/// Someone working at a partner. Certifications belong to people; tiers count distinct people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// Unique id.
    pub id: PersonId,
    /// The partner the person works for.
    pub partner_id: PartnerId,
    /// Roles (`sales`, `presales`, `engineer`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// First day at the partner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_from: Option<Date>,
    /// Last day at the partner, inclusive; absent while still there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_to: Option<Date>,
}

impl Person {
    /// True when the person works at the partner on `date`.
    pub fn is_active_on(&self, date: Date) -> bool {
        self.active_from.is_none_or(|from| from <= date)
            && self.active_to.is_none_or(|to| date <= to)
    }
}
