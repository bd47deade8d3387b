//! Allocating a period's pool among partners.

use super::config::{AllocationRule, FundPeriod, FundProgram};
use crate::Program;
use crate::calendar::Date;
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use crate::explain::{Explanation, Outcome, Step};
use crate::money::{Amount, Currency, Decimal, allocate as largest_remainder};
use crate::tier::TierId;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// What the allocation needs to know about one partner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AllocationFacts {
    /// The partner.
    pub partner_id: String,
    /// The partner's tier for the period (needed by `by_tier`, and by `accrual` without its own rate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<TierId>,
    /// When the partner joined the program; a partner who joined during the period is prorated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joined_on: Option<Date>,
    /// The partner's revenue in the previous period (needed by `accrual`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_revenue: Option<Amount>,
    /// The amount chosen for the partner (needed by `discretionary`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Amount>,
}

/// One partner's allocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct AllocationLine {
    /// The partner.
    pub partner_id: String,
    /// The tier the allocation was computed for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<TierId>,
    /// What the rule gives the partner, after minimum, maximum and proration, rounded.
    pub entitlement: Decimal,
    /// What the partner receives: the entitlement, scaled down if the pool is short.
    pub amount: Decimal,
    /// How the amount was reached.
    pub explanation: Explanation,
}

/// A period's pool shared among partners.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Allocation {
    /// The fund program.
    pub fund: String,
    /// The period.
    pub period: String,
    /// The fund's currency.
    pub currency: Currency,
    /// The rule applied (`by_tier`, `accrual`, `discretionary`).
    pub rule: &'static str,
    /// The period's pool.
    pub pool: Decimal,
    /// What earlier allocations and adjustments of the period already use.
    pub already_used: Decimal,
    /// What is left of the pool for this allocation.
    pub available_pool: Decimal,
    /// The sum of the partners' entitlements.
    pub entitled: Decimal,
    /// The sum of the amounts allocated; never more than `available_pool`.
    pub allocated: Decimal,
    /// True when the entitlements exceeded the pool and were scaled down.
    pub scaled: bool,
    /// The lines, by partner id.
    pub lines: Vec<AllocationLine>,
    /// How the pool was shared.
    pub explanation: Explanation,
}

/// Shares a period's whole pool among `partners` by the fund's allocation rule.
///
/// Each partner's entitlement is the rule's amount (a fixed amount for its
/// tier, a rate of its previous-period revenue, or a chosen amount), raised
/// to `min_per_partner` when positive and lowered to `max_per_partner`, then
/// prorated by days active over days in the period for a partner who joined
/// during it, and rounded once with the program's rounding mode. When the
/// entitlements exceed the pool, they are scaled down in proportion with
/// largest-remainder rounding, so the amounts sum exactly to the pool.
///
/// This is a preview: the ledger's `allocate` command records the same
/// allocation as events, against what is left of the pool.
///
/// # Errors
///
/// * `unknown_reference` for an unknown fund, period or tier;
/// * `duplicate_id` for a partner listed twice;
/// * `mdf_tier_required` when the rule needs a tier and the partner has none;
/// * `missing_field` for a missing `previous_revenue` (accrual) or `amount` (discretionary);
/// * `money_precision`, `currency_mismatch`, `out_of_range` for bad amounts.
///
/// # Example
///
/// ```
/// use prm_core::{Program, mdf};
/// let program = Program::from_value(&serde_json::json!({
///   "schema_version": 1, "currency": "EUR",
///   "mdf": {"funds": [{
///     "id": "coop", "allocation": {"kind": "accrual", "rate": "2%"}, "claim_window_days": 60,
///     "periods": [{"id": "q1", "start": "2026-01-01", "end": "2026-04-01", "pool": "10000.00"}],
///     "activity_types": [{"id": "trade_show", "vendor_share": "50%"}]
///   }]}
/// }))?;
/// let partner: mdf::AllocationFacts = serde_json::from_value(serde_json::json!(
///     {"partner_id": "P1", "previous_revenue": "100000.00"}
/// ))?;
/// let allocation = mdf::allocate(&program, "coop", "q1", &[partner])?;
/// assert_eq!(allocation.lines[0].amount.to_string(), "2000.00");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Properties
///
/// The amounts never sum to more than the pool, and when the entitlements
/// exceed it they sum to it exactly (`prop_allocations_never_exceed_the_pool`).
pub fn allocate(
    program: &Program,
    fund: &str,
    period: &str,
    partners: &[AllocationFacts],
) -> Result<Allocation, Error> {
    super::Ledger::new(program)?.preview_allocation(fund, period, partners)
}

/// The allocation of `partners` against what is left of the pool after `already_used`.
pub(crate) fn compute(
    program: &Program,
    fund: &FundProgram,
    period: &FundPeriod,
    partners: &[AllocationFacts],
    already_used: Decimal,
    at: &JsonPath,
) -> Result<Allocation, Error> {
    let currency = fund.currency_or(program.currency());
    let places = currency.minor_units();
    let mode = program.rounding();
    let pool = period.pool.amount();
    let available_pool = pool
        .checked_sub(already_used)
        .ok_or_else(|| Error::overflow(at, "pool remaining"))?
        .max(Decimal::ZERO);
    let available_pool = mode.round(available_pool, places);
    let mut problems = Problems::new();
    let mut seen = BTreeSet::new();
    let mut lines = Vec::with_capacity(partners.len());
    for (i, facts) in partners.iter().enumerate() {
        let path = at.index(i);
        if !seen.insert(facts.partner_id.as_str()) {
            problems.push(
                Problem::new(ErrorCode::DuplicateId, path.key("partner_id")).message(format!(
                    "partner `{}` is listed twice in one allocation",
                    facts.partner_id
                )),
            );
            continue;
        }
        if let Some(line) = problems.take(entitlement(program, fund, period, facts, &path)) {
            lines.push(line);
        }
    }
    problems.into_result(())?;
    lines.sort_by(|a, b| a.partner_id.cmp(&b.partner_id));
    let mut entitled = Decimal::ZERO;
    for line in &lines {
        entitled = entitled
            .checked_add(line.entitlement)
            .ok_or_else(|| Error::overflow(at, "sum of entitlements"))?;
    }
    let mut explanation = Explanation::new();
    explanation.push(
        Step::new(
            "mdf.allocation.pool",
            Outcome::Info,
            format!(
                "{} of period `{}` pool {pool} {currency} is free for this allocation",
                available_pool, period.id
            ),
        )
        .value("pool", pool)
        .value("already_used", mode.round(already_used, places))
        .value("available_pool", available_pool),
    );
    let scaled = entitled > available_pool;
    if scaled {
        let weights: Vec<Decimal> = lines.iter().map(|l| l.entitlement).collect();
        let parts = largest_remainder(available_pool, &weights, places)?;
        for (line, part) in lines.iter_mut().zip(parts) {
            line.explanation.push(
                Step::new(
                    "mdf.allocation.scale",
                    Outcome::Applied,
                    format!(
                        "scaled from {} to {part} so the allocations sum to the pool",
                        line.entitlement
                    ),
                )
                .value("entitlement", line.entitlement)
                .value("amount", part),
            );
            line.amount = part;
        }
        explanation.push(
            Step::new(
                "mdf.allocation.scale",
                Outcome::Applied,
                format!(
                    "entitlements of {entitled} exceed the {available_pool} available; scaled down in proportion with largest-remainder rounding"
                ),
            )
            .value("entitled", entitled)
            .value("available_pool", available_pool),
        );
    } else {
        explanation.push(
            Step::new(
                "mdf.allocation.scale",
                Outcome::Skipped,
                format!("entitlements of {entitled} fit in the {available_pool} available"),
            )
            .value("entitled", entitled),
        );
    }
    let mut allocated = Decimal::ZERO;
    for line in &lines {
        allocated = allocated
            .checked_add(line.amount)
            .ok_or_else(|| Error::overflow(at, "sum of allocations"))?;
    }
    Ok(Allocation {
        fund: fund.id.clone(),
        period: period.id.clone(),
        currency,
        rule: fund.allocation.as_str(),
        pool,
        already_used: mode.round(already_used, places),
        available_pool,
        entitled,
        allocated,
        scaled,
        lines,
        explanation,
    })
}

fn entitlement(
    program: &Program,
    fund: &FundProgram,
    period: &FundPeriod,
    facts: &AllocationFacts,
    path: &JsonPath,
) -> Result<AllocationLine, Error> {
    let currency = fund.currency_or(program.currency());
    let places = currency.minor_units();
    let mut problems = Problems::new();
    let mut why = Explanation::new();
    let tiers = program.tiers();
    if let (Some(tier), Some(ladder)) = (&facts.tier, tiers) {
        problems.take(ladder.check_reference(tier, &path.key("tier")));
    }
    let money = |amount: &Amount, at: JsonPath, problems: &mut Problems| {
        let m = problems.take(super::money_in(*amount, currency, &at))?;
        if m.is_negative() {
            problems.push(
                Problem::new(ErrorCode::OutOfRange, at)
                    .message(format!("expected an amount of zero or more, found {m}")),
            );
            return None;
        }
        Some(m)
    };
    let tier_needed = |problems: &mut Problems, why: &str| {
        problems.push(
            Problem::new(ErrorCode::MdfTierRequired, path.key("tier"))
                .message(format!(
                    "partner `{}` has no tier, and {why}",
                    facts.partner_id
                ))
                .help("pass the partner's `tier` for the period"),
        );
    };
    let base = match &fund.allocation {
        AllocationRule::ByTier { amounts } => match &facts.tier {
            None => {
                tier_needed(&mut problems, "the allocation is by tier");
                None
            }
            Some(tier) => {
                let amount = amounts.get(tier).map_or(Decimal::ZERO, |a| a.amount());
                why.push(
                    Step::new(
                        "mdf.allocation.by_tier",
                        Outcome::Applied,
                        if amounts.contains_key(tier) {
                            format!("tier `{tier}` receives {amount}")
                        } else {
                            format!("tier `{tier}` has no fixed allocation")
                        },
                    )
                    .value("tier", tier)
                    .value("amount", amount),
                );
                Some(amount)
            }
        },
        AllocationRule::Accrual { rate } => {
            let revenue = match &facts.previous_revenue {
                Some(r) => {
                    problems.take(super::money_in(*r, currency, &path.key("previous_revenue")))
                }
                None => {
                    problems.push(
                        Problem::new(ErrorCode::MissingField, path.key("previous_revenue"))
                            .message(format!(
                                "partner `{}` has no `previous_revenue`, which an accrual needs",
                                facts.partner_id
                            )),
                    );
                    None
                }
            };
            let rate = match (rate, &facts.tier) {
                (Some(rate), _) => Some((*rate, "the fund's rate".to_owned())),
                (None, Some(tier)) => Some((
                    tiers
                        .and_then(|t| t.benefits(tier))
                        .and_then(|b| b.mdf_accrual_rate)
                        .unwrap_or_default(),
                    format!("tier `{tier}`'s mdf_accrual_rate"),
                )),
                (None, None) => {
                    tier_needed(&mut problems, "the accrual rate comes from the tier");
                    None
                }
            };
            match (revenue, rate) {
                (Some(revenue), Some((rate, source))) => {
                    let basis = revenue.max(Decimal::ZERO);
                    let amount = basis
                        .checked_mul(rate.fraction())
                        .ok_or_else(|| Error::overflow(path, "accrual"))?;
                    why.push(
                        Step::new(
                            "mdf.allocation.accrual",
                            Outcome::Applied,
                            format!(
                                "{rate} ({source}) of previous-period revenue {revenue} is {amount}"
                            ),
                        )
                        .value("rate", rate)
                        .value("previous_revenue", revenue)
                        .value("amount", amount),
                    );
                    Some(amount)
                }
                _ => None,
            }
        }
        AllocationRule::Discretionary {} => match &facts.amount {
            Some(amount) => {
                let m = money(amount, path.key("amount"), &mut problems);
                if let Some(m) = m {
                    why.push(Step::new(
                        "mdf.allocation.discretionary",
                        Outcome::Applied,
                        format!("{m} chosen for the partner"),
                    ));
                }
                m
            }
            None => {
                problems.push(
                    Problem::new(ErrorCode::MissingField, path.key("amount")).message(format!(
                        "partner `{}` has no `amount`, which a discretionary allocation needs",
                        facts.partner_id
                    )),
                );
                None
            }
        },
    };
    problems.into_result(())?;
    let mut amount = base.unwrap_or_default();
    if amount > Decimal::ZERO {
        if let Some(min) = fund.min_per_partner.map(|m| m.amount())
            && amount < min
        {
            why.push(
                Step::new(
                    "mdf.allocation.min_per_partner",
                    Outcome::Applied,
                    format!("raised from {amount} to the minimum {min}"),
                )
                .value("min_per_partner", min),
            );
            amount = min;
        }
        if let Some(max) = fund.max_per_partner.map(|m| m.amount())
            && amount > max
        {
            why.push(
                Step::new(
                    "mdf.allocation.max_per_partner",
                    Outcome::Applied,
                    format!("lowered from {amount} to the maximum {max}"),
                )
                .value("max_per_partner", max),
            );
            amount = max;
        }
    }
    let discretionary = matches!(fund.allocation, AllocationRule::Discretionary {});
    if let Some(joined) = facts.joined_on
        && fund.prorate_joiners
        && !discretionary
        && joined > period.start
    {
        let total = period.start.days_until(period.end);
        let active = joined.days_until(period.end).clamp(0, total);
        let factor = Decimal::from(active)
            .checked_div(Decimal::from(total.max(1)))
            .ok_or_else(|| Error::overflow(path, "proration"))?;
        let prorated = amount
            .checked_mul(Decimal::from(active))
            .and_then(|a| a.checked_div(Decimal::from(total.max(1))))
            .ok_or_else(|| Error::overflow(path, "proration"))?;
        why.push(
            Step::new(
                "mdf.allocation.proration",
                Outcome::Applied,
                if active == 0 {
                    format!("joined on {joined}, after the period; nothing to allocate")
                } else {
                    format!(
                        "joined on {joined}: active {active} of {total} days, so {amount} becomes {prorated}"
                    )
                },
            )
            .value("joined_on", joined)
            .value("days_active", active)
            .value("days_in_period", total)
            .value("factor", factor.value().round_dp(6).normalize()),
        );
        amount = prorated;
    }
    let rounded = program.rounding().round(amount, places);
    if rounded != amount {
        why.push(
            Step::new(
                "mdf.allocation.rounding",
                Outcome::Applied,
                format!(
                    "{amount} rounded {} to {rounded}",
                    program.rounding().as_str()
                ),
            )
            .value("exact", amount),
        );
    }
    Ok(AllocationLine {
        partner_id: facts.partner_id.clone(),
        tier: facts.tier.clone(),
        entitlement: rounded,
        amount: rounded,
        explanation: why,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn program(allocation: serde_json::Value, extra: serde_json::Value) -> Program {
        let mut fund = json!({
            "id": "coop", "allocation": allocation, "claim_window_days": 60,
            "periods": [{"id": "q1", "start": "2026-01-01", "end": "2026-04-01", "pool": "10000.00"}],
            "activity_types": [{"id": "event", "vendor_share": "50%"}]
        });
        if let (Some(f), Some(e)) = (fund.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                f.insert(k.clone(), v.clone());
            }
        }
        let doc = json!({
            "schema_version": 1, "currency": "EUR",
            "tiers": {"tiers": [
                {"id": "silver", "name": "Silver", "rank": 1, "benefits": {"mdf_accrual_rate": "1%"}},
                {"id": "gold", "name": "Gold", "rank": 2, "benefits": {"mdf_accrual_rate": "2%"}}
            ]},
            "mdf": {"funds": [fund]}
        });
        Program::from_value(&doc).unwrap()
    }

    fn facts(value: serde_json::Value) -> Vec<AllocationFacts> {
        serde_json::from_value(value).unwrap()
    }

    fn amounts(a: &Allocation) -> Vec<String> {
        a.lines.iter().map(|l| l.amount.to_string()).collect()
    }

    #[test]
    fn accrual_reads_the_tier_rate() -> Result<(), Error> {
        let p = program(json!({"kind": "accrual"}), json!({}));
        let a = allocate(
            &p,
            "coop",
            "q1",
            &facts(
                json!([{"partner_id": "A", "tier": "gold", "previous_revenue": "100000.00"},
                          {"partner_id": "B", "tier": "silver", "previous_revenue": "50000"}]),
            ),
        )?;
        assert_eq!(amounts(&a), vec!["2000.00", "500.00"]);
        Ok(())
    }

    #[test]
    fn scaling_down_sums_exactly_to_the_pool() -> Result<(), Error> {
        let p = program(json!({"kind": "discretionary"}), json!({}));
        let a = allocate(
            &p,
            "coop",
            "q1",
            &facts(json!([{"partner_id": "A", "amount": "6000"},
                          {"partner_id": "B", "amount": "5000"},
                          {"partner_id": "C", "amount": "1000"}])),
        )?;
        assert_eq!(amounts(&a), vec!["5000.00", "4166.67", "833.33"]);
        assert!(a.scaled);
        assert_eq!(a.allocated.to_string(), "10000.00");
        Ok(())
    }

    #[test]
    fn joiner_on_the_last_day_gets_one_day_of_ninety() -> Result<(), Error> {
        let p = program(
            json!({"kind": "by_tier", "amounts": {"gold": "9000.00"}}),
            json!({}),
        );
        let a = allocate(
            &p,
            "coop",
            "q1",
            &facts(
                json!([{"partner_id": "A", "tier": "gold", "joined_on": "2026-03-31"},
                          {"partner_id": "B", "tier": "silver"}]),
            ),
        )?;
        assert_eq!(amounts(&a), vec!["100.00", "0.00"]);
        Ok(())
    }

    #[test]
    fn minimum_and_maximum_apply_before_proration() -> Result<(), Error> {
        let p = program(
            json!({"kind": "accrual", "rate": "10%"}),
            json!({"min_per_partner": "500.00", "max_per_partner": "3000.00"}),
        );
        let a = allocate(
            &p,
            "coop",
            "q1",
            &facts(json!([
                {"partner_id": "A", "previous_revenue": "1000"},
                {"partner_id": "B", "previous_revenue": "90000", "joined_on": "2026-02-15"},
                {"partner_id": "C", "previous_revenue": "0"}
            ])),
        )?;
        // A: 100 raised to 500; B: 9000 lowered to 3000, then 45/90 days; C: nothing, no minimum.
        assert_eq!(amounts(&a), vec!["500.00", "1500.00", "0.00"]);
        Ok(())
    }

    #[test]
    fn missing_facts_are_all_reported() {
        let p = program(json!({"kind": "accrual"}), json!({}));
        let err = allocate(
            &p,
            "coop",
            "q1",
            &facts(json!([{"partner_id": "A"}, {"partner_id": "A"}, {"partner_id": "B", "tier": "gld", "previous_revenue": "1"}])),
        )
        .unwrap_err();
        let found: Vec<_> = err
            .problems()
            .iter()
            .map(|p| (p.code().as_str(), p.path().to_owned()))
            .collect();
        assert_eq!(
            found,
            vec![
                ("missing_field", "$.partners[0].previous_revenue".to_owned()),
                ("mdf_tier_required", "$.partners[0].tier".to_owned()),
                ("duplicate_id", "$.partners[1].partner_id".to_owned()),
                ("unknown_reference", "$.partners[2].tier".to_owned()),
            ]
        );
    }

    proptest! {
        #[test]
        fn prop_allocations_never_exceed_the_pool(
            amounts in proptest::collection::vec(0u64..2_000_000, 1..30),
            pool in 0u64..5_000_000,
        ) {
            let mut p = program(json!({"kind": "discretionary"}), json!({}));
            let _ = &mut p;
            let partners: Vec<AllocationFacts> = amounts
                .iter()
                .enumerate()
                .map(|(i, cents)| AllocationFacts {
                    partner_id: format!("P{i:03}"),
                    tier: None,
                    joined_on: None,
                    previous_revenue: None,
                    amount: Some(Amount::bare(Decimal::new(rust_decimal::Decimal::new(*cents as i64, 2)))),
                })
                .collect();
            let fund = p.mdf().and_then(|m| m.fund("coop")).unwrap();
            let mut period = fund.period("q1").unwrap().clone();
            period.pool = Amount::bare(Decimal::new(rust_decimal::Decimal::new(pool as i64, 2)));
            let a = compute(&p, fund, &period, &partners, Decimal::ZERO, &JsonPath::root())?;
            prop_assert!(a.allocated <= period.pool.amount());
            if a.entitled > period.pool.amount() {
                prop_assert_eq!(a.allocated, period.pool.amount());
            } else {
                prop_assert_eq!(a.allocated, a.entitled);
            }
            for line in &a.lines {
                prop_assert!(line.amount <= line.entitlement);
            }
        }
    }
}
