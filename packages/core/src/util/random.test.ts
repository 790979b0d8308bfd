import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomString } from './random.js'

test('lengths and alphabets of each encoding', () => {
  assert.match(randomString(32), /^[A-Za-z0-9_-]{43}$/)
  assert.match(randomString(16, 'base64url'), /^[A-Za-z0-9_-]{22}$/)
  assert.match(randomString(3, 'hex'), /^[0-9a-f]{6}$/)
  assert.match(randomString(5000, 'hex'), /^[0-9a-f]{10000}$/, 'larger than the pool: straight from randomBytes')
})

test('no value repeats across many pool refills, and no byte is handed out twice', () => {
  const seen = new Set<string>()
  // 20 000 × 32 bytes: the 4 KiB pool is refilled ~150 times, at every possible offset.
  for (let i = 0; i < 20_000; i++) seen.add(randomString(32))
  assert.equal(seen.size, 20_000)
  // Odd sizes that straddle the end of the pool: consecutive values never share their bytes.
  let previous = randomString(7, 'hex')
  for (let i = 0; i < 5_000; i++) {
    const next = randomString(7, 'hex')
    assert.notEqual(next, previous)
    previous = next
  }
})

test('the bytes look uniform (every byte value occurs, no value dominates)', () => {
  const counts = new Array<number>(256).fill(0)
  for (let i = 0; i < 2_000; i++) for (const byte of Buffer.from(randomString(32), 'base64url')) counts[byte]!++
  // 64 000 bytes: 250 expected per value; a broken pool (zeros, a repeated block) fails this by far.
  assert.ok(Math.min(...counts) > 150, `min ${Math.min(...counts)}`)
  assert.ok(Math.max(...counts) < 350, `max ${Math.max(...counts)}`)
})

test('refuses a size that is not a positive integer', () => {
  for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => randomString(bad), RangeError)
})
