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
