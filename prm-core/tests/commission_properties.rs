//! Property tests for every commission invariant of DOMAIN.md §5, and a naive
//! reference model (the oracle) that computes the same plans the simplest way:
//! whole lists in memory, one loop per rule, no streaming, no records.
//!
//! * `prop_engine_matches_the_oracle`: every line and total agrees with the oracle;
//! * `prop_lines_sum_to_totals`: lines (and each line's components) sum to the totals;
//! * `prop_splits_sum_to_the_transaction`: split shares' bases add up to the transaction;
//! * `prop_full_refund_nets_to_zero`: a sale fully refunded inside the window nets to zero;
//! * `prop_additive_without_caps_or_brackets`: without caps or brackets, commission is additive;
//! * `prop_same_inputs_same_statements`: same inputs (in any order) give the same statements;
//! * `prop_stream_totals_match_statements`: a totals-only stream gives the same totals.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers: a set-up that fails is a failed test"
)]

use prm_core::calendar::Date;
use prm_core::commission::{
    self, CommissionFacts, CommissionStatements, Detail, LineKind, Split, StatementOptions,
    StatementRun, TierChange, Transaction, TransactionKey,
};
use prm_core::money::{Decimal, RoundingMode, allocate};
use prm_core::{JsonPath, Program};
use proptest::prelude::*;
use serde_json::json;
use std::collections::BTreeMap;

// ---- scenarios ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct SaleSpec {
    partner: usize,
    day: i64,
    cents: i64,
    cost_percent: i64,
    product: usize,
    quantity: i64,
    split: Option<(usize, usize)>,
}

#[derive(Debug, Clone)]
struct RefundSpec {
    sale: usize,
    after_days: i64,
    quarters: i64,
}

#[derive(Debug, Clone)]
struct Scenario {
    margin: bool,
    mode: RoundingMode,
    default_bp: i64,
    product_bp: i64,
    unit_cents: i64,
    table: Option<(bool, bool, [i64; 3])>,
    gold_hundredths: i64,
    gold_from: Vec<Option<i64>>,
    maximum: Option<i64>,
    spiff_cents: Option<i64>,
    cap: Option<i64>,
    window: Option<i64>,
    sales: Vec<SaleSpec>,
    refunds: Vec<RefundSpec>,
}

const PARTNERS: [&str; 4] = ["P1", "P2", "P3", "P4"];
const PRODUCTS: [(&str, &str); 3] = [("X", "A"), ("Y", "C"), ("Z", "A")];
const SHARES: [(&str, &str); 3] = [("0.5", "0.5"), ("0.7", "0.3"), ("0.25", "0.75")];
const BRACKETS: [(i64, Option<i64>); 3] =
    [(0, Some(10_000)), (10_000, Some(50_000)), (50_000, None)];

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn cents(c: i64) -> Decimal {
    Decimal::new(rust_decimal::Decimal::new(c, 2))
}

fn bp(b: i64) -> Decimal {
    Decimal::new(rust_decimal::Decimal::new(b, 4))
}

fn day(n: i64) -> Date {
    d_date("2026-01-01").add_days(n).unwrap()
}

fn d_date(text: &str) -> Date {
    text.parse().unwrap()
}

fn sale_strategy() -> impl Strategy<Value = SaleSpec> {
    (
        0..4usize,
        0..90i64,
        1..3_000_000i64,
        0..130i64,
        0..3usize,
        1..5i64,
        prop::option::weighted(0.3, (0..4usize, 0..3usize)),
    )
        .prop_map(
            |(partner, day, cents, cost_percent, product, quantity, split)| SaleSpec {
                partner,
                day,
                cents,
                cost_percent,
                product,
                quantity,
                split,
            },
        )
}

fn scenario() -> impl Strategy<Value = Scenario> {
    let plan = (
        any::<bool>(),
        prop::sample::select(vec![
            RoundingMode::HalfEven,
            RoundingMode::HalfUp,
            RoundingMode::Down,
            RoundingMode::Up,
        ]),
        0..2_000i64,
        0..3_000i64,
        0..10_000i64,
        prop::option::of((
            any::<bool>(),
            any::<bool>(),
            [0..1_500i64, 0..1_500i64, 0..1_500i64],
        )),
        100..200i64,
        prop::option::weighted(0.3, 1..2_000i64),
        prop::option::weighted(0.3, 1..50_000i64),
        prop::option::weighted(0.4, 1..20_000i64),
        prop::option::weighted(0.7, 0..120i64),
    );
    let facts = (
        prop::collection::vec(prop::option::of(0..120i64), 4),
        prop::collection::vec(sale_strategy(), 1..25),
        prop::collection::vec((any::<prop::sample::Index>(), 0..100i64, 1..3i64), 0..10),
    );
    (plan, facts).prop_map(|(p, (gold_from, sales, refunds))| {
        let (
            margin,
            mode,
            default_bp,
            product_bp,
            unit_cents,
            table,
            gold,
            maximum,
            spiff,
            cap,
            window,
        ) = p;
        // At most two refunds per sale, each a quarter or a half, inside the quarter.
        let mut refunded = vec![0i64; sales.len()];
        let mut specs = Vec::new();
        for (index, after_days, quarters) in refunds {
            let sale = index.index(sales.len());
            let Some(s) = sales.get(sale) else { continue };
            if refunded[sale] + quarters > 4 || s.day + after_days >= 90 {
                continue;
            }
            refunded[sale] += quarters;
            specs.push(RefundSpec {
                sale,
                after_days,
                quarters,
            });
        }
        Scenario {
            margin,
            mode,
            default_bp,
            product_bp,
            unit_cents,
            table,
            gold_hundredths: gold,
            gold_from,
            maximum,
            spiff_cents: spiff,
            cap,
            window,
            sales,
            refunds: specs,
        }
    })
}

impl Scenario {
    fn program(&self) -> Program {
        let mut plan = json!({
            "id": "p",
            "basis": if self.margin { "margin" } else { "revenue" },
            "rates": [
                {"kind": "percent", "id": "default", "rate": bp(self.default_bp).to_string()},
                {"kind": "percent", "id": "x", "rate": bp(self.product_bp).to_string(), "when": {"products": ["X"]}},
                {"kind": "per_unit", "id": "c", "amount": cents(self.unit_cents).to_string(), "when": {"categories": ["C"]}}
            ],
            "tier_multiplier": {"kind": "table", "multipliers": {"gold": Decimal::new(rust_decimal::Decimal::new(self.gold_hundredths, 2)).to_string()}},
        });
        if let Some((period, retroactive, rates)) = self.table {
            let brackets: Vec<_> = BRACKETS
                .iter()
                .zip(rates)
                .map(|((from, to), rate)| match to {
                    Some(to) => json!({"from": from.to_string(), "to": to.to_string(), "rate": bp(rate).to_string()}),
                    None => json!({"from": from.to_string(), "rate": bp(rate).to_string()}),
                })
                .collect();
            plan["brackets"] = json!([{
                "id": "t",
                "scope": if period { "period" } else { "transaction" },
                "mode": if retroactive { "retroactive" } else { "graduated" },
                "brackets": brackets
            }]);
        }
        if let Some(max) = self.maximum {
            plan["per_transaction"] = json!({"maximum": max.to_string()});
        }
        if let Some(spiff) = self.spiff_cents {
            plan["spiffs"] = json!([{"id": "feb", "starts_on": "2026-02-01", "ends_on": "2026-02-28",
                                     "pays": {"kind": "per_deal", "amount": cents(spiff).to_string()}}]);
        }
        if let Some(cap) = self.cap {
            plan["period_cap"] = json!(cap.to_string());
        }
        if let Some(window) = self.window {
            plan["clawback_window_days"] = json!(window);
        }
        let mode = serde_json::to_value(self.mode).unwrap();
        Program::from_value(&json!({
            "schema_version": 1, "currency": "EUR", "rounding": mode,
            "tiers": {"tiers": [{"id": "gold", "name": "Gold", "rank": 2}]},
            "commissions": {"plans": [plan]}
        }))
        .unwrap()
    }

    fn facts(&self) -> CommissionFacts {
        let mut facts = CommissionFacts::default();
        for (i, from) in self.gold_from.iter().enumerate() {
            if let Some(from) = from {
                facts.tier_history.insert(
                    PARTNERS[i].to_owned(),
                    vec![TierChange {
                        tier: "gold".into(),
                        from: day(*from),
                    }],
                );
            }
        }
        facts
    }

    fn transactions(&self) -> Vec<Transaction> {
        let mut txs = Vec::new();
        for (i, s) in self.sales.iter().enumerate() {
            let mut t = Transaction::sale(
                &format!("S{i:03}"),
                PARTNERS[s.partner],
                day(s.day),
                cents(s.cents),
            );
            t.cost = Some(cents(s.cents * s.cost_percent / 100));
            t.product_id = Some(PRODUCTS[s.product].0.to_owned());
            t.category = Some(PRODUCTS[s.product].1.to_owned());
            t.quantity = Some(Decimal::from(s.quantity));
            if let Some((other, shares)) = s.split
                && other != s.partner
            {
                let (a, b) = SHARES[shares];
                t.splits = vec![
                    Split {
                        partner_id: PARTNERS[s.partner].to_owned(),
                        share: d(a),
                    },
                    Split {
                        partner_id: PARTNERS[other].to_owned(),
                        share: d(b),
                    },
                ];
            }
            txs.push(t);
        }
        for (j, r) in self.refunds.iter().enumerate() {
            let s = &self.sales[r.sale];
            let amount = cents(s.cents * r.quarters / 4);
            if amount <= Decimal::ZERO {
                continue;
            }
            txs.push(Transaction::refund(
                &format!("R{j:03}"),
                PARTNERS[s.partner],
                day(s.day + r.after_days),
                amount,
                &format!("S{:03}", r.sale),
            ));
        }
        txs
    }

    fn options() -> StatementOptions {
        StatementOptions::as_of(d_date("2026-03-31"))
    }

    fn run(&self, txs: &[Transaction]) -> CommissionStatements {
        commission::statements(&self.program(), txs, &self.facts(), &Self::options()).unwrap()
    }
}

// ---- the oracle --------------------------------------------------------------------------

#[derive(Debug, Default, Clone, PartialEq)]
struct Expected {
    lines: Vec<Decimal>,
    earned: Decimal,
    capped: Decimal,
    clawed: Decimal,
    net: Decimal,
}

fn add(a: Decimal, b: Decimal) -> Decimal {
    a.checked_add(b).unwrap()
}
fn sub(a: Decimal, b: Decimal) -> Decimal {
    a.checked_sub(b).unwrap()
}
fn mul(a: Decimal, b: Decimal) -> Decimal {
    a.checked_mul(b).unwrap()
}
fn div(a: Decimal, b: Decimal) -> Decimal {
    a.checked_div(b).unwrap()
}

fn brackets_pay(s: &Scenario, basis: Decimal) -> Decimal {
    let Some((_, retroactive, rates)) = s.table else {
        return Decimal::ZERO;
    };
    if basis <= Decimal::ZERO {
        return Decimal::ZERO;
    }
    if retroactive {
        let mut rate = Decimal::ZERO;
        for ((from, _), r) in BRACKETS.iter().zip(rates) {
            if basis >= Decimal::from(*from) {
                rate = bp(r);
            }
        }
        return mul(basis, rate);
    }
    let mut total = Decimal::ZERO;
    for ((from, to), r) in BRACKETS.iter().zip(rates) {
        let from = Decimal::from(*from);
        let top = to.map_or(basis, |t| Decimal::from(t).min(basis));
        if top > from {
            total = add(total, mul(sub(top, from), bp(r)));
        }
    }
    total
}

/// The same plan, computed the simplest way.
fn oracle(s: &Scenario, txs: &[Transaction]) -> BTreeMap<String, Expected> {
    let places = 2;
    let round = |v: Decimal| s.mode.round(v, places);
    let mut sorted: Vec<&Transaction> = txs.iter().collect();
    sorted.sort_by(|a, b| (a.date, a.is_reversal(), &a.id).cmp(&(b.date, b.is_reversal(), &b.id)));
    // Every partner share of every sale: (seq, partner, share, basis, pre, multiplier, spiff).
    struct Share {
        seq: usize,
        tx: String,
        partner: String,
        basis: Decimal,
        pre: Decimal,
        multiplier: Decimal,
        spiff: Decimal,
        exact: Decimal,
        rounded: Decimal,
        paid: Decimal,
        clawed: Decimal,
    }
    let mut shares: Vec<Share> = Vec::new();
    for (seq, t) in sorted.iter().enumerate().filter(|(_, t)| !t.is_reversal()) {
        let parts: Vec<(String, Decimal)> = if t.splits.is_empty() {
            vec![(t.partner_id.clone(), Decimal::ONE)]
        } else {
            t.splits
                .iter()
                .map(|x| (x.partner_id.clone(), x.share))
                .collect()
        };
        let weights: Vec<Decimal> = parts.iter().map(|p| p.1).collect();
        let revenues = allocate(t.amount, &weights, places).unwrap();
        let costs = allocate(t.cost.unwrap(), &weights, places).unwrap();
        for (k, (partner, share)) in parts.into_iter().enumerate() {
            let basis = if s.margin {
                sub(revenues[k], costs[k]).max(Decimal::ZERO)
            } else {
                revenues[k]
            };
            let product = t.product_id.as_deref().unwrap();
            let quantity = mul(t.quantity.unwrap(), share);
            let rate = if product == "X" {
                mul(basis, bp(s.product_bp))
            } else if t.category.as_deref() == Some("C") {
                mul(quantity, cents(s.unit_cents))
            } else {
                mul(basis, bp(s.default_bp))
            };
            let transaction_table = matches!(s.table, Some((false, _, _)));
            let pre = if transaction_table {
                add(rate, brackets_pay(s, basis))
            } else {
                rate
            };
            let index = PARTNERS.iter().position(|p| *p == partner).unwrap();
            let gold = s.gold_from[index].is_some_and(|from| day(from) <= t.date);
            let multiplier = if gold {
                Decimal::new(rust_decimal::Decimal::new(s.gold_hundredths, 2))
            } else {
                Decimal::ONE
            };
            let in_feb = t.date >= d_date("2026-02-01") && t.date <= d_date("2026-02-28");
            let spiff = match s.spiff_cents {
                Some(c) if in_feb => mul(cents(c), share),
                _ => Decimal::ZERO,
            };
            shares.push(Share {
                seq,
                tx: t.id.clone(),
                partner,
                basis,
                pre,
                multiplier,
                spiff,
                exact: Decimal::ZERO,
                rounded: Decimal::ZERO,
                paid: Decimal::ZERO,
                clawed: Decimal::ZERO,
            });
        }
    }
    // Refunds: (seq, original, proportion before, after, inside the window).
    let mut refunded: BTreeMap<String, Decimal> = BTreeMap::new();
    let mut refunds = Vec::new();
    for (seq, t) in sorted.iter().enumerate().filter(|(_, t)| t.is_reversal()) {
        let original = t.original_id.clone().unwrap();
        let sale = txs.iter().find(|x| x.id == original).unwrap();
        let before = refunded.get(&original).copied().unwrap_or(Decimal::ZERO);
        let after = add(before, t.amount);
        refunded.insert(original.clone(), after);
        let days = sale.date.days_until(t.date);
        let within = s.window.is_none_or(|w| days <= w);
        refunds.push((
            seq,
            original,
            div(before, sale.amount),
            div(after, sale.amount),
            within,
        ));
    }
    let mut out = BTreeMap::new();
    for partner in PARTNERS {
        let mine: Vec<usize> = (0..shares.len())
            .filter(|i| shares[*i].partner == partner)
            .collect();
        if mine.is_empty() {
            continue;
        }
        // The period's net basis.
        let mut net = Decimal::ZERO;
        for &i in &mine {
            net = add(net, shares[i].basis);
        }
        for (_, original, before, after, within) in &refunds {
            if !within {
                continue;
            }
            for &i in &mine {
                if &shares[i].tx == original {
                    net = sub(net, mul(sub(*after, *before), shares[i].basis));
                }
            }
        }
        let period_table = matches!(s.table, Some((true, _, _)));
        let total = brackets_pay(s, net);
        for &i in &mine {
            let sh = &mut shares[i];
            let mut base = sh.pre;
            if period_table && net > Decimal::ZERO && !total.is_zero() {
                base = add(base, div(mul(sh.basis, total), net));
            }
            let mut x = mul(base, sh.multiplier);
            if let Some(max) = s.maximum {
                x = x.min(Decimal::from(max));
            }
            sh.exact = add(x, sh.spiff);
        }
        if period_table {
            let exact: Vec<Decimal> = mine.iter().map(|i| shares[*i].exact).collect();
            let sum = exact.iter().fold(Decimal::ZERO, |a, e| add(a, *e));
            let parts = allocate(round(sum), &exact, places).unwrap();
            for (k, &i) in mine.iter().enumerate() {
                shares[i].rounded = parts[k];
            }
        } else {
            for &i in &mine {
                shares[i].rounded = round(shares[i].exact);
            }
        }
        // Events in order: sales take what the cap leaves; refunds reverse what was paid.
        let mut expected = Expected::default();
        let mut used = Decimal::ZERO;
        let mut events: Vec<(usize, Option<usize>, Option<usize>)> = mine
            .iter()
            .map(|i| (shares[*i].seq, Some(*i), None))
            .collect();
        for (r, (seq, original, ..)) in refunds.iter().enumerate() {
            if mine.iter().any(|i| &shares[*i].tx == original) {
                events.push((*seq, None, Some(r)));
            }
        }
        events.sort();
        for (_, sale, refund) in events {
            if let Some(i) = sale {
                let rounded = shares[i].rounded;
                let paid = match s.cap {
                    Some(cap) => rounded.min(sub(Decimal::from(cap), used).max(Decimal::ZERO)),
                    None => rounded,
                };
                used = add(used, paid);
                shares[i].paid = paid;
                expected.earned = add(expected.earned, rounded);
                expected.capped = add(expected.capped, sub(rounded, paid));
                expected.lines.push(paid);
            }
            if let Some(r) = refund {
                let (_, original, _, after, within) = &refunds[r];
                let i = *mine.iter().find(|i| &shares[**i].tx == original).unwrap();
                let amount = if *within {
                    sub(round(mul(shares[i].paid, *after)), shares[i].clawed).max(Decimal::ZERO)
                } else {
                    Decimal::ZERO
                };
                shares[i].clawed = add(shares[i].clawed, amount);
                expected.clawed = sub(expected.clawed, amount);
                expected.lines.push(Decimal::new(-amount.value()));
            }
        }
        expected.net = add(sub(expected.earned, expected.capped), expected.clawed);
        out.insert(partner.to_owned(), expected);
    }
    out
}

fn observed(run: &CommissionStatements) -> BTreeMap<String, Expected> {
    run.statements
        .iter()
        .map(|st| {
            (
                st.partner_id.clone(),
                Expected {
                    lines: st.lines.iter().map(|l| l.amount).collect(),
                    earned: st.totals.earned,
                    capped: st.totals.capped,
                    clawed: st.totals.clawed_back,
                    net: st.totals.net,
                },
            )
        })
        .collect()
}

fn same_amounts(a: &BTreeMap<String, Expected>, b: &BTreeMap<String, Expected>) -> bool {
    // Decimals compare by value, so "1.50" equals "1.5".
    a == b
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, ..ProptestConfig::default() })]

    #[test]
    fn prop_engine_matches_the_oracle(s in scenario()) {
        let txs = s.transactions();
        let run = s.run(&txs);
        let want = oracle(&s, &txs);
        let got = observed(&run);
        prop_assert!(same_amounts(&got, &want), "engine {got:#?}\noracle {want:#?}");
    }

    #[test]
    fn prop_lines_sum_to_totals(s in scenario()) {
        let run = s.run(&s.transactions());
        let mut grand = Decimal::ZERO;
        for st in &run.statements {
            let t = st.totals;
            let sum = |kind: LineKind, f: fn(&commission::CommissionLine) -> Decimal| {
                st.lines.iter().filter(|l| l.kind == kind).fold(Decimal::ZERO, |a, l| add(a, f(l)))
            };
            let net = st.lines.iter().fold(Decimal::ZERO, |a, l| add(a, l.amount));
            prop_assert_eq!(net, t.net);
            prop_assert_eq!(sum(LineKind::Sale, |l| add(l.amount, l.capped)), t.earned);
            prop_assert_eq!(st.lines.iter().fold(Decimal::ZERO, |a, l| add(a, l.capped)), t.capped);
            prop_assert_eq!(sum(LineKind::Clawback, |l| l.amount), t.clawed_back);
            prop_assert_eq!(add(t.payable, t.pending), t.net);
            prop_assert_eq!(add(add(sub(add(t.earned, t.overrides), t.capped), t.clawed_back), t.bonuses), t.net);
            for line in &st.lines {
                let parts = line.components.iter().fold(Decimal::ZERO, |a, c| add(a, c.amount));
                prop_assert_eq!(parts, line.amount, "components of {:?}", line);
                prop_assert_eq!(s.mode.round(line.amount, 2), line.amount);
            }
            grand = add(grand, t.net);
        }
        prop_assert_eq!(grand, run.totals.net);
    }

    #[test]
    fn prop_splits_sum_to_the_transaction(s in scenario()) {
        let mut s = s;
        s.margin = false;
        let txs = s.transactions();
        let run = s.run(&txs);
        for t in txs.iter().filter(|t| !t.splits.is_empty()) {
            let parts: Vec<Decimal> = run.statements.iter()
                .flat_map(|st| st.lines.iter())
                .filter(|l| l.kind == LineKind::Sale && l.transaction_id.as_deref() == Some(t.id.as_str()))
                .map(|l| l.basis)
                .collect();
            prop_assert_eq!(parts.len(), t.splits.len());
            prop_assert_eq!(parts.iter().fold(Decimal::ZERO, |a, b| add(a, *b)), t.amount);
        }
    }

    #[test]
    fn prop_full_refund_nets_to_zero(s in scenario(), partner in 0..4usize, at in 0..80i64, c in 1..2_000_000i64, later in 0..9i64, halves in any::<bool>()) {
        let mut txs = s.transactions();
        let before = s.run(&txs);
        let mut extra = Transaction::sale("NEW", PARTNERS[partner], day(at), cents(c));
        extra.cost = Some(Decimal::ZERO);
        extra.product_id = Some("Z".into());
        extra.category = Some("A".into());
        extra.quantity = Some(Decimal::ONE);
        txs.push(extra);
        let refund_day = day(at + later);
        if halves && c >= 2 {
            let half = cents(c / 2);
            txs.push(Transaction::refund("NEW-R1", PARTNERS[partner], refund_day, half, "NEW"));
            txs.push(Transaction::refund("NEW-R2", PARTNERS[partner], refund_day, sub(cents(c), half), "NEW"));
        } else {
            txs.push(Transaction::refund("NEW-R1", PARTNERS[partner], refund_day, cents(c), "NEW"));
        }
        let mut s_in_window = s.clone();
        s_in_window.window = s.window.map(|w| w.max(later));
        let after = s_in_window.run(&txs);
        let mine = after.statements.iter().find(|st| st.partner_id == PARTNERS[partner]).unwrap();
        let new_lines = mine.lines.iter()
            .filter(|l| l.transaction_id.as_deref().is_some_and(|id| id.starts_with("NEW")))
            .fold(Decimal::ZERO, |a, l| add(a, l.amount));
        prop_assert_eq!(new_lines, Decimal::ZERO);
        // Without a cap or brackets the refunded sale leaves the statement as it was.
        if s.cap.is_none() && s.table.is_none() && s_in_window.window == s.window {
            let was = before.statements.iter().find(|st| st.partner_id == PARTNERS[partner]).map_or(Decimal::ZERO, |st| st.totals.net);
            prop_assert_eq!(s.mode.round(was, 2), mine.totals.net);
        }
    }

    #[test]
    fn prop_additive_without_caps_or_brackets(s in scenario(), cut in 0..25usize) {
        let mut s = s;
        s.cap = None;
        s.table = None;
        let txs = s.transactions();
        let first: Vec<Transaction> = txs.iter().filter(|t| {
            let sale = t.original_id.as_deref().unwrap_or(&t.id);
            sale.get(1..).and_then(|n| n.parse::<usize>().ok()).unwrap_or(0) < cut
        }).cloned().collect();
        let second: Vec<Transaction> = txs.iter().filter(|t| !first.iter().any(|f| f.id == t.id)).cloned().collect();
        let net = |list: &[Transaction]| if list.is_empty() { Decimal::ZERO } else { s.run(list).totals.net };
        prop_assert_eq!(add(net(&first), net(&second)), net(&txs));
    }

    #[test]
    fn prop_same_inputs_same_statements(s in scenario(), seed in any::<u64>()) {
        let txs = s.transactions();
        let a = serde_json::to_string(&s.run(&txs)).unwrap();
        let mut shuffled = txs.clone();
        let mut rng = prm_core::hash::SplitMix64::new(seed);
        for i in (1..shuffled.len()).rev() {
            let j = usize::try_from(rng.below(i as u64 + 1)).unwrap();
            shuffled.swap(i, j);
        }
        let b = serde_json::to_string(&s.run(&shuffled)).unwrap();
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(a, serde_json::to_string(&s.run(&txs)).unwrap());
    }

    #[test]
    fn prop_stream_totals_match_statements(s in scenario()) {
        let mut txs = s.transactions();
        let lines = s.run(&txs);
        txs.sort_by(|a, b| (a.date, a.is_reversal(), &a.id).cmp(&(b.date, b.is_reversal(), &b.id)));
        let program = s.program();
        let facts = s.facts();
        let mut run = StatementRun::new(&program, &facts, Scenario::options(), Detail::Totals).unwrap();
        run.extend(txs.iter());
        let totals = run.finish().unwrap();
        prop_assert_eq!(totals.totals, lines.totals);
        for (a, b) in totals.statements.iter().zip(&lines.statements) {
            prop_assert_eq!(&a.partner_id, &b.partner_id);
            prop_assert_eq!(a.totals, b.totals);
            prop_assert_eq!(&a.carry_forward, &b.carry_forward);
        }
    }
}

/// A batch fed in chunks ([`StatementRun::prepare_chunks`]) and the same
/// batch whole ([`StatementRun::push_all`]): statements, lines and problems
/// with their paths, as JSON.
fn chunked_and_whole(s: &Scenario, txs: &[Transaction], chunk: usize) -> (String, String) {
    let program = s.program();
    let facts = s.facts();
    let at = JsonPath::root().key("transactions");
    let json = |r: Result<CommissionStatements, prm_core::Error>| match r {
        Ok(statements) => serde_json::to_string(&statements).unwrap(),
        Err(e) => serde_json::to_string(&e.problems()).unwrap(),
    };
    let mut whole =
        StatementRun::new(&program, &facts, Scenario::options(), Detail::Lines).unwrap();
    whole.push_all(txs, &at);
    let mut chunked =
        StatementRun::new(&program, &facts, Scenario::options(), Detail::Lines).unwrap();
    let keys: Vec<TransactionKey> = txs.iter().map(TransactionKey::of).collect();
    assert!(chunked.prepare_chunks(&keys));
    for part in txs.chunks(chunk) {
        chunked.push_chunk(part, &at);
    }
    (json(chunked.finish()), json(whole.finish()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn prop_chunks_give_what_the_whole_batch_gives(
        s in scenario(),
        chunk in 1..40usize,
        fault in 0..4u8,
    ) {
        // Sorted input (as a table read in order), clean or with one fault
        // whose diagnosis needs the whole batch: a duplicate id, a refund
        // dated before its sale, a refund of a refund.
        let mut txs = s.transactions();
        match fault {
            1 => {
                let copy = txs[0].clone();
                txs.push(copy);
            }
            2 => txs.push(Transaction::refund("RX1", PARTNERS[s.sales[0].partner], day(s.sales[0].day - 1), cents(1), "S000")),
            3 => {
                // `QX2` sorts before the refund it names (`R...`) on their day,
                // so only the whole batch knows that the original is a refund.
                if let Some(refund) = txs.iter().find(|t| t.is_reversal()).cloned() {
                    txs.push(Transaction::refund("QX2", &refund.partner_id, refund.date, cents(1), &refund.id));
                }
            }
            _ => {}
        }
        txs.sort_by(|a, b| (a.date, a.is_reversal(), &a.id).cmp(&(b.date, b.is_reversal(), &b.id)));
        let (chunked, whole) = chunked_and_whole(&s, &txs, chunk);
        prop_assert_eq!(chunked, whole);
    }
}

#[test]
fn chunks_need_keys_in_stream_order() {
    let program = Program::from_json(
        r#"{"schema_version": 1, "currency": "EUR",
            "commissions": {"plans": [{"id": "std", "rates": [{"kind": "percent", "id": "b", "rate": "5%"}]}]}}"#,
    )
    .unwrap();
    let facts = CommissionFacts::default();
    let sales = [
        Transaction::sale("T2", "P1", d_date("2026-02-01"), d("10.00")),
        Transaction::sale("T1", "P1", d_date("2026-02-01"), d("10.00")),
    ];
    let keys: Vec<TransactionKey> = sales.iter().map(TransactionKey::of).collect();
    let mut run = StatementRun::new(&program, &facts, Scenario::options(), Detail::Totals).unwrap();
    // T2 before T1 on the same day: a whole batch would sort them first.
    assert!(!run.prepare_chunks(&keys));
    assert!(run.prepare_chunks(&keys[..1]));
    // A refund on the day of its sale comes after it, whatever its id.
    let refund = Transaction::refund("A0", "P1", d_date("2026-02-01"), d("1.00"), "T1");
    let mut run = StatementRun::new(&program, &facts, Scenario::options(), Detail::Totals).unwrap();
    let keys = [TransactionKey::of(&sales[1]), TransactionKey::of(&refund)];
    assert!(run.prepare_chunks(&keys));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A stream that forgets sales past the clawback window gives the same
    /// totals as `statements` whenever every refund is inside the window.
    #[test]
    fn prop_forgetting_stream_matches_statements_inside_the_window(s in scenario()) {
        let mut s = s;
        let window = s.window;
        s.refunds.retain(|r| window.is_none_or(|w| r.after_days <= w));
        let mut txs = s.transactions();
        let lines = s.run(&txs);
        txs.sort_by(|a, b| (a.date, a.is_reversal(), &a.id).cmp(&(b.date, b.is_reversal(), &b.id)));
        let program = s.program();
        let facts = s.facts();
        let mut run = StatementRun::new(&program, &facts, Scenario::options(), Detail::Totals)
            .unwrap()
            .forget_past_window();
        for tx in &txs {
            run.push(tx);
            if let Some(w) = window {
                // Never more than the transactions of the window's days, plus
                // those a plan settled at the close still needs.
                let recent = txs
                    .iter()
                    .filter(|t| t.date <= tx.date && t.date.days_until(tx.date) <= w)
                    .count();
                prop_assert!(s.table.is_some() || run.retained() <= recent);
            }
        }
        let totals = run.finish().unwrap();
        prop_assert_eq!(totals.totals, lines.totals);
        for (a, b) in totals.statements.iter().zip(&lines.statements) {
            prop_assert_eq!(&a.partner_id, &b.partner_id);
            prop_assert_eq!(a.totals, b.totals);
        }
    }
}

#[test]
fn stream_refuses_out_of_order_transactions() {
    let s = Scenario {
        margin: false,
        mode: RoundingMode::HalfEven,
        default_bp: 1000,
        product_bp: 0,
        unit_cents: 0,
        table: None,
        gold_hundredths: 100,
        gold_from: vec![None; 4],
        maximum: None,
        spiff_cents: None,
        cap: None,
        window: None,
        sales: Vec::new(),
        refunds: Vec::new(),
    };
    let program = s.program();
    let facts = s.facts();
    let mut run = StatementRun::new(&program, &facts, Scenario::options(), Detail::Totals).unwrap();
    run.push(&Transaction::sale("T2", "P1", day(10), cents(100)));
    run.push(&Transaction::sale("T1", "P1", day(9), cents(100)));
    let err = run.finish().unwrap_err();
    assert_eq!(
        err.problems()[0].code().as_str(),
        "commission_stream_unordered"
    );
    assert_eq!(err.problems()[0].path(), "$.transactions[1].date");
}
