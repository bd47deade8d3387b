// Shared by the tests: the package under test, the corpus, and the subset matcher.
import { createRequire } from 'node:module'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

export const PACKAGE_DIR = dirname(dirname(fileURLToPath(import.meta.url)))
export const REPO = dirname(PACKAGE_DIR)
export const CORPUS = join(REPO, 'tests', 'conformance')

const require = createRequire(import.meta.url)
/** The package as CommonJS code sees it. */
export const prm = require('../index.js')

/** A small valid program, with a tier ladder. */
export const NORTHWIND = Object.freeze({
  schema_version: 1,
  name: 'Northwind Partner Network',
  currency: 'EUR',
  rounding: 'half_even',
  fiscal_calendar: { first_month: 7 },
  tiers: {
    tiers: [
      { id: 'registered', name: 'Registered', rank: 0 },
      { id: 'silver', name: 'Silver', rank: 1, benefits: { lead_weight: '1', deal_protection_days: 60 } },
      {
        id: 'gold',
        name: 'Gold',
        rank: 2,
        benefits: { lead_weight: '3', commission_multiplier: '1.2', discount_rate: '25%', custom: { badge: 'gold.svg' } },
      },
    ],
  },
})

/** Every case file of the corpus, sorted, as paths relative to the corpus folder. */
export function caseFiles(dir = CORPUS) {
  const out = []
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) {
      out.push(...caseFiles(path))
    } else if (name.endsWith('.json')) {
      out.push(path)
    }
  }
  return dir === CORPUS ? out.map((p) => relative(CORPUS, p)) : out
}

/** A case, with its `input` also as the exact text the file holds (`1000.0` stays `1000.0`). */
export function readCase(file) {
  const text = readFileSync(join(CORPUS, file), 'utf8')
  const parsed = JSON.parse(text)
  return { ...parsed, inputText: parsed.input_text ?? rawMember(text, 'input') }
}

// The text of a top-level member's value, found by scanning the JSON text.
function rawMember(text, key) {
  const marker = new RegExp(`^\\s{0,2}"${key}"\\s*:\\s*`, 'm')
  const match = marker.exec(text)
  if (!match) {
    return undefined
  }
  const start = match.index + match[0].length
  let depth = 0
  let inString = false
  for (let i = start; i < text.length; i += 1) {
    const c = text[i]
    if (inString) {
      if (c === '\\') i += 1
      else if (c === '"') inString = false
      continue
    }
    if (c === '"') inString = true
    else if (c === '{' || c === '[') depth += 1
    else if (c === '}' || c === ']') {
      depth -= 1
      if (depth === 0) return text.slice(start, i + 1)
    } else if (depth === 0 && (c === ',' || c === '\n')) {
      return text.slice(start, i).trim()
    }
  }
  return undefined
}

/** Where `actual` departs from `expected` (the corpus's subset match), or null. */
export function mismatch(expected, actual, at = '$') {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${at}: expected an array, found ${JSON.stringify(actual)}`
    if (expected.length !== actual.length) {
      return `${at}: expected ${expected.length} elements, found ${actual.length}`
    }
    for (let i = 0; i < expected.length; i += 1) {
      const found = mismatch(expected[i], actual[i], `${at}[${i}]`)
      if (found) return found
    }
    return null
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      return `${at}: expected an object, found ${JSON.stringify(actual)}`
    }
    for (const [key, want] of Object.entries(expected)) {
      if (!(key in actual)) return `${at}.${key}: missing in answer`
      const found = mismatch(want, actual[key], `${at}.${key}`)
      if (found) return found
    }
    return null
  }
  return expected === actual ? null : `${at}: expected ${JSON.stringify(expected)}, found ${JSON.stringify(actual)}`
}
