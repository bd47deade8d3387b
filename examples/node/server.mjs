// A small JSON service over node:http: one program, every program operation
// at POST /v1/<namespace>/<verb> (routing: /v1/routing/route,
// /v1/routing/route-batch; statements: /v1/commission/statement,
// /v1/commission/statements; and so on as the core grows), the program-free
// operations at the same kind of path (/v1/money/round), GET /v1/operations
// and GET /health.
//
// The request body is passed to prm as JSON text, never parsed here: its
// integers stay exact, and each call computes on a worker thread, so a large
// routing batch or statement run does not hold up other requests. The answer
// is prm's own JSON: 200 with {"ok": ...}, or {"error": ...} with a status
// that follows its kind.
//
// Usage: PRM_PROGRAM=program.json PORT=8080 node server.mjs
// (without PRM_PROGRAM, a small sample program; PORT=0 picks a free port).
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { Program, callJsonAsync, operations } from 'prm'

const MAX_BODY = 10 * 1024 * 1024
const STATUS = {
  invalid: 422,
  overflow: 422,
  conflict: 409,
  not_found: 404,
  unknown_operation: 404,
  limit_exceeded: 413,
  internal: 500,
}

const SAMPLE = {
  schema_version: 1,
  name: 'Sample program',
  currency: 'EUR',
  tiers: { tiers: [{ id: 'registered', name: 'Registered', rank: 0 }] },
}

const program = process.env.PRM_PROGRAM
  ? Program.fromJson(readFileSync(process.env.PRM_PROGRAM, 'utf8'))
  : Program.fromObject(SAMPLE)
const takesProgram = new Map(operations().map((op) => [op.name, op.takesProgram]))

function send(response, status, text) {
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  response.end(text)
}

function errorText(code, message) {
  return JSON.stringify({ error: { code, message, problems: [] } })
}

async function readBody(request) {
  const chunks = []
  let size = 0
  for await (const chunk of request) {
    size += chunk.length
    if (size > MAX_BODY) {
      return null
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

// "/v1/routing/route-batch" is the operation "routing.route_batch".
function operationOf(pathname) {
  const match = /^\/v1\/([a-z0-9_-]+)\/([a-z0-9_-]+)$/.exec(pathname)
  return match ? `${match[1]}.${match[2]}`.replaceAll('-', '_') : null
}

async function handle(request, response) {
  const { pathname } = new URL(request.url, 'http://localhost')
  if (request.method === 'GET' && pathname === '/health') {
    return send(response, 200, JSON.stringify({ ok: { status: 'up' } }))
  }
  if (request.method === 'GET' && pathname === '/v1/operations') {
    return send(response, 200, JSON.stringify({ ok: operations() }))
  }
  const op = operationOf(pathname)
  if (op === null) {
    return send(response, 404, errorText('not_found', `no route ${request.method} ${pathname}`))
  }
  if (request.method !== 'POST') {
    response.setHeader('allow', 'POST')
    return send(response, 405, errorText('invalid', `use POST for ${pathname}`))
  }
  const body = await readBody(request)
  if (body === null) {
    return send(response, 413, errorText('limit_exceeded', `the body is larger than ${MAX_BODY} bytes`))
  }
  const text = body.trim() === '' ? '{}' : body
  // An operation the core does not know falls to callJsonAsync, which answers unknown_operation.
  const answer = takesProgram.get(op) ? await program.callJsonAsync(op, text) : await callJsonAsync(op, text)
  if (answer.startsWith('{"ok":')) {
    return send(response, 200, answer)
  }
  const code = JSON.parse(answer).error.code
  return send(response, STATUS[code] ?? 500, answer)
}

const server = createServer((request, response) => {
  handle(request, response).catch((error) => {
    send(response, 500, errorText('internal', String(error && error.message)))
  })
})

server.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address()
  console.log(`prm listening on http://${address}:${port}`)
})

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)))
}
