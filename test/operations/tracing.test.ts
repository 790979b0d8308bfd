import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import type { Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { context, trace, SpanKind } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { silentLogger } from '@polytoken/core'
import { createExampleServer, type ExampleServer } from '../../examples/server/app.js'
import { loadConfig } from '../../examples/server/load-config.js'
import { freePort } from '../helpers/spawn-server.js'
import { runDialectFlows, writeFlowConfig, type FlowResult } from './dialect-flows.js'

/**
 * The OpenTelemetry SDK registered as a host registers it (in-memory exporter, AsyncLocalStorage context manager), the
 * examples server's app, every dialect's flows: each request is a span tree, and no attribute holds a secret.
 */
const root = new URL('../..', import.meta.url).pathname
const exporter = new InMemorySpanExporter()
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
const dir = mkdtempSync(join(tmpdir(), 'polytoken-tracing-'))
let example: ExampleServer
let server: Server
let flows: FlowResult

before(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  trace.setGlobalTracerProvider(provider)
  const setup = writeFlowConfig(root, dir)
  const port = await freePort()
  const env = { POLYTOKEN_CONFIG: setup.configFile, POLYTOKEN_DATA_DIR: dir, POLYTOKEN_STORE: 'memory://' }
  example = await createExampleServer(loadConfig(env), env, `http://localhost:${port}`, silentLogger)
  server = example.app.listen(port, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  flows = await runDialectFlows(`http://127.0.0.1:${port}`, setup)
})

after(async () => {
  server?.close()
  await example?.router.close()
  trace.disable()
  context.disable()
  rmSync(dir, { recursive: true, force: true })
})

const spans = () => exporter.getFinishedSpans()
const childrenOf = (parent: ReadableSpan) => spans().filter((span) => span.parentSpanContext?.spanId === parent.spanContext().spanId)
const requestSpan = (name: string) => {
  const found = spans().filter((span) => span.name === name && span.kind === SpanKind.SERVER)
  assert.ok(found.length > 0, `no span "${name}" among ${[...new Set(spans().map((span) => span.name))].join(', ')}`)
  return found[0]!
}

describe('a span per request, with children for the work inside it', () => {
  const cases: Array<[string, string, string[]]> = [
    ['prodmanager', 'POST /api/token/create', ['polytoken.parse_body', 'polytoken.validate', 'polytoken.authenticate', 'polytoken.store.set', 'polytoken.sign']],
    ['token-generator', 'POST /api/v1/token', ['polytoken.parse_body', 'polytoken.validate', 'polytoken.authenticate', 'polytoken.sign']],
    ['crew', 'GET /v1/token', ['polytoken.validate', 'polytoken.authenticate', 'polytoken.sign']],
    ['zazz', 'POST /zazz/api/v1/token', ['polytoken.parse_body', 'polytoken.validate', 'polytoken.authenticate', 'polytoken.sign']],
    ['sagrada', 'GET /1.0/:app_name/:app_version', ['polytoken.validate', 'polytoken.authenticate']],
  ]
  for (const [dialect, name, expected] of cases) {
    it(`${dialect}: ${name}`, () => {
      const span = requestSpan(name)
      assert.equal(span.attributes['polytoken.dialect'], dialect)
      assert.equal(span.attributes['http.route'], name.slice(name.indexOf(' ') + 1))
      assert.equal(span.attributes['http.request.method'], name.slice(0, name.indexOf(' ')))
      assert.equal(span.attributes['http.response.status_code'], span.name === 'POST /api/token/create' ? 200 : span.attributes['http.response.status_code'])
      const names = new Set(childrenOf(span).map((child) => child.name))
      for (const child of expected) assert.ok(names.has(child), `${name} has no child ${child}: ${[...names].join(', ')}`)
      // Every descendant belongs to this request's trace.
      for (const child of childrenOf(span)) assert.equal(child.spanContext().traceId, span.spanContext().traceId)
    })
  }

  it('store operations are children of the request (through authentication or the handler), named by operation, with the backend', () => {
    const store = spans().filter((span) => span.name.startsWith('polytoken.store.'))
    assert.ok(store.length > 0)
    const ids = new Set(spans().map((span) => span.spanContext().spanId))
    for (const span of store) {
      assert.ok(ids.has(span.parentSpanContext?.spanId ?? ''), `${span.name} has no parent among the request's spans`)
      assert.equal(span.attributes['db.system'], 'memory')
      assert.equal(span.attributes['db.operation'], span.name.slice('polytoken.store.'.length))
    }
  })

  it('a refused request: its status and error code on the span, no error status for a 4xx', () => {
    const refused = spans().find((span) => span.kind === SpanKind.SERVER && span.attributes['http.response.status_code'] === 401)
    assert.ok(refused)
    assert.match(String(refused.attributes['polytoken.error_code']), /^ERR_/)
    assert.notEqual(refused.status.code, 2)
  })

  it('no span name or attribute holds a token, password, secret or key the flows used', () => {
    const text = JSON.stringify(spans().map((span) => ({ name: span.name, attributes: span.attributes, status: span.status, events: span.events })))
    for (const secret of flows.secrets) assert.ok(!text.includes(secret), `a span holds a secret (${secret.slice(0, 6)}…)`)
  })
})
