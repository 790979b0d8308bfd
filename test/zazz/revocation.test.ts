import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import request from 'supertest'
import { LEGACY_BASIC, LEGACY_CLIENT, WEB_BASIC, rfcBasic, startApp, type TestServer } from './fixture.js'
import { introspect, login, me, refresh, revoke } from './helpers.js'

const RS_BASIC = rfcBasic('resource-server', 'rs-secret')
const OTHER_BASIC = rfcBasic('other', 'other-secret')

describe('zazz: revocation (RFC 7009) and introspection (RFC 7662)', () => {
  let server: TestServer
  before(async () => (server = await startApp()))
  after(() => server.close())

  test('introspection of live tokens: access and refresh', async () => {
    const tokens = await login(server.app, WEB_BASIC, { scope: 'full read' })
    const access = await introspect(server.app, tokens.body.access_token, WEB_BASIC)
    assert.equal(access.status, 200, access.text)
    assert.equal(access.headers['cache-control'], 'no-store')
    assert.equal(access.body.active, true)
    assert.equal(access.body.scope, 'full read')
    assert.equal(access.body.client_id, 'web app')
    assert.equal(access.body.username, 'soroush')
    assert.equal(access.body.token_type, 'Bearer')
    assert.equal(access.body.sub, '1')
    assert.equal(typeof access.body.exp, 'number')
    const refreshInfo = await introspect(server.app, tokens.body.refresh_token, WEB_BASIC)
    assert.equal(refreshInfo.body.active, true)
    assert.equal(refreshInfo.body.client_id, 'web app')
    assert.equal(refreshInfo.body.scope, 'full read')
  })

  test("introspection: another client sees only {active:false}; a resource server with introspectAny sees everyone's", async () => {
    const tokens = await login(server.app, WEB_BASIC)
    assert.deepEqual((await introspect(server.app, tokens.body.access_token, OTHER_BASIC)).body, { active: false })
    assert.deepEqual((await introspect(server.app, tokens.body.refresh_token, OTHER_BASIC)).body, { active: false })
    assert.equal((await introspect(server.app, tokens.body.access_token, RS_BASIC)).body.active, true)
    assert.deepEqual((await introspect(server.app, 'garbage', RS_BASIC)).body, { active: false })
    assert.deepEqual((await introspect(server.app, 'a.b.c', RS_BASIC)).body, { active: false })
  })

  test('revoking a refresh token ends its family: refresh, /me and introspection of its access tokens fail at once', async () => {
    const first = await login(server.app)
    const second = await refresh(server.app, first.body.refresh_token)
    const access = second.body.access_token
    assert.equal((await me(server.app, access)).status, 200) // now in the verification cache
    const response = await revoke(server.app, second.body.refresh_token, LEGACY_BASIC, 'refresh_token')
    assert.equal(response.status, 200, response.text)
    assert.equal(response.headers['cache-control'], 'no-store')
    assert.equal((await refresh(server.app, second.body.refresh_token)).body.error, 'invalid_grant')
    const after = await me(server.app, access)
    assert.equal(after.status, 401)
    assert.equal(after.body.error, 'invalid_token')
    assert.equal((await me(server.app, first.body.access_token)).status, 401)
    assert.deepEqual((await introspect(server.app, access, RS_BASIC)).body, { active: false })
    assert.deepEqual((await introspect(server.app, second.body.refresh_token, RS_BASIC)).body, { active: false })
  })

  test('revoking an access token ends that token at once; its family lives on', async () => {
    const tokens = await login(server.app)
    assert.equal((await me(server.app, tokens.body.access_token)).status, 200)
    const response = await revoke(server.app, tokens.body.access_token, LEGACY_BASIC, 'access_token')
    assert.equal(response.status, 200)
    assert.equal((await me(server.app, tokens.body.access_token)).status, 401)
    assert.deepEqual((await introspect(server.app, tokens.body.access_token, RS_BASIC)).body, { active: false })
    const next = await refresh(server.app, tokens.body.refresh_token)
    assert.equal(next.status, 200)
    assert.equal((await me(server.app, next.body.access_token)).status, 200)
  })

  test('revoking a retired (rotated) refresh token also ends the family', async () => {
    const first = await login(server.app)
    const second = await refresh(server.app, first.body.refresh_token)
    assert.equal((await revoke(server.app, first.body.refresh_token)).status, 200)
    assert.equal((await refresh(server.app, second.body.refresh_token)).status, 400)
  })

  test('unknown, garbage and already revoked tokens → 200 (§2.2), a wrong hint is no obstacle', async () => {
    assert.equal((await revoke(server.app, 'never-issued')).status, 200)
    assert.equal((await revoke(server.app, 'a.b.c', LEGACY_BASIC, 'refresh_token')).status, 200)
    const tokens = await login(server.app)
    assert.equal((await revoke(server.app, tokens.body.refresh_token, LEGACY_BASIC, 'access_token')).status, 200)
    assert.equal((await revoke(server.app, tokens.body.refresh_token)).status, 200)
    assert.equal((await refresh(server.app, tokens.body.refresh_token)).status, 400)
  })

  test("another client's token is refused (§2.1) and stays valid", async () => {
    const tokens = await login(server.app, WEB_BASIC)
    const response = await revoke(server.app, tokens.body.refresh_token, OTHER_BASIC)
    assert.equal(response.status, 400)
    assert.equal(response.body.error, 'unauthorized_client')
    const accessAttempt = await revoke(server.app, tokens.body.access_token, OTHER_BASIC)
    assert.equal(accessAttempt.body.error, 'unauthorized_client')
    assert.equal((await me(server.app, tokens.body.access_token)).status, 200)
    assert.equal((await refresh(server.app, tokens.body.refresh_token, WEB_BASIC)).status, 200)
  })

  test('both endpoints require client authentication: 401 invalid_client with a Basic challenge', async () => {
    for (const path of ['/api/v1/token/revoke', '/api/v1/token/introspect']) {
      const none = await request(server.app).post(path).type('form').send({ token: 'x' })
      assert.equal(none.status, 401)
      assert.equal(none.body.error, 'invalid_client')
      assert.match(String(none.headers['www-authenticate']), /^Basic realm="zazz"/)
      const wrong = await request(server.app).post(path).type('form').set('Authorization', rfcBasic('web app', 'nope')).send({ token: 'x' })
      assert.equal(wrong.status, 401)
      assert.equal(wrong.body.error, 'invalid_client')
      assert.equal(wrong.headers['cache-control'], 'no-store')
    }
    // The legacy public client authenticates the same way as on the token endpoint: it may revoke its tokens.
    assert.equal((await request(server.app).post('/api/v1/token/revoke').type('form').set('Authorization', `Basic ${LEGACY_CLIENT}`).send({ token: 'x' })).status, 200)
  })

  test('a missing token parameter → 400 invalid_request', async () => {
    const response = await request(server.app).post('/api/v1/token/revoke').type('form').set('Authorization', LEGACY_BASIC).send({})
    assert.equal(response.status, 400)
    assert.equal(response.body.error, 'invalid_request')
  })
})
