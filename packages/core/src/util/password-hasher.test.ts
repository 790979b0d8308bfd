import { test } from 'node:test'
import { availableParallelism } from 'node:os'
import assert from 'node:assert/strict'
import { createPasswordHasher, defaultHashConcurrency } from './password-hasher.js'
import { hashPassword } from './passwords.js'

const COST = { N: 1024, r: 8, p: 1 }

test('at most `concurrency` hashes run at once; the rest queue and are all served', async () => {
  const hasher = createPasswordHasher({ concurrency: 2, maxQueue: 64 })
  const encoded = await hashPassword('pw', COST)
  let peak = 0
  const watch = setInterval(() => (peak = Math.max(peak, hasher.stats.running)), 0)
  const results = await Promise.all(Array.from({ length: 20 }, () => hasher.verify('pw', encoded)))
  clearInterval(watch)
  assert.deepEqual(new Set(results), new Set([true]))
  assert.ok(peak <= 2, `peak ${peak}`)
  assert.equal(hasher.stats.running, 0)
})

test('past the queue: ServerBusy with Retry-After at once, and admit() says so before anything is spent', async () => {
  const hasher = createPasswordHasher({ concurrency: 1, maxQueue: 2 })
  const encoded = await hashPassword('pw', COST)
  const settled = await Promise.allSettled(Array.from({ length: 6 }, () => hasher.verify('pw', encoded)))
  const refused = settled.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
  assert.equal(refused.length, 3)
  assert.equal(refused[0]!.reason.code, 'ERR_SERVER_BUSY')
  assert.equal(refused[0]!.reason.status, 503)
  assert.equal(refused[0]!.reason.headers['Retry-After'], '1')
  const running = [hasher.verify('pw', encoded), hasher.verify('pw', encoded), hasher.verify('pw', encoded)]
  assert.throws(() => hasher.admit(), { code: 'ERR_SERVER_BUSY' })
  await Promise.all(running)
  hasher.admit()
})

test('admit() takes a place before the check runs: a burst is shed before anything else is spent on it', () => {
  const hasher = createPasswordHasher({ concurrency: 1, maxQueue: 2 })
  const places = [hasher.admit(), hasher.admit(), hasher.admit()]
  assert.throws(() => hasher.admit(), { code: 'ERR_SERVER_BUSY' })
  places[0]!.cancel()
  places[0]!.cancel() // once only
  const again = hasher.admit()
  assert.throws(() => hasher.admit(), { code: 'ERR_SERVER_BUSY' })
  for (const place of [again, places[1]!, places[2]!]) place.cancel()
  assert.equal(hasher.stats.waiting, 0)
})

test('a check that waits longer than maxWaitMs is refused without hashing', async () => {
  const hasher = createPasswordHasher({ concurrency: 1, maxQueue: 10, maxWaitMs: 1 })
  const encoded = await hashPassword('pw', { N: 2 ** 14, r: 8, p: 1 })
  const settled = await Promise.allSettled([hasher.verify('pw', encoded), hasher.verify('pw', encoded)])
  assert.equal(settled[0].status, 'fulfilled')
  assert.equal(settled[1].status, 'rejected')
  assert.equal(hasher.stats.waiting, 0)
})

test('the default leaves two threads of the pool to the store', () => {
  const saved = process.env.UV_THREADPOOL_SIZE
  try {
    process.env.UV_THREADPOOL_SIZE = '4'
    assert.equal(defaultHashConcurrency(), Math.min(2, availableParallelism()))
    process.env.UV_THREADPOOL_SIZE = '3'
    assert.equal(defaultHashConcurrency(), 1)
  } finally {
    if (saved === undefined) delete process.env.UV_THREADPOOL_SIZE
    else process.env.UV_THREADPOOL_SIZE = saved
  }
})
