//! `scorecards.evaluate`.

use super::{ProgramSource, request, to_value};
use crate::calendar::Date;
use crate::error::{Error, ErrorCode, JsonPath, Problem};
use crate::scorecard::{ScorecardFacts, ScorecardReport, evaluate as evaluate_cards};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The `scorecards.evaluate` request.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct EvaluateRequest {
    /// The program document, with a `scorecards` section.
    #[schemars(with = "crate::Program")]
    #[expect(
        dead_code,
        reason = "read by `program_at` with its own paths; declared for the schema"
    )]
    program: Value,
    /// The day to answer for.
    as_of: Date,
    /// Every partner to evaluate, and the peers percentiles compare with.
    partners: Vec<ScorecardFacts>,
    /// Report only these partners (all are still peers); every partner by default.
    #[serde(default)]
    partner_ids: Option<Vec<String>>,
}

/// `scorecards.evaluate`: scorecards for one partner or many.
pub(super) fn evaluate(value: &Value, source: ProgramSource<'_>) -> Result<Value, Error> {
    let r: EvaluateRequest = request(value)?;
    let program = source.program(value)?;
    let mut report = evaluate_cards(&program, &r.partners, r.as_of)?;
    if let Some(ids) = &r.partner_ids {
        let known: BTreeSet<&str> = r.partners.iter().map(|p| p.partner_id.as_str()).collect();
        if let Some((i, id)) = ids
            .iter()
            .enumerate()
            .find(|(_, id)| !known.contains(id.as_str()))
        {
            return Err(Error::problem(
                Problem::new(
                    ErrorCode::UnknownReference,
                    JsonPath::root().key("partner_ids").index(i),
                )
                .message(format!("partner `{id}` is not among the partners passed")),
            ));
        }
        let wanted: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
        report.scorecards.retain(|c| wanted.contains(c.partner_id));
    }
    let mut by_band: BTreeMap<&'static str, usize> = BTreeMap::new();
    for card in &report.scorecards {
        let band = card.band.map_or("no_data", |b| b.as_str());
        *by_band.entry(band).or_insert(0) += 1;
    }
    to_value(&EvaluateAnswer { report, by_band })
}

/// The `scorecards.evaluate` answer: the scorecards, and how many fall in each band.
#[derive(Serialize, JsonSchema)]
pub(super) struct EvaluateAnswer<'a> {
    /// The windows and one scorecard per partner reported.
    #[serde(flatten)]
    report: ScorecardReport<'a>,
    /// Scorecards by health band (`no_data` for a partner without data).
    by_band: BTreeMap<&'static str, usize>,
}
