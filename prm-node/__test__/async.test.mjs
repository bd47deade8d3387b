// The Promise-returning calls compute on libuv's worker threads: the event
// loop keeps turning while a large batch runs.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { prm } from './helpers.mjs'

function batch(size) {
  return { total: '1000000.00', weights: Array.from({ length: size }, (_, i) => String((i % 97) + 1)), currency: 'EUR' }
}

// Finds a batch that takes at least `ms` to compute synchronously.
function heavyBatch(ms) {
  for (let size = 20_000; ; size *= 2) {
    const data = batch(size)
    const start = performance.now()
    prm.money.allocate(data)
    if (performance.now() - start >= ms || size >= 2_560_000) return data
  }
}

test('the event loop keeps turning while a batch computes', async () => {
  const data = heavyBatch(150)
  let ticks = 0
  const timer = setInterval(() => {
    ticks += 1
  }, 5)
  try {
    const pending = prm.money.allocateAsync(data)
    const sync = ticks
    const answer = await pending
    assert.equal(sync, 0, 'no tick can happen before the call returns')
    assert.ok(ticks >= 3, `the event loop ticked only ${ticks} times during the batch`)
    assert.equal(answer.parts.length, data.weights.length)
  } finally {
    clearInterval(timer)
  }
})

test('a synchronous call of the same batch blocks, for comparison', async () => {
  const data = heavyBatch(150)
  let ticks = 0
  const timer = setInterval(() => {
    ticks += 1
  }, 5)
  try {
    prm.money.allocate(data)
    assert.equal(ticks, 0)
    await sleep(20)
    assert.ok(ticks >= 1)
  } finally {
    clearInterval(timer)
  }
})

test('many concurrent calls answer in their own order', async () => {
  const amounts = Array.from({ length: 200 }, (_, i) => `${i}.${String(i).padStart(3, '0')}`)
  const answers = await Promise.all(amounts.map((amount) => prm.money.roundAsync({ amount, currency: 'EUR', mode: 'down' })))
  assert.deepEqual(
    answers.map((a) => a.amount),
    amounts.map((amount) => prm.money.round({ amount, currency: 'EUR', mode: 'down' }).amount),
  )
})

test('Program calls run off the main thread too', async () => {
  const program = prm.Program.fromObject({ schema_version: 1, currency: 'EUR' })
  const summaries = await Promise.all(Array.from({ length: 50 }, () => program.validateAsync()))
  assert.ok(summaries.every((s) => s.valid && s.currency === 'EUR'))
})
