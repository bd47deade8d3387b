// Packaging: `npm pack` the built addon, install the tarball into a fresh
// project, and use it from there as a user would: require, import, and the
// strict TypeScript quickstart, compiled and run.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { PACKAGE_DIR, REPO } from './helpers.mjs'

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const tsc = join(PACKAGE_DIR, 'node_modules', 'typescript', 'bin', 'tsc')
const typeRoots = join(PACKAGE_DIR, 'node_modules', '@types')
let work
let project
let packed

const run = (command, args, options = {}) => {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: 'pipe', ...options })
  } catch (error) {
    throw new Error(`${command} ${args.join(' ')} failed:\n${error.stdout}${error.stderr}`)
  }
}
const node = (args, cwd = project) => run(process.execPath, args, { cwd })

before(() => {
  work = realpathSync(mkdtempSync(join(tmpdir(), 'prm-pack-')))
  const [info] = JSON.parse(run(npm, ['pack', '--json', '--pack-destination', work], { cwd: PACKAGE_DIR }))
  packed = info
  project = join(work, 'consumer')
  run('mkdir', ['-p', project])
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
  run(npm, ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', join(work, info.filename)], {
    cwd: project,
  })
})

after(() => {
  if (work) rmSync(work, { recursive: true, force: true })
})

test('the tarball holds the package and nothing else', () => {
  const files = packed.files.map((f) => f.path).sort()
  assert.deepEqual(files, [
    'index.d.mts',
    'index.d.ts',
    'index.js',
    'index.mjs',
    'native.js',
    'package.json',
    'prm.linux-x64-gnu.node',
  ])
  assert.equal(packed.name, 'prm')
})

test('require("prm") loads the installed copy', () => {
  const out = node([
    '--input-type=commonjs',
    '-e',
    `const prm = require('prm')
     const where = require.resolve('prm')
     if (!where.startsWith(process.cwd())) throw new Error('resolved outside the project: ' + where)
     const answer = prm.money.round({ amount: '2.345', currency: 'EUR', mode: 'half_up' })
     console.log(JSON.stringify({ version: prm.version(), amount: answer.amount, target: prm.__napiBindingTarget }))`,
  ])
  const result = JSON.parse(out)
  assert.equal(result.amount, '2.35')
  assert.equal(result.version, packed.version)
})

test('import from "prm" works, by name and as default', () => {
  const out = node([
    '--input-type=module',
    '-e',
    `import prm, { Program, PrmError, money } from 'prm'
     const program = Program.fromObject({ schema_version: 1, currency: 'EUR' })
     let code = null
     try { money.round({ amount: 1.5, currency: 'EUR' }) } catch (e) { code = e instanceof PrmError && e.problems[0].code }
     const parts = (await prm.money.allocateAsync({ total: '1', weights: ['1', '1', '1'], currency: 'EUR' })).parts
     console.log(JSON.stringify({ valid: program.validate().valid, code, parts, same: prm.Program === Program }))`,
  ])
  assert.deepEqual(JSON.parse(out), {
    valid: true,
    code: 'decimal_must_be_string',
    parts: ['0.34', '0.33', '0.33'],
    same: true,
  })
})

test('the TypeScript quickstart typechecks with --strict and runs', { timeout: 120_000 }, () => {
  copyFileSync(join(REPO, 'examples', 'node', 'quickstart.ts'), join(project, 'quickstart.ts'))
  const flags = ['--strict', '--target', 'es2022', '--module', 'nodenext', '--types', 'node', '--typeRoots', typeRoots]
  node([tsc, ...flags, '--noEmit', 'quickstart.ts'])
  node([tsc, ...flags, '--outDir', 'out', 'quickstart.ts'])
  assert.ok(readdirSync(join(project, 'out')).includes('quickstart.js'))
  const out = node([join('out', 'quickstart.js')])
  assert.match(out, /^Northwind Partner Network: EUR, sections tiers$/m)
  assert.match(out, /^2\.345 EUR rounds half up to 2\.35$/m)
  assert.match(out, /^1000\.01 split 70\/30: 700\.01 \+ 300\.00$/m)
  assert.match(out, /^2025-08-15 is FY2026 Q1 \(2025-07-01 to 2025-10-01\)$/m)
  assert.match(out, /^refused: invalid_decimal at \$: /m)
  assert.match(out, /over 1000 partners/)
})
