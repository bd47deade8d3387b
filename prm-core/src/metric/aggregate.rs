//! Aggregation: [`ResolvedMetric::compute`] turns raw records into a metric's value.

use super::def::{Measure, MetricDef, Unit};
use super::records::{Observation, Sale, SaleKind};
use crate::calendar::{Date, FiscalCalendar, Period};
use crate::certification::Holdings;
use crate::error::{Error, JsonPath};
use crate::money::{Currency, Decimal, RoundingMode};
use crate::partner::Person;
use crate::program::Program;
use schemars::JsonSchema;
use serde::Serialize;

/// What aggregation needs besides the records: the day, and the program's money and calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricContext {
    /// The day the question is asked; nothing after it is counted.
    pub as_of: Date,
    /// The fiscal calendar windows follow.
    pub fiscal: FiscalCalendar,
    /// The currency of revenue.
    pub currency: Currency,
    /// How averages and ratios are rounded.
    pub rounding: RoundingMode,
}

impl MetricContext {
    /// The context of `program` on `as_of`.
    pub fn of(program: &Program, as_of: Date) -> MetricContext {
        MetricContext {
            as_of,
            fiscal: program.fiscal_calendar(),
            currency: program.currency(),
            rounding: program.rounding(),
        }
    }
}

/// A metric with its window resolved against `as_of`, ready to compute for many partners.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedMetric<'a> {
    /// The metric's name.
    pub name: &'a str,
    /// Its definition.
    pub def: &'a MetricDef,
    /// The days it covers, for windowed measures.
    pub period: Option<Period>,
    /// The comparison days, for `revenue_growth`.
    pub preceding: Option<Period>,
}

/// The raw records one partner's metrics are computed from.
///
/// `None` means the host did not pass that kind of record at all, so a
/// metric that needs it cannot be computed (it must be given); an empty list
/// means there were none, and the metric is 0.
#[derive(Debug, Clone, Copy, Default)]
pub struct Records<'a> {
    /// Sales and refunds.
    pub sales: Option<&'a [Sale]>,
    /// Observations of named series.
    pub observations: Option<&'a [Observation]>,
    /// The partner's people.
    pub people: &'a [Person],
    /// Their awards, read against the catalog.
    pub holdings: Option<&'a Holdings<'a>>,
}

/// Where a metric's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ValueSource {
    /// The host gave it, pre-aggregated.
    Given,
    /// prm aggregated it from the records.
    Computed,
}

/// A metric's value, its unit, the days it covers and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
pub struct MetricValue {
    /// The value.
    pub value: Decimal,
    /// What it is counted in.
    pub unit: Unit,
    /// The days it covers, for windowed measures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    /// Given or computed.
    pub source: ValueSource,
}

impl MetricDef {
    /// Resolves the window against `context.as_of`, once for any number of partners.
    ///
    /// # Errors
    ///
    /// `date_out_of_range` at the calendar's ends.
    pub fn resolve<'a>(
        &'a self,
        name: &'a str,
        context: &MetricContext,
    ) -> Result<ResolvedMetric<'a>, Error> {
        let period = match &self.window {
            Some(window) => Some(window.period(context.as_of, context.fiscal)?),
            None => None,
        };
        let preceding = match (&self.window, &self.measure) {
            (Some(window), Measure::RevenueGrowth) => {
                Some(window.preceding(context.as_of, context.fiscal)?)
            }
            _ => None,
        };
        Ok(ResolvedMetric {
            name,
            def: self,
            period,
            preceding,
        })
    }
}

impl ResolvedMetric<'_> {
    /// The metric's value as `value` given by the host, with its unit and window.
    pub fn given(&self, value: Decimal) -> MetricValue {
        MetricValue {
            value,
            unit: self.def.measure.unit(),
            period: self.period,
            source: ValueSource::Given,
        }
    }

    /// Aggregates the metric from `records`; `None` when the records it needs were not passed.
    ///
    /// Revenue is sales minus refunds dated in the window. Averages are
    /// rounded to 4 places, growth to 2 and money to the currency's minor
    /// units, each once, with the program's rounding mode.
    ///
    /// # Errors
    ///
    /// `overflow` when a sum leaves the exact decimal range.
    ///
    /// # Example
    ///
    /// ```
    /// use prm_core::metric::{MetricContext, MetricDef, Records, Sale};
    /// use prm_core::{Currency, RoundingMode};
    /// let def: MetricDef = serde_json::from_str(
    ///     r#"{"measure": {"kind": "revenue"}, "window": {"kind": "trailing_months", "months": 3}}"#)?;
    /// let sales: Vec<Sale> = serde_json::from_str(r#"[
    ///   {"date": "2026-01-15", "amount": "1000.00"},
    ///   {"date": "2026-02-01", "amount": "250.00", "kind": "refund"},
    ///   {"date": "2025-12-31", "amount": "99.00"}
    /// ]"#)?;
    /// let context = MetricContext {
    ///     as_of: "2026-03-31".parse()?, fiscal: Default::default(),
    ///     currency: Currency::eur(), rounding: RoundingMode::HalfEven,
    /// };
    /// let revenue = def.resolve("revenue", &context)?;
    /// let records = Records { sales: Some(&sales), ..Records::default() };
    /// let value = revenue.compute(&records, &context)?.ok_or("not computed")?;
    /// assert_eq!(value.value.to_string(), "750.00");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn compute(
        &self,
        records: &Records<'_>,
        context: &MetricContext,
    ) -> Result<Option<MetricValue>, Error> {
        let period = self.period.unwrap_or(Period {
            start: context.as_of,
            end: context.as_of,
        });
        let places = context.currency.minor_units();
        let value = match &self.def.measure {
            Measure::Revenue => match records.sales {
                Some(sales) => Some(context.rounding.round(self.revenue(sales, period)?, places)),
                None => None,
            },
            Measure::DealsWon => records.sales.map(|sales| count(deals(sales, period))),
            Measure::Customers => records.sales.map(|sales| {
                let mut customers: Vec<&str> = deals(sales, period)
                    .filter_map(|s| s.customer_id.as_deref())
                    .collect();
                customers.sort_unstable();
                customers.dedup();
                count(customers.into_iter())
            }),
            Measure::NewCustomers => records.sales.map(|sales| new_customers(sales, period)),
            Measure::AverageDealSize => match records.sales {
                Some(sales) => {
                    let won = count(deals(sales, period));
                    let revenue = self.revenue(sales, period)?;
                    let average = revenue.checked_div(won).unwrap_or(Decimal::ZERO);
                    Some(context.rounding.round(average, places))
                }
                None => None,
            },
            Measure::RevenueGrowth => match records.sales {
                Some(sales) => {
                    let now = self.revenue(sales, period)?;
                    let before = match self.preceding {
                        Some(preceding) => self.revenue(sales, preceding)?,
                        None => Decimal::ZERO,
                    };
                    let growth = if before > Decimal::ZERO {
                        now.checked_sub(before)
                            .and_then(|gain| gain.checked_mul(Decimal::ONE_HUNDRED))
                            .and_then(|gain| gain.checked_div(before))
                            .ok_or_else(|| self.overflow("growth"))?
                    } else {
                        Decimal::ZERO
                    };
                    Some(trim(context.rounding, growth, 2))
                }
                None => None,
            },
            Measure::CertifiedPeople(filter) => records.holdings.map(|holdings| {
                let count = filter
                    .requirement()
                    .count(holdings, records.people, context.as_of);
                Decimal::from(count.holders)
            }),
            Measure::Sum { series } => match records.observations {
                Some(observations) => {
                    let mut total = Decimal::ZERO;
                    for o in in_series(observations, series, period) {
                        total = total
                            .checked_add(o.value)
                            .ok_or_else(|| self.overflow("sum"))?;
                    }
                    Some(total)
                }
                None => None,
            },
            Measure::Average { series } => match records.observations {
                Some(observations) => {
                    let mut total = Decimal::ZERO;
                    let mut n = 0i64;
                    for o in in_series(observations, series, period) {
                        total = total
                            .checked_add(o.value)
                            .ok_or_else(|| self.overflow("average"))?;
                        n += 1;
                    }
                    let average = total.checked_div(Decimal::from(n)).unwrap_or(Decimal::ZERO);
                    Some(trim(context.rounding, average, 4))
                }
                None => None,
            },
            Measure::Count { series } => records
                .observations
                .map(|observations| count(in_series(observations, series, period))),
            Measure::Custom => None,
        };
        Ok(value.map(|value| MetricValue {
            value,
            unit: self.def.measure.unit(),
            period: self.period,
            source: ValueSource::Computed,
        }))
    }

    fn revenue(&self, sales: &[Sale], period: Period) -> Result<Decimal, Error> {
        net_revenue(sales.iter().filter(|s| period.contains(s.date)))
            .ok_or_else(|| self.overflow("revenue"))
    }

    fn overflow(&self, what: &str) -> Error {
        Error::overflow(
            JsonPath::root(),
            format!("the {what} of metric `{}`", self.name),
        )
    }
}

/// Sales minus refunds, exactly as adding them one by one to zero with
/// `Decimal::checked_add` and `checked_sub` gives (`None` on overflow).
///
/// Amounts that share one scale and whose sum stays within 64 bits (nearly
/// every list of sales) are summed as integers, which is several times
/// faster; the first amount with another scale, or an overflow of the
/// integers, hands the rest to the decimal arithmetic.
pub(crate) fn net_revenue<'s>(sales: impl Iterator<Item = &'s Sale>) -> Option<Decimal> {
    let mut sales = sales.peekable();
    let Some(first) = sales.peek() else {
        return Some(Decimal::ZERO);
    };
    let scale = first.amount.amount().value().scale();
    let mut units: i64 = 0;
    while let Some(sale) = sales.peek() {
        let amount = sale.amount.amount().value();
        let Some(next) = (amount.scale() == scale)
            .then(|| i64::try_from(amount.mantissa()).ok())
            .flatten()
            .and_then(|m| match sale.kind {
                SaleKind::Sale => units.checked_add(m),
                SaleKind::Refund => units.checked_sub(m),
            })
        else {
            break;
        };
        units = next;
        sales.next();
    }
    let mut total = Decimal::new(rust_decimal::Decimal::try_new(units, scale).ok()?);
    for sale in sales {
        let amount = sale.amount.amount();
        total = match sale.kind {
            SaleKind::Sale => total.checked_add(amount),
            SaleKind::Refund => total.checked_sub(amount),
        }?;
    }
    Some(total)
}

fn deals(sales: &[Sale], period: Period) -> impl Iterator<Item = &Sale> {
    sales
        .iter()
        .filter(move |s| s.kind == SaleKind::Sale && period.contains(s.date))
}

fn in_series<'a>(
    observations: &'a [Observation],
    series: &'a str,
    period: Period,
) -> impl Iterator<Item = &'a Observation> {
    observations
        .iter()
        .filter(move |o| o.series == series && period.contains(o.date))
}

fn count<T>(items: impl Iterator<Item = T>) -> Decimal {
    Decimal::from(i64::try_from(items.count()).unwrap_or(i64::MAX))
}

fn new_customers(sales: &[Sale], period: Period) -> Decimal {
    let mut first: Vec<(&str, Date)> = sales
        .iter()
        .filter(|s| s.kind == SaleKind::Sale)
        .filter_map(|s| s.customer_id.as_deref().map(|c| (c, s.date)))
        .collect();
    first.sort_unstable();
    first.dedup_by(|later, earlier| later.0 == earlier.0);
    count(first.into_iter().filter(|(_, date)| period.contains(*date)))
}

/// Rounds a ratio to `places` and drops trailing zeros: 15.00 → 15, 4.3330 → 4.333.
fn trim(rounding: RoundingMode, value: Decimal, places: u32) -> Decimal {
    Decimal::new(rounding.round(value, places).value().normalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_date;
    use serde_json::json;

    fn context() -> MetricContext {
        MetricContext {
            as_of: parse_date("2026-03-31").unwrap(),
            fiscal: FiscalCalendar::default(),
            currency: Currency::eur(),
            rounding: RoundingMode::HalfEven,
        }
    }

    fn sales() -> Vec<Sale> {
        serde_json::from_value(json!([
            {"date": "2025-02-10", "amount": "800.00", "customer_id": "A"},
            {"date": "2025-06-10", "amount": "1000.00", "customer_id": "A"},
            {"date": "2025-07-01", "amount": "500.00", "customer_id": "B"},
            {"date": "2025-08-01", "amount": "100.00", "customer_id": "B", "kind": "refund"},
            {"date": "2026-01-05", "amount": "300.50", "customer_id": "C"},
            {"date": "2026-04-01", "amount": "999.00", "customer_id": "D"}
        ]))
        .unwrap()
    }

    fn value(measure: serde_json::Value, window: serde_json::Value) -> String {
        let def: MetricDef =
            serde_json::from_value(json!({"measure": measure, "window": window})).unwrap();
        let ctx = context();
        let sales = sales();
        let observations: Vec<Observation> = serde_json::from_value(json!([
            {"series": "csat", "date": "2026-01-10", "value": "4"},
            {"series": "csat", "date": "2026-02-10", "value": "5"},
            {"series": "csat", "date": "2026-03-10", "value": "5"},
            {"series": "deployments", "date": "2026-03-10", "value": "3"}
        ]))
        .unwrap();
        let records = Records {
            sales: Some(&sales),
            observations: Some(&observations),
            ..Records::default()
        };
        let resolved = def.resolve("m", &ctx).unwrap();
        resolved
            .compute(&records, &ctx)
            .unwrap()
            .unwrap()
            .value
            .to_string()
    }

    #[test]
    fn sales_measures_over_a_trailing_year() {
        let year = json!({"kind": "trailing_months", "months": 12});
        for (measure, want) in [
            (json!({"kind": "revenue"}), "1700.50"),
            (json!({"kind": "deals_won"}), "3"),
            (json!({"kind": "customers"}), "3"),
            (json!({"kind": "new_customers"}), "2"),
            (json!({"kind": "average_deal_size"}), "566.83"),
        ] {
            assert_eq!(value(measure.clone(), year.clone()), want, "{measure}");
        }
    }

    proptest::proptest! {
        /// The integer fast path of revenue equals adding the amounts one by
        /// one as decimals: the same value, scale and text, and the same overflow.
        #[test]
        fn prop_net_revenue_equals_the_decimal_sum(
            raw in proptest::collection::vec(
                (proptest::num::i64::ANY, 0u32..4, proptest::bool::ANY, 0u8..8),
                0..12,
            ),
        ) {
            let sales: Vec<Sale> = raw
                .iter()
                .map(|&(m, scale, refund, size)| {
                    // Mostly small cents; sometimes another scale or a huge mantissa.
                    let m = if size == 0 { m } else { (m % 10_000_000).abs() };
                    let scale = if size == 1 { scale } else { 2 };
                    Sale {
                        id: None,
                        date: parse_date("2026-01-01").unwrap(),
                        kind: if refund { SaleKind::Refund } else { SaleKind::Sale },
                        amount: crate::money::Amount::bare(Decimal::new(
                            rust_decimal::Decimal::new(m, scale),
                        )),
                        customer_id: None,
                    }
                })
                .collect();
            let mut slow = Some(Decimal::ZERO);
            for sale in &sales {
                slow = slow.and_then(|t| match sale.kind {
                    SaleKind::Sale => t.checked_add(sale.amount.amount()),
                    SaleKind::Refund => t.checked_sub(sale.amount.amount()),
                });
            }
            let fast = net_revenue(sales.iter());
            proptest::prop_assert_eq!(fast.map(|d| d.to_string()), slow.map(|d| d.to_string()));
        }
    }

    #[test]
    fn growth_compares_with_the_window_before() {
        // fiscal YTD 2026-01-01..03-31 has 300.50; the same days of 2025 had 800.00
        let growth = value(
            json!({"kind": "revenue_growth"}),
            json!({"kind": "fiscal_year_to_date"}),
        );
        assert_eq!(growth, "-62.44");
    }

    #[test]
    fn observation_measures() {
        let q = json!({"kind": "fiscal_quarter_to_date"});
        assert_eq!(
            value(json!({"kind": "average", "series": "csat"}), q.clone()),
            "4.6667"
        );
        assert_eq!(
            value(json!({"kind": "sum", "series": "deployments"}), q.clone()),
            "3"
        );
        assert_eq!(value(json!({"kind": "count", "series": "csat"}), q), "3");
    }

    #[test]
    fn measures_without_records_are_not_computed() {
        let def: MetricDef = serde_json::from_value(
            json!({"measure": {"kind": "revenue"}, "window": {"kind": "fiscal_year_to_date"}}),
        )
        .unwrap();
        let ctx = context();
        let resolved = def.resolve("revenue", &ctx).unwrap();
        assert_eq!(resolved.compute(&Records::default(), &ctx).unwrap(), None);
    }
}
