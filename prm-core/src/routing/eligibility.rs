//! Eligibility: which partners a rule may pick for a lead, checked in the documented order.

use super::config::ProductMatch;
use super::decision::ExclusionReason;
use super::geo::haversine_km;
use super::lead::Lead;
use super::route::{CompiledRule, LeadRouter, Working};
use super::vocabulary::{Vocabulary, Wanted};

/// What one lead asks of partners, against the vocabularies; computed once per lead.
pub(super) struct LeadFacts {
    pub(super) declined: Vec<u32>,
    pub(super) products_any: u64,
    pub(super) products_all: Wanted,
    pub(super) language: Wanted,
    pub(super) industry: Wanted,
}

impl<'a> LeadRouter<'a> {
    pub(super) fn lead_facts(&self, lead: &Lead) -> LeadFacts {
        let mut declined: Vec<u32> = lead
            .declined_by
            .iter()
            .filter_map(|id| self.find(id))
            .collect();
        declined.sort_unstable();
        let word = |vocabulary: &Vocabulary<'_>, word: &Option<String>| match word {
            Some(w) => vocabulary.wanted(std::iter::once(w)),
            None => Wanted::Nothing,
        };
        LeadFacts {
            declined,
            products_any: self.vocabularies.products.mask(&lead.products),
            products_all: self.vocabularies.products.wanted(&lead.products),
            language: word(&self.vocabularies.languages, &lead.language),
            industry: word(&self.vocabularies.specializations, &lead.industry),
        }
    }

    /// The first check `index` fails for `lead` under `rule`, or its distance
    /// from the lead when it is eligible. The distance (haversine) is only
    /// computed once the cheap checks pass, and only when `want_distance` or
    /// the rule's `max_distance_km` needs it.
    #[expect(
        clippy::too_many_arguments,
        reason = "the check's inputs, spelled out once"
    )]
    pub(super) fn check(
        &self,
        rule: &CompiledRule<'_>,
        lead: &Lead,
        facts: &LeadFacts,
        index: u32,
        work: &Working<'_>,
        want_distance: bool,
        by_weight: bool,
    ) -> Result<Option<f64>, ExclusionReason> {
        self.check_static(rule, lead, facts, index, work)?;
        let rules = &rule.rule.eligibility;
        let distance = if want_distance || rules.max_distance_km.is_some() {
            self.distance(lead, index)
        } else {
            None
        };
        if let Some(limit) = rules.max_distance_km {
            match distance {
                None => return Err(ExclusionReason::NoLocation),
                Some(d) if d > limit => return Err(ExclusionReason::TooFar),
                Some(_) => {}
            }
        }
        if by_weight && self.fact(index).is_none_or(|f| f.scaled_weight == 0) {
            return Err(ExclusionReason::ZeroWeight);
        }
        Ok(distance)
    }

    /// Every check but distance and weight, in the documented order.
    pub(super) fn check_static(
        &self,
        rule: &CompiledRule<'_>,
        lead: &Lead,
        facts: &LeadFacts,
        index: u32,
        work: &Working<'_>,
    ) -> Result<(), ExclusionReason> {
        let Some(fact) = self.fact(index) else {
            return Err(ExclusionReason::NotListed);
        };
        let profile = || self.partner(index).map(|p| &p.partner);
        let rules = &rule.rule.eligibility;
        if !facts.declined.is_empty() && facts.declined.binary_search(&index).is_ok() {
            return Err(ExclusionReason::Declined);
        }
        if fact.paused
            && self
                .partner(index)
                .is_some_and(|p| p.paused_at(lead.created_at))
        {
            return Err(ExclusionReason::Paused);
        }
        if !rules.statuses.contains(&fact.status) {
            return Err(ExclusionReason::Status);
        }
        if rules.compliance
            && self
                .partner(index)
                .is_none_or(|p| p.compliant != Some(true))
        {
            return Err(ExclusionReason::NotCompliant);
        }
        if let Some(min) = rule.min_rank
            && fact.tier_rank.is_none_or(|rank| rank < min)
        {
            return Err(ExclusionReason::BelowMinTier);
        }
        let has_specializations = rule
            .specializations
            .met_by(fact.specializations)
            .unwrap_or_else(|| {
                profile().is_some_and(|p| {
                    rules
                        .specializations
                        .iter()
                        .all(|s| p.specializations.contains(s))
                })
            });
        if !has_specializations {
            return Err(ExclusionReason::MissingSpecialization);
        }
        if rules.industry
            && let Some(industry) = &lead.industry
            && !facts
                .industry
                .met_by(fact.specializations)
                .unwrap_or_else(|| profile().is_some_and(|p| p.specializations.contains(industry)))
        {
            return Err(ExclusionReason::IndustryMismatch);
        }
        if let Some(mode) = rules.products
            && !lead.products.is_empty()
        {
            let exact = self.vocabularies.products.exact();
            let ok =
                match mode {
                    ProductMatch::Any if exact => facts.products_any & fact.products != 0,
                    ProductMatch::All if exact => {
                        facts.products_all.met_by(fact.products) == Some(true)
                    }
                    ProductMatch::Any => profile()
                        .is_some_and(|p| lead.products.iter().any(|x| p.products.contains(x))),
                    ProductMatch::All => profile()
                        .is_some_and(|p| lead.products.iter().all(|x| p.products.contains(x))),
                };
            if !ok {
                return Err(ExclusionReason::ProductMismatch);
            }
        }
        if rules.language
            && let Some(language) = &lead.language
            && !facts
                .language
                .met_by(fact.languages)
                .unwrap_or_else(|| profile().is_some_and(|p| p.languages.contains(language)))
        {
            return Err(ExclusionReason::LanguageMismatch);
        }
        let has_certifications = rule
            .certifications
            .met_by(fact.certifications)
            .unwrap_or_else(|| {
                self.partner(index).is_some_and(|p| {
                    rules
                        .certifications
                        .iter()
                        .all(|c| p.certifications.contains(c))
                })
            });
        if !has_certifications {
            return Err(ExclusionReason::MissingCertification);
        }
        if rules.territory
            && !self.partner(index).is_some_and(|p| {
                p.covers(
                    &lead.country,
                    lead.region.as_deref(),
                    lead.postal_code.as_deref(),
                )
            })
        {
            return Err(ExclusionReason::OutsideTerritory);
        }
        if rules.capacity
            && let Some(capacity) = fact.capacity
            && Self::open_of(work, index) >= capacity
        {
            return Err(ExclusionReason::AtCapacity);
        }
        Ok(())
    }

    pub(super) fn distance(&self, lead: &Lead, index: u32) -> Option<f64> {
        let here = lead.location?;
        let there = self.fact(index)?.location?;
        Some(haversine_km(here, there))
    }

    /// The partners a non-geo rule examines: those whose territory can cover the
    /// lead when the rule checks territory, else every partner.
    pub(super) fn pool(&self, rule: &CompiledRule<'_>, lead: &Lead) -> Vec<u32> {
        if !rule.rule.eligibility.territory {
            return (0..self.partners.len())
                .filter_map(|i| u32::try_from(i).ok())
                .collect();
        }
        let mut pool: Vec<u32> = self
            .territory_country
            .get(lead.country.as_str())
            .cloned()
            .unwrap_or_default();
        if let Some(region) = lead
            .region
            .as_deref()
            .and_then(|r| self.territory_region.get(r))
        {
            pool.extend(region);
            pool.sort_unstable();
            pool.dedup();
        }
        pool
    }
}
