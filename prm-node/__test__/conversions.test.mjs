// Conversions at the boundary: decimals stay exact strings both ways, a JS
// number is never taken for an amount, and JSON text keeps JSON's own rules.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { NORTHWIND, prm } from './helpers.mjs'

const problems = (run) => {
  try {
    run()
  } catch (error) {
    assert.ok(error instanceof prm.PrmError, `expected a PrmError, got ${error}`)
    return error.problems.map((p) => [p.code, p.path])
  }
  assert.fail('expected a PrmError')
}

describe('long decimals', () => {
  test('28 digits after the point go in exactly', () => {
    const answer = prm.money.round({ amount: '0.1234567890123456789012345678', currency: 'EUR', mode: 'half_up' })
    assert.equal(answer.amount, '0.12')
    assert.deepEqual(prm.rate.normalize({ rate: '0.1234567890123456789012345678' }), {
      rate: '0.1234567890123456789012345678',
    })
  })

  test('amounts beyond 2^53 come back digit for digit', () => {
    for (const amount of ['12345678901234567890.12', '9007199254740993.00', '79228162514264337593543950335']) {
      const answer = prm.money.round({ amount, currency: amount.includes('.') ? 'EUR' : 'JPY' })
      assert.equal(answer.amount, amount)
      assert.equal(typeof answer.amount, 'string')
    }
  })

  test('a split of a huge total still sums exactly', () => {
    const { parts } = prm.money.allocate({ total: '99999999999999999999.99', weights: ['1', '1', '1'], currency: 'EUR' })
    const cents = parts.map((p) => BigInt(p.replace('.', '')))
    assert.equal(cents.reduce((a, b) => a + b, 0n), 9999999999999999999999n)
  })

  test('29 digits after the point is refused, never rounded', () => {
    assert.deepEqual(
      problems(() => prm.money.round({ amount: '0.00000000000000000000000000001', currency: 'EUR' })),
      [['invalid_decimal', '$.amount']],
    )
  })
})

describe('negative amounts', () => {
  test('round keeps the sign and mirrors the mode', () => {
    assert.equal(prm.money.round({ amount: '-2.345', currency: 'EUR', mode: 'half_up' }).amount, '-2.35')
    assert.equal(prm.money.round({ amount: '-2.349', currency: 'EUR', mode: 'down' }).amount, '-2.34')
    assert.equal(prm.money.round({ amount: '-0.001', currency: 'EUR' }).amount, '0.00')
  })

  test('a negative total splits into negative parts that sum to it', () => {
    const { parts } = prm.money.allocate({ total: '-1000.01', weights: ['0.7', '0.3'], currency: 'EUR' })
    assert.deepEqual(parts, ['-700.01', '-300.00'])
  })
})

describe('JS numbers where decimals belong', () => {
  test('a number with a fraction is refused with a clear message', () => {
    assert.throws(() => prm.money.round({ amount: 12.5, currency: 'EUR' }), (error) => {
      assert.equal(error.code, 'invalid')
      assert.deepEqual(error.problems, [
        {
          code: 'decimal_must_be_string',
          path: '$.amount',
          message: 'expected a decimal string, found the JavaScript number 12.5',
          help: 'a JavaScript number cannot hold every amount exactly; pass a string such as "12.5"',
        },
      ])
      return true
    })
  })

  test('an integer number is refused too, though JSON text may carry one', () => {
    assert.deepEqual(problems(() => prm.money.round({ amount: 12, currency: 'EUR' })), [
      ['decimal_must_be_string', '$.amount'],
    ])
    const answer = JSON.parse(prm.callJson('money.round', '{"amount": 12, "currency": "EUR"}'))
    assert.deepEqual(answer, { ok: { amount: '12.00', currency: 'EUR' } })
  })

  test('unsafe integers, negative numbers, zero and rates are refused', () => {
    for (const amount of [2 ** 53 + 2, -5, 0, -0, 1e21, 5e-324]) {
      assert.deepEqual(problems(() => prm.money.round({ amount, currency: 'EUR' })), [
        ['decimal_must_be_string', '$.amount'],
      ])
    }
    assert.deepEqual(problems(() => prm.rate.normalize({ rate: 0.07 })), [['decimal_must_be_string', '$.rate']])
  })

  test('numbers are found inside arrays', () => {
    assert.deepEqual(
      problems(() => prm.money.allocate({ total: '10', weights: ['1', 2, 0.5], currency: 'EUR' })),
      [
        ['decimal_must_be_string', '$.weights[1]'],
        ['decimal_must_be_string', '$.weights[2]'],
      ],
    )
  })

  test('numbers are found deep in a program document', () => {
    const document = structuredClone(NORTHWIND)
    document.tiers.tiers[2].benefits.lead_weight = 3
    document.tiers.tiers[2].benefits.discount_rate = 0.25
    assert.deepEqual(problems(() => prm.Program.fromObject(document)), [
      ['decimal_must_be_string', '$.tiers.tiers[2].benefits.lead_weight'],
      ['decimal_must_be_string', '$.tiers.tiers[2].benefits.discount_rate'],
    ])
  })

  test('refused numbers come with every other problem of the request', () => {
    assert.deepEqual(
      problems(() => prm.money.round({ amount: 1, currency: 'EUX', mode: 'bankers', extra: true })),
      [
        ['decimal_must_be_string', '$.amount'],
        ['unknown_currency', '$.currency'],
        ['unknown_variant', '$.mode'],
        ['unknown_field', '$.extra'],
      ],
    )
  })

  test('numbers where the schema wants numbers are fine', () => {
    assert.equal(prm.calendar.addMonths({ date: '2025-01-31', months: 1 }).date, '2025-02-28')
    const document = structuredClone(NORTHWIND)
    document.tiers.tiers[1].benefits.deal_protection_days = 90
    document.tiers.tiers[2].benefits.custom = { weight: 1.5, nested: [1, 2.5] }
    const program = prm.Program.fromObject(document)
    assert.deepEqual(program.toJSON().tiers.tiers[2].benefits.custom, { weight: 1.5, nested: [1, 2.5] })
  })

  test('NaN and Infinity are written as null by JSON and refused as such', () => {
    assert.deepEqual(problems(() => prm.money.round({ amount: Number.NaN, currency: 'EUR' })), [
      ['wrong_type', '$.amount'],
    ])
    assert.deepEqual(problems(() => prm.calendar.addMonths({ date: '2025-01-31', months: Infinity })), [
      ['wrong_type', '$.months'],
    ])
  })

  test('a fractional number where an integer belongs is the core\'s wrong_type', () => {
    assert.deepEqual(problems(() => prm.calendar.addMonths({ date: '2025-01-31', months: 1.5 })), [
      ['wrong_type', '$.months'],
    ])
  })
})

describe('other JavaScript values', () => {
  test('a decimal library\'s value passes through its toJSON, losslessly', () => {
    class Big {
      constructor(text) {
        this.text = text
      }
      toJSON() {
        return this.text
      }
    }
    const answer = prm.money.round({ amount: new Big('9007199254740993.005'), currency: 'EUR', mode: 'half_up' })
    assert.equal(answer.amount, '9007199254740993.01')
  })

  test('a bigint is refused with its path and a suggestion', () => {
    assert.throws(() => prm.money.allocate({ total: '1', weights: ['1', 2n], currency: 'EUR' }), (error) => {
      assert.deepEqual(error.problems, [
        {
          code: 'wrong_type',
          path: '$.weights[1]',
          message: 'expected a JSON value, found the bigint 2',
          help: 'pass a string such as "2"',
        },
      ])
      return true
    })
  })

  test('a cycle is refused with its path', () => {
    const data = { amount: '1', currency: 'EUR', meta: {} }
    data.meta.back = data
    assert.deepEqual(problems(() => prm.money.round(data)), [['wrong_type', '$.meta.back']])
  })

  test('odd keys get quoted paths, as the core writes them', () => {
    assert.deepEqual(problems(() => prm.money.round({ amount: '1', currency: 'EUR', 'odd key': 1n })), [
      ['wrong_type', '$["odd key"]'],
    ])
  })

  test('undefined fields are absent, as in JSON', () => {
    assert.equal(prm.money.round({ amount: '1', currency: 'EUR', mode: undefined }).amount, '1.00')
  })

  test('data that is not an object is the core\'s wrong_type', () => {
    assert.deepEqual(problems(() => prm.call('money.round', [1])), [['wrong_type', '$']])
    assert.deepEqual(problems(() => prm.call('money.round', () => 1)), [['wrong_type', '$']])
  })

  test('instants may come from Date#toISOString', () => {
    assert.equal(prm.asInstant(new Date(Date.UTC(2026, 0, 5, 9, 30)).toISOString()), '2026-01-05T09:30:00.000Z')
  })
})

describe('branded string helpers', () => {
  test('accept what the schema pattern accepts', () => {
    assert.equal(prm.asDecimal('-1234.50'), '-1234.50')
    assert.equal(prm.asRate('7%'), '7%')
    assert.equal(prm.asDate('2026-03-31'), '2026-03-31')
    assert.equal(prm.asInstant('2026-01-05T10:30:00+01:00'), '2026-01-05T10:30:00+01:00')
  })

  test('refuse the rest with the core\'s codes', () => {
    const cases = [
      [() => prm.asDecimal('12,50'), 'invalid_decimal'],
      [() => prm.asDecimal('1e3'), 'invalid_decimal'],
      [() => prm.asDecimal(12.5), 'wrong_type'],
      [() => prm.asRate('7 %'), 'invalid_rate'],
      [() => prm.asDate('2025-2-3'), 'invalid_date'],
      [() => prm.asInstant('2026-01-05T09:30:00'), 'invalid_instant'],
    ]
    for (const [run, code] of cases) {
      assert.deepEqual(problems(run), [[code, '$']])
    }
  })

  test('the decimal and rate patterns are the core schema\'s', () => {
    const defs = {
      ...prm.describe('money.round').request.$defs,
      ...prm.describe('rate.normalize').request.$defs,
    }
    const samples = ['1', '-1', '1.5', '-0.25', '1.', '.5', '1e3', '+1', '7%', '7.5%', '%', '1 ', '12,50', '']
    for (const [name, helper] of [
      ['Decimal', prm.asDecimal],
      ['Rate', prm.asRate],
    ]) {
      const pattern = new RegExp(defs[name].pattern)
      for (const sample of samples) {
        let accepted = true
        try {
          helper(sample)
        } catch {
          accepted = false
        }
        assert.equal(accepted, pattern.test(sample), `${name} ${JSON.stringify(sample)}`)
      }
    }
  })
})
