// The same programs used from several threads at once: worker_threads, each
// with its own Programs built from the same documents, and the Promise calls
// of one Program computed concurrently on libuv's pool. Every answer must be
// the one a sequential call gives, byte for byte.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { Worker } from 'node:worker_threads'
import { PACKAGE_DIR, caseFiles, prm, readCase } from './helpers.mjs'

const WORKER = join(PACKAGE_DIR, '__test__', 'fixtures', 'concurrency-worker.mjs')

// Operations bound to a program, except `program.validate` (nothing to compute).
const ENGINE_OPS = new Set(
  prm
    .operations()
    .filter((o) => o.takesProgram && o.name !== 'program.validate')
    .map((o) => o.name),
)

/**
 * The corpus's engine cases, grouped by program document: for each program,
 * its JSON text, its canonical document, and its calls (operation and request
 * text without the program). Error cases are included: an error answer must
 * be as stable as an ok one.
 */
function workload() {
  const byProgram = new Map()
  for (const file of caseFiles()) {
    const kase = readCase(file)
    if (!ENGINE_OPS.has(kase.op) || kase.input_text !== undefined) continue
    const { program, ...request } = kase.input
    if (program === undefined) continue
    const programText = JSON.stringify(program)
    let built
    try {
      built = prm.Program.fromJson(programText)
    } catch {
      continue // cases about an invalid program: nothing to share
    }
    if (!byProgram.has(programText)) {
      byProgram.set(programText, { programText, document: built.toJSON(), calls: [], program: built })
    }
    byProgram.get(programText).calls.push({ op: kase.op, requestText: JSON.stringify(request), file })
  }
  return [...byProgram.values()]
}

const GROUPS = workload()

/** The answers of one sequential pass on the main thread, as tagged JSON text. */
function sequential(groups) {
  return groups.flatMap((group) => group.calls.map(({ op, requestText }) => group.program.callJson(op, requestText)))
}

function runWorkers(groups, count, rounds) {
  // Slot 0: the go flag; slot 1: how many workers are ready.
  const go = new SharedArrayBuffer(8)
  const signal = new Int32Array(go)
  const shipped = groups.map(({ programText, document, calls }) => ({
    programText,
    document,
    calls: calls.map(({ op, requestText }) => ({ op, requestText })),
  }))
  const workers = Array.from(
    { length: count },
    (_, i) => new Worker(WORKER, { workerData: { groups: shipped, rounds, from: i % 2 === 0 ? 'json' : 'object', go } }),
  )
  const results = workers.map(
    (worker) =>
      new Promise((resolve, reject) => {
        worker.once('message', resolve)
        worker.once('error', reject)
        worker.once('exit', (code) => {
          if (code !== 0) reject(new Error(`a worker exited with code ${code}`))
        })
      }),
  )
  // Release every worker at once, when all have built their Programs.
  const release = setInterval(() => {
    if (Atomics.load(signal, 1) === count) {
      clearInterval(release)
      Atomics.store(signal, 0, 1)
      Atomics.notify(signal, 0)
    }
  }, 1)
  return Promise.all(results).finally(() => clearInterval(release))
}

describe('worker_threads', () => {
  test('the workload covers every engine operation', () => {
    const covered = new Set(GROUPS.flatMap((g) => g.calls.map((c) => c.op)))
    assert.deepEqual([...covered].sort(), [...ENGINE_OPS].sort())
    assert.ok(GROUPS.reduce((n, g) => n + g.calls.length, 0) >= 200)
  })

  test('4 workers running the same calls at once answer as sequential calls do', { timeout: 300_000 }, async () => {
    const expected = sequential(GROUPS)
    const results = await runWorkers(GROUPS, 4, 2)
    assert.equal(new Set(results.map((r) => r.threadId)).size, 4)
    const files = GROUPS.flatMap((g) => g.calls.map((c) => c.file))
    for (const { answers, threadId } of results) {
      assert.equal(answers.length, 2)
      for (const round of answers) {
        assert.equal(round.length, expected.length)
        round.forEach((answer, i) => assert.equal(answer, expected[i], `thread ${threadId}, ${files[i]}`))
      }
    }
  })

  test('a Program rebuilt from its canonical document answers as the original', () => {
    for (const group of GROUPS) {
      const copy = prm.Program.fromObject(structuredClone(group.document))
      assert.deepEqual(copy.toJSON(), group.document)
      for (const { op, requestText } of group.calls) {
        assert.equal(copy.callJson(op, requestText), group.program.callJson(op, requestText))
      }
    }
  })
})

describe('Promise calls of one Program, all at once', () => {
  test('every corpus call of each program, 4 times over, answers as the sequential call', async () => {
    const expected = sequential(GROUPS)
    const pending = []
    for (let copy = 0; copy < 4; copy += 1) {
      for (const group of GROUPS) {
        for (const { op, requestText } of group.calls) {
          pending.push(group.program.callJsonAsync(op, requestText))
        }
      }
    }
    const answers = await Promise.all(pending)
    assert.equal(answers.length, expected.length * 4)
    answers.forEach((answer, i) => assert.equal(answer, expected[i % expected.length]))
  })

  test('the async batch calls, run concurrently, equal the synchronous ones', async () => {
    // [case, namespace, verb]: the batch operations of the engines.
    const batches = [
      ['tiers/batch_results_in_partner_id_order.json', 'tiers', 'evaluate'],
      ['routing/round_robin_batch_advances_pointer.json', 'routing', 'routeBatch'],
      ['routing/weighted_draw_is_reproducible.json', 'routing', 'routeBatch'],
      ['commission/statements_for_every_partner.json', 'commission', 'statements'],
      ['commission/worked_split_1000_01.json', 'commission', 'statements'],
      ['commission/compare_two_plans.json', 'commission', 'compare'],
      ['deal_registration/expire_lists_lapsed.json', 'dealRegistration', 'expire'],
      ['mdf/commands_apply_one_by_one_unless_all_or_nothing.json', 'mdf', 'apply'],
      ['mdf/report_by_tier_and_activity_with_roi.json', 'mdf', 'report'],
      ['onboarding/screen_batch_counts_outcomes.json', 'onboarding', 'screen'],
      ['scorecards/percentile_among_tied_peers.json', 'scorecards', 'evaluate'],
    ]
    const calls = batches.map(([file, namespace, verb]) => {
      const { program, ...request } = readCase(file).input
      return { file, program: prm.Program.fromJson(JSON.stringify(program)), namespace, verb, request }
    })
    const expected = calls.map(({ program, namespace, verb, request }) => program[namespace][verb](request))
    const pending = []
    for (let copy = 0; copy < 8; copy += 1) {
      for (const { program, namespace, verb, request } of calls) {
        pending.push(program[namespace][`${verb}Async`](request))
      }
    }
    const answers = await Promise.all(pending)
    answers.forEach((answer, i) => assert.deepEqual(answer, expected[i % calls.length], calls[i % calls.length].file))
  })

  test('a large routing batch and commission statements computed concurrently equal sequential ones', async () => {
    const { program: routingDocument, partners } = readCase('routing/weighted_draw_is_reproducible.json').input
    const routing = prm.Program.fromJson(JSON.stringify(routingDocument))
    const leads = Array.from({ length: 300 }, (_, i) => ({
      id: `L-${String(i).padStart(5, '0')}`,
      created_at: '2026-01-05T09:00:00Z',
      country: 'DE',
    }))
    const { program: commissionDocument } = readCase('commission/statements_for_every_partner.json').input
    const commission = prm.Program.fromJson(JSON.stringify(commissionDocument))
    const transactions = Array.from({ length: 1_000 }, (_, i) => ({
      id: `T${i}`,
      partner_id: `P${i % 37}`,
      date: `2026-0${1 + (i % 3)}-${String(1 + (i % 28)).padStart(2, '0')}`,
      amount: `${100 + (i % 900)}.${String(i % 100).padStart(2, '0')}`,
    }))
    const routeRequest = { partners, leads }
    const statementsRequest = { as_of: '2026-03-31', transactions }
    const routed = routing.routing.routeBatch(routeRequest)
    const statements = commission.commission.statements(statementsRequest)
    assert.equal(routed.decisions.length, 300)
    assert.equal(statements.statements.length, 37)

    const answers = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        i % 2 === 0
          ? routing.routing.routeBatchAsync(routeRequest)
          : commission.commission.statementsAsync(statementsRequest),
      ),
    )
    answers.forEach((answer, i) => assert.deepEqual(answer, i % 2 === 0 ? routed : statements))
  })
})
