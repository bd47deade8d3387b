//! A whole partner-program quarter on the embedded sample program.
//!
//! `cargo run --release -p prm-core --example quarter`
//!
//! Builds Northwind Partner Network (about two hundred partners in nine
//! countries, their people and certifications, twelve months of sales and
//! the first quarter of 2026's leads) from a fixed seed, validates the
//! program through the same JSON facade every binding uses, and prints a
//! report of each engine's work for the quarter.

use prm_core::partner::PartnerStatus;
use prm_core::sample::{self, SampleQuarter};
use prm_core::{Currency, Decimal, Error, Money, Program};
use std::collections::BTreeMap;

fn main() {
    if let Err(error) = run() {
        eprintln!("quarter: {error}");
        for problem in error.problems() {
            eprintln!("  {problem}");
        }
        std::process::exit(1);
    }
}

fn run() -> Result<(), Error> {
    let sample = sample::quarter();
    let program = Program::from_value(&sample.program)?;
    let quarter = sample::quarter_period();
    let as_of = sample::as_of();

    heading(&format!(
        "{} — quarter {} (as of {as_of})",
        program.name().unwrap_or("partner program"),
        quarter
    ));
    program_section(&program)?;
    partners_section(&sample);
    people_section(&sample, as_of);
    sales_section(&sample, &program)?;
    leads_section(&sample);
    mdf_section(&sample, &program)?;
    Ok(())
}

fn heading(title: &str) {
    println!("\n{title}\n{}", "=".repeat(title.chars().count()));
}

fn subheading(title: &str) {
    println!("\n{title}\n{}", "-".repeat(title.chars().count()));
}

/// A table of counts, largest first, then by name.
fn print_counts<K: std::fmt::Display + Ord>(counts: &BTreeMap<K, usize>) {
    let mut rows: Vec<(&K, &usize)> = counts.iter().collect();
    rows.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (key, count) in rows {
        println!("  {:<24} {count:>6}", key.to_string());
    }
}

fn program_section(program: &Program) -> Result<(), Error> {
    subheading("Program");
    let answer = prm_core::api::call_value(
        "program.validate",
        &serde_json::json!({ "program": program.to_value() }),
    )?;
    println!(
        "  valid            {}",
        answer.get("valid").map_or("?".into(), ToString::to_string)
    );
    println!("  schema_version   {}", prm_core::program::SCHEMA_VERSION);
    println!(
        "  currency         {} ({} minor units)",
        program.currency(),
        program.currency().minor_units()
    );
    println!("  rounding         {}", program.rounding().as_str());
    let quarter = program.fiscal_calendar().quarter(sample::as_of())?;
    println!(
        "  fiscal quarter   FY{} Q{} ({})",
        quarter.year, quarter.quarter, quarter.period
    );
    let sections = program.sections();
    println!(
        "  engine sections  {}",
        if sections.is_empty() {
            "none yet".to_owned()
        } else {
            sections.join(", ")
        }
    );
    Ok(())
}

fn partners_section(sample: &SampleQuarter) {
    subheading(&format!("Partners ({})", sample.partners.len()));
    let mut by_country = BTreeMap::new();
    let mut by_kind = BTreeMap::new();
    let mut by_status = BTreeMap::new();
    for partner in &sample.partners {
        *by_country.entry(partner.country.clone()).or_insert(0) += 1;
        *by_kind
            .entry(format!("{:?}", partner.kind).to_lowercase())
            .or_insert(0) += 1;
        *by_status
            .entry(format!("{:?}", partner.status).to_lowercase())
            .or_insert(0) += 1;
    }
    println!(" by country");
    print_counts(&by_country);
    println!(" by kind");
    print_counts(&by_kind);
    println!(" by status");
    print_counts(&by_status);
    let located = sample
        .partners
        .iter()
        .filter(|p| p.location.is_some())
        .count();
    let two_tier = sample
        .partners
        .iter()
        .filter(|p| p.parent_id.is_some())
        .count();
    println!("  with coordinates {located}, resellers under a distributor {two_tier}");
}

fn people_section(sample: &SampleQuarter, as_of: prm_core::calendar::Date) {
    let active = sample
        .people
        .iter()
        .filter(|p| p.is_active_on(as_of))
        .count();
    subheading(&format!(
        "People ({} on file, {active} active on {as_of})",
        sample.people.len()
    ));
    let mut by_cert = BTreeMap::new();
    for award in &sample.awards {
        *by_cert.entry(award.cert_id.clone()).or_insert(0) += 1;
    }
    println!(" certification awards on file");
    print_counts(&by_cert);
}

fn sales_section(sample: &SampleQuarter, program: &Program) -> Result<(), Error> {
    let quarter = sample::quarter_period();
    let currency: Currency = program.currency();
    let in_quarter: Vec<_> = sample
        .sales
        .iter()
        .filter(|s| quarter.contains(s.date))
        .collect();
    subheading(&format!(
        "Sales in the quarter ({} transactions)",
        in_quarter.len()
    ));
    let mut by_month: BTreeMap<String, (Money, Money)> = BTreeMap::new();
    let mut by_partner: BTreeMap<&str, Money> = BTreeMap::new();
    let zero = Money::zero(currency);
    for sale in &in_quarter {
        let amount = Money::new(sale.amount, currency);
        let month = format!("{:04}-{:02}", sale.date.year(), sale.date.month());
        let entry = by_month.entry(month).or_insert((zero, zero));
        let net = by_partner.entry(sale.partner_id.as_str()).or_insert(zero);
        if sale.kind == "refund" {
            entry.1 = entry.1.checked_add(amount)?;
            *net = net.checked_sub(amount)?;
        } else {
            entry.0 = entry.0.checked_add(amount)?;
            *net = net.checked_add(amount)?;
        }
    }
    let mut total = (zero, zero);
    println!("  {:<8} {:>16} {:>14}", "month", "sales", "refunds");
    for (month, (sold, refunded)) in &by_month {
        println!(
            "  {month:<8} {:>16} {:>14}",
            sold.to_string(),
            refunded.to_string()
        );
        total = (total.0.checked_add(*sold)?, total.1.checked_add(*refunded)?);
    }
    println!(
        "  {:<8} {:>16} {:>14}",
        "total",
        total.0.to_string(),
        total.1.to_string()
    );
    let mut top: Vec<(&str, Money)> = by_partner.into_iter().collect();
    top.sort_by(|a, b| b.1.amount().cmp(&a.1.amount()).then(a.0.cmp(b.0)));
    println!(" top partners by net sales");
    let names: BTreeMap<&str, &str> = sample
        .partners
        .iter()
        .map(|p| (p.id.as_str(), p.name.as_str()))
        .collect();
    for (id, net) in top.iter().take(5) {
        println!(
            "  {id} {:<32} {:>14}",
            names.get(id).copied().unwrap_or("?"),
            net.to_string()
        );
    }
    let suspended_selling = sample
        .sales
        .iter()
        .filter(|s| quarter.contains(s.date))
        .filter(|s| {
            sample
                .partners
                .iter()
                .any(|p| p.id == s.partner_id && p.status == PartnerStatus::Suspended)
        })
        .count();
    println!("  transactions by suspended partners: {suspended_selling}");
    Ok(())
}

fn leads_section(sample: &SampleQuarter) {
    subheading(&format!("Leads in the quarter ({})", sample.leads.len()));
    let mut by_country = BTreeMap::new();
    let mut value = Decimal::ZERO;
    for lead in &sample.leads {
        *by_country.entry(lead.country).or_insert(0) += 1;
        value = value.checked_add(lead.estimated_value).unwrap_or(value);
    }
    print_counts(&by_country);
    let located = sample.leads.iter().filter(|l| l.location.is_some()).count();
    println!("  with coordinates {located}; estimated pipeline {value} EUR");
    if let Some(first) = sample.leads.first().and_then(|l| l.location) {
        println!("  first lead arrives near {}", sample::nearest_city(first));
    }
}

/// Market development funds: allocate the quarter's pool, run a quarter of
/// requests and claims through the ledger (via `mdf.apply`, as every binding
/// does), and report balances and utilization as of the quarter's last day.
fn mdf_section(sample: &SampleQuarter, program: &Program) -> Result<(), Error> {
    use prm_core::api::call_value;
    use serde_json::{Value, json};
    let facts = sample::mdf(sample);
    let doc = program.to_value();
    let text = |v: &Value, key: &str| {
        v.get(key)
            .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned))
            .unwrap_or_else(|| "-".to_owned())
    };
    let Some(allocate) = facts.commands.first() else {
        return Ok(());
    };
    let preview = call_value(
        "mdf.allocate",
        &json!({"program": doc, "fund": "coop", "period": "2026-Q1",
                "partners": allocate.get("partners").cloned().unwrap_or_default()}),
    )?;
    subheading("Market development funds: co-op fund, 2026-Q1");
    println!(
        "  pool {} EUR, accrual on Q4 2025 revenue: {} partners entitled to {}, allocated {}{}",
        text(&preview, "pool"),
        preview
            .get("lines")
            .and_then(Value::as_array)
            .map_or(0, Vec::len),
        text(&preview, "entitled"),
        text(&preview, "allocated"),
        if preview.get("scaled") == Some(&json!(true)) {
            " (scaled down to the pool, largest remainder)"
        } else {
            ""
        }
    );
    let applied = call_value(
        "mdf.apply",
        &json!({"program": doc, "events": [], "commands": facts.commands}),
    )?;
    let events = applied.get("events").cloned().unwrap_or_default();
    println!(
        "  ledger: {} commands applied, {} refused, {} events recorded",
        text(&applied, "applied"),
        text(&applied, "refused"),
        events.as_array().map_or(0, Vec::len)
    );
    let mut refusals: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for decision in applied
        .get("decisions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if decision.get("status") != Some(&json!("refused")) {
            continue;
        }
        if let Some(problem) = decision
            .pointer("/error/problems/0")
            .filter(|p| p.is_object())
        {
            let entry = refusals.entry(text(problem, "code")).or_insert((
                0,
                format!("{}: {}", text(problem, "path"), text(problem, "message")),
            ));
            entry.0 += 1;
        }
    }
    println!(" refused commands, by reason (first example)");
    for (code, (count, example)) in &refusals {
        println!("  {count:>3} {code}");
        println!("      {example}");
    }
    // The host attributes revenue only to requests the ledger knows.
    let known: std::collections::BTreeSet<String> = events
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e.pointer("/change/kind") == Some(&json!("request_submitted")))
        .filter_map(|e| e.pointer("/change/request_id").and_then(Value::as_str))
        .map(str::to_owned)
        .collect();
    let attributed: Vec<&Value> = facts
        .attributed_revenue
        .iter()
        .filter(|a| {
            a.get("request_id")
                .and_then(Value::as_str)
                .is_some_and(|id| known.contains(id))
        })
        .collect();
    let report = call_value(
        "mdf.report",
        &json!({"program": doc, "events": events, "as_of": "2026-03-31", "fund": "coop",
                "period": "2026-Q1", "attributed_revenue": attributed}),
    )?;
    let pct = |v: &Value, key: &str| {
        v.get(key)
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<Decimal>().ok())
            .and_then(|d| d.checked_mul(Decimal::ONE_HUNDRED))
            .map_or("-".to_owned(), |d| {
                format!("{}%", prm_core::RoundingMode::HalfEven.round(d, 1))
            })
    };
    println!(" balances as of 2026-03-31, by tier");
    println!(
        "  {:<11} {:>4} {:>11} {:>11} {:>10} {:>10} {:>11} {:>7}",
        "tier", "n", "funds", "approved", "paid", "open", "available", "used"
    );
    let mut rows: Vec<Value> = report
        .get("by_tier")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if let Some(totals) = report.get("totals") {
        let mut total = totals.clone();
        if let Some(object) = total.as_object_mut() {
            object.insert("tier".to_owned(), json!("total"));
            object.insert("partners".to_owned(), json!(""));
        }
        rows.push(total);
    }
    for row in &rows {
        println!(
            "  {:<11} {:>4} {:>11} {:>11} {:>10} {:>10} {:>11} {:>7}",
            text(row, "tier"),
            text(row, "partners"),
            text(row, "funds"),
            text(row, "approved"),
            text(row, "paid"),
            text(row, "open_commitment"),
            text(row, "available"),
            pct(row, "utilization")
        );
    }
    println!(" by activity type");
    println!(
        "  {:<11} {:>4} {:>11} {:>10} {:>10} {:>10} {:>9} {:>8}",
        "activity", "req", "approved", "paid", "open", "released", "excess", "ROI"
    );
    for row in report
        .get("by_activity_type")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        println!(
            "  {:<11} {:>4} {:>11} {:>10} {:>10} {:>10} {:>9} {:>8}",
            text(row, "activity_type"),
            text(row, "requests"),
            text(row, "approved"),
            text(row, "paid"),
            text(row, "open_commitment"),
            text(row, "released"),
            text(row, "not_reimbursable"),
            row.get("roi").map_or("-".to_owned(), |r| pct(r, "roi"))
        );
    }
    if let Some(roi) = report.get("roi") {
        println!(
            "  attributed revenue {} EUR on {} EUR paid: ROI {}",
            text(roi, "revenue"),
            text(roi, "paid"),
            pct(roi, "roi")
        );
    }
    let closed = call_value(
        "mdf.balance",
        &json!({"program": doc, "events": events, "as_of": "2026-05-01", "fund": "coop"}),
    )?;
    println!(
        " after closing 2026-Q1 on 2026-05-01 (30 days' grace, 50% carry-over capped at 2,500.00)"
    );
    for period in closed
        .get("periods")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        println!(
            "  {:<8} closed {:<5} expired {:>10}  carried out {:>10}  carried in {:>10}  open {:>10}",
            text(period, "period"),
            text(period, "closed"),
            text(period, "expired"),
            text(period, "carried_out"),
            text(period, "carried_in"),
            text(period, "open_commitment")
        );
    }
    Ok(())
}
