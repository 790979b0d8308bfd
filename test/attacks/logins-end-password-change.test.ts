/**
 * Issue #14, item 4: a password change or a removal ends the user's logins.
 * Every token carries the user's login epoch (users.ts), made anew on a
 * password change, endLogins or a re-creation: the old refresh token is
 * invalid_grant, the old access token is refused on /me at once on the
 * instance that made the change and within the cache window on the others,
 * and a user deleted and re-created under the same userId inherits nothing.
 */
import { after, before, beforeEach, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import express from 'express'
import { polytoken, type PolytokenRouter } from '@polytoken/express'
import { createStore, memoryStore, silentLogger, type InstanceOf, type StoreBackend } from '@polytoken/core'
import { createZazzUsers, zazz } from '@polytoken/plugins'
import { REDIS_URL, runPrefix } from '../storage/services.js'
import { rfcBasic, testOptions } from '../zazz/fixture.js'
import { introspect, login, me, refresh } from '../zazz/helpers.js'
import { clearNamespaces } from '../helpers/clear-store.js'

const RESOURCE_SERVER = rfcBasic('resource-server', 'rs-secret')
/** Long enough that a test never races it by accident; the cross-instance test sets its own. */
const LONG_CACHE_MS = 60_000

interface Instance {
  app: express.Express
  router: PolytokenRouter
  /** What zazz's setup() returned on this router: its user directory among it. */
  dialect: InstanceOf<ReturnType<typeof zazz>>
}

async function start(store: StoreBackend | string, cacheMs = LONG_CACHE_MS): Promise<Instance> {
  const dialect = zazz(testOptions())
  const router = await polytoken({
    dialects: [{ dialect, prefix: '' }],
    store,
    masterKey: 'zazz-test-master-key-0123456789abcdef',
    logger: silentLogger,
    cache: { maxTtlMs: cacheMs },
  })
  const app = express()
  app.use(router)
  return { app, router, dialect: router.runtime.instance(dialect) }
}

async function assertLoginEnded(app: express.Express, tokens: { access_token: string; refresh_token: string }): Promise<void> {
  const answer = await refresh(app, tokens.refresh_token)
  assert.equal(answer.status, 400, answer.text)
  assert.equal(answer.body.error, 'invalid_grant')
  const bearer = await me(app, tokens.access_token)
  assert.equal(bearer.status, 401, bearer.text)
  assert.equal(bearer.body.error, 'invalid_token')
  assert.deepEqual((await introspect(app, tokens.access_token, RESOURCE_SERVER)).body, { active: false })
}

describe("attack: a password change or removal ends the user's logins (one instance)", () => {
  let server: Instance
  const backend = memoryStore()
  before(async () => (server = await start(backend)))
  after(() => server.router.close())
  // Each test starts from the configured user, whatever the one before left behind.
  beforeEach(() => server.dialect.users.add({ username: 'soroush', password: '123', userId: 1 }, { update: true }))

  test('setPassword: the old refresh token is invalid_grant, the old access token (cached here) is refused at once', async () => {
    const old = (await login(server.app)).body
    // Refreshed once and the access token checked: both the refresh record and the cache hold this login.
    const rotated = (await refresh(server.app, old.refresh_token)).body
    assert.equal((await me(server.app, rotated.access_token)).status, 200)
    assert.equal((await introspect(server.app, rotated.refresh_token, RESOURCE_SERVER)).body.active, true)

    await server.dialect.users.setPassword(1, 'a new password')

    assert.deepEqual((await introspect(server.app, rotated.refresh_token, RESOURCE_SERVER)).body, { active: false })
    await assertLoginEnded(server.app, rotated)
    assert.equal((await me(server.app, old.access_token)).status, 401)
    // The new password logs in, and that login works; the old one no longer does.
    assert.equal((await login(server.app)).status, 400)
    const fresh = await login(server.app, undefined, { password: 'a new password' })
    assert.equal(fresh.status, 200, fresh.text)
    assert.equal((await me(server.app, fresh.body.access_token)).status, 200)
    assert.equal((await refresh(server.app, fresh.body.refresh_token)).status, 200)
  })

  test('endLogins: every login of the user ends, the password stays', async () => {
    const one = (await login(server.app)).body
    const two = (await login(server.app)).body
    assert.equal((await me(server.app, one.access_token)).status, 200)
    assert.equal(await server.dialect.users.endLogins(1), true)
    await assertLoginEnded(server.app, one)
    await assertLoginEnded(server.app, two)
    assert.equal((await login(server.app)).status, 200)
  })

  test('the same password seeded again (a restart with the same configuration) keeps the logins', async () => {
    const tokens = (await login(server.app)).body
    await server.dialect.users.add({ username: 'soroush', password: '123', userId: 1 }, { update: true })
    assert.equal((await me(server.app, tokens.access_token)).status, 200)
    assert.equal((await refresh(server.app, tokens.refresh_token)).status, 200)
  })

  test("remove, then re-create under the same userId and username: the old user's tokens are refused", async () => {
    const old = (await login(server.app)).body
    assert.equal((await me(server.app, old.access_token)).status, 200)
    assert.equal(await server.dialect.users.remove(1), true)
    assert.equal((await me(server.app, old.access_token)).status, 401, 'refused at once, cached or not')
    await server.dialect.users.add({ username: 'soroush', password: '123', userId: 1 })
    await assertLoginEnded(server.app, old)
    assert.equal((await login(server.app)).status, 200)
  })

  test('deleted and re-created straight in the store (by another process): the re-created user inherits nothing', async () => {
    const old = (await login(server.app)).body
    // Not cached here: this router reads the store on the first check and sees the new epoch.
    // Deleted by hand (the record and the username), then added again under the same userId.
    const store = backend.namespace('zazz')
    await store.delete('user:1')
    await store.delete('login:soroush')
    await createZazzUsers(store, { passwordHash: { N: 1024, r: 8, p: 1 } }).add({ username: 'soroush', password: '123', userId: 1 })
    await assertLoginEnded(server.app, old)
  })
})

describe('attack: a password change ends the logins on every instance (two routers on one Redis)', () => {
  const CACHE_MS = 300
  const prefix = runPrefix('logins-end')
  let a: Instance
  let b: Instance
  before(async () => {
    a = await start(await createStore({ url: REDIS_URL, prefix, timeoutMs: 5000 }), CACHE_MS)
    b = await start(await createStore({ url: REDIS_URL, prefix, timeoutMs: 5000 }), CACHE_MS)
  })
  after(async () => {
    await Promise.all([a?.router.close(), b?.router.close()])
    await clearNamespaces(REDIS_URL, prefix, ['zazz', 'polytoken'])
  })

  test(`changed on A: refused on A at once, on B within the cache window (${CACHE_MS} ms)`, async () => {
    const cached = (await login(a.app)).body
    const uncached = (await login(a.app)).body
    assert.equal((await me(a.app, cached.access_token)).status, 200)
    assert.equal((await me(b.app, cached.access_token)).status, 200)
    const changedAt = Date.now()
    await a.dialect.users.setPassword(1, 'changed on A')
    assert.equal((await me(a.app, cached.access_token)).status, 401, 'A dropped its cache at once')
    // B has not seen this one: it reads the store and refuses at once too.
    await assertLoginEnded(b.app, uncached)
    // The one B cached: refused once B's entry ends, which is at most the cache window.
    let refusedAfter: number | undefined
    while (Date.now() - changedAt < CACHE_MS + 2000) {
      if ((await me(b.app, cached.access_token)).status === 401) {
        refusedAfter = Date.now() - changedAt
        break
      }
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    assert.ok(refusedAfter !== undefined, 'B still accepts the old access token after the cache window')
    await assertLoginEnded(b.app, cached)
  })
})
