//! A deferred ledger closed in integers: the common case of
//! [`StatementRun::price_deferred`] followed by [`StatementRun::replay`],
//! without a decimal per step.
//!
//! For a plan whose lines wait for the period's net basis (period bracket
//! tables), the close prices every sale line, rounds the lines so they add up
//! to the period's total rounded once (largest remainder), then settles them
//! in arrival order against the period cap. The general path does each step in
//! decimals and converts between steps: about 2,000 instructions a line. Here
//! the ratios and multipliers are converted once a period, each line's exact
//! amount is one integer at a scale common to the ledger's lines (`weight`),
//! the rounding works on those integers ([`allocate_weights`]) and the
//! settlement on minor units. Each step computes what the decimal steps give,
//! and where the integers could differ from them (a negative operand, a value
//! past 96 bits, more than 28 places), the ledger takes the general path
//! before anything was changed. It applies only to runs without
//! two-tier overrides (no distributor's ledger waits for its resellers'
//! lines). `prop_units_close_gives_what_the_general_path_gives` compares it
//! with the general path; the commission properties against an oracle run
//! through both.

use super::super::statement::{LineKind, LineStatus};
use super::cap::{CapUnits, money, room_in_units, transaction_id};
use super::records::{Record, SaleRecord};
use super::wide::{PreparedRatio, Wide};
use super::{Detail, NONE, SHARE_PLACES, StatementRun, status};
use crate::money::{Decimal, allocate_weights, product};

impl<'a> StatementRun<'a> {
    /// Prices and settles deferred `ledger` in integers when its plan allows:
    /// totals only, no distributor above it, period tables and no
    /// accelerator or per-transaction minimum or maximum. `Some(true)` when
    /// done; `Some(false)` when the caller must take the general path (and
    /// nothing was changed); `None` on overflow.
    pub(super) fn close_in_units(&mut self, ledger: u32) -> Option<bool> {
        let Close::InUnits(parts) = self.lines_in_units(ledger)? else {
            return Some(false);
        };
        let records = std::mem::take(&mut self.ledgers.get_mut(ledger as usize)?.records);
        // Only the shares this ledger's clawbacks reverse get their paid amounts written back.
        let reversed = records.reversed_shares();
        let cap = {
            let plan = self.ledgers.get(ledger as usize)?.plan;
            CapUnits::of(self.plans.get(plan)?.cap, self.places)
        };
        let mut parts = parts.into_iter();
        for record in records.iter() {
            match record {
                Record::Sale(r) => {
                    let rounded = i64::try_from(parts.next()?).ok()?;
                    let paid = self.settle_in_units(ledger, rounded, r, cap)?;
                    if reversed.binary_search(&r.share_ref).is_ok()
                        && let Some(s) = self.shares.get_mut(r.share_ref)
                    {
                        s.paid = paid;
                    }
                }
                Record::Clawback(ev) => self.settle_clawback(ledger, ev)?,
                // A ledger with overrides took the general path (`lines_in_units`).
                Record::Override(_) => return None,
            }
        }
        Some(true)
    }

    /// How the ledger's lines close; `None` on overflow.
    fn lines_in_units(&self, ledger: u32) -> Option<Close> {
        let l = self.ledgers.get(ledger as usize)?;
        let plan = self.plans.get(l.plan)?;
        if self.detail != Detail::Totals
            || l.parent != NONE
            || plan.accelerator.is_some()
            || plan.minimum.is_some()
            || plan.maximum.is_some()
            || plan.period_tables.is_empty()
            || !l.records.iter().is_sorted_by_key(Record::seq)
        {
            return Some(Close::General);
        }
        // Split for a basis in the currency's places, which a sale's basis has
        // unless an FX rate or a split gives it more.
        let ratios: Vec<PreparedRatio> = self
            .table_shares(ledger)?
            .iter()
            .map(|t| PreparedRatio::new(Wide::of(t.ratio), self.places, SHARE_PLACES))
            .collect();
        let multipliers: Vec<Wide> = l.tiers.iter().map(|t| Wide::of(t.1)).collect();
        let one = Wide::of(Decimal::ONE);
        let multiplier = |r: &SaleRecord| multipliers.get(r.tier as usize).copied().unwrap_or(one);
        // One scale for every line's amount, at or above each one's own: its
        // rates' and its table shares' places plus its multiplier's, or its
        // SPIFF's. The lines are then plain integers, ready to be shared.
        let mut scale = 0u32;
        for record in l.records.iter() {
            match record {
                Record::Sale(r) => {
                    let base = r.pre.value().scale().max(SHARE_PLACES);
                    let Some(line) = base.checked_add(multiplier(r).scale) else {
                        return Some(Close::General);
                    };
                    scale = scale.max(line);
                    if r.extra != NONE {
                        scale = scale.max(self.extra(r).spiff.value().scale());
                    }
                }
                Record::Clawback(_) => {}
                Record::Override(_) => return Some(Close::General),
            }
        }
        // Past 28 places a decimal step would have rounded.
        if scale > MOST_PLACES {
            return Some(Close::General);
        }
        let mut weights: Vec<u128> = Vec::with_capacity(l.records.len());
        let mut sum = 0u128;
        for record in l.records.iter() {
            if let Record::Sale(r) = record {
                let spiff = self.extra(r).spiff;
                let Some(weight) = weight(r, spiff, &ratios, multiplier(r), scale)
                    .and_then(|w| Some((w, sum.checked_add(w)?)))
                else {
                    return Some(Close::General);
                };
                weights.push(weight.0);
                sum = weight.1;
            }
        }
        let Some(parts) = allocate_weights(weights, sum, scale, plan.mode, self.places) else {
            return Some(Close::General);
        };
        // Checked here, converted where each is settled: collecting them into
        // 64-bit integers reused the buffer and shrank it (a reallocation
        // and copy a ledger).
        if parts.iter().any(|p| i64::try_from(*p).is_err()) {
            return Some(Close::General);
        }
        Some(Close::InUnits(parts))
    }

    /// [`StatementRun::settle_earning`] for a sale line of `rounded` minor
    /// units: the cap, the status and the ledger's sums in minor units
    /// (decimals only where the cap or a sum is not in them), with the plan's
    /// cap converted once for the ledger. Returns what the line paid.
    fn settle_in_units(
        &mut self,
        ledger: u32,
        rounded: i64,
        r: &SaleRecord,
        cap: CapUnits,
    ) -> Option<Decimal> {
        let places = self.places;
        let as_of = self.options.as_of;
        let l = self.ledgers.get_mut(ledger as usize)?;
        let Some(room) = room_in_units(cap, &l.paid_earnings) else {
            let line = money(rounded, places)?;
            let (paid, _, _) =
                self.settle_earning(ledger, line, r.payable_on, LineKind::Sale, (r.tx, r.entry))?;
            return Some(paid);
        };
        let paid = room.map_or(rounded, |room| rounded.min(room));
        let capped = rounded.checked_sub(paid)?;
        if capped != 0 && l.first_capped.is_none() {
            l.first_capped = Some(transaction_id(&self.txs, &self.index, r.tx, r.entry));
        }
        l.paid_earnings.add_units(paid)?;
        l.this.earned.add_units(rounded)?;
        l.this.capped.add_units(capped)?;
        match status(r.payable_on, as_of) {
            LineStatus::Payable => l.this.payable.add_units(paid)?,
            LineStatus::Pending => l.this.pending.add_units(paid)?,
        }
        money(paid, places)
    }
}

/// The most places a decimal holds.
const MOST_PLACES: u32 = 28;

/// How a deferred ledger's lines close.
#[derive(Debug)]
enum Close {
    /// In integers: each sale line's rounded amount in minor units, in
    /// arrival order (each within 64 bits).
    InUnits(Vec<u128>),
    /// By the general, decimal path.
    General,
}

/// A sale line's exact amount, `(pre + Σ round(basis × ratio)) ×
/// multiplier + spiff`, as `line_amount` computes it for a plan without
/// accelerator or per-transaction limits, written at `scale` places: the
/// integer `amount × 10^scale`. `scale` is at least the places of every
/// operand and of the product (see `lines_in_units`), so nothing is rounded
/// here, and a value has no more digits at its own places than at `scale`:
/// any step the decimal operations would take past 96 bits is past them here
/// too. `None` for a negative operand, for a sum before the multiplier past
/// 96 bits, and past 128 bits; a product or SPIFF sum past 96 bits comes back
/// and makes the ledger's sum too large for [`allocate_weights`]. Either way
/// the ledger takes the general path, which is the reference. (Before, each
/// line was a mantissa and scale of its own, aligned at every addition and
/// again for the rounding.)
fn weight(
    r: &SaleRecord,
    spiff: Decimal,
    ratios: &[PreparedRatio],
    multiplier: Wide,
    scale: u32,
) -> Option<u128> {
    /// The largest mantissa a decimal holds: 2^96 − 1.
    const MOST: u128 = (1 << 96) - 1;
    let at = |mantissa: i128, from: u32, to: u32| -> Option<u128> {
        product(
            u128::try_from(mantissa).ok()?,
            crate::money::ten_to(to.checked_sub(from)?)?,
        )
    };
    // The sum before the multiplier, at the places that leave room for it.
    let places = scale.checked_sub(multiplier.scale)?;
    let pre = r.pre.value();
    let mut base = at(pre.mantissa(), pre.scale(), places)?;
    // The line's tables, walked by its bits (one set bit each, in table
    // order; bits past the plan's tables are not tables).
    let basis = Wide::of(r.basis);
    let mut bits = r.bits;
    while bits != 0 {
        let Some(ratio) = ratios.get(bits.trailing_zeros() as usize) else {
            break;
        };
        let share = ratio.share(basis)?;
        base = base.checked_add(at(share.mantissa, share.scale, places)?)?;
        bits &= bits - 1;
    }
    if base > MOST {
        return None;
    }
    let amount = product(base, u128::try_from(multiplier.mantissa).ok()?)?;
    if spiff.is_zero() {
        return Some(amount);
    }
    let spiff = spiff.value();
    amount.checked_add(at(spiff.mantissa(), spiff.scale(), scale)?)
}

#[cfg(test)]
mod tests {
    use super::super::super::{
        CommissionFacts, Detail, StatementOptions, StatementRun, TierChange, Transaction,
    };
    use crate::Program;
    use crate::calendar::Date;
    use proptest::prelude::*;

    fn date(day: i64) -> Date {
        "2026-01-01"
            .parse::<Date>()
            .ok()
            .and_then(|d| d.add_days(day).ok())
            .unwrap_or_default()
    }

    /// A sale: (partner, day, cents, product X or not, refunded share in quarters, days later).
    type Sale = (usize, i64, i64, bool, i64, i64);

    /// The same transactions closed with lines (the general path, which
    /// keeps every line) and with totals (the integer close), as JSON.
    fn both(
        currency: (&str, u32),
        plan: &serde_json::Value,
        gold_from: Option<i64>,
        sales: &[Sale],
    ) -> (String, String) {
        let (currency, places) = currency;
        let program = Program::from_value(&serde_json::json!({
            "schema_version": 1, "currency": currency,
            "tiers": {"tiers": [{"id": "gold", "name": "Gold", "rank": 1, "benefits": {"commission_multiplier": "1.25"}}]},
            "commissions": {"plans": [plan]}
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        let mut facts = CommissionFacts::default();
        if let Some(day) = gold_from {
            facts.tier_history.insert(
                "P1".to_owned(),
                vec![TierChange {
                    tier: "gold".to_owned(),
                    from: date(day),
                }],
            );
        }
        let mut txs = Vec::new();
        for (i, &(partner, day, cents, x, quarters, later)) in sales.iter().enumerate() {
            let amount = crate::money::Decimal::new(rust_decimal::Decimal::new(cents, places));
            let mut sale = Transaction::sale(
                &format!("S{i:03}"),
                &format!("P{partner}"),
                date(day),
                amount,
            );
            sale.product_id = x.then(|| "X".to_owned());
            if quarters > 0 {
                let refunded = crate::money::Decimal::new(rust_decimal::Decimal::new(
                    cents * quarters / 4,
                    places,
                ));
                let mut refund = Transaction::sale(
                    &format!("R{i:03}"),
                    &sale.partner_id,
                    date(day + later),
                    refunded,
                );
                refund.kind = super::super::super::TransactionKind::Refund;
                refund.original_id = Some(sale.id.clone());
                txs.push(refund);
            }
            txs.push(sale);
        }
        txs.sort_by(|a, b| (a.date, a.is_reversal(), &a.id).cmp(&(b.date, b.is_reversal(), &b.id)));
        let options = StatementOptions::as_of(date(89));
        let run = |detail| {
            let mut run = StatementRun::new(&program, &facts, options.clone(), detail)
                .unwrap_or_else(|e| panic!("{e}"));
            run.extend(txs.iter());
            if detail == Detail::Totals {
                // Every ledger of these plans closes in integers: the property
                // tests that path, not the general one twice.
                for ledger in 0..run.ledgers.len() {
                    let close = run.lines_in_units(super::super::idx(ledger));
                    assert!(matches!(close, Some(super::Close::InUnits(_))), "{close:?}");
                }
            }
            match run.finish() {
                Ok(s) => {
                    // Everything but the lines and the explanation's step listing them.
                    let mut value = serde_json::to_value(&s).unwrap_or_default();
                    for statement in value["statements"].as_array_mut().into_iter().flatten() {
                        statement["lines"] = serde_json::Value::Null;
                        if let Some(steps) = statement["explanation"].as_array_mut() {
                            steps.retain(|step| step["rule"] != "lines");
                        }
                    }
                    value.to_string()
                }
                Err(e) => serde_json::to_string(&e.problems()).unwrap_or_default(),
            }
        };
        (run(Detail::Totals), run(Detail::Lines))
    }

    /// A line's amount as the integer close computed it before lines shared
    /// a scale, and as the decimal operations give it (`multiplied_wide`'s
    /// steps): each value a mantissa and scale of its own.
    fn wide_amount(
        r: &super::SaleRecord,
        spiff: crate::money::Decimal,
        ratios: &[super::PreparedRatio],
        multiplier: super::Wide,
    ) -> Option<super::Wide> {
        let basis = super::Wide::of(r.basis);
        let mut base = super::Wide::of(r.pre);
        let mut bits = r.bits;
        while bits != 0 {
            let Some(ratio) = ratios.get(bits.trailing_zeros() as usize) else {
                break;
            };
            base = base.add(ratio.share(basis)?)?;
            bits &= bits - 1;
        }
        let amount = base.mul(multiplier)?;
        if spiff.is_zero() {
            Some(amount)
        } else {
            amount.add(super::Wide::of(spiff))
        }
    }

    fn decimal(mantissa: i64, scale: u32) -> crate::money::Decimal {
        crate::money::Decimal::new(rust_decimal::Decimal::new(mantissa, scale))
    }

    /// A sale record with the amounts `weight` reads.
    fn record(
        pre: crate::money::Decimal,
        basis: crate::money::Decimal,
        bits: u64,
    ) -> super::SaleRecord {
        super::SaleRecord {
            seq: 0,
            share_ref: 0,
            tx: super::NONE,
            entry: 0,
            date: Date::default(),
            basis,
            pre,
            tier: super::NONE,
            bits,
            payable_on: None,
            detail: None,
            override_ref: super::NONE,
            extra: super::NONE,
        }
    }

    #[test]
    fn money_lines_are_weighed_in_integers() {
        // 5% of 1,234.56 plus a 16-place period ratio's share, × 1.25, + a
        // 50.00 SPIFF: the amount the decimal steps give, at scale 12.
        let r = record(decimal(617_280, 4), decimal(123_456, 2), 1);
        let ratio = decimal(123_456_789_012_345, 16);
        let ratios = [super::PreparedRatio::new(
            super::Wide::of(ratio),
            2,
            super::SHARE_PLACES,
        )];
        let multiplier = super::Wide::of(decimal(125, 2));
        let spiff = decimal(5_000, 2);
        let wide = wide_amount(&r, spiff, &ratios, multiplier).unwrap_or_else(|| panic!("wide"));
        let weight = super::weight(&r, spiff, &ratios, multiplier, 12);
        let at_scale = u128::try_from(wide.mantissa).unwrap_or(0) * 10u128.pow(12 - wide.scale);
        assert_eq!(weight, Some(at_scale));
        // A negative operand, or a scale below the line's own, takes the general path.
        assert_eq!(
            super::weight(
                &record(decimal(-1, 4), decimal(100, 2), 1),
                spiff,
                &ratios,
                multiplier,
                12
            ),
            None
        );
        assert_eq!(
            super::weight(&r, spiff, &ratios, super::Wide::of(decimal(-125, 2)), 12),
            None
        );
        assert_eq!(super::weight(&r, spiff, &ratios, multiplier, 11), None);
    }

    proptest! {
        #[test]
        fn prop_weight_is_the_amount_at_the_common_scale(
            pre in (any::<i64>(), 0u32..20, 0u32..4),
            basis in (0i64..10_000_000_000, 0u32..4, any::<bool>()),
            ratios in proptest::collection::vec((0i64..100_000_000_000, 0u32..17), 0..3),
            bits in 0u64..16,
            multiplier in (-3i64..1_000_000, 0u32..14),
            spiff in (0i64..1_000_000_000, 0u32..10, any::<bool>()),
            extra in 0u32..8,
        ) {
            // Lines of every shape: negative rates' amounts and multipliers,
            // scales up to the limit, values past 96 bits, tables past the
            // plan's, SPIFFs. Where `weight` gives an amount within 96 bits,
            // it is the one the decimal steps give, written at the scale.
            let pre = decimal(pre.0 >> (20 * pre.2), pre.1);
            let (basis, basis_scale) = (decimal(basis.0, basis.1), if basis.2 { basis.1 } else { 2 });
            let ratios: Vec<super::PreparedRatio> = ratios
                .iter()
                .map(|&(m, s)| super::PreparedRatio::new(super::Wide::of(decimal(m, s)), basis_scale, super::SHARE_PLACES))
                .collect();
            let multiplier = super::Wide::of(decimal(multiplier.0, multiplier.1));
            let spiff = if spiff.2 { decimal(spiff.0, spiff.1) } else { crate::money::Decimal::ZERO };
            let r = record(pre, basis, bits);
            // The scale `lines_in_units` takes for this line, and more.
            let own = (pre.value().scale().max(super::SHARE_PLACES) + multiplier.scale)
                .max(spiff.value().scale());
            // `lines_in_units` leaves a ledger past 28 places to the decimals.
            let scale = (own + extra).min(super::MOST_PLACES);
            prop_assume!(own <= super::MOST_PLACES);
            let weight = super::weight(&r, spiff, &ratios, multiplier, scale);
            let wide = wide_amount(&r, spiff, &ratios, multiplier);
            if let Some(w) = weight.filter(|w| *w < 1 << 96) {
                let wide = wide.unwrap_or_else(|| panic!("weight {w} where the decimal steps overflow"));
                prop_assert!(wide.mantissa >= 0 && wide.scale <= scale);
                let at_scale = u128::try_from(wide.mantissa).unwrap_or(0)
                    .checked_mul(10u128.pow(scale - wide.scale));
                prop_assert_eq!(Some(w), at_scale);
            }
        }

        #[test]
        fn prop_units_close_gives_what_the_general_path_gives(
            rates in (1i64..2_000, 1i64..3_000, 0i64..4_000),
            retroactive in any::<bool>(),
            x_rate in 1i64..2_500,
            cap in proptest::option::of((1i64..400_000, any::<bool>())),
            hold in 0u32..60,
            mode in 0usize..4,
            currency in 0usize..3,
            spiff in proptest::option::of(1i64..5_000),
            gold_from in proptest::option::of(0i64..90),
            window in proptest::option::of(1i64..60),
            sales in proptest::collection::vec(
                (1usize..4, 0i64..90, 1i64..5_000_000, any::<bool>(), 0i64..5, 0i64..40),
                1..40,
            ),
        ) {
            // A period table, a tier multiplier, a cap that binds mid-period,
            // lines still on hold on the as-of date, SPIFFs, refunds inside
            // and outside the window, every rounding mode, currencies of 0, 2
            // and 3 places: the integer close
            // must give the general path's statements, to the digit.
            let rounding = ["half_even", "half_up", "down", "up"][mode];
            // Amounts are drawn in minor units of EUR (2 places), JPY (0) or BHD (3).
            let currency = [("EUR", 2), ("JPY", 0), ("BHD", 3)][currency];
            let money = |units: i64| crate::money::Decimal::new(rust_decimal::Decimal::new(units, currency.1)).to_string();
            let bp = |n: i64| format!("{}%", crate::money::Decimal::new(rust_decimal::Decimal::new(n, 2)));
            let mut plan = serde_json::json!({
                "id": "p", "period": "quarter",
                "rounding": rounding,
                "payout": {"on": "booking", "hold_days": hold},
                "rates": [{"kind": "percent", "id": "r", "rate": bp(300)},
                          {"kind": "percent", "id": "x", "rate": bp(x_rate), "when": {"products": ["X"]}}],
                "tier_multiplier": {"kind": "tier_benefits"},
                "brackets": [{"id": "t", "scope": "period", "mode": if retroactive { "retroactive" } else { "graduated" },
                    "brackets": [{"from": "0", "to": "10000", "rate": bp(rates.0)},
                                 {"from": "10000", "to": "50000", "rate": bp(rates.1)},
                                 {"from": "50000", "rate": bp(rates.2)}]}]
            });
            if let Some((cap, extra_place)) = cap {
                // A cap written with a place more than the currency's (not in
                // minor units) is settled by decimals, line by line.
                let mut text = money(cap);
                if extra_place {
                    text.push_str(if currency.1 == 0 { ".0" } else { "0" });
                }
                plan["period_cap"] = serde_json::json!(text);
            }
            if let Some(spiff) = spiff {
                plan["spiffs"] = serde_json::json!([{"id": "feb", "starts_on": "2026-02-01", "ends_on": "2026-02-28",
                    "pays": {"kind": "per_deal", "amount": money(spiff)}}]);
            }
            if let Some(window) = window {
                plan["clawback_window_days"] = serde_json::json!(window);
            }
            let (units, general) = both(currency, &plan, gold_from, &sales);
            prop_assert_eq!(units, general);
        }
    }
}
