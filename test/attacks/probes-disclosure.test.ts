/**
 * The probes answer anyone, unauthenticated, and a load balancer logs them: they must never disclose the store's
 * address or credentials, nor take input that changes what they say. Forged: a Redis URL with a user and password
 * to a store that is down (so every answer is a failure, where details leak first), probes with query strings and
 * headers asking for more, other methods. Also the start-up failure the host sees and every log line.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import express from 'express'
import request from 'supertest'
import { polytoken } from '@polytoken/express'
import type { Logger } from '@polytoken/core'
import { prodmanager } from '@polytoken/plugins'
import { freePort } from '../scale-out/harness.js'

const PASSWORD = 'probe-disclosure-redis-password-5f2c'
const USER = 'probe-disclosure-user'

test('probes, dialect 503s, the start-up failure and the logs never name the store address or its credentials', async () => {
  const port = await freePort() // nothing listens: the store is down for the whole test
  const lines: string[] = []
  const record = (level: string) => (fields: Record<string, unknown>, message?: string) => void lines.push(`${level} ${message ?? ''} ${JSON.stringify(fields)}`)
  const logger: Logger = { info: record('info'), warn: record('warn'), error: record('error') }
  const router = await polytoken({
    dialects: [{ dialect: prodmanager({ secret: 'probe-disclosure-app-secret', permissions: { read_api: 1 } }), prefix: '/api' }],
    store: `redis://${USER}:${PASSWORD}@127.0.0.1:${port}/0?timeoutMs=200`,
    masterKey: 'probe-disclosure-master-key-0123456789abcdef',
    logger,
    startup: { mode: 'background', retryForMs: 1500, initialDelayMs: 50, maxDelayMs: 200 },
  })
  const app = express()
  app.use(router)
  const seen: string[] = []
  const look = async (response: request.Response) => {
    seen.push(`${response.status} ${JSON.stringify(response.headers)} ${response.text}`)
    return response
  }
  try {
    for (const path of ['/livez', '/readyz', '/healthz', '/.well-known/jwks.json', '/readyz?verbose=1&debug=true', '/readyz?store=url']) {
      const response = await look(await request(app).get(path).set('x-debug', '1').set('accept', 'text/html'))
      assert.match(String(response.headers['content-type']), /^application\/json/, `${path}: JSON whatever is asked`)
    }
    // Query strings and headers change nothing: the same body as the plain probe.
    const keys = async (path: string) => Object.keys((await request(app).get(path)).body as object).sort()
    assert.deepEqual(await keys('/readyz?verbose=1&debug=true'), ['reason', 'status', 'store'])
    assert.deepEqual(await keys('/livez?verbose=1'), ['status'])
    for (const method of ['post', 'put', 'delete', 'patch'] as const) {
      for (const path of ['/livez', '/readyz']) {
        const response = await look(await request(app)[method](path).send({ store: 'x' }))
        assert.equal(response.status, 405, `${method} ${path}`)
        assert.equal(response.body.error, 'ERR_ROUTE_METHOD_NOT_ALLOWED')
      }
    }
    await look(await request(app).post('/api/token/create').type('form').send({ secret: 'probe-disclosure-app-secret', name: 'disclosure', description: 'x', permission: 'read_api' }))

    const failure = await router.ready.then(
      () => assert.fail('start-up should have given up: nothing listens on the store port'),
      (error: Error) => error,
    )
    assert.equal((failure as { code?: string }).code, 'ERR_STORE_UNAVAILABLE')
    seen.push(failure.message, String(failure.stack))
    await look(await request(app).get('/readyz'))
    await look(await request(app).get('/livez'))
    assert.equal(router.state, 'failed')
  } finally {
    await router.close()
  }

  assert.ok(
    lines.some((line) => line.includes('store not ready at start-up; retrying')),
    'the retries were logged',
  )
  for (const text of [...seen, ...lines]) {
    assert.ok(!text.includes(PASSWORD), `the password leaked: ${text}`)
    assert.ok(!text.includes(USER), `the user name leaked: ${text}`)
  }
  for (const text of seen) assert.ok(!text.includes(String(port)), `the store's port leaked to a client: ${text}`)
})
