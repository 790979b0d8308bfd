import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import express from 'express'
import request from 'supertest'
import { polytoken, type PolytokenRouter } from '@polytoken/express'
import { AuthInvalid, basic, bearer, defineDialect, defineRoute, silentLogger, type PolytokenError } from '@polytoken/core'
import { railsToken } from '../../packages/plugins/src/token-generator/rails-token.js'

/** Two stand-ins for zazz (Basic) and token-generator (Token, Bearer) on the same POST /api/v1/token. */
function tokenApi(name: string, auth: Parameters<typeof defineRoute>[0]['auth']) {
  return defineDialect({
    name,
    errorSchema: { type: 'object', required: ['error'], properties: { error: { type: 'string' } } },
    setup: () => ({
      routes: [defineRoute({ method: 'POST', path: '/api/v1/token', accepts: ['urlencoded', 'json'], auth, handle: ({ principal }) => ({ status: 200, body: { dialect: name, principal } }) })],
      renderError: (error: PolytokenError) => {
        const headers: Record<string, string[]> = error.challenges.length ? { 'WWW-Authenticate': error.challenges } : {}
        return { status: error.status, headers, body: { error: `${name}: ${error.code}` } }
      },
    }),
  })
}

const ok = async (credential: unknown) => {
  if (JSON.stringify(credential).includes('bad')) throw new AuthInvalid('bad credential')
  return 'ok'
}
let router: PolytokenRouter
let app: express.Express
before(async () => {
  router = await polytoken({
    dialects: [tokenApi('oauth-like', [basic({ realm: 'oauth', verify: ok })]), tokenApi('exchange-like', [railsToken({ realm: 'exchange', verify: ok }), bearer({ realm: 'exchange', verify: ok })])],
    logger: silentLogger,
  })
  app = express().use(router)
})
after(() => router.close())

test('the Authorization scheme picks the dialect', async () => {
  const viaBasic = await request(app)
    .post('/api/v1/token')
    .set('authorization', `Basic ${Buffer.from('a:b').toString('base64')}`)
    .type('form')
    .send('x=1')
  assert.equal(viaBasic.body.dialect, 'oauth-like')
  const viaToken = await request(app).post('/api/v1/token').set('authorization', 'Token token="abc"').type('form').send('x=1')
  assert.equal(viaToken.body.dialect, 'exchange-like')
  const viaBearer = await request(app).post('/api/v1/token').set('authorization', 'bearer abc').send({})
  assert.equal(viaBearer.body.dialect, 'exchange-like')
})

test("a refused credential is answered in the chosen dialect's envelope", async () => {
  const res = await request(app).post('/api/v1/token').set('authorization', 'Token token="bad"').type('form').send('x=1')
  assert.equal(res.status, 401)
  assert.equal(res.body.error, 'exchange-like: ERR_AUTH_INVALID')
})

test('no or an unknown scheme: 401 challenging with every scheme of every dialect on the path', async () => {
  for (const authorization of [undefined, 'Digest x=1']) {
    const req = request(app).post('/api/v1/token').type('form')
    if (authorization) req.set('authorization', authorization)
    const res = await req.send('x=1')
    assert.equal(res.status, 401)
    assert.equal(res.body.error, 'oauth-like: ERR_AUTH_REQUIRED')
    assert.deepEqual(res.headers['www-authenticate'], 'Basic realm="oauth", charset="UTF-8", Token realm="exchange", Bearer realm="exchange"')
  }
})

test('openapi.json documents both operations on the one path', async () => {
  const operation = (await request(app).get('/openapi.json')).body.paths['/api/v1/token'].post
  assert.equal(operation.security.length, 3)
  assert.equal(operation['x-polytoken-dispatch'].length, 1)
})
