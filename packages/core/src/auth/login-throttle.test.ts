import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createStore } from '../storage/create-store.js'
import { createLoginThrottle } from './login-throttle.js'

function setup(options = {}) {
  let now = 1_000_000
  const store = createStore('memory://').namespace('t')
  const throttle = createLoginThrottle(store, () => now, { windowMs: 60_000, lockMs: 30_000, maxPerUsername: 3, maxPerAddress: 5, ...options })
  return { throttle, store, advance: (ms: number) => (now += ms) }
}

test('per username: the attempt over the limit is locked, Retry-After counts down, other users go on', async () => {
  const { throttle, advance } = setup()
  for (let i = 0; i < 3; i++) await throttle.before('alice', `10.0.0.${i}`)
  await assert.rejects(throttle.before('alice', '10.0.0.9'), (error: any) => {
    assert.equal(error.code, 'ERR_RATE_LIMITED')
    assert.equal(error.headers['Retry-After'], '30')
    return true
  })
  advance(10_000)
  await assert.rejects(throttle.before('alice', '10.0.0.9'), (error: any) => error.headers['Retry-After'] === '20')
  await throttle.before('bob', '10.0.0.9')
})

test('a parallel burst cannot slip past the limit: attempts are counted before the password check', async () => {
  const { throttle } = setup()
  const results = await Promise.allSettled(Array.from({ length: 20 }, () => throttle.before('alice', '10.0.0.1')))
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 3)
})

test('a success clears the username count; per address only failures count', async () => {
  const { throttle } = setup()
  for (let round = 0; round < 5; round++) {
    await throttle.before('alice', '10.0.0.1')
    await throttle.succeeded('alice')
  }
  for (let i = 0; i < 5; i++) {
    await throttle.before(`user${i}`, '10.0.0.2')
    await throttle.failed('10.0.0.2')
  }
  await assert.rejects(throttle.before('someone-else', '10.0.0.2'), { code: 'ERR_RATE_LIMITED' })
  await throttle.before('someone-else', '10.0.0.3')
})

test('the store holds fingerprints, never the username or the address', async () => {
  const { throttle, store } = setup()
  await throttle.before('alice@example.com', '192.0.2.7')
  await throttle.failed('192.0.2.7')
  for await (const [key] of store.entries('')) assert.ok(!key.includes('alice') && !key.includes('192.0.2.7'), key)
})
