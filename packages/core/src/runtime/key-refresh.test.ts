import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRuntime } from './runtime.js'
import { defineDialect, defineRoute } from '../dialect.js'
import { memoryStore } from '../storage/memory-store.js'
import { createJwtSigner, createJwtVerifier } from '../tokens/jwt.js'
import type { LogFields, Logger } from '../util/logger.js'
import type { StoreBackend } from '../storage/store.js'

const masterKey = 'runtime-test-master-key-0123456789abcdef'

/** Signs on POST /sign, verifies (through the verification cache) on POST /check. */
const signing = defineDialect({
  name: 'signing',
  errorSchema: { type: 'object' },
  async setup(services) {
    const ring = await services.keyRing({ name: 'main', algorithm: 'ES256' })
    const signer = createJwtSigner(ring)
    const verify = createJwtVerifier(ring)
    return {
      routes: [
        defineRoute({ method: 'POST', path: '/sign', handle: async () => ({ status: 200, body: { token: signer.sign({ exp: Math.floor(services.clock() / 1000) + 600 }) } }) }),
        defineRoute({
          method: 'POST',
          path: '/check',
          handle: async ({ request }) => {
            const token = String(request.headers['x-token'])
            await services.cache.verify('signing', token, async (credential) => ({ value: await verify(credential), expiresAt: services.clock() + 600_000 }))
            return { status: 200, body: { ok: true } }
          },
        }),
      ],
      renderError: (error) => ({ status: error.status, body: { error: error.code } }),
    }
  },
})

const call = async (runtime: Awaited<ReturnType<typeof createRuntime>>, path: string, token?: string) => {
  const route = runtime.routes.find((candidate) => candidate.fullPath === path)!
  return route.execute({ method: 'POST', path, headers: token ? { 'x-token': token } : {}, query: {}, params: {}, body: undefined, ip: '127.0.0.1' } as never)
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = []
  const log = (level: string) => (_fields: LogFields, message: string) => void lines.push(`${level}: ${message}`)
  return { lines, info: log('info'), warn: log('warn'), error: log('error') }
}

test('two runtimes on one store: a rotation made on one reaches the other at its refresh; a retired key is refused there, cache or not', async () => {
  const backend = memoryStore()
  const clock = { now: Date.now() }
  const options = { dialects: [signing], store: backend, masterKey, clock: () => clock.now, cache: { maxTtlMs: 3_600_000 } }
  const a = await createRuntime({ ...options, logger: recordingLogger() })
  const logger = recordingLogger()
  const b = await createRuntime({ ...options, logger })
  try {
    const oldKid = b.jwks().keys[0]!.kid!
    const oldToken = (await call(a, '/sign')).body as { token: string }
    assert.equal((await call(b, '/check', oldToken.token)).status, 200, 'b verifies (and caches) a token of the old key')

    const [admin] = a.keyRings()
    assert.equal(admin!.dialect, 'signing')
    const next = await admin!.generate()
    assert.deepEqual(
      a.jwks().keys.map((jwk) => jwk.kid),
      [oldKid, next.kid],
      'the writer publishes at once',
    )
    assert.deepEqual(
      b.jwks().keys.map((jwk) => jwk.kid),
      [oldKid],
      'the other instance only at its next refresh',
    )
    await b.refreshKeys()
    assert.deepEqual(
      b.jwks().keys.map((jwk) => jwk.kid),
      [oldKid, next.kid],
    )
    assert.match(logger.lines.join('\n'), /key ring signing\/main changed/)

    clock.now += 10_000
    await admin!.promote(next.kid)
    const newToken = (await call(a, '/sign')).body as { token: string }
    assert.equal((await call(b, '/check', newToken.token)).status, 200, 'b accepts the new key (it knew it as next)')

    await admin!.retire(oldKid)
    await b.refreshKeys()
    assert.deepEqual(
      b.jwks().keys.map((jwk) => jwk.kid),
      [next.kid],
    )
    assert.equal((await call(b, '/check', oldToken.token)).status, 401, 'the cached verification of the retired key is gone with it')
  } finally {
    await a.close()
    await b.close()
  }
})

test('a refresh that fails keeps the keys and is logged once until a read works again', async () => {
  const backend = memoryStore()
  let failing = false
  // The same backend, whose reads fail on demand.
  const flaky: StoreBackend = {
    kind: 'flaky',
    ping: () => backend.ping(),
    close: () => backend.close(),
    namespace(name) {
      const inner = backend.namespace(name)
      return new Proxy(inner, {
        get: (target, property, receiver) =>
          property === 'get'
            ? (key: string) => (failing ? Promise.reject(Object.assign(new Error('store down'), { code: 'ERR_STORE_UNAVAILABLE' })) : target.get(key))
            : Reflect.get(target, property, receiver),
      })
    },
  }
  const logger = recordingLogger()
  const runtime = await createRuntime({ dialects: [signing], store: flaky, masterKey, logger })
  try {
    const kids = runtime.jwks().keys.map((jwk) => jwk.kid)
    failing = true
    await runtime.refreshKeys()
    await runtime.refreshKeys()
    assert.deepEqual(
      runtime.jwks().keys.map((jwk) => jwk.kid),
      kids,
    )
    assert.equal(logger.lines.filter((line) => line.includes('could not be re-read')).length, 1)
    failing = false
    await runtime.refreshKeys()
    assert.equal(logger.lines.filter((line) => line.includes('is read again')).length, 1)
  } finally {
    await runtime.close()
  }
})

test('keyRefreshMs is checked at start-up', async () => {
  for (const keyRefreshMs of [0, -1, 1.5, 'soon', 10_000_000]) {
    await assert.rejects(createRuntime({ dialects: [signing], masterKey, keyRefreshMs: keyRefreshMs as number }), { code: 'ERR_CONFIG_INVALID' })
  }
})
