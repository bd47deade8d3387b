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
use prm_core::deal_registration::{self, CheckOutcome, Registration, RegistrationStatus};
use prm_core::partner::PartnerStatus;
use prm_core::routing::{LeadRouter, RoutingOutcome, RoutingState};
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
    certifications_section(&sample, &program, as_of)?;
    tiers_section(&sample, &program)?;
    routing_section(&sample, &program)?;
    deal_registration_section(&sample, &program)?;
    commissions_section(&sample, &program)?;
    mdf_section(&sample, &program)?;
    lifecycle_section(&sample, &program, as_of)?;
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
        *by_country.entry(lead.country.as_str()).or_insert(0) += 1;
        if let Some(amount) = lead.value() {
            value = value.checked_add(amount).unwrap_or(value);
        }
    }
    print_counts(&by_country);
    let located = sample.leads.iter().filter(|l| l.location.is_some()).count();
    println!("  with coordinates {located}; estimated pipeline {value} EUR");
    if let Some(first) = sample.leads.first().and_then(|l| l.location) {
        println!("  first lead arrives near {}", sample::nearest_city(first));
    }
}

fn certifications_section(
    sample: &SampleQuarter,
    program: &Program,
    as_of: prm_core::calendar::Date,
) -> Result<(), Error> {
    use prm_core::certification::{self, for_active_people};
    let Some(catalog) = program.certifications() else {
        return Ok(());
    };
    let awards: Vec<_> = sample.awards.iter().map(sample::award).collect();
    subheading(&format!(
        "Certifications ({} awards, {} certifications in the catalog)",
        awards.len(),
        catalog.certifications.len()
    ));
    let statuses = certification::status(catalog, &awards, as_of)?;
    let mut by_status = BTreeMap::new();
    for status in &statuses {
        *by_status.entry(status.status.as_str()).or_insert(0) += 1;
    }
    println!(" awards by status on {as_of}");
    print_counts(&by_status);
    let problems: usize = statuses.iter().map(|s| s.problems.len()).sum();
    println!(
        "  award records with a problem (prerequisite missing, renewal outside window): {problems}"
    );
    let month_start = as_of.first_of_month();
    let since = month_start.add_days(-1)?;
    let due = certification::reminders_due(catalog, &awards, &catalog.reminder_days, since, as_of)?;
    let due = for_active_people(due, &sample.people);
    println!(
        " renewal reminders due this month ({} to {as_of}): {}",
        month_start,
        due.len()
    );
    println!(
        "  {:<10} {:<10} {:<20} {:>11} {:>6}",
        "due", "person", "certification", "expires", "days"
    );
    for reminder in &due {
        println!(
            "  {:<10} {:<10} {:<20} {:>11} {:>6}",
            reminder.due_on.to_string(),
            reminder.person_id,
            reminder.cert_id,
            reminder.expires_on.to_string(),
            reminder.days_before
        );
    }
    Ok(())
}

fn tiers_section(sample: &SampleQuarter, program: &Program) -> Result<(), Error> {
    use prm_core::tier::{self, DecisionKind, TierAssignment, TierDecision};
    let Some(ladder) = program.tiers() else {
        return Ok(());
    };
    let names: BTreeMap<&str, &str> = sample
        .partners
        .iter()
        .map(|p| (p.id.as_str(), p.name.as_str()))
        .collect();
    let mut facts = sample::tier_facts(sample);
    // The host evaluates at each month end; the first run assigns every partner its tier.
    let month_ends = ["2025-12-31", "2026-01-31", "2026-02-28", "2026-03-31"];
    let mut held: BTreeMap<String, TierAssignment> = BTreeMap::new();
    let mut changes: Vec<TierDecision> = Vec::new();
    let mut last: Vec<TierDecision> = Vec::new();
    for (i, day) in month_ends.iter().enumerate() {
        for partner in &mut facts {
            partner.assignment = held.get(&partner.partner_id).cloned();
        }
        let decisions = tier::evaluate_batch(program, &facts, day.parse()?)?;
        for decision in &decisions {
            held.insert(decision.partner_id.clone(), decision.assignment.clone());
        }
        if i > 0 {
            changes.extend(
                decisions
                    .iter()
                    .filter(|d| matches!(d.kind, DecisionKind::Upgraded | DecisionKind::Downgraded))
                    .cloned(),
            );
        }
        last = decisions;
    }
    subheading(&format!(
        "Tiers ({} partners evaluated at each month end)",
        last.len()
    ));
    println!(" tier distribution on {}", sample::as_of());
    let mut by_tier: BTreeMap<String, usize> = BTreeMap::new();
    for decision in &last {
        let tier = decision
            .assignment
            .tier
            .clone()
            .unwrap_or_else(|| "none".to_owned());
        *by_tier.entry(tier).or_insert(0) += 1;
    }
    for def in ladder.by_rank().iter().rev() {
        let count = by_tier.get(&def.id).copied().unwrap_or(0);
        println!(
            "  {:<12} {count:>5}  {}",
            def.name,
            "█".repeat(count.div_ceil(2))
        );
    }
    if let Some(none) = by_tier.get("none") {
        println!("  {:<12} {none:>5}", "(no tier)");
    }
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for decision in &last {
        *by_kind.entry(decision.kind.as_str()).or_insert(0) += 1;
    }
    println!(" decisions on {}", sample::as_of());
    print_counts(&by_kind);
    let ups = changes
        .iter()
        .filter(|d| d.kind == DecisionKind::Upgraded)
        .count();
    println!(
        " upgrades ({ups}) and downgrades ({}) of the quarter",
        changes.len() - ups
    );
    println!(
        "  {:<10} {:<6} {:<32} {:<11} {:<21}",
        "effective", "id", "partner", "decision", "tier"
    );
    for d in &changes {
        println!(
            "  {:<10} {:<6} {:<32} {:<11} {:<21}",
            d.effective_on.to_string(),
            d.partner_id,
            names.get(d.partner_id.as_str()).copied().unwrap_or("?"),
            d.kind.as_str(),
            format!(
                "{} → {}",
                d.previous_tier.as_deref().unwrap_or("none"),
                d.tier.as_deref().unwrap_or("none")
            )
        );
    }
    let mut closest: Vec<(&TierDecision, Decimal)> = last
        .iter()
        .filter_map(|d| d.gap_progress().map(|p| (d, p)))
        .collect();
    closest.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.partner_id.cmp(&b.0.partner_id)));
    println!(" the ten partners closest to their next tier");
    for (d, progress) in closest.iter().take(10) {
        let percent = progress
            .checked_mul(Decimal::ONE_HUNDRED)
            .map(|p| prm_core::RoundingMode::Down.round(p, 0))
            .unwrap_or(Decimal::ZERO);
        println!(
            "  {} {:<32} {:>4}%  {}",
            d.partner_id,
            names.get(d.partner_id.as_str()).copied().unwrap_or("?"),
            percent,
            d.gap_words().unwrap_or_default()
        );
    }
    let at_risk: Vec<&TierDecision> = last
        .iter()
        .filter(|d| d.kind == DecisionKind::AtRisk)
        .collect();
    println!(" at risk on {} ({})", sample::as_of(), at_risk.len());
    for d in &at_risk {
        println!(
            "  {} {:<32} {}",
            d.partner_id,
            names.get(d.partner_id.as_str()).copied().unwrap_or("?"),
            d.reason()
        );
    }
    if let Some((example, _)) = closest.first() {
        println!(" why {} is where it is", example.partner_id);
        let next = example.next().map(|t| format!("tier.{}", t.tier));
        let picked: Vec<prm_core::explain::Step> = example
            .explanation()
            .steps()
            .iter()
            .filter(|s| {
                Some(&s.rule) == next.as_ref() || s.rule == "qualification" || s.rule == "lifecycle"
            })
            .cloned()
            .collect();
        for line in prm_core::explain::Explanation::from(picked)
            .to_text()
            .lines()
        {
            println!("  {line}");
        }
    }
    Ok(())
}

fn routing_section(sample: &SampleQuarter, program: &Program) -> Result<(), Error> {
    let router = LeadRouter::new(program, &sample.routing_partners)?;
    let batch = router.route_batch(&sample.leads, &RoutingState::default())?;
    subheading(&format!(
        "Lead routing ({} leads over {} partners)",
        sample.leads.len(),
        sample.routing_partners.len()
    ));
    let mut by_rule: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_step: BTreeMap<String, usize> = BTreeMap::new();
    let mut unassigned: BTreeMap<String, usize> = BTreeMap::new();
    let mut excluded: BTreeMap<&str, usize> = BTreeMap::new();
    for decision in &batch.decisions {
        match decision.outcome {
            RoutingOutcome::Assigned => {
                let rule = decision.rule.clone().unwrap_or_default();
                let strategy = decision.strategy.map_or("", |s| s.as_str());
                *by_rule.entry(format!("{rule} ({strategy})")).or_insert(0) += 1;
                if let Some(step) = &decision.step {
                    *by_step.entry(step.clone()).or_insert(0) += 1;
                }
            }
            RoutingOutcome::HouseAccount | RoutingOutcome::Unassigned => {
                // The reason most partners were turned away for.
                let main = decision
                    .excluded
                    .iter()
                    .max_by(|a, b| a.1.count.cmp(&b.1.count).then(b.0.cmp(a.0)))
                    .map_or("no partner examined", |(reason, _)| reason.as_str());
                *unassigned.entry(format!("mostly {main}")).or_insert(0) += 1;
            }
        }
        for attempt in &decision.rules {
            for (reason, count) in &attempt.excluded {
                *excluded.entry(reason.as_str()).or_insert(0) += count;
            }
        }
    }
    println!(" assigned by rule (strategy)");
    print_counts(&by_rule);
    println!(" geo steps that found the partner");
    print_counts(&by_step);
    let total_unassigned: usize = unassigned.values().sum();
    println!(" unassigned ({total_unassigned}), by the main reason partners were excluded");
    print_counts(&unassigned);
    if let Some(example) = batch
        .decisions
        .iter()
        .find(|d| d.outcome != RoutingOutcome::Assigned)
    {
        println!("  e.g. {}:", example.lead_id);
        for line in example.explanation.to_text().lines() {
            println!("    {line}");
        }
    }
    println!(" exclusions seen while routing (partner checks, by first failing reason)");
    print_counts(&excluded);

    println!(" load against capacity after the quarter (fullest first)");
    let mut load: Vec<(String, u32, u32, u32)> = sample
        .routing_partners
        .iter()
        .filter_map(|p| {
            let capacity = p.capacity?;
            let now = batch
                .state
                .open_leads
                .get(p.id())
                .copied()
                .unwrap_or(p.open_leads);
            Some((p.id().to_owned(), p.open_leads, now, capacity))
        })
        .collect();
    load.sort_by(|a, b| {
        (u64::from(b.2) * u64::from(a.3))
            .cmp(&(u64::from(a.2) * u64::from(b.3)))
            .then(a.0.cmp(&b.0))
    });
    let full = load.iter().filter(|l| l.2 >= l.3).count();
    println!(
        "  {:<8} {:>6} {:>6} {:>9}",
        "partner", "before", "after", "capacity"
    );
    for (id, before, after, capacity) in load.iter().take(6) {
        println!("  {id:<8} {before:>6} {after:>6} {capacity:>9}");
    }
    println!("  partners at capacity: {full} of {}", load.len());
    if let Some(first) = batch.decisions.first() {
        println!(" first decision, explained ({}):", first.lead_id);
        for line in first.explanation.to_text().lines() {
            println!("    {line}");
        }
    }
    Ok(())
}

fn deal_registration_section(sample: &SampleQuarter, program: &Program) -> Result<(), Error> {
    subheading(&format!(
        "Deal registrations ({} submitted in the quarter)",
        sample.deal_registrations.len()
    ));
    let tiers: BTreeMap<&str, &str> = sample
        .routing_partners
        .iter()
        .filter_map(|p| Some((p.id(), p.tier.as_deref()?)))
        .collect();
    let mut on_file: Vec<Registration> = Vec::new();
    let mut outcomes: BTreeMap<&str, usize> = BTreeMap::new();
    let mut conflicts_shown = 0;
    for registration in &sample.deal_registrations {
        let tier = tiers.get(registration.partner_id.as_str()).copied();
        let decision = deal_registration::check(
            program,
            registration,
            tier,
            &on_file,
            registration.submitted_on,
        )?;
        let mut filed = registration.clone();
        filed.status = decision.status;
        match decision.outcome {
            CheckOutcome::Approve => {
                *outcomes.entry("approved").or_insert(0) += 1;
                filed.approved_on = decision.approved_on;
                filed.expires_on = decision.expires_on;
            }
            CheckOutcome::Conflict => {
                *outcomes.entry("conflict").or_insert(0) += 1;
                if conflicts_shown < 2 {
                    conflicts_shown += 1;
                    println!(
                        "  conflict: {} by {} for `{}`",
                        registration.id,
                        registration.partner_id,
                        registration.customer.name.as_deref().unwrap_or("?")
                    );
                    for conflict in &decision.conflicts {
                        println!("    {:?} severity, {}", conflict.severity, conflict.reason);
                    }
                }
            }
            CheckOutcome::Reject => {
                *outcomes.entry("rejected (policy)").or_insert(0) += 1;
            }
        }
        on_file.push(filed);
    }
    print_counts(&outcomes);
    let expiry = deal_registration::expire(program, &on_file, sample::as_of())?;
    let approved = on_file
        .iter()
        .filter(|r| r.status == RegistrationStatus::Approved)
        .count();
    println!(
        "  approved {approved}; still protected on {} {}; lapsed by then {}",
        sample::as_of(),
        expiry.active,
        expiry.expired.len()
    );
    Ok(())
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

fn facts_for_what_if(facts: &CommissionFacts) -> CommissionFacts {
    let start = sample::quarter_period().start;
    let mut earlier = facts.clone();
    earlier.prior_lines.retain(|l| l.date < start);
    earlier.carry_forward.retain(|_, cf| cf.through < start);
    earlier
}

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

fn lifecycle_section(
    sample: &SampleQuarter,
    program: &Program,
    as_of: prm_core::calendar::Date,
) -> Result<(), Error> {
    use prm_core::agreement::{self, AgreementStatus};
    use prm_core::scorecard::{self, Band};
    if let Some(onboarding) = program.onboarding() {
        let applications = sample::applications();
        subheading(&format!(
            "Onboarding: {} applications screened",
            applications.len()
        ));
        let screening = onboarding.screening.compile(&prm_core::JsonPath::root())?;
        println!(
            "  {:<8} {:<28} {:<3} {:<10} {:>5}  why",
            "id", "company", "", "outcome", "score"
        );
        for app in &applications {
            let result = screening.screen(app)?;
            let why = if let Some(reason) = result.fired.iter().find_map(|f| f.reason.clone()) {
                format!("knocked out: {reason}")
            } else if !result.missing.is_empty() {
                format!("missing {}", result.missing.join(", "))
            } else {
                result
                    .fired
                    .iter()
                    .map(|f| f.rule.as_str())
                    .collect::<Vec<_>>()
                    .join(" + ")
            };
            let outcome = serde_json::to_value(result.outcome)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            println!(
                "  {:<8} {:<28} {:<3} {:<10} {:>5}  {why}",
                app.id,
                app.company.name,
                app.company.country,
                outcome,
                result.score.to_string()
            );
        }
    }
    if let Some(policy) = program.agreements() {
        let agreements = sample::agreements(&sample.partners);
        subheading(&format!("Agreements ({} on file)", agreements.len()));
        let mut by_status = BTreeMap::new();
        let mut due = Vec::new();
        for a in &agreements {
            let report = a.status(as_of, policy.expiring_days)?;
            *by_status.entry(report.status.as_str()).or_insert(0) += 1;
            if matches!(
                report.status,
                AgreementStatus::InNoticePeriod | AgreementStatus::Expiring
            ) && a.kind == "reseller"
            {
                due.push(report);
            }
        }
        println!(" agreements by status on {as_of}");
        print_counts(&by_status);
        println!(
            " reseller agreements due for renewal within {} days: {}",
            policy.expiring_days,
            due.len()
        );
        println!(
            "  {:<10} {:<17} {:<12} {:<11}  what happens",
            "partner", "status", "notice by", "term ends"
        );
        for report in due.iter().take(12) {
            let term = report.term;
            println!(
                "  {:<10} {:<17} {:<12} {:<11}  {}",
                report.partner_id,
                report.status.as_str(),
                term.and_then(|t| t.notice_deadline)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                term.and_then(|t| t.end)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                report.reason
            );
        }
        let since = sample::quarter_period().start.add_days(-1)?;
        let reminders = agreement::reminders_due(&agreements, &policy.reminder_days, since, as_of)?;
        println!(
            " agreement reminders due this quarter: {} (notice deadlines {}, ends {})",
            reminders.len(),
            reminders
                .iter()
                .filter(|r| r.about == agreement::ReminderAbout::NoticeDeadline)
                .count(),
            reminders
                .iter()
                .filter(|r| r.about == agreement::ReminderAbout::Expiry)
                .count()
        );
        let records_of = |id: &str| {
            agreements
                .iter()
                .filter(|a| a.partner_id == id)
                .cloned()
                .collect::<Vec<_>>()
        };
        let mut compliant = 0;
        let mut missing: BTreeMap<String, usize> = BTreeMap::new();
        for p in &sample.partners {
            let own = records_of(&p.id);
            let records = agreement::PartnerRecords {
                partner_id: &p.id,
                agreements: &own,
                people: &[],
                holdings: None,
            };
            let report =
                agreement::compliance(policy, &records, agreement::Activity::ReceiveLeads, as_of)?;
            if report.compliant {
                compliant += 1;
            }
            for item in report.missing {
                *missing.entry(item).or_insert(0) += 1;
            }
        }
        println!(
            " compliant to receive leads: {compliant} of {} partners; missing:",
            sample.partners.len()
        );
        print_counts(&missing);
    }
    if program.scorecards().is_some() {
        let facts = sample::scorecard_facts(sample);
        let report = scorecard::evaluate(program, &facts, as_of)?;
        subheading(&format!(
            "Scorecards ({} partners, {} against {})",
            report.scorecards.len(),
            report.window,
            report.previous_window
        ));
        let mut by_band = BTreeMap::new();
        for card in &report.scorecards {
            *by_band
                .entry(card.band.map_or("no data", Band::as_str))
                .or_insert(0) += 1;
        }
        print_counts(&by_band);
        let bands = program.scorecards().map(|s| s.bands);
        let fell: Vec<_> = report
            .scorecards
            .iter()
            .filter(|c| c.band == Some(Band::AtRisk))
            .filter(|c| {
                matches!((c.previous_health, bands), (Some(before), Some(b)) if before >= b.watch)
            })
            .collect();
        println!(" partners whose health fell into at_risk: {}", fell.len());
        for card in fell.iter().take(10) {
            println!(
                "  {:<10} {:<10} health {:>6} (was {:>6})",
                card.partner_id,
                card.tier.unwrap_or("-"),
                card.health.map(|h| h.to_string()).unwrap_or_default(),
                card.previous_health
                    .map(|h| h.to_string())
                    .unwrap_or_default()
            );
            for signal in &card.signals {
                println!("      ! {}", signal.message);
            }
        }
    }
    Ok(())
}
