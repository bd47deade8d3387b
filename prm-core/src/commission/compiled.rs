//! A plan resolved once per run: amounts in plan currency, rule ids built,
//! multipliers looked up, so each transaction share costs a few decimal operations.

use super::brackets::{self, BracketMode, BracketScope, Step};
use super::filters::{Filters, Passed};
use super::plan::{
    AcceleratorScope, AppliesTo, Basis, CommissionPlan, OverrideBasis, PayoutTrigger, PlanPeriod,
    RateRule, RateSelection, SpiffPay, TierMultiplier, TransactionFilter,
};
use super::statement::{ComponentKind, LineComponent};
use super::transaction::{Transaction, months_between};
use crate::Program;
use crate::calendar::{Date, Period};
use crate::error::Error;
use crate::money::{Amount, Decimal};
use crate::partner::PartnerKind;
use std::collections::BTreeMap;

/// A rate rule with its amount resolved.
#[derive(Debug, Clone)]
pub(crate) enum RateKind {
    Percent(Decimal),
    PerUnit(Decimal),
    PerTransaction(Decimal),
    ContractYear(Vec<Decimal>),
    FirstMonths(Decimal, u32),
}

#[derive(Debug, Clone)]
pub(crate) struct CompiledRate {
    pub(crate) rule: String,
    pub(crate) kind: RateKind,
    pub(crate) when: TransactionFilter,
    /// `when`'s number in the plan's [`Filters`].
    pub(crate) filter: usize,
    pub(crate) specificity: (bool, bool, usize),
}

#[derive(Debug, Clone)]
pub(crate) struct CompiledTable {
    pub(crate) rule: String,
    pub(crate) mode: BracketMode,
    pub(crate) steps: Vec<Step>,
    pub(crate) when: TransactionFilter,
    /// `when`'s number in the plan's [`Filters`].
    pub(crate) filter: usize,
}

#[derive(Debug, Clone)]
pub(crate) struct CompiledSpiff {
    pub(crate) rule: String,
    pub(crate) starts_on: Option<Date>,
    pub(crate) ends_on: Option<Date>,
    pub(crate) when: TransactionFilter,
    /// `when`'s number in the plan's [`Filters`].
    pub(crate) filter: usize,
    pub(crate) pays: SpiffPay,
}

#[derive(Debug, Clone)]
pub(crate) struct CompiledAccelerator {
    pub(crate) quota: Decimal,
    pub(crate) multiplier: Decimal,
    pub(crate) on: AcceleratorScope,
}

#[derive(Debug, Clone)]
pub(crate) struct CompiledOverride {
    pub(crate) rule: String,
    /// The distributor plan's rounding mode.
    pub(crate) mode: crate::money::RoundingMode,
    pub(crate) rate: Decimal,
    pub(crate) of: OverrideBasis,
    pub(crate) subtract: bool,
}

/// Where tier multipliers come from, resolved to a table.
#[derive(Debug, Clone, Default)]
pub(crate) struct TierTable {
    pub(crate) enabled: bool,
    pub(crate) multipliers: BTreeMap<String, Decimal>,
}

/// A plan, compiled.
#[derive(Debug, Clone)]
pub(crate) struct CompiledPlan {
    pub(crate) id: String,
    pub(crate) name: Option<String>,
    pub(crate) applies_to: AppliesTo,
    pub(crate) period: PlanPeriod,
    pub(crate) basis: Basis,
    pub(crate) selection: RateSelection,
    pub(crate) rates: Vec<CompiledRate>,
    /// The rates' positions, most specific first (the first of equals first):
    /// the order `most_specific` tries them in.
    pub(crate) by_specificity: Vec<usize>,
    /// Per-transaction tables.
    pub(crate) tables: Vec<CompiledTable>,
    /// Period tables; a share's bit `i` says it counts toward `period_tables[i]`.
    pub(crate) period_tables: Vec<CompiledTable>,
    pub(crate) tiers: TierTable,
    pub(crate) accelerator: Option<CompiledAccelerator>,
    pub(crate) minimum: Option<Decimal>,
    pub(crate) maximum: Option<Decimal>,
    pub(crate) spiffs: Vec<CompiledSpiff>,
    /// Every rate's, table's and SPIFF's filter, numbered.
    pub(crate) filters: Filters,
    pub(crate) bonuses: Vec<(String, Decimal, Decimal)>,
    pub(crate) cap: Option<Decimal>,
    pub(crate) minimum_basis: Option<Decimal>,
    pub(crate) window: Option<u32>,
    pub(crate) payout_on: PayoutTrigger,
    pub(crate) hold_days: u32,
    pub(crate) overrides: Option<CompiledOverride>,
    /// Lines are settled at the period's close (period brackets, accelerator on everything).
    pub(crate) deferred: bool,
    /// The currency's minor units, for amounts in explanations.
    pub(crate) places: u32,
    /// How lines are rounded: the plan's mode, else the program's.
    pub(crate) mode: crate::money::RoundingMode,
}

fn amount(a: Amount) -> Decimal {
    a.amount()
}

impl CompiledPlan {
    /// Compiles a validated plan.
    pub(crate) fn new(plan: &CommissionPlan, program: &Program) -> CompiledPlan {
        let rule = |section: &str, id: &str| format!("{}.{section}.{id}", plan.id);
        let mut rates: Vec<CompiledRate> = plan
            .rates
            .iter()
            .map(|r| CompiledRate {
                rule: rule("rates", r.id()),
                kind: match r {
                    RateRule::Percent { rate, .. } => RateKind::Percent(rate.fraction()),
                    RateRule::PerUnit { amount: a, .. } => RateKind::PerUnit(amount(*a)),
                    RateRule::PerTransaction { amount: a, .. } => {
                        RateKind::PerTransaction(amount(*a))
                    }
                    RateRule::ContractYear { rates, .. } => {
                        RateKind::ContractYear(rates.iter().map(|r| r.fraction()).collect())
                    }
                    RateRule::FirstMonths { rate, months, .. } => {
                        RateKind::FirstMonths(rate.fraction(), *months)
                    }
                },
                when: r.when().clone(),
                filter: 0, // numbered below, with the tables and SPIFFs
                specificity: r.when().specificity(),
            })
            .collect();
        let compile_table = |t: &super::brackets::BracketTable| CompiledTable {
            rule: rule("brackets", &t.id),
            mode: t.mode,
            steps: t.steps(),
            when: t.when.clone(),
            filter: 0, // numbered below
        };
        let mut tables: Vec<CompiledTable> = plan
            .brackets
            .iter()
            .filter(|t| t.scope == BracketScope::Transaction)
            .map(compile_table)
            .collect();
        let mut period_tables: Vec<CompiledTable> = plan
            .brackets
            .iter()
            .filter(|t| t.scope == BracketScope::Period)
            .map(compile_table)
            .collect();
        let tiers = match &plan.tier_multiplier {
            None => TierTable::default(),
            Some(TierMultiplier::Table { multipliers }) => TierTable {
                enabled: true,
                multipliers: multipliers.clone(),
            },
            Some(TierMultiplier::TierBenefits {}) => TierTable {
                enabled: true,
                multipliers: program
                    .tiers()
                    .map(|t| {
                        t.by_rank()
                            .iter()
                            .filter_map(|def| {
                                def.benefits
                                    .commission_multiplier
                                    .map(|m| (def.id.clone(), m))
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            },
        };
        let mut spiffs: Vec<CompiledSpiff> = plan
            .spiffs
            .iter()
            .map(|s| CompiledSpiff {
                rule: rule("spiffs", &s.id),
                starts_on: s.starts_on,
                ends_on: s.ends_on,
                when: s.when.clone(),
                filter: 0, // numbered below
                pays: s.pays.clone(),
            })
            .collect();
        // Rates, then tables, then period tables, then SPIFFs.
        let mut filters = Filters::default();
        for rate in &mut rates {
            rate.filter = filters.add(&rate.when);
        }
        for table in tables.iter_mut().chain(&mut period_tables) {
            table.filter = filters.add(&table.when);
        }
        for spiff in &mut spiffs {
            spiff.filter = filters.add(&spiff.when);
        }
        let limits = plan.per_transaction.clone().unwrap_or_default();
        let mut by_specificity: Vec<usize> = (0..rates.len()).collect();
        by_specificity.sort_by_key(|&i| std::cmp::Reverse(rates.get(i).map(|r| r.specificity)));
        CompiledPlan {
            id: plan.id.clone(),
            name: plan.name.clone(),
            applies_to: plan.applies_to.clone(),
            period: plan.period,
            basis: plan.basis,
            selection: plan.rate_selection,
            rates,
            by_specificity,
            tables,
            period_tables,
            tiers,
            accelerator: plan.accelerator.as_ref().map(|a| CompiledAccelerator {
                quota: amount(a.quota),
                multiplier: a.multiplier,
                on: a.on,
            }),
            minimum: limits.minimum.map(amount),
            maximum: limits.maximum.map(amount),
            spiffs,
            filters,
            bonuses: plan
                .target_bonuses
                .iter()
                .map(|b| {
                    (
                        rule("target_bonuses", &b.id),
                        amount(b.target),
                        amount(b.bonus),
                    )
                })
                .collect(),
            cap: plan.period_cap.map(amount),
            minimum_basis: plan.minimum_period_basis.map(amount),
            window: plan.clawback_window_days,
            payout_on: plan.payout.on,
            hold_days: plan.payout.hold_days,
            overrides: plan.overrides.as_ref().map(|o| CompiledOverride {
                rule: rule("overrides", &o.id),
                mode: plan.rounding.unwrap_or(program.rounding()),
                rate: o.rate.fraction(),
                of: o.of,
                subtract: o.subtract_lower_level,
            }),
            deferred: plan.is_period_dependent(),
            places: program.currency().minor_units(),
            mode: plan.rounding.unwrap_or(program.rounding()),
        }
    }

    /// The plan's period containing `as_of` on the program's fiscal calendar.
    pub(crate) fn period_of(&self, program: &Program, as_of: Date) -> Result<Period, Error> {
        let calendar = program.fiscal_calendar();
        match self.period {
            PlanPeriod::Month => {
                let start = as_of.first_of_month();
                Period::new(start, start.add_months(1)?)
            }
            PlanPeriod::Quarter => Ok(calendar.quarter(as_of)?.period),
            PlanPeriod::Year => calendar.year(calendar.fiscal_year(as_of)),
        }
    }

    /// The rule id of a plan-level setting (`reseller.period_cap`).
    pub(crate) fn rule(&self, name: &str) -> String {
        format!("{}.{name}", self.id)
    }

    /// When a line triggered by `booked` (and paid on `paid_on`) becomes payable.
    pub(crate) fn payable_on(&self, booked: Date, paid_on: Option<Date>) -> Option<Date> {
        self.payout_trigger(booked, paid_on)
            .and_then(|d| d.add_days(i64::from(self.hold_days)).ok())
    }

    /// The day the hold period counts from: the booking or the payment.
    pub(crate) fn payout_trigger(&self, booked: Date, paid_on: Option<Date>) -> Option<Date> {
        match self.payout_on {
            PayoutTrigger::Booking => Some(booked),
            PayoutTrigger::Payment => paid_on,
        }
    }

    /// The per-transaction limits applied to `value`: the limited value.
    pub(crate) fn clamp(&self, value: Decimal) -> Decimal {
        let mut out = value;
        if let Some(max) = self.maximum
            && out > max
        {
            out = max;
        }
        if let Some(min) = self.minimum
            && out < min
        {
            out = min;
        }
        out
    }
}

/// True when `when` holds for `tx` earned by a partner of `kind`.
pub(crate) fn matches(
    when: &TransactionFilter,
    tx: &Transaction,
    kind: Option<PartnerKind>,
) -> bool {
    let listed = |list: &[String], value: &Option<String>| {
        list.is_empty()
            || value
                .as_deref()
                .is_some_and(|v| list.iter().any(|x| x == v))
    };
    listed(&when.products, &tx.product_id)
        && listed(&when.categories, &tx.category)
        && (when.partner_kinds.is_empty() || kind.is_some_and(|k| when.partner_kinds.contains(&k)))
        && when
            .registered_deal
            .is_none_or(|wanted| wanted == tx.deal_registration_id.is_some())
}

/// One transaction share as the rates see it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ShareFacts<'t> {
    pub(crate) tx: &'t Transaction,
    pub(crate) kind: Option<PartnerKind>,
    pub(crate) share: Decimal,
    pub(crate) basis: Decimal,
    pub(crate) quantity: Decimal,
    /// The plan's filters `tx` passes.
    pub(crate) passed: Passed,
}

/// What a share earns before multipliers: rates plus per-transaction brackets.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Base {
    pub(crate) pre: Decimal,
    pub(crate) bits: u64,
}

/// A rate as a percent (`0.07` → `7%`), exactly and for any rate: the decimal
/// point moves two places, so a rate near the decimal limit cannot overflow.
fn pct(rate: Decimal) -> String {
    let fraction = rate.value().normalize();
    let scale = fraction.scale();
    if scale >= 2 {
        let percent = rust_decimal::Decimal::from_i128_with_scale(fraction.mantissa(), scale - 2);
        format!("{}%", percent.normalize())
    } else if fraction.is_zero() {
        "0%".to_owned()
    } else {
        let zeros = "0".repeat(usize::try_from(2 - scale).unwrap_or(2));
        format!("{}{zeros}%", fraction.mantissa())
    }
}

/// A money-like value at the currency's minor units when that loses nothing
/// (`1000` → `1000.00`), else exact without trailing zeros (`499.9995`).
pub(crate) fn money_like(value: Decimal, places: u32) -> Decimal {
    // The written scale bounds the significant one, so most amounts skip normalising.
    if value.value().scale() == places {
        // Already written with the places: rounding would change nothing.
        value
    } else if value.value().scale() < places || value.significant_scale() <= places {
        crate::RoundingMode::HalfEven.round(value, places)
    } else {
        Decimal::new(value.value().normalize())
    }
}

/// A plain number without trailing zeros (`2`, `0.7`).
pub(crate) fn number(value: Decimal) -> String {
    value.value().normalize().to_string()
}

/// [`money_like`] as text.
pub(crate) fn money_text(value: Decimal, places: u32) -> String {
    money_like(value, places).to_text()
}

impl CompiledPlan {
    fn show(&self, value: Decimal) -> String {
        money_text(value, self.places)
    }

    /// Whether `rate`'s filter passes the share.
    fn applies(rate: &CompiledRate, f: &ShareFacts<'_>) -> bool {
        f.passed.holds(rate.filter, &rate.when, f.tx, f.kind)
    }

    /// The amount a rate rule whose filter passes a share pays on it:
    /// `Some(None)` when it does not apply (a contract-year or first-months
    /// rate on a share without a contract), `None` on overflow.
    fn rate_amount(
        &self,
        rate: &CompiledRate,
        f: &ShareFacts<'_>,
        want: bool,
    ) -> Option<Option<(Decimal, String)>> {
        let on_basis = |r: Decimal, note: String| {
            f.basis
                .checked_mul(Decimal::new(r.value()))
                .map(|a| Some((a, note)))
        };
        match &rate.kind {
            RateKind::Percent(r) => {
                on_basis(*r, note!(want, "{} of {}", pct(*r), self.show(f.basis)))
            }
            RateKind::PerUnit(a) => f.quantity.checked_mul(*a).map(|v| {
                Some((
                    v,
                    note!(want, "{} units × {}", number(f.quantity), self.show(*a)),
                ))
            }),
            RateKind::PerTransaction(a) => a.checked_mul(f.share).map(|v| {
                let note = if f.share == Decimal::ONE {
                    note!(want, "{} per transaction", self.show(*a))
                } else {
                    note!(
                        want,
                        "{} per transaction × share {}",
                        self.show(*a),
                        number(f.share)
                    )
                };
                Some((v, note))
            }),
            RateKind::ContractYear(rates) => {
                let Some(year) = f.tx.contract_year() else {
                    return Some(None);
                };
                let index = usize::try_from(year).ok()?.checked_sub(1)?;
                match rates.get(index) {
                    Some(r) => on_basis(
                        *r,
                        note!(
                            want,
                            "contract year {year}: {} of {}",
                            pct(*r),
                            self.show(f.basis)
                        ),
                    ),
                    None => Some(Some((
                        Decimal::ZERO,
                        note!(want, "contract year {year}: after the last paid year"),
                    ))),
                }
            }
            RateKind::FirstMonths(r, months) => {
                let Some(start) = f.tx.contract_start else {
                    return Some(None);
                };
                let elapsed = months_between(start, f.tx.date).unwrap_or(0);
                if elapsed < i64::from(*months) {
                    on_basis(
                        *r,
                        note!(
                            want,
                            "month {} of the first {months}: {} of {}",
                            elapsed + 1,
                            pct(*r),
                            self.show(f.basis)
                        ),
                    )
                } else {
                    Some(Some((
                        Decimal::ZERO,
                        note!(
                            want,
                            "month {} of the contract: only the first {months} earn",
                            elapsed + 1
                        ),
                    )))
                }
            }
        }
    }

    /// Rates (chosen by the plan's policy) plus per-transaction brackets, and
    /// which period tables the share counts toward. `None` on overflow.
    pub(crate) fn base(
        &self,
        f: &ShareFacts<'_>,
        mut components: Option<&mut Vec<LineComponent>>,
    ) -> Option<Base> {
        let want = components.is_some();
        let mut pre = Decimal::ZERO;
        match self.selection {
            RateSelection::Additive => {
                for rate in self.rates.iter().filter(|r| Self::applies(r, f)) {
                    if let Some((value, note)) = self.rate_amount(rate, f, want)? {
                        pre = pre.checked_add(value)?;
                        if let Some(c) = components.as_deref_mut() {
                            c.push(component(
                                &rate.rule,
                                ComponentKind::Rate,
                                value,
                                note,
                                self.places,
                            ));
                        }
                    }
                }
            }
            RateSelection::MostSpecific => {
                // The most specific rate that applies wins (the first of
                // equals): rates are tried in that order, and only the
                // winner's amount is computed.
                for rate in self
                    .by_specificity
                    .iter()
                    .filter_map(|&i| self.rates.get(i))
                    .filter(|r| Self::applies(r, f))
                {
                    if let Some((value, note)) = self.rate_amount(rate, f, want)? {
                        pre = value;
                        if let Some(c) = components.as_deref_mut() {
                            c.push(component(
                                &rate.rule,
                                ComponentKind::Rate,
                                value,
                                note,
                                self.places,
                            ));
                        }
                        break;
                    }
                }
            }
            RateSelection::Highest => {
                let mut best: Option<(&CompiledRate, Decimal, String)> = None;
                for rate in self.rates.iter().filter(|r| Self::applies(r, f)) {
                    let Some((value, note)) = self.rate_amount(rate, f, want)? else {
                        continue;
                    };
                    let better = match &best {
                        None => true,
                        Some((_, v, _)) => value > *v,
                    };
                    if better {
                        best = Some((rate, value, note));
                    }
                }
                if let Some((rate, value, note)) = best {
                    pre = value;
                    if let Some(c) = components.as_deref_mut() {
                        c.push(component(
                            &rate.rule,
                            ComponentKind::Rate,
                            value,
                            note,
                            self.places,
                        ));
                    }
                }
            }
        }
        for table in &self.tables {
            if !f.passed.holds(table.filter, &table.when, f.tx, f.kind) {
                continue;
            }
            let value = brackets::evaluate(&table.steps, table.mode, f.basis)?;
            pre = pre.checked_add(value)?;
            if let Some(c) = components.as_deref_mut() {
                let note = match table.mode {
                    BracketMode::Graduated => {
                        format!("graduated brackets on {}", self.show(f.basis))
                    }
                    BracketMode::Retroactive => {
                        let rate = brackets::reached(&table.steps, f.basis)
                            .map_or(Decimal::ZERO, |(_, s)| s.rate);
                        format!(
                            "retroactive: all of {} at {}",
                            self.show(f.basis),
                            pct(rate)
                        )
                    }
                };
                c.push(component(
                    &table.rule,
                    ComponentKind::Bracket,
                    value,
                    note,
                    self.places,
                ));
            }
        }
        let mut bits = 0u64;
        for (i, table) in self.period_tables.iter().enumerate() {
            if f.passed.holds(table.filter, &table.when, f.tx, f.kind) {
                bits |= 1u64.checked_shl(u32::try_from(i).ok()?)?;
            }
        }
        Some(Base { pre, bits })
    }

    /// The SPIFFs a share earns (added after multipliers, never multiplied). `None` on overflow.
    pub(crate) fn spiffs(
        &self,
        f: &ShareFacts<'_>,
        mut components: Option<&mut Vec<LineComponent>>,
    ) -> Option<Decimal> {
        let want = components.is_some();
        let mut total = Decimal::ZERO;
        for spiff in &self.spiffs {
            let date = f.tx.date;
            if spiff.starts_on.is_some_and(|s| date < s)
                || spiff.ends_on.is_some_and(|e| date > e)
                || !f.passed.holds(spiff.filter, &spiff.when, f.tx, f.kind)
            {
                continue;
            }
            let (value, note) = match spiff.pays {
                SpiffPay::PerUnit { amount: a } => (
                    f.quantity.checked_mul(a.amount())?,
                    note!(
                        want,
                        "{} units × {}",
                        number(f.quantity),
                        self.show(a.amount())
                    ),
                ),
                SpiffPay::PerDeal { amount: a } => (
                    a.amount().checked_mul(f.share)?,
                    note!(want, "{} per deal", self.show(a.amount())),
                ),
                SpiffPay::Rate { rate } => (
                    f.basis.checked_mul(rate.fraction())?,
                    note!(
                        want,
                        "extra {} of {}",
                        pct(rate.fraction()),
                        self.show(f.basis)
                    ),
                ),
            };
            total = total.checked_add(value)?;
            if let Some(c) = components.as_deref_mut() {
                c.push(component(
                    &spiff.rule,
                    ComponentKind::Spiff,
                    value,
                    note,
                    self.places,
                ));
            }
        }
        Some(total)
    }
}

/// A component, its amount written like money when that loses nothing.
pub(crate) fn component(
    rule: &str,
    kind: ComponentKind,
    amount: Decimal,
    detail: String,
    places: u32,
) -> LineComponent {
    LineComponent {
        rule: rule.to_owned(),
        kind,
        amount: money_like(amount, places),
        detail,
    }
}

/// Formats a rate as a percent (`0.07` → `7%`).
pub(crate) fn percent(rate: Decimal) -> String {
    pct(rate)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(text: &str) -> Decimal {
        Decimal::new(text.parse().unwrap())
    }

    #[test]
    fn percent_moves_the_decimal_point_two_places() {
        assert_eq!(percent(rate("0.07")), "7%");
        assert_eq!(percent(rate("0.075")), "7.5%");
        assert_eq!(percent(rate("1.5")), "150%");
        assert_eq!(percent(rate("3")), "300%");
        assert_eq!(percent(rate("-0.10")), "-10%");
        assert_eq!(percent(rate("0.00")), "0%");
        assert_eq!(
            percent(rate("0.1234567890123456789012345678")),
            "12.34567890123456789012345678%"
        );
    }

    #[test]
    fn percent_of_the_largest_rate_does_not_overflow() {
        // Found by fuzzing: rate × 100 overflowed rust_decimal and panicked.
        assert_eq!(
            percent(rate("79228162514264337593543950335")),
            "7922816251426433759354395033500%"
        );
        assert_eq!(
            percent(rate("-79228162514264337593543950335")),
            "-7922816251426433759354395033500%"
        );
    }
}
