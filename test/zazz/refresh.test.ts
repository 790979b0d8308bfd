import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { memoryStore } from '@polytoken/core'
import { decodeJwt } from '../helpers/jwt.js'
import { WEB_BASIC, rfcBasic, startApp, testOptions, type TestServer } from './fixture.js'
import { login, me, refresh } from './helpers.js'

describe('zazz: refresh_token grant', () => {
  let server: TestServer
  before(async () => (server = await startApp()))
  after(() => server.close())

  test('rotation: every refresh returns a new refresh token, the same family and user, and the new one works', async () => {
    const first = await login(server.app)
    const second = await refresh(server.app, first.body.refresh_token)
    assert.equal(second.status, 200, second.text)
    assert.equal(second.headers['cache-control'], 'no-store')
    assert.equal(second.headers.pragma, 'no-cache')
    assert.notEqual(second.body.refresh_token, first.body.refresh_token)
    assert.notEqual(second.body.access_token, first.body.access_token)
    assert.deepEqual(second.body.user, first.body.user)
    assert.equal(second.body.token_type, 'Bearer')
    assert.equal(decodeJwt(second.body.access_token).claims.fam, decodeJwt(first.body.access_token).claims.fam)
    const third = await refresh(server.app, second.body.refresh_token)
    assert.equal(third.status, 200, third.text)
    assert.equal((await me(server.app, third.body.access_token)).status, 200)
  })

  test('reuse of a retired refresh token → invalid_grant, and the whole family is revoked (RFC 9700)', async () => {
    const first = await login(server.app)
    const second = await refresh(server.app, first.body.refresh_token)
    assert.equal(second.status, 200)
    assert.equal((await me(server.app, second.body.access_token)).status, 200) // cached as valid on this instance
    const replay = await refresh(server.app, first.body.refresh_token)
    assert.equal(replay.status, 400)
    assert.equal(replay.body.error, 'invalid_grant')
    // The legitimate holder's newer tokens are dead too: the server cannot tell thief from owner.
    const afterReuse = await refresh(server.app, second.body.refresh_token)
    assert.equal(afterReuse.status, 400)
    assert.equal(afterReuse.body.error, 'invalid_grant')
    for (const access of [first.body.access_token, second.body.access_token]) {
      const response = await me(server.app, access)
      assert.equal(response.status, 401, 'access tokens of a revoked family fail at once, cache or not')
      assert.equal(response.body.error, 'invalid_token')
    }
    // Another login of the same user is a different family and unaffected.
    const other = await login(server.app)
    assert.equal((await refresh(server.app, other.body.refresh_token)).status, 200)
  })

  test('two concurrent refreshes with the same token: exactly one succeeds', async () => {
    const first = await login(server.app)
    const responses = await Promise.all(Array.from({ length: 8 }, () => refresh(server.app, first.body.refresh_token)))
    const ok = responses.filter((r) => r.status === 200)
    assert.equal(ok.length, 1, responses.map((r) => `${r.status} ${r.body.error ?? ''}`).join(', '))
    for (const r of responses.filter((r) => r.status !== 200)) assert.equal(r.body.error, 'invalid_grant')
  })

  test('scope on refresh (RFC 6749 §6): within the original grant; omitted means the original grant; too wide is invalid_scope and does not cost the token', async () => {
    const first = await login(server.app, WEB_BASIC, { scope: 'full read' })
    assert.equal(first.body.scope, 'full read')
    const narrowed = await refresh(server.app, first.body.refresh_token, WEB_BASIC, { scope: 'read' })
    assert.equal(narrowed.status, 200, narrowed.text)
    assert.equal(narrowed.body.scope, 'read')
    assert.equal(decodeJwt(narrowed.body.access_token).claims.scope, 'read')
    // 'write' the client may have, but the user never granted it to this login.
    const widened = await refresh(server.app, narrowed.body.refresh_token, WEB_BASIC, { scope: 'read write' })
    assert.equal(widened.status, 400)
    assert.equal(widened.body.error, 'invalid_scope')
    const kept = await refresh(server.app, narrowed.body.refresh_token, WEB_BASIC)
    assert.equal(kept.status, 200, kept.text)
    assert.equal(kept.body.scope, 'full read', 'no scope parameter means what the user originally granted')
    const narrower = await refresh(server.app, kept.body.refresh_token, WEB_BASIC, { scope: 'read' })
    assert.equal(narrower.body.scope, 'read')
  })

  test('a refresh token of another client → invalid_grant, and the leaked token is dead for its owner too', async () => {
    const first = await login(server.app, WEB_BASIC)
    const stolen = await refresh(server.app, first.body.refresh_token, rfcBasic('other', 'other-secret'))
    assert.equal(stolen.status, 400)
    assert.equal(stolen.body.error, 'invalid_grant')
    assert.equal((await refresh(server.app, first.body.refresh_token, WEB_BASIC)).status, 400)
  })

  test('an unknown refresh token → invalid_grant', async () => {
    const response = await refresh(server.app, 'A'.repeat(43))
    assert.equal(response.status, 400)
    assert.equal(response.body.error, 'invalid_grant')
  })
})

describe('zazz: refresh lifetimes', () => {
  test('idle lifetime: a token unused for longer than refreshIdleTtlSec dies', async () => {
    let now = Date.now()
    const server = await startApp(testOptions({ refreshIdleTtlSec: 100, refreshAbsoluteTtlSec: 1000 }), { clock: () => now })
    try {
      const first = await login(server.app)
      now += 99_000
      const second = await refresh(server.app, first.body.refresh_token)
      assert.equal(second.status, 200, second.text)
      now += 101_000
      const late = await refresh(server.app, second.body.refresh_token)
      assert.equal(late.status, 400)
      assert.equal(late.body.error, 'invalid_grant')
    } finally {
      await server.close()
    }
  })

  test('absolute lifetime: no refresh outlives refreshAbsoluteTtlSec after the login, however often it is used', async () => {
    let now = Date.now()
    const server = await startApp(testOptions({ refreshIdleTtlSec: 100, refreshAbsoluteTtlSec: 250 }), { clock: () => now })
    try {
      let token = (await login(server.app)).body.refresh_token as string
      for (let i = 0; i < 2; i++) {
        now += 90_000
        const next = await refresh(server.app, token)
        assert.equal(next.status, 200, `refresh ${i + 1}: ${next.text}`)
        token = next.body.refresh_token
      }
      now += 75_000 // 255 s after the login: within idle, past absolute
      const late = await refresh(server.app, token)
      assert.equal(late.status, 400)
      assert.equal(late.body.error, 'invalid_grant')
    } finally {
      await server.close()
    }
  })
})

describe('zazz: two instances on one store', () => {
  test('a refresh token rotated on one instance is spent on the other; concurrent refreshes across instances: exactly one wins', async () => {
    const store = memoryStore()
    const a = await startApp(testOptions(), { store })
    const b = await startApp(testOptions(), { store })
    try {
      const first = await login(a.app)
      const second = await refresh(b.app, first.body.refresh_token)
      assert.equal(second.status, 200, second.text)
      assert.equal((await me(b.app, first.body.access_token)).status, 200, 'both instances share the signing key')
      const racing = await Promise.all([refresh(a.app, second.body.refresh_token), refresh(b.app, second.body.refresh_token)])
      assert.deepEqual(racing.map((r) => r.status).sort(), [200, 400])
    } finally {
      await a.close()
      await b.close()
    }
  })
})
