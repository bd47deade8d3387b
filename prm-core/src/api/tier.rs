//! `tiers.evaluate`: qualification and the tier lifecycle, for one partner or a batch.

use super::{ProgramSource, request, to_value};
use crate::calendar::Date;
use crate::error::{Error, ErrorCode, JsonPath, Problem};
use crate::tier::{self, PartnerFacts, TierDecision};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
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
pub(super) fn evaluate(value: &Value, source: ProgramSource<'_>) -> Result<Value, Error> {
    let r: EvaluateRequest = request(value)?;
    let program = source.program(value)?;
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
            to_value(&EvaluateAnswer {
                decision: Some(decision),
                decisions: None,
                summary: None,
            })
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
            let mut by_decision: BTreeMap<String, usize> = BTreeMap::new();
            for decision in &decisions {
                let tier = decision.tier.as_deref().unwrap_or("none").to_owned();
                *by_tier.entry(tier).or_insert(0) += 1;
                *by_decision
                    .entry(decision.kind.as_str().to_owned())
                    .or_insert(0) += 1;
            }
            let summary = BatchSummary {
                partners: decisions.len(),
                by_tier,
                by_decision,
            };
            to_value(&EvaluateAnswer {
                decision: None,
                decisions: Some(decisions),
                summary: Some(summary),
            })
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

/// The `tiers.evaluate` answer: `decision` for one partner, or `decisions`
/// and `summary` for a batch.
#[derive(Serialize, JsonSchema)]
pub(super) struct EvaluateAnswer {
    /// The decision for the one `partner` of the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    decision: Option<TierDecision>,
    /// One decision per partner of the batch, in partner id order.
    #[serde(skip_serializing_if = "Option::is_none")]
    decisions: Option<Vec<TierDecision>>,
    /// The batch in counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<BatchSummary>,
}

/// How a batch of partners came out.
#[derive(Serialize, JsonSchema)]
pub(super) struct BatchSummary {
    /// Partners evaluated.
    partners: usize,
    /// Partners by the tier the decision leads to (`none` for no tier).
    by_tier: BTreeMap<String, usize>,
    /// Partners by decision (`keep`, `upgrade`, `at_risk`, ...).
    by_decision: BTreeMap<String, usize>,
}
