import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import express from 'express'
import request from 'supertest'
import { Keyv } from 'keyv'
import { polytoken, type PolytokenRouter } from '@polytoken/express'
import { prodmanager } from '@polytoken/plugins'
import { silentLogger } from '@polytoken/core'

/** A keyv store adapter whose backend is gone: some calls hang forever, others fail with an error event. */
class DeadStore extends EventEmitter {
  namespace?: string
  mode: 'hang' | 'fail' = 'hang'
  private answer<T>(): Promise<T> {
    if (this.mode === 'hang') return new Promise<T>(() => {})
    this.emit('error', new Error('ECONNREFUSED 127.0.0.1:1'))
    return Promise.reject(new Error('ECONNREFUSED 127.0.0.1:1'))
  }
  get() {
    return this.answer()
  }
  set() {
    return this.answer()
  }
  delete() {
    return this.answer()
  }
  clear() {
    return this.answer()
  }
}

const dead = new DeadStore()
let router: PolytokenRouter
let app: express.Express
before(async () => {
  router = await polytoken({
    dialects: [prodmanager({ secret: 'changeit', permissions: {}, keys: [{ secret: 'signing-secret-0123456789abcdef0123' }] })],
    store: { keyv: new Keyv({ store: dead }), timeoutMs: 200 },
    logger: silentLogger,
  })
  app = express().use(router)
})
after(() => router.close())

const create = () => request(app).post('/token/create').field('secret', 'changeit').field('name', 'api-documentation').field('description', 'Token for documentation example')

for (const mode of ['fail', 'hang'] as const) {
  test(`a store that ${mode === 'hang' ? 'never answers' : 'errors'}: 503 in the dialect's envelope within the timeout, no crash`, async () => {
    dead.mode = mode
    const started = Date.now()
    const res = await create()
    assert.equal(res.status, 503)
    assert.deepEqual(Object.keys(res.body).sort(), ['code', 'message'])
    assert.equal(res.body.code, 'ERR_STORE_UNAVAILABLE')
    assert.ok(Date.now() - started < 1000, 'answered within a second')
    const health = await request(app).get('/healthz')
    assert.equal(health.status, 503)
    assert.equal(health.body.status, 'unavailable')
  })
}
