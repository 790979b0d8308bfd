/**
 * Issue #14, item 8 (zazz): what a request binds to. A body client_id naming
 * another client than Basic authenticated is refused; an idle-expired refresh
 * token is "expired", not a reuse that ends the login; scope on refresh is
 * measured against the original grant (RFC 6749 §6); introspection is for
 * confidential clients unless publicClientIntrospection says otherwise
 * (RFC 7662 §2.1).
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { memoryStore, fingerprint, type StoreBackend } from '@polytoken/core'
import { decodeJwt } from '../helpers/jwt.js'
import { LEGACY_BASIC, WEB_BASIC, rfcBasic, startApp, testOptions, type TestServer } from '../zazz/fixture.js'
import { introspect, login, me, refresh, tokenRequest } from '../zazz/helpers.js'

const RESOURCE_SERVER = rfcBasic('resource-server', 'rs-secret')
const IDLE_SEC = 60

describe('zazz binding: client_id, idle expiry, scope on refresh, who may introspect', () => {
  let server: TestServer
  let backend: StoreBackend
  let offset = 0
  before(async () => {
    backend = memoryStore()
    server = await startApp(testOptions({ refreshIdleTtlSec: IDLE_SEC }), { store: backend, clock: () => Date.now() + offset })
  })
  after(() => server.close())

  test('a body client_id that differs from the client authenticated by Basic → 400 invalid_request', async () => {
    const answer = await tokenRequest(server.app, { grant_type: 'password', username: 'soroush', password: '123', client_id: 'other' }, WEB_BASIC)
    assert.equal(answer.status, 400, answer.text)
    assert.equal(answer.body.error, 'invalid_request')
    assert.equal(answer.body.access_token, undefined)
    // The same client_id as Basic's is fine (RFC 6749 allows sending it).
    const same = await tokenRequest(server.app, { grant_type: 'password', username: 'soroush', password: '123', client_id: 'web app' }, WEB_BASIC)
    assert.equal(same.status, 200, same.text)
    // On refresh, too: a token of 'web app' with a body naming another client is refused and the token survives.
    const mismatch = await tokenRequest(server.app, { grant_type: 'refresh_token', refresh_token: same.body.refresh_token, client_id: 'other' }, WEB_BASIC)
    assert.equal(mismatch.status, 400, mismatch.text)
    assert.equal(mismatch.body.error, 'invalid_request')
    assert.equal((await refresh(server.app, same.body.refresh_token, WEB_BASIC)).status, 200)
  })

  test('an idle-expired refresh token → invalid_grant "expired"; the login is not revoked as if it were reuse', async () => {
    const tokens = (await login(server.app)).body
    assert.equal((await me(server.app, tokens.access_token)).status, 200)
    // The idle time passes: the store drops the live record at its TTL (done here by hand, the clock moved).
    offset += (IDLE_SEC + 1) * 1000
    await backend.namespace('zazz').delete(`rt:${fingerprint(tokens.refresh_token)}`)
    const answer = await refresh(server.app, tokens.refresh_token)
    assert.equal(answer.status, 400, answer.text)
    assert.equal(answer.body.error, 'invalid_grant')
    assert.match(answer.body.error_description, /expired/)
    assert.doesNotMatch(answer.body.error_description, /already used|revoked/)
    // The family is not revoked: the access token of that login, still within its hour, still works.
    assert.equal((await introspect(server.app, tokens.access_token, RESOURCE_SERVER)).body.active, true)
    assert.equal((await me(server.app, tokens.access_token)).status, 200)
    // Presented again, it is still only expired.
    assert.match((await refresh(server.app, tokens.refresh_token)).body.error_description, /expired/)
  })

  test('control: a used (rotated) refresh token presented again, even after its idle time, is reuse and revokes the login', async () => {
    const first = (await login(server.app)).body
    const second = (await refresh(server.app, first.refresh_token)).body
    offset += (IDLE_SEC + 1) * 1000
    const replay = await refresh(server.app, first.refresh_token)
    assert.equal(replay.status, 400)
    assert.match(replay.body.error_description, /already used/)
    assert.equal((await me(server.app, second.access_token)).status, 401)
  })

  test('scope on refresh (RFC 6749 §6): narrowing is not permanent; omitted means the original grant', async () => {
    const first = (await login(server.app, WEB_BASIC, { scope: 'read write' })).body
    const narrowed = await refresh(server.app, first.refresh_token, WEB_BASIC, { scope: 'read' })
    assert.equal(narrowed.status, 200, narrowed.text)
    assert.equal(narrowed.body.scope, 'read')
    // A later refresh may ask again for any scope of the original grant...
    const again = await refresh(server.app, narrowed.body.refresh_token, WEB_BASIC, { scope: 'write' })
    assert.equal(again.status, 200, again.text)
    assert.equal(decodeJwt(again.body.access_token).claims.scope, 'write')
    // ...and without a scope parameter it gets the original grant back.
    const omitted = await refresh(server.app, again.body.refresh_token, WEB_BASIC)
    assert.equal(omitted.status, 200, omitted.text)
    assert.equal(omitted.body.scope, 'read write')
    // Never beyond it: 'full' the client may have, but the user did not grant it here.
    const wider = await refresh(server.app, omitted.body.refresh_token, WEB_BASIC, { scope: 'full' })
    assert.equal(wider.status, 400)
    assert.equal(wider.body.error, 'invalid_scope')
    assert.equal((await refresh(server.app, omitted.body.refresh_token, WEB_BASIC)).status, 200, 'the refused request did not cost the token')
  })

  test('introspection by a public client → 401 invalid_client by default; a confidential client is answered', async () => {
    const tokens = (await login(server.app)).body
    const answer = await introspect(server.app, tokens.access_token, LEGACY_BASIC)
    assert.equal(answer.status, 401, answer.text)
    assert.equal(answer.body.error, 'invalid_client')
    assert.equal(answer.body.active, undefined)
    assert.equal((await introspect(server.app, tokens.access_token, RESOURCE_SERVER)).body.active, true)
  })
})

describe('zazz binding: publicClientIntrospection: true lets a public client introspect its own tokens', () => {
  let server: TestServer
  before(async () => (server = await startApp(testOptions({ publicClientIntrospection: true }))))
  after(() => server.close())

  test('the legacy public client introspects its own token', async () => {
    const tokens = (await login(server.app)).body
    const answer = await introspect(server.app, tokens.access_token, LEGACY_BASIC)
    assert.equal(answer.status, 200, answer.text)
    assert.equal(answer.body.active, true)
  })
})

describe('zazz binding: with the reuse grace period on, an idle-expired refresh token is expired too', () => {
  let server: TestServer
  let backend: StoreBackend
  let offset = 0
  before(async () => {
    backend = memoryStore()
    server = await startApp(testOptions({ refreshIdleTtlSec: IDLE_SEC, refreshReuseGraceSec: 10 }), { store: backend, clock: () => Date.now() + offset })
  })
  after(() => server.close())

  test("expired, and the login's access token still works", async () => {
    const tokens = (await login(server.app)).body
    offset += (IDLE_SEC + 1) * 1000
    await backend.namespace('zazz').delete(`rt:${fingerprint(tokens.refresh_token)}`)
    const answer = await refresh(server.app, tokens.refresh_token)
    assert.equal(answer.status, 400, answer.text)
    assert.match(answer.body.error_description, /expired/)
    assert.equal((await me(server.app, tokens.access_token)).status, 200)
  })
})
