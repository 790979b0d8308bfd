import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import request from 'supertest'
import { decodeJwt } from '../helpers/jwt.js'
import { LEGACY_BASIC, LEGACY_CLIENT, WEB_BASIC, WEB_SECRET, rfcBasic, startApp, testOptions, type TestServer } from './fixture.js'
import { login, me, tokenRequest } from './helpers.js'

function assertNoStore(response: request.Response) {
  assert.equal(response.headers['cache-control'], 'no-store')
  assert.equal(response.headers.pragma, 'no-cache')
}

function assertOAuthError(response: request.Response, status: number, error: string) {
  assert.equal(response.status, status, response.text)
  assert.equal(response.body.error, error, response.text)
  assert.equal(typeof response.body.error_description, 'string')
  assertNoStore(response)
}

describe('zazz: POST /api/v1/token, password grant', () => {
  let server: TestServer
  before(async () => (server = await startApp()))
  after(() => server.close())

  test("the document's exact request, legacy Basic client id → the document's response", async () => {
    const response = await request(server.app)
      .post('/api/v1/token')
      .set('Host', 'localhost:17433')
      .set('Authorization', `Basic ${LEGACY_CLIENT}`)
      .set('Cache-Control', 'no-cache')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('grant_type=password&username=soroush&password=123&scope=full')
    assert.equal(response.status, 200, response.text)
    assertNoStore(response)
    assert.match(String(response.headers['content-type']), /^application\/json/)
    const body = response.body
    assert.equal(body.token_type, 'Bearer')
    assert.equal(body.expires_in, 3600)
    assert.equal(typeof body.refresh_token, 'string')
    assert.ok(body.refresh_token.length >= 43)
    assert.deepEqual(body.user, {
      userId: 1,
      accountType: 'User',
      isConfirmed: false,
      displayName: 'Soroush',
      displayPhoto: {
        verySmallLink: 'http://localhost:17433/Images/placeholder.gif',
        smallLink: 'http://localhost:17433/Images/placeholder.gif',
        mediumLink: 'http://localhost:17433/Images/placeholder.gif',
        originalLink: 'http://localhost:17433/Images/placeholder.gif',
      },
    })
    const { header, claims } = decodeJwt(body.access_token)
    assert.equal(header.alg, 'HS256')
    assert.equal(claims.usr, 1)
    assert.equal(claims.client, 1)
    assert.equal(claims.aud, 'Zazz clients')
    assert.equal(claims.iss, 'https://www.zazzlife.com')
    assert.equal(claims.tokenType, 'accessToken')
    assert.equal(claims.exp - claims.nbf, 3600)
    assert.equal(typeof claims.jti, 'string')
    assert.equal(typeof claims.fam, 'string')
    assert.equal(claims.scope, 'full')
    // The refresh token is opaque: nothing in it to decode or forge.
    assert.ok(!body.refresh_token.includes('.'))
  })

  test('RFC 6749 Basic: form-urlencoded id and secret, then base64', async () => {
    const response = await login(server.app, WEB_BASIC)
    assert.equal(response.status, 200, response.text)
    assert.equal(decodeJwt(response.body.access_token).claims.client, 2)
    assert.equal(response.body.scope, 'full')
  })

  test('a public client may also use the RFC form with an empty secret', async () => {
    const response = await login(server.app, rfcBasic(LEGACY_CLIENT, ''))
    assert.equal(response.status, 200, response.text)
  })

  test('client_id and client_secret in the form body (RFC 6749 §2.3.1) also authenticate', async () => {
    const response = await tokenRequest(server.app, { grant_type: 'password', username: 'soroush', password: '123', client_id: 'web app', client_secret: WEB_SECRET }, null)
    assert.equal(response.status, 200, response.text)
  })

  test('wrong secret, unknown client, confidential id sent the legacy way → 401 invalid_client with a Basic challenge', async () => {
    for (const authorization of [rfcBasic('web app', 'wrong'), rfcBasic('nobody', 'x'), 'Basic other', 'Basic d2ViIGFwcA==', rfcBasic(LEGACY_CLIENT, 'a-secret')]) {
      const response = await login(server.app, authorization)
      assertOAuthError(response, 401, 'invalid_client')
      assert.match(String(response.headers['www-authenticate']), /^Basic realm="zazz"/)
    }
  })

  test('no client authentication at all → 401 invalid_client with a Basic challenge', async () => {
    const response = await tokenRequest(server.app, { grant_type: 'password', username: 'soroush', password: '123' }, null)
    assertOAuthError(response, 401, 'invalid_client')
    assert.match(String(response.headers['www-authenticate']), /^Basic realm="zazz"/)
  })

  test('a wrong client_secret in the body → invalid_client', async () => {
    const response = await tokenRequest(server.app, { grant_type: 'password', username: 'soroush', password: '123', client_id: 'web app', client_secret: 'nope' }, null)
    assertOAuthError(response, 401, 'invalid_client')
  })

  test('two client authentication methods at once → invalid_request', async () => {
    const response = await tokenRequest(server.app, { grant_type: 'password', username: 'soroush', password: '123', client_id: 'web app', client_secret: WEB_SECRET }, WEB_BASIC)
    assertOAuthError(response, 400, 'invalid_request')
  })

  test('wrong password and unknown user get the same answer', async () => {
    const wrong = await login(server.app, WEB_BASIC, { password: 'wrong' })
    const unknown = await login(server.app, WEB_BASIC, { username: 'nobody-here', password: 'wrong' })
    assertOAuthError(wrong, 400, 'invalid_grant')
    assert.deepEqual(unknown.body, wrong.body)
    assert.equal(unknown.status, wrong.status)
    assert.deepEqual(Object.keys(unknown.headers).sort(), Object.keys(wrong.headers).sort())
  })

  test('usernames are case-insensitive; displayName falls back to the username; Club accounts; configured photo links', async () => {
    assert.equal((await login(server.app, WEB_BASIC, { username: 'SOROUSH' })).status, 200)
    const club = await login(server.app, WEB_BASIC, { username: 'bigclub', password: 'club-password' })
    assert.equal(club.status, 200, club.text)
    assert.equal(club.body.user.displayName, 'bigclub')
    assert.equal(club.body.user.accountType, 'Club')
    assert.equal(club.body.user.isConfirmed, true)
    assert.equal(club.body.user.displayPhoto.originalLink, 'http://localhost:17433/Images/clubs/1.jpg')
    assert.equal(club.body.user.displayPhoto.smallLink, 'http://localhost:17433/Images/placeholder.gif')
  })

  test('scope: defaults to the client default, may narrow, never exceeds the client', async () => {
    const none = await login(server.app, WEB_BASIC, { scope: '' })
    assert.equal(none.body.scope, 'full')
    const two = await login(server.app, WEB_BASIC, { scope: 'read write' })
    assert.equal(two.body.scope, 'read write')
    assert.equal(decodeJwt(two.body.access_token).claims.scope, 'read write')
    assertOAuthError(await login(server.app, WEB_BASIC, { scope: 'full admin' }), 400, 'invalid_scope')
    assertOAuthError(await login(server.app, LEGACY_BASIC, { scope: 'read' }), 400, 'invalid_scope')
  })

  test('unsupported grant type, missing fields, a grant the client may not use', async () => {
    assertOAuthError(await tokenRequest(server.app, { grant_type: 'client_credentials' }), 400, 'unsupported_grant_type')
    assertOAuthError(await tokenRequest(server.app, { grant_type: 'password', username: 'soroush' }), 400, 'invalid_request')
    assertOAuthError(await tokenRequest(server.app, { username: 'soroush', password: '123' }), 400, 'invalid_request')
    assertOAuthError(await tokenRequest(server.app, { grant_type: 'refresh_token' }), 400, 'invalid_request')
    const refreshByPasswordOnly = await tokenRequest(server.app, { grant_type: 'refresh_token', refresh_token: 'x' }, rfcBasic('password-only', 'po-secret'))
    assertOAuthError(refreshByPasswordOnly, 400, 'unauthorized_client')
  })

  test('a repeated parameter is invalid_request (RFC 6749 §3.2)', async () => {
    const response = await request(server.app).post('/api/v1/token').set('Authorization', LEGACY_BASIC).type('form').send('grant_type=password&username=soroush&username=x&password=123')
    assertOAuthError(response, 400, 'invalid_request')
  })

  test('JSON instead of a form → 400 invalid_request; GET → 405 with Allow; all with no-store', async () => {
    const json = await request(server.app).post('/api/v1/token').set('Authorization', LEGACY_BASIC).send({ grant_type: 'password' })
    assertOAuthError(json, 400, 'invalid_request')
    const get = await request(server.app).get('/api/v1/token')
    assertOAuthError(get, 405, 'invalid_request')
    assert.equal(get.headers.allow, 'POST')
  })

  test('GET /api/v1/me answers the same user object as the login', async () => {
    const tokens = await login(server.app)
    const response = await me(server.app, tokens.body.access_token)
    assert.equal(response.status, 200, response.text)
    assert.deepEqual(response.body, tokens.body.user)
    assertNoStore(response)
  })

  test('GET /api/v1/me without, or with a bad, Bearer token → 401 invalid_token with a Bearer challenge', async () => {
    const none = await request(server.app).get('/api/v1/me')
    assertOAuthError(none, 401, 'invalid_token')
    assert.match(String(none.headers['www-authenticate']), /^Bearer realm="zazz"/)
    const tokens = await login(server.app)
    const tampered = tokens.body.access_token.slice(0, -4) + (tokens.body.access_token.endsWith('AAAA') ? 'BBBB' : 'AAAA')
    const bad = await me(server.app, tampered)
    assertOAuthError(bad, 401, 'invalid_token')
    assert.match(String(bad.headers['www-authenticate']), /error="invalid_token"/)
    // A refresh token is not an access token.
    assertOAuthError(await me(server.app, tokens.body.refresh_token), 401, 'invalid_token')
  })
})

describe('zazz: access token algorithm is configurable', () => {
  test('ES256: the token says so, /me verifies it, the public key is in the JWKS', async () => {
    const server = await startApp(testOptions({ algorithm: 'ES256' }))
    try {
      const tokens = await login(server.app)
      const { header } = decodeJwt(tokens.body.access_token)
      assert.equal(header.alg, 'ES256')
      assert.equal((await me(server.app, tokens.body.access_token)).status, 200)
      const jwks = await request(server.app).get('/.well-known/jwks.json')
      assert.ok(jwks.body.keys.some((key: { kid: string }) => key.kid === header.kid))
    } finally {
      await server.close()
    }
  })
})
