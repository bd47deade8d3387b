// Properties, with fast-check: decimals cross the boundary losslessly, splits
// reconcile to the cent, a JS number is never taken for an amount, and every
// way of calling answers the same.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { prm } from './helpers.mjs'

const RUNS = { numRuns: 300 }

const digits = (min, max) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max })

// A decimal string: up to `wholeDigits` integer digits and `maxScale` decimals.
const decimal = (maxScale, wholeDigits = 20) =>
  fc
    .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** BigInt(wholeDigits) - 1n }), digits(0, maxScale))
    .map(([negative, whole, fraction]) => `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`)

// "12.5" at 2 places is 1250n.
function scaled(text, places) {
  const negative = text.startsWith('-')
  const [whole, fraction = ''] = text.replace('-', '').split('.')
  const value = BigInt(whole + fraction.padEnd(places, '0').slice(0, places))
  return negative ? -value : value
}

test('prop_amounts_round_trip_exactly', () => {
  fc.assert(
    fc.property(decimal(2), (amount) => {
      const answer = prm.money.round({ amount, currency: 'EUR' })
      assert.equal(typeof answer.amount, 'string')
      assert.equal(scaled(answer.amount, 2), scaled(amount, 2))
      assert.match(answer.amount, /^-?[0-9]+\.[0-9]{2}$/)
    }),
    RUNS,
  )
})

test('prop_rates_keep_every_digit', () => {
  // 28 significant digits at most: what an exact decimal holds.
  fc.assert(
    fc.property(decimal(18, 10), (rate) => {
      const answer = prm.rate.normalize({ rate })
      assert.equal(scaled(answer.rate, 28), scaled(rate, 28))
    }),
    RUNS,
  )
})

test('prop_decimals_are_exact_or_refused_never_changed', () => {
  fc.assert(
    fc.property(decimal(28, 30), (amount) => {
      let answer
      try {
        answer = prm.money.round({ amount, currency: 'EUR', mode: 'down' })
      } catch (error) {
        assert.ok(error instanceof prm.PrmError)
        assert.equal(error.code, 'invalid')
        assert.equal(error.problems[0].path, '$.amount')
        return
      }
      const truncated = scaled(amount, 2)
      assert.equal(scaled(answer.amount, 2), truncated)
    }),
    RUNS,
  )
})

test('prop_allocation_parts_sum_to_the_total', () => {
  const weight = fc.integer({ min: 1, max: 1_000_000 }).map(String)
  fc.assert(
    fc.property(decimal(2), fc.array(weight, { minLength: 1, maxLength: 12 }), (total, weights) => {
      const { parts } = prm.money.allocate({ total, weights, currency: 'EUR' })
      assert.equal(parts.length, weights.length)
      const sum = parts.reduce((acc, part) => acc + scaled(part, 2), 0n)
      assert.equal(sum, scaled(total, 2))
    }),
    RUNS,
  )
})

test('prop_js_numbers_are_never_amounts', () => {
  const number = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.maxSafeInteger())
  fc.assert(
    fc.property(number, fc.nat({ max: 4 }), (value, at) => {
      const weights = ['1', '1', '1', '1', '1']
      weights[at] = value
      assert.throws(
        () => prm.money.allocate({ total: '10', weights, currency: 'EUR' }),
        (error) => {
          assert.deepEqual(
            error.problems.map((p) => [p.code, p.path]),
            [['decimal_must_be_string', `$.weights[${at}]`]],
          )
          return true
        },
      )
    }),
    RUNS,
  )
})

test('prop_call_callAsync_and_callJson_agree', async () => {
  const request = fc.record(
    {
      amount: fc.oneof(decimal(4), fc.constantFrom('1,5', '', ' 1', '1e3')),
      currency: fc.constantFrom('EUR', 'JPY', 'BHD', 'EUX', 'eur'),
      mode: fc.constantFrom('half_even', 'half_up', 'down', 'up', 'bankers'),
    },
    { requiredKeys: ['amount', 'currency'] },
  )
  await fc.assert(
    fc.asyncProperty(request, async (data) => {
      const settle = async (run) => {
        try {
          return { ok: await run() }
        } catch (error) {
          assert.ok(error instanceof prm.PrmError)
          return { error: error.toJSON() }
        }
      }
      const sync = await settle(() => prm.money.round(data))
      const background = await settle(() => prm.money.roundAsync(data))
      const text = JSON.parse(prm.callJson('money.round', JSON.stringify(data)))
      assert.deepEqual(background, sync)
      assert.deepEqual(JSON.parse(JSON.stringify(sync)), text)
    }),
    { numRuns: 150 },
  )
})
