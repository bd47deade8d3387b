//! [`LeadRouter`]: rules, eligibility and strategies applied to leads.

use super::config::{DefaultRoute, RoutingConfig, RoutingRule, Strategy};
use super::decision::{
    Candidate, ExclusionCounts, ExclusionReason, Exclusions, Routed, RoutedBatch, RoutingDecision,
    RoutingOutcome, RuleAttempt,
};
use super::draw::scale_one;
use super::geo::{SpatialIndex, unit_vector};
use super::lead::{LEAD_FIELDS, Lead};
use super::partner::RoutingPartner;
use super::state::RoutingState;
use super::strategy::{RuleResult, round3};
use super::tally::Tally;
use super::vocabulary::{Vocabulary, Wanted};
use crate::condition::CompiledCondition;
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use crate::explain::{Explanation, Outcome, Step};
use crate::money::{Decimal, RoundingMode};
use crate::partner::{Location, PartnerStatus};
use crate::program::Program;
use std::collections::{BTreeMap, HashMap};

/// Routes leads for one program over one list of partners.
///
/// Building a router validates the partners and indexes them once: an R*-tree
/// over their coordinates for distance rings and nearest queries, and
/// country and territory lists for the other strategies, so routing a lead
/// never scans every partner. Build it once per batch.
#[derive(Debug)]
pub struct LeadRouter<'a> {
    pub(super) config: &'a RoutingConfig,
    pub(super) currency: crate::money::Currency,
    pub(super) partners: Vec<&'a RoutingPartner>,
    pub(super) facts: Vec<PartnerFacts>,
    pub(super) vocabularies: Vocabularies<'a>,
    pub(super) ids: HashMap<&'a str, u32>,
    /// Every partner id, back to back, for cache-friendly copies into decisions.
    pub(super) id_text: String,
    pub(super) id_ends: Vec<usize>,
    pub(super) rules: Vec<CompiledRule<'a>>,
    pub(super) spatial: SpatialIndex,
    pub(super) base_open: Vec<u32>,
    pub(super) by_country: HashMap<&'a str, Vec<u32>>,
    pub(super) territory_country: HashMap<&'a str, Vec<u32>>,
    pub(super) territory_region: HashMap<&'a str, Vec<u32>>,
    pub(super) max_rank: u32,
}

#[derive(Debug)]
pub(super) struct PartnerFacts {
    pub(super) tier_rank: Option<u32>,
    pub(super) weight: Decimal,
    pub(super) scaled_weight: u128,
    pub(super) status: PartnerStatus,
    pub(super) capacity: Option<u32>,
    pub(super) location: Option<Location>,
    pub(super) unit: Option<[f64; 3]>,
    pub(super) paused: bool,
    pub(super) products: u64,
    pub(super) languages: u64,
    pub(super) specializations: u64,
    pub(super) certifications: u64,
}

/// The partners' words, interned once so checks compare bits.
#[derive(Debug, Default)]
pub(super) struct Vocabularies<'a> {
    pub(super) products: Vocabulary<'a>,
    pub(super) languages: Vocabulary<'a>,
    pub(super) specializations: Vocabulary<'a>,
    pub(super) certifications: Vocabulary<'a>,
}

#[derive(Debug)]
pub(super) struct CompiledRule<'a> {
    pub(super) rule: &'a RoutingRule,
    pub(super) condition: CompiledCondition,
    pub(super) min_rank: Option<u32>,
    pub(super) specializations: Wanted,
    pub(super) certifications: Wanted,
}

/// The running state of a batch.
///
/// Rules that check capacity search `room_spatial` and `room_by_country`:
/// the router's indexes without the partners at capacity, which are removed
/// as they fill up, so a crowded batch never wades through full partners.
/// `None` means "the same as the router's" (nobody is full yet).
pub(super) struct Working<'a> {
    pub(super) open: Vec<u32>,
    /// Partners assigned a lead; their counts go into the state at the end.
    pub(super) touched: Vec<u32>,
    pub(super) state: RoutingState,
    pub(super) room_spatial: Option<SpatialIndex>,
    pub(super) room_by_country: Option<HashMap<&'a str, Vec<u32>>>,
    pub(super) full: usize,
}

impl<'a> LeadRouter<'a> {
    /// Validates `partners` against the program and indexes them.
    ///
    /// Problems are reported with the paths of the `routing.route` request:
    /// `$.program.routing` and `$.partners[i]`.
    ///
    /// # Errors
    ///
    /// * `missing_field` at `$.program.routing` when the program has no routing section;
    /// * everything [`RoutingPartner::validate`] reports;
    /// * `duplicate_id` for two partners with one id;
    /// * `unknown_reference` for a partner tier the ladder lacks;
    /// * `overflow` for lead weights too large to draw exactly.
    ///
    /// # Example
    ///
    /// ```
    /// use prm_core::routing::{LeadRouter, RoutingState};
    /// let sample = prm_core::sample::quarter();
    /// let program = prm_core::Program::from_value(&sample.program)?;
    /// let router = LeadRouter::new(&program, &sample.routing_partners)?;
    /// let routed = router.route(&sample.leads[0], &RoutingState::default())?;
    /// assert_eq!(routed.decision.lead_id, sample.leads[0].id);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(
        program: &'a Program,
        partners: &'a [RoutingPartner],
    ) -> Result<LeadRouter<'a>, Error> {
        let Some(config) = program.routing() else {
            return Err(Error::problem(
                Problem::new(
                    ErrorCode::MissingField,
                    JsonPath::root().key("program").key("routing"),
                )
                .message("the program has no `routing` section")
                .help("add `routing` with at least one rule"),
            ));
        };
        let tiers = program.tiers();
        let mut problems = Problems::new();
        let list = JsonPath::root().key("partners");
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, partner) in partners.iter().enumerate() {
            let at = list.index(i);
            problems.take(partner.validate(&at));
            if let Some(first) = seen.insert(partner.id(), i) {
                problems.push(
                    Problem::new(ErrorCode::DuplicateId, at.key("partner").key("id")).message(
                        format!(
                            "partner id `{}` is also used by partners[{first}]",
                            partner.id()
                        ),
                    ),
                );
            }
            if let Some(tier) = &partner.tier {
                match tiers {
                    Some(ladder) => {
                        problems.take(ladder.check_reference(tier, &at.key("tier")));
                    }
                    None => problems.push(
                        Problem::new(ErrorCode::UnknownReference, at.key("tier"))
                            .message(format!("unknown tier `{tier}`: the program has no tiers")),
                    ),
                }
            }
        }
        problems.into_result(())?;

        let mut sorted: Vec<&'a RoutingPartner> = partners.iter().collect();
        sorted.sort_by(|a, b| a.id().cmp(b.id()));
        let weights: Vec<Decimal> = sorted
            .iter()
            .map(|p| {
                p.lead_weight
                    .or_else(|| {
                        p.tier
                            .as_deref()
                            .and_then(|t| tiers.and_then(|l| l.benefits(t)))
                            .and_then(|b| b.lead_weight)
                    })
                    .unwrap_or(Decimal::ONE)
            })
            .collect();
        let scale = weights.iter().map(|w| w.value().scale()).max().unwrap_or(0);
        let mut vocabularies = Vocabularies::default();
        for partner in &sorted {
            let profile = &partner.partner;
            profile
                .products
                .iter()
                .for_each(|w| vocabularies.products.learn(w));
            profile
                .languages
                .iter()
                .for_each(|w| vocabularies.languages.learn(w));
            profile
                .specializations
                .iter()
                .for_each(|w| vocabularies.specializations.learn(w));
            partner
                .certifications
                .iter()
                .for_each(|w| vocabularies.certifications.learn(w));
        }
        let mut facts = Vec::with_capacity(sorted.len());
        for (partner, weight) in sorted.iter().zip(weights) {
            let profile = &partner.partner;
            facts.push(PartnerFacts {
                tier_rank: partner
                    .tier
                    .as_deref()
                    .and_then(|t| tiers.and_then(|l| l.tier(t)))
                    .map(|t| t.rank),
                weight,
                scaled_weight: scale_one(weight, scale)?,
                status: profile.status,
                capacity: partner.capacity,
                location: profile.location,
                unit: profile.location.map(unit_vector),
                paused: !partner.paused.is_empty(),
                products: vocabularies.products.mask(&profile.products),
                languages: vocabularies.languages.mask(&profile.languages),
                specializations: vocabularies.specializations.mask(&profile.specializations),
                certifications: vocabularies.certifications.mask(&partner.certifications),
            });
        }
        let ids: HashMap<&'a str, u32> = sorted
            .iter()
            .enumerate()
            .filter_map(|(i, p)| Some((p.id(), u32::try_from(i).ok()?)))
            .collect();
        let max_rank = tiers.and_then(|l| l.by_rank().last()).map_or(0, |t| t.rank);

        let mut rules: Vec<CompiledRule<'a>> = Vec::with_capacity(config.rules.len());
        let rules_path = JsonPath::root().key("program").key("routing").key("rules");
        for (i, rule) in config.rules.iter().enumerate() {
            let condition = match &rule.condition {
                Some(c) => c.compile(&LEAD_FIELDS, &rules_path.index(i).key("condition"))?,
                None => CompiledCondition::always(),
            };
            let min_rank = rule
                .eligibility
                .min_tier
                .as_deref()
                .and_then(|t| tiers.and_then(|l| l.tier(t)))
                .map(|t| t.rank);
            rules.push(CompiledRule {
                rule,
                condition,
                min_rank,
                specializations: vocabularies
                    .specializations
                    .wanted(&rule.eligibility.specializations),
                certifications: vocabularies
                    .certifications
                    .wanted(&rule.eligibility.certifications),
            });
        }
        rules.sort_by_key(|r| r.rule.priority);

        let mut by_country: HashMap<&'a str, Vec<u32>> = HashMap::new();
        let mut territory_country: HashMap<&'a str, Vec<u32>> = HashMap::new();
        let mut territory_region: HashMap<&'a str, Vec<u32>> = HashMap::new();
        let mut located = Vec::new();
        for (i, partner) in sorted.iter().enumerate() {
            let index = u32::try_from(i).map_err(|_| {
                Error::LimitExceeded(vec![
                    Problem::new(ErrorCode::LimitExceeded, list.clone())
                        .message("more partners than routing can index"),
                ])
            })?;
            by_country
                .entry(partner.partner.country.as_str())
                .or_default()
                .push(index);
            if partner.territory.is_empty() {
                territory_country
                    .entry(partner.partner.country.as_str())
                    .or_default()
                    .push(index);
            }
            for area in &partner.territory {
                match (&area.country, &area.region) {
                    (Some(country), _) => territory_country.entry(country.as_str()).or_default(),
                    (None, Some(region)) => territory_region.entry(region.as_str()).or_default(),
                    (None, None) => continue,
                }
                .push(index);
            }
            if let Some(location) = partner.partner.location {
                located.push((index, location));
            }
        }
        for lists in [&mut territory_country, &mut territory_region] {
            for indices in lists.values_mut() {
                indices.dedup();
            }
        }
        let base_open = sorted.iter().map(|p| p.open_leads).collect();
        let mut id_text = String::new();
        let mut id_ends = Vec::with_capacity(sorted.len());
        for partner in &sorted {
            id_text.push_str(partner.id());
            id_ends.push(id_text.len());
        }
        Ok(LeadRouter {
            config,
            currency: program.currency(),
            partners: sorted,
            facts,
            vocabularies,
            ids,
            id_text,
            id_ends,
            rules,
            spatial: SpatialIndex::new(located.into_iter()),
            base_open,
            by_country,
            territory_country,
            territory_region,
            max_rank,
        })
    }

    /// Routes one lead.
    ///
    /// # Errors
    ///
    /// The lead's problems ([`Lead::validate`]) under `$.lead`; `overflow` in the weighted draw.
    ///
    /// # Example: the state carries the round-robin cursor to the next call
    ///
    /// ```
    /// use prm_core::routing::{LeadRouter, RoutingState};
    /// let sample = prm_core::sample::quarter();
    /// let program = prm_core::Program::from_value(&sample.program)?;
    /// let router = LeadRouter::new(&program, &sample.routing_partners)?;
    /// let first = router.route(&sample.leads[0], &RoutingState::default())?;
    /// // The host stores `first.state` and passes it to the next call.
    /// let again = router.route(&sample.leads[0], &first.state)?;
    /// assert_eq!(first.decision.lead_id, again.decision.lead_id);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn route(&self, lead: &Lead, state: &RoutingState) -> Result<Routed, Error> {
        lead.validate(&JsonPath::root().key("lead"), self.currency())?;
        let mut work = self.working(state);
        let decision = self.route_one(lead, &mut work)?;
        Ok(Routed {
            decision,
            state: self.finish(work),
        })
    }

    /// Routes leads in order, threading the state from each to the next.
    ///
    /// # Errors
    ///
    /// Every lead's problems under `$.leads[i]`; `overflow` in the weighted draw.
    ///
    /// # Properties
    ///
    /// Routing a batch gives the same decisions and state as routing its leads
    /// one by one with the state each returns (`prop_batch_equals_one_by_one`);
    /// no partner passes its capacity (`prop_batch_never_exceeds_capacity`).
    ///
    /// # Example
    ///
    /// ```
    /// use prm_core::routing::{LeadRouter, RoutingState};
    /// let sample = prm_core::sample::quarter();
    /// let program = prm_core::Program::from_value(&sample.program)?;
    /// let router = LeadRouter::new(&program, &sample.routing_partners)?;
    /// let batch = router.route_batch(&sample.leads, &RoutingState::default())?;
    /// assert_eq!(batch.decisions.len(), sample.leads.len());
    /// // Decisions come back in the leads' order.
    /// assert_eq!(batch.decisions[0].lead_id, sample.leads[0].id);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn route_batch(&self, leads: &[Lead], state: &RoutingState) -> Result<RoutedBatch, Error> {
        let mut problems = Problems::new();
        let list = JsonPath::root().key("leads");
        for (i, lead) in leads.iter().enumerate() {
            problems.take(lead.validate(&list.index(i), self.currency()));
        }
        problems.into_result(())?;
        let mut work = self.working(state);
        let mut decisions = Vec::with_capacity(leads.len());
        for lead in leads {
            decisions.push(self.route_one(lead, &mut work)?);
        }
        Ok(RoutedBatch {
            decisions,
            state: self.finish(work),
        })
    }

    pub(super) fn currency(&self) -> crate::money::Currency {
        self.currency
    }

    pub(super) fn working(&self, state: &RoutingState) -> Working<'a> {
        let mut open = self.base_open.clone();
        for (id, count) in &state.open_leads {
            if let Some(slot) = self.find(id).and_then(|i| open.get_mut(i as usize)) {
                *slot = *count;
            }
        }
        let is_full = |i: usize| {
            let capacity = self.facts.get(i).and_then(|f| f.capacity);
            capacity.is_some_and(|c| open.get(i).copied().unwrap_or(0) >= c)
        };
        let full: Vec<u32> = (0..self.facts.len())
            .filter(|i| is_full(*i))
            .filter_map(|i| u32::try_from(i).ok())
            .collect();
        let (room_spatial, room_by_country) = if full.is_empty() {
            (None, None)
        } else {
            let located = self.facts.iter().enumerate().filter_map(|(i, f)| {
                let location = f.location?;
                let index = u32::try_from(i).ok()?;
                (!is_full(i)).then_some((index, location))
            });
            let mut by_country = self.by_country.clone();
            for list in by_country.values_mut() {
                list.retain(|i| full.binary_search(i).is_err());
            }
            (Some(SpatialIndex::new(located)), Some(by_country))
        };
        Working {
            open,
            touched: Vec::new(),
            state: state.clone(),
            room_spatial,
            room_by_country,
            full: full.len(),
        }
    }

    /// The state after a call: the input state with every assigned partner's new count.
    pub(super) fn finish(&self, mut work: Working<'a>) -> RoutingState {
        work.touched.sort_unstable();
        work.touched.dedup();
        for index in work.touched {
            let (Some(id), Some(count)) = (self.id(index), work.open.get(index as usize)) else {
                continue;
            };
            work.state.open_leads.insert(id.to_owned(), *count);
        }
        work.state
    }

    pub(super) fn partner(&self, index: u32) -> Option<&'a RoutingPartner> {
        self.partners.get(index as usize).copied()
    }

    /// Partner `index`'s id, from the packed copy.
    pub(super) fn id(&self, index: u32) -> Option<&str> {
        let i = index as usize;
        let end = *self.id_ends.get(i)?;
        let start = match i.checked_sub(1) {
            Some(before) => *self.id_ends.get(before)?,
            None => 0,
        };
        self.id_text.get(start..end)
    }

    pub(super) fn find(&self, id: &str) -> Option<u32> {
        self.ids.get(id).copied()
    }

    pub(super) fn fact(&self, index: u32) -> Option<&PartnerFacts> {
        self.facts.get(index as usize)
    }

    pub(super) fn open_of(work: &Working<'_>, index: u32) -> u32 {
        work.open.get(index as usize).copied().unwrap_or(0)
    }

    pub(super) fn route_one(
        &self,
        lead: &Lead,
        work: &mut Working<'a>,
    ) -> Result<RoutingDecision, Error> {
        let mut explanation = Explanation::new();
        let mut attempts = Vec::new();
        let mut all_excluded = Tally::new();
        let mut any_matched = false;
        let lead_facts = self.lead_facts(lead);
        for rule in &self.rules {
            let id = rule.rule.id.as_str();
            let step_name = format!("routing.rule.{id}");
            if !rule.condition.evaluate(lead) {
                attempts.push(RuleAttempt {
                    rule: id.to_owned(),
                    condition_met: false,
                    examined: 0,
                    eligible: 0,
                    excluded: BTreeMap::new(),
                    skipped_at_capacity: 0,
                });
                explanation.push(Step::new(
                    step_name,
                    Outcome::Skipped,
                    "the lead does not meet the rule's condition",
                ));
                continue;
            }
            any_matched = true;
            let result = self.apply_rule(rule, lead, &lead_facts, work)?;
            attempts.push(RuleAttempt {
                rule: id.to_owned(),
                condition_met: true,
                examined: result.examined,
                eligible: result.ranked.len(),
                excluded: result.excluded.numbers(),
                skipped_at_capacity: result.skipped_full,
            });
            let chosen = result.ranked.first().filter(|_| result.chosen).cloned();
            let Some(winner) = chosen else {
                explanation.push(
                    Step::new(
                        step_name,
                        Outcome::Failed,
                        format!(
                            "no eligible partner among {} examined (excluded: {}){}",
                            result.examined,
                            result.excluded.summary(),
                            if result.skipped_full > 0 {
                                format!(
                                    "; {} partners at capacity not examined",
                                    result.skipped_full
                                )
                            } else {
                                String::new()
                            }
                        ),
                    )
                    .value("strategy", rule.rule.strategy.kind().as_str()),
                );
                all_excluded.merge(&result.excluded);
                continue;
            };
            let partner_id = self
                .partner(winner.index)
                .map(|_| self.id(winner.index).unwrap_or_default().to_owned())
                .unwrap_or_default();
            explanation.push(Step::new(
                step_name,
                Outcome::Applied,
                format!(
                    "{} picked {partner_id} from {} candidate{} {}",
                    rule.rule.strategy.kind().as_str(),
                    result.ranked.len(),
                    if result.ranked.len() == 1 { "" } else { "s" },
                    result.detail
                ),
            ));
            let candidates = self.candidates(&result, work)?;
            self.assign(winner.index, work)?;
            if matches!(rule.rule.strategy, Strategy::RoundRobin {}) {
                work.state
                    .round_robin
                    .insert(id.to_owned(), partner_id.clone());
            }
            return Ok(RoutingDecision {
                lead_id: lead.id.clone(),
                outcome: RoutingOutcome::Assigned,
                partner_id: Some(partner_id),
                rule: Some(id.to_owned()),
                strategy: Some(rule.rule.strategy.kind()),
                step: result.step,
                reason: None,
                candidate_count: result.ranked.len(),
                candidates,
                excluded: self.exclusions(&result.excluded),
                rules: attempts,
                explanation,
            });
        }
        let why = if any_matched {
            "no eligible partner under any rule whose condition the lead meets"
        } else {
            "the lead meets no rule's condition"
        };
        let (outcome, partner_id, reason) = match &self.config.default {
            DefaultRoute::HouseAccount { partner_id } => {
                if let Some(index) = self.find(partner_id) {
                    self.assign(index, work)?;
                }
                explanation.push(
                    Step::new(
                        "routing.default",
                        Outcome::Applied,
                        format!("{why}; the lead goes to the house account"),
                    )
                    .value("partner", partner_id),
                );
                (
                    RoutingOutcome::HouseAccount,
                    Some(partner_id.clone()),
                    why.to_owned(),
                )
            }
            DefaultRoute::Unassigned { reason } => {
                let reason = reason.clone().unwrap_or_else(|| why.to_owned());
                explanation.push(Step::new(
                    "routing.default",
                    Outcome::Applied,
                    format!("{why}; the lead stays unassigned"),
                ));
                (RoutingOutcome::Unassigned, None, reason)
            }
        };
        Ok(RoutingDecision {
            lead_id: lead.id.clone(),
            outcome,
            partner_id,
            rule: None,
            strategy: None,
            step: None,
            reason: Some(reason),
            candidates: Vec::new(),
            candidate_count: 0,
            excluded: self.exclusions(&all_excluded),
            rules: attempts,
            explanation,
        })
    }

    /// The exclusions as the decision shows them, with partner ids as examples.
    pub(super) fn exclusions(&self, tally: &Tally) -> ExclusionCounts {
        let mut out = ExclusionCounts::new();
        for ((reason, count), examples) in ExclusionReason::ALL
            .iter()
            .zip(tally.counts)
            .zip(&tally.examples)
        {
            if count == 0 {
                continue;
            }
            let mut ids: Vec<String> = examples
                .iter()
                .filter_map(|i| self.id(*i).map(str::to_owned))
                .collect();
            if *reason == ExclusionReason::NotListed
                && let Some(id) = &tally.unlisted
            {
                ids.push(id.clone());
            }
            out.insert(
                *reason,
                Exclusions {
                    count,
                    examples: ids,
                },
            );
        }
        out
    }

    pub(super) fn assign(&self, index: u32, work: &mut Working<'a>) -> Result<(), Error> {
        let Some(slot) = work.open.get_mut(index as usize) else {
            return Ok(());
        };
        *slot = slot.checked_add(1).ok_or_else(|| {
            Error::overflow(
                JsonPath::root().key("state").key("open_leads"),
                "open leads",
            )
        })?;
        let count = *slot;
        let Some(partner) = self.partner(index) else {
            return Ok(());
        };
        work.touched.push(index);
        if partner.capacity == Some(count) {
            // Just filled up: take it out of the indexes that rules checking capacity search.
            work.full += 1;
            if let Some(location) = partner.partner.location {
                work.room_spatial
                    .get_or_insert_with(|| self.spatial.clone())
                    .remove(index, location);
            }
            let lists = work
                .room_by_country
                .get_or_insert_with(|| self.by_country.clone());
            if let Some(list) = lists.get_mut(partner.partner.country.as_str())
                && let Ok(at) = list.binary_search(&index)
            {
                list.remove(at);
            }
        }
        Ok(())
    }

    /// The decision's candidate list: ranks, and weights and probabilities for draws.
    pub(super) fn candidates(
        &self,
        result: &RuleResult,
        work: &Working<'_>,
    ) -> Result<Vec<Candidate>, Error> {
        let total = if result.weighted {
            let mut sum = Decimal::ZERO;
            for cand in &result.ranked {
                let weight = self.fact(cand.index).map_or(Decimal::ZERO, |f| f.weight);
                sum = sum.checked_add(weight).ok_or_else(|| {
                    Error::overflow(JsonPath::root().key("partners"), "the sum of lead weights")
                })?;
            }
            Some(sum)
        } else {
            None
        };
        let limit = self.config.max_candidates as usize;
        let mut out = Vec::with_capacity(result.ranked.len().min(limit));
        for (rank, cand) in result.ranked.iter().take(limit).enumerate() {
            let Some(partner) = self.partner(cand.index) else {
                continue;
            };
            let weight = self.fact(cand.index).map(|f| f.weight);
            let probability = match (total, weight) {
                (Some(total), Some(weight)) if !total.is_zero() => weight
                    .checked_div(total)
                    .map(|p| Decimal::new(RoundingMode::HalfEven.round(p, 6).value().normalize())),
                _ => None,
            };
            out.push(Candidate {
                partner_id: self.id(cand.index).unwrap_or_default().to_owned(),
                rank: u32::try_from(rank + 1).unwrap_or(u32::MAX),
                weight: if result.weighted { weight } else { None },
                probability,
                score: cand.score,
                factors: cand
                    .factors
                    .iter()
                    .map(|(kind, value)| (kind.as_str().to_owned(), *value))
                    .collect::<BTreeMap<String, f64>>(),
                distance_km: cand.distance.map(round3),
                open_leads: Self::open_of(work, cand.index),
                capacity: partner.capacity,
            });
        }
        Ok(out)
    }
}

/// Routes one lead for `program` over `partners`, with the state of earlier calls.
///
/// Rules are tried by ascending priority. The first whose condition the lead
/// meets and that finds an eligible partner assigns it; otherwise the
/// program's default applies. The decision lists the ranked candidates, the
/// exclusions by reason, every rule tried, and an explanation; the returned
/// state counts the new open lead and advances the round-robin pointer.
///
/// # Errors
///
/// Everything [`LeadRouter::new`] and [`LeadRouter::route`] report.
///
/// # Example
///
/// ```
/// use prm_core::routing::{route, Lead, RoutingPartner, RoutingState};
/// let program = prm_core::Program::from_json(r#"{"schema_version": 1, "currency": "EUR",
///   "routing": {"rules": [{"id": "rr", "strategy": {"kind": "round_robin"}}]}}"#)?;
/// let partners: Vec<RoutingPartner> = serde_json::from_str(r#"[
///   {"partner": {"id": "p1", "name": "One", "kind": "reseller", "status": "active", "country": "DE"}},
///   {"partner": {"id": "p2", "name": "Two", "kind": "reseller", "status": "active", "country": "DE"}}]"#)?;
/// let lead: Lead = serde_json::from_str(r#"{"id": "L1", "created_at": "2026-01-05T09:00:00Z", "country": "DE"}"#)?;
/// let first = route(&program, &partners, &lead, &RoutingState::default())?;
/// assert_eq!(first.decision.partner_id.as_deref(), Some("p1"));
/// let second = route(&program, &partners, &lead, &first.state)?;
/// assert_eq!(second.decision.partner_id.as_deref(), Some("p2"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Example: a declined lead skips the partner who declined
///
/// ```
/// use prm_core::routing::{route, Lead, RoutingPartner, RoutingState};
/// let program = prm_core::Program::from_json(r#"{"schema_version": 1, "currency": "EUR",
///   "routing": {"rules": [{"id": "lb", "strategy": {"kind": "load_balanced"}}]}}"#)?;
/// let partners: Vec<RoutingPartner> = serde_json::from_str(r#"[
///   {"partner": {"id": "p1", "name": "One", "kind": "reseller", "status": "active", "country": "DE"}},
///   {"partner": {"id": "p2", "name": "Two", "kind": "reseller", "status": "active", "country": "DE"}}]"#)?;
/// let lead: Lead = serde_json::from_str(
///     r#"{"id": "L1", "created_at": "2026-01-05T09:00:00Z", "country": "DE", "declined_by": ["p1"]}"#)?;
/// let routed = route(&program, &partners, &lead, &RoutingState::default())?;
/// assert_eq!(routed.decision.partner_id.as_deref(), Some("p2"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn route(
    program: &Program,
    partners: &[RoutingPartner],
    lead: &Lead,
    state: &RoutingState,
) -> Result<Routed, Error> {
    LeadRouter::new(program, partners)?.route(lead, state)
}

/// Routes `leads` in order, threading the state; equal to routing them one by one.
///
/// # Errors
///
/// Everything [`LeadRouter::new`] and [`LeadRouter::route_batch`] report.
///
/// # Example
///
/// ```
/// use prm_core::routing::{route_batch, RoutingState};
/// let sample = prm_core::sample::quarter();
/// let program = prm_core::Program::from_value(&sample.program)?;
/// let batch = route_batch(&program, &sample.routing_partners, &sample.leads, &RoutingState::default())?;
/// assert_eq!(batch.decisions.len(), sample.leads.len());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn route_batch(
    program: &Program,
    partners: &[RoutingPartner],
    leads: &[Lead],
    state: &RoutingState,
) -> Result<RoutedBatch, Error> {
    LeadRouter::new(program, partners)?.route_batch(leads, state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::{RoutingOutcome, StrategyKind, haversine_km};
    use proptest::prelude::*;
    use serde_json::{Value, json};

    pub(super) fn program(rules: Value) -> Program {
        program_with(rules, json!({"kind": "unassigned"}))
    }

    pub(super) fn program_with(rules: Value, default: Value) -> Program {
        Program::from_value(&json!({
            "schema_version": 1, "currency": "EUR",
            "tiers": {"tiers": [
                {"id": "registered", "name": "Registered", "rank": 0, "benefits": {"lead_weight": "0"}},
                {"id": "silver", "name": "Silver", "rank": 1, "benefits": {"lead_weight": "1"}},
                {"id": "gold", "name": "Gold", "rank": 2, "benefits": {"lead_weight": "3"}}]},
            "routing": {"rules": rules, "default": default}
        }))
        .unwrap()
    }

    pub(super) fn partner(id: &str, extra: Value) -> RoutingPartner {
        let mut value = json!({"partner": {"id": id, "name": id, "kind": "reseller",
            "status": "active", "country": "DE"}});
        if let (Some(obj), Some(more)) = (value.as_object_mut(), extra.as_object()) {
            for (k, v) in more {
                if k == "profile" {
                    if let (Some(p), Some(extra)) = (
                        obj.get_mut("partner").and_then(Value::as_object_mut),
                        v.as_object(),
                    ) {
                        p.extend(extra.clone());
                    }
                } else {
                    obj.insert(k.clone(), v.clone());
                }
            }
        }
        serde_json::from_value(value).unwrap()
    }

    pub(super) fn lead(id: &str, extra: Value) -> Lead {
        let mut value = json!({"id": id, "created_at": "2026-01-05T09:00:00Z", "country": "DE"});
        if let (Some(obj), Some(more)) = (value.as_object_mut(), extra.as_object()) {
            obj.extend(more.clone());
        }
        serde_json::from_value(value).unwrap()
    }

    pub(super) fn one(
        program: &Program,
        partners: &[RoutingPartner],
        lead: &Lead,
        state: &RoutingState,
    ) -> Routed {
        route(program, partners, lead, state).unwrap()
    }

    const BUDAPEST: Value = Value::Null;

    pub(super) fn budapest() -> Value {
        json!({"lat": 47.4979, "lon": 19.0402})
    }

    pub(super) fn vienna() -> Value {
        json!({"lat": 48.2082, "lon": 16.3738})
    }

    #[test]
    pub(super) fn round_robin_skips_partner_at_capacity_and_wraps() {
        // DOMAIN.md §3: pointer p2, p3 at capacity: the lead goes to p1 and the pointer becomes p1.
        let program = program(json!([{"id": "rr", "strategy": {"kind": "round_robin"}}]));
        let partners = [
            partner("p1", json!({})),
            partner("p2", json!({})),
            partner("p3", json!({"capacity": 2, "open_leads": 2})),
        ];
        let state: RoutingState =
            serde_json::from_value(json!({"round_robin": {"rr": "p2"}})).unwrap();
        let routed = one(&program, &partners, &lead("L1", json!({})), &state);
        assert_eq!(routed.decision.partner_id.as_deref(), Some("p1"));
        assert_eq!(
            routed.state.round_robin.get("rr").map(String::as_str),
            Some("p1")
        );
        assert_eq!(
            routed
                .decision
                .excluded
                .get(&ExclusionReason::AtCapacity)
                .map(|e| e.count),
            Some(1)
        );
        assert_eq!(routed.state.open_leads.get("p1"), Some(&1));
    }

    #[test]
    pub(super) fn round_robin_unknown_pointer_starts_from_the_first() {
        let program = program(json!([{"id": "rr", "strategy": {"kind": "round_robin"}}]));
        let partners = [partner("p1", json!({})), partner("p2", json!({}))];
        let state: RoutingState =
            serde_json::from_value(json!({"round_robin": {"rr": "gone"}})).unwrap();
        let routed = one(&program, &partners, &lead("L1", json!({})), &state);
        assert_eq!(routed.decision.partner_id.as_deref(), Some("p1"));
    }

    #[test]
    pub(super) fn geo_ring_boundary_budapest_vienna() {
        // DOMAIN.md §3: Vienna is 214 km from Budapest: outside a 100 km ring, inside a 250 km ring.
        let _ = BUDAPEST;
        let partners = [partner(
            "vie",
            json!({"profile": {"location": vienna(), "country": "AT"}}),
        )];
        let lead = lead("L1", json!({"country": "HU", "location": budapest()}));
        let near = program(
            json!([{"id": "geo", "strategy": {"kind": "geo_expanding", "rings_km": [100]}}]),
        );
        let routed = one(&near, &partners, &lead, &RoutingState::default());
        assert_eq!(routed.decision.outcome, RoutingOutcome::Unassigned);
        let wide = program(
            json!([{"id": "geo", "strategy": {"kind": "geo_expanding", "rings_km": [100, 250]}}]),
        );
        let routed = one(&wide, &partners, &lead, &RoutingState::default());
        assert_eq!(routed.decision.partner_id.as_deref(), Some("vie"));
        assert_eq!(routed.decision.step.as_deref(), Some("ring_250km"));
        let d = routed.decision.candidates[0].distance_km.unwrap();
        assert!((d - 214.0).abs() < 1.0, "{d}");
    }

    #[test]
    pub(super) fn partner_exactly_on_the_ring_is_inside() {
        let partners = [partner(
            "vie",
            json!({"profile": {"location": vienna(), "country": "AT"}}),
        )];
        let lead = lead("L1", json!({"country": "HU", "location": budapest()}));
        let exact = haversine_km(
            Location {
                lat: 47.4979,
                lon: 19.0402,
            },
            Location {
                lat: 48.2082,
                lon: 16.3738,
            },
        );
        let program = program(
            json!([{"id": "geo", "strategy": {"kind": "geo_expanding", "rings_km": [exact]}}]),
        );
        let routed = one(&program, &partners, &lead, &RoutingState::default());
        assert_eq!(routed.decision.partner_id.as_deref(), Some("vie"));
    }

    use crate::partner::Location;

    #[test]
    pub(super) fn partner_without_coordinates_only_matches_the_country_step() {
        let partners = [partner("nowhere", json!({"profile": {"country": "HU"}}))];
        let lead = lead("L1", json!({"country": "HU", "location": budapest()}));
        let rings = program(
            json!([{"id": "geo", "strategy": {"kind": "geo_expanding", "rings_km": [100, 250], "nearest_anywhere": true}}]),
        );
        assert_eq!(
            one(&rings, &partners, &lead, &RoutingState::default())
                .decision
                .outcome,
            RoutingOutcome::Unassigned
        );
        let country = program(
            json!([{"id": "geo", "strategy": {"kind": "geo_expanding", "rings_km": [100], "same_country": true}}]),
        );
        let routed = one(&country, &partners, &lead, &RoutingState::default());
        assert_eq!(routed.decision.partner_id.as_deref(), Some("nowhere"));
        assert_eq!(routed.decision.step.as_deref(), Some("same_country"));
    }

    #[test]
    pub(super) fn nearest_anywhere_takes_the_closest_beyond_the_rings() {
        let partners = [
            partner(
                "vie",
                json!({"profile": {"location": vienna(), "country": "AT"}}),
            ),
            partner(
                "ber",
                json!({"profile": {"location": {"lat": 52.52, "lon": 13.405}}}),
            ),
        ];
        let lead = lead("L1", json!({"country": "HU", "location": budapest()}));
        let program = program(
            json!([{"id": "geo", "strategy": {"kind": "geo_expanding", "rings_km": [50], "nearest_anywhere": true, "pick": "nearest"}}]),
        );
        let routed = one(&program, &partners, &lead, &RoutingState::default());
        assert_eq!(routed.decision.partner_id.as_deref(), Some("vie"));
        assert_eq!(routed.decision.step.as_deref(), Some("nearest_anywhere"));
    }

    #[test]
    pub(super) fn route_skips_paused_and_declined_partners() {
        let program = program(json!([{"id": "lb", "strategy": {"kind": "load_balanced"}}]));
        let partners = [
            partner(
                "p1",
                json!({"paused": [{"from": "2026-01-01T00:00:00Z", "until": "2026-01-10T00:00:00Z"}]}),
            ),
            partner("p2", json!({})),
            partner("p3", json!({})),
        ];
        let routed = one(
            &program,
            &partners,
            &lead("L1", json!({"declined_by": ["p2"]})),
            &RoutingState::default(),
        );
        assert_eq!(routed.decision.partner_id.as_deref(), Some("p3"));
        let excluded = &routed.decision.excluded;
        assert_eq!(
            excluded
                .get(&ExclusionReason::Paused)
                .map(|e| e.examples.clone()),
            Some(vec!["p1".to_owned()])
        );
        assert_eq!(
            excluded.get(&ExclusionReason::Declined).map(|e| e.count),
            Some(1)
        );
    }

    #[test]
    pub(super) fn every_partner_declined_falls_to_the_default() {
        let program = program_with(
            json!([{"id": "lb", "strategy": {"kind": "load_balanced"}}]),
            json!({"kind": "house_account", "partner_id": "HOUSE"}),
        );
        let partners = [partner("p1", json!({})), partner("p2", json!({}))];
        let routed = one(
            &program,
            &partners,
            &lead("L1", json!({"declined_by": ["p1", "p2"]})),
            &RoutingState::default(),
        );
        assert_eq!(routed.decision.outcome, RoutingOutcome::HouseAccount);
        assert_eq!(routed.decision.partner_id.as_deref(), Some("HOUSE"));
        assert_eq!(
            routed
                .decision
                .excluded
                .get(&ExclusionReason::Declined)
                .map(|e| e.count),
            Some(2)
        );
    }

    #[test]
    pub(super) fn decision_json_shape() {
        let program = program(json!([{"id": "geo", "eligibility": {"products": "any"},
            "strategy": {"kind": "geo_expanding", "rings_km": [100, 250], "seed": "geo"}}]));
        let partners = [
            partner(
                "vie",
                json!({"profile": {"location": vienna(), "country": "AT", "products": ["X"]}, "capacity": 5}),
            ),
            partner(
                "deb",
                json!({"profile": {"location": {"lat": 47.5316, "lon": 21.6273}, "country": "HU"}}),
            ),
        ];
        let lead = lead(
            "L-1",
            json!({"country": "HU", "location": budapest(), "products": ["X"]}),
        );
        let routed = one(&program, &partners, &lead, &RoutingState::default());
        insta::assert_json_snapshot!("decision_geo", routed);
    }

    #[test]
    pub(super) fn rules_are_tried_by_priority_then_fall_through() {
        let program = program(json!([
            {"id": "late", "priority": 5, "strategy": {"kind": "fixed", "partner_id": "p2"}},
            {"id": "early", "priority": 1, "eligibility": {"min_tier": "gold"}, "strategy": {"kind": "load_balanced"}}
        ]));
        let partners = [
            partner("p1", json!({"tier": "silver"})),
            partner("p2", json!({"tier": "silver"})),
        ];
        let routed = one(
            &program,
            &partners,
            &lead("L1", json!({})),
            &RoutingState::default(),
        );
        assert_eq!(routed.decision.rule.as_deref(), Some("late"));
        assert_eq!(routed.decision.strategy, Some(StrategyKind::Fixed));
        assert_eq!(routed.decision.rules.len(), 2);
        assert_eq!(routed.decision.rules[0].rule, "early");
        assert_eq!(
            routed.decision.rules[0]
                .excluded
                .get(&ExclusionReason::BelowMinTier)
                .copied(),
            Some(2)
        );
    }

    #[test]
    pub(super) fn load_balanced_ties_go_to_the_lower_id() {
        let program = program(json!([{"id": "lb", "strategy": {"kind": "load_balanced"}}]));
        let partners = [
            partner("b", json!({"capacity": 10, "open_leads": 5})),
            partner("a", json!({"capacity": 10, "open_leads": 5})),
            partner("d", json!({"capacity": 4, "open_leads": 2})),
            partner("c", json!({"capacity": 10, "open_leads": 6})),
        ];
        let routed = one(
            &program,
            &partners,
            &lead("L1", json!({})),
            &RoutingState::default(),
        );
        let order: Vec<&str> = routed
            .decision
            .candidates
            .iter()
            .map(|c| c.partner_id.as_str())
            .collect();
        // All but c are half full: fewer open leads first (d), then by id (a before b).
        assert_eq!(order, vec!["d", "a", "b", "c"]);
    }

    #[test]
    pub(super) fn score_ties_go_to_the_lower_id() {
        let program = program(
            json!([{"id": "s", "strategy": {"kind": "score", "factors": [
            {"factor": "conversion_rate", "weight": "2"}, {"factor": "tier_rank", "weight": "1"}]}}]),
        );
        let partners = [
            partner(
                "b",
                json!({"tier": "gold", "stats": {"conversion_rate": "0.2"}}),
            ),
            partner(
                "a",
                json!({"tier": "gold", "stats": {"conversion_rate": "0.2"}}),
            ),
            partner(
                "c",
                json!({"tier": "silver", "stats": {"conversion_rate": "0.4"}}),
            ),
        ];
        let routed = one(
            &program,
            &partners,
            &lead("L1", json!({})),
            &RoutingState::default(),
        );
        let order: Vec<(&str, f64)> = routed
            .decision
            .candidates
            .iter()
            .map(|c| (c.partner_id.as_str(), c.score.unwrap()))
            .collect();
        assert_eq!(order, vec![("a", 1.4), ("b", 1.4), ("c", 1.3)]);
    }

    #[test]
    pub(super) fn weighted_ties_and_zero_weights() {
        let program =
            program(json!([{"id": "w", "strategy": {"kind": "weighted_random", "seed": "s"}}]));
        let partners = [
            partner("a", json!({"tier": "silver"})),
            partner("b", json!({"tier": "silver"})),
            partner("z", json!({"tier": "registered"})),
        ];
        let routed = one(
            &program,
            &partners,
            &lead("L1", json!({})),
            &RoutingState::default(),
        );
        assert_eq!(routed.decision.candidate_count, 2);
        assert!(
            routed
                .decision
                .candidates
                .iter()
                .all(|c| c.probability == Some("0.5".parse().unwrap()))
        );
        assert_eq!(
            routed
                .decision
                .excluded
                .get(&ExclusionReason::ZeroWeight)
                .map(|e| e.count),
            Some(1)
        );
    }

    #[test]
    pub(super) fn weighted_random_shares_follow_weights_over_100000_leads() {
        // DOMAIN.md §3: A (weight 3) and B (weight 1): A receives 75% within 0.5 points;
        // here with three more partners, each within 0.5 points of its share.
        let program = program(json!([{"id": "w", "strategy": {"kind": "weighted_random"}}]));
        let partners = [
            partner("A", json!({"lead_weight": "3"})),
            partner("B", json!({"lead_weight": "1"})),
            partner("C", json!({"lead_weight": "2.5"})),
            partner("D", json!({"lead_weight": "0.5"})),
            partner("E", json!({"lead_weight": "0"})),
        ];
        let router = LeadRouter::new(&program, &partners).unwrap();
        let leads: Vec<Lead> = (0..100_000)
            .map(|i| lead(&format!("L{i:06}"), json!({})))
            .collect();
        let batch = router
            .route_batch(&leads, &RoutingState::default())
            .unwrap();
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for d in &batch.decisions {
            *counts.entry(d.partner_id.clone().unwrap()).or_default() += 1;
        }
        for (id, weight) in [("A", 3.0), ("B", 1.0), ("C", 2.5), ("D", 0.5)] {
            let share = counts.get(id).copied().unwrap_or(0) as f64 / 1000.0;
            let want = weight / 7.0 * 100.0;
            assert!(
                (share - want).abs() <= 0.5,
                "{id}: {share}% against {want}%"
            );
        }
        assert_eq!(counts.get("E"), None);
    }

    #[test]
    pub(super) fn unknown_partner_tier_and_duplicate_ids_are_reported_with_paths() {
        let program = program(json!([{"id": "lb", "strategy": {"kind": "load_balanced"}}]));
        let partners = [
            partner("p1", json!({"tier": "gld"})),
            partner("p1", json!({})),
        ];
        let err = LeadRouter::new(&program, &partners).unwrap_err();
        let found: Vec<_> = err
            .problems()
            .iter()
            .map(|p| (p.code().as_str(), p.path()))
            .collect();
        assert_eq!(
            found,
            vec![
                ("unknown_reference", "$.partners[0].tier"),
                ("duplicate_id", "$.partners[1].partner.id")
            ]
        );
    }

    /// (weight, active, capacity, open leads, location index, speaks German)
    type Spec = (u8, bool, Option<u32>, u32, u8, bool);

    pub(super) fn arb_partner() -> impl proptest::strategy::Strategy<Value = Spec> {
        (
            0u8..4,
            proptest::bool::weighted(0.8),
            proptest::option::of(0u32..4),
            0u32..3,
            0u8..4,
            any::<bool>(),
        )
    }

    const SPOTS: [(f64, f64); 4] = [
        (52.52, 13.405),
        (48.1372, 11.5755),
        (50.1109, 8.6821),
        (53.5511, 9.9937),
    ];

    pub(super) fn build(specs: &[Spec]) -> Vec<RoutingPartner> {
        specs
            .iter()
            .enumerate()
            .map(|(i, (weight, active, capacity, open, spot, german))| {
                let mut extra = json!({"lead_weight": weight.to_string(), "open_leads": open});
                if let Some(c) = capacity {
                    extra["capacity"] = json!(c);
                }
                let mut profile = json!({"status": if *active { "active" } else { "suspended" },
                    "languages": if *german { vec!["de"] } else { vec!["en"] }});
                if let Some((lat, lon)) = SPOTS.get(*spot as usize).filter(|_| *spot < 3) {
                    profile["location"] = json!({"lat": lat, "lon": lon});
                }
                extra["profile"] = profile;
                partner(&format!("P{i:02}"), extra)
            })
            .collect()
    }

    pub(super) fn strategies() -> Vec<Value> {
        vec![
            json!({"kind": "weighted_random"}),
            json!({"kind": "round_robin"}),
            json!({"kind": "load_balanced"}),
            json!({"kind": "score", "factors": [{"factor": "capacity_headroom", "weight": "1"}, {"factor": "distance_decay", "weight": "1"}]}),
            json!({"kind": "geo_expanding", "rings_km": [100, 400], "same_country": true, "nearest_anywhere": true}),
            json!({"kind": "geo_expanding", "rings_km": [200], "pick": "nearest"}),
            json!({"kind": "fixed", "partner_id": "P01"}),
        ]
    }

    pub(super) fn leads_for(n: usize, spots: &[u8], declined: &[u8]) -> Vec<Lead> {
        (0..n)
            .map(|i| {
                let mut extra = json!({"language": if i % 3 == 0 { "de" } else { "en" }});
                if let Some((lat, lon)) = spots.get(i).and_then(|s| SPOTS.get(*s as usize)) {
                    extra["location"] = json!({"lat": lat, "lon": lon});
                }
                if let Some(d) = declined.get(i).filter(|d| **d < 6) {
                    extra["declined_by"] = json!([format!("P{d:02}")]);
                }
                lead(&format!("L{i:03}"), extra)
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn prop_decision_is_an_eligible_candidate_and_capacity_holds(
            specs in proptest::collection::vec(arb_partner(), 1..8),
            strategy in 0usize..7,
            language in any::<bool>(),
            spots in proptest::collection::vec(0u8..4, 12),
            declined in proptest::collection::vec(0u8..12, 12),
        ) {
            let rules = json!([{"id": "r", "eligibility": {"language": language},
                "strategy": strategies()[strategy].clone()}]);
            let program = program(rules);
            let partners = build(&specs);
            let leads = leads_for(12, &spots, &declined);
            let router = LeadRouter::new(&program, &partners).unwrap();
            let batch = router.route_batch(&leads, &RoutingState::default()).unwrap();
            let mut assigned: BTreeMap<String, u32> = BTreeMap::new();
            for (lead, decision) in leads.iter().zip(&batch.decisions) {
                if let Some(id) = &decision.partner_id {
                    // The decision is its rule's first-ranked candidate ...
                    prop_assert_eq!(decision.candidates.first().map(|c| c.partner_id.as_str()), Some(id.as_str()));
                    let p = partners.iter().find(|p| p.id() == id).unwrap();
                    // ... and passes every eligibility check, judged independently.
                    prop_assert_eq!(p.partner.status, crate::partner::PartnerStatus::Active);
                    prop_assert!(!lead.declined_by.contains(id));
                    if language {
                        prop_assert!(p.partner.languages.contains(lead.language.as_ref().unwrap()));
                    }
                    let before = assigned.get(id).copied().unwrap_or(0) + p.open_leads;
                    if let Some(capacity) = p.capacity {
                        prop_assert!(before < capacity, "{} had {} of {}", id, before, capacity);
                    }
                    if decision.strategy == Some(StrategyKind::WeightedRandom) {
                        prop_assert!(p.lead_weight != Some(Decimal::ZERO));
                    }
                    *assigned.entry(id.clone()).or_default() += 1;
                }
            }
            // No partner ends the batch above its capacity.
            for p in &partners {
                let total = p.open_leads + assigned.get(p.id()).copied().unwrap_or(0);
                if let Some(capacity) = p.capacity {
                    prop_assert!(total <= capacity.max(p.open_leads));
                }
            }
        }

        #[test]
        fn prop_batch_equals_one_by_one_and_is_deterministic(
            specs in proptest::collection::vec(arb_partner(), 1..8),
            strategy in 0usize..7,
            spots in proptest::collection::vec(0u8..4, 10),
            declined in proptest::collection::vec(0u8..12, 10),
        ) {
            let program = program(json!([{"id": "r", "strategy": strategies()[strategy].clone()}]));
            let partners = build(&specs);
            let leads = leads_for(10, &spots, &declined);
            let batch = route_batch(&program, &partners, &leads, &RoutingState::default()).unwrap();
            let again = route_batch(&program, &partners, &leads, &RoutingState::default()).unwrap();
            prop_assert_eq!(&batch, &again);
            let mut state = RoutingState::default();
            for (lead, decision) in leads.iter().zip(&batch.decisions) {
                let routed = route(&program, &partners, lead, &state).unwrap();
                prop_assert_eq!(&routed.decision, decision);
                state = routed.state;
            }
            prop_assert_eq!(state, batch.state);
        }
    }
}
