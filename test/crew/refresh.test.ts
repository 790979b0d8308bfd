import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import request from 'supertest'
import { fingerprint } from '@polytoken/core'
import { createCrewUsers } from '@polytoken/plugins'
import { decodeJwt } from '../helpers/jwt.js'
import { SERVICE, basic, startApp, testOptions, type TestServer } from './fixture.js'

function assertError(response: request.Response, status: number, code: string): void {
  assert.equal(response.status, status, response.text)
  assert.equal(response.body.errors?.[0]?.code, code, response.text)
}

async function login(server: TestServer, user = 'alice', password = 'alice-pw'): Promise<string> {
  const response = await request(server.app).get('/v1/token').set('Authorization', basic(user, password)).query({ service: SERVICE, account: user, client_id: 'docker', offline_token: 'true' })
  assert.equal(response.status, 200, response.text)
  assert.match(response.body.refresh_token, /^[A-Za-z0-9_-]{43}$/)
  return response.body.refresh_token
}

function refreshForm(refreshToken: string, extra: Record<string, string> = {}) {
  return { grant_type: 'refresh_token', refresh_token: refreshToken, service: SERVICE, client_id: 'docker', ...extra }
}

describe('crew: refresh tokens and the OAuth2 form', () => {
  let server: TestServer
  before(async () => (server = await startApp()))
  after(() => server.close())

  test('offline_token=true with Basic gives a refresh token; anonymous never gets one', async () => {
    await login(server)
    const anonymous = await request(server.app).get('/v1/token').query({ service: SERVICE, offline_token: 'true' })
    assert.equal(anonymous.status, 200)
    assert.equal(anonymous.body.refresh_token, undefined)
  })

  test("grant_type=refresh_token → 200 and a token for the scopes asked (space-separated), as the refresh token's account", async () => {
    const refreshToken = await login(server)
    const response = await request(server.app)
      .post('/v1/token')
      .type('form')
      .send(refreshForm(refreshToken, { scope: 'repository:alice/app:pull,push repository:library/alpine:pull' }))
    assert.equal(response.status, 200, response.text)
    assert.equal(response.headers['cache-control'], 'no-store')
    assert.equal(response.body.access_token, response.body.token)
    assert.equal(response.body.refresh_token, undefined, 'not rotated: Docker keeps it as its identity token')
    const { claims } = decodeJwt(response.body.access_token)
    assert.equal(claims.sub, 'alice')
    assert.deepEqual(claims.access, [
      { type: 'repository', name: 'alice/app', actions: ['pull', 'push'] },
      { type: 'repository', name: 'library/alpine', actions: ['pull'] },
    ])
    // Usable again.
    assert.equal((await request(server.app).post('/v1/token').type('form').send(refreshForm(refreshToken))).status, 200)
  })

  test('grant_type=password with access_type=offline → a refresh token; a wrong password → 401', async () => {
    const response = await request(server.app)
      .post('/v1/token')
      .type('form')
      .send({ grant_type: 'password', username: 'bob', password: 'bob-pw', service: SERVICE, client_id: 'docker', access_type: 'offline', scope: 'repository:bob/x:push' })
    assert.equal(response.status, 200, response.text)
    assert.match(response.body.refresh_token, /^[A-Za-z0-9_-]{43}$/)
    assert.deepEqual(decodeJwt(response.body.token).claims.access, [{ type: 'repository', name: 'bob/x', actions: ['push'] }])
    const online = await request(server.app).post('/v1/token').type('form').send({ grant_type: 'password', username: 'bob', password: 'bob-pw', service: SERVICE })
    assert.equal(online.body.refresh_token, undefined)
    const wrong = await request(server.app).post('/v1/token').type('form').send({ grant_type: 'password', username: 'bob', password: 'guess', service: SERVICE })
    assertError(wrong, 401, 'UNAUTHORIZED')
    assert.match(String(wrong.headers['www-authenticate']), /^Basic realm=/)
    assertError(await request(server.app).post('/v1/token').type('form').send({ grant_type: 'password', username: 'bob', service: SERVICE }), 400, 'MISSING_REQUIRED_FIELD')
  })

  test('bad, unknown, foreign-service and mismatched refresh tokens are refused', async () => {
    const refreshToken = await login(server)
    assertError(
      await request(server.app)
        .post('/v1/token')
        .type('form')
        .send(refreshForm('A'.repeat(43))),
      401,
      'UNAUTHORIZED',
    )
    assertError(await request(server.app).post('/v1/token').type('form').send(refreshForm('not a token')), 401, 'UNAUTHORIZED')
    assertError(
      await request(server.app)
        .post('/v1/token')
        .type('form')
        .send(refreshForm(refreshToken, { service: 'other.test' })),
      401,
      'UNAUTHORIZED',
    )
    assertError(
      await request(server.app)
        .post('/v1/token')
        .type('form')
        .send(refreshForm(refreshToken, { account: 'bob' })),
      400,
      'BAD_TOKEN_OPTION',
    )
    assertError(await request(server.app).post('/v1/token').type('form').send({ grant_type: 'refresh_token', service: SERVICE }), 400, 'MISSING_REQUIRED_FIELD')
    assertError(await request(server.app).post('/v1/token').type('form').send({ grant_type: 'client_credentials', service: SERVICE }), 400, 'UNSUPPORTED_VALUE')
  })

  test('the store holds the refresh token only by its fingerprint', async () => {
    const refreshToken = await login(server)
    const namespace = server.store.namespace('crew')
    const record = await namespace.get<Record<string, unknown>>(`refresh:${fingerprint(refreshToken)}`)
    assert.equal(record?.account, 'alice')
    for await (const [key, value] of namespace.entries('')) {
      assert.ok(!key.includes(refreshToken) && !JSON.stringify(value).includes(refreshToken), `store entry ${key} holds the token`)
    }
  })

  test('POST /v1/token/revoke ends a refresh token at once; the answer is the same for unknown tokens', async () => {
    const refreshToken = await login(server)
    const revoked = await request(server.app).post('/v1/token/revoke').type('form').send({ token: refreshToken })
    assert.equal(revoked.status, 200, revoked.text)
    assertError(await request(server.app).post('/v1/token').type('form').send(refreshForm(refreshToken)), 401, 'UNAUTHORIZED')
    const again = await request(server.app).post('/v1/token/revoke').send({ token: refreshToken, token_type_hint: 'refresh_token' })
    assert.equal(again.status, 200)
    assert.deepEqual(again.body, revoked.body)
    assertError(await request(server.app).post('/v1/token/revoke').send({}), 400, 'MISSING_REQUIRED_FIELD')
  })

  test('a refresh token dies with its user', async () => {
    const users = createCrewUsers(server.store.namespace('crew'), { N: 1024 })
    await users.put('dave', 'dave-pw')
    const refreshToken = await login(server, 'dave', 'dave-pw')
    assert.equal((await request(server.app).post('/v1/token').type('form').send(refreshForm(refreshToken))).status, 200)
    await users.remove('dave')
    assertError(await request(server.app).post('/v1/token').type('form').send(refreshForm(refreshToken)), 401, 'UNAUTHORIZED')
  })
})

describe('crew: refresh token lifetime', () => {
  test('an expired refresh token is refused', async () => {
    let now = Date.now()
    const server = await startApp(testOptions({ refreshTokenLifetimeSec: 60 }), { clock: () => now })
    try {
      const refreshToken = await login(server)
      now += 61_000
      assertError(await request(server.app).post('/v1/token').type('form').send(refreshForm(refreshToken)), 401, 'UNAUTHORIZED')
    } finally {
      await server.close()
    }
  })
})
