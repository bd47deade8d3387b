//! Reports: utilization by tier and by activity type, and return on investment.

use super::balance::{BalanceFigures, ledger_as_of, ratio, selected_slots};
use super::event::Event;
use super::state::{Figures, RequestStatus, minus, plus};
use crate::Program;
use crate::calendar::Date;
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use crate::money::{Amount, Currency, Decimal};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Revenue the host attributes to a request (for return on investment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Attribution {
    /// The request the revenue came from.
    pub request_id: String,
    /// The revenue, in the fund's currency.
    pub revenue: Amount,
}

/// What to report on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportScope {
    /// The fund program (one currency).
    pub fund: String,
    /// Only this period; every period of the fund when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    /// Revenue attributed to requests, for return on investment.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributed_revenue: Vec<Attribution>,
}

/// One tier's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct TierRow {
    /// The tier recorded with the allocation (`none` when unknown).
    pub tier: String,
    /// Partner accounts in the tier.
    pub partners: usize,
    /// The figures.
    #[serde(flatten)]
    pub figures: BalanceFigures,
}

/// One activity type's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ActivityRow {
    /// The activity type.
    pub activity_type: String,
    /// Requests submitted.
    pub requests: usize,
    /// Requests approved (including those later cancelled after approval).
    pub approved_requests: usize,
    /// Amount requested.
    pub requested: Decimal,
    /// Amount approved.
    pub approved: Decimal,
    /// Amount paid on claims.
    pub paid: Decimal,
    /// Amount released.
    pub released: Decimal,
    /// approved − paid − released.
    pub open_commitment: Decimal,
    /// Claims submitted.
    pub claims: usize,
    /// Share of cost claimed beyond the approvals.
    pub not_reimbursable: Decimal,
    /// (paid + open commitment) / approved, to 4 places.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub utilization: Option<Decimal>,
    /// Revenue attributed to these requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributed_revenue: Option<Decimal>,
    /// Return on investment of the attributed requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roi: Option<Roi>,
}

/// Return on investment: attributed revenue against what was paid for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Roi {
    /// Revenue attributed to the requests.
    pub revenue: Decimal,
    /// Paid on those same requests.
    pub paid: Decimal,
    /// (revenue − paid) / paid, to 4 places; absent when nothing was paid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roi: Option<Decimal>,
    /// revenue / paid, to 4 places; absent when nothing was paid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revenue_per_paid: Option<Decimal>,
}

/// Requests and claims by status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct StatusCounts {
    /// Requests by status (`pending`, `approved`, `rejected`, `cancelled`).
    pub requests: BTreeMap<&'static str, usize>,
    /// Claims by status (`submitted`, `approved`, `rejected`, `paid`).
    pub claims: BTreeMap<&'static str, usize>,
}

/// A fund's report as of a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct MdfReport {
    /// The date asked about.
    pub as_of: Date,
    /// The fund program.
    pub fund: String,
    /// Its currency.
    pub currency: Currency,
    /// The periods covered.
    pub periods: Vec<String>,
    /// Totals over the periods.
    pub totals: BalanceFigures,
    /// By tier, from the lowest rank up; `none` last.
    pub by_tier: Vec<TierRow>,
    /// By activity type, in the fund's order.
    pub by_activity_type: Vec<ActivityRow>,
    /// Requests and claims by status.
    pub counts: StatusCounts,
    /// Return on investment over every attributed request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roi: Option<Roi>,
}

#[derive(Default, Clone, Copy)]
struct ActivityTotals {
    requests: usize,
    approved_requests: usize,
    requested: Decimal,
    approved: Decimal,
    paid: Decimal,
    released: Decimal,
    claims: usize,
    not_reimbursable: Decimal,
    revenue: Option<Decimal>,
    attributed_paid: Decimal,
}

fn roi(revenue: Decimal, paid: Decimal) -> Result<Roi, Error> {
    Ok(Roi {
        revenue,
        paid,
        roi: ratio(minus(revenue, paid)?, paid),
        revenue_per_paid: ratio(revenue, paid),
    })
}

/// A fund's utilization, by tier and by activity type, as of `as_of`, with
/// return on investment where the host attributes revenue to requests.
///
/// Utilization is (paid + open commitment) over funds: the share of the
/// money given to partners that is spent or committed. Return on investment
/// is (revenue − paid) / paid over the requests that have attributed revenue.
///
/// # Errors
///
/// As [`super::balance`]; `unknown_reference` for an attribution naming an unknown request,
/// `money_precision` or `currency_mismatch` for its revenue.
///
/// # Example
///
/// ```
/// use prm_core::{Program, mdf};
/// let program = Program::from_value(&prm_core::sample::program())?;
/// let scope: mdf::ReportScope = serde_json::from_value(serde_json::json!({"fund": "coop"}))?;
/// let report = mdf::report(&program, &[], "2026-03-31".parse()?, &scope)?;
/// assert_eq!(report.totals.funds.to_string(), "0.00");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn report(
    program: &Program,
    events: &[Event],
    as_of: Date,
    scope: &ReportScope,
) -> Result<MdfReport, Error> {
    let (ledger, _) = ledger_as_of(program, events, as_of)?;
    let root = JsonPath::root();
    let slots = selected_slots(&ledger, Some(&scope.fund), scope.period.as_deref(), &root)?;
    let fund = program
        .mdf()
        .and_then(|m| m.fund(&scope.fund))
        .ok_or_else(|| {
            Error::problem(Problem::new(ErrorCode::UnknownReference, root.key("fund")))
        })?;
    let currency = fund.currency_or(program.currency());
    let places = currency.minor_units();
    // Revenue by request position.
    let mut problems = Problems::new();
    let mut revenue: BTreeMap<usize, Decimal> = BTreeMap::new();
    for (i, a) in scope.attributed_revenue.iter().enumerate() {
        let at = root.key("attributed_revenue").index(i);
        let Some(r) = ledger.request_position(&a.request_id) else {
            problems.push(
                Problem::new(ErrorCode::UnknownReference, at.key("request_id"))
                    .message(format!("the ledger has no request `{}`", a.request_id)),
            );
            continue;
        };
        if let Some(amount) =
            problems.take(super::money_in(a.revenue, currency, &at.key("revenue")))
        {
            let entry = revenue.entry(r).or_insert(Decimal::ZERO);
            *entry = plus(*entry, amount)?;
        }
    }
    problems.into_result(())?;
    let mut totals = Figures::default();
    let mut by_tier: BTreeMap<String, (usize, Figures)> = BTreeMap::new();
    for &slot in &slots {
        let Some(state) = ledger.slots().get(slot) else {
            continue;
        };
        for a in state.accounts.values() {
            let Some(account) = ledger.accounts().get(*a) else {
                continue;
            };
            totals.add(&account.figures)?;
            let tier = account.tier.clone().unwrap_or_else(|| "none".to_owned());
            let entry = by_tier.entry(tier).or_default();
            entry.0 += 1;
            entry.1.add(&account.figures)?;
        }
    }
    let mut activities: BTreeMap<&str, ActivityTotals> = BTreeMap::new();
    let mut counts = StatusCounts::default();
    let mut total_revenue: Option<Decimal> = None;
    let mut total_attributed_paid = Decimal::ZERO;
    for (r, request) in ledger.requests().iter().enumerate() {
        let in_scope = ledger
            .accounts()
            .get(request.account)
            .is_some_and(|a| slots.contains(&a.slot));
        if !in_scope {
            continue;
        }
        *counts.requests.entry(request.status.as_str()).or_insert(0) += 1;
        let row = activities.entry(ledger.activity_of(request)).or_default();
        row.requests += 1;
        row.requested = plus(row.requested, request.requested)?;
        if matches!(
            request.status,
            RequestStatus::Approved | RequestStatus::Cancelled
        ) && request.approved > Decimal::ZERO
        {
            row.approved_requests += 1;
        }
        row.approved = plus(row.approved, request.approved)?;
        row.paid = plus(row.paid, request.paid)?;
        row.released = plus(row.released, request.released)?;
        row.claims += request.claims as usize;
        row.not_reimbursable = plus(row.not_reimbursable, request.not_reimbursable)?;
        if let Some(amount) = revenue.get(&r) {
            row.revenue = Some(plus(row.revenue.unwrap_or_default(), *amount)?);
            row.attributed_paid = plus(row.attributed_paid, request.paid)?;
            total_revenue = Some(plus(total_revenue.unwrap_or_default(), *amount)?);
            total_attributed_paid = plus(total_attributed_paid, request.paid)?;
        }
    }
    for claim in ledger.claims() {
        let in_scope = ledger
            .requests()
            .get(claim.request)
            .and_then(|r| ledger.accounts().get(r.account))
            .is_some_and(|a| slots.contains(&a.slot));
        if in_scope {
            *counts.claims.entry(claim.status.as_str()).or_insert(0) += 1;
        }
    }
    let mut by_activity_type = Vec::new();
    let mut order: Vec<&str> = fund.activity_types.iter().map(|a| a.id.as_str()).collect();
    for id in activities.keys() {
        if !order.contains(id) {
            order.push(id);
        }
    }
    for id in order {
        let mut row = activities.get(id).copied().unwrap_or_default();
        let pad = |v: Decimal| crate::money::RoundingMode::HalfEven.round(v, places);
        row.requested = pad(row.requested);
        row.approved = pad(row.approved);
        row.paid = pad(row.paid);
        row.released = pad(row.released);
        row.not_reimbursable = pad(row.not_reimbursable);
        row.attributed_paid = pad(row.attributed_paid);
        row.revenue = row.revenue.map(pad);
        let open = minus(minus(row.approved, row.paid)?, row.released)?;
        by_activity_type.push(ActivityRow {
            activity_type: id.to_owned(),
            requests: row.requests,
            approved_requests: row.approved_requests,
            requested: row.requested,
            approved: row.approved,
            paid: row.paid,
            released: row.released,
            open_commitment: open,
            claims: row.claims,
            not_reimbursable: row.not_reimbursable,
            utilization: ratio(plus(row.paid, open)?, row.approved),
            attributed_revenue: row.revenue,
            roi: match row.revenue {
                Some(revenue) => Some(roi(revenue, row.attributed_paid)?),
                None => None,
            },
        });
    }
    let ladder: Vec<String> = program
        .tiers()
        .map(|t| t.by_rank().iter().map(|d| d.id.clone()).collect())
        .unwrap_or_default();
    let rank = |tier: &str| {
        ladder
            .iter()
            .position(|t| t == tier)
            .unwrap_or(if tier == "none" {
                usize::MAX
            } else {
                ladder.len()
            })
    };
    let mut tiers: Vec<(String, (usize, Figures))> = by_tier.into_iter().collect();
    tiers.sort_by(|a, b| rank(&a.0).cmp(&rank(&b.0)).then(a.0.cmp(&b.0)));
    let mut tier_rows = Vec::with_capacity(tiers.len());
    for (tier, (partners, figures)) in tiers {
        tier_rows.push(TierRow {
            tier,
            partners,
            figures: BalanceFigures::from_figures(&figures, places)?,
        });
    }
    let mut periods = Vec::new();
    for &slot in &slots {
        periods.push(ledger.slot_config(slot)?.1.id.clone());
    }
    Ok(MdfReport {
        as_of,
        fund: fund.id.clone(),
        currency,
        periods,
        totals: BalanceFigures::from_figures(&totals, places)?,
        by_tier: tier_rows,
        by_activity_type,
        counts,
        roi: match total_revenue {
            Some(revenue) => Some(roi(
                crate::money::RoundingMode::HalfEven.round(revenue, places),
                crate::money::RoundingMode::HalfEven.round(total_attributed_paid, places),
            )?),
            None => None,
        },
    })
}
