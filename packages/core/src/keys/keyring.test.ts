import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { memoryStore } from '../storage/memory-store.js'
import { loadKeyRing } from './keyring.js'
import { calculateJwkThumbprint, type JWK } from 'jose'
import { createJwtSigner, createJwtVerifier } from '../tokens/jwt.js'

const masterKey = 'test-master-key-test-master-key!'

for (const algorithm of ['HS256', 'ES256', 'RS256', 'EdDSA'] as const) {
  test(`${algorithm}: a generated key is sealed, persisted and reloaded; tokens verify across reloads`, async () => {
    const store = memoryStore().namespace('d')
    const first = await loadKeyRing({ name: 'k', algorithm }, { store, masterKey })
    const token = createJwtSigner(first).sign({ sub: 'x', exp: Math.floor(Date.now() / 1000) + 60 })
    const second = await loadKeyRing({ name: 'k', algorithm }, { store, masterKey })
    assert.equal(second.active.kid, first.active.kid)
    const claims = await createJwtVerifier(second)(token)
    assert.equal(claims.sub, 'x')
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())
    assert.equal(header.kid, first.active.kid)
    assert.equal(header.alg, algorithm)
    const record = [...JSON.stringify(await store.get('keyring:k:' + algorithm))].join('')
    assert.ok(!record.includes('"d"') && !record.includes('"k"'), 'no clear key material in the store')
    if (algorithm === 'HS256') assert.deepEqual(second.publicJwks(), [])
    else assert.equal(second.publicJwks()[0]?.kid, first.active.kid)
  })
}

test('a wrong master key cannot unseal a stored key', async () => {
  const store = memoryStore().namespace('d')
  await loadKeyRing({ name: 'k', algorithm: 'ES256' }, { store, masterKey })
  await assert.rejects(loadKeyRing({ name: 'k', algorithm: 'ES256' }, { store, masterKey: 'another' }), { code: 'ERR_KEY_INVALID' })
})

test('generating without a master key is a configuration error that names the key', async () => {
  const store = memoryStore().namespace('d')
  await assert.rejects(loadKeyRing({ name: 'k', algorithm: 'ES256' }, { store, masterKey: undefined }), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'ERR_CONFIG_INVALID')
    assert.match(error.message, /masterKey/)
    return true
  })
})

test('rotation: a verify-only old key still verifies, the new one signs', async () => {
  const store = memoryStore().namespace('d')
  const oldPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
  const newPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
  const before = await loadKeyRing({ name: 'k', algorithm: 'ES256', keys: [{ pem: oldPem }] }, { store, masterKey })
  const oldToken = createJwtSigner(before).sign({ exp: Math.floor(Date.now() / 1000) + 60 })
  const after = await loadKeyRing({ name: 'k', algorithm: 'ES256', keys: [{ pem: newPem }, { pem: oldPem, use: 'verify' }] }, { store, masterKey })
  assert.notEqual(after.active.kid, before.active.kid)
  await createJwtVerifier(after)(oldToken)
  assert.equal(after.publicJwks().length, 2)
})

test('a key that does not fit the algorithm is refused at load', async () => {
  const store = memoryStore().namespace('d')
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
  await assert.rejects(loadKeyRing({ name: 'k', algorithm: 'ES256', keys: [{ pem: rsa }] }, { store, masterKey }), { code: 'ERR_KEY_INVALID' })
})

test('a public key without a kid gets its RFC 7638 thumbprint, or what the kid option derives from it', async () => {
  const store = memoryStore().namespace('d')
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
  const thumbprint = await calculateJwkThumbprint(publicKey.export({ format: 'jwk' }))
  assert.equal((await loadKeyRing({ name: 'k', algorithm: 'ES256', keys: [{ pem }] }, { store, masterKey })).active.kid, thumbprint)
  const seen: unknown[] = []
  const kid = (key: KeyObject, jwk: JWK) => {
    seen.push(key.equals(publicKey), jwk.x === (publicKey.export({ format: 'jwk' }) as JWK).x)
    return 'derived-' + jwk.crv
  }
  const ring = await loadKeyRing({ name: 'k', algorithm: 'ES256', keys: [{ pem }, { pem, use: 'verify', kid: 'given' }], kid }, { store, masterKey })
  assert.deepEqual(
    ring.keys.map((key) => key.kid),
    ['derived-P-256', 'given'],
    'a configured kid wins over the function',
  )
  assert.deepEqual(seen, [true, true], 'the function sees the public key and its JWK, once')
  assert.equal(ring.publicJwks()[0]?.kid, 'derived-P-256')
  const generated = await loadKeyRing({ name: 'g', algorithm: 'EdDSA', kid: async () => 'async-kid' }, { store, masterKey })
  assert.equal(generated.active.kid, 'async-kid')
  assert.equal((await loadKeyRing({ name: 'g', algorithm: 'EdDSA', kid: async () => 'async-kid' }, { store, masterKey })).active.kid, 'async-kid', 'a reloaded generated key keeps its kid')
  await assert.rejects(loadKeyRing({ name: 'k', algorithm: 'ES256', keys: [{ pem }], kid: () => '' }, { store, masterKey }), { code: 'ERR_KEY_INVALID' })
})
