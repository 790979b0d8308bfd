import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import express from 'express'
import request from 'supertest'
import { Keyv } from 'keyv'
import { polytoken, type PolytokenRouter } from '@polytoken/express'
import { crew } from '@polytoken/plugins'
import { silentLogger } from '@polytoken/core'
import { SERVICE, basic, testOptions } from './fixture.js'

/** A keyv adapter that works until it is told to fail, then errors on every call. */
class FlakyStore extends EventEmitter {
  namespace?: string
  failing = false
  private readonly data = new Map<string, unknown>()
  private run<T>(work: () => T): Promise<T> {
    if (!this.failing) return Promise.resolve(work())
    this.emit('error', new Error('ECONNREFUSED 127.0.0.1:1'))
    return Promise.reject(new Error('ECONNREFUSED 127.0.0.1:1'))
  }
  get(key: string) {
    return this.run(() => this.data.get(key))
  }
  set(key: string, value: unknown) {
    return this.run(() => void this.data.set(key, value))
  }
  delete(key: string) {
    return this.run(() => this.data.delete(key))
  }
  clear() {
    return this.run(() => this.data.clear())
  }
}

const flaky = new FlakyStore()
let router: PolytokenRouter
let app: express.Express
let refreshToken: string
before(async () => {
  router = await polytoken({
    dialects: [crew(testOptions())],
    store: { keyv: new Keyv({ store: flaky }), timeoutMs: 200 },
    masterKey: 'crew-outage-master-key-0123456789abcdef',
    logger: silentLogger,
  })
  app = express().use(router)
  const login = await request(app).get('/v1/token').set('Authorization', basic('alice', 'alice-pw')).query({ service: SERVICE, offline_token: 'true' })
  assert.equal(login.status, 200, login.text)
  refreshToken = login.body.refresh_token
  router.runtime.cache.clear()
  flaky.failing = true
})
after(() => router.close())

test('anonymous tokens need no store: they keep coming while it is down', async () => {
  const response = await request(app).get('/v1/token').query({ service: SERVICE, scope: 'repository:library/alpine:pull' })
  assert.equal(response.status, 200, response.text)
})

test('what needs the store answers 503 UNAVAILABLE in the errcode envelope, never a crash', async () => {
  const calls = [
    request(app).get('/v1/token').set('Authorization', basic('alice', 'alice-pw')).query({ service: SERVICE }),
    request(app).post('/v1/token').type('form').send({ grant_type: 'refresh_token', refresh_token: refreshToken, service: SERVICE }),
    request(app).post('/v1/token/revoke').type('form').send({ token: refreshToken }),
  ]
  for (const response of await Promise.all(calls)) {
    assert.equal(response.status, 503, response.text)
    assert.equal(response.body.errors[0].code, 'UNAVAILABLE')
    assert.equal(response.body.errors[0].detail.code, 'ERR_STORE_UNAVAILABLE')
  }
})
