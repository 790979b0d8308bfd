import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ConfigInvalid, StoreUnavailable, silentLogger } from '@polytoken/core'
import { backoffDelay, retrySettings, retryStartup, type RetrySettings } from './startup-retry.js'

/** A clock that only moves when the retry sleeps (or an attempt says it took time). */
function fakeTime() {
  let now = 0
  const sleeps: number[] = []
  return {
    now: () => now,
    advance: (ms: number) => void (now += ms),
    sleeps,
    sleep: async (ms: number) => {
      sleeps.push(ms)
      now += ms
    },
  }
}

const settings = (over: Partial<RetrySettings> = {}): RetrySettings => ({ ...retrySettings(), ...over })
const down = () => new StoreUnavailable('store did not answer get within 1000 ms')

test('a store that answers on the third attempt: two waits, growing, then the result', async () => {
  const time = fakeTime()
  let attempts = 0
  const result = await retryStartup(
    async () => {
      if (++attempts < 3) throw down()
      return 'runtime'
    },
    settings({ initialDelayMs: 100, maxDelayMs: 10_000 }),
    { logger: silentLogger, ...time, random: () => 1 },
  )
  assert.equal(result, 'runtime')
  assert.equal(attempts, 3)
  assert.deepEqual(time.sleeps, [100, 200])
})

test('the waits are exponential, capped at maxDelayMs, and jittered between half and all of the step', () => {
  const s = settings({ initialDelayMs: 200, maxDelayMs: 1_000 })
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((n) => backoffDelay(n, s, () => 1)),
    [200, 400, 800, 1000, 1000],
  )
  assert.deepEqual(
    [1, 2, 3, 4].map((n) => backoffDelay(n, s, () => 0)),
    [100, 200, 400, 500],
  )
  for (let i = 0; i < 100; i++) {
    const delay = backoffDelay(3, s)
    assert.ok(delay >= 400 && delay <= 800, `${delay}`)
  }
})

test('a store down past retryForMs: start-up gives up with StoreUnavailable saying how long and what the store said', async () => {
  const time = fakeTime()
  let attempts = 0
  await assert.rejects(
    retryStartup(
      async () => {
        attempts++
        time.advance(1000) // each attempt waits out the store's timeout
        throw down()
      },
      settings({ retryForMs: 10_000, initialDelayMs: 500, maxDelayMs: 2_000 }),
      { logger: silentLogger, ...time, random: () => 1 },
    ),
    (error: StoreUnavailable) => {
      assert.equal(error.code, 'ERR_STORE_UNAVAILABLE')
      assert.match(error.message, new RegExp(`^start-up gave up: the store did not answer in ${attempts} attempts over \\d+ ms \\(startup.retryForMs 10000`))
      assert.match(error.message, /last: store did not answer get within 1000 ms$/)
      return true
    },
  )
  assert.ok(time.now() <= 10_000 + 1000, `gave up at ${time.now()} ms`)
  assert.ok(attempts >= 4, `${attempts} attempts`)
})

test('maxAttempts bounds the attempts', async () => {
  const time = fakeTime()
  let attempts = 0
  await assert.rejects(
    retryStartup(
      async () => {
        attempts++
        throw down()
      },
      settings({ maxAttempts: 3 }),
      { logger: silentLogger, ...time },
    ),
    /in 3 attempts/,
  )
  assert.equal(attempts, 3)
})

test('anything but a store outage fails at once: a wrong key or configuration would fail the same way again', async () => {
  const time = fakeTime()
  let attempts = 0
  await assert.rejects(
    retryStartup(
      async () => {
        attempts++
        throw new ConfigInvalid('masterKey: too short')
      },
      settings(),
      { logger: silentLogger, ...time },
    ),
    { code: 'ERR_CONFIG_INVALID' },
  )
  assert.equal(attempts, 1)
  assert.deepEqual(time.sleeps, [])
})

test('an abort stops the retrying with its reason', async () => {
  const abort = new AbortController()
  let attempts = 0
  const run = retryStartup(
    async () => {
      attempts++
      throw down()
    },
    settings({ initialDelayMs: 60_000, maxDelayMs: 60_000, retryForMs: 600_000 }),
    { logger: silentLogger, signal: abort.signal },
  )
  setTimeout(() => abort.abort(new Error('closed')), 20)
  await assert.rejects(run, /closed/)
  assert.equal(attempts, 1)
})

test('nonsensical settings are refused', () => {
  assert.throws(() => retrySettings({ retryForMs: -1 }), /startup.retryForMs/)
  assert.throws(() => retrySettings({ maxAttempts: 0 }), /startup.maxAttempts/)
  assert.throws(() => retrySettings({ maxDelayMs: Number.NaN }), /startup.maxDelayMs/)
  assert.deepEqual(retrySettings({ retryForMs: 5 }).retryForMs, 5)
})
