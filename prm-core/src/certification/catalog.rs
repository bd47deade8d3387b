//! [`CertificationCatalog`] and [`CertificationDef`]: what can be earned, for how long.

use crate::calendar::{Date, ReminderSchedule};
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A certification's id (`SALES-PRO`), unique within the catalog.
pub type CertificationId = String;

/// The longest validity or renewal window prm accepts, in months (100 years).
const MAX_MONTHS: i64 = 1200;
/// The longest grace prm accepts, in days (100 years).
const MAX_DAYS: i64 = 36_525;

fn default_expiring_days() -> u32 {
    90
}

/// One certification of the catalog.
///
/// Durations are counted as DOMAIN.md §1 says. An award earned on `E0`
/// expires on `E0 + validity_months` (it is no longer valid on that day);
/// it may be renewed from `renewal_opens_months` before the expiry until the
/// end of grace, and each renewal extends from the previous expiry, so
/// renewing early loses nothing. During `grace_days` after expiry the award
/// is `in_grace` and still counts. A certification `retired_on` a day keeps
/// counting for `retired_grace_days` more days, then stops.
///
/// ```
/// use prm_core::certification::CertificationDef;
/// let def: CertificationDef = serde_json::from_str(r#"{
///   "id": "SALES-PRO", "name": "Sales Professional", "track": "sales", "level": 2,
///   "validity_months": 24, "renewal_opens_months": 6, "grace_days": 30,
///   "prerequisites": ["SALES-FOUNDATION"]
/// }"#)?;
/// assert_eq!(def.validity(), Some(24));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificationDef {
    /// Unique id (`SALES-PRO`).
    pub id: CertificationId,
    /// Display name (`Sales Professional`).
    pub name: String,
    /// The track it belongs to (`sales`, `presales`, `technical`, `support`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track: Option<String>,
    /// Its level within the track (1 foundation, 2 professional, 3 expert, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<u32>,
    /// Months an award stays valid, 1 to 1200; absent: it never expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity_months: Option<i64>,
    /// Renewal opens this many months before expiry (0 to less than `validity_months`);
    /// absent: any time during the current validity period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal_opens_months: Option<i64>,
    /// Days after expiry during which the award is `in_grace` and still counts; 0 by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace_days: Option<i64>,
    /// Certifications that must count on the day an award of this one is earned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prerequisites: Vec<CertificationId>,
    /// The day the certification was retired: no award earned from then counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired_on: Option<Date>,
    /// Days after `retired_on` during which earlier awards still count; 0 by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired_grace_days: Option<i64>,
}

impl CertificationDef {
    /// Months of validity, when the certification expires.
    pub fn validity(&self) -> Option<i32> {
        self.validity_months
            .and_then(|m| i32::try_from(m.clamp(1, MAX_MONTHS)).ok())
    }

    /// Months before expiry that renewal opens, when limited.
    pub fn renewal_opens(&self) -> Option<i32> {
        self.renewal_opens_months
            .and_then(|m| i32::try_from(m.clamp(0, MAX_MONTHS)).ok())
    }

    /// Days of grace after expiry.
    pub fn grace(&self) -> i64 {
        self.grace_days.unwrap_or(0).clamp(0, MAX_DAYS)
    }

    /// Days after retirement that earlier awards still count.
    pub fn retired_grace(&self) -> i64 {
        self.retired_grace_days.unwrap_or(0).clamp(0, MAX_DAYS)
    }

    fn validate(&self, path: &JsonPath, problems: &mut Problems) {
        let duration = |field: &str, message: String| {
            Problem::new(ErrorCode::CertificationDurationInvalid, path.key(field)).message(message)
        };
        if let Some(months) = self.validity_months
            && !(1..=MAX_MONTHS).contains(&months)
        {
            problems.push(
                duration(
                    "validity_months",
                    format!("validity_months must be 1 to {MAX_MONTHS}, found {months}"),
                )
                .help("leave validity_months out for a certification that never expires"),
            );
        }
        match (self.renewal_opens_months, self.validity_months) {
            (Some(opens), _) if opens < 0 => problems.push(duration(
                "renewal_opens_months",
                format!("renewal_opens_months must not be negative, found {opens}"),
            )),
            (Some(_), None) => problems.push(
                duration(
                    "renewal_opens_months",
                    format!("`{}` never expires, so renewal_opens_months means nothing", self.id),
                )
                .help("set validity_months, or leave renewal_opens_months out"),
            ),
            (Some(opens), Some(validity)) if opens >= validity && validity > 0 => problems.push(
                duration(
                    "renewal_opens_months",
                    format!(
                        "renewal_opens_months ({opens}) must be less than validity_months ({validity}): renewal would open before the award is earned"
                    ),
                )
                .help("leave renewal_opens_months out to allow renewal at any time before expiry"),
            ),
            _ => {}
        }
        match (self.grace_days, self.validity_months) {
            (Some(days), _) if !(0..=MAX_DAYS).contains(&days) => problems.push(duration(
                "grace_days",
                format!("grace_days must be 0 to {MAX_DAYS}, found {days}"),
            )),
            (Some(days), None) if days > 0 => problems.push(
                duration(
                    "grace_days",
                    format!("`{}` never expires, so grace_days means nothing", self.id),
                )
                .help("set validity_months, or leave grace_days out"),
            ),
            _ => {}
        }
        match (self.retired_grace_days, self.retired_on) {
            (Some(days), _) if !(0..=MAX_DAYS).contains(&days) => problems.push(duration(
                "retired_grace_days",
                format!("retired_grace_days must be 0 to {MAX_DAYS}, found {days}"),
            )),
            (Some(days), None) if days > 0 => problems.push(
                duration(
                    "retired_grace_days",
                    format!(
                        "`{}` is not retired, so retired_grace_days means nothing",
                        self.id
                    ),
                )
                .help("set retired_on, or leave retired_grace_days out"),
            ),
            _ => {}
        }
    }
}

/// The certification catalog: the `certifications` section of the program.
///
/// ```
/// use prm_core::Program;
/// let program = Program::from_json(r#"{
///   "schema_version": 1, "currency": "EUR",
///   "certifications": {
///     "reminder_days": [90, 60, 30, 7],
///     "certifications": [
///       {"id": "SALES-FOUNDATION", "name": "Sales Foundation", "track": "sales", "level": 1},
///       {"id": "SALES-PRO", "name": "Sales Professional", "track": "sales", "level": 2,
///        "validity_months": 24, "renewal_opens_months": 6, "grace_days": 30,
///        "prerequisites": ["SALES-FOUNDATION"]}
///     ]
///   }
/// }"#)?;
/// let catalog = program.certifications().ok_or("no catalog")?;
/// assert_eq!(catalog.certification("SALES-PRO").map(|c| c.level), Some(Some(2)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Example: a prerequisite cycle is reported with the cycle
///
/// ```
/// use prm_core::Program;
/// let err = Program::from_json(r#"{"schema_version": 1, "currency": "EUR", "certifications": {"certifications": [
///   {"id": "A", "name": "A", "prerequisites": ["B"]},
///   {"id": "B", "name": "B", "prerequisites": ["A"]}
/// ]}}"#).unwrap_err();
/// assert_eq!(err.problems()[0].text(), "prerequisites form a cycle: `A` → `B` → `A`");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificationCatalog {
    /// The certifications, in any order; ids are unique.
    pub certifications: Vec<CertificationDef>,
    /// Days before expiry on which `certifications.reminders` reminds (`[90, 60, 30, 7]`); none by default.
    #[serde(default, skip_serializing_if = "ReminderSchedule::is_empty")]
    pub reminder_days: ReminderSchedule,
    /// An award that stops counting within this many days is `expiring`; 90 by default.
    #[serde(default = "default_expiring_days")]
    pub expiring_within_days: u32,
}

impl Default for CertificationCatalog {
    fn default() -> CertificationCatalog {
        CertificationCatalog {
            certifications: Vec::new(),
            reminder_days: ReminderSchedule::default(),
            expiring_within_days: default_expiring_days(),
        }
    }
}

impl CertificationCatalog {
    /// Checks ids, prerequisites and durations; every problem is reported under `path`.
    ///
    /// # Errors
    ///
    /// * `duplicate_id` for a repeated certification id;
    /// * `unknown_reference` for a prerequisite that is not in the catalog;
    /// * `prerequisite_cycle` for each cycle of prerequisites, listing it;
    /// * `certification_duration_invalid` for a negative, zero or meaningless duration;
    /// * `invalid_value` for a reminder day listed twice.
    pub fn validate(&self, path: &JsonPath) -> Result<(), Error> {
        let mut problems = Problems::new();
        let list = path.key("certifications");
        let mut index: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, def) in self.certifications.iter().enumerate() {
            if index.insert(def.id.as_str(), i).is_some() {
                problems.push(
                    Problem::new(ErrorCode::DuplicateId, list.index(i).key("id"))
                        .message(format!("certification id `{}` is used twice", def.id)),
                );
            }
            def.validate(&list.index(i), &mut problems);
        }
        for (i, def) in self.certifications.iter().enumerate() {
            for (j, prerequisite) in def.prerequisites.iter().enumerate() {
                if !index.contains_key(prerequisite.as_str()) {
                    problems.take(self.check_reference(
                        prerequisite,
                        &list.index(i).key("prerequisites").index(j),
                    ));
                }
            }
        }
        for cycle in self.cycles(&index) {
            let names: Vec<String> = cycle
                .iter()
                .chain(cycle.first())
                .filter_map(|&i| self.certifications.get(i))
                .map(|c| format!("`{}`", c.id))
                .collect();
            let first = cycle.first().copied().unwrap_or(0);
            let message = if cycle.len() == 1 {
                format!(
                    "`{}` lists itself as a prerequisite",
                    self.certifications.get(first).map_or("", |c| c.id.as_str())
                )
            } else {
                format!("prerequisites form a cycle: {}", names.join(" → "))
            };
            problems.push(
                Problem::new(
                    ErrorCode::PrerequisiteCycle,
                    list.index(first).key("prerequisites"),
                )
                .message(message)
                .help("remove one prerequisite of the cycle"),
            );
        }
        problems.take(self.reminder_days.validate(&path.key("reminder_days")));
        problems.into_result(())
    }

    /// Each prerequisite cycle once, as catalog indices starting at its smallest.
    fn cycles(&self, index: &BTreeMap<&str, usize>) -> BTreeSet<Vec<usize>> {
        #[derive(Clone, Copy, PartialEq)]
        enum Color {
            White,
            Gray,
            Black,
        }
        let edges: Vec<Vec<usize>> = self
            .certifications
            .iter()
            .map(|c| {
                c.prerequisites
                    .iter()
                    .filter_map(|p| index.get(p.as_str()).copied())
                    .collect()
            })
            .collect();
        let mut color = vec![Color::White; edges.len()];
        let mut cycles = BTreeSet::new();
        for start in 0..edges.len() {
            if color.get(start) != Some(&Color::White) {
                continue;
            }
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            if let Some(c) = color.get_mut(start) {
                *c = Color::Gray;
            }
            while let Some((node, next)) = stack.last().copied() {
                let target = edges.get(node).and_then(|e| e.get(next)).copied();
                if let Some(top) = stack.last_mut() {
                    top.1 += 1;
                }
                match target {
                    Some(target) => match color.get(target).copied() {
                        Some(Color::White) => {
                            if let Some(c) = color.get_mut(target) {
                                *c = Color::Gray;
                            }
                            stack.push((target, 0));
                        }
                        Some(Color::Gray) => {
                            let from = stack.iter().position(|&(n, _)| n == target).unwrap_or(0);
                            let mut cycle: Vec<usize> =
                                stack.iter().skip(from).map(|&(n, _)| n).collect();
                            let smallest = cycle
                                .iter()
                                .enumerate()
                                .min_by_key(|&(_, n)| *n)
                                .map_or(0, |(i, _)| i);
                            cycle.rotate_left(smallest);
                            cycles.insert(cycle);
                        }
                        _ => {}
                    },
                    None => {
                        if let Some(c) = color.get_mut(node) {
                            *c = Color::Black;
                        }
                        stack.pop();
                    }
                }
            }
        }
        cycles
    }

    /// The certification with this id.
    pub fn certification(&self, id: &str) -> Option<&CertificationDef> {
        self.certifications.iter().find(|c| c.id == id)
    }

    /// Checks that `id` names a certification, for cross-references from other sections.
    ///
    /// # Errors
    ///
    /// `unknown_reference` at `path`, with the closest id as a suggestion.
    pub fn check_reference(&self, id: &str, path: &JsonPath) -> Result<(), Error> {
        if self.certification(id).is_some() {
            return Ok(());
        }
        let mut problem = Problem::new(ErrorCode::UnknownReference, path)
            .message(format!("unknown certification `{id}`"));
        if let Some(close) =
            crate::input::did_you_mean(id, self.certifications.iter().map(|c| c.id.as_str()))
        {
            problem = problem.help(format!("did you mean `{close}`?"));
        }
        Err(Error::problem(problem))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn catalog(value: serde_json::Value) -> CertificationCatalog {
        serde_json::from_value(value).unwrap()
    }

    fn problems(catalog: &CertificationCatalog) -> Vec<(String, String, String)> {
        match catalog.validate(&JsonPath::root()) {
            Ok(()) => Vec::new(),
            Err(e) => e
                .problems()
                .iter()
                .map(|p| {
                    (
                        p.code().to_string(),
                        p.path().to_owned(),
                        p.text().to_owned(),
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn validate_reports_each_cycle_once_with_its_members() {
        let c = catalog(json!({"certifications": [
            {"id": "A", "name": "A", "prerequisites": ["C"]},
            {"id": "B", "name": "B", "prerequisites": ["A"]},
            {"id": "C", "name": "C", "prerequisites": ["B"]},
            {"id": "D", "name": "D", "prerequisites": ["D", "A"]}
        ]}));
        assert_eq!(
            problems(&c),
            vec![
                (
                    "prerequisite_cycle".into(),
                    "$.certifications[0].prerequisites".into(),
                    "prerequisites form a cycle: `A` → `C` → `B` → `A`".into()
                ),
                (
                    "prerequisite_cycle".into(),
                    "$.certifications[3].prerequisites".into(),
                    "`D` lists itself as a prerequisite".into()
                ),
            ]
        );
    }

    #[test]
    fn validate_reports_unknown_prerequisite_with_suggestion() {
        let c = catalog(json!({"certifications": [
            {"id": "SALES-PRO", "name": "x", "prerequisites": ["SALES-FOUNDATON"]},
            {"id": "SALES-FOUNDATION", "name": "y"}
        ]}));
        let err = c.validate(&JsonPath::root()).unwrap_err();
        assert_eq!(
            err.problems()[0].path(),
            "$.certifications[0].prerequisites[0]"
        );
        assert_eq!(
            err.problems()[0].suggestion(),
            Some("did you mean `SALES-FOUNDATION`?")
        );
    }

    #[test]
    fn validate_refuses_meaningless_durations() {
        let c = catalog(json!({"certifications": [
            {"id": "A", "name": "A", "validity_months": 0},
            {"id": "B", "name": "B", "validity_months": 12, "renewal_opens_months": 12, "grace_days": -1},
            {"id": "C", "name": "C", "grace_days": 30, "retired_grace_days": 10},
            {"id": "D", "name": "D", "validity_months": 24, "renewal_opens_months": 6, "grace_days": 30}
        ]}));
        let found: Vec<String> = problems(&c).into_iter().map(|p| p.1).collect();
        assert_eq!(
            found,
            vec![
                "$.certifications[0].validity_months",
                "$.certifications[1].renewal_opens_months",
                "$.certifications[1].grace_days",
                "$.certifications[2].grace_days",
                "$.certifications[2].retired_grace_days",
            ]
        );
    }

    #[test]
    fn validate_refuses_duplicate_ids() {
        let c = catalog(json!({"certifications": [
            {"id": "A", "name": "A"}, {"id": "A", "name": "again"}
        ]}));
        assert_eq!(problems(&c)[0].0, "duplicate_id");
    }
}
