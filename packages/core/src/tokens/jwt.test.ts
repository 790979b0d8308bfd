import { generateKeyPairSync } from 'node:crypto'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { SignJWT } from 'jose'
import { memoryStore } from '../storage/memory-store.js'
import { loadKeyRing } from '../keys/keyring.js'
import { createJwtSigner, createJwtVerifier } from './jwt.js'

const now = () => Math.floor(Date.now() / 1000)

async function ring() {
  return loadKeyRing({ name: 'k', algorithm: 'HS256', keys: [{ secret: 'jwt-test-hs256-key-0123456789abcdef' }] }, { store: memoryStore().namespace('x'), masterKey: undefined })
}

test('expired, not-yet-valid, tampered and foreign tokens get their own codes', async () => {
  const r = await ring()
  const sign = createJwtSigner(r)
  const verify = createJwtVerifier(r, { issuer: 'me' })
  await assert.rejects(verify(sign.sign({ iss: 'me', exp: now() - 10 })), { code: 'ERR_TOKEN_EXPIRED' })
  await assert.rejects(verify(sign.sign({ iss: 'me', exp: now() + 60, nbf: now() + 30 })), { code: 'ERR_TOKEN_NOT_YET_VALID' })
  await assert.rejects(verify(sign.sign({ iss: 'other', exp: now() + 60 })), { code: 'ERR_TOKEN_INVALID' })
  const good = sign.sign({ iss: 'me', exp: now() + 60 })
  await assert.rejects(verify(good.slice(0, -2) + (good.endsWith('AA') ? 'BB' : 'AA')), { code: 'ERR_TOKEN_INVALID' })
  await assert.rejects(verify('not.a.jwt'), { code: 'ERR_TOKEN_INVALID' })
  await assert.rejects(verify(sign.sign({ iss: 'me' })), { code: 'ERR_TOKEN_INVALID' }, 'exp is required')
  assert.equal((await verify(good)).iss, 'me')
})

test('tokens signed by jose verify, and ours verify in jose (same bytes on the wire)', async () => {
  const r = await ring()
  const key = new TextEncoder().encode('jwt-test-hs256-key-0123456789abcdef')
  const fromJose = await new SignJWT({ a: 1 }).setProtectedHeader({ alg: 'HS256', kid: r.active.kid }).setExpirationTime('1m').sign(key)
  assert.equal((await createJwtVerifier(r)(fromJose)).a, 1)
  const ours = createJwtSigner(r).sign({ a: 2, exp: now() + 60 })
  const { jwtVerify } = await import('jose')
  assert.equal((await jwtVerify(ours, key)).payload.a, 2)
})

test('alg none and algorithm confusion are refused', async () => {
  const r = await ring()
  const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')
  const payload = Buffer.from(JSON.stringify({ exp: now() + 60 })).toString('base64url')
  await assert.rejects(createJwtVerifier(r)(`${header}.${payload}.`), { code: 'ERR_TOKEN_INVALID' })
})

test('a list of keys of several algorithms: each key verifies only its own algorithm, with or without kid', async () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const keys = [
    { kid: 'rsa', algorithm: 'RS256' as const, verifyKey: rsa.publicKey },
    { kid: undefined, algorithm: 'ES256' as const, verifyKey: ec.publicKey },
  ]
  const verify = createJwtVerifier({ keys })
  const exp = Math.floor(Date.now() / 1000) + 60
  const esNoKid = await new SignJWT({ sub: 'es' }).setProtectedHeader({ alg: 'ES256' }).setExpirationTime(exp).sign(ec.privateKey)
  assert.equal((await verify(esNoKid)).sub, 'es', 'the ES256 key is found past the RS256 one')
  const rsByKid = await new SignJWT({ sub: 'rs' }).setProtectedHeader({ alg: 'RS256', kid: 'rsa' }).setExpirationTime(exp).sign(rsa.privateKey)
  assert.equal((await verify(rsByKid)).sub, 'rs')
  const psWithRsaKey = await new SignJWT({ sub: 'ps' }).setProtectedHeader({ alg: 'PS256', kid: 'rsa' }).setExpirationTime(exp).sign(rsa.privateKey)
  await assert.rejects(verify(psWithRsaKey), { code: 'ERR_TOKEN_INVALID' })
  const unknownKid = await new SignJWT({ sub: 'es' }).setProtectedHeader({ alg: 'ES256', kid: 'other' }).setExpirationTime(exp).sign(ec.privateKey)
  await assert.rejects(verify(unknownKid), { code: 'ERR_TOKEN_INVALID', message: 'token was signed by an unknown key' })
})

test('only the canonical base64url spelling of a signature is accepted', async () => {
  const r = await ring()
  const token = createJwtSigner(r).sign({ sub: 'x', exp: now() + 60 })
  const verify = createJwtVerifier(r)
  assert.equal((await verify(token)).sub, 'x')
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  const sibling = alphabet[alphabet.indexOf(token.at(-1)!) ^ 1]
  for (const respelled of [`${token.slice(0, -1)}${sibling}`, `${token}=`]) {
    await assert.rejects(verify(respelled), { code: 'ERR_TOKEN_INVALID' }, respelled)
  }
})
