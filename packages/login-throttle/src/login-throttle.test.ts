import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { memoryStore } from '@polytoken/core'
import { createLoginThrottle, type LoginThrottleOptions } from './login-throttle.js'

function setup(options: Partial<LoginThrottleOptions> = {}) {
  let now = 1_000_000 * 60_000 // the start of a window
  const store = memoryStore().namespace('t')
  const throttle = createLoginThrottle(store, () => now, { secret: randomBytes(32), windowMs: 60_000, maxPerAccountAddress: 3, maxPerAddress: 5, slowAccountAfter: 6, ...options })
  return { throttle, store, advance: (ms: number) => (now += ms) }
}

async function fail(throttle: ReturnType<typeof setup>['throttle'], account: string, ip: string) {
  await (await throttle.reserve(account, ip)).failed()
}

test('per account and address: failures over the limit are refused until the window ends, with Retry-After; other addresses go on', async () => {
  const { throttle, advance } = setup()
  for (let i = 0; i < 3; i++) await fail(throttle, 'alice', '10.0.0.1')
  advance(20_000)
  await assert.rejects(throttle.reserve('alice', '10.0.0.1'), (error: any) => {
    assert.equal(error.code, 'ERR_RATE_LIMITED')
    assert.equal(error.headers['Retry-After'], '40')
    assert.match(error.message, /^too many attempts/)
    return true
  })
  await assert.rejects(throttle.check('alice', '10.0.0.1'), { code: 'ERR_RATE_LIMITED' })
  // One address cannot lock the account for everyone else.
  await (await throttle.reserve('alice', '10.0.0.2')).succeeded()
  advance(40_000)
  await (await throttle.reserve('alice', '10.0.0.1')).succeeded()
})

test('successes are not counted: any number of correct logins, in parallel or not, never lock', async () => {
  const { throttle } = setup()
  for (let round = 0; round < 10; round++) await (await throttle.reserve('alice', '10.0.0.1')).succeeded()
  const burst = await Promise.all(
    Array.from({ length: 12 }, async () => {
      const attempt = await throttle.reserve('alice', '10.0.0.1')
      await new Promise((resolve) => setTimeout(resolve, 5))
      await attempt.succeeded()
    }),
  )
  assert.equal(burst.length, 12)
  for (let i = 0; i < 3; i++) await fail(throttle, 'alice', '10.0.0.1')
  await assert.rejects(throttle.reserve('alice', '10.0.0.1'), { code: 'ERR_RATE_LIMITED' })
})

test('a parallel burst of wrong guesses: exactly the limit is let through to the check', async () => {
  const { throttle } = setup()
  let checked = 0
  const results = await Promise.allSettled(
    Array.from({ length: 20 }, async () => {
      const attempt = await throttle.reserve('alice', '10.0.0.1')
      checked++
      await new Promise((resolve) => setTimeout(resolve, 5))
      await attempt.failed()
    }),
  )
  assert.equal(checked, 3)
  assert.equal(results.filter((r) => r.status === 'rejected').length, 17)
})

test('per address across accounts: the limit holds against a parallel burst too', async () => {
  const { throttle } = setup()
  let checked = 0
  await Promise.allSettled(
    Array.from({ length: 30 }, async (_, i) => {
      const attempt = await throttle.reserve(`user${i}`, '10.0.0.9')
      checked++
      await attempt.failed()
    }),
  )
  assert.equal(checked, 5)
  await assert.rejects(throttle.reserve('someone-else', '10.0.0.9'), { code: 'ERR_RATE_LIMITED' })
  await (await throttle.reserve('someone-else', '10.0.0.10')).succeeded()
})

test('account-wide: past slowAccountAfter failures from many addresses, one attempt per growing delay, never a lock', async () => {
  const { throttle, advance } = setup({ slowBaseMs: 1_000, slowMaxMs: 4_000 })
  for (let i = 0; i < 6; i++) await fail(throttle, 'alice', `10.1.0.${i}`)
  // The first attempt of the delay goes through; the next waits for it.
  const first = await throttle.reserve('alice', '10.2.0.1')
  await assert.rejects(throttle.reserve('alice', '10.2.0.2'), (error: any) => error.code === 'ERR_RATE_LIMITED' && error.headers['Retry-After'] === '1')
  await first.failed()
  advance(1_001)
  await assert.rejects(throttle.reserve('alice', '10.2.0.3'), (error: any) => error.headers['Retry-After'] === '2')
  // Others are untouched.
  await (await throttle.reserve('bob', '10.2.0.2')).succeeded()
})

test('store keys are HMACs: neither the account, the address, nor their SHA-256', async () => {
  const { throttle, store } = setup()
  await fail(throttle, 'alice@example.com', '192.0.2.7')
  const sha = (value: string) => createHash('sha256').update(value).digest('base64url')
  const forbidden = ['alice', '192.0.2.7', sha('192.0.2.7'), sha('192.0.2.7').slice(0, 22), sha('alice@example.com').slice(0, 22)]
  let keys = 0
  for await (const [key] of store.entries('')) {
    keys++
    for (const part of forbidden) assert.ok(!key.includes(part), key)
  }
  assert.ok(keys > 0)
})
