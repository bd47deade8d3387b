//! The sample's market development fund: the `coop` fund program, each
//! partner's tier and previous-quarter revenue, and a quarter of ledger commands.
//!
//! The commands come from their own [`SplitMix64`] stream (seeded with
//! [`MDF_SEED`]), so adding them changed none of the sample's other data.

use super::{SampleQuarter, ymd};
use crate::calendar::{Date, Period};
use crate::hash::SplitMix64;
use crate::money::Decimal;
use crate::partner::{PartnerKind, PartnerStatus};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The seed of the sample's MDF commands.
pub const MDF_SEED: u64 = 0x4d44_465f_5131_3236; // "MDF_Q126"

/// The `mdf` section of the sample program: one co-op fund with quarterly periods.
pub fn mdf_section() -> Value {
    json!({"funds": [{
        "id": "coop",
        "name": "Co-op marketing fund",
        "periods": [
            {"id": "2026-Q1", "start": "2026-01-01", "end": "2026-04-01", "pool": "100000.00"},
            {"id": "2026-Q2", "start": "2026-04-01", "end": "2026-07-01", "pool": "100000.00"}
        ],
        "allocation": {"kind": "accrual"},
        "min_per_partner": "500.00",
        "max_per_partner": "12000.00",
        "prorate_joiners": true,
        "activity_types": [
            {"id": "digital", "name": "Digital campaign", "vendor_share": "50%",
             "required_proof": ["invoice", "performance_report"]},
            {"id": "content", "name": "Content", "vendor_share": "50%",
             "required_proof": ["invoice", "asset"]},
            {"id": "event", "name": "Event", "vendor_share": "50%",
             "required_proof": ["invoice", "photos", "attendee_list"]},
            {"id": "webinar", "name": "Webinar", "vendor_share": "50%",
             "required_proof": ["invoice", "attendee_list"]},
            {"id": "trade_show", "name": "Trade show", "vendor_share": "50%",
             "required_proof": ["invoice", "photos", "lead_list"], "lead_time": {"days": 30}},
            {"id": "training", "name": "Training", "vendor_share": "75%",
             "required_proof": ["invoice", "attendee_list"]}
        ],
        "lead_time": {"days": 10, "count": "business_days"},
        "holidays": ["2026-01-01", "2026-01-06", "2026-04-03", "2026-04-06", "2026-05-01"],
        "auto_approve_up_to": "500.00",
        "approval_limits": [
            {"role": "channel_manager", "up_to": "5000.00"},
            {"role": "marketing_director", "up_to": "25000.00"},
            {"role": "vp_channel"}
        ],
        "claim_window_days": 60,
        "expiry": {"grace_days": 30, "carry_over": {"share": "50%", "cap_per_partner": "2500.00"}}
    }]})
}

/// One partner's MDF facts for the sample quarter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleMdfPartner {
    /// The partner.
    pub partner_id: String,
    /// Its tier for the quarter (by Q4 2025 revenue: the top 8 platinum, the next 25 gold, the next 60 silver).
    pub tier: &'static str,
    /// When it joined.
    pub joined_on: Option<Date>,
    /// Net revenue in Q4 2025 (sales minus refunds), in EUR.
    pub previous_revenue: Decimal,
}

/// The sample's MDF facts and commands.
#[derive(Debug, Clone)]
pub struct SampleMdf {
    /// Active partners with their tier and previous-quarter revenue, by id.
    pub partners: Vec<SampleMdfPartner>,
    /// Ledger commands for the quarter and the month after, in date order
    /// (JSON, as a host sends them to `mdf.apply`). Some are refused on purpose.
    pub commands: Vec<Value>,
    /// Revenue the host attributes to some claimed requests, for return on investment.
    pub attributed_revenue: Vec<Value>,
}

fn add(date: Date, days: u64) -> Date {
    date.add_days(i64::try_from(days).unwrap_or(0))
        .unwrap_or(date)
}

fn cents(amount: u64) -> Decimal {
    Decimal::new(rust_decimal::Decimal::new(
        i64::try_from(amount).unwrap_or(0),
        2,
    ))
}

/// The sample's MDF facts: tiers and revenue from the sample's sales, then a
/// quarter of requests, approvals, claims and payments drawn from [`MDF_SEED`].
pub fn mdf(sample: &SampleQuarter) -> SampleMdf {
    let q4 = Period {
        start: ymd(2025, 10, 1),
        end: ymd(2026, 1, 1),
    };
    let mut revenue: BTreeMap<&str, Decimal> = BTreeMap::new();
    for sale in sample.sales.iter().filter(|s| q4.contains(s.date)) {
        let entry = revenue.entry(sale.partner_id.as_str()).or_default();
        let signed = if sale.kind == "refund" {
            Decimal::new(-sale.amount.value())
        } else {
            sale.amount
        };
        *entry = entry.checked_add(signed).unwrap_or(*entry);
    }
    let mut active: Vec<(&str, Decimal, Option<Date>)> = sample
        .partners
        .iter()
        .filter(|p| p.status == PartnerStatus::Active && p.kind != PartnerKind::Distributor)
        .map(|p| {
            (
                p.id.as_str(),
                revenue.get(p.id.as_str()).copied().unwrap_or_default(),
                p.joined_on,
            )
        })
        .collect();
    active.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut partners: Vec<SampleMdfPartner> = active
        .iter()
        .enumerate()
        .map(|(rank, (id, revenue, joined_on))| SampleMdfPartner {
            partner_id: (*id).to_owned(),
            tier: match rank {
                0..8 => "platinum",
                8..33 => "gold",
                33..93 => "silver",
                _ => "registered",
            },
            joined_on: *joined_on,
            previous_revenue: *revenue,
        })
        .collect();
    partners.sort_by(|a, b| a.partner_id.cmp(&b.partner_id));
    let (commands, attributed_revenue) = commands(&partners);
    SampleMdf {
        partners,
        commands,
        attributed_revenue,
    }
}

const ACTIVITIES: &[(&str, u64)] = &[
    ("digital", 50),
    ("content", 50),
    ("event", 50),
    ("webinar", 50),
    ("trade_show", 50),
    ("training", 75),
];

fn eligible(tier: &str) -> &'static [&'static str] {
    match tier {
        "platinum" => &[
            "digital",
            "content",
            "event",
            "webinar",
            "trade_show",
            "training",
        ],
        "gold" => &["digital", "content", "event", "webinar"],
        "silver" => &["digital", "content"],
        _ => &[],
    }
}

fn required_proof(activity: &str) -> &'static [&'static str] {
    match activity {
        "digital" => &["invoice", "performance_report"],
        "content" => &["invoice", "asset"],
        "event" => &["invoice", "photos", "attendee_list"],
        "webinar" | "training" => &["invoice", "attendee_list"],
        _ => &["invoice", "photos", "lead_list"],
    }
}

/// What the fund's accrual gives a partner for a whole period, before scaling:
/// the tier's rate of its previous-quarter revenue, within 500.00 to 12,000.00.
fn entitlement_cents(partner: &SampleMdfPartner) -> u64 {
    let rate = match partner.tier {
        "platinum" => 3,
        "gold" => 2,
        "silver" => 1,
        _ => 0,
    };
    let revenue = u64::try_from(
        (partner.previous_revenue.value() * rust_decimal::Decimal::ONE_HUNDRED)
            .trunc()
            .mantissa()
            .max(0),
    )
    .unwrap_or(0);
    let accrued = revenue * rate / 100;
    if accrued == 0 {
        0
    } else {
        accrued.clamp(50_000, 1_200_000)
    }
}

/// One request's story, as the generator plans it.
enum Fault {
    None,
    NotEligible,
    LeadTimeShort,
    ShareExceeded,
    RoleTypo,
    OverApproval,
    Cancelled,
    NeverClaimed,
    LateClaim,
    ProofMissing,
    TwoClaims,
    PaidTwice,
}

fn fault(rng: &mut SplitMix64) -> Fault {
    match rng.below(100) {
        0..3 => Fault::NotEligible,
        3..6 => Fault::LeadTimeShort,
        6..9 => Fault::ShareExceeded,
        9..11 => Fault::RoleTypo,
        11..13 => Fault::OverApproval,
        13..18 => Fault::Cancelled,
        18..28 => Fault::NeverClaimed,
        28..31 => Fault::LateClaim,
        31..35 => Fault::ProofMissing,
        35..45 => Fault::TwoClaims,
        45..48 => Fault::PaidTwice,
        _ => Fault::None,
    }
}

fn lead_time(activity: &str) -> crate::mdf::LeadTime {
    if activity == "trade_show" {
        crate::mdf::LeadTime {
            days: 30,
            count: crate::mdf::DayCount::CalendarDays,
        }
    } else {
        crate::mdf::LeadTime {
            days: 10,
            count: crate::mdf::DayCount::BusinessDays,
        }
    }
}

fn holidays() -> Vec<Date> {
    vec![
        ymd(2026, 1, 1),
        ymd(2026, 1, 6),
        ymd(2026, 4, 3),
        ymd(2026, 4, 6),
        ymd(2026, 5, 1),
    ]
}

fn push(dated: &mut Vec<(Date, usize, Value)>, day: Date, command: Value) {
    let order = dated.len();
    dated.push((day, order, command));
}

fn commands(partners: &[SampleMdfPartner]) -> (Vec<Value>, Vec<Value>) {
    let mut rng = SplitMix64::new(MDF_SEED);
    let mut attributed = Vec::new();
    let allocate: Vec<Value> = partners
        .iter()
        .map(|p| {
            let mut facts = json!({
                "partner_id": p.partner_id,
                "tier": p.tier,
                "previous_revenue": p.previous_revenue,
            });
            if let (Some(joined), Some(object)) = (p.joined_on, facts.as_object_mut()) {
                object.insert("joined_on".to_owned(), json!(joined));
            }
            facts
        })
        .collect();
    // (day, order, command): sorted by day, then by the order drawn.
    let mut dated: Vec<(Date, usize, Value)> = Vec::new();
    push(
        &mut dated,
        ymd(2026, 1, 2),
        json!({"kind": "allocate", "on": "2026-01-02", "fund": "coop", "period": "2026-Q1",
               "partners": allocate}),
    );
    // Each partner plans to spend about 85% of what it expects to receive.
    let mut budgets: Vec<(&SampleMdfPartner, u64)> = partners
        .iter()
        .filter(|p| p.tier != "registered")
        .map(|p| (p, entitlement_cents(p) * 85 / 100))
        .filter(|(_, b)| *b > 0)
        .collect();
    let holidays = holidays();
    let first_day = ymd(2026, 1, 5);
    let mut n = 0u64;
    for _ in 0..400 {
        if n >= 120 {
            break;
        }
        let pick = usize::try_from(rng.below(budgets.len() as u64)).unwrap_or(0);
        let Some((partner, budget)) = budgets.get_mut(pick) else {
            continue;
        };
        if *budget < 20_000 {
            continue;
        }
        n += 1;
        let request_id = format!("R{n:03}");
        let fault = fault(&mut rng);
        let allowed = eligible(partner.tier);
        let activity = match fault {
            Fault::NotEligible => ACTIVITIES
                .iter()
                .map(|a| a.0)
                .find(|a| !allowed.contains(a))
                .unwrap_or("digital"),
            _ => rng.pick(allowed).copied().unwrap_or("digital"),
        };
        let share = ACTIVITIES
            .iter()
            .find(|a| a.0 == activity)
            .map_or(50, |a| a.1);
        // Ask for 25% to 65% of the remaining budget (twice the budget when
        // over-asking), in whole tens of euros of planned cost.
        let wanted = if matches!(fault, Fault::OverApproval) {
            *budget * 2
        } else {
            (*budget * (25 + rng.below(41)) / 100).max(10_000)
        };
        let planned = (wanted * 100 / share / 1_000).max(1) * 1_000;
        let mut requested = planned * share / 100;
        let on = add(first_day, rng.below(70));
        let lead = lead_time(activity);
        let earliest = lead.earliest_start(on, &holidays).unwrap_or(on);
        let start = match fault {
            Fault::LeadTimeShort => earliest.add_days(-1).unwrap_or(earliest),
            _ => add(earliest, rng.below(20)),
        };
        let end = add(start, rng.below(3));
        if matches!(fault, Fault::ShareExceeded) {
            requested += 2_500;
        }
        push(
            &mut dated,
            on,
            json!({"kind": "submit_request", "on": on, "request_id": request_id, "fund": "coop",
                   "partner_id": partner.partner_id, "activity_type": activity,
                   "start": start, "end": end,
                   "planned_cost": cents(planned), "requested": cents(requested)}),
        );
        if matches!(
            fault,
            Fault::NotEligible | Fault::LeadTimeShort | Fault::ShareExceeded
        ) {
            continue; // refused on submission: nothing follows
        }
        let decide = add(on, 1 + rng.below(3));
        let role = if requested > 500_000 {
            "marketing_director"
        } else {
            "channel_manager"
        };
        if matches!(fault, Fault::RoleTypo) && requested > 50_000 {
            push(
                &mut dated,
                decide,
                json!({"kind": "approve_request", "on": decide, "request_id": request_id,
                       "approver": {"id": "u-cm-1", "role": "chanel_manager"}}),
            );
        }
        if matches!(fault, Fault::OverApproval) && requested > 50_000 {
            // Refused for insufficient funds, then approved in part the next day.
            push(
                &mut dated,
                decide,
                json!({"kind": "approve_request", "on": decide, "request_id": request_id,
                       "approver": {"id": "u-cm-1", "role": role}}),
            );
            let day = add(decide, 1);
            push(
                &mut dated,
                day,
                json!({"kind": "approve_request", "on": day, "request_id": request_id,
                       "amount": cents(*budget), "approver": {"id": "u-cm-1", "role": "channel_manager"}}),
            );
            requested = *budget;
        } else if requested > 50_000 {
            // Small requests are approved on submission; larger ones by the role whose band covers them.
            let day = add(decide, 1);
            push(
                &mut dated,
                day,
                json!({"kind": "approve_request", "on": day, "request_id": request_id,
                       "approver": {"id": "u-cm-1", "role": role}}),
            );
        }
        *budget = budget.saturating_sub(requested);
        match fault {
            Fault::Cancelled => {
                let day = add(decide, 4);
                push(
                    &mut dated,
                    day,
                    json!({"kind": "cancel_request", "on": day, "request_id": request_id,
                           "reason": "the partner postponed the activity"}),
                );
                *budget += requested;
                continue;
            }
            Fault::NeverClaimed => continue,
            _ => {}
        }
        let claim_id = format!("C{n:03}");
        let late = matches!(fault, Fault::LateClaim);
        let claim_day = add(
            end,
            if late {
                61 + rng.below(10)
            } else {
                rng.below(35)
            },
        );
        let actual = planned * (80 + rng.below(45)) / 100;
        let proofs: Vec<&str> = required_proof(activity).to_vec();
        let first_cost = if matches!(fault, Fault::TwoClaims) {
            planned * 60 / 100
        } else {
            actual
        };
        let claim = |dated: &mut Vec<(Date, usize, Value)>,
                     id: &str,
                     day: Date,
                     cost: u64,
                     proofs: &[&str]| {
            push(
                dated,
                day,
                json!({"kind": "submit_claim", "on": day, "claim_id": id,
                       "request_id": request_id, "actual_cost": cents(cost), "proofs": proofs}),
            );
        };
        if matches!(fault, Fault::ProofMissing) {
            let partial: Vec<&str> = proofs.iter().copied().take(proofs.len() - 1).collect();
            claim(
                &mut dated,
                &format!("{claim_id}a"),
                claim_day,
                actual,
                &partial,
            );
        }
        let claim_day = if matches!(fault, Fault::ProofMissing) {
            add(claim_day, 3)
        } else {
            claim_day
        };
        claim(&mut dated, &claim_id, claim_day, first_cost, &proofs);
        if late {
            continue; // refused: the claim window had closed
        }
        let pay =
            |dated: &mut Vec<(Date, usize, Value)>, id: &str, day: Date, twice: bool, n: u64| {
                let approve = add(day, 2);
                push(
                    dated,
                    approve,
                    json!({"kind": "approve_claim", "on": approve, "claim_id": id}),
                );
                let paid = add(approve, 5);
                push(
                    dated,
                    paid,
                    json!({"kind": "pay_claim", "on": paid, "claim_id": id,
                       "reference": format!("PAY-{n:05}")}),
                );
                if twice {
                    let again = add(paid, 7);
                    push(
                        dated,
                        again,
                        json!({"kind": "pay_claim", "on": again, "claim_id": id,
                           "reference": format!("PAY-{n:05}-2")}),
                    );
                }
            };
        pay(
            &mut dated,
            &claim_id,
            claim_day,
            matches!(fault, Fault::PaidTwice),
            n,
        );
        if matches!(fault, Fault::TwoClaims) {
            // A second partial claim for the rest of the cost: what exceeds the approval is not reimbursable.
            let second = format!("{claim_id}b");
            let day = add(claim_day, 10);
            claim(&mut dated, &second, day, planned * 60 / 100, &proofs);
            pay(&mut dated, &second, day, false, n + 500);
        }
        if rng.below(2) == 0 {
            let revenue = cents(planned * (2 + rng.below(6)));
            attributed.push(json!({"request_id": request_id, "revenue": revenue}));
        }
    }
    push(
        &mut dated,
        ymd(2026, 5, 1),
        json!({"kind": "close_period", "on": "2026-05-01", "fund": "coop", "period": "2026-Q1"}),
    );
    dated.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    (
        dated.into_iter().map(|(_, _, command)| command).collect(),
        attributed,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_mdf_is_deterministic_and_dated_in_order() {
        let sample = super::super::quarter();
        let a = mdf(&sample);
        let b = mdf(&sample);
        assert_eq!(a.partners, b.partners);
        assert_eq!(a.commands, b.commands);
        let days: Vec<&str> = a
            .commands
            .iter()
            .filter_map(|c| c.get("on").and_then(Value::as_str))
            .collect();
        let mut sorted = days.clone();
        sorted.sort_unstable();
        assert_eq!(days, sorted);
        assert!(a.partners.iter().filter(|p| p.tier == "platinum").count() == 8);
    }
}
