import { test } from 'node:test'
import assert from 'node:assert/strict'
import { X509Certificate, generateKeyPairSync } from 'node:crypto'
import { KeyInvalid, memoryStore, type RingKey } from '@polytoken/core'
import { libtrustKeyId } from './libtrust-kid.js'
import { loadCertificate } from './certificate.js'

const DAY = 24 * 60 * 60 * 1000

function ringKey(kind: 'ec' | 'rsa', x5c?: string[]): RingKey {
  const pair = kind === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 })
  return {
    kid: libtrustKeyId(pair.publicKey),
    algorithm: kind === 'ec' ? 'ES256' : 'RS256',
    use: 'sign',
    signingKey: pair.privateKey,
    verifyKey: pair.publicKey,
    publicJwk: undefined,
    x5c,
  }
}

test('a self-signed CA certificate for the signing key, which a Go x509 parser accepts', async () => {
  for (const kind of ['ec', 'rsa'] as const) {
    const key = ringKey(kind)
    const store = memoryStore().namespace('crew')
    const now = Date.now()
    const certificate = await loadCertificate(key, { store, subject: 'issuer, with "odd" chars + #=;', lifetimeDays: 365, now })
    const parsed = new X509Certificate(certificate.pem)
    assert.ok(parsed.publicKey.equals(key.verifyKey))
    assert.ok(parsed.verify(key.verifyKey), 'signed by its own key')
    assert.equal(parsed.ca, true)
    // The CN's bytes sit unescaped in the DER: the value survived whole.
    assert.ok(parsed.raw.includes(Buffer.from('issuer, with "odd" chars + #=;')))
    assert.equal(parsed.subject, parsed.issuer)
    assert.ok(Number.parseInt(parsed.serialNumber.slice(0, 2), 16) < 0x80, 'serial is a positive integer')
    assert.ok(Date.parse(parsed.validFrom) <= now && Math.abs(Date.parse(parsed.validTo) - (now + 365 * DAY)) < 2000)
    assert.equal(certificate.kid, key.kid)
    assert.equal(certificate.der, parsed.raw.toString('base64'))
    assert.equal(certificate.notAfter, Date.parse(parsed.validTo))
  }
})

test('made once per key and kept; renewed a month before it runs out', async () => {
  const key = ringKey('ec')
  const store = memoryStore().namespace('crew')
  const now = Date.now()
  const first = await loadCertificate(key, { store, subject: 's', lifetimeDays: 365, now })
  const again = await loadCertificate(key, { store, subject: 's', lifetimeDays: 365, now: now + 300 * DAY })
  assert.equal(again.pem, first.pem)
  const renewed = await loadCertificate(key, { store, subject: 's', lifetimeDays: 365, now: now + 340 * DAY })
  assert.notEqual(renewed.pem, first.pem)
  assert.ok(renewed.notAfter > first.notAfter)
  const kept = await loadCertificate(key, { store, subject: 's', lifetimeDays: 365, now: now + 341 * DAY })
  assert.equal(kept.pem, renewed.pem)
})

test("a key's own x5c is used as is, and must certify that key", async () => {
  const donor = ringKey('ec')
  const made = await loadCertificate(donor, { store: memoryStore().namespace('a'), subject: 'mine', lifetimeDays: 100, now: Date.now() })
  const configured = { ...donor, x5c: [made.der] }
  const loaded = await loadCertificate(configured, { store: memoryStore().namespace('b'), subject: 'ignored', lifetimeDays: 100, now: Date.now() })
  assert.equal(loaded.pem, made.pem)
  const stranger = { ...ringKey('ec'), x5c: [made.der] }
  await assert.rejects(loadCertificate(stranger, { store: memoryStore().namespace('c'), subject: 's', lifetimeDays: 100, now: Date.now() }), KeyInvalid)
})
