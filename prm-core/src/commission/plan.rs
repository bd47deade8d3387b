//! [`CommissionProgram`] and [`CommissionPlan`]: the `commissions` section of the program document.

use super::brackets::{BracketScope, BracketTable};
use crate::calendar::Date;
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use crate::money::{Amount, Currency, Decimal, Rate};
use crate::partner::PartnerKind;
use crate::tier::TierProgram;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The most bracket tables one plan may hold.
pub const MAX_BRACKET_TABLES: usize = 64;

/// The `commissions` section of a program: the plans, tried in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommissionProgram {
    /// The plans. A partner is paid under the first plan whose `applies_to`
    /// matches it, so list specific plans before general ones.
    pub plans: Vec<CommissionPlan>,
}

/// One commission plan: how a partner's transactions turn into commission lines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommissionPlan {
    /// Unique id (`reseller-2026`); lines cite it in their rule ids.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Which partners the plan is for; empty means every partner.
    #[serde(default, skip_serializing_if = "AppliesTo::is_empty")]
    pub applies_to: AppliesTo,
    /// The statement period: `month`, `quarter` (default) or `year`, on the program's fiscal calendar.
    #[serde(default)]
    pub period: PlanPeriod,
    /// What commission is computed on: `revenue` (default) or `margin` = max(0, amount - cost).
    #[serde(default)]
    pub basis: Basis,
    /// How to choose among several rates that match one transaction.
    #[serde(default)]
    pub rate_selection: RateSelection,
    /// How this plan's lines are rounded (once per line, to the currency's
    /// minor units); the program's `rounding` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rounding: Option<crate::money::RoundingMode>,
    /// Rates: percent of the basis, an amount per unit or per transaction, recurring rates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rates: Vec<RateRule>,
    /// Bracket tables; each adds to the rates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub brackets: Vec<BracketTable>,
    /// The partner's tier multiplier at the transaction date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier_multiplier: Option<TierMultiplier>,
    /// A multiplier for commission above quota attainment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accelerator: Option<Accelerator>,
    /// Per-transaction minimum and maximum, after multipliers, before SPIFFs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_transaction: Option<TransactionLimits>,
    /// Sales incentives with a date window; added after multipliers and never multiplied.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spiffs: Vec<Spiff>,
    /// Bonuses paid once per period when the period's net basis reaches a target.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target_bonuses: Vec<TargetBonus>,
    /// The most a partner earns in one period; the excess is reported as capped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_cap: Option<Amount>,
    /// Below this net basis in a period, nothing is paid for that period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_period_basis: Option<Amount>,
    /// Days after a sale within which a refund claws its commission back; absent means no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clawback_window_days: Option<u32>,
    /// When lines become payable.
    #[serde(default)]
    pub payout: Payout,
    /// What this plan's partners earn on the transactions of the resellers below them (two-tier).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overrides: Option<OverrideRule>,
}

/// Which partners a plan applies to. Every non-empty list must match.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AppliesTo {
    /// Partner ids named explicitly.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partners: Vec<String>,
    /// Partner kinds (`reseller`, `referral`, `distributor`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partner_kinds: Vec<PartnerKind>,
    /// Tiers held on the first day of the period (from the tier history).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<String>,
}

impl AppliesTo {
    /// True when nothing restricts the plan.
    pub fn is_empty(&self) -> bool {
        self.partners.is_empty() && self.partner_kinds.is_empty() && self.tiers.is_empty()
    }
}

/// The statement period of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanPeriod {
    /// Calendar months.
    Month,
    /// Fiscal quarters.
    #[default]
    Quarter,
    /// Fiscal years.
    Year,
}

impl PlanPeriod {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PlanPeriod::Month => "month",
            PlanPeriod::Quarter => "quarter",
            PlanPeriod::Year => "year",
        }
    }
}

/// What commission is computed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The transaction amount.
    #[default]
    Revenue,
    /// max(0, amount - cost): a sale below cost earns nothing, never a negative line.
    Margin,
}

/// How one rate is chosen when several match a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RateSelection {
    /// The most specific rate: one naming the product beats one naming the
    /// category, which beats one naming neither; then the one with more other
    /// conditions; then the earlier in the plan.
    #[default]
    MostSpecific,
    /// Every matching rate, added up.
    Additive,
    /// The matching rate that pays the most for this transaction (the earlier on a tie).
    Highest,
}

/// Conditions on a transaction (and its partner). Every non-empty condition must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransactionFilter {
    /// Product ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<String>,
    /// Product categories.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// Kinds of the partner earning the line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partner_kinds: Vec<PartnerKind>,
    /// `true`: only transactions on a registered deal; `false`: only those without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered_deal: Option<bool>,
}

impl TransactionFilter {
    /// True when the filter matches everything.
    pub fn is_empty(&self) -> bool {
        self.products.is_empty()
            && self.categories.is_empty()
            && self.partner_kinds.is_empty()
            && self.registered_deal.is_none()
    }

    /// Specificity for `most_specific`: (names products, names categories, other conditions).
    pub(crate) fn specificity(&self) -> (bool, bool, usize) {
        (
            !self.products.is_empty(),
            !self.categories.is_empty(),
            usize::from(!self.partner_kinds.is_empty())
                + usize::from(self.registered_deal.is_some()),
        )
    }
}

/// A rate rule. Which rules apply to a transaction is decided by their `when`
/// filters and the plan's `rate_selection`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RateRule {
    /// A percent of the basis.
    Percent {
        /// Rule id, unique within the plan.
        id: String,
        /// The rate (`"0.07"` or `"7%"`).
        rate: Rate,
        /// Which transactions it applies to.
        #[serde(default, skip_serializing_if = "TransactionFilter::is_empty")]
        when: TransactionFilter,
    },
    /// An amount per unit sold (`quantity`, 1 when absent).
    PerUnit {
        /// Rule id, unique within the plan.
        id: String,
        /// Paid per unit.
        amount: Amount,
        /// Which transactions it applies to.
        #[serde(default, skip_serializing_if = "TransactionFilter::is_empty")]
        when: TransactionFilter,
    },
    /// An amount per transaction (split by share).
    PerTransaction {
        /// Rule id, unique within the plan.
        id: String,
        /// Paid per transaction.
        amount: Amount,
        /// Which transactions it applies to.
        #[serde(default, skip_serializing_if = "TransactionFilter::is_empty")]
        when: TransactionFilter,
    },
    /// Recurring revenue paid by contract year: `rates[0]` in year 1, `rates[1]`
    /// in year 2, and nothing after the last. Matches only transactions with a
    /// `contract_year` (or a `contract_start` to derive it from).
    ContractYear {
        /// Rule id, unique within the plan.
        id: String,
        /// The rate of each contract year, year 1 first.
        rates: Vec<Rate>,
        /// Which transactions it applies to.
        #[serde(default, skip_serializing_if = "TransactionFilter::is_empty")]
        when: TransactionFilter,
    },
    /// Recurring revenue paid only during the first `months` months of the
    /// contract (from the transaction's `contract_start`).
    FirstMonths {
        /// Rule id, unique within the plan.
        id: String,
        /// The rate while it applies.
        rate: Rate,
        /// How many months from `contract_start` it applies.
        months: u32,
        /// Which transactions it applies to.
        #[serde(default, skip_serializing_if = "TransactionFilter::is_empty")]
        when: TransactionFilter,
    },
}

impl RateRule {
    /// The rule's id.
    pub fn id(&self) -> &str {
        match self {
            RateRule::Percent { id, .. }
            | RateRule::PerUnit { id, .. }
            | RateRule::PerTransaction { id, .. }
            | RateRule::ContractYear { id, .. }
            | RateRule::FirstMonths { id, .. } => id,
        }
    }

    /// The rule's filter.
    pub fn when(&self) -> &TransactionFilter {
        match self {
            RateRule::Percent { when, .. }
            | RateRule::PerUnit { when, .. }
            | RateRule::PerTransaction { when, .. }
            | RateRule::ContractYear { when, .. }
            | RateRule::FirstMonths { when, .. } => when,
        }
    }
}

/// Where a tier multiplier comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum TierMultiplier {
    /// The `commission_multiplier` benefit of the partner's tier (1 when the tier has none).
    TierBenefits {},
    /// A table of its own; tiers not listed multiply by 1.
    Table {
        /// Multiplier by tier id (`{"gold": "1.2"}`).
        multipliers: BTreeMap<String, Decimal>,
    },
}

/// What part of the commission an accelerator multiplies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AcceleratorScope {
    /// Only the commission on the basis above quota, in date order.
    #[default]
    Excess,
    /// All of the period's commission, once the period's net basis reaches quota.
    Everything,
}

/// A multiplier above quota attainment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Accelerator {
    /// The period quota (net basis); a partner's entry in the request's `quotas` replaces it.
    pub quota: Amount,
    /// The multiplier (`1.5`).
    pub multiplier: Decimal,
    /// On the excess over quota, or on everything.
    #[serde(default)]
    pub on: AcceleratorScope,
}

/// Per-transaction limits, applied after multipliers and before SPIFFs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransactionLimits {
    /// Each sale line earns at least this much.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum: Option<Amount>,
    /// Each sale line earns at most this much.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum: Option<Amount>,
}

/// What a SPIFF pays on each matching transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum SpiffPay {
    /// An amount per unit.
    PerUnit {
        /// Paid per unit.
        amount: Amount,
    },
    /// An amount per deal (split by share).
    PerDeal {
        /// Paid per deal.
        amount: Amount,
    },
    /// An extra rate on the basis.
    Rate {
        /// The extra rate.
        rate: Rate,
    },
}

/// A sales incentive: pays on matching sales dated inside its window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spiff {
    /// Rule id, unique within the plan.
    pub id: String,
    /// First day of the window (included); absent means no start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_on: Option<Date>,
    /// Last day of the window (included); absent means no end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_on: Option<Date>,
    /// Which transactions it applies to.
    #[serde(default, skip_serializing_if = "TransactionFilter::is_empty")]
    pub when: TransactionFilter,
    /// What it pays.
    pub pays: SpiffPay,
}

/// A bonus paid once per period when the net basis reaches `target`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetBonus {
    /// Rule id, unique within the plan.
    pub id: String,
    /// The net basis to reach (included).
    pub target: Amount,
    /// The bonus.
    pub bonus: Amount,
}

/// When a line counts as earned for payout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PayoutTrigger {
    /// From the booking date.
    #[default]
    Booking,
    /// From the customer's payment (`paid_on`); unpaid lines stay pending.
    Payment,
}

/// When lines become payable: the trigger date plus a hold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Payout {
    /// Booking or payment.
    #[serde(default)]
    pub on: PayoutTrigger,
    /// Days after the trigger before the line is payable.
    #[serde(default)]
    pub hold_days: u32,
}

/// What a distributor's override is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OverrideBasis {
    /// The reseller's basis on the transaction.
    #[default]
    Basis,
    /// The reseller's commission on the transaction.
    Commission,
}

/// A two-tier override: the parent distributor earns on its resellers' transactions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideRule {
    /// Rule id, unique within the plan.
    pub id: String,
    /// The override rate.
    pub rate: Rate,
    /// On the reseller's basis (default) or commission.
    #[serde(default)]
    pub of: OverrideBasis,
    /// With `of: basis`: pay `rate × basis` minus the reseller's commission on
    /// the transaction (never below 0), so the two levels together earn `rate`.
    #[serde(default)]
    pub subtract_lower_level: bool,
}

/// `amount` as a decimal in `currency`, or a problem at `path`.
pub(crate) fn money_in(
    amount: Amount,
    currency: Currency,
    path: &JsonPath,
    problems: &mut Problems,
) -> Option<Decimal> {
    if let Some(other) = amount.currency()
        && other != currency
    {
        problems.push(
            Problem::new(ErrorCode::CurrencyMismatch, path)
                .message(format!(
                    "plan amounts are in the program's currency {currency}, found {other}"
                ))
                .help(format!("write the amount in {currency}")),
        );
        return None;
    }
    problems
        .take(amount.in_currency(currency, path))
        .map(|m| m.amount())
}

fn not_negative(value: Decimal, what: &str, path: &JsonPath, problems: &mut Problems) {
    if value.is_negative() {
        problems.push(
            Problem::new(ErrorCode::CommissionNegativeRate, path)
                .message(format!("{what} must not be negative, found {value}")),
        );
    }
}

fn threshold(value: Option<Decimal>, what: &str, path: &JsonPath, problems: &mut Problems) {
    if let Some(value) = value.filter(|v| v.is_negative()) {
        problems.push(
            Problem::new(ErrorCode::OutOfRange, path)
                .message(format!("{what} must not be negative, found {value}")),
        );
    }
}

fn check_tier(tiers: Option<&TierProgram>, id: &str, path: &JsonPath, problems: &mut Problems) {
    match tiers {
        Some(tiers) => {
            problems.take(tiers.check_reference(id, path));
        }
        None => problems.push(
            Problem::new(ErrorCode::UnknownReference, path)
                .message(format!(
                    "unknown tier `{id}`: the program has no `tiers` section"
                ))
                .help("add the tier ladder to the program, or remove the tier condition"),
        ),
    }
}

impl CommissionProgram {
    /// Checks every plan: rates, brackets, amounts and currencies, rule ids,
    /// and references to tiers; reports every problem with its path.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] listing, among others, `commission_bracket_overlap`,
    /// `commission_bracket_gap`, `commission_negative_rate`, `currency_mismatch`,
    /// `duplicate_id` and `unknown_reference` (an unknown tier in a multiplier).
    pub fn validate(
        &self,
        path: &JsonPath,
        currency: Currency,
        tiers: Option<&TierProgram>,
    ) -> Result<(), Error> {
        let mut problems = Problems::new();
        let mut ids = BTreeSet::new();
        for (i, plan) in self.plans.iter().enumerate() {
            let at = path.key("plans").index(i);
            if !ids.insert(plan.id.as_str()) {
                problems.push(
                    Problem::new(ErrorCode::DuplicateId, at.key("id"))
                        .message(format!("plan id `{}` is used twice", plan.id)),
                );
            }
            plan.validate(&at, currency, tiers, &mut problems);
        }
        problems.into_result(())
    }

    /// The plan with this id.
    pub fn plan(&self, id: &str) -> Option<&CommissionPlan> {
        self.plans.iter().find(|p| p.id == id)
    }
}

impl CommissionPlan {
    fn validate(
        &self,
        at: &JsonPath,
        currency: Currency,
        tiers: Option<&TierProgram>,
        problems: &mut Problems,
    ) {
        let mut rule_ids = BTreeSet::new();
        let mut rule = |id: &str, path: JsonPath, problems: &mut Problems| {
            if !rule_ids.insert(id.to_owned()) {
                problems.push(
                    Problem::new(ErrorCode::DuplicateId, path)
                        .message(format!(
                            "rule id `{id}` is used twice in plan `{}`",
                            self.id
                        ))
                        .help(
                            "give every rate, bracket table, SPIFF and bonus of a plan its own id",
                        ),
                );
            }
        };
        for (j, tier) in self.applies_to.tiers.iter().enumerate() {
            check_tier(
                tiers,
                tier,
                &at.key("applies_to").key("tiers").index(j),
                problems,
            );
        }
        for (j, rate) in self.rates.iter().enumerate() {
            let here = at.key("rates").index(j);
            rule(rate.id(), here.key("id"), problems);
            match rate {
                RateRule::Percent { rate, .. } | RateRule::FirstMonths { rate, .. } => {
                    not_negative(rate.fraction(), "a rate", &here.key("rate"), problems);
                }
                RateRule::PerUnit { amount, .. } | RateRule::PerTransaction { amount, .. } => {
                    if let Some(v) = money_in(*amount, currency, &here.key("amount"), problems) {
                        not_negative(v, "an amount", &here.key("amount"), problems);
                    }
                }
                RateRule::ContractYear { rates, .. } => {
                    if rates.is_empty() {
                        problems.push(
                            Problem::new(ErrorCode::InvalidValue, here.key("rates"))
                                .message("a contract-year rate needs the rate of year 1 at least"),
                        );
                    }
                    for (k, r) in rates.iter().enumerate() {
                        not_negative(
                            r.fraction(),
                            "a rate",
                            &here.key("rates").index(k),
                            problems,
                        );
                    }
                }
            }
            if let RateRule::FirstMonths { months: 0, .. } = rate {
                problems.push(
                    Problem::new(ErrorCode::OutOfRange, here.key("months"))
                        .message("`months` must be at least 1, found 0"),
                );
            }
        }
        if self.brackets.len() > MAX_BRACKET_TABLES {
            problems.push(
                Problem::new(ErrorCode::ListTooLong, at.key("brackets")).message(format!(
                    "a plan holds at most {MAX_BRACKET_TABLES} bracket tables, found {}",
                    self.brackets.len()
                )),
            );
        }
        for (j, table) in self.brackets.iter().enumerate() {
            let here = at.key("brackets").index(j);
            rule(&table.id, here.key("id"), problems);
            table.validate(currency, &here, problems);
        }
        match &self.tier_multiplier {
            Some(TierMultiplier::TierBenefits {}) if tiers.is_none() => problems.push(
                Problem::new(ErrorCode::UnknownReference, at.key("tier_multiplier"))
                    .message("tier multipliers come from tier benefits, but the program has no `tiers` section")
                    .help("add the tier ladder, or use {\"kind\": \"table\", \"multipliers\": {...}}"),
            ),
            Some(TierMultiplier::Table { multipliers }) => {
                for (tier, value) in multipliers {
                    let here = at.key("tier_multiplier").key("multipliers").key(tier);
                    check_tier(tiers, tier, &here, problems);
                    not_negative(*value, "a multiplier", &here, problems);
                }
            }
            _ => {}
        }
        if let Some(acc) = &self.accelerator {
            let here = at.key("accelerator");
            if let Some(quota) = money_in(acc.quota, currency, &here.key("quota"), problems)
                && quota <= Decimal::ZERO
            {
                problems.push(
                    Problem::new(ErrorCode::OutOfRange, here.key("quota"))
                        .message(format!("quota must be above 0, found {quota}")),
                );
            }
            not_negative(
                acc.multiplier,
                "a multiplier",
                &here.key("multiplier"),
                problems,
            );
        }
        if let Some(limits) = &self.per_transaction {
            let here = at.key("per_transaction");
            let min = limits
                .minimum
                .and_then(|m| money_in(m, currency, &here.key("minimum"), problems));
            let max = limits
                .maximum
                .and_then(|m| money_in(m, currency, &here.key("maximum"), problems));
            threshold(min, "the minimum", &here.key("minimum"), problems);
            threshold(max, "the maximum", &here.key("maximum"), problems);
            if let (Some(min), Some(max)) = (min, max)
                && min > max
            {
                problems.push(
                    Problem::new(ErrorCode::OutOfRange, here.key("minimum"))
                        .message(format!("the minimum {min} is above the maximum {max}")),
                );
            }
        }
        for (j, spiff) in self.spiffs.iter().enumerate() {
            let here = at.key("spiffs").index(j);
            rule(&spiff.id, here.key("id"), problems);
            if let (Some(start), Some(end)) = (spiff.starts_on, spiff.ends_on)
                && end < start
            {
                problems.push(
                    Problem::new(ErrorCode::PeriodReversed, here.key("ends_on")).message(format!(
                        "SPIFF `{}` ends on {end}, before it starts on {start}",
                        spiff.id
                    )),
                );
            }
            let pays = here.key("pays");
            match spiff.pays {
                SpiffPay::PerUnit { amount } | SpiffPay::PerDeal { amount } => {
                    if let Some(v) = money_in(amount, currency, &pays.key("amount"), problems) {
                        not_negative(v, "an amount", &pays.key("amount"), problems);
                    }
                }
                SpiffPay::Rate { rate } => {
                    not_negative(rate.fraction(), "a rate", &pays.key("rate"), problems)
                }
            }
        }
        for (j, bonus) in self.target_bonuses.iter().enumerate() {
            let here = at.key("target_bonuses").index(j);
            rule(&bonus.id, here.key("id"), problems);
            let target = money_in(bonus.target, currency, &here.key("target"), problems);
            threshold(target, "the target", &here.key("target"), problems);
            if let Some(v) = money_in(bonus.bonus, currency, &here.key("bonus"), problems) {
                not_negative(v, "a bonus", &here.key("bonus"), problems);
            }
        }
        let cap = self
            .period_cap
            .and_then(|c| money_in(c, currency, &at.key("period_cap"), problems));
        threshold(cap, "the period cap", &at.key("period_cap"), problems);
        let min_basis = self
            .minimum_period_basis
            .and_then(|c| money_in(c, currency, &at.key("minimum_period_basis"), problems));
        threshold(
            min_basis,
            "the minimum period basis",
            &at.key("minimum_period_basis"),
            problems,
        );
        if let Some(o) = &self.overrides {
            let here = at.key("overrides");
            rule(&o.id, here.key("id"), problems);
            not_negative(o.rate.fraction(), "a rate", &here.key("rate"), problems);
            if o.subtract_lower_level && o.of == OverrideBasis::Commission {
                problems.push(
                    Problem::new(ErrorCode::InvalidValue, here.key("subtract_lower_level"))
                        .message("`subtract_lower_level` only makes sense with `of: basis`")
                        .help(
                            "use `of: basis` to pay the difference between the two levels' rates",
                        ),
                );
            }
        }
    }

    /// True when some of the plan's amounts are only known once the period is
    /// over (period-cumulative brackets, an accelerator on everything), so its
    /// lines are settled at the period's close.
    pub fn is_period_dependent(&self) -> bool {
        self.brackets
            .iter()
            .any(|b| b.scope == BracketScope::Period)
            || self
                .accelerator
                .as_ref()
                .is_some_and(|a| a.on == AcceleratorScope::Everything)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problems(section: serde_json::Value) -> Vec<(String, String)> {
        let section: CommissionProgram = crate::input::read(&section).unwrap();
        match section.validate(&JsonPath::root(), Currency::eur(), None) {
            Ok(()) => Vec::new(),
            Err(e) => e
                .problems()
                .iter()
                .map(|p| (p.code().to_string(), p.path().to_owned()))
                .collect(),
        }
    }

    #[test]
    fn validate_collects_every_plan_problem() {
        let found = problems(json!({"plans": [
            {"id": "a", "rates": [
                {"kind": "percent", "id": "r", "rate": "-1%"},
                {"kind": "per_unit", "id": "r", "amount": {"amount": "5", "currency": "USD"}}
            ],
             "tier_multiplier": {"kind": "table", "multipliers": {"gold": "1.2"}},
             "per_transaction": {"minimum": "10", "maximum": "5"}},
            {"id": "a", "overrides": {"id": "o", "rate": "2%", "of": "commission", "subtract_lower_level": true}}
        ]}));
        assert_eq!(
            found,
            vec![
                (
                    "commission_negative_rate".into(),
                    "$.plans[0].rates[0].rate".into()
                ),
                ("duplicate_id".into(), "$.plans[0].rates[1].id".into()),
                (
                    "currency_mismatch".into(),
                    "$.plans[0].rates[1].amount".into()
                ),
                (
                    "unknown_reference".into(),
                    "$.plans[0].tier_multiplier.multipliers.gold".into()
                ),
                (
                    "out_of_range".into(),
                    "$.plans[0].per_transaction.minimum".into()
                ),
                ("duplicate_id".into(), "$.plans[1].id".into()),
                (
                    "invalid_value".into(),
                    "$.plans[1].overrides.subtract_lower_level".into()
                ),
            ]
        );
    }

    #[test]
    fn most_specific_ranks_product_over_category_over_any() {
        let product = TransactionFilter {
            products: vec!["X".into()],
            ..Default::default()
        };
        let category = TransactionFilter {
            categories: vec!["c".into()],
            ..Default::default()
        };
        let kind = TransactionFilter {
            partner_kinds: vec![PartnerKind::Reseller],
            ..Default::default()
        };
        assert!(product.specificity() > category.specificity());
        assert!(category.specificity() > kind.specificity());
        assert!(kind.specificity() > TransactionFilter::default().specificity());
    }
}
