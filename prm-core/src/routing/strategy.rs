//! The strategies: how a rule picks one of its eligible partners.

use super::config::{FactorKind, GeoPick, ScoreFactor, Strategy};
use super::decision::ExclusionReason;
use super::draw::{draw_position, pick_from};
use super::eligibility::LeadFacts;
use super::geo::{chord2, chord2_for_km, unit_vector};
use super::lead::Lead;
use super::partner::RoutingPartner;
use super::route::{CompiledRule, LeadRouter, PartnerFacts, Working};
use super::tally::Tally;
use crate::error::Error;
use std::fmt::Write as _;

/// An eligible partner as a strategy sees it.
#[derive(Debug, Clone)]
pub(super) struct Cand {
    pub(super) index: u32,
    pub(super) distance: Option<f64>,
    pub(super) score: Option<f64>,
    pub(super) factors: Vec<(FactorKind, f64)>,
}

/// What one rule found.
pub(super) struct RuleResult {
    pub(super) ranked: Vec<Cand>,
    pub(super) chosen: bool,
    pub(super) weighted: bool,
    pub(super) step: Option<String>,
    pub(super) detail: String,
    pub(super) examined: usize,
    pub(super) excluded: Tally,
    /// Partners at capacity the rule's indexes left out (geo rules that check capacity).
    pub(super) skipped_full: usize,
}

/// Appends how the weighted draw went: its seed and `u = k / 2^53`.
pub(super) fn draw_detail(out: &mut String, seed: &str, k: u64) {
    let u = (k as f64) / 9_007_199_254_740_992.0;
    if !out.is_empty() {
        out.push(' ');
    }
    let _ = write!(out, "by weighted draw (seed `{seed}`, u = {u:.6})");
}

pub(super) fn round6(value: f64) -> f64 {
    (value * 1e6).round() / 1e6
}

pub(super) fn round3(value: f64) -> f64 {
    (value * 1e3).round() / 1e3
}

pub(super) fn km_label(km: f64) -> String {
    format!("ring_{km}km")
}

impl<'a> LeadRouter<'a> {
    pub(super) fn apply_rule(
        &self,
        rule: &CompiledRule<'_>,
        lead: &Lead,
        facts: &LeadFacts,
        work: &Working<'_>,
    ) -> Result<RuleResult, Error> {
        match &rule.rule.strategy {
            Strategy::GeoExpanding {
                rings_km,
                same_country,
                nearest_anywhere,
                pick,
                seed,
            } => self.geo(
                rule,
                lead,
                facts,
                work,
                rings_km,
                *same_country,
                *nearest_anywhere,
                *pick,
                seed.as_deref().unwrap_or(&rule.rule.id),
            ),
            Strategy::Fixed { partner_id } => {
                let mut excluded = Tally::new();
                let mut ranked = Vec::new();
                match self.find(partner_id) {
                    None => {
                        if let Some(count) =
                            excluded.counts.get_mut(ExclusionReason::NotListed as usize)
                        {
                            *count += 1;
                        }
                        excluded.unlisted = Some(partner_id.clone());
                    }
                    Some(index) => match self.check(rule, lead, facts, index, work, true, false) {
                        Ok(distance) => ranked.push(Cand {
                            index,
                            distance,
                            score: None,
                            factors: Vec::new(),
                        }),
                        Err(reason) => excluded.add(reason, index),
                    },
                }
                Ok(RuleResult {
                    chosen: !ranked.is_empty(),
                    ranked,
                    weighted: false,
                    step: None,
                    detail: format!("(the rule's fixed partner {partner_id})"),
                    examined: 1,
                    excluded,
                    skipped_full: 0,
                })
            }
            strategy => {
                let by_weight = matches!(strategy, Strategy::WeightedRandom { .. });
                let pool = self.pool(rule, lead);
                let mut excluded = Tally::new();
                let mut eligible = Vec::new();
                let needs_distance = matches!(strategy, Strategy::Score { factors } if factors.iter().any(|f| f.factor == FactorKind::DistanceDecay));
                for &index in &pool {
                    match self.check(rule, lead, facts, index, work, needs_distance, by_weight) {
                        Ok(distance) => eligible.push(Cand {
                            index,
                            distance,
                            score: None,
                            factors: Vec::new(),
                        }),
                        Err(reason) => excluded.add(reason, index),
                    }
                }
                let examined = pool.len();
                let (ranked, weighted, detail) = match strategy {
                    Strategy::WeightedRandom { seed } => {
                        let seed = seed.as_deref().unwrap_or(&rule.rule.id);
                        let (ranked, k) = self.draw(eligible, seed, lead)?;
                        let mut detail = String::with_capacity(48);
                        draw_detail(&mut detail, seed, k);
                        (ranked, true, detail)
                    }
                    Strategy::RoundRobin {} => {
                        let pointer = work.state.round_robin.get(rule.rule.id.as_str());
                        let (ranked, detail) =
                            self.round_robin(eligible, pointer.map(String::as_str));
                        (ranked, false, detail)
                    }
                    Strategy::LoadBalanced {} => (
                        self.load_balanced(eligible, work),
                        false,
                        "(lowest open_leads / capacity)".to_owned(),
                    ),
                    Strategy::Score { factors } => (
                        self.score(eligible, factors, lead, work),
                        false,
                        "(highest score)".to_owned(),
                    ),
                    Strategy::GeoExpanding { .. } | Strategy::Fixed { .. } => {
                        (eligible, false, String::new())
                    }
                };
                Ok(RuleResult {
                    chosen: !ranked.is_empty(),
                    ranked,
                    weighted,
                    step: None,
                    detail,
                    examined,
                    excluded,
                    skipped_full: 0,
                })
            }
        }
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "the strategy's fields, spelled out once"
    )]
    pub(super) fn geo(
        &self,
        rule: &CompiledRule<'_>,
        lead: &Lead,
        facts: &LeadFacts,
        work: &Working<'_>,
        rings: &[f64],
        same_country: bool,
        nearest_anywhere: bool,
        pick: GeoPick,
        seed: &str,
    ) -> Result<RuleResult, Error> {
        let by_weight = pick == GeoPick::Weighted;
        let mut excluded = Tally::new();
        let mut examined = 0usize;
        // Partners examined by the ring search are exactly the located ones up to this
        // squared chord; the country step does not count them twice.
        let mut examined_d2 = f64::NEG_INFINITY;
        let mut ring_found: Option<f64> = None;
        let mut candidates: Vec<Cand> = Vec::with_capacity(16);
        let mut nearest: Vec<Cand> = Vec::new();
        let use_room = rule.rule.eligibility.capacity;
        let (spatial, by_country) = if use_room {
            (
                work.room_spatial.as_ref().unwrap_or(&self.spatial),
                work.room_by_country.as_ref().unwrap_or(&self.by_country),
            )
        } else {
            (&self.spatial, &self.by_country)
        };
        if let Some(here) = lead.location {
            let origin = unit_vector(here);
            let max_distance = rule
                .rule
                .eligibility
                .max_distance_km
                .map_or(f64::INFINITY, chord2_for_km);
            // Eligible partners the padded query admitted just beyond a ring's radius.
            let mut beyond: Vec<Cand> = Vec::new();
            for &radius in rings {
                let limit = chord2_for_km(radius).min(max_distance);
                if !beyond.is_empty() {
                    let (fits, still_beyond): (Vec<Cand>, Vec<Cand>) = std::mem::take(&mut beyond)
                        .into_iter()
                        .partition(|c| c.distance.is_some_and(|d| d <= radius));
                    candidates.extend(fits);
                    beyond = still_beyond;
                }
                for (index, d2) in spatial.within(origin, limit) {
                    if d2 <= examined_d2 {
                        continue;
                    }
                    examined += 1;
                    match self.check(rule, lead, facts, index, work, true, by_weight) {
                        Err(reason) => excluded.add(reason, index),
                        Ok(distance) => {
                            let cand = Cand {
                                index,
                                distance,
                                score: None,
                                factors: Vec::new(),
                            };
                            if distance.is_some_and(|d| d <= radius) {
                                candidates.push(cand);
                            } else {
                                beyond.push(cand);
                            }
                        }
                    }
                }
                examined_d2 = examined_d2.max(limit);
                if !candidates.is_empty() {
                    ring_found = Some(radius);
                    break;
                }
                if limit >= max_distance {
                    break;
                }
            }
            if candidates.is_empty() && nearest_anywhere {
                // Beyond every ring: the nearest eligible partner anywhere, kept for the last step.
                nearest = beyond;
                let mut nearest_limit: Option<f64> = None;
                for (index, d2) in spatial.nearest(here) {
                    if d2 > max_distance || nearest_limit.is_some_and(|l| d2 > l) {
                        break;
                    }
                    if d2 <= examined_d2 {
                        continue;
                    }
                    examined += 1;
                    match self.check(rule, lead, facts, index, work, true, by_weight) {
                        Err(reason) => excluded.add(reason, index),
                        Ok(distance) => {
                            nearest_limit.get_or_insert(d2 * (1.0 + 1e-9) + 1e-15);
                            nearest.push(Cand {
                                index,
                                distance,
                                score: None,
                                factors: Vec::new(),
                            });
                        }
                    }
                }
                examined_d2 = examined_d2.max(nearest_limit.unwrap_or(max_distance));
            }
        }
        let mut step = ring_found.map(km_label);
        if candidates.is_empty() && same_country {
            if let Some(pool) = by_country.get(lead.country.as_str()) {
                let here = lead.location.map(unit_vector);
                for &index in pool {
                    let there = self.fact(index).and_then(|f| f.unit);
                    let seen = match (here, there) {
                        (Some(a), Some(b)) => chord2(a, b) <= examined_d2,
                        _ => false,
                    };
                    let first_time = !seen;
                    if first_time {
                        examined += 1;
                    }
                    match self.check(rule, lead, facts, index, work, true, by_weight) {
                        Ok(distance) => candidates.push(Cand {
                            index,
                            distance,
                            score: None,
                            factors: Vec::new(),
                        }),
                        Err(reason) if first_time => excluded.add(reason, index),
                        Err(_) => {}
                    }
                }
            }
            if !candidates.is_empty() {
                step = Some("same_country".to_owned());
            }
        }
        if candidates.is_empty() && nearest_anywhere && !nearest.is_empty() {
            nearest.sort_by(|a, b| {
                a.distance
                    .unwrap_or(f64::INFINITY)
                    .total_cmp(&b.distance.unwrap_or(f64::INFINITY))
                    .then(a.index.cmp(&b.index))
            });
            nearest.truncate(1);
            candidates = nearest;
            step = Some("nearest_anywhere".to_owned());
        }
        let mut detail = String::with_capacity(64);
        let _ = match &step {
            Some(s) if s == "same_country" => write!(detail, "in {}", lead.country),
            Some(s) if s == "nearest_anywhere" => write!(detail, "(the nearest anywhere)"),
            Some(_) => write!(detail, "within {} km", ring_found.unwrap_or(0.0)),
            None => Ok(()),
        };
        let (ranked, weighted) = match pick {
            GeoPick::Weighted => {
                let (ranked, k) = self.draw(candidates, seed, lead)?;
                draw_detail(&mut detail, seed, k);
                (ranked, true)
            }
            GeoPick::Nearest => {
                candidates.sort_by(|a, b| {
                    a.distance
                        .unwrap_or(f64::INFINITY)
                        .total_cmp(&b.distance.unwrap_or(f64::INFINITY))
                        .then(a.index.cmp(&b.index))
                });
                detail.push_str(" (nearest)");
                (candidates, false)
            }
        };
        Ok(RuleResult {
            chosen: !ranked.is_empty(),
            ranked,
            weighted,
            step,
            detail,
            examined,
            excluded,
            skipped_full: if use_room { work.full } else { 0 },
        })
    }

    /// The weighted draw over `eligible` (in partner-id order); the winner first, then by probability.
    pub(super) fn draw(
        &self,
        mut eligible: Vec<Cand>,
        seed: &str,
        lead: &Lead,
    ) -> Result<(Vec<Cand>, u64), Error> {
        eligible.sort_by_key(|c| c.index);
        let weights = eligible
            .iter()
            .map(|c| self.fact(c.index).map_or(0, |f| f.scaled_weight));
        let k = draw_position(seed, &lead.id);
        let Some(winner) = pick_from(weights, k)? else {
            return Ok((Vec::new(), k));
        };
        if winner < eligible.len() {
            let chosen = eligible.remove(winner);
            let weight = |c: &Cand| self.fact(c.index).map_or(0, |f| f.scaled_weight);
            eligible.sort_by(|a, b| weight(b).cmp(&weight(a)).then(a.index.cmp(&b.index)));
            eligible.insert(0, chosen);
        }
        let ranked = eligible;
        Ok((ranked, k))
    }

    pub(super) fn round_robin(
        &self,
        mut eligible: Vec<Cand>,
        pointer: Option<&str>,
    ) -> (Vec<Cand>, String) {
        eligible.sort_by_key(|c| c.index);
        let known = pointer.and_then(|p| self.find(p).map(|_| p));
        let start = match known {
            Some(p) => eligible
                .iter()
                .position(|c| self.partner(c.index).is_some_and(|q| q.id() > p))
                .unwrap_or(0),
            None => 0,
        };
        let start = start.min(eligible.len());
        eligible.rotate_left(start);
        let detail = match (pointer, known) {
            (Some(p), Some(_)) => format!("(next after {p})"),
            (Some(p), None) => format!("(pointer {p} is not a listed partner, so from the first)"),
            (None, _) => "(no pointer yet, so from the first)".to_owned(),
        };
        (eligible, detail)
    }

    pub(super) fn load_balanced(&self, mut eligible: Vec<Cand>, work: &Working<'_>) -> Vec<Cand> {
        let load = |c: &Cand| {
            let open = u64::from(Self::open_of(work, c.index));
            let capacity = self
                .partner(c.index)
                .and_then(|p| p.capacity)
                .map(u64::from);
            (open, capacity)
        };
        eligible.sort_by(|a, b| {
            let (oa, ca) = load(a);
            let (ob, cb) = load(b);
            // open_a / cap_a against open_b / cap_b, exactly; no capacity counts as no load.
            let ratio = match (ca, cb) {
                (Some(ca), Some(cb)) => (oa * cb).cmp(&(ob * ca)),
                (Some(_), None) => {
                    if oa == 0 {
                        std::cmp::Ordering::Equal
                    } else {
                        std::cmp::Ordering::Greater
                    }
                }
                (None, Some(_)) => {
                    if ob == 0 {
                        std::cmp::Ordering::Equal
                    } else {
                        std::cmp::Ordering::Less
                    }
                }
                (None, None) => std::cmp::Ordering::Equal,
            };
            ratio.then(oa.cmp(&ob)).then(a.index.cmp(&b.index))
        });
        eligible
    }

    pub(super) fn score(
        &self,
        mut eligible: Vec<Cand>,
        factors: &[ScoreFactor],
        lead: &Lead,
        work: &Working<'_>,
    ) -> Vec<Cand> {
        for cand in &mut eligible {
            let Some(partner) = self.partner(cand.index) else {
                continue;
            };
            let fact = self.fact(cand.index);
            let mut total = 0.0;
            for factor in factors {
                let value = self.factor_value(factor, partner, fact, cand, lead, work);
                let weight: f64 = factor.weight.to_string().parse().unwrap_or(0.0);
                total += weight * value;
                cand.factors.push((factor.factor, round6(value)));
            }
            cand.score = Some(round6(total));
        }
        eligible.sort_by(|a, b| {
            b.score
                .unwrap_or(0.0)
                .total_cmp(&a.score.unwrap_or(0.0))
                .then(a.index.cmp(&b.index))
        });
        eligible
    }

    pub(super) fn factor_value(
        &self,
        factor: &ScoreFactor,
        partner: &RoutingPartner,
        fact: Option<&PartnerFacts>,
        cand: &Cand,
        lead: &Lead,
        work: &Working<'_>,
    ) -> f64 {
        let rate = |r: Option<crate::money::Rate>| {
            r.and_then(|r| r.fraction().to_string().parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        match factor.factor {
            FactorKind::TierRank => match (fact.and_then(|f| f.tier_rank), self.max_rank) {
                (Some(rank), max) if max > 0 => f64::from(rank) / f64::from(max),
                _ => 0.0,
            },
            FactorKind::ConversionRate => rate(partner.stats.conversion_rate),
            FactorKind::AcceptanceRate => rate(partner.stats.acceptance_rate),
            FactorKind::DistanceDecay => {
                let scale = factor.scale_km.unwrap_or(50.0);
                cand.distance.map_or(0.0, |d| 1.0 / (1.0 + d / scale))
            }
            FactorKind::SpecializationMatch => match &lead.industry {
                Some(industry) if partner.partner.specializations.contains(industry) => 1.0,
                _ => 0.0,
            },
            FactorKind::CapacityHeadroom => match partner.capacity {
                None => 1.0,
                Some(0) => 0.0,
                Some(capacity) => {
                    let open = f64::from(Self::open_of(work, cand.index));
                    (1.0 - open / f64::from(capacity)).max(0.0)
                }
            },
            FactorKind::ResponseTime => {
                let scale = factor.scale_hours.unwrap_or(24.0);
                partner
                    .stats
                    .average_response_hours
                    .and_then(|h| h.to_string().parse::<f64>().ok())
                    .map_or(0.0, |h| 1.0 / (1.0 + h / scale))
            }
        }
    }
}
