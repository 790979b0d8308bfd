/**
 * The router's life through its public interface: a start-up in the background while the store is down (probes
 * answer, dialect routes say 503 in their envelope, paths of the host are left alone), the switch to ready when the
 * store answers, readiness following the store, drain(), a start-up that gives up, and close() during start-up.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import express from 'express'
import request from 'supertest'
import { polytoken, type PolytokenRouter } from '@polytoken/express'
import { silentLogger } from '@polytoken/core'
import { prodmanager } from '@polytoken/plugins'
import { switchableStore } from '../helpers/switchable-store.js'

const MASTER_KEY = 'lifecycle-test-master-key-0123456789abcdef'
const SECRET = 'lifecycle-app-secret'
const FAST_RETRY = { initialDelayMs: 10, maxDelayMs: 40 }

function mount(router: PolytokenRouter): express.Express {
  const app = express()
  app.use(router)
  app.use((_req, res) => void res.status(404).json({ host: 'not found' }))
  return app
}

const dialects = () => [{ dialect: prodmanager({ secret: SECRET, issuer: 'lifecycle-test', permissions: { scope_api: 1 } }), prefix: '/api' }]
const create = (app: express.Express) => request(app).post('/api/token/create').type('form').send({ secret: SECRET, name: 'lifecycle', description: 'lifecycle test', permission: 'scope_api' })

test('background start-up with the store down: probes answer, dialect routes are 503 in their envelope, then ready when the store answers', async () => {
  const store = switchableStore()
  const router = await polytoken({ dialects: dialects(), store: store.backend, masterKey: MASTER_KEY, logger: silentLogger, startup: { mode: 'background', ...FAST_RETRY } })
  const app = mount(router)
  try {
    assert.equal(router.state, 'starting')
    assert.deepEqual((await request(app).get('/livez').expect(200)).body, { status: 'alive' })
    const readyz = await request(app).get('/readyz').expect(503)
    assert.deepEqual(readyz.body, { status: 'not-ready', reason: 'starting', store: 'switchable' })
    assert.equal(readyz.headers['cache-control'], 'no-store')
    assert.deepEqual((await request(app).get('/healthz').expect(503)).body, { status: 'starting', store: 'switchable' })

    // The dialect's own envelope (prodmanager: { message, code }) and status.
    const refused = await create(app).expect(503)
    assert.deepEqual(Object.keys(refused.body).sort(), ['code', 'message'])
    assert.equal(refused.body.code, 'ERR_STORE_UNAVAILABLE')
    assert.match(refused.body.message, /starting/)
    assert.equal((await request(app).get('/api/token/whoami').set('authorization', 'Bearer x.y.z').expect(503)).body.code, 'ERR_STORE_UNAVAILABLE')
    assert.equal((await request(app).get('/.well-known/jwks.json').expect(503)).body.error, 'ERR_STORE_UNAVAILABLE')
    // Not the router's: the host's own 404, untouched.
    assert.deepEqual((await request(app).get('/elsewhere').expect(404)).body, { host: 'not found' })
    assert.throws(() => router.runtime, /still starting/)

    store.up()
    await router.ready
    assert.equal(router.state, 'ready')
    // The given store, behind core's observing wrapper (router.events' store.* events).
    assert.equal(router.runtime.store.kind, 'switchable')
    assert.deepEqual((await request(app).get('/readyz').expect(200)).body, { status: 'ready', store: 'switchable' })
    assert.deepEqual((await request(app).get('/healthz').expect(200)).body, { status: 'ok', store: 'switchable' })
    const token = (await create(app).expect(200)).text
    await request(app).get('/api/token/whoami').set('authorization', `Bearer ${token}`).expect(200)
    assert.equal((await request(app).get('/.well-known/jwks.json').expect(200)).body.keys.length, 0)
  } finally {
    await router.close()
  }
})

test('readiness follows the store; drain() turns not-ready while requests are still served; /livez never asks the store', async () => {
  const store = switchableStore(false)
  const router = await polytoken({ dialects: dialects(), store: store.backend, masterKey: MASTER_KEY, logger: silentLogger })
  const app = mount(router)
  try {
    assert.equal(router.state, 'ready')
    await request(app).get('/readyz').expect(200)
    store.down()
    assert.deepEqual((await request(app).get('/readyz').expect(503)).body, { status: 'not-ready', reason: 'store-unavailable', store: 'switchable' })
    const calls = store.calls
    await request(app).get('/livez').expect(200)
    assert.equal(store.calls, calls, '/livez made no store call')
    store.up()
    await request(app).get('/readyz').expect(200)

    router.drain()
    assert.equal(router.state, 'draining')
    const calls2 = store.calls
    assert.deepEqual((await request(app).get('/readyz').expect(503)).body, { status: 'not-ready', reason: 'draining', store: 'switchable' })
    assert.equal(store.calls, calls2, 'a draining router says so without asking the store')
    await request(app).get('/livez').expect(200)
    await create(app).expect(200)
    // The probes take GET and HEAD only, in the router's JSON.
    await request(app).head('/readyz').expect(503)
    const post = await request(app).post('/livez').expect(405)
    assert.equal(post.headers.allow, 'GET, HEAD')
    assert.equal(post.body.error, 'ERR_ROUTE_METHOD_NOT_ALLOWED')
  } finally {
    await router.close()
  }
  assert.equal(router.state, 'closed')
})

test('a store down past the bound: the background start-up fails, /livez says failed (restart me), ready rejects clearly', async () => {
  const store = switchableStore()
  const router = await polytoken({ dialects: dialects(), store: store.backend, masterKey: MASTER_KEY, logger: silentLogger, startup: { mode: 'background', retryForMs: 200, ...FAST_RETRY } })
  const app = mount(router)
  try {
    await assert.rejects(router.ready, { code: 'ERR_STORE_UNAVAILABLE', message: /^start-up gave up: the store did not answer in \d+ attempts over \d+ ms \(startup.retryForMs 200/ })
    assert.equal(router.state, 'failed')
    assert.deepEqual((await request(app).get('/livez').expect(503)).body, { status: 'failed' })
    assert.equal((await request(app).get('/readyz').expect(503)).body.reason, 'failed')
    assert.equal((await create(app).expect(503)).body.code, 'ERR_STORE_UNAVAILABLE')
  } finally {
    await router.close()
  }
})

test("startup mode 'wait' (the default) retries too: polytoken() resolves when the store comes, rejects past the bound", async () => {
  const late = switchableStore()
  setTimeout(() => late.up(), 150)
  const started = Date.now()
  const router = await polytoken({ dialects: dialects(), store: late.backend, masterKey: MASTER_KEY, logger: silentLogger, startup: FAST_RETRY })
  try {
    assert.ok(Date.now() - started >= 100, 'it waited for the store')
    assert.equal(router.state, 'ready')
    await create(mount(router)).expect(200)
  } finally {
    await router.close()
  }

  const never = switchableStore()
  await assert.rejects(polytoken({ dialects: dialects(), store: never.backend, masterKey: MASTER_KEY, logger: silentLogger, startup: { maxAttempts: 3, ...FAST_RETRY } }), {
    code: 'ERR_STORE_UNAVAILABLE',
    message: /start-up gave up: the store did not answer in 3 attempts/,
  })
})

test('a configuration error is not retried, in either mode', async () => {
  const store = switchableStore(false)
  const options = { dialects: [prodmanager({ secret: SECRET, permissions: {}, keys: [{ secret: 'short' }] })], store: store.backend, masterKey: MASTER_KEY, logger: silentLogger }
  await assert.rejects(polytoken({ ...options, startup: { retryForMs: 60_000 } }), { code: 'ERR_CONFIG_INVALID' })
  const router = await polytoken({ ...options, startup: { mode: 'background', retryForMs: 60_000 } })
  await assert.rejects(router.ready, { code: 'ERR_CONFIG_INVALID' })
  assert.equal(router.state, 'failed')
  await router.close()
})

test('close() during a background start-up stops the retrying', async () => {
  const store = switchableStore()
  const router = await polytoken({ dialects: dialects(), store: store.backend, masterKey: MASTER_KEY, logger: silentLogger, startup: { mode: 'background', ...FAST_RETRY } })
  await new Promise((resolve) => setTimeout(resolve, 50))
  await router.close()
  await assert.rejects(router.ready, /router was closed/)
  assert.equal(router.state, 'closed')
  const calls = store.calls
  await new Promise((resolve) => setTimeout(resolve, 150))
  assert.equal(store.calls, calls, 'no attempt after close')
})
