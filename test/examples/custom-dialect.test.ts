import { generateKeyPairSync } from 'node:crypto'
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import express from 'express'
import request from 'supertest'
import { polytoken, type PolytokenRouter } from '@polytoken/express'
import { describeConformance, type ValidRequest } from '@polytoken/express/conformance'
import { prodmanager } from '@polytoken/plugins'
import { silentLogger } from '@polytoken/core'
import { greeting } from '../../examples/custom-dialect/greeting-dialect.js'

const masterKey = 'test-master-key-0123456789abcdef'

// The test holds the signing key, so the JWT attack table can also sign tokens that only a claim or a header makes invalid.
const signingKey = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()

describeConformance({
  name: 'custom greeting dialect',
  dialect: () => greeting({ apiKey: 'k', keys: [{ pem: signingKey }] }),
  // Issued on the kit's own router, so the verify route is reached with a token it accepts.
  validRequest: async ({ path }, kit): Promise<ValidRequest> =>
    path === '/greet'
      ? { headers: { 'x-api-key': 'k' }, body: { name: 'ada' }, status: 201 }
      : { headers: { authorization: `Bearer ${(await request(kit.app).post('/greet').set('x-api-key', 'k').send({ name: 'ada' })).body.token}` } },
  jwt: [
    {
      path: '/greet/verify',
      algorithm: 'EdDSA',
      validToken: async (app) => (await request(app).post('/greet').set('x-api-key', 'k').send({ name: 'ada' })).body.token,
      signingKey,
      jwksPath: '/.well-known/jwks.json',
      issuer: 'greeting',
      leewaySec: 0,
    },
  ],
})

let router: PolytokenRouter
let app: express.Express
before(async () => {
  router = await polytoken({ dialects: [greeting({ apiKey: 'k' }), { dialect: prodmanager({ secret: 'changeit', permissions: {} }), prefix: '/api' }], masterKey, logger: silentLogger })
  app = express().use(router)
})
after(() => router.close())

test('the custom dialect issues and verifies next to a built-in one, and its EdDSA key is in the JWKS', async () => {
  const issued = await request(app).post('/greet').set('x-api-key', 'k').send({ name: 'ada' })
  assert.equal(issued.status, 201)
  const verified = await request(app).get('/greet/verify').set('authorization', `Bearer ${issued.body.token}`)
  assert.deepEqual(verified.body, { ok: true, greeting: 'hello, ada' })
  const jwks = (await request(app).get('/.well-known/jwks.json')).body
  assert.equal(jwks.keys.length, 1)
  assert.equal(jwks.keys[0].crv, 'Ed25519')
  assert.equal(jwks.keys[0].d, undefined, 'no private part')
  const refused = await request(app).post('/greet').set('x-api-key', 'wrong').send({ name: 'ada' })
  assert.deepEqual(refused.body, { ok: false, why: 'API key is invalid', code: 'ERR_AUTH_INVALID' })
  assert.equal((await request(app).post('/api/token/create').field('secret', 'changeit').field('name', 'api-documentation').field('description', 'Token for documentation example')).status, 200)
})
