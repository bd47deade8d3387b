//! [`CommissionFacts`]: what a statement needs besides the transactions.

use super::statement::CommissionLine;
use crate::Program;
use crate::calendar::{Date, Period};
use crate::error::{ErrorCode, JsonPath, Problem, Problems};
use crate::money::{Currency, Decimal};
use crate::partner::Partner;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// From `from` on, the partner held `tier` (until the next change).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TierChange {
    /// The tier id.
    pub tier: String,
    /// The first day the tier applied.
    pub from: Date,
}

/// One FX rate: from `from` on, one unit of `currency` is `rate` units of the program's currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FxRate {
    /// The foreign currency.
    pub currency: Currency,
    /// Program-currency units per unit of `currency`, above 0.
    pub rate: Decimal,
    /// The first day the rate applies; a transaction uses the latest rate on or before its date.
    pub from: Date,
}

/// What a partner's statements have added up to so far; each statement takes
/// it in and hands the next one back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CarryForward {
    /// The fiscal year the year-to-date figures belong to.
    pub fiscal_year: i32,
    /// The last day already counted.
    pub through: Date,
    /// Net basis so far this fiscal year.
    pub year_to_date_basis: Decimal,
    /// Net commission so far this fiscal year.
    pub year_to_date_net: Decimal,
    /// Net commission since the partner's first statement.
    pub lifetime_net: Decimal,
}

/// Everything a statement reads besides the transactions themselves.
///
/// Every field is optional: without `partners`, partners are known only by
/// their ids (no kind, no parent distributor).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommissionFacts {
    /// The partners; when given, every transaction's partner must be listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partners: Option<Vec<Partner>>,
    /// Each partner's tier history, by partner id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tier_history: BTreeMap<String, Vec<TierChange>>,
    /// Lines of earlier statements: the originals of refunds booked in this period.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prior_lines: Vec<CommissionLine>,
    /// Each partner's carry-forward from its previous statement.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub carry_forward: BTreeMap<String, CarryForward>,
    /// Each partner's quota for the period, replacing the plan's accelerator quota.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub quotas: BTreeMap<String, Decimal>,
    /// FX rates into the program's currency.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fx_rates: Vec<FxRate>,
}

/// What to compute: as of when, for which period, under which plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementOptions {
    /// The day the question is asked: lines payable on or before it are `payable`.
    pub as_of: Date,
    /// The statement period; by default each partner's plan period containing `as_of`.
    pub period: Option<Period>,
    /// Pay every partner under this plan instead of choosing by `applies_to`.
    pub plan: Option<String>,
}

impl StatementOptions {
    /// Statements as of `as_of`, for the plan period containing it.
    pub fn as_of(as_of: Date) -> StatementOptions {
        StatementOptions {
            as_of,
            period: None,
            plan: None,
        }
    }

    /// The same options for an explicit period.
    #[must_use]
    pub fn period(mut self, period: Period) -> StatementOptions {
        self.period = Some(period);
        self
    }

    /// The same options, paying everyone under plan `plan`.
    #[must_use]
    pub fn plan(mut self, plan: &str) -> StatementOptions {
        self.plan = Some(plan.to_owned());
        self
    }
}

impl CommissionFacts {
    /// Checks partners, tier histories, quotas and FX rates, reporting under `root`.
    pub(crate) fn validate(&self, program: &Program, root: &JsonPath, problems: &mut Problems) {
        if let Some(partners) = &self.partners {
            let mut ids = BTreeSet::new();
            for (i, partner) in partners.iter().enumerate() {
                let at = root.key("partners").index(i);
                problems.take(partner.validate(&at));
                if !ids.insert(partner.id.as_str()) {
                    problems.push(
                        Problem::new(ErrorCode::DuplicateId, at.key("id"))
                            .message(format!("partner id `{}` is listed twice", partner.id)),
                    );
                }
            }
        }
        for (partner, changes) in &self.tier_history {
            let mut dates = BTreeSet::new();
            for (i, change) in changes.iter().enumerate() {
                // Paths are built only for a problem: histories hold a change per partner.
                let at = || root.key("tier_history").key(partner).index(i);
                match program.tiers() {
                    Some(tiers) if tiers.tier(&change.tier).is_some() => {}
                    Some(tiers) => {
                        problems.take(tiers.check_reference(&change.tier, &at().key("tier")));
                    }
                    None => problems.push(
                        Problem::new(ErrorCode::UnknownReference, at().key("tier")).message(
                            format!(
                                "unknown tier `{}`: the program has no `tiers` section",
                                change.tier
                            ),
                        ),
                    ),
                }
                if !dates.insert(change.from) {
                    problems.push(
                        Problem::new(ErrorCode::DuplicateId, at().key("from")).message(format!(
                            "partner `{partner}` changes tier twice on {}",
                            change.from
                        )),
                    );
                }
            }
        }
        for (partner, quota) in &self.quotas {
            if *quota <= Decimal::ZERO {
                problems.push(
                    Problem::new(ErrorCode::OutOfRange, root.key("quotas").key(partner))
                        .message(format!("a quota must be above 0, found {quota}")),
                );
            }
        }
        let mut seen = BTreeSet::new();
        for (i, fx) in self.fx_rates.iter().enumerate() {
            let at = root.key("fx_rates").index(i);
            if fx.rate <= Decimal::ZERO {
                problems.push(
                    Problem::new(ErrorCode::OutOfRange, at.key("rate"))
                        .message(format!("an FX rate must be above 0, found {}", fx.rate)),
                );
            }
            if fx.currency == program.currency() {
                problems.push(
                    Problem::new(ErrorCode::InvalidValue, at.key("currency")).message(format!(
                        "{} is the program's own currency and needs no FX rate",
                        fx.currency
                    )),
                );
            }
            if !seen.insert((fx.currency, fx.from)) {
                problems.push(
                    Problem::new(ErrorCode::DuplicateId, at.key("from"))
                        .message(format!("two {} rates from {}", fx.currency, fx.from)),
                );
            }
        }
    }
}

/// FX rates by currency, each list sorted by date.
#[derive(Debug, Clone, Default)]
pub(crate) struct FxTable {
    rates: BTreeMap<Currency, Vec<(Date, Decimal)>>,
}

impl FxTable {
    pub(crate) fn new(rates: &[FxRate]) -> FxTable {
        let mut table: BTreeMap<Currency, Vec<(Date, Decimal)>> = BTreeMap::new();
        for fx in rates {
            table
                .entry(fx.currency)
                .or_default()
                .push((fx.from, fx.rate));
        }
        for list in table.values_mut() {
            list.sort_by_key(|(from, _)| *from);
        }
        FxTable { rates: table }
    }

    /// The latest rate for `currency` on or before `date`, with the day it applies from.
    pub(crate) fn rate(&self, currency: Currency, date: Date) -> Option<(Date, Decimal)> {
        let list = self.rates.get(&currency)?;
        let after = list.partition_point(|(from, _)| *from <= date);
        list.get(after.checked_sub(1)?).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fx_uses_the_latest_rate_on_or_before_the_date() {
        let usd: Currency = "USD".parse().unwrap();
        let fx = FxTable::new(&[
            FxRate {
                currency: usd,
                rate: "0.90".parse().unwrap(),
                from: "2026-01-01".parse().unwrap(),
            },
            FxRate {
                currency: usd,
                rate: "0.95".parse().unwrap(),
                from: "2026-02-01".parse().unwrap(),
            },
        ]);
        let rate = |d: &str| fx.rate(usd, d.parse().unwrap()).map(|(_, r)| r.to_string());
        assert_eq!(rate("2025-12-31"), None);
        assert_eq!(rate("2026-01-31").as_deref(), Some("0.90"));
        assert_eq!(rate("2026-02-01").as_deref(), Some("0.95"));
        assert_eq!(
            fx.rate("JPY".parse().unwrap(), "2026-02-01".parse().unwrap()),
            None
        );
    }
}
