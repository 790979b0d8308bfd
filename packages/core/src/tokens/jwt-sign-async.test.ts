import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { jwtVerify } from 'jose'
import { memoryStore } from '../storage/memory-store.js'
import { loadKeyRing, type JwtAlgorithm, type KeySource } from '../keys/keyring.js'
import { createJwtSigner, createJwtVerifier } from './jwt.js'

const now = () => Math.floor(Date.now() / 1000)

function source(algorithm: JwtAlgorithm): KeySource {
  if (algorithm === 'HS256') return { secret: 'jwt-test-hs256-key-0123456789abcdef' }
  const pair = algorithm === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : algorithm === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519')
  return { pem: pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string }
}

for (const algorithm of ['HS256', 'ES256', 'RS256', 'EdDSA'] as const) {
  test(`signAsync (${algorithm}): the same header and claims as sign, a signature jose and our verifier accept`, async () => {
    const ring = await loadKeyRing({ name: 'k', algorithm, keys: [source(algorithm)] }, { store: memoryStore().namespace('x'), masterKey: undefined })
    const signer = createJwtSigner(ring)
    const claims = { iss: 'me', sub: 'async', exp: now() + 60 }
    const pooled = await signer.signAsync(claims)
    const inline = signer.sign(claims)
    assert.equal(pooled.split('.').slice(0, 2).join('.'), inline.split('.').slice(0, 2).join('.'))
    assert.equal((await createJwtVerifier(ring, { issuer: 'me' })(pooled)).sub, 'async')
    assert.equal((await jwtVerify(pooled, ring.active.verifyKey, { algorithms: [algorithm] })).payload.sub, 'async')
    const tampered = pooled.slice(0, -4) + (pooled.endsWith('AAAA') ? 'BBBB' : 'AAAA')
    await assert.rejects(createJwtVerifier(ring)(tampered), { code: 'ERR_TOKEN_INVALID' })
  })
}
