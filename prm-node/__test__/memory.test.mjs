// A long-lived server must not leak: 100,000 calls (values, program calls,
// thrown errors, short-lived Programs) keep the process's memory flat.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { test } from 'node:test'
import { PACKAGE_DIR } from './helpers.mjs'

test('100,000 calls grow the resident set by less than 20 MB', { timeout: 300_000 }, () => {
  const script = join(PACKAGE_DIR, '__test__', 'fixtures', 'memory-loop.mjs')
  const output = execFileSync(process.execPath, ['--expose-gc', script, '100000'], { encoding: 'utf8' })
  const result = JSON.parse(output.trim().split('\n').pop())
  const mb = (bytes) => (bytes / 2 ** 20).toFixed(1)
  console.log(`# ${result.calls} calls in ${result.ms} ms: rss ${mb(result.before)} -> ${mb(result.after)} MB`)
  assert.equal(result.calls, 100_000)
  assert.ok(result.growth < 20 * 2 ** 20, `rss grew by ${mb(result.growth)} MB`)
})
