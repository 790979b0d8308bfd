import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import express from 'express'
import request from 'supertest'
import { polytoken } from '@polytoken/express'
import { prodmanager } from '@polytoken/plugins'
import { memoryStore, silentLogger, type StoreBackend } from '@polytoken/core'
import { rfcBasic, startApp as startZazz, testOptions as zazzOptions } from '../zazz/fixture.js'
import { startApp as startCrew, testOptions as crewOptions } from '../crew/fixture.js'

/** Issue #13 item 6: failed checks of the other secrets, counted per address in the store; 429 + Retry-After in each dialect's envelope. */

const SECRET = 'the-application-secret'

async function prodmanagerApp(store: StoreBackend = memoryStore()) {
  const router = await polytoken({
    dialects: [prodmanager({ secret: SECRET, permissions: {}, maxSecretFailuresPerAddress: 20 })],
    store,
    masterKey: 'secret-limits-master-key-0123456789',
    logger: silentLogger,
  })
  const app = express()
  app.set('trust proxy', true)
  app.use(router)
  return { app, close: () => router.close() }
}

const create = (app: express.Express, ip: string, secret: string) =>
  request(app).post('/token/create').set('X-Forwarded-For', ip).type('form').send({ secret, name: 'a-token-name', description: 'a token description' })
const list = (app: express.Express, ip: string, secret: string) =>
  request(app)
    .get('/token/list')
    .set('X-Forwarded-For', ip)
    .set('Authorization', `Basic ${Buffer.from(`op:${secret}`).toString('base64')}`)
const revoke = (app: express.Express, ip: string, secret: string) =>
  request(app).post('/token/revoke').set('X-Forwarded-For', ip).type('form').send({ secret, jti: '00000000-0000-0000-0000-000000000000' })

describe('prodmanager: the application secret', () => {
  test('wrong secrets on create, list and revoke count together per address: past 20, 429 with Retry-After even for the right secret; other addresses go on', async () => {
    const { app, close } = await prodmanagerApp()
    try {
      for (let i = 0; i < 20; i++) {
        const response = await [create, list, revoke][i % 3]!(app, '198.51.100.7', `guess-${i}`)
        assert.ok(response.status === 400 || response.status === 401, `${i}: ${response.status} ${response.text}`)
      }
      const refused = await create(app, '198.51.100.7', SECRET)
      assert.equal(refused.status, 429, refused.text)
      assert.equal(refused.body.code, 'ERR_RATE_LIMITED')
      assert.match(refused.body.message, /^too many attempts/)
      assert.ok(Number(refused.headers['retry-after']) > 0)
      assert.equal((await list(app, '198.51.100.7', SECRET)).status, 429)
      assert.equal((await create(app, '198.51.100.8', SECRET)).status, 200)
    } finally {
      await close()
    }
  })

  test('a parallel burst of 50 guesses learns the outcome of at most 20', async () => {
    const { app, close } = await prodmanagerApp()
    try {
      const burst = await Promise.all(Array.from({ length: 50 }, (_, i) => create(app, '198.51.100.9', `guess-${i}`)))
      assert.equal(burst.filter((r) => r.status === 400).length, 20)
      assert.equal(burst.filter((r) => r.status === 429).length, 30)
    } finally {
      await close()
    }
  })

  test('counted in the store: the failures of two instances add up', async () => {
    const store = memoryStore()
    const a = await prodmanagerApp(store)
    const b = await prodmanagerApp(store)
    try {
      for (let i = 0; i < 20; i++) await create(i % 2 ? a.app : b.app, '198.51.100.10', `guess-${i}`)
      assert.equal((await create(a.app, '198.51.100.10', SECRET)).status, 429)
    } finally {
      await a.close()
      await b.close()
    }
  })
})

describe('zazz: client authentication and introspection', () => {
  const token = (app: express.Express, ip: string, authorization: string) =>
    request(app).post('/api/v1/token').type('form').set('Authorization', authorization).set('X-Forwarded-For', ip).send({ grant_type: 'password', username: 'soroush', password: '123' })

  test('wrong client secrets from one address: past the limit, 429 with Retry-After in the OAuth envelope, even for the right secret', async () => {
    const server = await startZazz(zazzOptions({ bruteForce: { maxClientFailuresPerAddress: 4 } }))
    try {
      for (let i = 0; i < 4; i++) {
        const response = await token(server.app, '203.0.113.5', rfcBasic('other', `guess-${i}`))
        assert.equal(response.status, 401)
        assert.equal(response.body.error, 'invalid_client')
      }
      const refused = await token(server.app, '203.0.113.5', rfcBasic('other', 'other-secret'))
      assert.equal(refused.status, 429, refused.text)
      assert.match(refused.body.error_description, /^too many attempts/)
      assert.ok(Number(refused.headers['retry-after']) > 0)
      assert.equal((await token(server.app, '203.0.113.6', rfcBasic('other', 'other-secret'))).status, 200)
    } finally {
      await server.close()
    }
  })

  test('introspections answered inactive are counted per address: past the limit, 429', async () => {
    const server = await startZazz(zazzOptions({ bruteForce: { maxInactiveIntrospectionsPerAddress: 3 } }))
    try {
      const introspect = (tokenValue: string) =>
        request(server.app)
          .post('/api/v1/token/introspect')
          .type('form')
          .set('Authorization', rfcBasic('resource-server', 'rs-secret'))
          .set('X-Forwarded-For', '203.0.113.7')
          .send({ token: tokenValue })
      for (let i = 0; i < 3; i++) assert.deepEqual((await introspect(`guessed-refresh-token-${i}`)).body, { active: false })
      const refused = await introspect('guessed-refresh-token-x')
      assert.equal(refused.status, 429, refused.text)
      assert.ok(Number(refused.headers['retry-after']) > 0)
    } finally {
      await server.close()
    }
  })
})

describe('crew: revocation', () => {
  test('revocations of tokens that were not live are counted per address: past the limit, 429 TOOMANYREQUESTS with Retry-After', async () => {
    const server = await startCrew(crewOptions({ loginAttempts: { max: 5, windowMs: 60_000, maxRevokeFailuresPerAddress: 3 } }))
    try {
      const revokeToken = (value: string) => request(server.app).post('/v1/token/revoke').type('form').send({ token: value })
      for (let i = 0; i < 3; i++) assert.equal((await revokeToken(`guessed-${i}`)).status, 200)
      const refused = await revokeToken('guessed-x')
      assert.equal(refused.status, 429, refused.text)
      assert.equal(refused.body.errors[0].code, 'TOOMANYREQUESTS')
      assert.ok(Number(refused.headers['retry-after']) > 0)
    } finally {
      await server.close()
    }
  })
})
