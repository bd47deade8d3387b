// The generated files: fresh, complete, free of `any`, and strict TypeScript
// accepts what it should and refuses what it should.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { PACKAGE_DIR, prm } from './helpers.mjs'

const dts = readFileSync(join(PACKAGE_DIR, 'index.d.ts'), 'utf8')
const code = dts.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '')

test('index.d.ts, index.mjs and index.d.mts are what the generator writes', () => {
  execFileSync(process.execPath, [join(PACKAGE_DIR, 'scripts', 'generate.mjs'), '--check'], { stdio: 'pipe' })
})

test('the public surface has no `any`', () => {
  // The type `any`, not the string literal "any" (a tag value such as `kind: "any"`).
  const found = code.split('\n').filter((line) => /\bany\b/.test(line.replace(/"[^"]*"|'[^']*'/g, '""')))
  assert.deepEqual(found, [])
})

test('every runtime export is declared, and the ES module exports the same names', async () => {
  for (const name of Object.keys(prm)) {
    assert.match(code, new RegExp(`export declare (const|function|class) ${name}\\b`), `${name} is not declared`)
  }
  const esm = await import('../index.mjs')
  assert.deepEqual(Object.keys(esm).filter((k) => k !== 'default').sort(), Object.keys(prm).sort())
  assert.equal(esm.default, prm)
})

test('every operation has request and answer types', () => {
  for (const { name } of prm.operations()) {
    assert.match(code, new RegExp(`'${name.replace('.', '\\.')}': \\{ request: \\w+Request; answer: \\w+Answer \\}`))
  }
})

test('decimals, rates and dates are branded strings, never number', () => {
  assert.match(code, /amount: Decimal\b/)
  assert.match(code, /weights: Decimal\[\]/)
  assert.match(code, /rate: Rate\b/)
  assert.match(code, /as_of: IsoDate\b/)
  // A checklist's `total` counts its items (an integer); every other `total` is money.
  const withoutCounts = dts
    .replace(/\/\*\* How many there are\. \*\/\n\s+total: number\n/g, '')
    .replace(/\/\*[\s\S]*?\*\//g, '')
  assert.doesNotMatch(withoutCounts, /(amount|total|rate|weights|discount_rate|lead_weight|commission_multiplier)\??: number/)
})

test('strict TypeScript checks the type tests, ESM and CommonJS', { timeout: 120_000 }, () => {
  const tsc = join(PACKAGE_DIR, 'node_modules', 'typescript', 'bin', 'tsc')
  const files = ['types.mts', 'types.cts'].map((f) => join(PACKAGE_DIR, '__test__', 'fixtures', f))
  try {
    execFileSync(
      process.execPath,
      [tsc, '--strict', '--noEmit', '--target', 'es2022', '--module', 'nodenext', '--types', 'node', ...files],
      { cwd: PACKAGE_DIR, encoding: 'utf8', stdio: 'pipe' },
    )
  } catch (error) {
    assert.fail(`tsc failed:\n${error.stdout}${error.stderr}`)
  }
})

test('an engine operation the core does not have yet becomes a typed Program method', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'prm-engine-types-'))
  try {
    const fixtures = join(PACKAGE_DIR, '__test__', 'fixtures')
    execFileSync(process.execPath, [
      join(PACKAGE_DIR, 'scripts', 'generate.mjs'),
      '--schemas',
      join(fixtures, 'engine-schemas'),
      '--out',
      join(dir, 'engine.d.mts'),
    ])
    copyFileSync(join(fixtures, 'engine-usage.mts'), join(dir, 'engine-usage.mts'))
    const generated = readFileSync(join(dir, 'engine.d.mts'), 'utf8')
    assert.match(generated, /readonly tiers: TiersOperations/)
    assert.match(generated, /export type TiersEvaluateData = Data<TiersEvaluateRequest>/)
    const tsc = join(PACKAGE_DIR, 'node_modules', 'typescript', 'bin', 'tsc')
    try {
      execFileSync(
        process.execPath,
        [tsc, '--strict', '--noEmit', '--target', 'es2022', '--module', 'nodenext', '--types', 'node',
          '--typeRoots', join(PACKAGE_DIR, 'node_modules', '@types'), join(dir, 'engine-usage.mts')],
        { cwd: dir, encoding: 'utf8', stdio: 'pipe' },
      )
    } catch (error) {
      assert.fail(`tsc failed:\n${error.stdout}${error.stderr}`)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
