#!/usr/bin/env node
// Writes the package's generated files from the built addon: index.d.ts (the
// types of the whole public surface, each operation's request and answer
// translated from prm-core's JSON Schemas), index.mjs (the ES module entry)
// and index.d.mts (its types). With --check it writes nothing and fails when
// a committed file differs from what it would write.
//
// Usage: node scripts/generate.mjs [--check]
//        node scripts/generate.mjs --schemas DIR --out FILE   (types for a
//        folder of docs/schema/*.json files, to try a branch's new operations)
//
// Why our own translator rather than json-schema-to-typescript: decimals,
// rates, dates and instants must become prm's branded string types (never
// `number`), one definition shared by every operation must be declared once,
// `Program` operations need their data without the `program` field, and the
// public surface must not contain `any`. That is a few hundred lines over
// the small JSON Schema subset schemars writes.

import { readFileSync, writeFileSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const HERE = dirname(dirname(fileURLToPath(import.meta.url)))
const require = createRequire(import.meta.url)

// Operations ------------------------------------------------------------------

function fromAddon() {
  const native = require(join(HERE, 'native.js'))
  return native.operations().map(({ name, summary, takesProgram }) => {
    const answer = JSON.parse(native.call('describe', JSON.stringify({ op: name }), false))
    if (!answer.ok) {
      throw new Error(`describe ${name}: ${answer.error.message}`)
    }
    return { name, summary, takesProgram, request: answer.ok.request, response: answer.ok.response }
  })
}

function fromSchemaFolder(folder) {
  const files = readdirSync(folder).filter((f) => f.endsWith('.request.schema.json'))
  const ops = files.sort().map((file) => {
    const name = file.replace(/\.request\.schema\.json$/, '')
    const request = JSON.parse(readFileSync(join(folder, file), 'utf8'))
    let response = true // folders written before answers had schemas
    try {
      response = JSON.parse(readFileSync(join(folder, `${name}.response.schema.json`), 'utf8'))
    } catch {}
    const takesProgram = (request.required || []).includes('program')
    return { name, summary: request.description || name, takesProgram, request, response }
  })
  if (!ops.some((op) => op.name === 'describe')) {
    const request = { type: 'object', properties: { op: { type: 'string' } }, required: ['op'] }
    ops.push({ name: 'describe', summary: 'describe', takesProgram: false, request, response: true })
  }
  return ops
}

// Names -----------------------------------------------------------------------

const pascal = (text) =>
  text
    .split(/[._\s-]+/)
    .filter(Boolean)
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join('')
const camel = (text) => text.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase())

// Names the hand-written part of index.d.ts declares.
const RESERVED = new Set([
  'Decimal', 'Rate', 'IsoDate', 'Instant', 'CurrencyCode', 'JsonValue', 'JsonObject', 'Problem',
  'PrmError', 'ErrorKind', 'Program', 'Operations', 'OperationName', 'OperationInfo',
  'ProgramOperations', 'ProgramOperationName', 'DataArgs', 'Data',
])
const RENAMED = { Program: 'ProgramDocument' }

// The exports and Program members the runtime defines itself.
const STATIC_EXPORTS = new Set([
  'Program', 'PrmError', 'call', 'callAsync', 'callJson', 'callJsonAsync', 'version', 'operations',
  'describe', 'asDecimal', 'asRate', 'asDate', 'asInstant', 'default',
])
const PROGRAM_MEMBERS = new Set(['call', 'callAsync', 'callJson', 'callJsonAsync', 'toJSON', 'constructor'])

// Branded scalars, by JSON Schema format.
const BRANDS = {
  decimal: 'Decimal',
  rate: 'Rate',
  date: 'IsoDate',
  'date-time': 'Instant',
  currency: 'CurrencyCode',
}

// Definitions -----------------------------------------------------------------

const stable = (value) =>
  JSON.stringify(value, (_, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]))
      : v,
  )

function brandOf(schema) {
  if (!schema || typeof schema !== 'object') {
    return undefined
  }
  const brand = BRANDS[schema.format]
  if (!brand) {
    return undefined
  }
  const types = [].concat(schema.type || [])
  return types.includes('object') || types.includes('array') ? undefined : brand
}

// Gives every `$defs` entry of every schema one TypeScript name: the first
// definition of a name keeps it; a different definition under the same name
// gets its operation's namespace as a prefix.
class Registry {
  constructor() {
    this.byName = new Map() // ts name -> { key, schema, refs }
  }

  // Returns the reference map (def name -> TypeScript type) of one root schema.
  register(root, namespace) {
    const defs = (root && root.$defs) || {}
    const refs = {}
    const pending = []
    for (const [name, def] of Object.entries(defs)) {
      const brand = brandOf(def)
      if (brand) {
        refs[name] = brand
        continue
      }
      const base = RENAMED[name] || (RESERVED.has(name) ? `${name}Definition` : name)
      const key = stable(def)
      let tsName = base
      for (let n = 1; this.byName.has(tsName) && this.byName.get(tsName).key !== key; n += 1) {
        tsName = n === 1 ? `${pascal(namespace)}${base}` : `${pascal(namespace)}${base}${n}`
      }
      refs[name] = tsName
      if (!this.byName.has(tsName)) {
        pending.push([tsName, key, def])
      }
    }
    for (const [tsName, key, def] of pending) {
      this.byName.set(tsName, { key, schema: def, refs })
    }
    return refs
  }
}

// Translation -----------------------------------------------------------------

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/

function doc(text, indent) {
  if (!text) {
    return ''
  }
  // Rust examples in the core's doc comments mean nothing in JavaScript.
  const cleaned = text
    .replace(/```[\s\S]*?(```|$)/g, '')
    .split(/\n# /)[0]
    .replace(/\*\//g, '*\\/')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
  if (!cleaned) {
    return ''
  }
  const lines = cleaned.split('\n')
  if (lines.length === 1) {
    return `${indent}/** ${lines[0]} */\n`
  }
  return `${indent}/**\n${lines.map((l) => (l ? `${indent} * ${l}` : `${indent} *`)).join('\n')}\n${indent} */\n`
}

function literal(value) {
  return JSON.stringify(value)
}

function paren(type) {
  return /[|&]/.test(type) && !/^\{[\s\S]*\}$/.test(type) ? `(${type})` : type
}

function union(types) {
  const unique = [...new Set(types)]
  if (unique.includes('JsonValue')) {
    return 'JsonValue'
  }
  return unique.join(' | ') || 'never'
}

class Translator {
  constructor(refs) {
    this.refs = refs
  }

  type(schema, indent = '') {
    if (schema === true || schema === undefined) {
      return 'JsonValue'
    }
    if (schema === false) {
      return 'never'
    }
    if (schema.$ref) {
      const name = schema.$ref.replace(/^#\/\$defs\//, '')
      const target = this.refs[name]
      if (!target) {
        throw new Error(`unresolved reference ${schema.$ref}`)
      }
      return target
    }
    const branches = schema.oneOf || schema.anyOf
    const own = this.ownType(schema, indent)
    const parts = []
    if (branches) {
      parts.push(paren(union(branches.map((b) => this.type(b, indent)))))
    }
    if (schema.allOf) {
      parts.push(...schema.allOf.map((b) => paren(this.type(b, indent))))
    }
    if (own !== undefined && (parts.length === 0 || own !== 'JsonValue')) {
      parts.unshift(paren(own))
    }
    if (parts.length === 0) {
      return 'JsonValue'
    }
    return parts.length === 1 ? parts[0].replace(/^\(([\s\S]*)\)$/, '$1') : parts.join(' & ')
  }

  // The type the schema's own keywords describe (not its combinators), or
  // undefined when it has none.
  ownType(schema, indent) {
    if (schema.const !== undefined) {
      return literal(schema.const)
    }
    if (Array.isArray(schema.enum)) {
      return union(schema.enum.map(literal))
    }
    const types = [].concat(schema.type || [])
    const brand = brandOf(schema)
    if (brand) {
      return union([brand, ...(types.includes('null') ? ['null'] : [])])
    }
    if (types.length === 0) {
      if (schema.properties || schema.additionalProperties !== undefined) {
        return this.object(schema, indent)
      }
      if (schema.items || schema.prefixItems) {
        return this.array(schema, indent)
      }
      return schema.oneOf || schema.anyOf || schema.allOf ? undefined : 'JsonValue'
    }
    return union(
      types.map((t) => {
        switch (t) {
          case 'string':
            return 'string'
          case 'integer':
          case 'number':
            return 'number'
          case 'boolean':
            return 'boolean'
          case 'null':
            return 'null'
          case 'array':
            return this.array(schema, indent)
          case 'object':
            return this.object(schema, indent)
          default:
            return 'JsonValue'
        }
      }),
    )
  }

  array(schema, indent) {
    if (Array.isArray(schema.prefixItems)) {
      const items = schema.prefixItems.map((item) => this.type(item, indent))
      return `[${items.join(', ')}]`
    }
    const item = this.type(schema.items, indent)
    return /[|&\s]/.test(item) ? `Array<${item}>` : `${item}[]`
  }

  object(schema, indent) {
    const properties = schema.properties || {}
    const names = Object.keys(properties)
    const extra = schema.additionalProperties
    if (names.length === 0) {
      if (extra === false) {
        return 'Record<string, never>'
      }
      if (extra === undefined || extra === true) {
        return 'JsonObject'
      }
      return `{ [key: string]: ${this.type(extra, indent)} }`
    }
    const required = new Set(schema.required || [])
    const inner = `${indent}  `
    const lines = names.map((name) => {
      const property = properties[name]
      const key = IDENT.test(name) ? name : JSON.stringify(name)
      const optional = required.has(name) ? '' : '?'
      const description = property.description || (property.$ref ? undefined : undefined)
      return `${doc(description, inner)}${inner}${key}${optional}: ${this.type(property, inner)}`
    })
    if (extra && typeof extra === 'object') {
      const others = union([this.type(extra, inner), ...names.map((n) => this.type(properties[n], inner))])
      lines.push(`${inner}[key: string]: ${others} | undefined`)
    }
    return `{\n${lines.join('\n')}\n${indent}}`
  }

  // A named declaration: an interface for plain objects, else a type alias.
  declaration(name, schema, description) {
    const text = doc(description ?? variantDocs(schema), '')
    const type = this.type(schema, '')
    if (/^\{[\s\S]*\}$/.test(type) && !schema.oneOf && !schema.anyOf && !schema.allOf) {
      return `${text}export interface ${name} ${type}\n`
    }
    return `${text}export type ${name} = ${type}\n`
  }
}

// A enum's variants listed in its doc, since a union member cannot carry one.
function variantDocs(schema) {
  const variants = (schema.oneOf || schema.anyOf || []).filter(
    (b) => b && b.const !== undefined && b.description,
  )
  const own = schema.description || ''
  if (variants.length === 0) {
    return own
  }
  const list = variants.map((b) => `- \`${literal(b.const)}\`: ${b.description}`).join('\n')
  return own ? `${own}\n\n${list}` : list
}

function describeDef(def) {
  return variantDocs(def)
}

// index.d.ts --------------------------------------------------------------------

const HEADER = `/* auto-generated by prm-node/scripts/generate.mjs from the core's JSON Schemas: do not edit */
/* eslint-disable */
`

const STATIC = `
// Scalars ----------------------------------------------------------------------

declare const brand: unique symbol

/**
 * An exact decimal as a string: \`"1234.50"\`, \`"-0.125"\`, \`"12"\`. Never a JS \`number\`
 * (a binary float cannot hold every amount), which prm refuses with \`decimal_must_be_string\`.
 *
 * A literal such as \`"12.50"\` is a \`Decimal\`; a \`string\` from elsewhere becomes one
 * through {@link asDecimal}, which checks its syntax. prm checks every value when it is used.
 */
export type Decimal = (string & { readonly [brand]: 'Decimal' }) | \`\${bigint}\` | \`\${bigint}.\${number}\`

/** A rate: a decimal fraction (\`"0.07"\`) or a percent (\`"7%"\`); prm answers fractions. */
export type Rate =
  | Decimal
  | (string & { readonly [brand]: 'Rate' })
  | \`\${bigint}%\`
  | \`\${bigint}.\${number}%\`

/** A calendar date, \`YYYY-MM-DD\`: \`"2026-03-31"\`. */
export type IsoDate = (string & { readonly [brand]: 'IsoDate' }) | \`\${number}-\${number}-\${number}\`

/** An instant, RFC 3339 with an offset: \`"2026-01-05T09:30:00Z"\`. */
export type Instant = (string & { readonly [brand]: 'Instant' }) | \`\${number}-\${number}-\${number}T\${string}\`

/** An ISO 4217 currency code with minor units, in upper case: \`"EUR"\`. */
export type CurrencyCode = string

/** Any JSON value (free-form fields such as a tier's \`custom\` benefits). */
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject

/** A JSON object. */
export interface JsonObject {
  [key: string]: JsonValue
}

/**
 * Checks the syntax of a decimal string and returns it as a {@link Decimal}.
 * @throws {PrmError} \`invalid_decimal\` (or \`wrong_type\` for a non-string).
 */
export declare function asDecimal(text: string): Decimal
/** Checks the syntax of a rate string (\`"0.07"\`, \`"7%"\`) and returns it as a {@link Rate}. */
export declare function asRate(text: string): Rate
/** Checks that a string reads \`YYYY-MM-DD\` and returns it as an {@link IsoDate}; prm checks the day itself. */
export declare function asDate(text: string): IsoDate
/** Checks that a string is an RFC 3339 instant with an offset and returns it as an {@link Instant}. */
export declare function asInstant(text: string): Instant

// Errors -----------------------------------------------------------------------

/** The kind of an error: its top-level \`code\`. */
export type ErrorKind =
  | 'invalid'
  | 'overflow'
  | 'conflict'
  | 'not_found'
  | 'unknown_operation'
  | 'limit_exceeded'
  | 'internal'

/** One thing to fix, at one place in the input. */
export interface Problem {
  /** A stable code, e.g. \`unknown_currency\`; see docs/errors.md. */
  readonly code: string
  /** The JSONPath of the value to fix, e.g. \`$.partners[3].country\`. */
  readonly path: string
  /** What was expected and what was found. */
  readonly message: string
  /** A suggestion, e.g. "did you mean \`lead_weight\`?". */
  readonly help?: string
}

/** An error answered by prm. Every function of the package throws it (async ones reject with it). */
export declare class PrmError extends Error {
  private constructor()
  readonly name: 'PrmError'
  /** The kind: \`invalid\`, \`overflow\`, \`conflict\`, \`not_found\`, ... */
  readonly code: ErrorKind
  /** Every problem found, not only the first. */
  readonly problems: readonly Problem[]
  /** prm's JSON error document, \`{code, message, problems}\`. */
  toJSON(): { code: ErrorKind; message: string; problems: readonly Problem[] }
}

// Calls ------------------------------------------------------------------------

/** One operation of the core. */
export interface OperationInfo {
  /** The operation's stable name, e.g. \`money.round\`. */
  name: string
  /** One line saying what it does. */
  summary: string
  /** Whether its request carries the program (it is then a method of {@link Program}). */
  takesProgram: boolean
}

/** The data argument: optional when every field of \`T\` is. */
export type DataArgs<T> = {} extends T ? [data?: T] : [data: T]

/** A program operation's request without \`program\`, which the {@link Program} supplies. */
export type Data<T> = T extends unknown ? Omit<T, 'program'> : never

/**
 * Runs operation \`op\` on \`data\` and returns its answer (the core's \`ok\` value).
 * Field names are the documents' snake_case names, in every language.
 * @throws {PrmError} when prm answers an error; \`decimal_must_be_string\` for a JS number where a decimal belongs.
 */
export declare function call<Op extends OperationName>(op: Op, ...data: DataArgs<Operations[Op]['request']>): Operations[Op]['answer']

/** As {@link call}, computed off the main thread. Rejects with {@link PrmError}. */
export declare function callAsync<Op extends OperationName>(op: Op, ...data: DataArgs<Operations[Op]['request']>): Promise<Operations[Op]['answer']>

/**
 * Runs operation \`op\` on a JSON request text and returns the tagged JSON answer as text:
 * \`{"ok": ...}\` or \`{"error": {"code", "message", "problems"}}\`. An error of the operation is
 * an answer, not an exception. JSON text keeps JSON's rules: an integer amount (\`12\`) is exact.
 */
export declare function callJson(op: string, request: string): string

/** As {@link callJson}, computed off the main thread. */
export declare function callJsonAsync(op: string, request: string): Promise<string>

/** prm's version, e.g. \`0.1.0\`. */
export declare function version(): string

/** Every operation of the core, sorted by name. */
export declare function operations(): OperationInfo[]

/** An operation's summary and the JSON Schemas of its request and answer. */
export declare function describe(op: OperationName): DescribeAnswer
`

function generateTypes(ops) {
  const registry = new Registry()
  const roots = []
  for (const op of ops) {
    const namespace = op.name.split('.')[0]
    const requestRefs = registry.register(op.request, namespace)
    const responseRefs = registry.register(op.response, namespace)
    roots.push({ op, requestRefs, responseRefs })
  }

  const out = [HEADER, STATIC]
  const operationsBlock = []
  const programBlock = []
  const opTypes = []
  const moduleNamespaces = new Map()
  const programNamespaces = new Map()

  for (const { op, requestRefs, responseRefs } of roots) {
    const base = pascal(op.name)
    const requestName = `${base}Request`
    const answerName = `${base}Answer`
    const summary = `\`${op.name}\`: ${op.summary}.`
    const strip = (schema) => {
      if (typeof schema !== 'object') {
        return schema
      }
      const { $defs, ...rest } = schema
      return rest
    }
    const request = strip(op.request)
    const response = strip(op.response)
    opTypes.push(
      new Translator(requestRefs).declaration(requestName, request, `The request of ${summary}`),
      new Translator(responseRefs).declaration(answerName, response, `The answer of ${summary}`),
    )
    operationsBlock.push(
      `${doc(op.summary, '  ')}  '${op.name}': { request: ${requestName}; answer: ${answerName} }`,
    )
    const dot = op.name.indexOf('.')
    if (op.takesProgram) {
      const dataName = `${base}Data`
      const others = Object.keys(op.request.properties || {}).filter((n) => n !== 'program')
      opTypes.push(
        others.length === 0
          ? `/** The data of \`${op.name}\`: none, the {@link Program} is the whole request. */\nexport type ${dataName} = Record<string, never>\n`
          : `/** The data of \`${op.name}\`: its request without \`program\`. */\nexport type ${dataName} = Data<${requestName}>\n`,
      )
      programBlock.push(`  '${op.name}': { data: ${dataName}; answer: ${answerName} }`)
    }
    if (dot < 0) {
      continue
    }
    const namespace = camel(op.name.slice(0, dot))
    const verb = camel(op.name.slice(dot + 1))
    const target = op.takesProgram ? programNamespaces : moduleNamespaces
    if (!target.has(namespace)) {
      target.set(namespace, [])
    }
    target.get(namespace).push({ op, verb, base })
  }

  const definitions = [...registry.byName.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, { schema, refs }]) => new Translator(refs).declaration(name, schema, describeDef(schema)))

  out.push('\n// Operations -------------------------------------------------------------------\n\n')
  out.push(`/** Every operation: its request and its answer (the core's \`ok\` value). */\nexport interface Operations {\n${operationsBlock.join('\n')}\n}\n\n`)
  out.push(`/** The name of an operation. */\nexport type OperationName = keyof Operations\n\n`)
  out.push(`/** The operations whose request carries the program: methods of {@link Program}. */\nexport interface ProgramOperations {\n${programBlock.join('\n')}\n}\n\n`)
  out.push(`/** The name of a program operation. */\nexport type ProgramOperationName = keyof ProgramOperations\n\n`)

  // Module-level namespaces: \`money.round(data)\`.
  for (const [namespace, entries] of [...moduleNamespaces].sort(([a], [b]) => a.localeCompare(b))) {
    if (STATIC_EXPORTS.has(namespace)) {
      throw new Error(`operation namespace \`${namespace}\` collides with an export of the package`)
    }
    const members = entries.map(({ op, verb, base }) => {
      const args = `...data: DataArgs<${base}Request>`
      return (
        `${doc(`${op.summary} (\`${op.name}\`).`, '  ')}  ${verb}(${args}): ${base}Answer\n` +
        `${doc(`As {@link ${verb}}, computed off the main thread.`, '  ')}  ${verb}Async(${args}): Promise<${base}Answer>`
      )
    })
    out.push(`/** The \`${namespace}.*\` operations. */\nexport declare const ${namespace}: {\n${members.join('\n')}\n}\n\n`)
  }

  // Program and its namespaces: \`program.tiers.evaluate(data)\`.
  const programMembers = []
  const namespaceInterfaces = []
  for (const [namespace, entries] of [...programNamespaces].sort(([a], [b]) => a.localeCompare(b))) {
    const members = entries.map(({ op, verb, base }) => {
      const member = namespace === 'program' ? verb : namespace
      if (PROGRAM_MEMBERS.has(member)) {
        throw new Error(`operation \`${op.name}\` collides with a member of Program`)
      }
      const args = `...data: DataArgs<${base}Data>`
      const indent = '  '
      return (
        `${doc(`${op.summary} (\`${op.name}\`).\n@throws {PrmError} when prm answers an error.`, indent)}${indent}${verb}(${args}): ${base}Answer\n` +
        `${doc(`As {@link ${verb}}, computed off the main thread.`, indent)}${indent}${verb}Async(${args}): Promise<${base}Answer>`
      )
    })
    if (namespace === 'program') {
      programMembers.push(...members)
    } else {
      const name = `${pascal(namespace)}Operations`
      namespaceInterfaces.push(`/** The \`${entries[0].op.name.split('.')[0]}.*\` operations of a {@link Program}. */\nexport interface ${name} {\n${members.join('\n')}\n}\n\n`)
      programMembers.push(`${doc(`The \`${entries[0].op.name.split('.')[0]}.*\` operations, run with this program.`, '  ')}  readonly ${namespace}: ${name}`)
    }
  }
  out.push(...namespaceInterfaces)
  out.push(`/**
 * A validated program document. Engine operations are its methods, by namespace
 * (\`program.tiers.evaluate({ partner, as_of })\`); the program is their \`program\` field.
 */
export declare class Program {
  private constructor()
  /**
   * Reads and validates a program document from JSON text (integers in it are exact).
   * @throws {PrmError} listing every problem, each with its path.
   */
  static fromJson(text: string): Program
  /**
   * Validates a program document given as an object.
   * @throws {PrmError} listing every problem, each with its path; a JS number where a decimal belongs is one.
   */
  static fromObject(document: ProgramDocument): Program
  /** Runs program operation \`op\`; \`data\` is its request without \`program\`. */
  call<Op extends ProgramOperationName>(op: Op, ...data: DataArgs<ProgramOperations[Op]['data']>): ProgramOperations[Op]['answer']
  /** As {@link Program.call}, computed off the main thread. */
  callAsync<Op extends ProgramOperationName>(op: Op, ...data: DataArgs<ProgramOperations[Op]['data']>): Promise<ProgramOperations[Op]['answer']>
  /** As the package's {@link callJson}, with this program at \`$.program\` of the request. */
  callJson(op: string, request: string): string
  /** As {@link Program.callJson}, computed off the main thread. */
  callJsonAsync(op: string, request: string): Promise<string>
  /** The document in canonical form, defaults written out; \`JSON.stringify(program)\` writes it. */
  toJSON(): ProgramDocument
${programMembers.join('\n')}
}

`)
  out.push('// Requests and answers -------------------------------------------------------------\n\n')
  out.push(opTypes.join('\n'))
  out.push('\n// Definitions shared by requests and answers ----------------------------------------\n\n')
  out.push(definitions.join('\n'))
  return {
    dts: out.join(''),
    exportNames: [...STATIC_EXPORTS].filter((n) => n !== 'default').concat([...moduleNamespaces.keys()].sort()),
  }
}

function generateMjs(exportNames) {
  return `// auto-generated by prm-node/scripts/generate.mjs: do not edit
// The ES module entry: the CommonJS package's exports, by name and as default.
import prm from './index.js'

export const {
${exportNames.map((n) => `  ${n},`).join('\n')}
} = prm

export default prm
`
}

const MTS = `/* auto-generated by prm-node/scripts/generate.mjs: do not edit */
// The ES module entry's types: the same declarations as index.d.ts.
import * as prm from './index.js'
export * from './index.js'
export default prm
`

// Main ------------------------------------------------------------------------

function main(argv) {
  const at = (flag) => {
    const i = argv.indexOf(flag)
    return i >= 0 ? argv[i + 1] : undefined
  }
  const folder = at('--schemas')
  if (folder) {
    const { dts } = generateTypes(fromSchemaFolder(folder))
    writeFileSync(at('--out') || 'index.d.ts', dts)
    return 0
  }
  const { dts, exportNames } = generateTypes(fromAddon())
  const files = {
    'index.d.ts': dts,
    'index.mjs': generateMjs(exportNames),
    'index.d.mts': MTS,
  }
  const check = argv.includes('--check')
  let stale = 0
  for (const [name, text] of Object.entries(files)) {
    const path = join(HERE, name)
    let current = null
    try {
      current = readFileSync(path, 'utf8')
    } catch {
      current = null
    }
    if (current === text) {
      continue
    }
    if (check) {
      stale += 1
      console.error(`prm-node/${name} is stale: run \`npm run generate\` in prm-node and commit it`)
    } else {
      writeFileSync(path, text)
      console.log(`wrote prm-node/${name}`)
    }
  }
  return stale === 0 ? 0 : 1
}

process.exitCode = main(process.argv.slice(2))
