// The addon through its generated loader: version, `call`, and error answers.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'

const require = createRequire(import.meta.url)
const prm = require('../index.js')
const pkg = require('../package.json')

const validProgram = {
  schema_version: 1,
  name: 'Northwind Partner Network',
  currency: 'EUR',
  rounding: 'half_even',
  fiscal_calendar: { first_month: 7 },
}

const call = (op, request) => JSON.parse(prm.call(op, JSON.stringify(request)))

test('version matches the package', () => {
  assert.equal(prm.version(), pkg.version)
  assert.equal(prm.__napiBindingTarget, 'native')
})

test('call("version") answers ok', () => {
  const { ok } = call('version', {})
  assert.equal(ok.version, pkg.version)
  assert.equal(ok.schema_version, 1)
  assert.ok(ok.operations.includes('program.validate'))
})

test('program.validate accepts a valid program', () => {
  const { ok } = call('program.validate', { program: validProgram })
  assert.equal(ok.valid, true)
  assert.equal(ok.name, 'Northwind Partner Network')
  assert.equal(ok.currency, 'EUR')
})

test('program.validate answers every problem with its path', () => {
  const { error } = call('program.validate', {
    program: { schema_version: 1, currency: 'EUX', rounding: 'half_evn' },
  })
  assert.equal(error.code, 'invalid')
  assert.deepEqual(
    error.problems.map((p) => [p.code, p.path]),
    [
      ['unknown_currency', '$.program.currency'],
      ['unknown_variant', '$.program.rounding'],
    ],
  )
})

test('an unknown operation is an error answer, not a throw', () => {
  const { error } = call('program.validat', {})
  assert.equal(error.code, 'unknown_operation')
  assert.equal(error.problems[0].help, 'did you mean `program.validate`?')
})

test('malformed JSON text is an error answer', () => {
  const answer = JSON.parse(prm.call('version', '{"a":'))
  assert.equal(answer.error.problems[0].code, 'malformed_json')
})

test('an argument of the wrong type throws', () => {
  assert.throws(() => prm.call('version', {}), { code: 'StringExpected' })
})
