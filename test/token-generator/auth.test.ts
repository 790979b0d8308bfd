import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import request from 'supertest'
import { DOCUMENT_BODY, PATH, RESOURCE_SECRET, createApp, sessionToken, tokenAuth, type TestApp } from './helpers.js'

/** HS256 over any header and payload, so tokens polytoken's tooling would never make can be sent. */
function forge(header: object, payload: object, secret: string): string {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
}

describe('token-generator: 401 for every bad caller token', () => {
  let t: TestApp
  before(async () => (t = await createApp()))
  after(() => t.router.close())

  async function refused(authorization: string | undefined, code: string, message?: RegExp) {
    const req = request(t.app).post(PATH).type('form')
    if (authorization !== undefined) req.set('Authorization', authorization)
    const response = await req.send(DOCUMENT_BODY)
    const what = `${String(authorization).slice(0, 40)} → ${response.status} ${response.text}`
    assert.equal(response.status, 401, what)
    assert.equal(response.body.code, code, what)
    assert.equal(typeof response.body.error, 'string', what)
    if (message) assert.match(response.body.error, message, what)
    assert.match(String(response.headers['www-authenticate']), /^Token realm="Application"/, what)
    assert.equal(response.headers['x-token'], undefined, `no echo of a refused token: ${what}`)
    assert.equal(response.headers['cache-control'], 'no-cache, no-store')
    assert.doesNotMatch(response.text, /test-session-secret/)
    return response
  }

  test('missing: no Authorization, another scheme', async () => {
    const none = await refused(undefined, 'ERR_AUTH_REQUIRED', /authentication required/)
    assert.equal(none.headers['www-authenticate'], 'Token realm="Application", Bearer realm="Application"')
    await refused('Basic dXNlcjpwYXNz', 'ERR_AUTH_REQUIRED')
    await refused('Foo bar', 'ERR_AUTH_REQUIRED')
  })

  test('malformed: empty, garbage, two parts, not JSON inside', async () => {
    await refused('Token token=""', 'ERR_TOKEN_INVALID', /malformed/)
    await refused('Token', 'ERR_TOKEN_INVALID')
    await refused('Token nonce="x"', 'ERR_TOKEN_INVALID')
    await refused('Token token="abc"', 'ERR_TOKEN_INVALID')
    await refused('Token token="a.b"', 'ERR_TOKEN_INVALID')
    await refused('Token token="a.b.c"', 'ERR_TOKEN_INVALID')
    await refused('Bearer !!!', 'ERR_TOKEN_INVALID')
    await refused('Bearer ', 'ERR_TOKEN_INVALID')
    await refused(`Token token="${'x'.repeat(12_000)}"`, 'ERR_TOKEN_INVALID')
  })

  test('badly signed: wrong secret, the resource secret, a flipped signature', async () => {
    await refused(tokenAuth(await sessionToken({}, { secret: 'some-other-secret-0123456789abcdef' })), 'ERR_TOKEN_INVALID', /signature/)
    // An abilities token is not a session token: it is signed with the other secret.
    await refused(tokenAuth(await sessionToken({}, { secret: RESOURCE_SECRET })), 'ERR_TOKEN_INVALID', /signature/)
    const good = await sessionToken()
    const flipped = good.slice(0, -2) + (good.endsWith('AA') ? 'BB' : 'AA')
    await refused(tokenAuth(flipped), 'ERR_TOKEN_INVALID')
  })

  test('expired, not yet valid', async () => {
    await refused(tokenAuth(await sessionToken({}, { lifetimeSec: -1 })), 'ERR_TOKEN_EXPIRED', /expired/)
    await refused(`Bearer ${await sessionToken({}, { lifetimeSec: -3600 })}`, 'ERR_TOKEN_EXPIRED')
    await refused(tokenAuth(await sessionToken({ nbf: Math.floor(Date.now() / 1000) + 600 })), 'ERR_TOKEN_NOT_YET_VALID')
  })

  test('wrong algorithm: none, HS512 with the right secret', async () => {
    const now = Math.floor(Date.now() / 1000)
    const claims = { exp: now + 600, iat: now, user_id: 'u' }
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`
    await refused(tokenAuth(none), 'ERR_TOKEN_INVALID')
    await refused(tokenAuth(await sessionToken({}, { alg: 'HS512', secret: 'test-session-secret-0123456789abcdef-0123456789abcdef-0123456789' })), 'ERR_TOKEN_INVALID')
  })

  test('missing or odd claims: no exp, no iat, no user_id, user_id of the wrong type, an unknown kid', async () => {
    const now = Math.floor(Date.now() / 1000)
    const secret = 'test-session-secret-0123456789abcdef'
    await refused(tokenAuth(forge({ typ: 'JWT', alg: 'HS256' }, { iat: now, user_id: 'u' }, secret)), 'ERR_TOKEN_INVALID', /"exp"/)
    await refused(tokenAuth(forge({ typ: 'JWT', alg: 'HS256' }, { exp: now + 60, user_id: 'u' }, secret)), 'ERR_TOKEN_INVALID', /"iat"/)
    await refused(tokenAuth(forge({ typ: 'JWT', alg: 'HS256' }, { exp: now + 60, iat: now }, secret)), 'ERR_TOKEN_INVALID', /"user_id"/)
    for (const userId of ['', {}, [], true, 1.5, 'x'.repeat(257)]) {
      await refused(tokenAuth(forge({ typ: 'JWT', alg: 'HS256' }, { exp: now + 60, iat: now, user_id: userId }, secret)), 'ERR_TOKEN_INVALID', /"user_id"/)
    }
    await refused(tokenAuth(await sessionToken({}, { header: { kid: 'nope' } })), 'ERR_TOKEN_INVALID', /unknown key/)
  })

  test('a bad token is refused before its permission is looked at', async () => {
    const response = await request(t.app).post(PATH).set('Authorization', 'Token token="abc"').type('form').send('permission=%7B')
    assert.equal(response.status, 401)
  })
})

describe('token-generator: clock tolerance and a custom realm', () => {
  test('clockToleranceSec lets a just-expired token through; realm is configurable', async () => {
    const t = await createApp({ clockToleranceSec: 30, realm: 'photos "api"' })
    try {
      const ok = await request(t.app)
        .post(PATH)
        .set('Authorization', tokenAuth(await sessionToken({}, { lifetimeSec: -5 })))
        .type('form')
        .send(DOCUMENT_BODY)
      assert.equal(ok.status, 200, ok.text)
      const late = await request(t.app)
        .post(PATH)
        .set('Authorization', tokenAuth(await sessionToken({}, { lifetimeSec: -60 })))
        .type('form')
        .send(DOCUMENT_BODY)
      assert.equal(late.status, 401)
      assert.match(String(late.headers['www-authenticate']), /^Token realm="photos \\"api\\""/)
    } finally {
      await t.router.close()
    }
  })
})
