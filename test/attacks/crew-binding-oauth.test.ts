/**
 * Issue #14, item 8 (crew): protocol fidelity of the OAuth2 parts.
 * - A refresh token is bound to the client_id it was issued to (RFC 6749 §10.4):
 *   one issued to `curl` used to work for `evil`.
 * - Revoke's token_type_hint is advisory (RFC 7009 §2.1): `access_token` used to get 400.
 * - A Basic header beside grant_type used to be verified (an scrypt spent, a
 *   stale header a 401) and its result ignored; it is now not looked at at all.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import request from 'supertest'
import { memoryStore, type Store, type StoreBackend } from '@polytoken/core'
import { createCrewUsers } from '@polytoken/plugins'
import { SERVICE, basic, startApp, testOptions, type TestServer } from '../crew/fixture.js'

/** A memory store whose crew namespace records every key read, to see whether a password record was looked up. */
function spyingStore(): { store: StoreBackend; reads: string[] } {
  const inner = memoryStore()
  const reads: string[] = []
  const spied = new Map<string, Store>()
  const store: StoreBackend = {
    kind: inner.kind,
    ping: () => inner.ping(),
    close: () => inner.close(),
    namespace(name) {
      const existing = spied.get(name)
      if (existing) return existing
      const target = inner.namespace(name)
      const view = new Proxy(target, {
        get(object, property) {
          if (property === 'get') return (key: string) => (reads.push(`${name}:${key}`), object.get(key))
          const value = Reflect.get(object, property) as unknown
          return typeof value === 'function' ? value.bind(object) : value
        },
      })
      spied.set(name, view)
      return view
    },
  }
  return { store, reads }
}

async function refreshTokenFor(server: TestServer, clientId: string | undefined): Promise<string> {
  const query: Record<string, string> = { service: SERVICE, account: 'alice', offline_token: 'true' }
  if (clientId !== undefined) query.client_id = clientId
  const response = await request(server.app).get('/v1/token').set('Authorization', basic('alice', 'alice-pw')).query(query)
  assert.equal(response.status, 200, response.text)
  return response.body.refresh_token
}

describe('crew attack: OAuth2 bindings and hints', () => {
  let server: TestServer
  let reads: string[]
  before(async () => {
    const spy = spyingStore()
    reads = spy.reads
    server = await startApp(testOptions(), { store: spy.store })
    const users = createCrewUsers(spy.store.namespace('crew'), { N: 1024 })
    await users.put('carol', 'carol-password')
    await users.put('dave', 'dave-password')
  })
  after(() => server.router.close())

  test('a refresh token issued to client_id=curl does not work for client_id=evil (nor without client_id)', async () => {
    const token = await refreshTokenFor(server, 'curl')
    const form = { grant_type: 'refresh_token', refresh_token: token, service: SERVICE }
    const evil = await request(server.app)
      .post('/v1/token')
      .type('form')
      .send({ ...form, client_id: 'evil' })
    assert.equal(evil.status, 401, evil.text)
    assert.equal(evil.body.errors[0].code, 'UNAUTHORIZED')
    assert.equal(evil.body.token, undefined)
    assert.equal((await request(server.app).post('/v1/token').type('form').send(form)).status, 401)
    const curl = await request(server.app)
      .post('/v1/token')
      .type('form')
      .send({ ...form, client_id: 'curl' })
    assert.equal(curl.status, 200, curl.text)
  })

  test('a refresh token issued without client_id works only without one', async () => {
    const token = await refreshTokenFor(server, undefined)
    const form = { grant_type: 'refresh_token', refresh_token: token, service: SERVICE }
    assert.equal(
      (
        await request(server.app)
          .post('/v1/token')
          .type('form')
          .send({ ...form, client_id: 'docker' })
      ).status,
      401,
    )
    assert.equal((await request(server.app).post('/v1/token').type('form').send(form)).status, 200)
  })

  test('revoke accepts any token_type_hint (advisory) and still revokes the refresh token', async () => {
    for (const hint of ['access_token', 'refresh_token', 'something_else']) {
      const token = await refreshTokenFor(server, 'docker')
      const revoked = await request(server.app).post('/v1/token/revoke').type('form').send({ token, token_type_hint: hint })
      assert.equal(revoked.status, 200, revoked.text)
      const refreshed = await request(server.app).post('/v1/token').type('form').send({ grant_type: 'refresh_token', refresh_token: token, service: SERVICE, client_id: 'docker' })
      assert.equal(refreshed.status, 401, `hint ${hint}: the token must be revoked`)
    }
  })

  test('Basic beside grant_type=password is not verified: a wrong one is no 401 and its user record is never read', async () => {
    reads.length = 0
    const response = await request(server.app)
      .post('/v1/token')
      .type('form')
      .set('Authorization', basic('carol', 'not-carols-password'))
      .send({ grant_type: 'password', username: 'dave', password: 'dave-password', service: SERVICE, scope: 'repository:dave/app:pull' })
    assert.equal(response.status, 200, response.text)
    const claims = JSON.parse(Buffer.from(response.body.token.split('.')[1], 'base64url').toString())
    assert.equal(claims.sub, 'dave', 'the form decides, not the header')
    assert.ok(reads.includes('crew:user:dave'), 'the form credentials are checked')
    assert.ok(!reads.some((key) => key.includes('carol')), `carol's record must not be read: ${reads.join(' ')}`)
  })

  test('Basic beside grant_type=refresh_token is not verified either (a right one does not change the account)', async () => {
    const token = await refreshTokenFor(server, 'docker')
    reads.length = 0
    const response = await request(server.app)
      .post('/v1/token')
      .type('form')
      .set('Authorization', basic('carol', 'carol-password'))
      .send({ grant_type: 'refresh_token', refresh_token: token, service: SERVICE, client_id: 'docker' })
    assert.equal(response.status, 200, response.text)
    assert.equal(JSON.parse(Buffer.from(response.body.token.split('.')[1], 'base64url').toString()).sub, 'alice')
    assert.ok(!reads.some((key) => key.includes('carol')), `carol's record must not be read: ${reads.join(' ')}`)
  })

  test('the crew.md JSON request (grant, no grant_type) still authenticates with Basic', async () => {
    const wrong = await request(server.app).post('/v1/token').set('Authorization', basic('carol', 'wrong-password')).send({ service: SERVICE, grant: 'docker' })
    assert.equal(wrong.status, 401, wrong.text)
    const right = await request(server.app).post('/v1/token').set('Authorization', basic('carol', 'carol-password')).send({ service: SERVICE, grant: 'docker' })
    assert.equal(right.status, 201, right.text)
  })
})
