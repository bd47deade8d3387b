//! [`compare`]: two versions of the plans over the same transactions.

use super::facts::{CommissionFacts, StatementOptions};
use super::plan::CommissionProgram;
use super::run::{Detail, StatementRun};
use super::statement::{CommissionStatements, StatementTotals};
use super::transaction::Transaction;
use crate::Program;
use crate::error::{Error, JsonPath};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;

/// Baseline and candidate totals, and their difference (candidate minus baseline).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
pub struct TotalsComparison {
    /// Under the baseline.
    pub baseline: StatementTotals,
    /// Under the candidate.
    pub candidate: StatementTotals,
    /// `candidate - baseline`, field by field.
    pub difference: StatementTotals,
}

/// One partner under both versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct PartnerComparison {
    /// The partner.
    pub partner_id: String,
    /// The plan under the baseline (absent when the baseline pays it nothing).
    pub baseline_plan: Option<String>,
    /// The plan under the candidate.
    pub candidate_plan: Option<String>,
    /// The totals.
    #[serde(flatten)]
    pub totals: TotalsComparison,
}

/// The what-if: every partner and the grand totals under two versions of the plans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct PlanComparison {
    /// Each partner, by id.
    pub partners: Vec<PartnerComparison>,
    /// All partners together.
    pub totals: TotalsComparison,
}

/// Runs the same transactions under the program's plans (`baseline`) and
/// under `candidate` (the same program with its `commissions` section
/// replaced), with optional plans forced on each side, and reports each
/// partner's totals and the differences.
///
/// # Errors
///
/// As [`statements`](super::statements), for either side; the candidate
/// section's own problems are reported under `$.candidate`.
///
/// # Example
///
/// ```
/// use prm_core::commission::{self, CommissionFacts, CommissionProgram, StatementOptions, Transaction};
/// let program = prm_core::Program::from_json(r#"{"schema_version": 1, "currency": "EUR",
///   "commissions": {"plans": [{"id": "now", "rates": [{"kind": "percent", "id": "base", "rate": "5%"}]}]}}"#)?;
/// let candidate: CommissionProgram = serde_json::from_str(
///     r#"{"plans": [{"id": "next", "rates": [{"kind": "percent", "id": "base", "rate": "6%"}]}]}"#)?;
/// let sales = [Transaction::sale("T1", "P1", "2026-01-05".parse()?, "1000.00".parse()?)];
/// let options = StatementOptions::as_of("2026-03-31".parse()?);
/// let what_if = commission::compare(&program, Some(&candidate), &sales, &CommissionFacts::default(), &options, None, None)?;
/// assert_eq!(what_if.totals.difference.net.to_string(), "10.00");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn compare(
    program: &Program,
    candidate: Option<&CommissionProgram>,
    transactions: &[Transaction],
    facts: &CommissionFacts,
    options: &StatementOptions,
    baseline_plan: Option<&str>,
    candidate_plan: Option<&str>,
) -> Result<PlanComparison, Error> {
    let with_plan = |plan: Option<&str>| {
        let mut o = options.clone();
        o.plan = plan.map(str::to_owned);
        o
    };
    let run =
        |program: &Program, options: StatementOptions| -> Result<CommissionStatements, Error> {
            let mut run = StatementRun::new(program, facts, options, Detail::Totals)?;
            run.push_all(transactions, &JsonPath::root().key("transactions"));
            run.finish()
        };
    let baseline = run(program, with_plan(baseline_plan))?;
    let candidate_program = match candidate {
        Some(section) => program
            .with_commissions(section.clone())
            .map_err(|e| e.under(&JsonPath::root().key("candidate")))?,
        None => program.clone(),
    };
    let other = run(&candidate_program, with_plan(candidate_plan))?;
    let places = program.currency().minor_units();
    let zero = StatementTotals::zero(places);
    let mut by_partner: BTreeMap<
        String,
        (
            Option<String>,
            StatementTotals,
            Option<String>,
            StatementTotals,
        ),
    > = BTreeMap::new();
    for s in &baseline.statements {
        let entry = by_partner
            .entry(s.partner_id.clone())
            .or_insert((None, zero, None, zero));
        entry.0 = Some(s.plan_id.clone());
        entry.1 = s.totals;
    }
    for s in &other.statements {
        let entry = by_partner
            .entry(s.partner_id.clone())
            .or_insert((None, zero, None, zero));
        entry.2 = Some(s.plan_id.clone());
        entry.3 = s.totals;
    }
    let mut partners = Vec::with_capacity(by_partner.len());
    for (partner_id, (baseline_plan, base, candidate_plan, cand)) in by_partner {
        partners.push(PartnerComparison {
            partner_id,
            baseline_plan,
            candidate_plan,
            totals: TotalsComparison {
                baseline: base,
                candidate: cand,
                difference: cand.checked_sub(&base)?,
            },
        });
    }
    Ok(PlanComparison {
        partners,
        totals: TotalsComparison {
            baseline: baseline.totals,
            candidate: other.totals,
            difference: other.totals.checked_sub(&baseline.totals)?,
        },
    })
}
