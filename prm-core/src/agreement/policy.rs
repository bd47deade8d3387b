//! [`AgreementPolicy`]: the `agreements` section, what each activity requires, and [`compliance`].

use super::term::{Agreement, AgreementStatus};
use crate::calendar::{Date, ReminderSchedule};
use crate::certification::{CertificationCatalog, CertificationRequirement, Holdings};
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use crate::explain::{Explanation, Outcome, Step};
use crate::partner::Person;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

fn default_expiring_days() -> u32 {
    30
}

/// One kind of agreement the program uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AgreementKind {
    /// Its id (`reseller`, `nda`, `mdf_terms`, `dpa`).
    pub id: String,
    /// Its name, for reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Something a partner does that the program can make conditional on compliance.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Activity {
    /// Receiving routed leads.
    ReceiveLeads,
    /// Requesting market development funds.
    RequestMdf,
    /// Earning commission.
    EarnCommission,
    /// Registering deals.
    RegisterDeals,
}

impl Activity {
    /// The wire spelling (`receive_leads`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Activity::ReceiveLeads => "receive_leads",
            Activity::RequestMdf => "request_mdf",
            Activity::EarnCommission => "earn_commission",
            Activity::RegisterDeals => "register_deals",
        }
    }
}

/// What must hold on a day: agreements in force and certification requirements.
///
/// Used for each activity's compliance and for the onboarding checklist.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Requirements {
    /// Agreement kinds that must each have an agreement in force.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agreements: Vec<String>,
    /// Certification requirements, by a name of the program's choosing.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub certifications: BTreeMap<String, CertificationRequirement>,
}

/// The `agreements` section of the program document.
///
/// ```
/// use prm_core::agreement::AgreementPolicy;
/// let policy: AgreementPolicy = serde_json::from_str(r#"{
///   "kinds": [{"id": "reseller"}, {"id": "nda"}, {"id": "mdf_terms"}],
///   "expiring_days": 45,
///   "reminder_days": [60, 30, 7],
///   "activities": {
///     "receive_leads": {"agreements": ["reseller", "nda"]},
///     "request_mdf": {"agreements": ["reseller", "mdf_terms"]}
///   }
/// }"#)?;
/// assert!(policy.validate(None, &prm_core::JsonPath::root()).is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AgreementPolicy {
    /// The agreement kinds the program uses.
    pub kinds: Vec<AgreementKind>,
    /// The warning horizon: `expiring` or `in_notice_period` this many days before an end
    /// or a notice deadline (30 by default).
    #[serde(default = "default_expiring_days")]
    pub expiring_days: u32,
    /// Days before a notice deadline (or an end without renewal) to remind.
    #[serde(default, skip_serializing_if = "ReminderSchedule::is_empty")]
    pub reminder_days: ReminderSchedule,
    /// What each activity requires.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub activities: BTreeMap<Activity, Requirements>,
}

impl AgreementPolicy {
    /// Checks kinds, the schedule and every requirement; problems are reported under `path`.
    ///
    /// # Errors
    ///
    /// * `duplicate_id` for a kind listed twice;
    /// * `unknown_reference` for a requirement naming an unknown agreement kind (with a
    ///   suggestion) or certification;
    /// * `invalid_value` for a day repeated in `reminder_days`.
    pub fn validate(
        &self,
        catalog: Option<&CertificationCatalog>,
        path: &JsonPath,
    ) -> Result<(), Error> {
        let mut problems = Problems::new();
        let mut seen = BTreeSet::new();
        for (i, kind) in self.kinds.iter().enumerate() {
            if !seen.insert(kind.id.as_str()) {
                problems.push(
                    Problem::new(ErrorCode::DuplicateId, path.key("kinds").index(i).key("id"))
                        .message(format!("agreement kind `{}` is listed twice", kind.id)),
                );
            }
        }
        problems.take(self.reminder_days.validate(&path.key("reminder_days")));
        for (activity, requirements) in &self.activities {
            problems.take(self.check_requirements(
                requirements,
                catalog,
                &path.key("activities").key(activity.as_str()),
            ));
        }
        problems.into_result(())
    }

    /// Checks a set of requirements against the kinds and the catalog.
    ///
    /// # Errors
    ///
    /// `unknown_reference` for an unknown agreement kind or certification.
    pub fn check_requirements(
        &self,
        requirements: &Requirements,
        catalog: Option<&CertificationCatalog>,
        path: &JsonPath,
    ) -> Result<(), Error> {
        let mut problems = Problems::new();
        for (i, kind) in requirements.agreements.iter().enumerate() {
            problems.take(self.check_kind(kind, &path.key("agreements").index(i)));
        }
        for (name, requirement) in &requirements.certifications {
            problems.take(requirement.validate(catalog, &path.key("certifications").key(name)));
        }
        problems.into_result(())
    }

    /// Checks that `kind` is one of the program's agreement kinds.
    ///
    /// # Errors
    ///
    /// `unknown_reference` with the closest kind as a suggestion.
    pub fn check_kind(&self, kind: &str, path: &JsonPath) -> Result<(), Error> {
        if self.kinds.iter().any(|k| k.id == kind) {
            return Ok(());
        }
        let mut problem = Problem::new(ErrorCode::UnknownReference, path).message(format!(
            "unknown agreement kind `{kind}`; the program's kinds are {}",
            self.kinds
                .iter()
                .map(|k| format!("`{}`", k.id))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        if let Some(close) =
            crate::input::did_you_mean(kind, self.kinds.iter().map(|k| k.id.as_str()))
        {
            problem = problem.help(format!("did you mean `{close}`?"));
        }
        Err(Error::problem(problem))
    }
}

/// One partner's records that compliance and checklists are read from.
#[derive(Debug, Clone, Copy)]
pub struct PartnerRecords<'a> {
    /// The partner.
    pub partner_id: &'a str,
    /// Its agreements (others' are ignored).
    pub agreements: &'a [Agreement],
    /// Its people.
    pub people: &'a [Person],
    /// Its people's awards read against the catalog; `None` when the program has no catalog.
    pub holdings: Option<&'a Holdings<'a>>,
}

/// What kind of thing a checklist item asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// An agreement of a kind, in force.
    Agreement,
    /// A certification requirement.
    Certification,
    /// A document provided.
    Document,
}

/// One thing that must hold, and whether it does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ChecklistItem {
    /// `agreement:reseller`, `certification:sales`, `document:insurance`.
    pub item: String,
    /// What kind of thing it asks for.
    pub kind: ItemKind,
    /// True when it holds.
    pub done: bool,
    /// What was found, in one sentence.
    pub detail: String,
    /// For agreements: the best status found among the partner's agreements of the kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<AgreementStatus>,
    /// For certifications: how many more people are needed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shortfall: Option<u32>,
}

impl Requirements {
    /// True when nothing is required.
    pub fn is_empty(&self) -> bool {
        self.agreements.is_empty() && self.certifications.is_empty()
    }

    /// Each requirement checked on `as_of`: agreements first (in order), then certifications
    /// (by name).
    ///
    /// # Errors
    ///
    /// An agreement's own errors (`limit_exceeded`, `date_out_of_range`).
    pub fn check(
        &self,
        records: &PartnerRecords<'_>,
        horizon_days: u32,
        as_of: Date,
    ) -> Result<Vec<ChecklistItem>, Error> {
        let mut items = Vec::with_capacity(self.agreements.len() + self.certifications.len());
        for kind in &self.agreements {
            let mut best: Option<(AgreementStatus, String, String)> = None;
            for agreement in records
                .agreements
                .iter()
                .filter(|a| a.partner_id == records.partner_id && &a.kind == kind)
            {
                let report = agreement.status(as_of, horizon_days)?;
                let rank = |s: AgreementStatus| (s.in_force(), s);
                if best
                    .as_ref()
                    .is_none_or(|(s, _, _)| rank(report.status) > rank(*s))
                {
                    best = Some((report.status, agreement.id.clone(), report.reason));
                }
            }
            let (done, detail, status) = match best {
                Some((status, id, reason)) => (
                    status.in_force(),
                    format!("{id} is {}: {reason}", status.as_str()),
                    Some(status),
                ),
                None => (false, format!("no {kind} agreement on file"), None),
            };
            items.push(ChecklistItem {
                item: format!("agreement:{kind}"),
                kind: ItemKind::Agreement,
                done,
                detail,
                status,
                shortfall: None,
            });
        }
        for (name, requirement) in &self.certifications {
            let (done, detail, shortfall) = match records.holdings {
                Some(holdings) => {
                    let count = requirement.count(holdings, records.people, as_of);
                    let detail = if count.met {
                        format!(
                            "{} of {} required people hold {}",
                            count.holders,
                            count.required,
                            requirement.describe()
                        )
                    } else {
                        requirement.shortfall_words(&count)
                    };
                    (count.met, detail, Some(count.shortfall))
                }
                None => (false, "no certification records".to_owned(), None),
            };
            items.push(ChecklistItem {
                item: format!("certification:{name}"),
                kind: ItemKind::Certification,
                done,
                detail,
                status: None,
                shortfall,
            });
        }
        Ok(items)
    }
}

/// Whether a partner may do an activity on a day, and what is missing when it may not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ComplianceReport {
    /// The partner.
    pub partner_id: String,
    /// The activity.
    pub activity: Activity,
    /// The day.
    pub as_of: Date,
    /// True when every requirement holds.
    pub compliant: bool,
    /// Every requirement, checked.
    pub items: Vec<ChecklistItem>,
    /// The items that do not hold.
    pub missing: Vec<String>,
    /// The explanation.
    pub explanation: Explanation,
}

/// Whether `records.partner_id` may do `activity` on `as_of` under `policy`.
///
/// An activity the policy does not name requires nothing.
///
/// # Errors
///
/// An agreement's own errors (`limit_exceeded`, `date_out_of_range`).
///
/// # Example
///
/// ```
/// use prm_core::agreement::{Activity, Agreement, AgreementPolicy, PartnerRecords, compliance};
/// let policy: AgreementPolicy = serde_json::from_str(r#"{"kinds": [{"id": "reseller"}],
///   "activities": {"receive_leads": {"agreements": ["reseller"]}}}"#)?;
/// let signed: Vec<Agreement> = serde_json::from_str(r#"[{"id": "R-1", "partner_id": "p1",
///   "kind": "reseller", "signed_on": "2025-01-01", "effective_from": "2025-01-01"}]"#)?;
/// let records = PartnerRecords { partner_id: "p1", agreements: &signed, people: &[], holdings: None };
/// let report = compliance(&policy, &records, Activity::ReceiveLeads, "2025-06-01".parse()?)?;
/// assert!(report.compliant);
/// let none = PartnerRecords { agreements: &[], ..records };
/// let report = compliance(&policy, &none, Activity::ReceiveLeads, "2025-06-01".parse()?)?;
/// assert_eq!(report.missing, ["agreement:reseller"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn compliance(
    policy: &AgreementPolicy,
    records: &PartnerRecords<'_>,
    activity: Activity,
    as_of: Date,
) -> Result<ComplianceReport, Error> {
    let mut explanation = Explanation::new();
    let items = match policy.activities.get(&activity) {
        Some(requirements) => requirements.check(records, policy.expiring_days, as_of)?,
        None => {
            explanation.push(Step::new(
                format!("compliance.{}", activity.as_str()),
                Outcome::Info,
                format!("the program requires nothing for {}", activity.as_str()),
            ));
            Vec::new()
        }
    };
    for item in &items {
        explanation.push(Step::new(
            format!("compliance.{}.{}", activity.as_str(), item.item),
            if item.done {
                Outcome::Met
            } else {
                Outcome::Failed
            },
            item.detail.clone(),
        ));
    }
    let missing: Vec<String> = items
        .iter()
        .filter(|i| !i.done)
        .map(|i| i.item.clone())
        .collect();
    Ok(ComplianceReport {
        partner_id: records.partner_id.to_owned(),
        activity,
        as_of,
        compliant: missing.is_empty(),
        items,
        missing,
        explanation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn policy() -> AgreementPolicy {
        serde_json::from_value(json!({"kinds": [{"id": "reseller"}, {"id": "nda"}],
            "activities": {"receive_leads": {"agreements": ["reseller", "nda"]}}}))
        .unwrap()
    }

    #[test]
    fn validate_suggests_a_known_kind() {
        let mut p = policy();
        p.activities
            .entry(Activity::RequestMdf)
            .or_default()
            .agreements
            .push("resseller".into());
        let err = p.validate(None, &JsonPath::root()).unwrap_err();
        let problem = &err.problems()[0];
        assert_eq!(problem.path(), "$.activities.request_mdf.agreements[0]");
        assert_eq!(problem.suggestion(), Some("did you mean `reseller`?"));
    }

    #[test]
    fn compliance_lists_each_missing_agreement() {
        let agreements: Vec<Agreement> = serde_json::from_value(json!([
            {"id": "N", "partner_id": "p", "kind": "nda", "effective_from": "2025-01-01"}
        ]))
        .unwrap();
        let records = PartnerRecords {
            partner_id: "p",
            agreements: &agreements,
            people: &[],
            holdings: None,
        };
        let report = compliance(
            &policy(),
            &records,
            Activity::ReceiveLeads,
            "2025-02-01".parse().unwrap(),
        )
        .unwrap();
        assert_eq!(report.missing, ["agreement:reseller", "agreement:nda"]);
        assert_eq!(
            report.items[1].status,
            Some(AgreementStatus::PendingSignature)
        );
    }

    #[test]
    fn an_unnamed_activity_requires_nothing() {
        let records = PartnerRecords {
            partner_id: "p",
            agreements: &[],
            people: &[],
            holdings: None,
        };
        let report = compliance(
            &policy(),
            &records,
            Activity::EarnCommission,
            "2025-02-01".parse().unwrap(),
        )
        .unwrap();
        assert!(report.compliant);
    }
}
