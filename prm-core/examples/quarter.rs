//! A whole partner-program quarter on the embedded sample program.
//!
//! `cargo run --release -p prm-core --example quarter`
//!
//! Builds Northwind Partner Network (about two hundred partners in nine
//! countries, their people and certifications, twelve months of sales and
//! the first quarter of 2026's leads) from a fixed seed, validates the
//! program through the same JSON facade every binding uses, and prints a
//! report of each engine's work for the quarter.

use prm_core::commission::{
    self, CommissionFacts, CommissionStatements, LineKind, StatementOptions,
};
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
    commissions_section(&sample, &program)?;
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

fn commissions_section(sample: &SampleQuarter, program: &Program) -> Result<(), Error> {
    let transactions: Vec<commission::Transaction> = sample
        .sales
        .iter()
        .map(sample::commission_transaction)
        .collect();
    let mut facts = CommissionFacts {
        partners: Some(sample.partners.clone()),
        tier_history: sample::tier_history(&sample.partners),
        ..CommissionFacts::default()
    };
    // The sample's sales start on 2025-04-01: settle each quarter in turn, so a
    // refund of an earlier quarter's sale claws back what that statement paid.
    let mut settled: Option<CommissionStatements> = None;
    for as_of in ["2025-06-30", "2025-09-30", "2025-12-31", "2026-03-31"] {
        let options = StatementOptions::as_of(as_of.parse()?);
        let run = commission::statements(program, &transactions, &facts, &options)?;
        for statement in &run.statements {
            facts.prior_lines.extend(statement.lines.iter().cloned());
            facts.carry_forward.insert(
                statement.partner_id.clone(),
                statement.carry_forward.clone(),
            );
        }
        settled = Some(run);
    }
    let Some(run) = settled else { return Ok(()) };
    let t = run.totals;
    subheading(&format!(
        "Commissions for the quarter ({} statements, chained from Q2 2025)",
        run.statements.len()
    ));
    let mut by_plan: BTreeMap<&str, (usize, Decimal)> = BTreeMap::new();
    for s in &run.statements {
        let entry = by_plan
            .entry(s.plan_id.as_str())
            .or_insert((0, Decimal::ZERO));
        entry.0 += 1;
        entry.1 = entry.1.checked_add(s.totals.net).unwrap_or(entry.1);
    }
    println!(" by plan");
    for (plan, (count, net)) in &by_plan {
        println!(
            "  {plan:<14} {count:>4} partners {:>14} EUR",
            net.to_string()
        );
    }
    println!(" totals (EUR)");
    for (name, value) in [
        ("earned", t.earned),
        ("overrides", t.overrides),
        ("clawed back", t.clawed_back),
        ("capped", t.capped),
        ("target bonuses", t.bonuses),
        ("net", t.net),
        ("payable", t.payable),
        ("pending", t.pending),
    ] {
        println!("  {name:<16} {:>14}", value.to_string());
    }
    let names: BTreeMap<&str, &str> = sample
        .partners
        .iter()
        .map(|p| (p.id.as_str(), p.name.as_str()))
        .collect();
    let mut top: Vec<_> = run.statements.iter().collect();
    top.sort_by(|a, b| {
        b.totals
            .net
            .cmp(&a.totals.net)
            .then(a.partner_id.cmp(&b.partner_id))
    });
    println!(" top earners");
    for s in top.iter().take(5) {
        println!(
            "  {} {:<30} {:<12} net {:>10}  payable {:>10}",
            s.partner_id,
            names.get(s.partner_id.as_str()).copied().unwrap_or("?"),
            s.plan_id,
            s.totals.net.to_string(),
            s.totals.payable.to_string()
        );
    }
    let clawbacks: Vec<_> = run
        .statements
        .iter()
        .flat_map(|s| s.lines.iter())
        .filter(|l| l.kind == LineKind::Clawback)
        .collect();
    let outside = clawbacks.iter().filter(|l| l.amount.is_zero()).count();
    let from_earlier = clawbacks
        .iter()
        .filter(|l| {
            l.original_id.as_deref().is_some_and(|o| {
                facts.prior_lines.iter().any(|p| {
                    p.transaction_id.as_deref() == Some(o)
                        && p.date < sample::quarter_period().start
                })
            })
        })
        .count();
    println!(
        "  clawbacks: {} lines, {} EUR ({from_earlier} against earlier quarters' lines, {outside} outside the window)",
        clawbacks.len(),
        t.clawed_back
    );
    let capped: Vec<_> = run
        .statements
        .iter()
        .filter(|s| !s.totals.capped.is_zero())
        .collect();
    println!(
        "  capped: {} partner(s), {} EUR in all",
        capped.len(),
        t.capped
    );
    for s in capped.iter().take(3) {
        println!(
            "    {} earned {} and was capped by {}",
            s.partner_id, s.totals.earned, s.totals.capped
        );
    }
    // One statement in full: the short reseller statement that shows the most rules at work.
    let shown = run
        .statements
        .iter()
        .filter(|s| s.plan_id == "reseller" && s.lines.len() <= 8)
        .filter(|s| {
            s.lines
                .iter()
                .any(|l| l.kind == LineKind::Clawback && !l.amount.is_zero())
        })
        .max_by_key(|s| {
            let kinds: std::collections::BTreeSet<String> = s
                .lines
                .iter()
                .flat_map(|l| l.components.iter())
                .filter(|c| !c.amount.is_zero())
                .map(|c| format!("{:?}", c.kind))
                .collect();
            (kinds.len(), std::cmp::Reverse(s.partner_id.clone()))
        });
    if let Some(s) = shown {
        println!(
            "\n  statement of {} {} ({}, {}):",
            s.partner_id,
            names.get(s.partner_id.as_str()).copied().unwrap_or("?"),
            s.plan_id,
            s.period
        );
        for line in &s.lines {
            println!(
                "    {:<10} {:<9} {} basis {:>10}  amount {:>9}  {}",
                line.transaction_id.as_deref().unwrap_or("-"),
                format!("{:?}", line.kind).to_lowercase(),
                line.date,
                line.basis.to_string(),
                line.amount.to_string(),
                format!("{:?}", line.status).to_lowercase()
            );
        }
        println!("  explanation:");
        for text_line in s.explanation.to_text().lines() {
            println!("    {text_line}");
        }
    }
    // What if the reseller cap were 15,000?
    let mut candidate = program
        .commissions()
        .cloned()
        .ok_or_else(|| Error::invalid(Vec::new()))?;
    for plan in &mut candidate.plans {
        if plan.id == "reseller" {
            plan.period_cap = Some(prm_core::Amount::bare("15000.00".parse()?));
        }
    }
    let what_if = commission::compare(
        program,
        Some(&candidate),
        &transactions,
        &facts_for_what_if(&facts),
        &StatementOptions::as_of(sample::as_of()),
        None,
        None,
    )?;
    let gainers = what_if
        .partners
        .iter()
        .filter(|p| p.totals.difference.net > Decimal::ZERO)
        .count();
    println!(
        "  what-if, reseller cap 15,000: net {} → {} EUR ({} for {gainers} partner(s))",
        what_if.totals.baseline.net, what_if.totals.candidate.net, what_if.totals.difference.net
    );
    Ok(())
}

/// The facts of the last quarter's run, without that quarter's own lines.
fn facts_for_what_if(facts: &CommissionFacts) -> CommissionFacts {
    let start = sample::quarter_period().start;
    let mut earlier = facts.clone();
    earlier.prior_lines.retain(|l| l.date < start);
    earlier.carry_forward.retain(|_, cf| cf.through < start);
    earlier
}
