import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createVerificationCache } from './verification-cache.js'
import { createRuntime } from '../runtime/runtime.js'
import { memoryStore } from '../storage/memory-store.js'
import { silentLogger } from '../util/logger.js'

const later = () => Date.now() + 60_000

test('a cached credential is verified once, and concurrent calls share that one verification', async () => {
  const cache = createVerificationCache()
  let calls = 0
  const verifier = async (token: string) => {
    calls++
    await new Promise((resolve) => setTimeout(resolve, 10))
    return { value: token.length, expiresAt: later() }
  }
  const results = await Promise.all(Array.from({ length: 20 }, () => cache.verify('s', 'abc', verifier)))
  assert.deepEqual(new Set(results), new Set([3]))
  assert.equal(calls, 1)
  await cache.verify('s', 'abc', verifier)
  assert.equal(calls, 1)
})

test('scopes are kept apart', async () => {
  const cache = createVerificationCache()
  assert.equal(await cache.verify('a', 't', async () => ({ value: 'A', expiresAt: later() })), 'A')
  assert.equal(await cache.verify('b', 't', async () => ({ value: 'B', expiresAt: later() })), 'B')
})

test('failures are not cached', async () => {
  const cache = createVerificationCache()
  let calls = 0
  const failing = async () => {
    calls++
    throw new Error('bad')
  }
  await assert.rejects(cache.verify('s', 't', failing), /bad/)
  await assert.rejects(cache.verify('s', 't', failing), /bad/)
  assert.equal(calls, 2)
})

test('an entry never outlives the token exp', async () => {
  const cache = createVerificationCache({ maxTtlMs: 60_000 })
  let calls = 0
  const verifier = async () => {
    calls++
    return { value: 1, expiresAt: Date.now() + 30 }
  }
  await cache.verify('s', 't', verifier)
  await new Promise((resolve) => setTimeout(resolve, 60))
  await cache.verify('s', 't', verifier)
  assert.equal(calls, 2)
})

test('entries age by the configured clock, not Date.now: exp and maxTtlMs are both read on it', async () => {
  // Far from Date.now on purpose: a cache that reads the system clock would see every entry as long expired (or far from it).
  let now = Date.UTC(2031, 0, 1)
  const cache = createVerificationCache({ maxTtlMs: 5_000, clock: () => now })
  let calls = 0
  const verifier = async () => {
    calls++
    return { value: calls, expiresAt: now + 1_000 }
  }
  assert.equal(await cache.verify('s', 't', verifier), 1)
  now += 999
  assert.equal(await cache.verify('s', 't', verifier), 1, 'still fresh 999 ms later by the clock')
  now += 2
  assert.equal(await cache.verify('s', 't', verifier), 2, 'the token exp passed by the clock: verified again')
  // maxTtlMs by the same clock: a token valid for an hour is re-verified 5 s after it was cached, however little real time passed.
  const long = async () => {
    calls++
    return { value: calls, expiresAt: now + 3_600_000 }
  }
  const first = await cache.verify('s', 'u', long)
  now += 4_999
  assert.equal(await cache.verify('s', 'u', long), first)
  now += 2
  assert.equal(await cache.verify('s', 'u', long), first + 1)
})

test('revoke(jti) evicts every cached verification of that token', async () => {
  const cache = createVerificationCache()
  let calls = 0
  const verifier = async () => {
    calls++
    return { value: 1, expiresAt: later(), jti: 'j1' }
  }
  await cache.verify('s', 't', verifier)
  cache.revoke('j1')
  await cache.verify('s', 't', verifier)
  assert.equal(calls, 2)
})

test('revoke(key) evicts every entry with that key among its revokeKeys (all tokens of one user), and only those', async () => {
  const cache = createVerificationCache()
  let calls = 0
  const verifier = (jti: string, subject: string) => async () => {
    calls++
    return { value: jti, expiresAt: later(), jti, revokeKeys: [subject] }
  }
  await cache.verify('s', 'alice-1', verifier('j1', 'user:alice'))
  await cache.verify('s', 'alice-2', verifier('j2', 'user:alice'))
  await cache.verify('s', 'bob', verifier('j3', 'user:bob'))
  assert.equal(calls, 3)
  cache.revoke('user:alice')
  await cache.verify('s', 'alice-1', verifier('j1', 'user:alice'))
  await cache.verify('s', 'alice-2', verifier('j2', 'user:alice'))
  await cache.verify('s', 'bob', verifier('j3', 'user:bob'))
  assert.equal(calls, 5, "both of alice's entries were verified again; bob's stayed cached")
  // Still found by jti as before.
  cache.revoke('j3')
  await cache.verify('s', 'bob', verifier('j3', 'user:bob'))
  assert.equal(calls, 6)
})

test('the cache is bounded by max', async () => {
  const cache = createVerificationCache({ max: 10 })
  for (let i = 0; i < 100; i++) await cache.verify('s', `t${i}`, async () => ({ value: i, expiresAt: later() }))
  assert.equal(cache.size, 10)
})

test('keys hold neither the credential nor its plain SHA-256', async () => {
  const { createHash } = await import('node:crypto')
  const { LRUCache } = await import('lru-cache')
  const seen: string[] = []
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept only to be put back on the prototype after the spy
  const original = LRUCache.prototype.set
  LRUCache.prototype.set = function (this: InstanceType<typeof LRUCache>, key: unknown, ...rest: unknown[]) {
    seen.push(String(key))
    return (original as (...args: unknown[]) => unknown).call(this, key, ...rest)
  } as typeof original
  try {
    const cache = createVerificationCache()
    await cache.verify('s', 'hunter2', async () => ({ value: 1, expiresAt: later() }))
  } finally {
    LRUCache.prototype.set = original
  }
  assert.equal(seen.length, 1)
  assert.ok(!seen[0]!.includes('hunter2'))
  assert.ok(!seen[0]!.includes(createHash('sha256').update('hunter2').digest('base64url')))
})

/** A verifier whose answers the test hands out one by one, so a verification can be held open. */
function heldVerifier() {
  type Held = { value: string; expiresAt: number; jti: string; revokeKeys?: string[] }
  const pending: Array<(verified: Held) => void> = []
  let calls = 0
  const verifier = (): Promise<Held> => {
    calls++
    return new Promise((resolve) => pending.push(resolve))
  }
  return {
    verifier,
    get calls() {
      return calls
    },
    release: (jti: string, revokeKeys?: string[]) => pending.shift()!({ value: 'ok', expiresAt: later(), jti, ...(revokeKeys ? { revokeKeys } : {}) }),
  }
}

test('revoke(jti) while that token is being verified: the result is not cached, the next check verifies again', async () => {
  const cache = createVerificationCache()
  const held = heldVerifier()
  const inFlight = cache.verify('s', 't', held.verifier)
  await Promise.resolve()
  cache.revoke('j1')
  held.release('j1')
  await inFlight // started before the revocation: may answer either way
  const next = cache.verify('s', 't', held.verifier)
  assert.equal(held.calls, 2, 'the check after revoke() runs the verifier again')
  held.release('j1')
  await next
  assert.equal(cache.size, 1, 'a verification started after the revocation is cached as usual')
})

test('revoke(key) of a revokeKey (a password change) while a token of that user is being verified: not cached', async () => {
  const cache = createVerificationCache()
  const held = heldVerifier()
  const inFlight = cache.verify('s', 't', held.verifier)
  await Promise.resolve()
  cache.revoke('user:1')
  held.release('j1', ['user:1'])
  await inFlight
  assert.equal(cache.size, 0, 'the verification that ran across the revocation is not cached')
  const next = cache.verify('s', 't', held.verifier)
  assert.equal(held.calls, 2, 'the check after revoke() runs the verifier again')
  held.release('j1', ['user:1'])
  await next
})

test('a check that arrives after revoke() does not join a verification that started before it', async () => {
  const cache = createVerificationCache()
  const held = heldVerifier()
  const before = cache.verify('s', 't', held.verifier)
  cache.revoke('j1')
  const after = cache.verify('s', 't', held.verifier)
  assert.equal(held.calls, 2)
  held.release('j1')
  held.release('j1')
  await Promise.all([before, after])
})

test('revoking another token does not keep a verification in flight out of the cache', async () => {
  const cache = createVerificationCache()
  const held = heldVerifier()
  const inFlight = cache.verify('s', 't', held.verifier)
  cache.revoke('other')
  held.release('j1')
  await inFlight
  await cache.verify('s', 't', held.verifier)
  assert.equal(held.calls, 1)
})

test("the runtime's cache ages entries by the runtime's clock (options.clock)", async () => {
  let now = Date.UTC(2031, 0, 1)
  const runtime = await createRuntime({ dialects: [], store: memoryStore(), logger: silentLogger, clock: () => now, cache: { maxTtlMs: 60_000 } })
  let calls = 0
  const verifier = async () => ({ value: ++calls, expiresAt: now + 1_000 })
  await runtime.cache.verify('s', 't', verifier)
  now += 500
  assert.equal(await runtime.cache.verify('s', 't', verifier), 1)
  now += 600
  assert.equal(await runtime.cache.verify('s', 't', verifier), 2)
  await runtime.close()
})
