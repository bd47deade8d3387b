//! [`CertificationRequirement`]: distinct active people holding certifications.

use super::catalog::{CertificationCatalog, CertificationDef, CertificationId};
use super::status::{Holdings, join_and, join_or};
use crate::calendar::Date;
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use crate::money::{Decimal, Rate};
use crate::partner::Person;
use rust_decimal::prelude::ToPrimitive;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// How many distinct active people of a partner must hold which certifications.
///
/// A person **holds** the requirement when they have an award that counts on
/// `as_of` (valid, expiring or in grace, earned with its prerequisites) of:
///
/// * any certification of `any_of` (or of the whole catalog when neither list
///   is given), narrowed by `track` and `min_level`; or
/// * every certification of `all_of`.
///
/// People are counted once per requirement however many awards they hold,
/// and only while active at the partner (`active_from` to `active_to`), with
/// one of `role` when it is given. The requirement holds when at least
/// `people` of them hold it (1 by default), or, with `coverage`, when that
/// share of the people in scope does: `"80%"` of 5 sales people is 4.
///
/// ```
/// use prm_core::certification::CertificationRequirement;
/// let two_pros: CertificationRequirement =
///     serde_json::from_str(r#"{"any_of": ["SALES-PRO"], "people": 2}"#)?;
/// assert_eq!(two_pros.describe(), "SALES-PRO");
/// let coverage: CertificationRequirement =
///     serde_json::from_str(r#"{"any_of": ["SALES-FOUNDATION"], "role": "sales", "coverage": "80%"}"#)?;
/// assert_eq!(coverage.coverage.map(|c| c.to_string()).as_deref(), Some("0.8"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificationRequirement {
    /// A person holds the requirement with any one of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub any_of: Vec<CertificationId>,
    /// A person holds the requirement only with every one of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub all_of: Vec<CertificationId>,
    /// Only certifications of this track count (not with `all_of`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track: Option<String>,
    /// Only certifications of this level or above count (not with `all_of`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_level: Option<u32>,
    /// Only people with this role are counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// How many distinct people must hold it; 1 by default (not with `coverage`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub people: Option<u32>,
    /// The share of the people in scope who must hold it, `"0.8"` or `"80%"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Rate>,
}

/// How a partner's people measure up against one [`CertificationRequirement`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct CertificationCount {
    /// True when the requirement holds.
    pub met: bool,
    /// Distinct people in scope who hold it.
    pub holders: u32,
    /// Active people in scope (with the role, when one is named).
    pub in_scope: u32,
    /// People who must hold it: `people`, or the coverage share of `in_scope` rounded up.
    pub required: u32,
    /// How many more people must hold it.
    pub shortfall: u32,
    /// For a coverage requirement: the share of people in scope who hold it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share: Option<Decimal>,
}

/// Who counts toward a requirement and who is missing what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct CertificationCompliance {
    /// The numbers.
    #[serde(flatten)]
    pub count: CertificationCount,
    /// People in scope who hold it, by id.
    pub counted: Vec<String>,
    /// People in scope who do not, each with what they lack.
    pub missing: Vec<MissingPerson>,
}

/// A person in scope who does not hold a requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct MissingPerson {
    /// The person.
    pub person_id: String,
    /// The certifications that would make them count: all missing ones for
    /// `all_of`, any one of them otherwise.
    pub lacks: Vec<String>,
}

impl CertificationRequirement {
    /// Checks the requirement's shape and that it names certifications of `catalog`.
    ///
    /// # Errors
    ///
    /// * `unknown_reference` for a certification the catalog lacks (or when there is no catalog);
    /// * `tier_requirement_invalid` when `any_of` and `all_of`, or `people` and `coverage`,
    ///   are both given, when `all_of` is combined with `track` or `min_level`, when
    ///   `people` is 0, or when no certification of the catalog can satisfy it;
    /// * `out_of_range` for a coverage outside (0, 1].
    pub fn validate(
        &self,
        catalog: Option<&CertificationCatalog>,
        path: &JsonPath,
    ) -> Result<(), Error> {
        let mut problems = Problems::new();
        let invalid = |field: &str, message: &str| {
            Problem::new(ErrorCode::TierRequirementInvalid, path.key(field)).message(message)
        };
        if !self.any_of.is_empty() && !self.all_of.is_empty() {
            problems.push(
                invalid("all_of", "give either any_of or all_of, not both")
                    .help("nest two requirements in an `any_of` or `all_of` node instead"),
            );
        }
        if !self.all_of.is_empty() && (self.track.is_some() || self.min_level.is_some()) {
            problems.push(invalid(
                "all_of",
                "track and min_level narrow any_of; with all_of every listed certification is needed",
            ));
        }
        if self.people.is_some() && self.coverage.is_some() {
            problems.push(invalid(
                "coverage",
                "give either people or coverage, not both",
            ));
        }
        if self.people == Some(0) {
            problems.push(
                invalid("people", "a requirement of 0 people always holds")
                    .help("remove the requirement, or ask for at least 1 person"),
            );
        }
        if let Some(coverage) = self.coverage
            && (coverage.fraction() <= Decimal::ZERO || coverage.fraction() > Decimal::ONE)
        {
            problems.push(
                Problem::new(ErrorCode::OutOfRange, path.key("coverage")).message(format!(
                    "coverage must be above 0 and at most 1 (100%), found {coverage}"
                )),
            );
        }
        for (field, list) in [("any_of", &self.any_of), ("all_of", &self.all_of)] {
            for (i, id) in list.iter().enumerate() {
                let at = path.key(field).index(i);
                match catalog {
                    Some(catalog) => {
                        problems.take(catalog.check_reference(id, &at));
                    }
                    None => problems.push(
                        Problem::new(ErrorCode::UnknownReference, at)
                            .message(format!("unknown certification `{id}`: the program has no certification catalog"))
                            .help("add a `certifications` section to the program"),
                    ),
                }
            }
        }
        if let Some(catalog) = catalog
            && self.all_of.is_empty()
            && problems.is_empty()
            && !catalog.certifications.iter().any(|c| self.matches(c))
        {
            problems.push(
                invalid(
                    if self.track.is_some() {
                        "track"
                    } else {
                        "min_level"
                    },
                    &format!("no certification of the catalog is {}", self.describe()),
                )
                .help("check the track's spelling and the levels of its certifications"),
            );
        }
        if catalog.is_none() && self.any_of.is_empty() && self.all_of.is_empty() {
            problems.push(
                Problem::new(ErrorCode::UnknownReference, path.clone())
                    .message(
                        "a certification requirement needs the program's certification catalog",
                    )
                    .help("add a `certifications` section to the program"),
            );
        }
        problems.into_result(())
    }

    /// True when an award of `def` can make a person hold this requirement
    /// (for `any_of` and the filters; `all_of` needs every listed one).
    pub fn matches(&self, def: &CertificationDef) -> bool {
        if !self.all_of.is_empty() {
            return self.all_of.contains(&def.id);
        }
        (self.any_of.is_empty() || self.any_of.contains(&def.id))
            && self
                .track
                .as_ref()
                .is_none_or(|t| def.track.as_ref() == Some(t))
            && self
                .min_level
                .is_none_or(|min| def.level.is_some_and(|level| level >= min))
    }

    /// The certifications in words: `SALES-PRO`, `SALES-PRO or PRESALES-PRO`,
    /// `all of SALES-PRO and TECH-ARCH`, `a sales certification at level 2 or above`.
    pub fn describe(&self) -> String {
        if !self.all_of.is_empty() {
            return format!("all of {}", join_and(&self.all_of));
        }
        let mut text = if self.any_of.is_empty() {
            match &self.track {
                Some(track) => format!("a {track} certification"),
                None => "a certification".to_owned(),
            }
        } else {
            let mut listed = join_or(&self.any_of);
            if let Some(track) = &self.track {
                listed.push_str(&format!(" in track {track}"));
            }
            listed
        };
        if let Some(level) = self.min_level {
            text.push_str(&format!(" at level {level} or above"));
        }
        text
    }

    /// True when `person` holds the requirement on `as_of`.
    pub fn held_by(&self, holdings: &Holdings<'_>, person: &str, as_of: Date) -> bool {
        if self.all_of.is_empty() {
            holdings.of_person(person).any(|i| {
                holdings.counts_on(i, as_of)
                    && holdings.definition(i).is_some_and(|d| self.matches(d))
            })
        } else {
            self.all_of
                .iter()
                .all(|cert| holdings.holds(person, cert, as_of))
        }
    }

    /// True when `person` is active on `as_of` and has the role, if one is named.
    pub(crate) fn in_scope(&self, person: &Person, as_of: Date) -> bool {
        person.is_active_on(as_of)
            && self
                .role
                .as_ref()
                .is_none_or(|role| person.roles.contains(role))
    }

    /// Counts the people of `people` who hold the requirement on `as_of`.
    ///
    /// `people` are the partner's people, each listed once; `holdings` their awards.
    ///
    /// # Example: a person who left no longer counts
    ///
    /// ```
    /// use prm_core::certification::{Award, CertificationCatalog, CertificationRequirement, Holdings};
    /// use prm_core::Person;
    /// let catalog: CertificationCatalog = serde_json::from_str(
    ///     r#"{"certifications": [{"id": "SALES-PRO", "name": "Sales Professional"}]}"#)?;
    /// let people: Vec<Person> = serde_json::from_str(r#"[
    ///   {"id": "anna", "partner_id": "P1"},
    ///   {"id": "ben", "partner_id": "P1", "active_to": "2026-01-31"}]"#)?;
    /// let awards: Vec<Award> = serde_json::from_str(r#"[
    ///   {"person_id": "anna", "cert_id": "SALES-PRO", "earned_on": "2025-01-01"},
    ///   {"person_id": "anna", "cert_id": "SALES-PRO", "earned_on": "2025-06-01"},
    ///   {"person_id": "ben", "cert_id": "SALES-PRO", "earned_on": "2025-01-01"}]"#)?;
    /// let two: CertificationRequirement = serde_json::from_str(r#"{"any_of": ["SALES-PRO"], "people": 2}"#)?;
    /// let holdings = Holdings::new(&catalog, &awards)?;
    /// let count = two.count(&holdings, &people, "2026-03-31".parse()?);
    /// assert_eq!((count.holders, count.shortfall, count.met), (1, 1, false)); // anna, once
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn count(
        &self,
        holdings: &Holdings<'_>,
        people: &[Person],
        as_of: Date,
    ) -> CertificationCount {
        let mut in_scope = 0u32;
        let mut holders = 0u32;
        for person in people.iter().filter(|p| self.in_scope(p, as_of)) {
            in_scope = in_scope.saturating_add(1);
            if self.held_by(holdings, &person.id, as_of) {
                holders = holders.saturating_add(1);
            }
        }
        self.tally(holders, in_scope)
    }

    /// The count for `holders` of `in_scope` people.
    pub(crate) fn tally(&self, holders: u32, in_scope: u32) -> CertificationCount {
        match self.coverage {
            Some(coverage) => {
                // With nobody in scope there is nothing to cover: at least one person is needed.
                let required = if in_scope == 0 {
                    1
                } else {
                    coverage
                        .fraction()
                        .checked_mul(Decimal::from(in_scope))
                        .and_then(|need| need.value().ceil().to_u32())
                        .unwrap_or(in_scope)
                };
                let share = if in_scope == 0 {
                    Decimal::ZERO
                } else {
                    Decimal::from(holders)
                        .checked_div(Decimal::from(in_scope))
                        .map(|s| Decimal::new(s.value().round_dp(4).normalize()))
                        .unwrap_or(Decimal::ZERO)
                };
                CertificationCount {
                    met: in_scope > 0 && holders >= required,
                    holders,
                    in_scope,
                    required,
                    shortfall: required.saturating_sub(holders),
                    share: Some(share),
                }
            }
            None => {
                let required = self.people.unwrap_or(1);
                CertificationCount {
                    met: holders >= required,
                    holders,
                    in_scope,
                    required,
                    shortfall: required.saturating_sub(holders),
                    share: None,
                }
            }
        }
    }

    /// Who counts toward the requirement on `as_of`, and what everyone else in scope lacks.
    pub fn compliance(
        &self,
        holdings: &Holdings<'_>,
        people: &[Person],
        catalog: &CertificationCatalog,
        as_of: Date,
    ) -> CertificationCompliance {
        let mut counted = Vec::new();
        let mut missing = Vec::new();
        let mut scoped: Vec<&Person> = people.iter().filter(|p| self.in_scope(p, as_of)).collect();
        scoped.sort_by(|a, b| a.id.cmp(&b.id));
        for person in &scoped {
            if self.held_by(holdings, &person.id, as_of) {
                counted.push(person.id.clone());
            } else {
                let lacks: Vec<String> = if self.all_of.is_empty() {
                    catalog
                        .certifications
                        .iter()
                        .filter(|c| self.matches(c))
                        .map(|c| c.id.clone())
                        .collect()
                } else {
                    self.all_of
                        .iter()
                        .filter(|c| !holdings.holds(&person.id, c, as_of))
                        .cloned()
                        .collect()
                };
                missing.push(MissingPerson {
                    person_id: person.id.clone(),
                    lacks,
                });
            }
        }
        let holders = u32::try_from(counted.len()).unwrap_or(u32::MAX);
        let in_scope = u32::try_from(scoped.len()).unwrap_or(u32::MAX);
        CertificationCompliance {
            count: self.tally(holders, in_scope),
            counted,
            missing,
        }
    }

    /// The shortfall in words, e.g. `1 more SALES-PRO` or
    /// `2 more sales people holding SALES-FOUNDATION (coverage 60%, needs 80%)`.
    pub fn shortfall_words(&self, count: &CertificationCount) -> String {
        let what = self.describe();
        let role = self.role.as_deref();
        match (self.coverage, count.in_scope) {
            (Some(_), 0) => format!(
                "at least 1 active {} holding {what}",
                role.map_or("person".to_owned(), |r| format!("person with role {r}"))
            ),
            (Some(coverage), _) => format!(
                "{} more {} holding {what} (coverage {}, needs {})",
                count.shortfall,
                people_noun(count.shortfall, role),
                percent(count.share.unwrap_or(Decimal::ZERO)),
                percent(coverage.fraction())
            ),
            (None, _)
                if self.all_of.is_empty()
                    && self.any_of.len() == 1
                    && self.role.is_none()
                    && self.track.is_none()
                    && self.min_level.is_none() =>
            {
                format!("{} more {what}", count.shortfall)
            }
            (None, _) => format!(
                "{} more {} holding {what}",
                count.shortfall,
                people_noun(count.shortfall, role)
            ),
        }
    }
}

fn people_noun(n: u32, role: Option<&str>) -> String {
    let noun = if n == 1 { "person" } else { "people" };
    match role {
        Some(role) => format!("{role} {noun}"),
        None => noun.to_owned(),
    }
}

/// A fraction as a percent: `0.8` → `80%`, `0.6667` → `66.67%`.
pub(crate) fn percent(fraction: Decimal) -> String {
    let value = fraction
        .checked_mul(Decimal::ONE_HUNDRED)
        .map(|p| p.value().round_dp(2).normalize())
        .unwrap_or_default();
    format!("{value}%")
}

/// Checks a partner's people: each listed once, and each working for `partner_id`.
///
/// # Errors
///
/// `duplicate_id` for a person listed twice; `person_not_at_partner` for a
/// person whose `partner_id` is another partner's.
pub fn check_people(partner_id: &str, people: &[Person], path: &JsonPath) -> Result<(), Error> {
    let mut problems = Problems::new();
    let mut seen = BTreeSet::new();
    for (i, person) in people.iter().enumerate() {
        if !seen.insert(person.id.as_str()) {
            problems.push(
                Problem::new(ErrorCode::DuplicateId, path.index(i).key("id"))
                    .message(format!("person `{}` is listed twice", person.id)),
            );
        }
        if person.partner_id != partner_id {
            problems.push(
                Problem::new(
                    ErrorCode::PersonNotAtPartner,
                    path.index(i).key("partner_id"),
                )
                .message(format!(
                    "person `{}` works for `{}`, not `{partner_id}`",
                    person.id, person.partner_id
                ))
                .help("list each partner's own people in its facts"),
            );
        }
    }
    problems.into_result(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_date;
    use crate::certification::Award;
    use serde_json::json;

    fn d(text: &str) -> Date {
        parse_date(text).unwrap()
    }

    fn catalog() -> CertificationCatalog {
        serde_json::from_value(json!({"certifications": [
            {"id": "SALES-FOUNDATION", "name": "Sales Foundation", "track": "sales", "level": 1},
            {"id": "SALES-PRO", "name": "Sales Professional", "track": "sales", "level": 2},
            {"id": "TECH-ARCH", "name": "Technical Architect", "track": "technical", "level": 3}
        ]}))
        .unwrap()
    }

    fn people() -> Vec<Person> {
        serde_json::from_value(json!([
            {"id": "anna", "partner_id": "P1", "roles": ["sales"]},
            {"id": "ben", "partner_id": "P1", "roles": ["sales"]},
            {"id": "cara", "partner_id": "P1", "roles": ["engineer"]},
            {"id": "dan", "partner_id": "P1", "roles": ["sales"], "active_to": "2026-01-31"},
            {"id": "eva", "partner_id": "P1", "roles": ["sales"]}
        ]))
        .unwrap()
    }

    fn awards() -> Vec<Award> {
        let a = |p: &str, c: &str| Award {
            person_id: p.into(),
            cert_id: c.into(),
            earned_on: d("2025-01-01"),
            renewed_on: Vec::new(),
        };
        vec![
            a("anna", "SALES-PRO"),
            a("anna", "SALES-FOUNDATION"),
            a("ben", "SALES-FOUNDATION"),
            a("cara", "TECH-ARCH"),
            a("dan", "SALES-PRO"),
            a("dan", "SALES-FOUNDATION"),
        ]
    }

    fn requirement(value: serde_json::Value) -> CertificationRequirement {
        serde_json::from_value(value).unwrap()
    }

    fn count(r: &CertificationRequirement) -> CertificationCount {
        let catalog = catalog();
        let awards = awards();
        let holdings = Holdings::new(&catalog, &awards).unwrap();
        r.count(&holdings, &people(), d("2026-03-31"))
    }

    #[test]
    fn count_ignores_people_who_left_the_partner() {
        let c = count(&requirement(json!({"any_of": ["SALES-PRO"], "people": 2})));
        assert_eq!(
            (c.holders, c.required, c.shortfall, c.met),
            (1, 2, 1, false)
        );
    }

    #[test]
    fn count_counts_a_person_once_however_many_awards() {
        let c = count(&requirement(json!({"track": "sales", "people": 2})));
        assert_eq!((c.holders, c.met), (2, true));
    }

    #[test]
    fn count_filters_by_level_and_role() {
        let c = count(&requirement(json!({"min_level": 2, "role": "sales"})));
        assert_eq!((c.holders, c.in_scope), (1, 3));
        let c = count(&requirement(json!({"min_level": 3})));
        assert_eq!(c.holders, 1);
    }

    #[test]
    fn count_all_of_needs_every_certification() {
        let c = count(&requirement(
            json!({"all_of": ["SALES-PRO", "SALES-FOUNDATION"]}),
        ));
        assert_eq!(c.holders, 1);
    }

    #[test]
    fn coverage_rounds_the_needed_people_up() {
        // 3 active sales people, 2 hold the foundation: 67%; 80% of 3 is 2.4, so 3 are needed
        let c = count(&requirement(
            json!({"any_of": ["SALES-FOUNDATION"], "role": "sales", "coverage": "80%"}),
        ));
        assert_eq!(
            (c.holders, c.in_scope, c.required, c.shortfall),
            (2, 3, 3, 1)
        );
        assert_eq!(c.share.map(|s| s.to_string()).as_deref(), Some("0.6667"));
        // 60% of 3 is 1.8, so 2 are needed and the requirement holds exactly
        let c = count(&requirement(
            json!({"any_of": ["SALES-FOUNDATION"], "role": "sales", "coverage": "60%"}),
        ));
        assert!(c.met);
    }

    #[test]
    fn coverage_with_nobody_in_scope_is_not_met() {
        let c = count(&requirement(
            json!({"any_of": ["SALES-PRO"], "role": "marketing", "coverage": "50%"}),
        ));
        assert_eq!((c.met, c.required, c.shortfall), (false, 1, 1));
    }

    #[test]
    fn validate_refuses_contradictions_and_unknown_ids() {
        let r = requirement(
            json!({"any_of": ["SALES-PRO"], "all_of": ["TECH-ARC"], "people": 0, "coverage": "1.5"}),
        );
        let err = r.validate(Some(&catalog()), &JsonPath::root()).unwrap_err();
        let codes: Vec<&str> = err.problems().iter().map(|p| p.code().as_str()).collect();
        assert_eq!(
            codes,
            [
                "tier_requirement_invalid",
                "tier_requirement_invalid",
                "tier_requirement_invalid",
                "out_of_range",
                "unknown_reference"
            ]
        );
    }

    #[test]
    fn validate_refuses_a_track_nothing_matches() {
        let r = requirement(json!({"track": "sales", "min_level": 3}));
        let err = r.validate(Some(&catalog()), &JsonPath::root()).unwrap_err();
        assert_eq!(
            err.problems()[0].text(),
            "no certification of the catalog is a sales certification at level 3 or above"
        );
    }

    #[test]
    fn shortfall_words_read_naturally() {
        let r = requirement(json!({"any_of": ["SALES-PRO"], "people": 2}));
        assert_eq!(r.shortfall_words(&count(&r)), "1 more SALES-PRO");
        let r = requirement(
            json!({"any_of": ["SALES-FOUNDATION"], "role": "sales", "coverage": "80%"}),
        );
        assert_eq!(
            r.shortfall_words(&count(&r)),
            "1 more sales person holding SALES-FOUNDATION (coverage 66.67%, needs 80%)"
        );
    }

    #[test]
    fn check_people_refuses_strangers_and_repeats() {
        let mut list = people();
        list.push(list[0].clone());
        list[1].partner_id = "P2".into();
        let err = check_people("P1", &list, &JsonPath::root().key("people")).unwrap_err();
        let codes: Vec<(&str, &str)> = err
            .problems()
            .iter()
            .map(|p| (p.code().as_str(), p.path()))
            .collect();
        assert_eq!(
            codes,
            [
                ("person_not_at_partner", "$.people[1].partner_id"),
                ("duplicate_id", "$.people[5].id")
            ]
        );
    }
}
