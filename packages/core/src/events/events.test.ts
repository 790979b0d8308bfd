import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRuntime } from '../runtime/runtime.js'
import { defineDialect, defineRoute } from '../dialect.js'
import { AuthInvalid, AuthRequired, RateLimited, StoreUnavailable } from '../errors.js'
import { silentLogger } from '../util/logger.js'
import { memoryStore } from '../storage/memory-store.js'
import { fingerprint } from '../util/secrets.js'
import type { StoreBackend } from '../storage/store.js'
import type { PolytokenEventMap, PolytokenEventName, PolytokenEvents } from './events.js'

const renderError = (error: { status: number; code: string }) => ({ status: error.status, body: { error: error.code } })
const request = (path: string, headers: Record<string, string> = {}) => ({ method: 'POST', path, headers, query: {}, params: {}, body: undefined, ip: '127.0.0.1', receivedAt: Date.now() }) as never

/** A dialect that issues on /issue (reported through the route's services) and revokes from setup's services. */
const issuer = defineDialect({
  name: 'issuer',
  errorSchema: { type: 'object' },
  setup(services) {
    return {
      routes: [
        defineRoute({
          method: 'POST',
          path: '/issue',
          handle: ({ services: routeServices }) => {
            routeServices.events.issued({ jti: 'j1', clientId: 'c1', subject: 'alice', tokenType: 'access' })
            return { status: 200, body: { token: 'secret-token-value' } }
          },
        }),
        defineRoute({
          method: 'POST',
          path: '/login',
          handle: ({ request }) => {
            if (request.headers['x-case'] === 'throttled') throw new RateLimited('slow down')
            if (request.headers['x-case'] === 'anonymous') throw new AuthRequired('who are you')
            throw new AuthInvalid('wrong password')
          },
        }),
      ],
      renderError,
      revoke: (jti: string) => services.events.revoked({ jti, reason: 'admin' }),
    }
  },
})

function record<K extends PolytokenEventName>(events: PolytokenEvents, name: K): PolytokenEventMap[K][0][] {
  const seen: PolytokenEventMap[K][0][] = []
  const on = events.on.bind(events) as (name: K, listener: (event: PolytokenEventMap[K][0]) => void) => void
  on(name, (event) => seen.push(event))
  return seen
}

test('token events carry the dialect, the route of a route handler, and only a fingerprint of the subject', async () => {
  const runtime = await createRuntime({ logger: silentLogger, dialects: [{ dialect: issuer, prefix: '/x' }] })
  try {
    const issued = record(runtime.events, 'token.issued')
    const revoked = record(runtime.events, 'token.revoked')
    const response = await runtime.routes[0]!.execute(request('/x/issue'))
    assert.equal(response.status, 200)
    assert.deepEqual(issued, [{ dialect: 'issuer', route: '/x/issue', jti: 'j1', clientId: 'c1', subject: fingerprint('alice'), tokenType: 'access' }])
    assert.doesNotMatch(JSON.stringify(issued), /alice|secret-token-value/)
    runtime.instance(issuer).revoke('j2')
    assert.deepEqual(revoked, [{ dialect: 'issuer', jti: 'j2', reason: 'admin' }])
  } finally {
    await runtime.close()
  }
})

test('a 401 is auth.failed (a bare challenge is not), a 429 is login.throttled; the response carries the code', async () => {
  const runtime = await createRuntime({ logger: silentLogger, dialects: [issuer] })
  try {
    const failed = record(runtime.events, 'auth.failed')
    const throttled = record(runtime.events, 'login.throttled')
    const login = runtime.routes[1]!
    const response = await login.execute(request('/login'))
    assert.equal(response.code, 'ERR_AUTH_INVALID')
    await login.execute(request('/login', { 'x-case': 'throttled' }))
    await login.execute(request('/login', { 'x-case': 'anonymous' }))
    assert.deepEqual(
      failed.map(({ dialect, route, code }) => ({ dialect, route, code })),
      [{ dialect: 'issuer', route: '/login', code: 'ERR_AUTH_INVALID' }],
    )
    assert.deepEqual(
      throttled.map(({ code }) => code),
      ['ERR_RATE_LIMITED'],
    )
    assert.ok(failed[0]!.durationMs >= 0)
  } finally {
    await runtime.close()
  }
})

test('a listener that throws does not fail the request that emitted', async () => {
  const runtime = await createRuntime({ logger: silentLogger, dialects: [issuer] })
  try {
    runtime.events.on('token.issued', () => {
      throw new Error('listener bug')
    })
    const warned = new Promise((resolve) => process.once('warning', resolve))
    assert.equal((await runtime.routes[0]!.execute(request('/issue'))).status, 200)
    assert.match(String(((await warned) as Error).message), /listener bug/)
  } finally {
    await runtime.close()
  }
})

test('store.unavailable once when the store fails, store.recovered once when it answers again; store.operation for each', async () => {
  const inner = memoryStore()
  let down = false
  const flaky: StoreBackend = {
    kind: 'flaky',
    namespace: (name) => {
      const store = inner.namespace(name)
      // Reads fail while down; everything else is the memory store's.
      return new Proxy(store, {
        get: (target, property) => (property === 'get' ? (key: string) => (down ? Promise.reject(new StoreUnavailable('down')) : target.get(key)) : Reflect.get(target, property)),
      })
    },
    ping: () => (down ? Promise.reject(new StoreUnavailable('down')) : Promise.resolve()),
    close: () => inner.close(),
  }
  const runtime = await createRuntime({ logger: silentLogger, dialects: [issuer], store: flaky })
  try {
    const unavailable = record(runtime.events, 'store.unavailable')
    const recovered = record(runtime.events, 'store.recovered')
    const operations = record(runtime.events, 'store.operation')
    const store = runtime.store.namespace('issuer')
    await store.get('a')
    down = true
    await assert.rejects(store.get('a'), StoreUnavailable)
    await assert.rejects(runtime.store.ping(), StoreUnavailable)
    down = false
    await store.get('a')
    await store.get('a')
    assert.deepEqual(
      unavailable.map(({ backend, operation, code }) => ({ backend, operation, code })),
      [{ backend: 'flaky', operation: 'get', code: 'ERR_STORE_UNAVAILABLE' }],
    )
    assert.equal(recovered.length, 1)
    assert.deepEqual(
      operations.map(({ operation, code }) => `${operation}:${code ?? 'ok'}`),
      ['get:ok', 'get:ERR_STORE_UNAVAILABLE', 'ping:ERR_STORE_UNAVAILABLE', 'get:ok', 'get:ok'],
    )
    assert.equal((await runtime.health()).status, 'ok')
  } finally {
    await runtime.close()
  }
})
