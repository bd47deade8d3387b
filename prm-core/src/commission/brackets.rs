//! [`BracketTable`]: rates that depend on how large the basis is.

use super::plan::TransactionFilter;
use crate::error::{ErrorCode, JsonPath, Problem, Problems};
use crate::money::{Amount, Currency, Decimal, Rate};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The most brackets one table may hold before it is refused with `list_too_long`.
pub const MAX_BRACKETS: usize = 1_000;

/// What a bracket table is measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BracketScope {
    /// Each transaction share on its own: a 12,000 sale pays the brackets of 12,000.
    #[default]
    Transaction,
    /// The period's net basis: the table is applied once to the sum of the
    /// period's matching sales minus their refunds, and each line receives its
    /// share of the result.
    Period,
}

/// How a bracket table turns a basis into an amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BracketMode {
    /// Each slice of the basis at its own bracket's rate (like income tax).
    #[default]
    Graduated,
    /// The whole basis at the rate of the bracket it reaches.
    Retroactive,
}

/// One bracket: amounts from `from` (included) up to `to` (excluded) earn `rate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bracket {
    /// Where the bracket starts (included); the first bracket starts at `0`.
    pub from: Amount,
    /// Where it ends (excluded), which is where the next bracket starts; absent on the last bracket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Amount>,
    /// The rate paid in this bracket (`"0.07"` or `"7%"`).
    pub rate: Rate,
}

/// A table of contiguous brackets, applied per transaction or to the period's net basis.
///
/// Brackets are half-open, `[from, to)`: a basis of exactly 10,000 with
/// brackets `0-10,000` and `10,000-50,000` has *reached* the second bracket,
/// which matters in `retroactive` mode (in `graduated` mode the slice above
/// 10,000 is empty either way).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BracketTable {
    /// Rule id, unique within the plan (`volume`); lines cite it.
    pub id: String,
    /// Per transaction, or cumulative over the period.
    #[serde(default)]
    pub scope: BracketScope,
    /// Graduated or retroactive.
    #[serde(default)]
    pub mode: BracketMode,
    /// The brackets, from 0 upwards, contiguous, the last one open-ended.
    pub brackets: Vec<Bracket>,
    /// Which transactions the table applies to (and, for a period table, which count toward its basis).
    #[serde(default, skip_serializing_if = "TransactionFilter::is_empty")]
    pub when: TransactionFilter,
}

/// A validated bracket in plan currency: `[from, to)` at `rate`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Step {
    pub(crate) from: Decimal,
    pub(crate) to: Option<Decimal>,
    pub(crate) rate: Decimal,
}

/// One slice of a basis inside one bracket, for the explanation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Slice {
    pub(crate) index: usize,
    pub(crate) from: Decimal,
    pub(crate) to: Decimal,
    pub(crate) rate: Decimal,
    pub(crate) amount: Decimal,
}

impl BracketTable {
    /// Checks the brackets start at 0, are contiguous, do not overlap, end open and have no negative rate.
    pub(crate) fn validate(&self, currency: Currency, path: &JsonPath, problems: &mut Problems) {
        let at = path.key("brackets");
        if self.brackets.is_empty() {
            problems.push(
                Problem::new(ErrorCode::CommissionBracketGap, &at)
                    .message(format!("bracket table `{}` has no brackets", self.id))
                    .help("add at least one bracket: {\"from\": \"0\", \"rate\": \"5%\"}"),
            );
            return;
        }
        if self.brackets.len() > MAX_BRACKETS {
            problems.push(
                Problem::new(ErrorCode::ListTooLong, &at)
                    .message(format!(
                        "bracket table `{}` holds {} brackets; a table holds at most {MAX_BRACKETS}",
                        self.id,
                        self.brackets.len()
                    ))
                    .help("merge neighbouring brackets that pay the same rate"),
            );
            return;
        }
        let mut previous_end: Option<Option<Decimal>> = None;
        let last = self.brackets.len() - 1;
        for (i, bracket) in self.brackets.iter().enumerate() {
            let here = at.index(i);
            let from = super::plan::money_in(bracket.from, currency, &here.key("from"), problems);
            let to = bracket
                .to
                .and_then(|to| super::plan::money_in(to, currency, &here.key("to"), problems));
            if bracket.rate.fraction().is_negative() {
                problems.push(
                    Problem::new(ErrorCode::CommissionNegativeRate, here.key("rate")).message(
                        format!("bracket rate must not be negative, found {}", bracket.rate),
                    ),
                );
            }
            let Some(from) = from else { continue };
            match previous_end {
                None if !from.is_zero() => problems.push(
                    Problem::new(ErrorCode::CommissionBracketGap, here.key("from"))
                        .message(format!("the first bracket must start at 0, found {from}"))
                        .help("add a bracket from 0 (at rate 0 if nothing is paid below this amount)"),
                ),
                Some(None) => problems.push(
                    Problem::new(ErrorCode::CommissionBracketOverlap, here.key("from"))
                        .message(format!(
                            "bracket starts at {from} but the bracket before it has no `to` and covers every amount above its start"
                        ))
                        .help("give the earlier bracket a `to`; only the last bracket may be open-ended"),
                ),
                Some(Some(end)) if from < end => problems.push(
                    Problem::new(ErrorCode::CommissionBracketOverlap, here.key("from"))
                        .message(format!(
                            "bracket starts at {from}, inside the previous bracket which ends at {end}"
                        ))
                        .help(format!("start this bracket at {end}")),
                ),
                Some(Some(end)) if from > end => problems.push(
                    Problem::new(ErrorCode::CommissionBracketGap, here.key("from"))
                        .message(format!(
                            "bracket starts at {from} but the previous bracket ends at {end}, leaving {end} to {from} uncovered"
                        ))
                        .help(format!("start this bracket at {end}")),
                ),
                _ => {}
            }
            if let Some(to) = to
                && to <= from
            {
                problems.push(
                    Problem::new(ErrorCode::CommissionBracketOverlap, here.key("to")).message(
                        format!("bracket ends at {to}, which is not above its start {from}"),
                    ),
                );
            }
            if i == last && bracket.to.is_some() {
                problems.push(
                    Problem::new(ErrorCode::CommissionBracketGap, here.key("to"))
                        .message(format!(
                            "the last bracket ends at {}, so larger amounts fall in no bracket",
                            to.map_or_else(String::new, |t| t.to_string())
                        ))
                        .help("remove `to` from the last bracket"),
                );
            }
            previous_end = Some(to);
        }
    }

    /// The validated steps, in plan currency.
    pub(crate) fn steps(&self) -> Vec<Step> {
        self.brackets
            .iter()
            .map(|b| Step {
                from: b.from.amount(),
                to: b.to.map(Amount::amount),
                rate: b.rate.fraction(),
            })
            .collect()
    }
}

/// The amount `steps` pay on `basis` in `mode`, unrounded; a basis at or below 0 pays 0.
pub(crate) fn evaluate(steps: &[Step], mode: BracketMode, basis: Decimal) -> Option<Decimal> {
    if basis <= Decimal::ZERO {
        return Some(Decimal::ZERO);
    }
    match mode {
        BracketMode::Graduated => {
            let mut total = Decimal::ZERO;
            for step in steps {
                if basis <= step.from {
                    break;
                }
                let top = step.to.map_or(basis, |to| to.min(basis));
                let slice = top.checked_sub(step.from)?;
                total = total.checked_add(slice.checked_mul(step.rate)?)?;
            }
            Some(total)
        }
        BracketMode::Retroactive => {
            let rate = reached(steps, basis).map_or(Decimal::ZERO, |(_, s)| s.rate);
            basis.checked_mul(rate)
        }
    }
}

/// The bracket `basis` falls in (half-open, so a basis equal to a bracket's `from` is in it).
pub(crate) fn reached(steps: &[Step], basis: Decimal) -> Option<(usize, &Step)> {
    steps
        .iter()
        .enumerate()
        .rev()
        .find(|(_, step)| basis >= step.from)
}

/// The slices of `basis` in each bracket, for explanations (graduated mode).
pub(crate) fn slices(steps: &[Step], basis: Decimal) -> Vec<Slice> {
    let mut out = Vec::new();
    for (index, step) in steps.iter().enumerate() {
        if basis <= step.from {
            break;
        }
        let top = step.to.map_or(basis, |to| to.min(basis));
        let slice = top.checked_sub(step.from).unwrap_or(Decimal::ZERO);
        out.push(Slice {
            index,
            from: step.from,
            to: top,
            rate: step.rate,
            amount: slice.checked_mul(step.rate).unwrap_or(Decimal::ZERO),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn domain_steps() -> Vec<Step> {
        vec![
            Step {
                from: d("0"),
                to: Some(d("10000")),
                rate: d("0.05"),
            },
            Step {
                from: d("10000"),
                to: Some(d("50000")),
                rate: d("0.07"),
            },
            Step {
                from: d("50000"),
                to: None,
                rate: d("0.10"),
            },
        ]
    }

    /// DOMAIN.md §5 worked example: net basis 60,000.
    #[test]
    fn domain_example_graduated_and_retroactive() {
        let steps = domain_steps();
        assert_eq!(
            evaluate(&steps, BracketMode::Graduated, d("60000")),
            Some(d("4300"))
        );
        assert_eq!(
            evaluate(&steps, BracketMode::Retroactive, d("60000")),
            Some(d("6000"))
        );
        let amounts: Vec<String> = slices(&steps, d("60000"))
            .iter()
            .map(|s| s.amount.value().normalize().to_string())
            .collect();
        assert_eq!(amounts, vec!["500", "2800", "1000"]);
    }

    #[test]
    fn bracket_edges_belong_to_the_upper_bracket() {
        let steps = domain_steps();
        for &(basis, graduated, retroactive) in &[
            ("10000", "500", "700"),
            ("9999.99", "499.9995", "499.9995"),
            ("50000", "3300", "5000"),
            ("0", "0", "0"),
            ("-5", "0", "0"),
        ] {
            assert_eq!(
                evaluate(&steps, BracketMode::Graduated, d(basis)).map(|v| v.value().normalize()),
                Some(d(graduated).value().normalize()),
                "graduated {basis}"
            );
            assert_eq!(
                evaluate(&steps, BracketMode::Retroactive, d(basis)).map(|v| v.value().normalize()),
                Some(d(retroactive).value().normalize()),
                "retroactive {basis}"
            );
        }
    }

    fn table(brackets: &[(&str, Option<&str>, &str)]) -> BracketTable {
        BracketTable {
            id: "t".into(),
            scope: BracketScope::Period,
            mode: BracketMode::Graduated,
            brackets: brackets
                .iter()
                .map(|(from, to, rate)| Bracket {
                    from: Amount::bare(d(from)),
                    to: to.map(|t| Amount::bare(d(t))),
                    rate: rate.parse().unwrap(),
                })
                .collect(),
            when: TransactionFilter::default(),
        }
    }

    fn codes(t: &BracketTable) -> Vec<(String, String)> {
        let mut problems = Problems::new();
        t.validate(Currency::eur(), &JsonPath::root(), &mut problems);
        problems
            .into_vec()
            .into_iter()
            .map(|p| (p.code().to_string(), p.path().to_owned()))
            .collect()
    }

    #[test]
    fn validate_reports_overlaps_gaps_and_negative_rates() {
        let t = table(&[
            ("0", Some("10000"), "0.05"),
            ("9000", Some("50000"), "0.07"),
            ("60000", None, "-0.1"),
        ]);
        assert_eq!(
            codes(&t),
            vec![
                (
                    "commission_bracket_overlap".into(),
                    "$.brackets[1].from".into()
                ),
                (
                    "commission_negative_rate".into(),
                    "$.brackets[2].rate".into()
                ),
                ("commission_bracket_gap".into(), "$.brackets[2].from".into()),
            ]
        );
        let t = table(&[("100", Some("200"), "0.05")]);
        assert_eq!(
            codes(&t),
            vec![
                ("commission_bracket_gap".into(), "$.brackets[0].from".into()),
                ("commission_bracket_gap".into(), "$.brackets[0].to".into()),
            ]
        );
        assert!(codes(&table(&[("0", Some("10"), "0.05"), ("10", None, "0.07")])).is_empty());
    }
}
