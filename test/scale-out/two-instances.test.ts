import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createStore } from '@polytoken/core'
import { redactUrl } from '@polytoken/store-keyv'
import { POSTGRES_URL, REDIS_URL, runPrefix, unreachable, withParam } from '../storage/services.js'
import { createToken, prodmanagerConfig, revoke, startServer, whoami, type ServerProcess } from './harness.js'

const WINDOW_MS = 1500
const jtiOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti as string

/** Two examples-server processes, started at the same moment on one shared store. */
function twoInstances(name: string, baseUrl: string, unavailable: () => Promise<string | undefined>) {
  describe(`two examples-server processes on one ${name}`, () => {
    const prefix = runPrefix('two')
    const store = withParam(baseUrl, 'prefix', prefix)
    let skip: string | undefined
    let a: ServerProcess
    let b: ServerProcess

    before(async () => {
      skip = await unavailable()
      if (skip) return
      // Started together: both race to generate the signing key; the store's atomic add makes them agree.
      ;[a, b] = await Promise.all([
        startServer({ store, config: prodmanagerConfig({ cache: { maxTtlMs: WINDOW_MS } }) }),
        startServer({ store, config: prodmanagerConfig({ cache: { maxTtlMs: WINDOW_MS } }) }),
      ])
    })

    after(async () => {
      await Promise.all([a?.stop(), b?.stop()])
      if (skip) return
      const backend = await createStore({ url: baseUrl, prefix })
      const ns = backend.namespace('prodmanager')
      for await (const [key] of ns.entries()) await ns.delete(key)
      await backend.close()
    })

    it(`a token created on one instance verifies on the other (${redactUrl(baseUrl)})`, async (t) => {
      if (skip) return t.skip(skip)
      for (const [issuer, verifier] of [
        [a, b],
        [b, a],
      ] as const) {
        const created = await createToken(issuer)
        assert.equal(created.status, 200, await created.clone().text())
        const token = await created.text()
        const answer = await whoami(verifier, token)
        assert.equal(answer.status, 200, await answer.clone().text())
        assert.equal(((await answer.json()) as { jti: string }).jti, jtiOf(token))
      }
    })

    it('the token list of one instance shows tokens created on the other', async (t) => {
      if (skip) return t.skip(skip)
      const token = await (await createToken(a, 'listed-across')).text()
      const listed = await fetch(`${b.url}/api/token/list`, { headers: { authorization: `Basic ${Buffer.from('ops:scale-out-application-secret').toString('base64')}` } })
      assert.equal(listed.status, 200)
      const { tokens } = (await listed.json()) as { tokens: Array<{ jti: string }> }
      assert.ok(tokens.some((record) => record.jti === jtiOf(token)))
    })

    it(`a revocation on one instance is refused by the other within the cache window (${WINDOW_MS} ms, configured)`, async (t) => {
      if (skip) return t.skip(skip)
      const token = await (await createToken(a)).text()
      // Both instances have verified (and cached) the token.
      assert.equal((await whoami(a, token)).status, 200)
      assert.equal((await whoami(b, token)).status, 200)
      const revokedAt = Date.now()
      const revoked = await revoke(a, jtiOf(token))
      assert.equal(revoked.status, 200, await revoked.clone().text())
      assert.equal((await whoami(a, token)).status, 401, 'the revoking instance refuses at once')
      let refusedAfter: number | undefined
      while (Date.now() - revokedAt < WINDOW_MS + 2000) {
        const answer = await whoami(b, token)
        if (answer.status === 401) {
          refusedAfter = Date.now() - revokedAt
          assert.equal(((await answer.json()) as { code: string }).code, 'ERR_TOKEN_REVOKED')
          break
        }
        assert.equal(answer.status, 200)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      assert.ok(refusedAfter !== undefined, 'the other instance never refused the revoked token')
      t.diagnostic(`refused by the other instance ${refusedAfter} ms after the revocation`)
      assert.ok(refusedAfter <= WINDOW_MS + 250, `refused after ${refusedAfter} ms, window ${WINDOW_MS} ms`)
      // From then on, every answer is a refusal.
      for (let i = 0; i < 5; i++) assert.equal((await whoami(b, token)).status, 401)
    })
  })
}

twoInstances('Redis', REDIS_URL, () => unreachable('Redis', REDIS_URL, 6379))
twoInstances('PostgreSQL', POSTGRES_URL, () => unreachable('Postgres', POSTGRES_URL, 5432))
