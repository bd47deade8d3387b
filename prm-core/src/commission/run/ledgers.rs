//! Partners, plans and ledgers: which plan pays a partner, over which period,
//! with which tier multipliers, and the link to its parent distributor.

use super::super::compiled::CompiledPlan;
use super::super::plan::OverrideBasis;
use super::records::{Ledger, Records, TableSums, Tally, TierCursor, Total};
use super::{NONE, StatementRun, idx};
use crate::calendar::{Date, Period};
use crate::error::{ErrorCode, JsonPath, Problem};
use crate::money::Decimal;
use crate::partner::PartnerKind;

impl<'a> StatementRun<'a> {
    /// The index of the tier change in effect on `date`.
    pub(super) fn tier_at(tiers: &[(Date, Decimal, String)], date: Date) -> Option<usize> {
        tiers.iter().rposition(|(from, _, _)| *from <= date)
    }

    /// The index of the tier change of `ledger` in effect on `date` (`NONE`
    /// before the first), through the ledger's cursor.
    pub(super) fn tier_on(ledger: &mut Ledger, date: Date) -> u32 {
        if let Some(found) = ledger.tier_cursor.on(date) {
            return found;
        }
        let at = Self::tier_at(&ledger.tiers, date);
        let (from, index) = match at.and_then(|i| ledger.tiers.get(i).map(|t| (i, t.0))) {
            Some((i, from)) => (from, idx(i)),
            None => (date, NONE),
        };
        let next = at.map_or(0, |i| i + 1);
        ledger.tier_cursor = TierCursor {
            valid: true,
            from,
            until: ledger.tiers.get(next).map(|t| t.0),
            index,
        };
        index
    }

    /// The ledger of `partner_id`, created on first sight; `None` (with a problem
    /// when `report`) when the partner is unknown or no plan applies.
    pub(super) fn ledger_for(
        &mut self,
        partner_id: &str,
        path: Option<&dyn Fn() -> JsonPath>,
    ) -> Option<u32> {
        let name = self.intern(partner_id);
        let existing = self.ledger_of.get(name as usize).copied().unwrap_or(NONE);
        if existing != NONE {
            return Some(existing);
        }
        if self.failed.contains(&name) {
            return None;
        }
        let partner = match &self.partners {
            None => None,
            Some(map) => match map.get(partner_id) {
                Some(p) => Some(*p),
                None => {
                    if let Some(path) = path {
                        let mut problem = Problem::new(ErrorCode::UnknownReference, path())
                            .message(format!("partner `{partner_id}` is not in `partners`"));
                        if let Some(close) =
                            crate::input::did_you_mean(partner_id, map.keys().copied())
                        {
                            problem = problem.help(format!("did you mean `{close}`?"));
                        }
                        self.problems.push(problem);
                        self.failed.insert(name);
                    }
                    return None;
                }
            },
        };
        let kind = partner.map(|p| p.kind);
        let history: Vec<&super::super::facts::TierChange> = {
            let mut h: Vec<_> = self
                .facts
                .tier_history
                .get(partner_id)
                .map(|v| v.iter().collect())
                .unwrap_or_default();
            h.sort_by_key(|c| c.from);
            h
        };
        let chosen = self.choose_plan(partner_id, kind, &history);
        let (plan, period, reason) = match chosen {
            Ok(found) => found,
            Err(why) => {
                if let Some(path) = path {
                    self.problems.push(
                        Problem::new(ErrorCode::CommissionNoPlan, path())
                            .message(why)
                            .help("add a plan without `applies_to` as the last plan, as a default"),
                    );
                    self.failed.insert(name);
                }
                return None;
            }
        };
        let compiled = self.plans.get(plan)?;
        let tiers: Vec<(Date, Decimal, String)> = history
            .iter()
            .map(|c| {
                let m = if compiled.tiers.enabled {
                    compiled
                        .tiers
                        .multipliers
                        .get(&c.tier)
                        .copied()
                        .unwrap_or(Decimal::ONE)
                } else {
                    Decimal::ONE
                };
                (c.from, m, c.tier.clone())
            })
            .collect();
        let quota = self
            .facts
            .quotas
            .get(partner_id)
            .copied()
            .or(compiled.accelerator.as_ref().map(|a| a.quota));
        let overrides_need_children = compiled
            .overrides
            .as_ref()
            .is_some_and(|o| o.of == OverrideBasis::Commission || o.subtract);
        let deferred = compiled.deferred || (overrides_need_children && self.any_deferred);
        let tables = compiled.period_tables.len();
        let ledger = idx(self.ledgers.len());
        self.ledgers.push(Ledger {
            name,
            partner_id: partner_id.to_owned(),
            kind,
            plan,
            plan_reason: reason,
            period,
            parent: NONE,
            tiers,
            tier_cursor: TierCursor::default(),
            quota,
            deferred,
            running_basis: Decimal::ZERO,
            paid_earnings: Total::new(self.places),
            first_capped: None,
            gross: Total::new(self.places),
            refunded: Decimal::ZERO,
            table_gross: TableSums::of(Total::new(self.places), tables),
            table_refunded: TableSums::of(Decimal::ZERO, tables),
            rounded: Vec::new(),
            records: Records::default(),
            lines: Vec::new(),
            this: Tally::new(self.places),
            prior: Tally::new(self.places),
            active: false,
        });
        if let Some(slot) = self.ledger_of.get_mut(name as usize) {
            *slot = ledger;
        }
        // Two-tier: link to the parent distributor when its plan pays overrides.
        if let Some(parent_id) = partner.and_then(|p| p.parent_id.as_deref()) {
            let parent_known = self
                .partners
                .as_ref()
                .is_none_or(|m| m.contains_key(parent_id));
            if parent_known
                && let Some(parent) = self.ledger_for(parent_id, None)
                && self
                    .ledgers
                    .get(parent as usize)
                    .and_then(|l| self.plans.get(l.plan))
                    .is_some_and(|p| p.overrides.is_some())
                && let Some(l) = self.ledgers.get_mut(ledger as usize)
            {
                l.parent = parent;
            }
        }
        Some(ledger)
    }

    pub(super) fn choose_plan(
        &self,
        partner_id: &str,
        kind: Option<PartnerKind>,
        history: &[&super::super::facts::TierChange],
    ) -> Result<(usize, Period, String), String> {
        let period_of = |plan: &CompiledPlan| match self.options.period {
            Some(p) => Ok(p),
            None => plan.period_of(self.program, self.options.as_of),
        };
        if let Some(forced) = self.forced_plan {
            let plan = self
                .plans
                .get(forced)
                .ok_or_else(|| "unknown plan".to_owned())?;
            let period = period_of(plan).map_err(|e| e.to_string())?;
            return Ok((
                forced,
                period,
                format!("plan `{}` was named in the request", plan.id),
            ));
        }
        let tier_on = |date: Date| {
            history
                .iter()
                .rev()
                .find(|c| c.from <= date)
                .map(|c| c.tier.as_str())
        };
        for (i, plan) in self.plans.iter().enumerate() {
            let period = period_of(plan).map_err(|e| e.to_string())?;
            let tier = tier_on(period.start);
            let applies = &plan.applies_to;
            let ok = (applies.partners.is_empty()
                || applies.partners.iter().any(|p| p == partner_id))
                && (applies.partner_kinds.is_empty()
                    || kind.is_some_and(|k| applies.partner_kinds.contains(&k)))
                && (applies.tiers.is_empty()
                    || tier.is_some_and(|t| applies.tiers.iter().any(|x| x == t)));
            if ok {
                let mut why = Vec::new();
                if !applies.partners.is_empty() {
                    why.push(format!("names partner `{partner_id}`"));
                }
                if let Some(k) = kind.filter(|_| !applies.partner_kinds.is_empty()) {
                    why.push(format!("partner kind {}", kind_name(k)));
                }
                if let Some(t) = tier.filter(|_| !applies.tiers.is_empty()) {
                    why.push(format!("tier `{t}` on {}", period.start));
                }
                let reason = if why.is_empty() {
                    format!("plan `{}` applies to every partner", plan.id)
                } else {
                    format!("plan `{}` applies: {}", plan.id, why.join(", "))
                };
                return Ok((i, period, reason));
            }
        }
        let kind_text = kind.map_or("unknown kind".to_owned(), |k| {
            format!("kind {}", kind_name(k))
        });
        Err(format!(
            "no commission plan applies to partner `{partner_id}` ({kind_text}, tier {})",
            history
                .last()
                .map_or("none".to_owned(), |c| format!("`{}`", c.tier))
        ))
    }
}

pub(super) fn kind_name(kind: PartnerKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
