//! `commission.statement`, `commission.statements` and `commission.compare`.

use super::{ProgramRef, ProgramSource};
use crate::calendar::{Date, Period};
use crate::commission::{
    self, CarryForward, CommissionFacts, CommissionLine, CommissionProgram, CommissionStatements,
    Detail, FxRate, StatementOptions, StatementRun, TierChange, Transaction, TransactionKey,
};
use crate::error::{Error, JsonPath, Problems};
use crate::money::Decimal;
use crate::partner::Partner;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// How much of each statement to return.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(super) enum DetailWire {
    /// Every line with its components (default).
    #[default]
    Lines,
    /// Totals, carry-forward and period-level explanation only.
    Totals,
}

/// The facts and options every commission operation reads.
macro_rules! commission_request {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $field:ident : $ty:ty,)* }) => {
        $(#[$meta])*
        #[derive(Deserialize, JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub(super) struct $name {
            /// The program document; its `commissions` section holds the plans.
            #[schemars(with = "crate::Program")]
            #[expect(dead_code, reason = "read by `program_at` with its own paths; declared for the schema")]
            program: Value,
            /// The transactions: sales, refunds and cancellations, in any order.
            transactions: Vec<Transaction>,
            /// The partners (kind, parent distributor); when given, every transaction's partner must be listed.
            #[serde(default)]
            partners: Option<Vec<Partner>>,
            /// Each partner's tier history, by partner id: `[{"tier", "from"}]`.
            #[serde(default)]
            tier_history: BTreeMap<String, Vec<TierChange>>,
            /// Lines of earlier statements, where refunds find originals from earlier periods.
            #[serde(default)]
            prior_lines: Vec<CommissionLine>,
            /// Each partner's carry-forward from its previous statement.
            #[serde(default)]
            carry_forward: BTreeMap<String, CarryForward>,
            /// Each partner's quota for the period, replacing the plan's accelerator quota.
            #[serde(default)]
            quotas: BTreeMap<String, Decimal>,
            /// FX rates into the program's currency.
            #[serde(default)]
            fx_rates: Vec<FxRate>,
            /// The day the statements are computed: lines payable by then are `payable`.
            as_of: Date,
            /// The statement period; by default each partner's plan period containing `as_of`.
            #[serde(default)]
            period: Option<Period>,
            $($(#[$fmeta])* $field: $ty,)*
        }

        impl $name {
            fn facts(&mut self) -> CommissionFacts {
                CommissionFacts {
                    partners: self.partners.take(),
                    tier_history: std::mem::take(&mut self.tier_history),
                    prior_lines: std::mem::take(&mut self.prior_lines),
                    carry_forward: std::mem::take(&mut self.carry_forward),
                    quotas: std::mem::take(&mut self.quotas),
                    fx_rates: std::mem::take(&mut self.fx_rates),
                }
            }

            fn options(&self, plan: Option<String>) -> Result<StatementOptions, Error> {
                if let Some(period) = &self.period {
                    period.validate(&JsonPath::root().key("period"))?;
                }
                Ok(StatementOptions { as_of: self.as_of, period: self.period, plan })
            }
        }
    };
}

commission_request! {
    /// `commission.statements`: every partner's statement for the period.
    StatementsRequest {
        /// Lines with components (default), or totals only.
        #[serde(default)]
        detail: DetailWire,
        /// Pay every partner under this plan instead of choosing by `applies_to`.
        #[serde(default)]
        plan: Option<String>,
    }
}

commission_request! {
    /// `commission.statement`: one partner's statement for the period.
    StatementRequest {
        /// Lines with components (default), or totals only.
        #[serde(default)]
        detail: DetailWire,
        /// The partner.
        partner_id: String,
        /// Pay the partner under this plan instead of choosing by `applies_to`.
        #[serde(default)]
        plan: Option<String>,
    }
}

commission_request! {
    /// `commission.compare`: the same transactions under two versions of the plans.
    CompareRequest {
        /// The candidate `commissions` section; the program's own when absent.
        #[serde(default)]
        candidate: Option<CommissionProgram>,
        /// A plan to pay everyone under in the baseline.
        #[serde(default)]
        baseline_plan: Option<String>,
        /// A plan to pay everyone under in the candidate.
        #[serde(default)]
        candidate_plan: Option<String>,
    }
}

/// Reads the request and the program together, so problems in both are reported at once.
fn read<'a, T: serde::de::DeserializeOwned + JsonSchema>(
    value: &Value,
    source: ProgramSource<'a>,
) -> Result<(T, ProgramRef<'a>), Error> {
    let request = super::request::<T>(value);
    let program = source.program(value);
    match (request, program) {
        (Ok(r), Ok(p)) => Ok((r, p)),
        (request, program) => {
            let mut problems = Problems::new();
            problems.take(program);
            problems.take(request);
            Err(Error::Invalid(problems.into_vec()))
        }
    }
}

fn detail(wire: DetailWire) -> Detail {
    match wire {
        DetailWire::Lines => Detail::Lines,
        DetailWire::Totals => Detail::Totals,
    }
}

/// `commission.statements`: `{program, transactions, ..., as_of}` → `{statements, totals, outside_period}`.
pub(super) fn statements(value: &Value, source: ProgramSource<'_>) -> Result<Value, Error> {
    statements_with(value, source, &[])
}

/// `commission.statements` with transactions a binding has already read into
/// core types; they follow the request's own, numbered after them.
pub(super) fn statements_with(
    value: &Value,
    source: ProgramSource<'_>,
    more: &[Transaction],
) -> Result<Value, Error> {
    super::to_value(&statements_typed_with(value, source, more)?)
}

/// [`statements_with`], before the statements are written as JSON.
pub(super) fn statements_typed_with(
    value: &Value,
    source: ProgramSource<'_>,
    more: &[Transaction],
) -> Result<CommissionStatements, Error> {
    let (mut r, program) = read::<StatementsRequest>(value, source)?;
    let options = r.options(r.plan.clone())?;
    let facts = r.facts();
    let mut run = StatementRun::new(&program, &facts, options, detail(r.detail))?;
    let path = JsonPath::root().key("transactions");
    if more.is_empty() {
        run.push_all(&r.transactions, &path);
    } else if r.transactions.is_empty() {
        run.push_all(more, &path);
    } else {
        let mut all = std::mem::take(&mut r.transactions);
        all.extend_from_slice(more);
        run.push_all(&all, &path);
    }
    run.finish()
}

/// How many transactions [`statements_in_chunks`] builds at a time.
const CHUNK: usize = 16_384;

/// [`statements_typed_with`] on transactions built a chunk at a time by
/// `fill`, from their `keys`; `None` when the keys are not in stream order,
/// the request lists transactions of its own, or `fill` cannot build a chunk.
pub(super) fn statements_in_chunks(
    value: &Value,
    source: ProgramSource<'_>,
    keys: &[TransactionKey<'_>],
    fill: &mut dyn FnMut(usize, &mut [Transaction]) -> bool,
) -> Result<Option<CommissionStatements>, Error> {
    let (mut r, program) = read::<StatementsRequest>(value, source)?;
    if !r.transactions.is_empty() {
        return Ok(None);
    }
    let options = r.options(r.plan.clone())?;
    let facts = r.facts();
    let mut run = StatementRun::new(&program, &facts, options, detail(r.detail))?;
    if !run.prepare_chunks(keys) {
        return Ok(None);
    }
    let path = JsonPath::root().key("transactions");
    let mut chunk: Vec<Transaction> = Vec::new();
    let mut start = 0;
    while start < keys.len() {
        let len = CHUNK.min(keys.len() - start);
        chunk.resize_with(len, blank);
        if !fill(start, &mut chunk) {
            return Ok(None);
        }
        run.push_chunk(&chunk, &path);
        start += len;
    }
    run.finish().map(Some)
}

/// A transaction for [`statements_in_chunks`]'s `fill` to overwrite.
fn blank() -> Transaction {
    Transaction::sale("", "", Date::default(), Decimal::ZERO)
}

/// `commission.statement`: `{program, partner_id, transactions, ..., as_of}` → the partner's statement.
pub(super) fn statement(value: &Value, source: ProgramSource<'_>) -> Result<Value, Error> {
    let (mut r, program) = read::<StatementRequest>(value, source)?;
    let options = r.options(r.plan.clone())?;
    let facts = r.facts();
    let mut run = StatementRun::new(&program, &facts, options, detail(r.detail))?;
    run.include(&r.partner_id);
    run.push_all(&r.transactions, &JsonPath::root().key("transactions"));
    let all = run.finish()?;
    let found = all
        .statements
        .into_iter()
        .find(|s| s.partner_id == r.partner_id);
    match found {
        Some(statement) => super::to_value(&statement),
        None => Err(Error::problem(
            crate::Problem::new(
                crate::ErrorCode::CommissionNoPlan,
                JsonPath::root().key("partner_id"),
            )
            .message(format!("no statement for partner `{}`", r.partner_id)),
        )),
    }
}

/// `commission.compare`: `{program, candidate, transactions, ..., as_of}` → per-partner and total differences.
pub(super) fn compare(value: &Value, source: ProgramSource<'_>) -> Result<Value, Error> {
    let (mut r, program) = read::<CompareRequest>(value, source)?;
    let options = r.options(None)?;
    let facts = r.facts();
    let comparison = commission::compare(
        &program,
        r.candidate.as_ref(),
        &r.transactions,
        &facts,
        &options,
        r.baseline_plan.as_deref(),
        r.candidate_plan.as_deref(),
    )?;
    super::to_value(&comparison)
}

#[cfg(test)]
mod tests {
    use super::statements_with;
    use crate::commission::Transaction;
    use serde_json::json;

    fn request(transactions: serde_json::Value) -> serde_json::Value {
        json!({
            "program": {"schema_version": 1, "currency": "EUR",
                        "commissions": {"plans": [{"id": "std", "rates": [{"kind": "percent", "id": "base", "rate": "10%"}]}]}},
            "transactions": transactions,
            "as_of": "2026-03-31",
        })
    }

    fn sale(id: &str, amount: &str) -> Transaction {
        Transaction::sale(
            id,
            "P1",
            "2026-01-05".parse().unwrap(),
            amount.parse().unwrap(),
        )
    }

    #[test]
    fn typed_transactions_answer_as_the_same_transactions_in_json() {
        let typed = statements_with(
            &request(json!([])),
            super::ProgramSource::Request,
            &[sale("T1", "1000.00"), sale("T2", "250.00")],
        );
        let json = super::statements(
            &request(json!([
            {"id": "T1", "partner_id": "P1", "date": "2026-01-05", "amount": "1000.00"},
            {"id": "T2", "partner_id": "P1", "date": "2026-01-05", "amount": "250.00"},
            ])),
            super::ProgramSource::Request,
        );
        assert_eq!(typed.unwrap(), json.unwrap());
    }

    #[test]
    fn typed_transactions_follow_the_request_own_and_are_numbered_after_them() {
        let answer = statements_with(
            &request(
                json!([{"id": "T1", "partner_id": "P1", "date": "2026-01-05", "amount": "1000.00"}]),
            ),
            super::ProgramSource::Request,
            &[sale("T2", "1.001")],
        );
        let error = answer.unwrap_err();
        let paths: Vec<String> = error
            .problems()
            .iter()
            .map(|p| p.path().to_string())
            .collect();
        assert_eq!(paths, ["$.transactions[1].amount"]);
    }
}
