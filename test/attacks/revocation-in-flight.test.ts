/**
 * Issue #14, item 1: a revocation must not be undone by a check of the same
 * token that was still running on this instance when it came (RFC 7009 §2:
 * once revocation answers, the token is no longer usable). Each round sends
 * checks of a fresh token that has not been verified yet, so the checks are
 * verifications in flight, revokes the token while they run, and then checks
 * it again: that check began after the revocation answered and must fail.
 * Before the fix, about 2 rounds in 100 got 200 there, for up to maxTtlMs.
 * Real backends, not memory://: a store that answers asynchronously lets the
 * verifications and the revocation interleave, as in production. prodmanager
 * runs on PostgreSQL: its check reads the store once, and on one SQLite
 * connection reads come back in order, so only a pool can show its race.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import express from 'express'
import { polytoken, type PolytokenRouter } from '@polytoken/express'
import { prodmanager } from '@polytoken/plugins'
import { createStore, silentLogger, type StoreBackend } from '@polytoken/core'
import { LEGACY_BASIC, startApp, type TestServer } from '../zazz/fixture.js'
import { POSTGRES_URL, runPrefix } from '../storage/services.js'

const ROUNDS = 150
const CHECKS_IN_FLIGHT = 16

async function listen(app: express.Express): Promise<{ server: Server; base: string }> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

/** Runs the rounds; returns the rounds in which a check sent after the revocation answered was accepted. */
async function race(rounds: number, fresh: () => Promise<{ check: () => Promise<number>; revoke: () => Promise<number> }>): Promise<number[]> {
  const stale: number[] = []
  for (let round = 0; round < rounds; round++) {
    const { check, revoke } = await fresh()
    // Checks go out on both sides of the revocation, so some are being verified while it runs.
    const before = Array.from({ length: CHECKS_IN_FLIGHT / 2 }, () => check())
    const revoked = revoke()
    const alongside = Array.from({ length: CHECKS_IN_FLIGHT / 2 }, () => check())
    assert.equal(await revoked, 200)
    const answers = [await check()] // sent after the revocation answered
    await Promise.all([...before, ...alongside]) // sent before it answered: either answer is allowed
    answers.push(await check()) // and once none of those is running any more
    if (answers.some((status) => status !== 401)) stale.push(round)
  }
  return stale
}

describe('revocation against checks in flight on the same instance', () => {
  let zazzServer: TestServer
  let zazzHttp: { server: Server; base: string }
  let pmRouter: PolytokenRouter
  let pmHttp: { server: Server; base: string }
  let zazzStore: StoreBackend
  let pmStore: StoreBackend
  const SECRET = 'changeit'

  before(async () => {
    zazzStore = await createStore('sqlite://:memory:')
    pmStore = await createStore({ url: POSTGRES_URL, prefix: runPrefix('revocation-race') })
    zazzServer = await startApp(undefined, { store: zazzStore })
    zazzHttp = await listen(zazzServer.app)
    pmRouter = await polytoken({
      dialects: [{ dialect: prodmanager({ secret: SECRET, issuer: 'pm', permissions: { scope_api: 1 } }), prefix: '/api' }],
      masterKey: 'test-master-key-0123456789abcdef',
      store: pmStore,
      logger: silentLogger,
    })
    const app = express()
    app.use(pmRouter)
    pmHttp = await listen(app)
  })
  after(async () => {
    zazzHttp.server.close()
    pmHttp.server.close()
    await zazzServer.close()
    // This run's rows go from the shared PostgreSQL before the router closes the store.
    const pmRows = pmStore.namespace('prodmanager')
    for await (const [key] of pmRows.entries()) await pmRows.delete(key).catch(() => undefined)
    await pmRouter.close()
    await zazzStore.close()
    await pmStore.close()
  })

  test(`zazz: /me after /token/revoke answered is 401 in every one of ${ROUNDS} rounds`, async () => {
    const form = (fields: Record<string, string>) => ({
      method: 'POST',
      headers: { authorization: LEGACY_BASIC, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    })
    const login = await fetch(`${zazzHttp.base}/api/v1/token`, form({ grant_type: 'password', username: 'soroush', password: '123', scope: 'full' }))
    let refreshToken = ((await login.json()) as { refresh_token: string }).refresh_token
    const stale = await race(ROUNDS, async () => {
      // A refresh is cheap (no password hash) and gives a new, never-verified access token.
      const response = await fetch(`${zazzHttp.base}/api/v1/token`, form({ grant_type: 'refresh_token', refresh_token: refreshToken }))
      const tokens = (await response.json()) as { access_token: string; refresh_token: string }
      refreshToken = tokens.refresh_token
      return {
        check: async () => (await fetch(`${zazzHttp.base}/api/v1/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } })).status,
        revoke: async () => (await fetch(`${zazzHttp.base}/api/v1/token/revoke`, form({ token: tokens.access_token, token_type_hint: 'access_token' }))).status,
      }
    })
    assert.deepEqual(stale, [], 'rounds in which a revoked token was still accepted')
  })

  test(`prodmanager: whoami after /token/revoke answered is 401 in every one of ${ROUNDS} rounds`, async () => {
    const admin = `Basic ${Buffer.from(`ops:${SECRET}`).toString('base64')}`
    const stale = await race(ROUNDS, async () => {
      const created = await fetch(`${pmHttp.base}/api/token/create`, {
        method: 'POST',
        headers: { accept: 'text/plain', 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ secret: SECRET, name: 'revocation-race', description: 'revocation race' }).toString(),
      })
      const token = await created.text()
      assert.equal(created.status, 200, token)
      const jti = (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { jti: string }).jti
      return {
        check: async () => (await fetch(`${pmHttp.base}/api/token/whoami`, { headers: { authorization: `Bearer ${token}` } })).status,
        revoke: async () =>
          (
            await fetch(`${pmHttp.base}/api/token/revoke`, {
              method: 'POST',
              headers: { authorization: admin, 'content-type': 'application/x-www-form-urlencoded' },
              body: new URLSearchParams({ jti }).toString(),
            })
          ).status,
      }
    })
    assert.deepEqual(stale, [], 'rounds in which a revoked token was still accepted')
  })
})
