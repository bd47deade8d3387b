//! The MDF ledger benchmark's data: one fund with four quarterly periods,
//! 10,000 partners each allocated every quarter, and about 213,000 requests
//! whose lifecycles (submitted, approved, claimed, claim approved, paid; or
//! released after the claim window; or rejected) bring the ledger to exactly
//! 1,000,000 events. Generated deterministically from a fixed seed.

use prm_core::Program;
use prm_core::calendar::Date;
use prm_core::hash::SplitMix64;
use prm_core::mdf::{Change, Event, ReleaseReason};
use prm_core::money::{Decimal, Rate};

/// Partners allocated every quarter.
pub const PARTNERS: u64 = 10_000;
/// Events in the ledger.
pub const EVENTS: usize = 1_000_000;

/// The program: one discretionary fund, four quarters, three activity types.
///
/// # Panics
///
/// Never: the document is fixed and valid.
pub fn program() -> Program {
    let value = serde_json::json!({
        "schema_version": 1, "currency": "EUR",
        "mdf": {"funds": [{
            "id": "coop",
            "periods": [
                {"id": "2025-Q1", "start": "2025-01-01", "end": "2025-04-01", "pool": "1000000000.00"},
                {"id": "2025-Q2", "start": "2025-04-01", "end": "2025-07-01", "pool": "1000000000.00"},
                {"id": "2025-Q3", "start": "2025-07-01", "end": "2025-10-01", "pool": "1000000000.00"},
                {"id": "2025-Q4", "start": "2025-10-01", "end": "2026-01-01", "pool": "1000000000.00"}
            ],
            "allocation": {"kind": "discretionary"},
            "activity_types": [
                {"id": "digital", "vendor_share": "50%"},
                {"id": "event", "vendor_share": "50%"},
                {"id": "training", "vendor_share": "75%"}
            ],
            "claim_window_days": 60
        }]}
    });
    #[expect(
        clippy::panic,
        reason = "the benchmark's fixed program must be valid, or the benchmark stops loudly"
    )]
    Program::from_value(&value).unwrap_or_else(|e| panic!("bench program: {e}"))
}

/// A date from `YYYY-MM-DD` (the default date when malformed).
pub fn date(text: &str) -> Date {
    text.parse().unwrap_or_default()
}

fn cents(amount: u64) -> Decimal {
    format!("{}.{:02}", amount / 100, amount % 100)
        .parse()
        .unwrap_or_default()
}

fn push(dated: &mut Vec<(Date, usize, Change)>, day: Date, change: Change) {
    let order = dated.len();
    dated.push((day, order, change));
}

/// The 1,000,000 events, in ledger order. Internally (day, order, change)
/// sorted by day, then by the order generated, which keeps every
/// lifecycle's steps in order.
pub fn events() -> Vec<Event> {
    let mut rng = SplitMix64::new(0x4d44_465f_4245_4e43);
    let quarters = [
        ("2025-Q1", date("2025-01-01")),
        ("2025-Q2", date("2025-04-01")),
        ("2025-Q3", date("2025-07-01")),
        ("2025-Q4", date("2025-10-01")),
    ];
    let activities = [("digital", "0.5"), ("event", "0.5"), ("training", "0.75")];
    let mut dated: Vec<(Date, usize, Change)> = Vec::with_capacity(EVENTS + 16);
    for (period, start) in quarters {
        for p in 0..PARTNERS {
            push(
                &mut dated,
                start,
                Change::Allocated {
                    fund: "coop".into(),
                    period: period.into(),
                    partner_id: format!("P{p:05}"),
                    tier: None,
                    amount: cents(5_000_000),
                },
            );
        }
    }
    let mut n = 0u64;
    while dated.len() < EVENTS {
        n += 1;
        let q = usize::try_from(rng.below(4)).unwrap_or(0);
        let Some((period, start)) = quarters.get(q).copied() else {
            continue;
        };
        let partner = format!("P{:05}", rng.below(PARTNERS));
        let Some((activity, share)) = activities
            .get(usize::try_from(rng.below(3)).unwrap_or(0))
            .copied()
        else {
            continue;
        };
        let request_id = format!("R{n:07}");
        let on = start
            .add_days(i64::try_from(1 + rng.below(60)).unwrap_or(1))
            .unwrap_or(start);
        let activity_start = on.add_days(20).unwrap_or(on);
        let end = activity_start
            .add_days(i64::try_from(rng.below(3)).unwrap_or(0))
            .unwrap_or(on);
        let deadline = end.add_days(60).unwrap_or(end);
        let requested = 10_000 + rng.below(40_000);
        push(
            &mut dated,
            on,
            Change::RequestSubmitted {
                request_id: request_id.clone(),
                fund: "coop".into(),
                period: period.into(),
                partner_id: partner,
                tier: None,
                activity_type: activity.into(),
                start: activity_start,
                end,
                planned_cost: cents(requested * 2),
                requested: cents(requested),
                vendor_share: share.parse::<Rate>().unwrap_or_default(),
                claim_deadline: deadline,
            },
        );
        let decided = on.add_days(2).unwrap_or(on);
        match rng.below(10) {
            0 => push(
                &mut dated,
                decided,
                Change::RequestRejected {
                    request_id,
                    reason: "off-brand".into(),
                },
            ),
            1 => {
                push(
                    &mut dated,
                    decided,
                    Change::RequestApproved {
                        request_id: request_id.clone(),
                        amount: cents(requested),
                        auto: false,
                        approved_by: None,
                        role: None,
                    },
                );
                push(
                    &mut dated,
                    deadline.add_days(1).unwrap_or(deadline),
                    Change::Released {
                        request_id,
                        amount: cents(requested),
                        reason: ReleaseReason::ClaimDeadlinePassed,
                    },
                );
            }
            _ => {
                push(
                    &mut dated,
                    decided,
                    Change::RequestApproved {
                        request_id: request_id.clone(),
                        amount: cents(requested),
                        auto: false,
                        approved_by: None,
                        role: None,
                    },
                );
                let claimed = end
                    .add_days(i64::try_from(rng.below(30)).unwrap_or(0))
                    .unwrap_or(end);
                let claim_id = format!("C{n:07}");
                push(
                    &mut dated,
                    claimed,
                    Change::ClaimSubmitted {
                        claim_id: claim_id.clone(),
                        request_id,
                        actual_cost: cents(requested * 2),
                        share_of_cost: cents(requested),
                        reimbursable: cents(requested),
                        not_reimbursable: cents(0),
                        proofs: Vec::new(),
                    },
                );
                let approved = claimed.add_days(3).unwrap_or(claimed);
                push(
                    &mut dated,
                    approved,
                    Change::ClaimApproved {
                        claim_id: claim_id.clone(),
                        amount: cents(requested),
                    },
                );
                push(
                    &mut dated,
                    approved.add_days(7).unwrap_or(approved),
                    Change::Paid {
                        claim_id,
                        amount: cents(requested),
                        reference: None,
                    },
                );
            }
        }
    }
    dated.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    dated.truncate(EVENTS);
    // Copied in ledger order, so the events lie in memory as they do for a
    // host that reads them from storage, not scattered by the sort above.
    dated
        .iter()
        .enumerate()
        .map(|(i, (on, _, change))| Event {
            seq: i as u64 + 1,
            on: *on,
            change: change.clone(),
        })
        .collect()
}
