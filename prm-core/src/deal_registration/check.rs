//! [`check`], [`extend`] and [`expire`], and what they decide.

use super::normalize::{name_similarity, normalize_company_name, normalize_domain, same_domain};
use super::registration::{DealRegistrationPolicy, Registration, RegistrationStatus, Resolution};
use crate::calendar::Date;
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use crate::explain::{Explanation, Outcome, Step};
use crate::money::Decimal;
use crate::partner::PartnerId;
use crate::program::Program;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What a check decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CheckOutcome {
    /// No active registration claims the customer: approved.
    Approve,
    /// Active registrations claim the customer.
    Conflict,
    /// The registration fails the policy (too small, not pending).
    Reject,
}

/// How sure a conflict is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// A similar (not identical) name, and products that do not overlap.
    Low,
    /// A similar name with overlapping products, or the same customer with products that do not overlap.
    Medium,
    /// The same domain or identical normalized name, and overlapping products.
    High,
}

/// What two registrations matched on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchedOn {
    /// The same normalized domain (or one a subdomain of the other).
    Domain,
    /// Normalized names at least as similar as the policy's threshold.
    Name,
}

/// One active registration that claims the same customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Conflict {
    /// The blocking registration.
    pub registration_id: String,
    /// Its partner.
    pub partner_id: PartnerId,
    /// Its status (`approved` or `submitted`).
    pub status: RegistrationStatus,
    /// What matched.
    pub matched_on: MatchedOn,
    /// Name similarity from 0 to 1, to 4 places (1 for a domain match).
    pub similarity: Decimal,
    /// How sure the conflict is.
    pub severity: Severity,
    /// Products both registrations name, sorted.
    pub products_overlap: Vec<String>,
    /// Why it matched, for a person.
    pub reason: String,
}

/// The answer to [`check`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RegistrationDecision {
    /// The registration checked.
    pub registration_id: String,
    /// Approve, conflict or reject.
    pub outcome: CheckOutcome,
    /// The status the registration should take: `approved`, `rejected`, or `submitted` when held for review.
    pub status: RegistrationStatus,
    /// For approvals: `as_of`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_on: Option<Date>,
    /// For approvals: `approved_on` + protection days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<Date>,
    /// For approvals: the protection days used (the tier's, else the policy's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protection_days: Option<u32>,
    /// For conflicts: the policy's resolution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<Resolution>,
    /// For conflicts: each blocking registration, most severe first.
    pub conflicts: Vec<Conflict>,
    /// For rejections: a stable reason (`below_minimum_value`, `not_submitted`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The customer as matched: normalized name and domain.
    pub normalized: NormalizedCustomer,
    /// The steps taken.
    pub explanation: Explanation,
}

/// A customer's normalized name and domain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NormalizedCustomer {
    /// The normalized name, if the customer has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The normalized domain, if the customer has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
}

fn normalized(registration: &Registration, policy: &DealRegistrationPolicy) -> NormalizedCustomer {
    NormalizedCustomer {
        name: registration
            .customer
            .name
            .as_deref()
            .map(|n| normalize_company_name(n, &policy.legal_suffixes))
            .filter(|n| !n.is_empty()),
        domain: registration
            .customer
            .domain
            .as_deref()
            .and_then(normalize_domain),
    }
}

fn policy_of(program: &Program) -> DealRegistrationPolicy {
    program.deal_registration().cloned().unwrap_or_default()
}

/// True when `other` still protects its customer against `registration` on `as_of`:
/// approved and not yet expired, or submitted earlier and still pending.
fn blocks(
    other: &Registration,
    registration: &Registration,
    policy: &DealRegistrationPolicy,
    as_of: Date,
) -> bool {
    match other.status {
        RegistrationStatus::Approved => other.expires_on.is_some_and(|end| as_of < end),
        RegistrationStatus::Submitted => {
            let earlier = (other.submitted_on, other.id.as_str())
                < (registration.submitted_on, registration.id.as_str());
            let lapsed = policy.pending_days.is_some_and(|days| {
                other
                    .submitted_on
                    .add_days(i64::from(days))
                    .is_ok_and(|end| end <= as_of)
            });
            earlier && !lapsed
        }
        _ => false,
    }
}

fn similarity_decimal(value: f64) -> Decimal {
    format!("{value:.4}")
        .parse::<Decimal>()
        .map(|d| Decimal::new(d.value().normalize()))
        .unwrap_or(Decimal::ZERO)
}

/// Checks a submitted registration against the existing ones on `as_of`.
///
/// Only active registrations block: approved and not expired on `as_of`
/// (a registration expires **on** `expires_on`), or submitted earlier and
/// still pending. Expired, rejected, withdrawn, won and lost registrations
/// never block. Two registrations claim the same customer when their
/// normalized domains are equal (or one is a subdomain of the other), or
/// their normalized names are at least `name_similarity` alike; with
/// `require_product_overlap`, registrations whose product lists do not
/// overlap never conflict (a registration without products overlaps all).
///
/// Approval sets `approved_on = as_of` and `expires_on = approved_on +
/// protection days`, where the days come from the partner's tier benefit
/// `deal_protection_days`, else the policy's `default_protection_days` (90).
///
/// # Errors
///
/// * every problem of [`Registration::validate`], under `$.registration` and `$.existing[i]`;
/// * `unknown_reference` at `$.partner_tier` for a tier the program lacks;
/// * `date_out_of_range` when the expiry leaves the calendar.
///
/// # Example
///
/// ```
/// use prm_core::deal_registration::{check, CheckOutcome, Registration};
/// let program = prm_core::Program::from_json(r#"{"schema_version": 1, "currency": "EUR"}"#)?;
/// let a: Registration = serde_json::from_str(r#"{"id": "A-1", "partner_id": "A",
///   "customer": {"name": "Acme Inc", "domain": "acme.com"}, "products": ["X"],
///   "submitted_on": "2024-01-10", "status": "submitted"}"#)?;
/// let approved = check(&program, &a, None, &[], "2024-01-10".parse()?)?;
/// assert_eq!(approved.outcome, CheckOutcome::Approve);
/// assert_eq!(approved.expires_on.map(|d| d.to_string()).as_deref(), Some("2024-04-09"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check(
    program: &Program,
    registration: &Registration,
    partner_tier: Option<&str>,
    existing: &[Registration],
    as_of: Date,
) -> Result<RegistrationDecision, Error> {
    let policy = policy_of(program);
    let currency = program.currency();
    let mut problems = Problems::new();
    problems.take(registration.validate(&JsonPath::root().key("registration"), currency));
    let list = JsonPath::root().key("existing");
    for (i, other) in existing.iter().enumerate() {
        problems.take(other.validate(&list.index(i), currency));
    }
    let mut protection = policy.default_protection_days;
    if let Some(tier) = partner_tier {
        let at = JsonPath::root().key("partner_tier");
        match program.tiers() {
            Some(ladder) => {
                if problems.take(ladder.check_reference(tier, &at)).is_some()
                    && let Some(days) = ladder.benefits(tier).and_then(|b| b.deal_protection_days)
                {
                    protection = days;
                }
            }
            None => problems.push(
                Problem::new(ErrorCode::UnknownReference, at)
                    .message(format!("unknown tier `{tier}`: the program has no tiers")),
            ),
        }
    }
    problems.into_result(())?;

    let mine = normalized(registration, &policy);
    let mut explanation = Explanation::new();
    explanation.push(
        Step::new(
            "deal_registration.normalize",
            Outcome::Info,
            "customer normalized for matching",
        )
        .value("name", mine.name.as_deref().unwrap_or("-"))
        .value("domain", mine.domain.as_deref().unwrap_or("-")),
    );
    let reject =
        |reason: &str, message: String, mut explanation: Explanation, mine: NormalizedCustomer| {
            explanation.push(
                Step::new("deal_registration.policy", Outcome::Failed, message)
                    .value("reason", reason),
            );
            RegistrationDecision {
                registration_id: registration.id.clone(),
                outcome: CheckOutcome::Reject,
                status: RegistrationStatus::Rejected,
                approved_on: None,
                expires_on: None,
                protection_days: None,
                resolution: None,
                conflicts: Vec::new(),
                reason: Some(reason.to_owned()),
                normalized: mine,
                explanation,
            }
        };
    if registration.status != RegistrationStatus::Submitted {
        return Ok(reject(
            "not_submitted",
            format!(
                "only submitted registrations are checked; this one is {}",
                registration.status.as_str()
            ),
            explanation,
            mine,
        ));
    }
    if let (Some(min), Some(value)) = (policy.min_value, registration.amount())
        && value < min.amount()
    {
        return Ok(reject(
            "below_minimum_value",
            format!("value {value} is below the minimum of {}", min.amount()),
            explanation,
            mine,
        ));
    }

    let threshold = policy.name_similarity;
    let mut conflicts = Vec::new();
    for other in existing.iter().filter(|o| o.id != registration.id) {
        if !blocks(other, registration, &policy, as_of) {
            continue;
        }
        let theirs = normalized(other, &policy);
        let (matched_on, similarity) = match (&mine.domain, &theirs.domain) {
            (Some(a), Some(b)) if same_domain(a, b) => (MatchedOn::Domain, Decimal::ONE),
            _ => match (&mine.name, &theirs.name) {
                (Some(a), Some(b)) => {
                    let score = similarity_decimal(name_similarity(a, b));
                    if score < threshold {
                        continue;
                    }
                    (MatchedOn::Name, score)
                }
                _ => continue,
            },
        };
        let mut overlap: Vec<String> = registration
            .products
            .iter()
            .filter(|p| other.products.contains(p))
            .cloned()
            .collect();
        overlap.sort();
        overlap.dedup();
        let unknown_products = registration.products.is_empty() || other.products.is_empty();
        let overlaps = unknown_products || !overlap.is_empty();
        if policy.require_product_overlap && !overlaps {
            explanation.push(Step::new(
                format!("deal_registration.match.{}", other.id),
                Outcome::Skipped,
                format!(
                    "same customer as {} but no product in common, and the policy requires one",
                    other.id
                ),
            ));
            continue;
        }
        let exact = similarity == Decimal::ONE;
        let severity = match (exact, overlaps) {
            (true, true) => Severity::High,
            (false, false) => Severity::Low,
            _ => Severity::Medium,
        };
        let what = match matched_on {
            MatchedOn::Domain => {
                format!("same domain `{}`", theirs.domain.as_deref().unwrap_or(""))
            }
            MatchedOn::Name if exact => format!(
                "same normalized name `{}`",
                theirs.name.as_deref().unwrap_or("")
            ),
            MatchedOn::Name => format!(
                "names `{}` and `{}` are {similarity} alike (threshold {threshold})",
                mine.name.as_deref().unwrap_or(""),
                theirs.name.as_deref().unwrap_or("")
            ),
        };
        let whose = if other.partner_id == registration.partner_id {
            "the same partner's"
        } else {
            "partner"
        };
        let state = match other.status {
            RegistrationStatus::Approved => format!(
                "approved, protected until {}",
                other.expires_on.map_or(String::new(), |d| d.to_string())
            ),
            _ => format!("submitted on {}, pending", other.submitted_on),
        };
        let reason = format!(
            "{what}; {whose} {} registration {} is {state}",
            other.partner_id, other.id
        );
        explanation.push(
            Step::new(
                format!("deal_registration.match.{}", other.id),
                Outcome::Failed,
                reason.clone(),
            )
            .value("similarity", similarity)
            .value("severity", format!("{severity:?}").to_lowercase()),
        );
        conflicts.push(Conflict {
            registration_id: other.id.clone(),
            partner_id: other.partner_id.clone(),
            status: other.status,
            matched_on,
            similarity,
            severity,
            products_overlap: overlap,
            reason,
        });
    }
    conflicts.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.registration_id.cmp(&b.registration_id))
    });

    if !conflicts.is_empty() {
        let status = match policy.resolution {
            Resolution::FirstCome => RegistrationStatus::Rejected,
            Resolution::Review => RegistrationStatus::Submitted,
        };
        explanation.push(Step::new(
            "deal_registration.resolution",
            Outcome::Applied,
            match policy.resolution {
                Resolution::FirstCome => format!(
                    "{} active registration(s) came first: rejected (first come)",
                    conflicts.len()
                ),
                Resolution::Review => format!(
                    "{} active registration(s) claim the customer: held for review",
                    conflicts.len()
                ),
            },
        ));
        return Ok(RegistrationDecision {
            registration_id: registration.id.clone(),
            outcome: CheckOutcome::Conflict,
            status,
            approved_on: None,
            expires_on: None,
            protection_days: None,
            resolution: Some(policy.resolution),
            conflicts,
            reason: None,
            normalized: mine,
            explanation,
        });
    }
    let expires_on = as_of
        .add_days(i64::from(protection))
        .map_err(|e| e.under(&JsonPath::root().key("as_of")))?;
    explanation.push(
        Step::new(
            "deal_registration.approve",
            Outcome::Applied,
            format!("no active registration claims the customer: approved for {protection} days"),
        )
        .value("approved_on", as_of)
        .value("expires_on", expires_on),
    );
    Ok(RegistrationDecision {
        registration_id: registration.id.clone(),
        outcome: CheckOutcome::Approve,
        status: RegistrationStatus::Approved,
        approved_on: Some(as_of),
        expires_on: Some(expires_on),
        protection_days: Some(protection),
        resolution: None,
        conflicts: Vec::new(),
        reason: None,
        normalized: mine,
        explanation,
    })
}

/// What [`extend`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExtensionOutcome {
    /// Protection was extended.
    Extended,
    /// The extension was refused; `reason` says why.
    Refused,
}

/// The answer to [`extend`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ExtensionDecision {
    /// The registration.
    pub registration_id: String,
    /// Extended or refused.
    pub outcome: ExtensionOutcome,
    /// For refusals: `not_approved`, `expired` or `max_extensions_reached`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Expiry before the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_expires_on: Option<Date>,
    /// The registration after the decision (unchanged when refused).
    pub registration: Registration,
    /// The steps taken.
    pub explanation: Explanation,
}

/// Extends an approved registration's protection by the policy's `extension_days`.
///
/// Refused (not an error) when the registration is not approved, has already
/// expired on `as_of`, or has had `max_extensions` extensions.
///
/// # Errors
///
/// Every problem of [`Registration::validate`] under `$.registration`;
/// `date_out_of_range` when the new expiry leaves the calendar.
///
/// # Example
///
/// ```
/// use prm_core::deal_registration::{extend, ExtensionOutcome, Registration};
/// let program = prm_core::Program::from_json(r#"{"schema_version": 1, "currency": "EUR",
///   "deal_registration": {"max_extensions": 1, "extension_days": 30}}"#)?;
/// let r: Registration = serde_json::from_str(r#"{"id": "A-1", "partner_id": "A",
///   "customer": {"domain": "acme.com"}, "submitted_on": "2024-01-10", "status": "approved",
///   "approved_on": "2024-01-10", "expires_on": "2024-04-09"}"#)?;
/// let once = extend(&program, &r, "2024-04-01".parse()?)?;
/// assert_eq!(once.registration.expires_on.map(|d| d.to_string()).as_deref(), Some("2024-05-09"));
/// let twice = extend(&program, &once.registration, "2024-05-01".parse()?)?;
/// assert_eq!(twice.outcome, ExtensionOutcome::Refused); // beyond max_extensions
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn extend(
    program: &Program,
    registration: &Registration,
    as_of: Date,
) -> Result<ExtensionDecision, Error> {
    let policy = policy_of(program);
    registration.validate(&JsonPath::root().key("registration"), program.currency())?;
    let mut explanation = Explanation::new();
    let refuse = |reason: &str, message: String, mut explanation: Explanation| {
        explanation.push(
            Step::new("deal_registration.extend", Outcome::Failed, message).value("reason", reason),
        );
        ExtensionDecision {
            registration_id: registration.id.clone(),
            outcome: ExtensionOutcome::Refused,
            reason: Some(reason.to_owned()),
            previous_expires_on: registration.expires_on,
            registration: registration.clone(),
            explanation,
        }
    };
    let expires_on = match (registration.status, registration.expires_on) {
        (RegistrationStatus::Approved, Some(expires)) => expires,
        _ => {
            return Ok(refuse(
                "not_approved",
                format!(
                    "only approved registrations are extended; this one is {}",
                    registration.status.as_str()
                ),
                explanation,
            ));
        }
    };
    if expires_on <= as_of {
        return Ok(refuse(
            "expired",
            format!("protection ended on {expires_on}"),
            explanation,
        ));
    }
    if registration.extensions >= policy.max_extensions {
        return Ok(refuse(
            "max_extensions_reached",
            format!(
                "{} of {} extensions already used",
                registration.extensions, policy.max_extensions
            ),
            explanation,
        ));
    }
    let new_expiry = expires_on
        .add_days(i64::from(policy.extension_days))
        .map_err(|e| e.under(&JsonPath::root().key("registration").key("expires_on")))?;
    let mut updated = registration.clone();
    updated.expires_on = Some(new_expiry);
    updated.extensions = registration.extensions.saturating_add(1);
    explanation.push(
        Step::new(
            "deal_registration.extend",
            Outcome::Applied,
            format!(
                "extension {} of {}: {} more days",
                updated.extensions, policy.max_extensions, policy.extension_days
            ),
        )
        .value("previous_expires_on", expires_on)
        .value("expires_on", new_expiry),
    );
    Ok(ExtensionDecision {
        registration_id: registration.id.clone(),
        outcome: ExtensionOutcome::Extended,
        reason: None,
        previous_expires_on: Some(expires_on),
        registration: updated,
        explanation,
    })
}

/// One registration that lapses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Lapse {
    /// The registration.
    pub registration_id: String,
    /// Its partner.
    pub partner_id: PartnerId,
    /// Its status before lapsing (`approved` or `submitted`).
    pub previous_status: RegistrationStatus,
    /// The day it lapsed: `expires_on`, or `submitted_on + pending_days`.
    pub expired_on: Date,
}

/// The answer to [`expire`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ExpiryReport {
    /// Registrations that lapse on or before `as_of`, by id; set their status to `expired`.
    pub expired: Vec<Lapse>,
    /// Registrations still active on `as_of`.
    pub active: usize,
    /// The steps taken.
    pub explanation: Explanation,
}

/// Lists the registrations that have lapsed by `as_of`: approved ones whose
/// `expires_on` is on or before it, and, with `pending_days`, submitted ones
/// left undecided that long.
///
/// # Errors
///
/// Every problem of [`Registration::validate`] under `$.registrations[i]`.
///
/// # Example
///
/// ```
/// use prm_core::deal_registration::{expire, Registration};
/// let program = prm_core::Program::from_json(r#"{"schema_version": 1, "currency": "EUR"}"#)?;
/// let r: Vec<Registration> = serde_json::from_str(r#"[{"id": "A-1", "partner_id": "A",
///   "customer": {"domain": "acme.com"}, "submitted_on": "2024-01-10", "status": "approved",
///   "approved_on": "2024-01-10", "expires_on": "2024-04-09"}]"#)?;
/// assert!(expire(&program, &r, "2024-04-08".parse()?)?.expired.is_empty());
/// assert_eq!(expire(&program, &r, "2024-04-09".parse()?)?.expired.len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn expire(
    program: &Program,
    registrations: &[Registration],
    as_of: Date,
) -> Result<ExpiryReport, Error> {
    let policy = policy_of(program);
    let mut problems = Problems::new();
    let list = JsonPath::root().key("registrations");
    for (i, r) in registrations.iter().enumerate() {
        problems.take(r.validate(&list.index(i), program.currency()));
    }
    problems.into_result(())?;
    let mut expired = Vec::new();
    let mut active = 0;
    let mut explanation = Explanation::new();
    for r in registrations {
        let lapsed_on = match r.status {
            RegistrationStatus::Approved => r.expires_on.filter(|end| *end <= as_of),
            RegistrationStatus::Submitted => policy
                .pending_days
                .and_then(|days| r.submitted_on.add_days(i64::from(days)).ok())
                .filter(|end| *end <= as_of),
            _ => continue,
        };
        match lapsed_on {
            Some(day) => {
                explanation.push(Step::new(
                    format!("deal_registration.expire.{}", r.id),
                    Outcome::Applied,
                    match r.status {
                        RegistrationStatus::Approved => format!("protection ended on {day}"),
                        _ => format!(
                            "undecided for {} days, lapsed on {day}",
                            policy.pending_days.unwrap_or(0)
                        ),
                    },
                ));
                expired.push(Lapse {
                    registration_id: r.id.clone(),
                    partner_id: r.partner_id.clone(),
                    previous_status: r.status,
                    expired_on: day,
                });
            }
            None => active += 1,
        }
    }
    expired.sort_by(|a, b| a.registration_id.cmp(&b.registration_id));
    Ok(ExpiryReport {
        expired,
        active,
        explanation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn program(policy: serde_json::Value) -> Program {
        Program::from_value(
            &json!({"schema_version": 1, "currency": "EUR", "deal_registration": policy}),
        )
        .unwrap()
    }

    fn registration(value: serde_json::Value) -> Registration {
        serde_json::from_value(value).unwrap()
    }

    fn acme(status: &str) -> Registration {
        registration(json!({"id": "A-1", "partner_id": "A",
            "customer": {"name": "Acme Inc", "domain": "acme.com"}, "products": ["X"],
            "submitted_on": "2024-01-10", "status": status,
            "approved_on": "2024-01-10", "expires_on": "2024-04-09"}))
    }

    fn day(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn check_reports_a_conflict_with_why_it_matched() {
        let b = registration(
            json!({"id": "B-1", "partner_id": "B", "customer": {"name": "ACME Corp."},
            "products": ["X"], "submitted_on": "2024-02-01", "status": "submitted"}),
        );
        let decision = check(
            &program(json!({})),
            &b,
            None,
            &[acme("approved")],
            day("2024-02-01"),
        )
        .unwrap();
        insta::assert_json_snapshot!("check_conflict", decision);
    }

    #[test]
    fn check_approves_with_the_tier_protection_or_the_default() {
        let b = registration(
            json!({"id": "B-1", "partner_id": "B", "customer": {"name": "Globex"},
            "submitted_on": "2024-02-01", "status": "submitted"}),
        );
        let decision = check(
            &program(json!({"default_protection_days": 45})),
            &b,
            None,
            &[],
            day("2024-02-01"),
        )
        .unwrap();
        assert_eq!(decision.protection_days, Some(45));
        assert_eq!(decision.expires_on, Some(day("2024-03-17")));
    }

    #[test]
    fn review_resolution_keeps_the_duplicate_submitted() {
        let b = registration(
            json!({"id": "B-1", "partner_id": "B", "customer": {"domain": "www.ACME.com"},
            "submitted_on": "2024-02-01", "status": "submitted"}),
        );
        let decision = check(
            &program(json!({"resolution": "review"})),
            &b,
            None,
            &[acme("approved")],
            day("2024-02-01"),
        )
        .unwrap();
        assert_eq!(decision.outcome, CheckOutcome::Conflict);
        assert_eq!(decision.status, RegistrationStatus::Submitted);
        assert_eq!(decision.conflicts[0].matched_on, MatchedOn::Domain);
    }

    #[test]
    fn extend_refuses_beyond_the_maximum() {
        let policy = program(json!({"max_extensions": 2, "extension_days": 10}));
        let once = extend(&policy, &acme("approved"), day("2024-04-01")).unwrap();
        let twice = extend(&policy, &once.registration, day("2024-04-01")).unwrap();
        assert_eq!(twice.registration.expires_on, Some(day("2024-04-29")));
        let thrice = extend(&policy, &twice.registration, day("2024-04-01")).unwrap();
        assert_eq!(thrice.outcome, ExtensionOutcome::Refused);
        assert_eq!(thrice.reason.as_deref(), Some("max_extensions_reached"));
    }

    const INACTIVE: [&str; 5] = ["expired", "rejected", "won", "lost", "withdrawn"];

    proptest! {
        #[test]
        fn prop_inactive_registrations_never_block(status in 0usize..5, offset in 0i64..200) {
            let existing = acme(INACTIVE[status]);
            let as_of = day("2024-01-10").add_days(offset).unwrap();
            let b = registration(json!({"id": "B-1", "partner_id": "B", "customer": {"name": "Acme", "domain": "acme.com"},
                "products": ["X"], "submitted_on": as_of.to_string(), "status": "submitted"}));
            let decision = check(&program(json!({})), &b, None, &[existing], as_of).unwrap();
            prop_assert_eq!(decision.outcome, CheckOutcome::Approve);
        }

        #[test]
        fn prop_approved_blocks_exactly_until_expiry(offset in 0i64..200) {
            let as_of = day("2024-01-10").add_days(offset).unwrap();
            let b = registration(json!({"id": "B-1", "partner_id": "B", "customer": {"name": "ACME Corp"},
                "products": ["X"], "submitted_on": as_of.to_string(), "status": "submitted"}));
            let decision = check(&program(json!({})), &b, None, &[acme("approved")], as_of).unwrap();
            let protected = as_of < day("2024-04-09");
            prop_assert_eq!(decision.outcome == CheckOutcome::Conflict, protected);
        }

        #[test]
        fn prop_normalization_is_idempotent(name in "[A-Za-zÀ-ÿ .,&'-]{0,30}") {
            let once = normalize_company_name(&name, &[]);
            prop_assert_eq!(normalize_company_name(&once, &[]), once.clone());
            if let Some(domain) = normalize_domain(&name) {
                prop_assert_eq!(normalize_domain(&domain), Some(domain.clone()));
            }
        }
    }
}
