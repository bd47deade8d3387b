//! `tiers.evaluate`: qualification and the tier lifecycle, for one partner or a batch.

use super::{program_at, request, to_value};
use crate::calendar::Date;
use crate::error::{Error, ErrorCode, JsonPath, Problem};
use crate::tier::{self, PartnerFacts};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The `tiers.evaluate` request: one `partner`, or a batch of `partners`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct EvaluateRequest {
    /// The program document, with a `tiers` section.
    #[schemars(with = "crate::Program")]
    #[expect(
        dead_code,
        reason = "read by `program_at` with its own paths; declared for the schema"
    )]
    program: Value,
    /// The day of the evaluation.
    as_of: Date,
    /// One partner's facts and assignment.
    #[serde(default)]
    partner: Option<PartnerFacts>,
    /// Many partners' facts and assignments; decisions come back in partner id order.
    #[serde(default)]
    partners: Option<Vec<PartnerFacts>>,
}

/// `tiers.evaluate`: `{"program", "as_of", "partner"}` → `{"decision"}`, or
/// `{"program", "as_of", "partners"}` → `{"decisions", "summary"}`.
pub(super) fn evaluate(value: &Value) -> Result<Value, Error> {
    let r: EvaluateRequest = request(value)?;
    let program = program_at(value)?;
    if program.tiers().is_none() {
        return Err(Error::problem(
            Problem::new(
                ErrorCode::MissingField,
                JsonPath::root().key("program").key("tiers"),
            )
            .message("the program has no tier section")
            .help("add a `tiers` section with at least one tier"),
        ));
    }
    match (r.partner, r.partners) {
        (Some(partner), None) => {
            let at = JsonPath::root().key("partner");
            let mut decision =
                tier::evaluate(&program, &partner, r.as_of).map_err(|e| e.under(&at))?;
            decision.problems = decision
                .problems
                .into_iter()
                .map(|p| p.under(&at))
                .collect();
            Ok(json!({ "decision": to_value(&decision)? }))
        }
        (None, Some(partners)) => {
            let at = JsonPath::root().key("partners");
            let mut decisions =
                tier::evaluate_batch(&program, &partners, r.as_of).map_err(|e| e.under(&at))?;
            for decision in &mut decisions {
                let moved = std::mem::take(&mut decision.problems);
                decision.problems = moved.into_iter().map(|p| p.under(&at)).collect();
            }
            let mut by_tier: BTreeMap<String, usize> = BTreeMap::new();
            let mut by_decision: BTreeMap<&str, usize> = BTreeMap::new();
            for decision in &decisions {
                let tier = decision.tier.as_deref().unwrap_or("none").to_owned();
                *by_tier.entry(tier).or_insert(0) += 1;
                *by_decision.entry(decision.kind.as_str()).or_insert(0) += 1;
            }
            Ok(json!({
                "decisions": to_value(&decisions)?,
                "summary": {"partners": decisions.len(), "by_tier": by_tier, "by_decision": by_decision},
            }))
        }
        (partner, _) => Err(Error::problem(
            Problem::new(
                ErrorCode::MissingField,
                JsonPath::root().key(if partner.is_some() {
                    "partners"
                } else {
                    "partner"
                }),
            )
            .message(if partner.is_some() {
                "give either `partner` or `partners`, not both"
            } else {
                "missing `partner` (one partner's facts) or `partners` (a batch)"
            }),
        )),
    }
}
