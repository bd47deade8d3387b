// examples/node/server.mjs, started on a loopback port and called over HTTP.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, before, test } from 'node:test'
import { NORTHWIND, PACKAGE_DIR, REPO, prm } from './helpers.mjs'

let work
let server
let base

before(async () => {
  // A project where `prm` resolves to this package, as after `npm install prm`.
  work = realpathSync(mkdtempSync(join(tmpdir(), 'prm-server-')))
  mkdirSync(join(work, 'node_modules'))
  symlinkSync(PACKAGE_DIR, join(work, 'node_modules', 'prm'), 'dir')
  copyFileSync(join(REPO, 'examples', 'node', 'server.mjs'), join(work, 'server.mjs'))
  writeFileSync(join(work, 'program.json'), JSON.stringify(NORTHWIND))
  server = spawn(process.execPath, ['server.mjs'], {
    cwd: work,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', PRM_PROGRAM: join(work, 'program.json') },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const lines = createInterface({ input: server.stdout })
  const first = await new Promise((resolve, reject) => {
    lines.once('line', resolve)
    server.once('exit', (code) => reject(new Error(`server exited with ${code}`)))
  })
  base = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(first)[1]
})

after(() => {
  server?.kill('SIGTERM')
  if (work) rmSync(work, { recursive: true, force: true })
})

const post = async (path, body) => {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  return { status: response.status, type: response.headers.get('content-type'), body: await response.json() }
}

test('health answers', async () => {
  const response = await fetch(`${base}/health`)
  assert.equal(response.status, 200)
  assert.deepEqual(await response.json(), { ok: { status: 'up' } })
})

test('the operations list is the core\'s', async () => {
  const response = await fetch(`${base}/v1/operations`)
  const { ok } = await response.json()
  assert.deepEqual(ok, prm.operations())
})

test('a program operation runs with the server\'s program', async () => {
  const { status, type, body } = await post('/v1/program/validate', {})
  assert.equal(status, 200)
  assert.equal(type, 'application/json')
  assert.equal(body.ok.name, 'Northwind Partner Network')
  assert.deepEqual(body.ok.sections, ['tiers'])
})

test('bodies are JSON text: an integer amount is exact', async () => {
  const { status, body } = await post('/v1/money/round', '{"amount": 12, "currency": "EUR"}')
  assert.equal(status, 200)
  assert.deepEqual(body, { ok: { amount: '12.00', currency: 'EUR' } })
})

test('hyphens in the path name underscores in the operation', async () => {
  const { status, body } = await post('/v1/calendar/trailing-window', { as_of: '2026-03-31', months: 12 })
  assert.equal(status, 200)
  assert.equal(body.ok.start, '2025-04-01')
})

test('invalid input is 422 with every problem', async () => {
  const { status, body } = await post('/v1/money/round', { amount: 1.5, currency: 'EUX' })
  assert.equal(status, 422)
  assert.equal(body.error.code, 'invalid')
  assert.deepEqual(
    body.error.problems.map((p) => [p.code, p.path]),
    [
      ['decimal_must_be_string', '$.amount'],
      ['unknown_currency', '$.currency'],
    ],
  )
})

test('malformed JSON is 422', async () => {
  const { status, body } = await post('/v1/money/round', '{"amount":')
  assert.equal(status, 422)
  assert.equal(body.error.problems[0].code, 'malformed_json')
})

test('routing and statement endpoints reach the core\'s operations', async () => {
  const known = new Set(prm.operations().map((o) => o.name))
  for (const [path, op] of [
    ['/v1/routing/route', 'routing.route'],
    ['/v1/routing/route-batch', 'routing.route_batch'],
    ['/v1/commission/statement', 'commission.statement'],
    ['/v1/commission/statements', 'commission.statements'],
  ]) {
    const { status, body } = await post(path, {})
    if (known.has(op)) {
      // The engine is there: an empty request is the core's own complaint.
      assert.notEqual(body.error?.code, 'unknown_operation', path)
    } else {
      assert.equal(status, 404, path)
      assert.equal(body.error.code, 'unknown_operation', path)
    }
  }
})

test('unknown routes and methods', async () => {
  assert.equal((await fetch(`${base}/nowhere`)).status, 404)
  assert.equal((await fetch(`${base}/v1/money/round`)).status, 405)
})

test('concurrent requests are answered independently', async () => {
  const amounts = Array.from({ length: 40 }, (_, i) => `${i}.125`)
  const answers = await Promise.all(amounts.map((amount) => post('/v1/money/round', { amount, currency: 'EUR' })))
  assert.deepEqual(
    answers.map((a) => a.body.ok.amount),
    amounts.map((amount) => prm.money.round({ amount, currency: 'EUR' }).amount),
  )
})
