import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync, randomUUID } from 'node:crypto'
import express from 'express'
import request from 'supertest'
import type { JWK } from 'jose'
import { polytoken, type PolytokenRouter } from '@polytoken/express'
import { anonymous, bearer, createJwtSigner, createJwtVerifier, defineDialect, defineRoute, silentLogger, type PolytokenError, type KeySource } from '@polytoken/core'
import { tempDir } from './harness.js'

/**
 * A probe dialect signing ES256 with the keys it is configured with: POST
 * /sign issues a token, GET /verify checks one. It stands for any dialect
 * whose keys come from configuration.
 */
function probe(keys: KeySource[]) {
  return defineDialect({
    name: 'rotation-probe',
    description: 'ES256 probe for key rotation',
    errorSchema: { type: 'object', required: ['code'], properties: { code: { type: 'string' } } },
    async setup(services) {
      const ring = await services.keyRing({ name: 'signing', algorithm: 'ES256', keys, generate: false })
      const signer = createJwtSigner(ring)
      const verify = createJwtVerifier(ring, { issuer: 'probe' })
      return {
        routes: [
          defineRoute({
            method: 'POST',
            path: '/sign',
            summary: 'Issue a token',
            auth: [anonymous()],
            handle: () => {
              const now = Math.floor(Date.now() / 1000)
              return { status: 200, body: { token: signer.sign({ iss: 'probe', sub: 'rotation', iat: now, exp: now + 300, jti: randomUUID() }) } }
            },
          }),
          defineRoute({
            method: 'GET',
            path: '/verify',
            summary: 'Check a token',
            auth: [bearer({ realm: 'probe', verify: (token) => verify(token) })],
            handle: ({ principal }) => ({ status: 200, body: principal }),
          }),
        ],
        renderError: (error: PolytokenError) => ({ status: error.status, headers: { ...error.headers }, body: { code: error.code } }),
      }
    },
  })
}

function es256(kid: string): JWK {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return { ...(privateKey.export({ format: 'jwk' }) as JWK), kid, alg: 'ES256' }
}

describe('key rotation across instances sharing a store, with no failed request', () => {
  const dir = tempDir('rotation')
  const store = `sqlite://${dir.path}/rotation.db`
  const routers: PolytokenRouter[] = []
  after(async () => {
    for (const router of routers) await router.close().catch(() => undefined)
    dir.remove()
  })

  const old = es256('2024-old')
  const next = es256('2025-new')
  /** Configuration steps of the procedure. */
  const steps = {
    start: [{ jwk: old }],
    addVerifyOnly: [{ jwk: old }, { jwk: next, use: 'verify' }],
    promote: [
      { jwk: next, use: 'sign' },
      { jwk: old, use: 'verify' },
    ],
    retire: [{ jwk: next }],
  } satisfies Record<string, KeySource[]>

  /** A (re)started instance: a fresh router with the given keys on the shared store. */
  const instance = async (keys: KeySource[]) => {
    const router = await polytoken({ dialects: [probe(keys)], store, logger: silentLogger })
    routers.push(router)
    return express().use(router)
  }

  const issued: Array<{ token: string; kid: string }> = []
  /** Traffic through a round-robin balancer: sign on one instance, verify on every one. Returns the failures. */
  const traffic = async (instances: express.Express[], rounds = 6): Promise<string[]> => {
    const failures: string[] = []
    for (let i = 0; i < rounds; i++) {
      const signer = instances[i % instances.length]!
      const signed = await request(signer).post('/sign')
      if (signed.status !== 200) {
        failures.push(`sign ${signed.status}`)
        continue
      }
      const token = signed.body.token as string
      issued.push({ token, kid: JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid })
      for (const verifier of instances) {
        const checked = await request(verifier).get('/verify').set('authorization', `Bearer ${token}`)
        if (checked.status !== 200) failures.push(`verify ${checked.status} ${JSON.stringify(checked.body)}`)
      }
    }
    return failures
  }
  const kids = async (app: express.Express) => ((await request(app).get('/.well-known/jwks.json')).body.keys as JWK[]).map((key) => key.kid).sort()

  it('add verify-only everywhere, promote everywhere, retire: every request succeeds, JWKS shows both keys during the overlap', async () => {
    const instances = [await instance(steps.start), await instance(steps.start)]
    assert.deepEqual(await traffic(instances), [])

    // Rolling restart, one instance at a time, with traffic between every restart.
    for (const step of ['addVerifyOnly', 'promote'] as const) {
      for (let i = 0; i < instances.length; i++) {
        instances[i] = await instance(steps[step])
        assert.deepEqual(await traffic(instances), [], `${step}, instance ${i} restarted`)
        // Tokens issued earlier (by either key) still verify everywhere.
        for (const { token } of issued) for (const app of instances) assert.equal((await request(app).get('/verify').set('authorization', `Bearer ${token}`)).status, 200)
      }
      for (const app of instances) assert.deepEqual(await kids(app), ['2024-old', '2025-new'], `JWKS after ${step}`)
    }
    assert.ok(issued.some((t) => t.kid === '2024-old') && issued.some((t) => t.kid === '2025-new'))

    // Once every token signed by the old key has expired (here: we stop using them), retire it.
    for (let i = 0; i < instances.length; i++) {
      instances[i] = await instance(steps.retire)
      assert.deepEqual(await traffic(instances), [])
    }
    for (const app of instances) assert.deepEqual(await kids(app), ['2025-new'])
  })

  it('skipping the verify-only step fails requests: the other instance cannot check the new key yet', async () => {
    const a = await instance(steps.start)
    const b = await instance(steps.promote)
    const failures = await traffic([a, b], 4)
    assert.ok(
      failures.some((f) => f.startsWith('verify 401')),
      `expected refusals, got ${JSON.stringify(failures)}`,
    )
  })
})
