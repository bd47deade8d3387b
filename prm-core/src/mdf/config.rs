//! The `mdf` section of the program document: fund programs and their rules.

use crate::calendar::Date;
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use crate::money::{Amount, Currency, Decimal, Rate};
use crate::tier::{TierId, TierProgram};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The longest lead time prm accepts, in days (about ten years).
pub const MAX_LEAD_DAYS: u32 = 3660;

/// The `mdf` section: the program's market development fund programs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MdfProgram {
    /// The fund programs, each with its own periods, pool and rules.
    pub funds: Vec<FundProgram>,
}

/// A fund program: a budget split into periods, and the rules for allocating,
/// requesting and claiming it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FundProgram {
    /// Unique id (`coop`).
    pub id: String,
    /// Display name (`Co-op marketing fund`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The fund's currency; the program's currency when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// The periods, in date order and not overlapping; unspent money carries
    /// from one period into the next.
    pub periods: Vec<FundPeriod>,
    /// How each period's pool is shared among partners.
    pub allocation: AllocationRule,
    /// The least a partner with a positive entitlement receives for a whole period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_per_partner: Option<Amount>,
    /// The most a partner receives for a whole period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_per_partner: Option<Amount>,
    /// Prorate the allocation of partners who joined during the period
    /// (days active over days in the period); `true` by default.
    #[serde(default = "yes")]
    pub prorate_joiners: bool,
    /// The activities partners may request funds for.
    pub activity_types: Vec<ActivityType>,
    /// Which activity types each tier may request. When absent, the tier's
    /// `mdf_activity_types` benefit decides (and, without a tier ladder, every type is eligible).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eligibility: Option<BTreeMap<TierId, Vec<String>>>,
    /// How long before the activity starts a request must be submitted; no lead time when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead_time: Option<LeadTime>,
    /// Days that are not business days, besides Saturdays and Sundays.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holidays: Vec<Date>,
    /// Requests up to this amount are approved on submission when funds allow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_approve_up_to: Option<Amount>,
    /// Who may approve how much. When empty, any approver may approve any amount.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approval_limits: Vec<ApprovalLimit>,
    /// Claims are accepted up to this many days after the activity's last day
    /// (day N accepted, day N+1 refused).
    pub claim_window_days: u32,
    /// When unspent money expires and how much of it carries over.
    #[serde(default)]
    pub expiry: Expiry,
    /// Whether a request needs the partner compliant for `request_mdf` under the
    /// program's `agreements` section. The host runs `compliance.check` for the
    /// `request_mdf` activity and passes its answer as the `submit_request` command's
    /// `compliant`; a request that does not say `true` is refused with
    /// `mdf_not_compliant`. Off by default.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub requires_compliance: bool,
}

fn yes() -> bool {
    true
}

/// One period of a fund program, with its pool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FundPeriod {
    /// Unique within the fund (`2026-Q1`).
    pub id: String,
    /// The first day of the period.
    pub start: Date,
    /// The first day after the period (periods are half-open).
    pub end: Date,
    /// The budget for the period; allocations and adjustments never exceed it.
    pub pool: Amount,
}

/// How a period's pool is shared among partners.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum AllocationRule {
    /// A fixed amount per tier; a tier not listed receives nothing.
    ByTier {
        /// Amount per tier id for a whole period.
        amounts: BTreeMap<TierId, Amount>,
    },
    /// A rate of the partner's revenue in the previous period.
    Accrual {
        /// The rate; when absent, the partner's tier benefit `mdf_accrual_rate`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rate: Option<Rate>,
    },
    /// An amount chosen per partner when allocating (not prorated).
    Discretionary {},
}

impl AllocationRule {
    /// The rule's wire name (`by_tier`, `accrual`, `discretionary`).
    pub fn as_str(&self) -> &'static str {
        match self {
            AllocationRule::ByTier { .. } => "by_tier",
            AllocationRule::Accrual { .. } => "accrual",
            AllocationRule::Discretionary {} => "discretionary",
        }
    }
}

/// An activity partners may request funds for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityType {
    /// Unique id (`trade_show`).
    pub id: String,
    /// Display name (`Trade show`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The vendor's share of the cost (`50%`): a request may not exceed the
    /// planned cost times this share, and a claim reimburses at most the actual cost times it.
    pub vendor_share: Rate,
    /// Proof kinds every claim must include (`invoice`, `photos`, `attendee_list`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_proof: Vec<String>,
    /// A lead time for this activity type, replacing the fund's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead_time: Option<LeadTime>,
}

/// How long before an activity starts its request must be submitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadTime {
    /// The number of days.
    #[schemars(range(max = 3660))]
    pub days: u32,
    /// Calendar days (default) or business days.
    #[serde(default)]
    pub count: DayCount,
}

/// How days are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DayCount {
    /// Every day counts.
    #[default]
    CalendarDays,
    /// Monday to Friday, except the fund's holidays.
    BusinessDays,
}

impl DayCount {
    /// `calendar` or `business`, for messages.
    pub fn word(self) -> &'static str {
        match self {
            DayCount::CalendarDays => "calendar",
            DayCount::BusinessDays => "business",
        }
    }
}

/// An approval role and the largest amount it may approve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalLimit {
    /// The approver's role (`channel_manager`).
    pub role: String,
    /// The largest approval this role may give; unlimited when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub up_to: Option<Amount>,
}

/// Expiry of unspent money at the end of a period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expiry {
    /// Days after the period's end before it can be closed and its unspent money expires.
    #[serde(default)]
    #[schemars(range(max = 3660))]
    pub grace_days: u32,
    /// How much unspent money carries into the next period; none when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carry_over: Option<CarryOver>,
}

/// The share of unspent money that carries into the next period, and its cap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CarryOver {
    /// The share of each partner's unspent balance that carries over (`50%`).
    pub share: Rate,
    /// The most any one partner carries over; uncapped when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap_per_partner: Option<Amount>,
}

impl MdfProgram {
    /// The fund program with this id.
    pub fn fund(&self, id: &str) -> Option<&FundProgram> {
        self.funds.iter().find(|f| f.id == id)
    }

    /// The position of fund `fund`, or `unknown_reference` at `at` with a suggestion.
    pub(crate) fn fund_at(&self, fund: &str, at: &JsonPath) -> Result<usize, Error> {
        self.funds.iter().position(|f| f.id == fund).ok_or_else(|| {
            let mut problem = Problem::new(ErrorCode::UnknownReference, at)
                .message(format!("unknown fund `{fund}`"));
            if let Some(close) =
                crate::input::did_you_mean(fund, self.funds.iter().map(|f| f.id.as_str()))
            {
                problem = problem.help(format!("did you mean `{close}`?"));
            }
            Error::problem(problem)
        })
    }

    /// The positions of fund `fund` and its period `period`, or
    /// `unknown_reference` at `at.fund` / `at.period` with a suggestion.
    pub(crate) fn locate(
        &self,
        fund: &str,
        period: &str,
        at: &JsonPath,
    ) -> Result<(usize, usize), Error> {
        let f = self.fund_at(fund, &at.key("fund"))?;
        let periods = self.funds.get(f).map_or(&[][..], |f| &f.periods[..]);
        match periods.iter().position(|p| p.id == period) {
            Some(p) => Ok((f, p)),
            None => {
                let mut problem = Problem::new(ErrorCode::UnknownReference, at.key("period"))
                    .message(format!("fund `{fund}` has no period `{period}`"));
                if let Some(close) =
                    crate::input::did_you_mean(period, periods.iter().map(|p| p.id.as_str()))
                {
                    problem = problem.help(format!("did you mean `{close}`?"));
                }
                Err(Error::problem(problem))
            }
        }
    }

    /// Checks ids, dates, amounts and references to tiers; problems are reported under `path`.
    ///
    /// # Errors
    ///
    /// Every problem found: `duplicate_id`, `unknown_reference`, `period_reversed`,
    /// `mdf_periods_overlap`, `out_of_range`, `money_precision`, `currency_mismatch`.
    pub fn validate(
        &mut self,
        path: &JsonPath,
        currency: Currency,
        tiers: Option<&TierProgram>,
    ) -> Result<(), Error> {
        let mut problems = Problems::new();
        let mut ids = BTreeSet::new();
        for (i, fund) in self.funds.iter_mut().enumerate() {
            let at = path.key("funds").index(i);
            if !ids.insert(fund.id.clone()) {
                problems.push(
                    Problem::new(ErrorCode::DuplicateId, at.key("id"))
                        .message(format!("fund id `{}` is used twice", fund.id)),
                );
            }
            fund.validate(&at, currency, tiers, &mut problems);
        }
        problems.into_result(())
    }
}

impl FundProgram {
    /// The fund's currency, given the program's.
    pub fn currency_or(&self, program: Currency) -> Currency {
        self.currency.unwrap_or(program)
    }

    /// The period with this id.
    pub fn period(&self, id: &str) -> Option<&FundPeriod> {
        self.periods.iter().find(|p| p.id == id)
    }

    /// The activity type with this id.
    pub fn activity_type(&self, id: &str) -> Option<&ActivityType> {
        self.activity_types.iter().find(|a| a.id == id)
    }

    /// The lead time for `activity`: its own, else the fund's, else none.
    pub fn lead_time_for(&self, activity: &ActivityType) -> LeadTime {
        activity.lead_time.or(self.lead_time).unwrap_or(LeadTime {
            days: 0,
            count: DayCount::CalendarDays,
        })
    }

    fn validate(
        &mut self,
        at: &JsonPath,
        program_currency: Currency,
        tiers: Option<&TierProgram>,
        problems: &mut Problems,
    ) {
        let currency = self.currency_or(program_currency);
        let fund_id = self.id.clone();
        let mut money = |amount: &Amount, path: JsonPath, problems: &mut Problems| {
            if let Some(m) = problems.take(amount.in_currency(currency, &path)) {
                if m.currency() != currency {
                    problems.push(
                        Problem::new(ErrorCode::CurrencyMismatch, &path)
                            .message(format!(
                                "amount is in {} but fund `{fund_id}` is in {currency}",
                                m.currency(),
                            ))
                            .help(format!("write it in {currency}, or as a bare amount")),
                    );
                } else if m.amount().is_negative() {
                    problems.push(
                        Problem::new(ErrorCode::OutOfRange, &path)
                            .message(format!("expected an amount of zero or more, found {m}")),
                    );
                }
            }
        };
        self.validate_periods(at, &mut money, problems);
        if let Some(min) = &self.min_per_partner {
            money(min, at.key("min_per_partner"), problems);
        }
        if let Some(max) = &self.max_per_partner {
            money(max, at.key("max_per_partner"), problems);
        }
        if let (Some(min), Some(max)) = (&self.min_per_partner, &self.max_per_partner)
            && min.amount() > max.amount()
        {
            problems.push(
                Problem::new(ErrorCode::OutOfRange, at.key("max_per_partner")).message(format!(
                    "max_per_partner {} is below min_per_partner {}",
                    max.amount(),
                    min.amount()
                )),
            );
        }
        match &self.allocation {
            AllocationRule::ByTier { amounts } => {
                let path = at.key("allocation").key("amounts");
                for (tier, amount) in amounts {
                    money(amount, path.key(tier), problems);
                    check_tier(tiers, tier, &path.key(tier), problems);
                }
            }
            AllocationRule::Accrual { rate } => {
                if let Some(rate) = rate {
                    check_share(*rate, &at.key("allocation").key("rate"), problems, false);
                } else if tiers.is_none() {
                    problems.push(
                        Problem::new(ErrorCode::MissingField, at.key("allocation").key("rate"))
                            .message("an accrual without a rate reads each tier's `mdf_accrual_rate`, but the program has no `tiers` section")
                            .help("give the accrual a `rate`, or add a tier ladder"),
                    );
                }
            }
            AllocationRule::Discretionary {} => {}
        }
        self.validate_activities(at, tiers, problems);
        for (i, limit) in self.approval_limits.iter().enumerate() {
            if let Some(up_to) = &limit.up_to {
                money(
                    up_to,
                    at.key("approval_limits").index(i).key("up_to"),
                    problems,
                );
            }
        }
        let mut roles = BTreeSet::new();
        for (i, limit) in self.approval_limits.iter().enumerate() {
            if !roles.insert(limit.role.as_str()) {
                problems.push(
                    Problem::new(
                        ErrorCode::DuplicateId,
                        at.key("approval_limits").index(i).key("role"),
                    )
                    .message(format!("approval role `{}` is listed twice", limit.role)),
                );
            }
        }
        if let Some(auto) = &self.auto_approve_up_to {
            money(auto, at.key("auto_approve_up_to"), problems);
        }
        if let Some(carry) = &self.expiry.carry_over {
            let path = at.key("expiry").key("carry_over");
            check_share(carry.share, &path.key("share"), problems, true);
            if let Some(cap) = &carry.cap_per_partner {
                money(cap, path.key("cap_per_partner"), problems);
            }
        }
        for (name, days) in [
            ("claim_window_days", self.claim_window_days),
            ("grace_days", self.expiry.grace_days),
        ] {
            if days > MAX_LEAD_DAYS {
                let path = if name == "grace_days" {
                    at.key("expiry").key(name)
                } else {
                    at.key(name)
                };
                problems.push(Problem::new(ErrorCode::OutOfRange, path).message(format!(
                    "{name} must be at most {MAX_LEAD_DAYS}, found {days}"
                )));
            }
        }
        self.holidays.sort();
        self.holidays.dedup();
        self.periods.sort_by_key(|p| p.start);
    }

    fn validate_periods(
        &self,
        at: &JsonPath,
        money: &mut impl FnMut(&Amount, JsonPath, &mut Problems),
        problems: &mut Problems,
    ) {
        if self.periods.is_empty() {
            problems.push(
                Problem::new(ErrorCode::OutOfRange, at.key("periods"))
                    .message(format!("fund `{}` has no periods", self.id))
                    .help("add a period such as {\"id\": \"2026-Q1\", \"start\": \"2026-01-01\", \"end\": \"2026-04-01\", \"pool\": \"100000.00\"}"),
            );
        }
        let mut ids = BTreeSet::new();
        for (j, period) in self.periods.iter().enumerate() {
            let path = at.key("periods").index(j);
            if !ids.insert(period.id.as_str()) {
                problems.push(
                    Problem::new(ErrorCode::DuplicateId, path.key("id"))
                        .message(format!("period id `{}` is used twice", period.id)),
                );
            }
            if period.end <= period.start {
                problems.push(
                    Problem::new(ErrorCode::PeriodReversed, path.key("end"))
                        .message(format!(
                            "period `{}` ends on {}, not after it starts on {}",
                            period.id, period.end, period.start
                        ))
                        .help("`end` is the first day after the period"),
                );
            }
            money(&period.pool, path.key("pool"), problems);
        }
        let mut order: Vec<(usize, &FundPeriod)> = self.periods.iter().enumerate().collect();
        order.sort_by_key(|(_, p)| (p.start, p.end));
        for pair in order.windows(2) {
            if let [(_, a), (j, b)] = pair
                && b.start < a.end
            {
                problems.push(
                    Problem::new(
                        ErrorCode::MdfPeriodsOverlap,
                        at.key("periods").index(*j).key("start"),
                    )
                    .message(format!(
                        "period `{}` starts on {} before period `{}` ends on {}",
                        b.id, b.start, a.id, a.end
                    ))
                    .help("periods of one fund are consecutive and never share a day"),
                );
            }
        }
    }

    fn validate_activities(
        &self,
        at: &JsonPath,
        tiers: Option<&TierProgram>,
        problems: &mut Problems,
    ) {
        let mut ids = BTreeSet::new();
        for (k, activity) in self.activity_types.iter().enumerate() {
            let path = at.key("activity_types").index(k);
            if !ids.insert(activity.id.as_str()) {
                problems.push(
                    Problem::new(ErrorCode::DuplicateId, path.key("id"))
                        .message(format!("activity type `{}` is listed twice", activity.id)),
                );
            }
            check_share(
                activity.vendor_share,
                &path.key("vendor_share"),
                problems,
                false,
            );
            if let Some(lead) = activity.lead_time {
                check_lead(lead, &path.key("lead_time"), problems);
            }
        }
        if let Some(lead) = self.lead_time {
            check_lead(lead, &at.key("lead_time"), problems);
        }
        if let Some(map) = &self.eligibility {
            let path = at.key("eligibility");
            for (tier, types) in map {
                check_tier(tiers, tier, &path.key(tier), problems);
                for (n, id) in types.iter().enumerate() {
                    self.check_activity(id, &path.key(tier).index(n), problems);
                }
            }
        } else if let Some(tiers) = tiers {
            // Tier benefits name the activity types; they must exist in the fund.
            for (t, tier) in tiers.by_rank().iter().enumerate() {
                for (n, id) in tier.benefits.mdf_activity_types.iter().enumerate() {
                    if self.activity_type(id).is_none() {
                        let path = JsonPath::root()
                            .key("tiers")
                            .key("tiers")
                            .index(t)
                            .key("benefits")
                            .key("mdf_activity_types")
                            .index(n);
                        self.check_activity(id, &path, problems);
                    }
                }
            }
        }
    }

    fn check_activity(&self, id: &str, path: &JsonPath, problems: &mut Problems) {
        if self.activity_type(id).is_some() {
            return;
        }
        let mut problem = Problem::new(ErrorCode::UnknownReference, path).message(format!(
            "unknown activity type `{id}` (fund `{}` defines {})",
            self.id,
            self.activity_list()
        ));
        if let Some(close) =
            crate::input::did_you_mean(id, self.activity_types.iter().map(|a| a.id.as_str()))
        {
            problem = problem.help(format!("did you mean `{close}`?"));
        }
        problems.push(problem);
    }

    /// The activity type ids as a readable list.
    pub(crate) fn activity_list(&self) -> String {
        let names: Vec<String> = self
            .activity_types
            .iter()
            .map(|a| format!("`{}`", a.id))
            .collect();
        if names.is_empty() {
            "none".to_owned()
        } else {
            names.join(", ")
        }
    }

    /// The smallest limit that covers `amount`, and the role that holds it.
    pub(crate) fn role_for(&self, amount: Decimal) -> Option<&ApprovalLimit> {
        self.approval_limits
            .iter()
            .filter(|l| l.up_to.is_none_or(|u| u.amount() >= amount))
            .min_by(|a, b| match (a.up_to, b.up_to) {
                (Some(x), Some(y)) => x.amount().cmp(&y.amount()),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            })
    }
}

fn check_tier(tiers: Option<&TierProgram>, tier: &str, path: &JsonPath, problems: &mut Problems) {
    match tiers {
        Some(tiers) => {
            problems.take(tiers.check_reference(tier, path));
        }
        None => problems.push(
            Problem::new(ErrorCode::UnknownReference, path)
                .message(format!(
                    "tier `{tier}` is named but the program has no `tiers` section"
                ))
                .help("add a tier ladder, or drop the tier-based rule"),
        ),
    }
}

fn check_share(rate: Rate, path: &JsonPath, problems: &mut Problems, zero_ok: bool) {
    let fraction = rate.fraction();
    let low_ok = if zero_ok {
        !fraction.is_negative()
    } else {
        fraction > Decimal::ZERO
    };
    if !low_ok || fraction > Decimal::ONE {
        let low = if zero_ok { "from 0" } else { "above 0" };
        problems.push(Problem::new(ErrorCode::OutOfRange, path).message(format!(
            "expected a rate {low} up to 1 (100%), found {rate}"
        )));
    }
}

fn check_lead(lead: LeadTime, path: &JsonPath, problems: &mut Problems) {
    if lead.days > MAX_LEAD_DAYS {
        problems.push(
            Problem::new(ErrorCode::OutOfRange, path.key("days")).message(format!(
                "a lead time must be at most {MAX_LEAD_DAYS} days, found {}",
                lead.days
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::Program;
    use serde_json::json;

    fn program_with(fund: serde_json::Value) -> serde_json::Value {
        json!({
            "schema_version": 1, "currency": "EUR",
            "tiers": {"tiers": [
                {"id": "silver", "name": "Silver", "rank": 1, "benefits": {"mdf_activity_types": ["digital"]}},
                {"id": "gold", "name": "Gold", "rank": 2, "benefits": {"mdf_accrual_rate": "2%", "mdf_activity_types": ["digital", "event"]}}
            ]},
            "mdf": {"funds": [fund]}
        })
    }

    fn fund() -> serde_json::Value {
        json!({
            "id": "coop",
            "periods": [{"id": "q1", "start": "2026-01-01", "end": "2026-04-01", "pool": "10000.00"}],
            "allocation": {"kind": "accrual"},
            "activity_types": [
                {"id": "digital", "vendor_share": "50%"},
                {"id": "event", "vendor_share": "0.5", "required_proof": ["invoice"]}
            ],
            "claim_window_days": 60
        })
    }

    fn codes(value: &serde_json::Value) -> Vec<(String, String)> {
        match Program::from_value(value) {
            Ok(_) => Vec::new(),
            Err(e) => e
                .problems()
                .iter()
                .map(|p| (p.code().as_str().to_owned(), p.path().to_owned()))
                .collect(),
        }
    }

    #[test]
    fn valid_fund_program_reads() {
        assert_eq!(codes(&program_with(fund())), Vec::<(String, String)>::new());
    }

    #[test]
    fn validate_reports_every_fund_problem_with_its_path() {
        let mut f = fund();
        f["periods"] = json!([
            {"id": "q1", "start": "2026-01-01", "end": "2026-04-01", "pool": "-5.00"},
            {"id": "q1", "start": "2026-03-01", "end": "2026-03-01", "pool": "1.005"}
        ]);
        f["activity_types"][1]["vendor_share"] = json!("150%");
        f["eligibility"] = json!({"gold": ["evnt"], "bronze": ["digital"]});
        f["min_per_partner"] = json!("900");
        f["max_per_partner"] = json!("100");
        let found = codes(&program_with(f));
        let want: Vec<(&str, &str)> = vec![
            ("duplicate_id", "$.mdf.funds[0].periods[1].id"),
            ("period_reversed", "$.mdf.funds[0].periods[1].end"),
            ("money_precision", "$.mdf.funds[0].periods[1].pool"),
            ("out_of_range", "$.mdf.funds[0].periods[0].pool"),
            ("mdf_periods_overlap", "$.mdf.funds[0].periods[1].start"),
            ("out_of_range", "$.mdf.funds[0].max_per_partner"),
            (
                "out_of_range",
                "$.mdf.funds[0].activity_types[1].vendor_share",
            ),
            ("unknown_reference", "$.mdf.funds[0].eligibility.bronze"),
            ("unknown_reference", "$.mdf.funds[0].eligibility.gold[0]"),
        ];
        let mut found_sorted = found.clone();
        found_sorted.sort();
        let mut want_sorted: Vec<(String, String)> = want
            .into_iter()
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .collect();
        want_sorted.sort();
        assert_eq!(found_sorted, want_sorted, "{found:?}");
    }

    #[test]
    fn tier_benefit_naming_an_unknown_activity_is_reported() {
        let mut f = fund();
        f["activity_types"] = json!([{"id": "digital", "vendor_share": "50%"}]);
        let found = codes(&program_with(f));
        assert_eq!(
            found,
            vec![(
                "unknown_reference".to_owned(),
                "$.tiers.tiers[1].benefits.mdf_activity_types[1]".to_owned()
            )]
        );
    }

    #[test]
    fn accrual_without_rate_needs_tiers() {
        let value = json!({"schema_version": 1, "currency": "EUR", "mdf": {"funds": [fund()]}});
        assert_eq!(
            codes(&value),
            vec![(
                "missing_field".to_owned(),
                "$.mdf.funds[0].allocation.rate".to_owned()
            )]
        );
    }
}
