//! [`Program`]: one versioned document holding a partner program's whole configuration.
//!
//! The document carries `"schema_version": 1`, the program's currency,
//! rounding mode and fiscal calendar, and one section per engine. Reading it
//! validates every section and every cross-reference and reports all
//! problems at once, each with its JSON path.

use crate::agreement::AgreementPolicy;
use crate::calendar::FiscalCalendar;
use crate::certification::CertificationCatalog;
use crate::commission::CommissionProgram;
use crate::deal_registration::DealRegistrationPolicy;
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use crate::mdf::MdfProgram;
use crate::money::{Currency, RoundingMode};
use crate::onboarding::OnboardingPolicy;
use crate::routing::RoutingConfig;
use crate::scorecard::ScorecardProgram;
use crate::tier::TierProgram;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The document version this prm reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// A partner program's configuration, validated.
///
/// # Example
///
/// ```
/// use prm_core::Program;
/// let program = Program::from_json(r#"{
///   "schema_version": 1,
///   "name": "Northwind Partner Network",
///   "currency": "EUR",
///   "rounding": "half_even",
///   "fiscal_calendar": {"first_month": 7}
/// }"#)?;
/// assert_eq!(program.currency().code(), "EUR");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Example: every problem at once
///
/// ```
/// use prm_core::Program;
/// let err = Program::from_json(r#"{"schema_version": 1, "currency": "EUX", "rounding": "half_evn"}"#)
///     .unwrap_err();
/// let found: Vec<_> = err.problems().iter().map(|p| (p.code().as_str(), p.path())).collect();
/// assert_eq!(found, vec![("unknown_currency", "$.currency"), ("unknown_variant", "$.rounding")]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Program {
    /// Always `1` for this version of prm.
    schema_version: u32,
    /// The program's name, for reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    /// The currency of bare amounts in the document and in facts.
    currency: Currency,
    /// How amounts are rounded to the currency's minor units; `half_even` by default.
    #[serde(default)]
    rounding: RoundingMode,
    /// When the fiscal year starts; calendar years by default.
    #[serde(default)]
    fiscal_calendar: FiscalCalendar,
    /// The certification catalog: what people can earn, for how long.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    certifications: Option<CertificationCatalog>,
    /// The tier ladder and each tier's benefits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tiers: Option<TierProgram>,
    /// Lead routing: rules, default and acceptance SLA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    routing: Option<RoutingConfig>,
    /// Deal registration policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    deal_registration: Option<DealRegistrationPolicy>,
    /// The commission plans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    commissions: Option<CommissionProgram>,
    /// Market development fund programs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mdf: Option<MdfProgram>,
    /// Agreement kinds, reminders, and what each activity requires (compliance).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    agreements: Option<AgreementPolicy>,
    /// Screening of applications and the onboarding checklist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    onboarding: Option<OnboardingPolicy>,
    /// Partner scorecards: KPIs, health bands and signals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scorecards: Option<ScorecardProgram>,
}

impl Program {
    /// Reads and validates a program from JSON text.
    ///
    /// # Errors
    ///
    /// * `malformed_json` when the text is not JSON;
    /// * `empty_document` for an empty document, `null` or `{}`;
    /// * `unsupported_schema_version` for a `schema_version` other than 1;
    /// * every structural and cross-reference problem, each with its path.
    pub fn from_json(text: &str) -> Result<Program, Error> {
        Program::from_value(&parse_json(text)?)
    }

    /// Reads and validates a program from a JSON value.
    ///
    /// # Errors
    ///
    /// As [`Program::from_json`], without `malformed_json`.
    pub fn from_value(value: &Value) -> Result<Program, Error> {
        let root = JsonPath::root();
        let empty = match value {
            Value::Null => true,
            Value::Object(fields) => fields.is_empty(),
            Value::String(s) => s.trim().is_empty(),
            _ => false,
        };
        if empty {
            return Err(Error::problem(
                Problem::new(ErrorCode::EmptyDocument, &root)
                    .message("the program document is empty")
                    .help("start from `{\"schema_version\": 1, \"currency\": \"EUR\"}`"),
            ));
        }
        if let Some(version) = value.get("schema_version")
            && version.as_u64() != Some(u64::from(SCHEMA_VERSION))
        {
            return Err(Error::problem(
                Problem::new(
                    ErrorCode::UnsupportedSchemaVersion,
                    root.key("schema_version"),
                )
                .message(format!("this prm reads schema_version 1, found {version}"))
                .help("upgrade prm, or convert the document to schema_version 1"),
            ));
        }
        let mut program: Program = crate::input::read(value)?;
        program.validate()?;
        Ok(program)
    }

    /// Checks everything serde cannot: ranges and cross-references.
    fn validate(&mut self) -> Result<(), Error> {
        let root = JsonPath::root();
        let mut problems = Problems::new();
        problems.take(
            self.fiscal_calendar
                .validate(&root.key("fiscal_calendar").key("first_month")),
        );
        if let Some(catalog) = &self.certifications {
            problems.take(catalog.validate(&root.key("certifications")));
        }
        // MDF before tiers: tier paths it reports keep the document's order.
        if let Some(mdf) = &mut self.mdf {
            problems.take(mdf.validate(&root.key("mdf"), self.currency, self.tiers.as_ref()));
        }
        if let Some(tiers) = &mut self.tiers {
            // References first: `validate` sorts the tiers by rank, and paths follow the document.
            problems.take(tiers.check_references(self.certifications.as_ref(), &root.key("tiers")));
            problems.take(tiers.validate(&root.key("tiers")));
        }
        if let Some(routing) = &self.routing {
            problems.take(routing.validate(&root.key("routing"), self.tiers.as_ref()));
        }
        if let Some(policy) = &self.deal_registration {
            problems.take(policy.validate(&root.key("deal_registration"), self.currency));
        }
        if let Some(commissions) = &self.commissions {
            problems.take(commissions.validate(
                &root.key("commissions"),
                self.currency,
                self.tiers.as_ref(),
            ));
        }
        if let Some(agreements) = &self.agreements {
            problems
                .take(agreements.validate(self.certifications.as_ref(), &root.key("agreements")));
        }
        if let Some(onboarding) = &self.onboarding {
            problems.take(onboarding.validate(
                self.agreements.as_ref(),
                self.certifications.as_ref(),
                &root.key("onboarding"),
            ));
        }
        if let Some(scorecards) = &self.scorecards {
            problems.take(scorecards.validate(
                self.certifications.as_ref(),
                self.tiers.as_ref(),
                &root.key("scorecards"),
            ));
        }
        problems.into_result(())
    }

    /// The same program with its `commissions` section replaced (for what-if runs).
    ///
    /// # Errors
    ///
    /// Every problem of the new section, with paths from its root (`$.plans[0]...`).
    pub fn with_commissions(&self, commissions: CommissionProgram) -> Result<Program, Error> {
        commissions.validate(&JsonPath::root(), self.currency, self.tiers.as_ref())?;
        let mut program = self.clone();
        program.commissions = Some(commissions);
        Ok(program)
    }

    /// The program as JSON, ready to store and read back with [`Program::from_value`].
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The program's name, if it has one.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The currency of bare amounts.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The rounding mode for every line.
    pub fn rounding(&self) -> RoundingMode {
        self.rounding
    }

    /// The fiscal calendar.
    pub fn fiscal_calendar(&self) -> FiscalCalendar {
        self.fiscal_calendar
    }

    /// The engine sections present in the document, in document order.
    pub fn sections(&self) -> Vec<&'static str> {
        let mut sections = Vec::new();
        if self.certifications.is_some() {
            sections.push("certifications");
        }
        if self.tiers.is_some() {
            sections.push("tiers");
        }
        if self.routing.is_some() {
            sections.push("routing");
        }
        if self.deal_registration.is_some() {
            sections.push("deal_registration");
        }
        if self.commissions.is_some() {
            sections.push("commissions");
        }
        if self.mdf.is_some() {
            sections.push("mdf");
        }
        if self.agreements.is_some() {
            sections.push("agreements");
        }
        if self.onboarding.is_some() {
            sections.push("onboarding");
        }
        if self.scorecards.is_some() {
            sections.push("scorecards");
        }
        sections
    }

    /// The certification catalog, when the program has one.
    pub fn certifications(&self) -> Option<&CertificationCatalog> {
        self.certifications.as_ref()
    }

    /// The tier ladder, when the program has one.
    pub fn tiers(&self) -> Option<&TierProgram> {
        self.tiers.as_ref()
    }

    /// The routing section, when the program has one.
    pub fn routing(&self) -> Option<&RoutingConfig> {
        self.routing.as_ref()
    }

    /// The deal-registration policy, when the program has one.
    pub fn deal_registration(&self) -> Option<&DealRegistrationPolicy> {
        self.deal_registration.as_ref()
    }

    /// The commission plans, when the program has them.
    pub fn commissions(&self) -> Option<&CommissionProgram> {
        self.commissions.as_ref()
    }

    /// The market development fund programs, when the program has them.
    pub fn mdf(&self) -> Option<&MdfProgram> {
        self.mdf.as_ref()
    }

    /// The agreements section, when the program has one.
    pub fn agreements(&self) -> Option<&AgreementPolicy> {
        self.agreements.as_ref()
    }

    /// The onboarding section, when the program has one.
    pub fn onboarding(&self) -> Option<&OnboardingPolicy> {
        self.onboarding.as_ref()
    }

    /// The scorecards section, when the program has one.
    pub fn scorecards(&self) -> Option<&ScorecardProgram> {
        self.scorecards.as_ref()
    }
}

/// Parses JSON text, reporting where it breaks.
///
/// # Errors
///
/// `malformed_json` with the line and column of the first syntax error.
pub fn parse_json(text: &str) -> Result<Value, Error> {
    serde_json::from_str(text).map_err(|e| {
        if e.to_string().starts_with("recursion limit exceeded") {
            return Error::LimitExceeded(vec![
                Problem::new(ErrorCode::NestingTooDeep, JsonPath::root())
                    .message(format!(
                        "the text nests arrays and objects more than {} levels deep (line {}, column {})",
                        crate::limits::MAX_JSON_DEPTH,
                        e.line(),
                        e.column()
                    ))
                    .help("flatten the structure: prm's documents never need more than a few dozen levels"),
            ]);
        }
        let code = if text.trim().is_empty() {
            ErrorCode::EmptyDocument
        } else {
            ErrorCode::MalformedJson
        };
        Error::problem(Problem::new(code, JsonPath::root()).message(format!(
            "not valid JSON at line {}, column {}: {e}",
            e.line(),
            e.column()
        )))
    })
}
