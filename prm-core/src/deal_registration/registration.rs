//! [`Registration`] and [`DealRegistrationPolicy`].

use crate::calendar::Date;
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use crate::money::{Amount, Currency, Decimal};
use crate::partner::{PartnerId, validate_country};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The end customer a deal is registered for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Customer {
    /// The company's name (`ACME Corp.`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its web domain (`acme.com`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// ISO 3166-1 alpha-2 country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// Where a registration stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationStatus {
    /// Submitted, not yet decided.
    Submitted,
    /// Approved: protected until `expires_on`.
    Approved,
    /// Rejected.
    Rejected,
    /// Its protection lapsed.
    Expired,
    /// The deal was won.
    Won,
    /// The deal was lost.
    Lost,
    /// The partner withdrew it.
    Withdrawn,
}

impl RegistrationStatus {
    /// The status as written.
    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationStatus::Submitted => "submitted",
            RegistrationStatus::Approved => "approved",
            RegistrationStatus::Rejected => "rejected",
            RegistrationStatus::Expired => "expired",
            RegistrationStatus::Won => "won",
            RegistrationStatus::Lost => "lost",
            RegistrationStatus::Withdrawn => "withdrawn",
        }
    }
}

/// A partner's claim to a deal with a customer.
///
/// ```
/// use prm_core::deal_registration::Registration;
/// let r: Registration = serde_json::from_str(r#"{
///   "id": "DR-1", "partner_id": "A", "customer": {"name": "Acme Inc", "domain": "acme.com"},
///   "products": ["X"], "value": "25000.00", "submitted_on": "2024-01-10",
///   "status": "approved", "approved_on": "2024-01-10", "expires_on": "2024-04-09"
/// }"#)?;
/// assert_eq!(r.partner_id, "A");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    /// Unique id.
    pub id: String,
    /// The registering partner.
    pub partner_id: PartnerId,
    /// The customer.
    pub customer: Customer,
    /// Products of the deal.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<String>,
    /// The deal's value, in the program's currency unless it names its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Amount>,
    /// When the partner submitted it.
    pub submitted_on: Date,
    /// Where it stands.
    pub status: RegistrationStatus,
    /// When it was approved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_on: Option<Date>,
    /// The first day it is no longer protected (`approved_on` + protection days, plus extensions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<Date>,
    /// Extensions granted so far.
    #[serde(default)]
    pub extensions: u32,
}

impl Registration {
    /// Checks the customer, dates and value; problems are reported under `path`.
    ///
    /// # Errors
    ///
    /// * `deal_registration_no_customer` when the customer has neither name nor domain;
    /// * `invalid_value` for a malformed customer country;
    /// * `deal_registration_missing_approval` for an approved registration without
    ///   `approved_on` or `expires_on`;
    /// * `deal_registration_dates_reversed` for approval before submission or expiry before approval;
    /// * `currency_mismatch`, `money_precision` or `out_of_range` for the value.
    pub fn validate(&self, path: &JsonPath, currency: Currency) -> Result<(), Error> {
        let mut problems = Problems::new();
        let customer = path.key("customer");
        let blank = |s: &Option<String>| s.as_deref().is_none_or(|t| t.trim().is_empty());
        if blank(&self.customer.name) && blank(&self.customer.domain) {
            problems.push(
                Problem::new(ErrorCode::DealRegistrationNoCustomer, &customer)
                    .message("the customer has neither a name nor a domain")
                    .help("give the customer's company name, its web domain, or both"),
            );
        }
        if let Some(country) = &self.customer.country {
            problems.take(validate_country(country, &customer.key("country")));
        }
        if self.status == RegistrationStatus::Approved {
            for (name, value) in [
                ("approved_on", self.approved_on),
                ("expires_on", self.expires_on),
            ] {
                if value.is_none() {
                    problems.push(
                        Problem::new(ErrorCode::DealRegistrationMissingApproval, path.key(name))
                            .message(format!("an approved registration needs `{name}`")),
                    );
                }
            }
        }
        if let Some(approved) = self.approved_on
            && approved < self.submitted_on
        {
            problems.push(
                Problem::new(
                    ErrorCode::DealRegistrationDatesReversed,
                    path.key("approved_on"),
                )
                .message(format!(
                    "approved on {approved}, before it was submitted on {}",
                    self.submitted_on
                )),
            );
        }
        if let (Some(approved), Some(expires)) = (self.approved_on, self.expires_on)
            && expires < approved
        {
            problems.push(
                Problem::new(
                    ErrorCode::DealRegistrationDatesReversed,
                    path.key("expires_on"),
                )
                .message(format!(
                    "expires on {expires}, before it was approved on {approved}"
                )),
            );
        }
        if let Some(value) = self.value {
            problems.take(check_amount(value, currency, &path.key("value")));
        }
        problems.into_result(())
    }

    /// The value's amount, if any.
    pub fn amount(&self) -> Option<Decimal> {
        self.value.map(Amount::amount)
    }
}

/// Checks that an amount is in `currency`, has its precision, and is not negative.
pub(crate) fn check_amount(
    value: Amount,
    currency: Currency,
    path: &JsonPath,
) -> Result<(), Error> {
    let money = value.in_currency(currency, path)?;
    let mut problems = Problems::new();
    if money.currency() != currency {
        problems.push(
            Problem::new(ErrorCode::CurrencyMismatch, path)
                .message(format!(
                    "amount is in {}, the program's currency is {currency}",
                    money.currency()
                ))
                .help(format!("convert it to {currency}")),
        );
    }
    if money.amount().is_negative() {
        problems.push(Problem::new(ErrorCode::OutOfRange, path).message(format!(
            "amount must not be negative, found {}",
            money.amount()
        )));
    }
    problems.into_result(())
}

/// How a later registration for a customer already protected is resolved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// The first registration wins; later duplicates are rejected.
    #[default]
    FirstCome,
    /// Later duplicates are flagged and held for a person to review.
    Review,
}

/// The `deal_registration` section of a program document.
///
/// ```
/// use prm_core::Program;
/// let program = Program::from_json(r#"{"schema_version": 1, "currency": "EUR",
///   "deal_registration": {"default_protection_days": 90, "max_extensions": 2, "extension_days": 30,
///                         "min_value": "5000", "require_product_overlap": true, "resolution": "review"}}"#)?;
/// assert_eq!(program.deal_registration().map(|p| p.max_extensions), Some(2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DealRegistrationPolicy {
    /// Protection days for partners whose tier sets no `deal_protection_days`; 90 by default.
    #[serde(default = "default_protection")]
    pub default_protection_days: u32,
    /// Extensions a registration may get; 1 by default.
    #[serde(default = "default_max_extensions")]
    pub max_extensions: u32,
    /// Days each extension adds; 30 by default.
    #[serde(default = "default_extension_days")]
    pub extension_days: u32,
    /// Registrations below this value are rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_value: Option<Amount>,
    /// Two registrations only conflict when their products overlap (when both list products).
    #[serde(default)]
    pub require_product_overlap: bool,
    /// What happens to a later duplicate; `first_come` by default.
    #[serde(default)]
    pub resolution: Resolution,
    /// Names at least this similar (0 to 1) are the same customer; `0.92` by default.
    #[serde(default = "default_similarity")]
    pub name_similarity: Decimal,
    /// Days a submitted registration waits for a decision before it lapses; absent: forever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_days: Option<u32>,
    /// More legal forms to drop from company names (`holding`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub legal_suffixes: Vec<String>,
}

fn default_protection() -> u32 {
    90
}

fn default_max_extensions() -> u32 {
    1
}

fn default_extension_days() -> u32 {
    30
}

fn default_similarity() -> Decimal {
    Decimal::new(rust_decimal::Decimal::new(92, 2))
}

impl Default for DealRegistrationPolicy {
    fn default() -> DealRegistrationPolicy {
        DealRegistrationPolicy {
            default_protection_days: default_protection(),
            max_extensions: default_max_extensions(),
            extension_days: default_extension_days(),
            min_value: None,
            require_product_overlap: false,
            resolution: Resolution::FirstCome,
            name_similarity: default_similarity(),
            pending_days: None,
            legal_suffixes: Vec::new(),
        }
    }
}

impl DealRegistrationPolicy {
    /// Checks ranges; problems are reported under `path`.
    ///
    /// # Errors
    ///
    /// `out_of_range` for 0 protection days, 0 extension days with extensions allowed,
    /// a similarity outside (0, 1], a negative minimum value; `currency_mismatch` or
    /// `money_precision` for the minimum value.
    pub fn validate(&self, path: &JsonPath, currency: Currency) -> Result<(), Error> {
        let mut problems = Problems::new();
        if self.default_protection_days == 0 {
            problems.push(
                Problem::new(ErrorCode::OutOfRange, path.key("default_protection_days"))
                    .message("default_protection_days must be at least 1, found 0"),
            );
        }
        if self.max_extensions > 0 && self.extension_days == 0 {
            problems.push(
                Problem::new(ErrorCode::OutOfRange, path.key("extension_days"))
                    .message("extension_days must be at least 1 when extensions are allowed")
                    .help("set max_extensions to 0 to allow none"),
            );
        }
        if !is_positive_fraction(self.name_similarity) {
            problems.push(
                Problem::new(ErrorCode::OutOfRange, path.key("name_similarity")).message(format!(
                    "name_similarity must be above 0 and at most 1, found {}",
                    self.name_similarity
                )),
            );
        }
        if let Some(min) = self.min_value {
            problems.take(check_amount(min, currency, &path.key("min_value")));
        }
        problems.into_result(())
    }
}

/// True for a value above 0 and at most 1.
fn is_positive_fraction(value: Decimal) -> bool {
    !value.is_negative() && !value.is_zero() && value <= Decimal::ONE
}
