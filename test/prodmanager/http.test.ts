import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import express from 'express'
import request from 'supertest'
import { polytoken, type PolytokenRouter } from '@polytoken/express'
import { prodmanager } from '@polytoken/plugins'
import { silentLogger } from '@polytoken/core'
import { decodeJwt } from '../helpers/jwt.js'

const SECRET = 'changeit'
let router: PolytokenRouter
let app: express.Express
let now = Date.UTC(2026, 10, 23, 12, 0)

before(async () => {
  router = await polytoken({
    dialects: [{ dialect: prodmanager({ secret: SECRET, issuer: 'prodmanager-test', permissions: { scope_api: 1, service_api: 2 } }), prefix: '/api' }],
    masterKey: 'test-master-key-0123456789abcdef',
    logger: silentLogger,
    clock: () => now,
  })
  app = express()
  app.use(router)
})
after(() => router.close())

/** The curl of prodmanager.md, field for field. */
function createLikeTheDocument(fields: Record<string, string | string[]> = {}) {
  const req = request(app).post('/api/token/create').set('accept', 'text/plain')
  const all: Record<string, string | string[]> = {
    secret: SECRET,
    name: 'api-documentation',
    description: 'Token for documentation example',
    permission: ['scope_api', 'service_api'],
    ...fields,
  }
  for (const [name, value] of Object.entries(all)) for (const v of [value].flat()) req.field(name, v)
  return req
}

describe('POST /token/create', () => {
  test('the curl of the document works: 200 text/plain HS256 JWT with the documented claims', async () => {
    const res = await createLikeTheDocument()
    assert.equal(res.status, 200)
    assert.match(String(res.headers['content-type']), /^text\/plain/)
    const { header, claims } = decodeJwt(res.text)
    assert.equal(header.alg, 'HS256')
    assert.ok(header.kid)
    assert.equal(claims.iss, 'prodmanager-test')
    assert.equal(claims.aud, 'api-documentation')
    assert.equal(claims.sub, 'Token for documentation example')
    assert.equal(claims.version, 1)
    assert.deepEqual(claims.permissions, [1, 2])
    assert.equal(claims.nbf, Math.floor(now / 1000))
    assert.equal(claims.iat, Math.floor(now / 1000))
    assert.equal(claims.exp, claims.nbf + 3600)
    assert.match(claims.jti, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })

  test('urlencoded is accepted too, and explicit dates are UTC minutes', async () => {
    const res = await request(app)
      .post('/api/token/create')
      .type('form')
      .send({ secret: SECRET, name: 'form-token-1', description: 'made with a form body', not_before_date: '2026-12-01T10:30', expiration_date: '2026-12-02T10:30', permission: 'scope_api' })
    assert.equal(res.status, 200)
    const { claims } = decodeJwt(res.text)
    assert.equal(claims.nbf, Date.UTC(2026, 11, 1, 10, 30) / 1000)
    assert.equal(claims.exp, Date.UTC(2026, 11, 2, 10, 30) / 1000)
    assert.deepEqual(claims.permissions, [1])
  })

  test('a client that accepts only JSON gets the token as a JSON string; one that accepts neither gets 406', async () => {
    const json = await createLikeTheDocument().set('accept', 'application/json')
    assert.equal(json.status, 200)
    assert.match(String(json.headers['content-type']), /^application\/json/)
    assert.equal(typeof JSON.parse(json.text), 'string')
    const none = await createLikeTheDocument().set('accept', 'image/png')
    assert.equal(none.status, 406)
    assert.equal(none.body.code, 'ERR_REQUEST_NOT_ACCEPTABLE')
  })

  test('a wrong secret is a 400 with reasons.secret, as the original answers', async () => {
    const res = await createLikeTheDocument({ secret: 'wrong' })
    assert.equal(res.status, 400)
    assert.deepEqual(res.body.reasons, { secret: ['is invalid'] })
    assert.ok(!JSON.stringify(res.body).includes('wrong'), 'the sent secret is not echoed')
  })

  test('no secret at all is a missing field (400 reasons.secret), not a 401 with a Bearer challenge', async () => {
    const res = await request(app).post('/api/token/create').field('name', 'api-documentation').field('description', 'Token for documentation example')
    assert.equal(res.status, 400)
    assert.deepEqual(res.body.reasons, { secret: ['is required'] })
    assert.equal(res.headers['www-authenticate'], undefined)
  })

  test('not_before_date exactly maxNotBeforeAheadMs (366 days) ahead is accepted', async () => {
    const res = await createLikeTheDocument({ not_before_date: '2027-11-24T12:00' })
    assert.equal(res.status, 200, res.text)
    assert.equal(decodeJwt(res.text).claims.nbf, Date.UTC(2027, 10, 24, 12, 0) / 1000)
  })

  for (const [what, fields, field] of [
    ['missing name', { name: '' }, 'name'],
    ['name too short', { name: 'short' }, 'name'],
    ['bad date format', { expiration_date: '2026-12-01 10:30' }, 'expiration_date'],
    ['impossible date', { not_before_date: '2027-02-30T10:00' }, 'not_before_date'],
    ['expiration before not_before', { not_before_date: '2026-12-02T10:00', expiration_date: '2026-12-01T10:00' }, 'expiration_date'],
    ['expiration in the past', { not_before_date: '2020-01-01T10:00', expiration_date: '2020-01-02T10:00' }, 'expiration_date'],
    ['unknown permission', { permission: ['scope_api', 'root'] }, 'permission'],
    // #14 item 8: at most maxNotBeforeAheadMs (366 days by default) ahead; 2090 used to be accepted.
    ['not_before_date decades ahead', { not_before_date: '2090-01-01T00:00', expiration_date: '2090-01-02T00:00' }, 'not_before_date'],
    ['not_before_date just over 366 days ahead', { not_before_date: '2027-11-24T12:01' }, 'not_before_date'],
  ] as const) {
    test(`${what} → 400 {message, reasons.${field}}`, async () => {
      const res = await createLikeTheDocument(fields as Record<string, string>)
      assert.equal(res.status, 400, res.text)
      assert.equal(typeof res.body.message, 'string')
      assert.ok(Array.isArray(res.body.reasons[field]), JSON.stringify(res.body))
    })
  }
})

describe('GET /token/whoami', () => {
  test('returns the documented metadata', async () => {
    const token = (await createLikeTheDocument()).text
    const res = await request(app).get('/api/token/whoami').set('authorization', `Bearer ${token}`)
    assert.equal(res.status, 200)
    assert.deepEqual(Object.keys(res.body).sort(), ['aud', 'exp', 'iat', 'iss', 'jti', 'nbf', 'permissions', 'sub', 'version'])
    assert.deepEqual(res.body, decodeJwt(token).claims)
  })

  test('no token → 401 with a Bearer challenge; a bad one → 401 invalid_token', async () => {
    const none = await request(app).get('/api/token/whoami')
    assert.equal(none.status, 401)
    assert.equal(none.headers['www-authenticate'], 'Bearer realm="prodmanager"')
    const bad = await request(app).get('/api/token/whoami').set('authorization', 'Bearer abc.def.ghi')
    assert.equal(bad.status, 401)
    assert.match(String(bad.headers['www-authenticate']), /^Bearer realm="prodmanager", error="invalid_token"/)
    assert.equal(typeof bad.body.message, 'string')
  })

  test('expired and not-yet-valid tokens are refused', async () => {
    const future = (await createLikeTheDocument({ not_before_date: '2027-01-01T00:00', expiration_date: '2027-01-02T00:00' })).text
    const early = await request(app).get('/api/token/whoami').set('authorization', `Bearer ${future}`)
    assert.equal(early.status, 401)
    assert.equal(early.body.code, 'ERR_TOKEN_NOT_YET_VALID')
    const token = (await createLikeTheDocument()).text
    const saved = now
    now += 2 * 3600 * 1000
    try {
      const late = await request(app).get('/api/token/whoami').set('authorization', `Bearer ${token}`)
      assert.equal(late.status, 401)
      assert.equal(late.body.code, 'ERR_TOKEN_EXPIRED')
    } finally {
      now = saved
    }
  })

  test('a token signed with another key is refused', async () => {
    const token = (await createLikeTheDocument()).text
    const [h, p] = token.split('.')
    const forged = `${h}.${p}.${Buffer.alloc(32, 1).toString('base64url')}`
    const res = await request(app).get('/api/token/whoami').set('authorization', `Bearer ${forged}`)
    assert.equal(res.status, 401)
  })
})

describe('list and revoke', () => {
  const admin = `Basic ${Buffer.from(`ops:${SECRET}`).toString('base64')}`

  test('a revoked token fails whoami at once, even though it was cached', async () => {
    const token = (await createLikeTheDocument()).text
    const { jti } = decodeJwt(token).claims
    assert.equal((await request(app).get('/api/token/whoami').set('authorization', `Bearer ${token}`)).status, 200)
    const revoked = await request(app).post('/api/token/revoke').set('authorization', admin).type('form').send({ jti })
    assert.equal(revoked.status, 200)
    assert.equal(revoked.body.revoked, true)
    const after = await request(app).get('/api/token/whoami').set('authorization', `Bearer ${token}`)
    assert.equal(after.status, 401)
    assert.equal(after.body.code, 'ERR_TOKEN_REVOKED')
  })

  test('revoke also takes the secret as a form field; an unknown jti is 404', async () => {
    const res = await request(app).post('/api/token/revoke').type('form').send({ secret: SECRET, jti: '00000000-0000-4000-8000-000000000000' })
    assert.equal(res.status, 404)
  })

  test('list shows metadata only — never a token — and needs the secret', async () => {
    const token = (await createLikeTheDocument()).text
    const { jti } = decodeJwt(token).claims
    assert.equal((await request(app).get('/api/token/list')).status, 401)
    assert.equal(
      (
        await request(app)
          .get('/api/token/list')
          .set('authorization', `Basic ${Buffer.from('ops:nope').toString('base64')}`)
      ).status,
      401,
    )
    const res = await request(app).get('/api/token/list').set('authorization', admin)
    assert.equal(res.status, 200)
    const record = res.body.tokens.find((t: { jti: string }) => t.jti === jti)
    assert.deepEqual(record.permissions, ['scope_api', 'service_api'])
    assert.ok(!res.text.includes(token.split('.')[2]!), 'no signature in the listing')
  })

  test('nothing in the store holds a token or the secret in clear', async () => {
    const token = (await createLikeTheDocument()).text
    const store = router.runtime.store.namespace('prodmanager')
    for await (const [key, value] of store.entries('')) {
      const text = `${key} ${JSON.stringify(value)}`
      assert.ok(!text.includes(token.split('.')[2]!) && !text.includes(SECRET), `clear secret in ${key}`)
    }
  })
})

describe('router extras', () => {
  test('healthz, jwks (no HS256 secret is ever published), openapi', async () => {
    assert.deepEqual((await request(app).get('/healthz')).body, { status: 'ok', store: 'memory' })
    assert.deepEqual((await request(app).get('/.well-known/jwks.json')).body, { keys: [] })
    const doc = (await request(app).get('/openapi.json')).body
    assert.equal(doc.openapi, '3.1.0')
    assert.deepEqual(doc.servers, [{ url: '/' }])
    assert.ok(doc.paths['/api/token/create'].post.requestBody.content['multipart/form-data'])
    assert.ok(doc.paths['/api/token/whoami'].get.security)
    assert.ok(doc.components.schemas['prodmanager.Error'])
  })
})
