// Every engine through the idiomatic API: a `Program` read from its JSON
// document, then `program.<engine>.<verb>(request)` with camelCase names, and
// the `...Async` twins of the batch calls. Inputs and numbers come from the
// DOMAIN.md worked examples as the conformance corpus encodes them
// (tests/conformance/<engine>/); each test asserts the values a caller reads:
// amounts as strings, decision kinds, explanations, error codes and paths.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { CORPUS, prm } from './helpers.mjs'

/**
 * A corpus case as a caller holds it: the program read from its JSON text
 * (as from a config file) and the request without the program.
 */
function fromCase(file) {
  const kase = JSON.parse(readFileSync(join(CORPUS, file), 'utf8'))
  const { program, ...request } = kase.input
  return { program: prm.Program.fromJson(JSON.stringify(program)), request }
}

/** The PrmError `run` throws, checked to be one. */
function thrown(run) {
  try {
    run()
  } catch (error) {
    assert.ok(error instanceof prm.PrmError, `expected a PrmError, got ${error}`)
    return error
  }
  assert.fail('expected a PrmError')
}

/** The PrmError `promise` rejects with. */
async function rejected(promise) {
  try {
    await promise
  } catch (error) {
    assert.ok(error instanceof prm.PrmError, `expected a PrmError, got ${error}`)
    return error
  }
  assert.fail('expected a rejected Promise')
}

const codesAndPaths = (error) => error.problems.map((p) => [p.code, p.path])

/** An explanation: a non-empty list of steps, each with a rule, an outcome and a message. */
function assertExplained(explanation) {
  assert.ok(Array.isArray(explanation) && explanation.length > 0, 'an explanation is present')
  for (const step of explanation) {
    assert.equal(typeof step.rule, 'string')
    assert.equal(typeof step.outcome, 'string')
    assert.equal(typeof step.message, 'string')
  }
}

describe('certifications', () => {
  test('status: in grace on 2026-01-20, with the dates of the worked example', () => {
    const { program, request } = fromCase('certifications/worked_example_in_grace_on_2026_01_20.json')
    const answer = program.certifications.status(request)
    assert.equal(answer.as_of, '2026-01-20')
    assert.deepEqual(answer.by_status, { in_grace: 1 })
    const [award] = answer.awards
    assert.equal(award.status, 'in_grace')
    assert.equal(award.counts, true)
    assert.equal(award.expires_on, '2026-01-10')
    assert.equal(award.renewal_opens_on, '2025-07-10')
    assert.equal(award.grace_until, '2026-02-09')
    assert.equal(award.renewals, 0)
    assertExplained(award.explanation)
  })

  test('status: expired on 2026-02-09', () => {
    const { program, request } = fromCase('certifications/worked_example_expired_on_2026_02_09.json')
    const [award] = program.certifications.status(request).awards
    assert.equal(award.status, 'expired')
    assert.equal(award.counts, false)
  })

  test('status: a renewal outside its window, strict, is refused at its path', () => {
    const { program, request } = fromCase('certifications/worked_example_renewal_outside_window_strict.json')
    const error = thrown(() => program.certifications.status(request))
    assert.equal(error.code, 'invalid')
    assert.deepEqual(codesAndPaths(error), [['renewal_outside_window', '$.awards[0].renewed_on[0]']])
  })

  test('status: an unknown certification suggests the closest id', () => {
    const { program, request } = fromCase('certifications/award_of_unknown_certification.json')
    const error = thrown(() => program.certifications.status(request))
    assert.deepEqual(codesAndPaths(error), [['unknown_reference', '$.awards[0].cert_id']])
    assert.equal(error.problems[0].help, 'did you mean `SALES-PRO`?')
  })

  test('reminders: 90, 60, 30 and 7 days before the 2026-01-10 expiry', () => {
    const { program, request } = fromCase('certifications/worked_example_reminders.json')
    const answer = program.certifications.reminders(request)
    assert.deepEqual(answer.schedule, [90, 60, 30, 7])
    assert.deepEqual(
      answer.reminders.map((r) => [r.due_on, r.days_before, r.person_id, r.cert_id, r.expires_on]),
      [
        ['2025-10-12', 90, 'anna', 'SALES-PRO', '2026-01-10'],
        ['2025-11-11', 60, 'anna', 'SALES-PRO', '2026-01-10'],
        ['2025-12-11', 30, 'anna', 'SALES-PRO', '2026-01-10'],
        ['2026-01-03', 7, 'anna', 'SALES-PRO', '2026-01-10'],
      ],
    )
  })

  test('reminders: split runs send each reminder once', () => {
    const { program, request } = fromCase('certifications/worked_example_reminders.json')
    const whole = program.certifications.reminders(request).reminders
    const first = program.certifications.reminders({ ...request, as_of: '2025-11-30' }).reminders
    const second = program.certifications.reminders({ ...request, since: '2025-11-30' }).reminders
    assert.deepEqual([...first, ...second], whole)
  })

  test('compliance: coverage rounds up; the shortfall is said in words', () => {
    const { program, request } = fromCase('certifications/compliance_coverage_rounds_up.json')
    const answer = program.certifications.compliance(request)
    assert.equal(answer.compliant, false)
    const [eighty, sixty] = answer.requirements
    assert.equal(eighty.name, 'a_eighty')
    assert.equal(eighty.met, false)
    assert.equal(eighty.required, 3)
    assert.equal(eighty.shortfall, 1)
    assert.equal(eighty.share, '0.6667')
    assert.deepEqual(eighty.counted, ['anna', 'ben'])
    assert.match(eighty.missing_words, /1 more sales person holding SALES-FOUNDATION/)
    assert.equal(sixty.met, true)
    assert.equal(sixty.required, 2)
  })

  test('compliance: a person of another partner is refused with its path', () => {
    const { program, request } = fromCase('certifications/compliance_person_of_another_partner.json')
    const error = thrown(() => program.certifications.compliance(request))
    assert.equal(error.code, 'invalid')
    assert.deepEqual(codesAndPaths(error), [['person_not_at_partner', '$.people[0].partner_id']])
  })
})

describe('tiers', () => {
  test('evaluate: 20 + 32 + 15 + 6 = 73 points qualifies for elite', () => {
    const { program, request } = fromCase('tiers/worked_example_points_73.json')
    // A Node caller writes metric values as strings.
    const metrics = { customers: '2', certified_people: '8', growth: '15', deployments: '3' }
    const { decision } = program.tiers.evaluate({ ...request, partner: { ...request.partner, metrics } })
    assert.equal(decision.qualified_tier, 'elite')
    assert.equal(decision.decision, 'upgraded')
    const elite = decision.tiers.find((t) => t.tier === 'elite')
    assert.equal(elite.met, true)
    assert.deepEqual(
      elite.requirements.map((r) => [r.kind, r.met, r.actual, r.required]),
      [['points', true, '73', '70']],
    )
    assertExplained(decision.explanation)
  })

  test('evaluate: a JavaScript number where a metric belongs is refused with its path', () => {
    const { program, request } = fromCase('tiers/worked_example_points_73.json')
    const error = thrown(() => program.tiers.evaluate(request))
    assert.equal(error.code, 'invalid')
    assert.deepEqual(error.problems.map((p) => p.code), Array(4).fill('decimal_must_be_string'))
    assert.deepEqual(error.problems[0].path, '$.partner.metrics.customers')
  })

  test('evaluate: missed by one cent, the gap in words and numbers', () => {
    const { program, request } = fromCase('tiers/threshold_missed_by_one_cent.json')
    const { decision } = program.tiers.evaluate(request)
    assert.equal(decision.tier, 'silver')
    assert.equal(decision.next_tier.tier, 'gold')
    assert.equal(decision.next_tier.progress, '0.9999')
    assert.equal(decision.next_tier.words, 'gold needs 0.01 EUR more revenue')
    assert.deepEqual(
      decision.next_tier.shortfalls.map((s) => [s.subject, s.actual, s.required, s.shortfall, s.unit]),
      [['revenue', '49999.99', '50000.00', '0.01', 'EUR']],
    )
  })

  test('evaluate: each decision kind of the lifecycle', () => {
    const kinds = [
      ['tiers/lifecycle_upgrade_next_month.json', 'upgraded', 'gold', '2026-04-01'],
      ['tiers/lifecycle_below_tier_is_at_risk_first.json', 'at_risk', 'gold', '2026-03-31'],
      ['tiers/lifecycle_downgrade_when_grace_is_over.json', 'downgraded', 'silver', '2026-03-31'],
      ['tiers/lifecycle_same_day_again_changes_nothing.json', 'retained', 'silver', '2026-03-31'],
    ]
    for (const [file, kind, tier, effective] of kinds) {
      const { program, request } = fromCase(file)
      const { decision } = program.tiers.evaluate(request)
      assert.equal(decision.decision, kind, file)
      assert.equal(decision.tier, tier, file)
      assert.equal(decision.effective_on, effective, file)
      assert.equal(typeof decision.reason, 'string')
      assertExplained(decision.explanation)
    }
  })

  test('evaluate: an upgrade scheduled for next month keeps the assignment pending', () => {
    const { program, request } = fromCase('tiers/lifecycle_upgrade_next_month.json')
    const { decision } = program.tiers.evaluate(request)
    assert.deepEqual(decision.assignment.pending, { tier: 'gold', effective_on: '2026-04-01' })
    assert.equal(decision.assignment.tier, 'silver')
    // The next evaluation with the returned assignment applies it.
    const later = program.tiers.evaluate({
      as_of: '2026-04-15',
      partner: { ...request.partner, assignment: decision.assignment },
    }).decision
    assert.equal(later.decision, 'upgraded')
    assert.equal(later.tier, 'gold')
    assert.equal(later.effective_on, '2026-04-01')
  })

  test('evaluate: a batch answers in partner id order, and its Async twin equals it', async () => {
    const { program, request } = fromCase('tiers/batch_results_in_partner_id_order.json')
    const answer = program.tiers.evaluate(request)
    assert.deepEqual(
      answer.decisions.map((d) => [d.partner_id, d.decision, d.tier]),
      [
        ['P1', 'upgraded', 'silver'],
        ['P2', 'upgraded', 'registered'],
        ['P3', 'upgraded', 'registered'],
      ],
    )
    assert.equal(answer.decisions[0].next_tier.words, 'gold needs 40,000.00 EUR more revenue and 2 more SALES-PRO')
    assert.deepEqual(await program.tiers.evaluateAsync(request), answer)
  })

  test('evaluate: a missing metric names the metric and what to give', async () => {
    const { program, request } = fromCase('tiers/metric_missing_is_an_error.json')
    const error = thrown(() => program.tiers.evaluate(request))
    assert.deepEqual(codesAndPaths(error), [['tier_metric_missing', '$.partner.metrics.revenue']])
    const again = await rejected(program.tiers.evaluateAsync(request))
    assert.deepEqual(again.toJSON(), error.toJSON())
  })
})

describe('routing', () => {
  test('route: round robin after p2 with p3 at capacity goes to p1', () => {
    const { program, request } = fromCase('routing/round_robin_pointer_p2_p3_at_capacity.json')
    const { decision, state } = program.routing.route(request)
    assert.equal(decision.outcome, 'assigned')
    assert.equal(decision.partner_id, 'p1')
    assert.equal(decision.strategy, 'round_robin')
    assert.deepEqual(decision.excluded, { at_capacity: { count: 1, examples: ['p3'] } })
    assert.deepEqual(state.round_robin, { rr: 'p1' })
    assert.deepEqual(state.open_leads, { p1: 1 })
    assertExplained(decision.explanation)
  })

  test('route: Budapest to Vienna is 214 km, inside the 250 km ring', () => {
    const { program, request } = fromCase('routing/geo_budapest_vienna_inside_250km.json')
    const { decision } = program.routing.route(request)
    assert.equal(decision.outcome, 'assigned')
    assert.equal(decision.strategy, 'geo_expanding')
    const [first] = decision.candidates
    assert.equal(first.partner_id, decision.partner_id)
    assert.equal(decision.step, 'ring_250km')
    // A distance is a measurement, not money: it comes as a number of km.
    assert.ok(Math.abs(first.distance_km - 214.045) < 0.001, String(first.distance_km))
  })

  test('routeBatch threads the state: it equals routing the leads one by one', async () => {
    const { program, request } = fromCase('routing/round_robin_batch_advances_pointer.json')
    const batch = program.routing.routeBatch(request)
    assert.deepEqual(
      batch.decisions.map((d) => d.partner_id),
      ['p1', 'p2', 'p3'],
    )
    assert.deepEqual(batch.state, { round_robin: { rr: 'p3' }, open_leads: { p1: 1, p2: 1, p3: 1 } })

    let state
    const decisions = []
    for (const lead of request.leads) {
      const answer = program.routing.route({ partners: request.partners, lead, ...(state ? { state } : {}) })
      decisions.push(answer.decision)
      state = answer.state
    }
    assert.deepEqual(decisions, batch.decisions)
    assert.deepEqual(state, batch.state)
    assert.deepEqual(await program.routing.routeBatchAsync(request), batch)
  })

  test('routeBatch: the weighted draw is reproducible, and zero weight never receives', async () => {
    const { program, request } = fromCase('routing/weighted_draw_is_reproducible.json')
    const first = program.routing.routeBatch(request)
    const again = await program.routing.routeBatchAsync(request)
    assert.deepEqual(again, first)
    assert.ok(first.decisions.every((d) => d.partner_id !== 'C'))
    const [one] = first.decisions
    assert.deepEqual(
      one.candidates.map((c) => [c.partner_id, c.weight, c.probability]),
      [
        ['A', '3', '0.5'],
        ['D', '2', '0.333333'],
        ['B', '1', '0.166667'],
      ],
    )
  })

  test('routeBatch: every bad lead is reported at once, with its index', () => {
    const { program, request } = fromCase('routing/every_lead_problem_in_a_batch.json')
    const error = thrown(() => program.routing.routeBatch(request))
    assert.equal(error.code, 'invalid')
    assert.deepEqual(codesAndPaths(error), [
      ['invalid_value', '$.leads[0].country'],
      ['out_of_range', '$.leads[2].location.lat'],
    ])
  })

  test('route: a longitude out of range is refused at its path', () => {
    const { program, request } = fromCase('routing/lead_longitude_out_of_range.json')
    const error = thrown(() => program.routing.route(request))
    assert.deepEqual(codesAndPaths(error), [['out_of_range', '$.lead.location.lon']])
  })

  test('nextAction: wait, then reroute once the window has passed', () => {
    const { program, request } = fromCase('routing/next_action_wait.json')
    const wait = program.routing.nextAction(request)
    assert.equal(wait.action, 'wait')
    assert.equal(wait.partner_id, 'a')
    assert.equal(wait.until, '2026-01-06T09:00:00Z')
    assertExplained(wait.explanation)

    const reroute = program.routing.nextAction({ ...request, now: '2026-01-06T09:00:00Z' })
    assert.equal(reroute.action, 'reroute')
    assert.deepEqual(reroute.exclude, ['a'])
    assert.deepEqual(reroute.timed_out, ['a'])
  })

  test('nextAction: escalate and done', () => {
    assert.equal(program('routing/next_action_escalate.json').action, 'escalate')
    assert.equal(program('routing/next_action_done.json').action, 'done')
    function program(file) {
      const kase = fromCase(file)
      return kase.program.routing.nextAction(kase.request)
    }
  })

  test('nextAction: an instant without an offset is refused', () => {
    const { program, request } = fromCase('routing/next_action_wait.json')
    const error = thrown(() => program.routing.nextAction({ ...request, now: '2026-01-05 20:00' }))
    assert.equal(error.code, 'invalid')
    assert.deepEqual(error.problems.map((p) => p.path), ['$.now'])
  })
})

describe('deal registration', () => {
  test('check: A is approved for 90 days, until 2024-04-09', () => {
    const { program, request } = fromCase('deal_registration/worked_a_approved_90_days.json')
    const answer = program.dealRegistration.check(request)
    assert.equal(answer.outcome, 'approve')
    assert.equal(answer.status, 'approved')
    assert.equal(answer.approved_on, '2024-01-10')
    assert.equal(answer.expires_on, '2024-04-09')
    assert.equal(answer.protection_days, 90)
    assert.deepEqual(answer.normalized, { name: 'acme', domain: 'acme.com' })
    assertExplained(answer.explanation)
  })

  test('check: "ACME Corp." conflicts with A on the normalized name', () => {
    const { program, request } = fromCase('deal_registration/worked_b_acme_corp_conflicts.json')
    const answer = program.dealRegistration.check(request)
    assert.equal(answer.outcome, 'conflict')
    assert.equal(answer.status, 'rejected')
    assert.deepEqual(
      answer.conflicts.map((c) => [c.registration_id, c.matched_on, c.similarity, c.severity]),
      [['A-1', 'name', '1', 'high']],
    )
  })

  test('check: B again on 2024-04-10 is approved; B for product Y only is approved', () => {
    const again = fromCase('deal_registration/worked_b_again_after_expiry.json')
    assert.equal(again.program.dealRegistration.check(again.request).outcome, 'approve')
    const other = fromCase('deal_registration/worked_b_product_y_no_overlap.json')
    const answer = other.program.dealRegistration.check(other.request)
    assert.equal(answer.outcome, 'approve')
    assert.deepEqual(answer.conflicts, [])
  })

  test('check: below the minimum value is rejected with its reason', () => {
    const { program, request } = fromCase('deal_registration/below_minimum_value_rejected.json')
    const answer = program.dealRegistration.check(request)
    assert.equal(answer.outcome, 'reject')
    assert.equal(answer.reason, 'below_minimum_value')
  })

  test('check: a customer with neither name nor domain is refused at its path', () => {
    const { program, request } = fromCase('deal_registration/customer_without_name_or_domain.json')
    const error = thrown(() => program.dealRegistration.check(request))
    assert.equal(error.code, 'invalid')
    assert.deepEqual(codesAndPaths(error), [['deal_registration_no_customer', '$.registration.customer']])
  })

  test('extend adds the extension days once; a second extension is refused', () => {
    const { program, request } = fromCase('deal_registration/extend_adds_extension_days.json')
    const extended = program.dealRegistration.extend(request)
    assert.equal(extended.outcome, 'extended')
    assert.equal(extended.previous_expires_on, '2024-04-09')
    assert.equal(extended.registration.expires_on, '2024-05-09')
    assert.equal(extended.registration.extensions, 1)

    const refused = program.dealRegistration.extend({ registration: extended.registration, as_of: '2024-05-01' })
    assert.equal(refused.outcome, 'refused')
    assert.equal(refused.reason, 'max_extensions_reached')
    assert.equal(refused.registration.expires_on, '2024-05-09')
  })

  test('expire lists the registrations that lapse, and its Async twin equals it', async () => {
    const { program, request } = fromCase('deal_registration/expire_lists_lapsed.json')
    const answer = program.dealRegistration.expire(request)
    assert.deepEqual(
      answer.expired.map((e) => [e.registration_id, e.previous_status, e.expired_on]),
      [
        ['A-1', 'approved', '2024-04-09'],
        ['D-1', 'submitted', '2024-03-31'],
      ],
    )
    assert.equal(answer.active, 1)
    assertExplained(answer.explanation)
    assert.deepEqual(await program.dealRegistration.expireAsync(request), answer)
  })
})

describe('commissions', () => {
  test('statement: a sale of 1,000 at 10% earns 100; a refund of 400 inside 90 days is -40', () => {
    const { program, request } = fromCase('commission/worked_clawback_inside_window.json')
    const statement = program.commission.statement(request)
    assert.equal(statement.partner_id, 'P1')
    assert.equal(statement.currency, 'EUR')
    assert.deepEqual(
      statement.lines.map((l) => [l.kind, l.transaction_id, l.basis, l.amount, l.status]),
      [
        ['sale', 'T1', '1000.00', '100.00', 'payable'],
        ['clawback', 'T2', '-400.00', '-40.00', 'payable'],
      ],
    )
    assert.equal(statement.totals.earned, '100.00')
    assert.equal(statement.totals.clawed_back, '-40.00')
    assert.equal(statement.totals.net, '60.00')
    assert.equal(statement.carry_forward.year_to_date_net, '60.00')
    assertExplained(statement.explanation)
  })

  test('statement: the same refund after the window (95 days) reverses nothing, and says so', () => {
    const { program, request } = fromCase('commission/worked_clawback_after_window.json')
    const statement = program.commission.statement(request)
    assert.deepEqual(statement.period, { start: '2026-04-01', end: '2026-07-01' })
    const [clawback] = statement.lines
    assert.equal(clawback.kind, 'clawback')
    assert.equal(clawback.amount, '0.00')
    assert.match(clawback.components[0].detail, /95 days after the sale, outside the 90-day window/)
    assert.equal(statement.totals.clawed_back, '0.00')
  })

  test('statement: brackets over 60,000, graduated 4,300 and retroactive 6,000', () => {
    const graduated = fromCase('commission/worked_brackets_graduated_60000.json')
    assert.equal(graduated.program.commission.statement(graduated.request).totals.earned, '4300.00')
    const retroactive = fromCase('commission/worked_brackets_retroactive_60000.json')
    assert.equal(retroactive.program.commission.statement(retroactive.request).totals.earned, '6000.00')
  })

  test('statement: a period cap of 5,000 pays 5,000 of 6,200 and reports 1,200 capped', () => {
    const { program, request } = fromCase('commission/worked_period_cap_6200.json')
    const { totals, lines } = program.commission.statement(request)
    assert.equal(totals.earned, '6200.00')
    assert.equal(totals.capped, '1200.00')
    assert.equal(totals.net, '5000.00')
    assert.deepEqual(
      lines.map((l) => [l.transaction_id, l.amount, l.capped]),
      [
        ['T1', '4000.00', '0.00'],
        ['T2', '1000.00', '1200.00'],
      ],
    )
  })

  test('statement: split shares that do not add up to 1 are refused at their path', () => {
    const { program, request } = fromCase('commission/split_shares_not_one.json')
    const error = thrown(() => program.commission.statement(request))
    assert.deepEqual(codesAndPaths(error), [['commission_split_shares', '$.transactions[0].splits']])
    assert.equal(typeof error.problems[0].help, 'string')
  })

  test('statement: a refund whose original is missing is an error, not a zero', () => {
    const { program, request } = fromCase('commission/original_missing.json')
    const error = thrown(() => program.commission.statement(request))
    assert.deepEqual(codesAndPaths(error), [['commission_original_missing', '$.transactions[0].original_id']])
  })

  test('statements: a split of 1,000.01 at 0.7/0.3 gives 700.01 and 300.00', async () => {
    const { program, request } = fromCase('commission/worked_split_1000_01.json')
    const answer = program.commission.statements(request)
    assert.deepEqual(
      answer.statements.map((s) => [s.partner_id, s.totals.basis, s.totals.net]),
      [
        ['A', '700.01', '70.00'],
        ['B', '300.00', '30.00'],
      ],
    )
    assert.deepEqual(await program.commission.statementsAsync(request), answer)
  })

  test('statements: one statement per partner, in partner order, outside the period left out', async () => {
    const { program, request } = fromCase('commission/statements_for_every_partner.json')
    const answer = program.commission.statements(request)
    assert.deepEqual(
      answer.statements.map((s) => [s.partner_id, s.totals.net]),
      [
        ['P1', '100.00'],
        ['P2', '50.00'],
      ],
    )
    for (const statement of answer.statements) assertExplained(statement.explanation)
    assert.deepEqual(await program.commission.statementsAsync(request), answer)
  })

  test('compare: the same transactions under two plans, per partner and in total', async () => {
    const { program, request } = fromCase('commission/compare_two_plans.json')
    const answer = program.commission.compare(request)
    assert.deepEqual(
      answer.partners.map((p) => [p.partner_id, p.baseline.net, p.candidate.net, p.difference.net]),
      [
        ['P1', '50.00', '60.00', '10.00'],
        ['P2', '150.00', '100.00', '-50.00'],
      ],
    )
    assert.equal(answer.partners[1].candidate.capped, '80.00')
    assert.equal(answer.totals.difference.net, '-40.00')
    assert.deepEqual(await program.commission.compareAsync(request), answer)
  })

  test('compare: an invalid candidate plan is refused under $.candidate', () => {
    const { program, request } = fromCase('commission/compare_invalid_candidate.json')
    const error = thrown(() => program.commission.compare(request))
    assert.equal(error.code, 'invalid')
    assert.deepEqual(codesAndPaths(error), [['commission_negative_rate', '$.candidate.plans[0].rates[0].rate']])
  })
})

describe('mdf', () => {
  test('allocate: accrual of 2% on previous revenue of 100,000 allocates 2,000', () => {
    const { program, request } = fromCase('mdf/accrual_2_percent_of_100000_allocates_2000.json')
    const answer = program.mdf.allocate(request)
    assert.equal(answer.rule, 'accrual')
    assert.equal(answer.allocated, '2000.00')
    assert.equal(answer.scaled, false)
    assert.deepEqual(
      answer.lines.map((l) => [l.partner_id, l.entitlement, l.amount]),
      [['P1', '2000.00', '2000.00']],
    )
    assertExplained(answer.explanation)
  })

  test('allocate: a pool of 10,000 against 6,000, 5,000 and 1,000 scales to 5,000.00, 4,166.67, 833.33', () => {
    const { program, request } = fromCase('mdf/pool_scaled_down_with_largest_remainder.json')
    const answer = program.mdf.allocate(request)
    assert.equal(answer.scaled, true)
    assert.deepEqual(
      answer.lines.map((l) => l.amount),
      ['5000.00', '4166.67', '833.33'],
    )
  })

  test('apply: a request of 900 of a trade show costing 1,800 is accepted; approving it leaves 1,100', async () => {
    const { program, request } = fromCase('mdf/approving_900_leaves_1100_available.json')
    const answer = program.mdf.apply(request)
    assert.equal(answer.applied, 3)
    assert.equal(answer.refused, 0)
    assert.equal(answer.last_seq, 3)
    assert.deepEqual(
      answer.events.map((e) => [e.seq, e.change.kind]),
      [
        [1, 'allocated'],
        [2, 'request_submitted'],
        [3, 'request_approved'],
      ],
    )
    assert.equal(answer.events[2].change.amount, '900.00')
    assert.deepEqual(answer.decisions.map((d) => d.status), ['applied', 'applied', 'applied'])
    for (const decision of answer.decisions) assertExplained(decision.explanation)
    const [balance] = answer.balances
    assert.equal(balance.available, '1100.00')
    assert.equal(balance.approved, '900.00')
    assert.deepEqual(await program.mdf.applyAsync(request), answer)
  })

  test('apply: a request above 900, all or nothing, throws with its path and help', async () => {
    const { program, request } = fromCase('mdf/trade_show_request_above_900_is_refused.json')
    const error = thrown(() => program.mdf.apply(request))
    assert.equal(error.code, 'invalid')
    assert.deepEqual(codesAndPaths(error), [['mdf_vendor_share_exceeded', '$.commands[1].requested']])
    assert.equal(error.problems[0].help, 'request at most 900.00')
    const again = await rejected(program.mdf.applyAsync(request))
    assert.deepEqual(again.toJSON(), error.toJSON())
  })

  test('apply: one by one, a refused command is reported and the others apply', () => {
    const { program, request } = fromCase('mdf/commands_apply_one_by_one_unless_all_or_nothing.json')
    const answer = program.mdf.apply(request)
    assert.equal(answer.applied, 2)
    assert.equal(answer.refused, 1)
    assert.deepEqual(
      answer.decisions.map((d) => [d.index, d.command, d.status]),
      [
        [0, 'allocate', 'applied'],
        [1, 'submit_request', 'refused'],
        [2, 'submit_request', 'applied'],
      ],
    )
    const refused = answer.decisions[1].error
    assert.equal(refused.code, 'invalid')
    assert.deepEqual(
      refused.problems.map((p) => [p.code, p.path]),
      [['mdf_vendor_share_exceeded', '$.commands[1].requested']],
    )
    assert.equal(answer.events[1].change.request_id, 'R2')
  })

  test('apply: a claim of actual cost 2,000 reimburses min(900, 1,000) = 900', () => {
    const { program, request } = fromCase('mdf/claim_of_2000_reimburses_min_900_1000.json')
    const claim = program.mdf.apply(request).events.at(-1).change
    assert.equal(claim.kind, 'claim_submitted')
    assert.equal(claim.share_of_cost, '1000.00')
    assert.equal(claim.reimbursable, '900.00')
    assert.equal(claim.not_reimbursable, '100.00')
  })

  test('apply: the events answered replay; the next command continues the sequence', () => {
    const { program, request } = fromCase('mdf/trade_show_request_of_900_is_within_50_percent_of_1800.json')
    const first = program.mdf.apply(request)
    const next = program.mdf.apply({
      events: first.events,
      commands: [{ kind: 'approve_request', on: '2024-01-08', request_id: 'R1', approver: { id: 'u-1', role: 'channel_manager' } }],
    })
    // Only the new events are answered; the host appends them to its ledger.
    assert.deepEqual(next.events.map((e) => [e.seq, e.change.kind]), [[3, 'request_approved']])
    assert.equal(next.last_seq, 3)
    assert.equal(next.balances[0].available, '1100.00')
  })

  test('balance as of the quarter end: funds, available and open commitment', () => {
    const { program, request } = fromCase('mdf/balance_as_of_the_quarter_end.json')
    const answer = program.mdf.balance(request)
    const [account] = answer.accounts
    assert.equal(account.partner_id, 'P1')
    assert.equal(account.funds, '2000.00')
    assert.equal(account.approved, '900.00')
    assert.equal(account.paid, '600.00')
    assert.equal(account.available, '1100.00')
    assert.equal(account.open_commitment, '300.00')
    assert.equal(account.utilization, '0.4500')
    assert.equal(answer.periods[0].pool_left, '8000.00')
  })

  test('balance: tampered events do not replay', () => {
    const { program, request } = fromCase('mdf/tampered_events_do_not_replay.json')
    const error = thrown(() => program.mdf.balance(request))
    assert.deepEqual(codesAndPaths(error), [['mdf_ledger_inconsistent', '$.events[2]']])
  })

  test('report: by tier and activity type, with the ROI of attributed revenue', () => {
    const { program, request } = fromCase('mdf/report_by_tier_and_activity_with_roi.json')
    const answer = program.mdf.report(request)
    assert.equal(answer.totals.utilization, '0.4500')
    assert.deepEqual(answer.by_tier.map((t) => [t.tier, t.paid]), [['gold', '600.00']])
    const show = answer.by_activity_type.find((a) => a.activity_type === 'trade_show')
    assert.deepEqual(show.roi, { revenue: '12000.00', paid: '600.00', roi: '19.0000', revenue_per_paid: '20.0000' })
  })
})

describe('onboarding', () => {
  test('screen: a full score of 100 is accepted, each rule with its points', () => {
    const { program, request } = fromCase('onboarding/screen_accept_full_score.json')
    const answer = program.onboarding.screen(request)
    assert.equal(answer.outcome, 'accept')
    assert.equal(answer.score, '100')
    assert.deepEqual(answer.thresholds, { accept: '70', review: '40' })
    assert.deepEqual(
      answer.fired.map((f) => [f.rule, f.points]),
      [
        ['experience', '30'],
        ['size', '20'],
        ['references', '20'],
        ['support_team', '15'],
        ['security', '15'],
      ],
    )
    assertExplained(answer.explanation)
  })

  test('screen: a batch of applications, each outcome, and its Async twin equals it', async () => {
    const { program, request } = fromCase('onboarding/screen_batch_counts_outcomes.json')
    const answer = program.onboarding.screen(request)
    assert.deepEqual(
      answer.results.map((r) => [r.application_id, r.outcome]),
      [
        ['A1', 'accept'],
        ['A2', 'reject'],
        ['A3', 'incomplete'],
        ['A4', 'review'],
      ],
    )
    assert.deepEqual(answer.by_outcome, { accept: 1, reject: 1, incomplete: 1, review: 1 })
    assert.deepEqual(answer.results[2].missing, ['trade_register', 'insurance'])
    assert.equal(answer.results[1].fired[0].kind, 'knock_out')
    assert.deepEqual(await program.onboarding.screenAsync(request), answer)
  })

  test('checklist: what is done and what is missing', () => {
    const { program, request } = fromCase('onboarding/checklist_progress.json')
    const answer = program.onboarding.checklist(request)
    assert.equal(answer.done, 3)
    assert.equal(answer.total, 5)
    assert.equal(answer.complete, false)
    assert.deepEqual(answer.missing, ['agreement:reseller', 'document:trade_register'])
  })

  test('transition: submit moves an applicant to screening', () => {
    const { program, request } = fromCase('onboarding/submit_moves_applicant_to_screening.json')
    const answer = program.onboarding.transition(request)
    assert.equal(answer.applied, true)
    assert.equal(answer.from, 'applicant')
    assert.deepEqual(answer.state, { status: 'screening', since: '2025-03-01' })
    assert.deepEqual(answer.blockers, [])
  })

  test('transition: activation is blocked by every unfinished checklist item', () => {
    const { program, request } = fromCase('onboarding/activate_blocked_lists_every_missing_item.json')
    const answer = program.onboarding.transition(request)
    assert.equal(answer.applied, false)
    assert.deepEqual(answer.state, request.state)
    assert.deepEqual(
      answer.blockers.map((b) => [b.code, b.item]),
      [
        ['checklist_incomplete', 'agreement:nda'],
        ['checklist_incomplete', 'certification:sales'],
        ['checklist_incomplete', 'document:insurance'],
      ],
    )
    assertExplained(answer.explanation)
  })

  test('transition: an as_of before the state began is refused at $.as_of', () => {
    const { program, request } = fromCase('onboarding/as_of_before_state_is_an_error.json')
    const error = thrown(() => program.onboarding.transition(request))
    assert.deepEqual(codesAndPaths(error), [['invalid_value', '$.as_of']])
  })
})

describe('agreements', () => {
  test('status: notice given the day after the deadline renews for another term', () => {
    const { program, request } = fromCase('agreements/auto_renewal_notice_day_after_deadline_renews.json')
    const answer = program.agreements.status(request)
    const [agreement] = answer.agreements
    assert.equal(agreement.status, 'active')
    assert.equal(agreement.in_force, true)
    assert.equal(agreement.term.index, 1)
    assert.equal(agreement.term.start, '2026-01-01')
    assert.equal(agreement.ends_on, '2027-01-01')
    assert.deepEqual(answer.by_status, { active: 1 })
  })

  test('status: each status of the corpus', () => {
    const statuses = [
      ['agreements/pending_signature.json', 'pending_signature'],
      ['agreements/expiring_inside_horizon.json', 'expiring'],
      ['agreements/in_notice_period_on_the_deadline.json', 'in_notice_period'],
      ['agreements/expired_on_expires_on.json', 'expired'],
      ['agreements/terminated_early.json', 'terminated'],
    ]
    for (const [file, status] of statuses) {
      const { program, request } = fromCase(file)
      assert.equal(program.agreements.status(request).agreements[0].status, status, file)
    }
  })

  test('status: every problem of an agreement at once, each at its path', () => {
    const { program, request } = fromCase('agreements/agreement_dates_every_problem.json')
    const error = thrown(() => program.agreements.status(request))
    assert.deepEqual(codesAndPaths(error), [
      ['agreement_term_ambiguous', '$.agreements[0].term_months'],
      ['agreement_dates_reversed', '$.agreements[0].expires_on'],
      ['unknown_reference', '$.agreements[0].kind'],
    ])
    assert.equal(error.problems[2].help, 'did you mean `reseller`?')
  })

  test('reminders: 60, 30 and 7 days before the notice deadline', () => {
    const { program, request } = fromCase('agreements/reminders_before_notice_deadline.json')
    const answer = program.agreements.reminders(request)
    assert.deepEqual(
      answer.reminders.map((r) => [r.due_on, r.about, r.deadline, r.days_before]),
      [
        ['2025-09-03', 'notice_deadline', '2025-11-02', 60],
        ['2025-10-03', 'notice_deadline', '2025-11-02', 30],
        ['2025-10-26', 'notice_deadline', '2025-11-02', 7],
      ],
    )
  })
})

describe('compliance', () => {
  test('check: a partner with its agreements in force may receive leads', () => {
    const { program, request } = fromCase('agreements/compliance_ok_for_leads.json')
    const answer = program.compliance.check(request)
    assert.equal(answer.compliant, true)
    assert.deepEqual(answer.missing, [])
    assertExplained(answer.explanation)
  })

  test('check: MDF needs the MDF terms and a certified salesperson', () => {
    const { program, request } = fromCase('agreements/compliance_missing_agreement_and_certification.json')
    const answer = program.compliance.check(request)
    assert.equal(answer.compliant, false)
    assert.equal(answer.activity, 'request_mdf')
    assert.deepEqual(answer.missing, ['agreement:mdf_terms', 'certification:sales'])
    assert.equal(answer.items.find((i) => i.item === 'certification:sales').shortfall, 1)
  })

  test('check: a date that is not a date is refused at its path', () => {
    const { program, request } = fromCase('agreements/compliance_ok_for_leads.json')
    const error = thrown(() => program.compliance.check({ ...request, as_of: '2025-02-30' }))
    assert.deepEqual(codesAndPaths(error), [['invalid_date', '$.as_of']])
  })
})

describe('scorecards', () => {
  test('evaluate: health by bounds, trend and a revenue-drop signal', async () => {
    const { program, request } = fromCase('scorecards/health_by_bounds_with_trend_and_signal.json')
    const answer = program.scorecards.evaluate(request)
    assert.deepEqual(answer.window, { start: '2026-01-01', end: '2026-04-01' })
    const [card] = answer.scorecards
    assert.equal(card.partner_id, 'p1')
    assert.deepEqual(
      card.kpis.map((k) => [k.id, k.value, k.previous, k.score]),
      [
        ['revenue', '6000.00', '9000.00', '60.00'],
        ['acceptance', '75.00', '100.00', '50.00'],
        ['response', '6.00', '2.00', '87.50'],
        ['deal_size', '3000.00', '9000.00', '60.00'],
      ],
    )
    assert.equal(card.health, '64.38')
    assert.equal(card.previous_health, '93.96')
    assert.equal(card.band, 'watch')
    assert.equal(card.trend, 'down')
    assert.deepEqual(card.signals.map((s) => [s.kind, s.facts.drop_percent]), [['revenue_drop', '33.33']])
    assertExplained(card.explanation)
    assert.deepEqual(answer.by_band, { watch: 1 })
    assert.deepEqual(await program.scorecards.evaluateAsync(request), answer)
  })

  test('evaluate: a float where an amount belongs is refused with its path', () => {
    const { program, request } = fromCase('scorecards/health_by_bounds_with_trend_and_signal.json')
    const partners = structuredClone(request.partners)
    partners[0].sales[1].amount = 2000.5
    const error = thrown(() => program.scorecards.evaluate({ ...request, partners }))
    assert.deepEqual(codesAndPaths(error), [['decimal_must_be_string', '$.partners[0].sales[1].amount']])
  })
})

describe('a program without the section', () => {
  test('each engine names the missing section at its path', () => {
    const bare = prm.Program.fromObject({ schema_version: 1, currency: 'EUR' })
    const calls = [
      ['$.program.certifications', () => bare.certifications.status({ as_of: '2026-03-31', awards: [] })],
      ['$.program.tiers', () => bare.tiers.evaluate({ as_of: '2026-03-31', partners: [] })],
      [
        '$.program.routing',
        () => bare.routing.route({ partners: [], lead: { id: 'L', created_at: '2026-01-05T09:00:00Z', country: 'DE' } }),
      ],
      ['$.program.commissions', () => bare.commission.statements({ as_of: '2026-03-31', transactions: [] })],
      ['$.program.mdf', () => bare.mdf.balance({ as_of: '2024-01-01', events: [] })],
      ['$.program.onboarding', () => bare.onboarding.screen({ applications: [] })],
      ['$.program.scorecards', () => bare.scorecards.evaluate({ as_of: '2026-03-31', partners: [] })],
    ]
    for (const [path, run] of calls) {
      const error = thrown(run)
      assert.equal(error.code, 'invalid', path)
      assert.deepEqual(error.problems.map((p) => p.path), [path])
      assert.equal(error.problems[0].code, 'missing_field')
    }
  })

  test('operations over records the host keeps need no section', () => {
    const bare = prm.Program.fromObject({ schema_version: 1, currency: 'EUR' })
    assert.deepEqual(bare.dealRegistration.expire({ registrations: [], as_of: '2024-01-01' }).expired, [])
    assert.deepEqual(bare.agreements.status({ as_of: '2026-03-31', agreements: [] }).agreements, [])
  })
})
