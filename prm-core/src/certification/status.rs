//! [`status`], [`AwardStatus`] and [`Holdings`]: what each award means on a day.

use super::award::{Award, Timeline};
use super::catalog::{CertificationCatalog, CertificationDef};
use crate::calendar::Date;
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use crate::explain::{Explanation, Outcome, Step};
use schemars::JsonSchema;
use serde::Serialize;
use std::cmp::Ordering;

/// Where an award stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CertificationStatus {
    /// `as_of` is before the day it was earned.
    NotYetEarned,
    /// Valid, and not about to stop counting.
    Valid,
    /// Valid, and it stops being valid (or counting) within the catalog's `expiring_within_days`.
    Expiring,
    /// Past its expiry but within grace: it still counts.
    InGrace,
    /// Past its expiry and grace: it no longer counts.
    Expired,
    /// Its certification was retired and the retirement grace is over: it no longer counts.
    Retired,
    /// It was earned without its prerequisites counting that day: it never counts.
    Invalid,
}

impl CertificationStatus {
    /// The wire spelling (`in_grace`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            CertificationStatus::NotYetEarned => "not_yet_earned",
            CertificationStatus::Valid => "valid",
            CertificationStatus::Expiring => "expiring",
            CertificationStatus::InGrace => "in_grace",
            CertificationStatus::Expired => "expired",
            CertificationStatus::Retired => "retired",
            CertificationStatus::Invalid => "invalid",
        }
    }

    /// True for the statuses that count toward requirements.
    pub fn counts(self) -> bool {
        matches!(
            self,
            CertificationStatus::Valid
                | CertificationStatus::Expiring
                | CertificationStatus::InGrace
        )
    }
}

/// An award's status on a day, with the dates that explain it.
///
/// Every date is the first day something no longer holds: on `expires_on`
/// the award is no longer valid (it is `in_grace`), on `grace_until` it is
/// `expired`, and on `counts_until` it stops counting toward requirements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct AwardStatus {
    /// Who holds it.
    pub person_id: String,
    /// Which certification.
    pub cert_id: String,
    /// When it was earned.
    pub earned_on: Date,
    /// Where it stands.
    pub status: CertificationStatus,
    /// True when it counts toward requirements on `as_of`.
    pub counts: bool,
    /// The first day it is no longer valid; absent when it never expires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<Date>,
    /// The first day it may be renewed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renewal_opens_on: Option<Date>,
    /// The first day after grace: it is `expired` from this day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grace_until: Option<Date>,
    /// The first day it no longer counts; absent when it counts indefinitely.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counts_until: Option<Date>,
    /// When its certification was retired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retired_on: Option<Date>,
    /// How many renewals extended it.
    pub renewals: usize,
    /// What is wrong with the award's record (`renewal_outside_window`, `prerequisite_missing`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
    /// How the status was reached.
    pub explanation: Explanation,
}

/// Up to this many awards are searched in place rather than through a sorted index.
const SMALL: usize = 16;

/// A set of awards read against the catalog, with prerequisites resolved.
///
/// Build it once for a person's or a partner's awards and ask it which
/// awards count on which day. An award counts when its own dates say so and
/// it was earned on a day every prerequisite counted for the same person.
#[derive(Debug, Clone)]
pub struct Holdings<'a> {
    awards: &'a [Award],
    entries: Vec<Entry<'a>>,
    /// Award indices sorted by (person, certification, earned_on), for more than
    /// [`SMALL`] awards; fewer are scanned in place.
    order: Vec<usize>,
    expiring_within_days: i64,
}

/// One award read against the catalog.
#[derive(Debug, Clone)]
struct Entry<'a> {
    def: &'a CertificationDef,
    /// The certification's position in the catalog.
    index: usize,
    timeline: Timeline,
    /// Earned on a day its prerequisites counted.
    earned_validly: bool,
    /// While prerequisites are resolved: 0 unknown, 1 valid, 2 invalid.
    state: std::cell::Cell<u8>,
    /// The prerequisites that did not count.
    missing: Vec<&'a str>,
}

impl<'a> Holdings<'a> {
    /// Reads `awards` against `catalog`.
    ///
    /// # Errors
    ///
    /// `unknown_reference` at `$[i].cert_id` (relative to the awards list; move it with
    /// [`Error::under`]) for every award of a certification the catalog lacks;
    /// `date_out_of_range` when an expiry leaves the calendar.
    ///
    /// # Example
    ///
    /// ```
    /// use prm_core::certification::{Award, CertificationCatalog, Holdings};
    /// let catalog: CertificationCatalog = serde_json::from_str(r#"{"certifications": [
    ///   {"id": "SALES-FOUNDATION", "name": "Sales Foundation"},
    ///   {"id": "SALES-PRO", "name": "Sales Professional", "prerequisites": ["SALES-FOUNDATION"]}]}"#)?;
    /// let awards: Vec<Award> = serde_json::from_str(r#"[
    ///   {"person_id": "anna", "cert_id": "SALES-PRO", "earned_on": "2025-01-01"},
    ///   {"person_id": "anna", "cert_id": "SALES-FOUNDATION", "earned_on": "2025-03-01"}]"#)?;
    /// let holdings = Holdings::new(&catalog, &awards)?;
    /// // SALES-PRO was earned before its prerequisite: it never counts
    /// assert!(!holdings.holds("anna", "SALES-PRO", "2025-06-01".parse()?));
    /// assert!(holdings.holds("anna", "SALES-FOUNDATION", "2025-06-01".parse()?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(
        catalog: &'a CertificationCatalog,
        awards: &'a [Award],
    ) -> Result<Holdings<'a>, Error> {
        let path = JsonPath::root();
        let mut problems = Problems::new();
        let mut entries = Vec::with_capacity(awards.len());
        for (i, award) in awards.iter().enumerate() {
            let found = catalog
                .certifications
                .iter()
                .enumerate()
                .find(|(_, c)| c.id == award.cert_id);
            match found {
                Some((index, def)) => {
                    if let Some(timeline) = problems
                        .take(Timeline::new(def, award).map_err(|e| e.under(&path.index(i))))
                    {
                        entries.push(Entry {
                            def,
                            index,
                            timeline,
                            earned_validly: true,
                            state: std::cell::Cell::new(0),
                            missing: Vec::new(),
                        });
                    }
                }
                None => {
                    problems.take(
                        catalog.check_reference(&award.cert_id, &path.index(i).key("cert_id")),
                    );
                }
            }
        }
        problems.into_result(())?;
        let mut order: Vec<usize> = if awards.len() > SMALL {
            (0..awards.len()).collect()
        } else {
            Vec::new()
        };
        order.sort_by(|&a, &b| match (awards.get(a), awards.get(b)) {
            (Some(x), Some(y)) => (&x.person_id, &x.cert_id, x.earned_on).cmp(&(
                &y.person_id,
                &y.cert_id,
                y.earned_on,
            )),
            _ => Ordering::Equal,
        });
        let mut holdings = Holdings {
            awards,
            entries,
            order,
            expiring_within_days: i64::from(catalog.expiring_within_days),
        };
        holdings.resolve_prerequisites();
        Ok(holdings)
    }

    /// Decides, for each award, whether its prerequisites counted when it was earned.
    fn resolve_prerequisites(&mut self) {
        if self.entries.iter().all(|e| e.def.prerequisites.is_empty()) {
            return;
        }
        for i in 0..self.entries.len() {
            self.earned_validly_at(i, 0);
        }
        let lacking: Vec<(usize, Vec<&'a str>)> = (0..self.entries.len())
            .filter(|&i| self.entries.get(i).is_some_and(|e| e.state.get() == 2))
            .map(|i| (i, self.lacking(i)))
            .collect();
        for entry in &mut self.entries {
            entry.earned_validly = entry.state.get() != 2;
        }
        for (i, missing) in lacking {
            if let Some(entry) = self.entries.get_mut(i) {
                entry.missing = missing;
            }
        }
    }

    fn earned_validly_at(&self, i: usize, depth: usize) -> bool {
        let Some(entry) = self.entries.get(i) else {
            return false;
        };
        match entry.state.get() {
            1 => return true,
            2 => return false,
            _ => {}
        }
        // Prerequisites form no cycle (the catalog is validated), so the depth is bounded by
        // the catalog's size; the guard only protects against a catalog read without validation.
        if depth > self.entries.len() + 1 {
            return false;
        }
        let valid = self.prerequisites_held(i, depth).all(|(_, held)| held);
        entry.state.set(if valid { 1 } else { 2 });
        valid
    }

    /// For each prerequisite of the award at `i`: whether a valid award of it counted that day.
    fn prerequisites_held<'s>(
        &'s self,
        i: usize,
        depth: usize,
    ) -> impl Iterator<Item = (&'a str, bool)> + 's {
        let award = self.awards.get(i);
        let prerequisites = self
            .entries
            .get(i)
            .map_or(&[][..], |e| &e.def.prerequisites);
        prerequisites.iter().filter_map(move |prerequisite| {
            let award = award?;
            let held = self.indices_of(&award.person_id, prerequisite).any(|j| {
                self.entries
                    .get(j)
                    .is_some_and(|e| e.timeline.counts_on(award.earned_on))
                    && self.earned_validly_at(j, depth + 1)
            });
            Some((prerequisite.as_str(), held))
        })
    }

    /// The prerequisites that did not count when the award at `i` was earned.
    fn lacking(&self, i: usize) -> Vec<&'a str> {
        self.prerequisites_held(i, 0)
            .filter(|(_, held)| !held)
            .map(|(id, _)| id)
            .collect()
    }

    /// Indices of `person`'s awards of `cert`.
    fn indices_of<'s>(
        &'s self,
        person: &'s str,
        cert: &'s str,
    ) -> impl Iterator<Item = usize> + 's {
        let key = |i: &usize| {
            self.awards
                .get(*i)
                .map(|a| (a.person_id.as_str(), a.cert_id.as_str()))
        };
        let sorted = (!self.order.is_empty()).then(|| {
            let start = self
                .order
                .partition_point(|i| key(i).is_some_and(|k| k < (person, cert)));
            self.order
                .iter()
                .skip(start)
                .take_while(move |i| key(i) == Some((person, cert)))
                .copied()
        });
        let scanned = self
            .order
            .is_empty()
            .then(|| (0..self.awards.len()).filter(move |i| key(i) == Some((person, cert))));
        sorted
            .into_iter()
            .flatten()
            .chain(scanned.into_iter().flatten())
    }

    /// Indices of `person`'s awards.
    pub fn of_person<'s>(&'s self, person: &'s str) -> impl Iterator<Item = usize> + 's {
        let owner = |i: &usize| self.awards.get(*i).map(|a| a.person_id.as_str());
        let sorted = (!self.order.is_empty()).then(|| {
            let start = self
                .order
                .partition_point(|i| owner(i).is_some_and(|p| p < person));
            self.order
                .iter()
                .skip(start)
                .take_while(move |i| owner(i) == Some(person))
                .copied()
        });
        let scanned = self
            .order
            .is_empty()
            .then(|| (0..self.awards.len()).filter(move |i| owner(i) == Some(person)));
        sorted
            .into_iter()
            .flatten()
            .chain(scanned.into_iter().flatten())
    }

    /// The number of awards.
    pub fn len(&self) -> usize {
        self.awards.len()
    }

    /// True when there are no awards.
    pub fn is_empty(&self) -> bool {
        self.awards.is_empty()
    }

    /// The award at `i`.
    pub fn award(&self, i: usize) -> Option<&'a Award> {
        self.awards.get(i)
    }

    /// The certification of the award at `i`.
    pub fn definition(&self, i: usize) -> Option<&'a CertificationDef> {
        self.entries.get(i).map(|e| e.def)
    }

    /// The position in the catalog of the certification of the award at `i`.
    pub fn catalog_index(&self, i: usize) -> Option<usize> {
        self.entries.get(i).map(|e| e.index)
    }

    /// True when the award at `i` counts toward requirements on `date`.
    pub fn counts_on(&self, i: usize, date: Date) -> bool {
        self.entries
            .get(i)
            .is_some_and(|e| e.earned_validly && e.timeline.counts_on(date))
    }

    /// True when `person` holds an award of `cert` that counts on `date`.
    pub fn holds(&self, person: &str, cert: &str, date: Date) -> bool {
        self.indices_of(person, cert)
            .any(|i| self.counts_on(i, date))
    }

    pub(crate) fn timeline(&self, i: usize) -> Option<&Timeline> {
        self.entries.get(i).map(|e| &e.timeline)
    }

    pub(crate) fn earned_validly(&self, i: usize) -> bool {
        self.entries.get(i).is_some_and(|e| e.earned_validly)
    }

    /// True when some award record has a problem (see [`Holdings::problems`]).
    pub fn has_problems(&self) -> bool {
        self.entries
            .iter()
            .any(|e| !e.timeline.rejected.is_empty() || !e.missing.is_empty())
    }

    /// What is wrong with the award records: renewals outside their window
    /// and awards earned without their prerequisites; `path` is the awards list's.
    pub fn problems(&self, path: &JsonPath) -> Vec<Problem> {
        (0..self.awards.len())
            .flat_map(|i| self.problems_of(i, path))
            .collect()
    }

    fn problems_of(&self, i: usize, path: &JsonPath) -> Vec<Problem> {
        let mut problems = Vec::new();
        let (Some(award), Some(timeline)) = (self.awards.get(i), self.timeline(i)) else {
            return problems;
        };
        for rejected in &timeline.rejected {
            problems.push(
                Problem::new(
                    ErrorCode::RenewalOutsideWindow,
                    path.index(i).key("renewed_on").index(rejected.index),
                )
                .message(rejected.reason.clone())
                .help("a renewal outside its window does not extend the award; record a new award if it was earned again"),
            );
        }
        if let Some(lacking) = self
            .entries
            .get(i)
            .map(|e| &e.missing)
            .filter(|m| !m.is_empty())
        {
            let names: Vec<String> = lacking.iter().map(|c| format!("`{c}`")).collect();
            problems.push(
                Problem::new(
                    ErrorCode::PrerequisiteMissing,
                    path.index(i).key("earned_on"),
                )
                .message(format!(
                    "`{}` was earned on {} without {} counting that day, so it does not count",
                    award.cert_id,
                    award.earned_on,
                    join_and(&names)
                )),
            );
        }
        problems
    }

    /// The status of the award at `i` on `as_of`; `path` is the awards list's.
    pub fn status(&self, i: usize, as_of: Date, path: &JsonPath) -> Option<AwardStatus> {
        let award = self.awards.get(i)?;
        let entry = self.entries.get(i)?;
        let (timeline, def) = (&entry.timeline, entry.def);
        let earned_validly = self.earned_validly(i);
        let (status, reason) =
            status_of(timeline, earned_validly, as_of, self.expiring_within_days);
        let mut explanation = Explanation::new();
        let rule = format!("certification.{}", award.cert_id);
        explanation.push(
            Step::new(
                rule.clone(),
                Outcome::Info,
                format!(
                    "`{}` earned on {} by `{}`",
                    def.id, award.earned_on, award.person_id
                ),
            )
            .value(
                "validity_months",
                def.validity_months
                    .map_or("never expires".to_owned(), |m| m.to_string()),
            ),
        );
        for term in timeline.terms() {
            if let Some(renewed) = term.renewed_on {
                explanation.push(Step::new(
                    format!("{rule}.renewal"),
                    Outcome::Met,
                    format!(
                        "renewed on {renewed}, extending the expiry on {} by another term",
                        term.expires_on
                    ),
                ));
            }
        }
        for rejected in &timeline.rejected {
            explanation.push(Step::new(
                format!("{rule}.renewal"),
                Outcome::Failed,
                rejected.reason.clone(),
            ));
        }
        if !def.prerequisites.is_empty() {
            let lacking = entry.missing.clone();
            explanation.push(if lacking.is_empty() {
                Step::new(
                    format!("{rule}.prerequisites"),
                    Outcome::Met,
                    format!("prerequisites counted on {}", award.earned_on),
                )
            } else {
                Step::new(
                    format!("{rule}.prerequisites"),
                    Outcome::Failed,
                    format!(
                        "earned without {} counting on {}",
                        join_and(&lacking.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>()),
                        award.earned_on
                    ),
                )
            });
        }
        let outcome = if status.counts() {
            Outcome::Met
        } else {
            Outcome::Failed
        };
        explanation.push(
            Step::new(format!("{rule}.status"), outcome, reason).value("status", status.as_str()),
        );
        Some(AwardStatus {
            person_id: award.person_id.clone(),
            cert_id: award.cert_id.clone(),
            earned_on: award.earned_on,
            status,
            counts: status.counts(),
            expires_on: timeline.expires_on(),
            renewal_opens_on: timeline.renewal_opens_on,
            grace_until: timeline.grace_until,
            counts_until: if earned_validly {
                timeline.counts_until()
            } else {
                Some(award.earned_on)
            },
            retired_on: timeline.retired_on,
            renewals: timeline.terms().filter(|t| t.renewed_on.is_some()).count(),
            problems: self.problems_of(i, path),
            explanation,
        })
    }
}

fn status_of(
    timeline: &Timeline,
    earned_validly: bool,
    as_of: Date,
    expiring_within_days: i64,
) -> (CertificationStatus, String) {
    use CertificationStatus as S;
    if as_of < timeline.earned_on {
        return (
            S::NotYetEarned,
            format!("{as_of} is before it was earned on {}", timeline.earned_on),
        );
    }
    if !earned_validly {
        return (
            S::Invalid,
            "earned without its prerequisites, so it never counts".to_owned(),
        );
    }
    if timeline.earned_after_retirement {
        return (
            S::Retired,
            format!(
                "earned on or after the certification was retired on {}",
                timeline.retired_on.map_or(String::new(), |d| d.to_string())
            ),
        );
    }
    let retired_end = timeline.retired_until.filter(|end| *end <= as_of);
    let grace_end = timeline.grace_until.filter(|end| *end <= as_of);
    match (retired_end, grace_end) {
        (Some(r), Some(g)) if r <= g => return retired(timeline, r),
        (Some(r), None) => return retired(timeline, r),
        (_, Some(g)) => {
            let expired = timeline.expires_on().unwrap_or(g);
            let reason = if g > expired {
                format!(
                    "expired on {expired}; its grace ran through {}",
                    g.add_days(-1).unwrap_or(g)
                )
            } else {
                format!("expired on {expired}, without grace")
            };
            return (S::Expired, reason);
        }
        (None, None) => {}
    }
    if let Some(expired) = timeline.expires_on().filter(|e| *e <= as_of) {
        let last = timeline
            .grace_until
            .and_then(|g| g.add_days(-1).ok())
            .unwrap_or(expired);
        return (
            S::InGrace,
            format!("expired on {expired}; in grace through {last}, so it still counts"),
        );
    }
    let stop = match (timeline.expires_on(), timeline.retired_until) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    match stop {
        Some(stop) if as_of.days_until(stop) <= expiring_within_days => (
            S::Expiring,
            format!(
                "valid, and {} in {} days, on {stop}",
                if Some(stop) == timeline.expires_on() {
                    "expires"
                } else {
                    "stops counting (certification retired)"
                },
                as_of.days_until(stop)
            ),
        ),
        Some(stop) => (S::Valid, format!("valid until {stop}")),
        None => (S::Valid, "valid; it never expires".to_owned()),
    }
}

fn retired(timeline: &Timeline, end: Date) -> (CertificationStatus, String) {
    (
        CertificationStatus::Retired,
        format!(
            "the certification was retired on {} and stopped counting on {end}",
            timeline.retired_on.map_or(String::new(), |d| d.to_string())
        ),
    )
}

/// Joins names as `a`, `a and b`, `a, b and c`.
pub(crate) fn join_and<S: AsRef<str>>(items: &[S]) -> String {
    join_with(items, "and")
}

/// Joins names as `a`, `a or b`, `a, b or c`.
pub(crate) fn join_or<S: AsRef<str>>(items: &[S]) -> String {
    join_with(items, "or")
}

fn join_with<S: AsRef<str>>(items: &[S], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [init @ .., last] => {
            let head: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
            format!("{} {word} {}", head.join(", "), last.as_ref())
        }
    }
}

/// The status of every award on `as_of`, each with the dates that explain it.
///
/// Prerequisites are checked against the other awards in `awards` (the same
/// person's awards of the prerequisite certifications). Results come in the
/// order of `awards`.
///
/// # Errors
///
/// `unknown_reference` at `$[i].cert_id` for an award of a certification the
/// catalog lacks; `date_out_of_range` when an expiry leaves the calendar.
///
/// # Example
///
/// ```
/// use prm_core::certification::{Award, CertificationCatalog, CertificationStatus, status};
/// let catalog: CertificationCatalog = serde_json::from_str(r#"{"certifications": [
///   {"id": "SALES-PRO", "name": "Sales Professional",
///    "validity_months": 24, "renewal_opens_months": 6, "grace_days": 30}]}"#)?;
/// let award = Award {
///     person_id: "anna".into(), cert_id: "SALES-PRO".into(),
///     earned_on: "2024-01-10".parse()?, renewed_on: vec![],
/// };
/// let found = status(&catalog, &[award], "2026-01-20".parse()?)?;
/// assert_eq!(found[0].status, CertificationStatus::InGrace);
/// assert_eq!(found[0].grace_until.map(|d| d.to_string()).as_deref(), Some("2026-02-09"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Example: a renewal outside its window is reported, not applied
///
/// ```
/// use prm_core::certification::{Award, CertificationCatalog, status};
/// let catalog: CertificationCatalog = serde_json::from_str(r#"{"certifications": [
///   {"id": "SALES-PRO", "name": "Sales Professional",
///    "validity_months": 24, "renewal_opens_months": 6, "grace_days": 30}]}"#)?;
/// let award = Award {
///     person_id: "anna".into(), cert_id: "SALES-PRO".into(),
///     earned_on: "2024-01-10".parse()?, renewed_on: vec!["2025-05-01".parse()?],
/// };
/// let found = status(&catalog, &[award], "2025-06-01".parse()?)?;
/// assert_eq!(found[0].problems[0].code().as_str(), "renewal_outside_window");
/// assert_eq!(found[0].expires_on.map(|d| d.to_string()).as_deref(), Some("2026-01-10"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn status(
    catalog: &CertificationCatalog,
    awards: &[Award],
    as_of: Date,
) -> Result<Vec<AwardStatus>, Error> {
    let path = JsonPath::root();
    let holdings = Holdings::new(catalog, awards)?;
    Ok((0..awards.len())
        .filter_map(|i| holdings.status(i, as_of, &path))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_date;
    use serde_json::json;

    fn d(text: &str) -> Date {
        parse_date(text).unwrap()
    }

    fn catalog() -> CertificationCatalog {
        serde_json::from_value(json!({"certifications": [
            {"id": "SALES-FOUNDATION", "name": "Sales Foundation", "track": "sales", "level": 1,
             "validity_months": 12, "grace_days": 0},
            {"id": "SALES-PRO", "name": "Sales Professional", "track": "sales", "level": 2,
             "validity_months": 24, "renewal_opens_months": 6, "grace_days": 30,
             "prerequisites": ["SALES-FOUNDATION"]},
            {"id": "LEGACY", "name": "Legacy", "retired_on": "2026-01-01", "retired_grace_days": 90}
        ]}))
        .unwrap()
    }

    fn award(person: &str, cert: &str, earned: &str) -> Award {
        Award {
            person_id: person.into(),
            cert_id: cert.into(),
            earned_on: d(earned),
            renewed_on: Vec::new(),
        }
    }

    fn status_on(awards: &[Award], i: usize, as_of: &str) -> CertificationStatus {
        status(&catalog(), awards, d(as_of)).unwrap()[i].status
    }

    #[test]
    fn status_walks_through_every_stage() {
        let awards = [
            award("anna", "SALES-FOUNDATION", "2023-06-01"),
            award("anna", "SALES-PRO", "2024-01-10"),
        ];
        for &(as_of, want) in &[
            ("2024-01-09", CertificationStatus::NotYetEarned),
            ("2024-01-10", CertificationStatus::Valid),
            ("2025-10-11", CertificationStatus::Valid),
            ("2025-10-12", CertificationStatus::Expiring),
            ("2026-01-09", CertificationStatus::Expiring),
            ("2026-01-10", CertificationStatus::InGrace),
            ("2026-02-08", CertificationStatus::InGrace),
            ("2026-02-09", CertificationStatus::Expired),
        ] {
            assert_eq!(status_on(&awards, 1, as_of), want, "{as_of}");
        }
    }

    #[test]
    fn award_without_prerequisite_is_invalid() {
        let awards = [
            award("anna", "SALES-FOUNDATION", "2024-02-01"),
            award("anna", "SALES-PRO", "2024-01-10"),
            award("ben", "SALES-PRO", "2024-01-10"),
        ];
        let found = status(&catalog(), &awards, d("2024-03-01")).unwrap();
        assert_eq!(found[1].status, CertificationStatus::Invalid);
        assert_eq!(found[1].problems[0].code(), ErrorCode::PrerequisiteMissing);
        assert_eq!(found[1].problems[0].path(), "$[1].earned_on");
        assert_eq!(found[2].status, CertificationStatus::Invalid);
    }

    #[test]
    fn prerequisite_of_another_person_does_not_count() {
        let awards = [
            award("ben", "SALES-FOUNDATION", "2023-02-01"),
            award("anna", "SALES-PRO", "2024-01-10"),
        ];
        assert_eq!(
            status_on(&awards, 1, "2024-06-01"),
            CertificationStatus::Invalid
        );
    }

    #[test]
    fn expired_prerequisite_on_the_day_earned_does_not_count() {
        let awards = [
            award("anna", "SALES-FOUNDATION", "2023-01-10"),
            award("anna", "SALES-PRO", "2024-01-10"),
        ];
        // the foundation expired on 2024-01-10 (12 months, no grace): the day SALES-PRO was earned
        assert_eq!(
            status_on(&awards, 1, "2024-06-01"),
            CertificationStatus::Invalid
        );
    }

    #[test]
    fn retired_certification_counts_through_its_grace() {
        let awards = [award("anna", "LEGACY", "2020-05-05")];
        assert_eq!(
            status_on(&awards, 0, "2025-12-31"),
            CertificationStatus::Valid
        );
        assert_eq!(
            status_on(&awards, 0, "2026-01-02"),
            CertificationStatus::Expiring
        );
        assert_eq!(
            status_on(&awards, 0, "2026-03-31"),
            CertificationStatus::Expiring
        );
        assert_eq!(
            status_on(&awards, 0, "2026-04-01"),
            CertificationStatus::Retired
        );
        let late = [award("anna", "LEGACY", "2026-01-01")];
        assert_eq!(
            status_on(&late, 0, "2026-01-02"),
            CertificationStatus::Retired
        );
    }

    #[test]
    fn unknown_certification_is_an_error_with_a_suggestion() {
        let err = status(
            &catalog(),
            &[award("anna", "SALES-PR0", "2024-01-01")],
            d("2024-06-01"),
        )
        .unwrap_err();
        assert_eq!(err.problems()[0].path(), "$[0].cert_id");
        assert_eq!(
            err.problems()[0].suggestion(),
            Some("did you mean `SALES-PRO`?")
        );
    }

    #[test]
    fn many_awards_resolve_through_the_sorted_index() {
        // More than SMALL awards: prerequisites and holdings go through the sorted order.
        let mut awards: Vec<Award> = (0..12)
            .map(|k| award(&format!("p{k:02}"), "SALES-FOUNDATION", "2023-06-01"))
            .collect();
        awards.extend((0..12).map(|k| award(&format!("p{k:02}"), "SALES-PRO", "2024-01-10")));
        awards.push(award("zed", "SALES-PRO", "2024-01-10"));
        assert!(awards.len() > SMALL);
        let found = status(&catalog(), &awards, d("2024-03-01")).unwrap();
        assert!(
            found[..24]
                .iter()
                .all(|s| s.status == CertificationStatus::Valid)
        );
        assert_eq!(found[24].status, CertificationStatus::Invalid);
        let catalog = catalog();
        let holdings = Holdings::new(&catalog, &awards).unwrap();
        assert!(holdings.holds("p07", "SALES-PRO", d("2024-03-01")));
        assert_eq!(holdings.of_person("p07").count(), 2);
    }

    /// The JSON shape of an award's status is what every binding sees: pin it.
    #[test]
    fn award_status_json_shape() {
        let awards = [
            award("anna", "SALES-FOUNDATION", "2023-06-01"),
            Award {
                renewed_on: vec![d("2024-01-01")],
                ..award("anna", "SALES-PRO", "2024-01-10")
            },
        ];
        let found = status(&catalog(), &awards, d("2026-01-20")).unwrap();
        insta::assert_json_snapshot!(serde_json::to_value(&found).unwrap());
    }

    #[test]
    fn joins_read_as_english() {
        assert_eq!(join_and(&["a"]), "a");
        assert_eq!(join_and(&["a", "b"]), "a and b");
        assert_eq!(join_or(&["a", "b", "c"]), "a, b or c");
    }
}
