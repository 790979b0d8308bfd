import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { memoryStore, loadKeyRing } from '@polytoken/core'
import { libtrustKeyId } from './libtrust-kid.js'

test('libtrust kid has 12 groups of 4 base32 characters', () => {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  assert.match(libtrustKeyId(publicKey), /^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$/)
})

test('as a key ring kid function, libtrustKeyId names the generated ES256 key (and its JWK) by its libtrust ID', async () => {
  const store = memoryStore().namespace('crew')
  const ring = await loadKeyRing({ name: 'signing', algorithm: 'ES256', kid: libtrustKeyId }, { store, masterKey: 'test-master-key-test-master-key!' })
  assert.equal(ring.active.kid, libtrustKeyId(ring.active.verifyKey))
  assert.equal(ring.publicJwks()[0]?.kid, ring.active.kid)
})
