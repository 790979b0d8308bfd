import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHmac, hkdfSync, randomBytes } from 'node:crypto'
import { hkdfSha256 } from './hkdf.js'

/** RFC 5869 written out on HMAC, a second reference beside node:crypto's hkdfSync. */
function referenceHkdf(ikm: Buffer, salt: Buffer, info: Buffer | string, length: number): Buffer {
  const prk = createHmac('sha256', salt.length === 0 ? Buffer.alloc(32) : salt)
    .update(ikm)
    .digest()
  const blocks: Buffer[] = []
  let previous = Buffer.alloc(0)
  for (let counter = 1; blocks.length * 32 < length; counter++) {
    previous = createHmac('sha256', prk).update(previous).update(info).update(Buffer.of(counter)).digest()
    blocks.push(previous)
  }
  return Buffer.concat(blocks).subarray(0, length)
}

test('hkdfSha256 gives the bytes of RFC 5869 written out (empty and random salts, string and byte info, 1 to 100 bytes)', () => {
  for (let i = 0; i < 300; i++) {
    const ikm = randomBytes(i % 40)
    const salt = i % 3 === 0 ? Buffer.alloc(0) : randomBytes(1 + (i % 70))
    const info = i % 2 === 0 ? `services.mozilla.com/tokenlib/v1/derive/${'x'.repeat(i)}` : randomBytes(i % 50)
    const length = 1 + (i % 100)
    assert.deepEqual(hkdfSha256(ikm, salt, info, length), referenceHkdf(ikm, salt, info, length), `case ${i}`)
    assert.deepEqual(hkdfSha256(ikm, salt, info, length), Buffer.from(hkdfSync('sha256', ikm, salt, info, length)), `case ${i} against hkdfSync`)
  }
})

test('RFC 5869 test case 1', () => {
  const okm = hkdfSha256(Buffer.from('0b'.repeat(22), 'hex'), Buffer.from('000102030405060708090a0b0c', 'hex'), Buffer.from('f0f1f2f3f4f5f6f7f8f9', 'hex'), 42)
  assert.equal(okm.toString('hex'), '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865')
})

test('lengths outside 1..8160 are refused', () => {
  assert.throws(() => hkdfSha256(Buffer.alloc(1), Buffer.alloc(0), '', 0), RangeError)
  assert.throws(() => hkdfSha256(Buffer.alloc(1), Buffer.alloc(0), '', 8161), RangeError)
})
