import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DEFAULT_HTTP_LIMITS, readHttpLimits, serverOptions } from './http-limits.js'

test('defaults, then the config section, then the environment', () => {
  assert.deepEqual(readHttpLimits(undefined, {}), { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, maxConnections: 1024 })
  assert.equal(readHttpLimits({ maxConnections: 10 }, {}).maxConnections, 10)
  assert.equal(readHttpLimits({ maxConnections: 10 }, { POLYTOKEN_MAX_CONNECTIONS: '20' }).maxConnections, 20)
  assert.equal(readHttpLimits({}, { POLYTOKEN_HEADERS_TIMEOUT_MS: '500' }).headersTimeoutMs, 500)
})

test('a bad value or an unknown key throws naming it', () => {
  assert.throws(() => readHttpLimits({ headersTimeout: 5 }, {}), /http\.headersTimeout: unknown key/)
  assert.throws(() => readHttpLimits({}, { POLYTOKEN_REQUEST_TIMEOUT_MS: '0' }), /http\.requestTimeoutMs \(POLYTOKEN_REQUEST_TIMEOUT_MS\)/)
  assert.throws(() => readHttpLimits({ keepAliveTimeoutMs: 'soon' }, {}), /http\.keepAliveTimeoutMs/)
  assert.throws(() => readHttpLimits({ headersTimeoutMs: 40_000 }, {}), /must not exceed http\.requestTimeoutMs/)
})

test('Node checks the timeouts often enough to honour them: at most every second, a quarter of headersTimeout when shorter', () => {
  assert.equal(serverOptions(DEFAULT_HTTP_LIMITS).connectionsCheckingInterval, 1000)
  assert.equal(serverOptions({ ...DEFAULT_HTTP_LIMITS, headersTimeoutMs: 800 }).connectionsCheckingInterval, 200)
})
