// The idiomatic API: Program, the operation namespaces, and each engine's calls.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { NORTHWIND, prm } from './helpers.mjs'

const pkg = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')))

describe('package', () => {
  test('version matches the package', () => {
    assert.equal(prm.version(), pkg.version)
    assert.equal(prm.call('version').version, pkg.version)
  })

  test('operations lists every core operation with its shape', () => {
    const operations = prm.operations()
    assert.deepEqual(
      operations.map((o) => o.name),
      prm.call('version').operations,
    )
    const validate = operations.find((o) => o.name === 'program.validate')
    assert.deepEqual(validate, {
      name: 'program.validate',
      summary: 'validate a program document and summarise it',
      takesProgram: true,
    })
    assert.equal(operations.find((o) => o.name === 'money.round').takesProgram, false)
  })

  test('every namespaced operation is a function or a Program method, with an Async twin', () => {
    const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase())
    const program = prm.Program.fromObject(NORTHWIND)
    for (const { name, takesProgram } of prm.operations()) {
      if (!name.includes('.')) continue
      const [namespace, verb] = name.split('.').map(camel)
      const owner = takesProgram ? (namespace === 'program' ? program : program[namespace]) : prm[namespace]
      assert.equal(typeof owner[verb], 'function', `${name} has no method ${namespace}.${verb}`)
      assert.equal(typeof owner[`${verb}Async`], 'function', `${name} has no ${verb}Async`)
    }
  })

  test('describe answers an operation\'s schemas', () => {
    const description = prm.describe('money.round')
    assert.equal(description.op, 'money.round')
    assert.deepEqual(description.request.required, ['amount', 'currency'])
  })

  test('namespaces are frozen', () => {
    assert.ok(Object.isFrozen(prm.money))
    assert.throws(() => {
      'use strict'
      prm.money.round = () => null
    }, TypeError)
  })
})

describe('Program', () => {
  test('fromObject validates and summarises', () => {
    const program = prm.Program.fromObject(NORTHWIND)
    const summary = program.validate()
    assert.equal(summary.valid, true)
    assert.equal(summary.name, 'Northwind Partner Network')
    assert.deepEqual(summary.sections, ['tiers'])
    assert.deepEqual(summary.fiscal_calendar, { first_month: 7 })
  })

  test('fromJson reads text, where an integer amount is exact', () => {
    const text = JSON.stringify(NORTHWIND).replace('"lead_weight":"3"', '"lead_weight":3')
    assert.ok(text.includes('"lead_weight":3'))
    const program = prm.Program.fromJson(text)
    assert.equal(program.validate().currency, 'EUR')
    assert.equal(program.toJSON().tiers.tiers[2].benefits.lead_weight, '3')
  })

  test('toJSON is the canonical document, and round-trips', () => {
    const program = prm.Program.fromObject({ schema_version: 1, currency: 'JPY' })
    assert.deepEqual(program.toJSON(), {
      schema_version: 1,
      currency: 'JPY',
      rounding: 'half_even',
      fiscal_calendar: { first_month: 1 },
    })
    const again = prm.Program.fromJson(JSON.stringify(program))
    assert.deepEqual(again.toJSON(), program.toJSON())
  })

  test('an invalid document throws every problem, with paths from the document root', () => {
    assert.throws(
      () => prm.Program.fromObject({ schema_version: 1, currency: 'EUX', rounding: 'half_evn' }),
      (error) => {
        assert.ok(error instanceof prm.PrmError)
        assert.equal(error.code, 'invalid')
        assert.deepEqual(
          error.problems.map((p) => [p.code, p.path]),
          [
            ['unknown_currency', '$.currency'],
            ['unknown_variant', '$.rounding'],
          ],
        )
        return true
      },
    )
  })

  test('fromJson reports malformed text', () => {
    assert.throws(() => prm.Program.fromJson('{"schema_version": 1,'), (error) => {
      assert.equal(error.problems[0].code, 'malformed_json')
      return true
    })
  })

  test('fromObject of nothing is an empty document', () => {
    for (const nothing of [undefined, null, {}]) {
      assert.throws(() => prm.Program.fromObject(nothing), { code: 'invalid' })
    }
  })

  test('is not constructed directly', () => {
    assert.throws(() => new prm.Program(), TypeError)
  })

  test('call supplies the program; data naming one is refused', () => {
    const program = prm.Program.fromObject(NORTHWIND)
    assert.equal(program.call('program.validate').valid, true)
    assert.throws(() => program.call('program.validate', { program: NORTHWIND }), (error) => {
      assert.deepEqual(error.problems.map((p) => [p.code, p.path]), [['unknown_field', '$.program']])
      return true
    })
  })

  test('callJson answers tagged text with the program injected', () => {
    const program = prm.Program.fromObject(NORTHWIND)
    const answer = JSON.parse(program.callJson('program.validate', '{}'))
    assert.equal(answer.ok.name, 'Northwind Partner Network')
    const error = JSON.parse(program.callJson('program.validate', '[1]'))
    assert.equal(error.error.problems[0].code, 'wrong_type')
  })

  test('validateAsync resolves the same summary', async () => {
    const program = prm.Program.fromObject(NORTHWIND)
    assert.deepEqual(await program.validateAsync(), program.validate())
    assert.deepEqual(await program.callAsync('program.validate'), program.validate())
    assert.equal(JSON.parse(await program.callJsonAsync('program.validate', '{}')).ok.valid, true)
  })

  test('tier benefits keep their decimals and rates as strings', () => {
    const document = prm.Program.fromObject(NORTHWIND).toJSON()
    const gold = document.tiers.tiers.find((tier) => tier.id === 'gold')
    assert.equal(gold.benefits.commission_multiplier, '1.2')
    assert.equal(gold.benefits.discount_rate, '0.25')
    assert.deepEqual(gold.benefits.custom, { badge: 'gold.svg' })
  })
})

describe('money', () => {
  test('round with each mode', () => {
    const table = [
      ['2.345', 'half_even', '2.34'],
      ['2.355', 'half_even', '2.36'],
      ['2.345', 'half_up', '2.35'],
      ['-2.345', 'half_up', '-2.35'],
      ['2.349', 'down', '2.34'],
      ['2.341', 'up', '2.35'],
    ]
    for (const [amount, mode, want] of table) {
      assert.deepEqual(prm.money.round({ amount, currency: 'EUR', mode }), { amount: want, currency: 'EUR' })
    }
  })

  test('round pads to minor units and knows each currency', () => {
    assert.equal(prm.money.round({ amount: '5', currency: 'EUR' }).amount, '5.00')
    assert.equal(prm.money.round({ amount: '1234.5', currency: 'JPY' }).amount, '1234')
    assert.equal(prm.money.round({ amount: '1.23456', currency: 'BHD', mode: 'half_up' }).amount, '1.235')
  })

  test('allocate splits with largest remainders', () => {
    assert.deepEqual(prm.money.allocate({ total: '1000.01', weights: ['0.7', '0.3'], currency: 'EUR' }), {
      parts: ['700.01', '300.00'],
      currency: 'EUR',
    })
    assert.deepEqual(prm.money.allocate({ total: '0.02', weights: ['1', '1', '1'], currency: 'EUR' }).parts, [
      '0.01',
      '0.01',
      '0.00',
    ])
  })

  test('an unknown rounding mode suggests the right one', () => {
    assert.throws(() => prm.money.round({ amount: '1', currency: 'EUR', mode: 'half_evn' }), (error) => {
      assert.deepEqual(error.problems.map((p) => [p.code, p.path]), [['unknown_variant', '$.mode']])
      assert.equal(error.problems[0].help, 'did you mean `half_even`?')
      return true
    })
  })
})

describe('rate', () => {
  test('normalize reads percents and fractions', () => {
    assert.deepEqual(prm.rate.normalize({ rate: '7%' }), { rate: '0.07' })
    assert.deepEqual(prm.rate.normalize({ rate: '12.5%' }), { rate: '0.125' })
    assert.deepEqual(prm.rate.normalize({ rate: '0.07' }), { rate: '0.07' })
  })
})

describe('calendar', () => {
  test('addMonths clamps to the month end', () => {
    assert.deepEqual(prm.calendar.addMonths({ date: '2024-01-31', months: 1 }), { date: '2024-02-29' })
    assert.deepEqual(prm.calendar.addMonths({ date: '2024-03-31', months: -1 }), { date: '2024-02-29' })
  })

  test('trailingWindow is inclusive of as_of', () => {
    assert.deepEqual(prm.calendar.trailingWindow({ as_of: '2026-03-31', months: 12 }), {
      start: '2025-04-01',
      end: '2026-04-01',
      last_day: '2026-03-31',
      days: 365,
    })
  })

  test('fiscalQuarter names the fiscal year after the year it ends in', () => {
    const position = prm.calendar.fiscalQuarter({ date: '2025-08-15', fiscal_calendar: { first_month: 7 } })
    assert.equal(position.fiscal_year, 2026)
    assert.equal(position.quarter, 1)
    assert.equal(position.quarter_start, '2025-07-01')
  })

  test('dates are strict YYYY-MM-DD', () => {
    assert.throws(() => prm.calendar.addMonths({ date: '2025-2-3', months: 1 }), (error) => {
      assert.deepEqual(error.problems.map((p) => [p.code, p.path]), [['invalid_date', '$.date']])
      return true
    })
  })

  test('a JS Date where a date belongs is refused with what it was written as', () => {
    assert.throws(() => prm.calendar.addMonths({ date: new Date(Date.UTC(2026, 2, 31)), months: 1 }), (error) => {
      assert.deepEqual(error.problems.map((p) => [p.code, p.path]), [['invalid_date', '$.date']])
      assert.match(error.problems[0].message, /2026-03-31T00:00:00.000Z/)
      return true
    })
  })
})
