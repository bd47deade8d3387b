// Errors: PrmError's shape, the kinds that reach JavaScript, rejections of the
// async calls, TypeErrors for misuse, and no panic crossing into Node.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { PACKAGE_DIR, prm } from './helpers.mjs'

const caught = (run) => {
  try {
    run()
  } catch (error) {
    return error
  }
  assert.fail('expected a throw')
}

describe('PrmError', () => {
  test('is an Error with code, message and problems', () => {
    const error = caught(() => prm.money.round({ amount: '1', currency: 'EUX' }))
    assert.ok(error instanceof prm.PrmError)
    assert.ok(error instanceof Error)
    assert.equal(error.name, 'PrmError')
    assert.equal(error.code, 'invalid')
    assert.equal(
      error.message,
      'invalid input: $.currency: unknown currency `EUX` (help: use an ISO 4217 code in upper case, such as `EUR`, `USD` or `JPY`)',
    )
    assert.deepEqual(error.problems, [
      {
        code: 'unknown_currency',
        path: '$.currency',
        message: 'unknown currency `EUX`',
        help: 'use an ISO 4217 code in upper case, such as `EUR`, `USD` or `JPY`',
      },
    ])
    assert.match(String(error), /^PrmError: invalid input/)
    assert.match(error.stack, /errors\.test\.mjs/)
  })

  test('its problems are frozen', () => {
    const error = caught(() => prm.money.round({ amount: '1', currency: 'EUX' }))
    assert.ok(Object.isFrozen(error.problems))
    assert.ok(Object.isFrozen(error.problems[0]))
  })

  test('toJSON is prm\'s error document', () => {
    const error = caught(() => prm.money.round({ amount: '1', currency: 'EUX' }))
    const document = JSON.parse(JSON.stringify(error))
    assert.deepEqual(Object.keys(document), ['code', 'message', 'problems'])
    const raw = JSON.parse(prm.callJson('money.round', '{"amount": "1", "currency": "EUX"}'))
    assert.deepEqual(document, raw.error)
  })

  test('lists every problem, not only the first', () => {
    const error = caught(() => prm.money.round({ amount: '1,5', currency: 'EUX', mode: 'bankers', extra: true }))
    assert.deepEqual(
      error.problems.map((p) => p.code),
      ['invalid_decimal', 'unknown_currency', 'unknown_variant', 'unknown_field'],
    )
    assert.match(error.message, /\(and 3 more\)$/)
  })

  test('unknown operations suggest the closest name', () => {
    const error = caught(() => prm.call('money.rund', {}))
    assert.equal(error.code, 'unknown_operation')
    assert.equal(error.problems[0].help, 'did you mean `money.round`?')
  })

  test('an out-of-range result is an error, not a throw from the addon', () => {
    const error = caught(() => prm.calendar.addMonths({ date: '2025-01-31', months: 2147483647 }))
    assert.ok(error instanceof prm.PrmError)
    assert.deepEqual(error.problems.map((p) => [p.code, p.path]), [['date_out_of_range', '$.months']])
  })
})

describe('async calls', () => {
  test('reject with PrmError, never throw synchronously', async () => {
    const pending = prm.money.roundAsync({ amount: 12.5, currency: 'EUR' })
    assert.ok(pending instanceof Promise)
    await assert.rejects(pending, (error) => {
      assert.ok(error instanceof prm.PrmError)
      assert.equal(error.problems[0].code, 'decimal_must_be_string')
      return true
    })
  })

  test('data JSON cannot write rejects too', async () => {
    const pending = prm.callAsync('money.round', { amount: 1n })
    assert.ok(pending instanceof Promise)
    await assert.rejects(pending, { name: 'PrmError', code: 'invalid' })
  })

  test('unknown operations reject', async () => {
    await assert.rejects(prm.callAsync('no.such', {}), { code: 'unknown_operation' })
    const text = await prm.callJsonAsync('no.such', '{}')
    assert.equal(JSON.parse(text).error.code, 'unknown_operation')
  })
})

describe('misuse', () => {
  test('a non-string operation is a TypeError', () => {
    assert.throws(() => prm.call(42, {}), TypeError)
    assert.throws(() => prm.callJson(undefined, '{}'), TypeError)
  })

  test('callJson takes text, not objects', () => {
    assert.throws(() => prm.callJson('version', {}), /must be JSON text/)
    assert.throws(() => prm.Program.fromJson({ schema_version: 1 }), TypeError)
  })

  test('malformed JSON text is an error answer, not a throw', () => {
    const answer = JSON.parse(prm.callJson('version', '{"a":'))
    assert.equal(answer.error.problems[0].code, 'malformed_json')
  })
})

describe('panics', () => {
  // A panic inside prm must never abort Node: every export is
  // #[napi(catch_unwind)], and each call runs under its own catch_unwind
  // (on worker threads too, where napi's guard does not reach).
  const source = readFileSync(join(PACKAGE_DIR, 'src', 'lib.rs'), 'utf8')

  test('every exported function and method catches unwinds', () => {
    const exports = [...source.matchAll(/#\[napi(\([^\]]*\))?\]\s*(?:#\[[^\]]*\]\s*)*pub fn (\w+)/g)]
    assert.ok(exports.length >= 8, `found only ${exports.length} exports`)
    for (const [, args, name] of exports) {
      assert.match(args ?? '', /catch_unwind/, `${name} is not #[napi(catch_unwind)]`)
    }
  })

  test('work on libuv threads runs under catch_unwind', () => {
    const call = readFileSync(join(PACKAGE_DIR, 'src', 'call.rs'), 'utf8')
    assert.match(source, /fn compute\(&mut self\)[^}]*self\.0\.run\(\)/)
    assert.match(call, /pub\(crate\) fn run\(&self\) -> String \{\s*catch_unwind/)
  })
})
