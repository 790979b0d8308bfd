import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { MIN_HS256_KEY_BYTES, assertStrongSecret } from './secret-strength.js'

function refusal(value: string | Uint8Array, minBytes: number): string | undefined {
  try {
    assertStrongSecret('some.option', value, minBytes)
    return undefined
  } catch (error) {
    assert.equal((error as { code?: string }).code, 'ERR_CONFIG_INVALID')
    return (error as Error).message
  }
}

test('too short: counted in UTF-8 bytes, the option named, the value never quoted', () => {
  const message = refusal('Short-key-31-bytes-0123456789ab', MIN_HS256_KEY_BYTES)
  assert.match(message!, /^some\.option: too short \(at least 32 bytes/)
  assert.ok(!message!.includes('Short-key'))
  assert.equal(refusal('Short-key-32-bytes-0123456789abc', MIN_HS256_KEY_BYTES), undefined)
  // 16 two-byte characters are 32 bytes.
  assert.equal(refusal('абвгдежзийклмноп', MIN_HS256_KEY_BYTES), undefined)
  assert.match(refusal('абвгдежзийклмно', MIN_HS256_KEY_BYTES)!, /too short/)
})

test('obviously low entropy: one character, a repeated pattern, too few different characters', () => {
  assert.match(refusal('a'.repeat(64), 32)!, /one character repeated/)
  assert.match(refusal('abcdefgh'.repeat(4), 32)!, /a shorter pattern repeated/)
  assert.match(refusal('abab', 4)!, /a shorter pattern repeated/)
  assert.match(refusal('aaaaaaabbbbbbbbbcccccccccdddddddddd', 32)!, /fewer than 8 different characters/)
  assert.match(refusal('aaabbb', 6)!, /fewer than 3 different characters/)
})

test('random keys and ordinary secrets pass', () => {
  for (let i = 0; i < 50; i++) {
    assert.equal(refusal(randomBytes(32), 32), undefined)
    assert.equal(refusal(randomBytes(32).toString('hex'), 32), undefined)
    assert.equal(refusal(randomBytes(32).toString('base64'), 32), undefined)
  }
  assert.equal(refusal('changeit', 8), undefined)
  assert.equal(refusal('example-master-key-change-me-please', 32), undefined)
})
