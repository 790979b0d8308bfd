import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHmac, createPublicKey, generateKeyPairSync, verify as cryptoVerify, X509Certificate, type JsonWebKey, type KeyObject } from 'node:crypto'
import { jwtForgeries, type JwtForgery } from './jwt-forgeries.js'
import { signJwt } from './jwt-signing.js'

// The table is only worth something if its forgeries are real attacks: each
// group must get past a verifier that has the bug the group is about.

const now = Math.floor(Date.now() / 1000)
const es = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const pem = es.publicKey.export({ format: 'pem', type: 'spki' }).toString()
const valid = signJwt({ alg: 'ES256', kid: 'route', typ: 'JWT' }, { sub: 'alice', iss: 'me', aud: 'you', iat: now, exp: now + 600 }, es.privateKey)
const { forgeries } = jwtForgeries({
  token: valid,
  algorithm: 'ES256',
  signingKey: es.privateKey,
  publicKey: es.publicKey,
  publishedJwk: undefined,
  issuer: 'me',
  audience: 'you',
  leewaySec: 0,
  now,
  canaryUrl: 'http://127.0.0.1:9',
  foreignKeys: [],
})

function parts(token: string) {
  const [head, body, signature = ''] = token.split('.')
  return { header: JSON.parse(Buffer.from(head!, 'base64url').toString()), input: Buffer.from(`${head}.${body}`), signature: Buffer.from(signature, 'base64url') }
}

/** A verifier with every classic bug: the token picks the algorithm and may bring its own key. */
function naiveVerify(token: string): boolean {
  const { header, input, signature } = parts(token)
  const alg = String(header.alg)
  if (alg.toLowerCase() === 'none') return true
  if (alg.startsWith('HS'))
    return createHmac(`sha${alg.slice(2)}`, pem)
      .update(input)
      .digest()
      .equals(signature)
  let key: KeyObject = es.publicKey
  if (header.jwk) key = createPublicKey({ key: header.jwk as JsonWebKey, format: 'jwk' })
  if (header.x5c) key = new X509Certificate(Buffer.from(header.x5c[0], 'base64')).publicKey
  const digest = alg === 'EdDSA' ? null : 'sha256'
  // No dsaEncoding: node's default is DER, the bug the DER rows catch.
  return cryptoVerify(digest, input, key, signature) || (key.asymmetricKeyType === 'ec' && cryptoVerify(digest, input, { key, dsaEncoding: 'ieee-p1363' }, signature))
}

const accepted = (group: string, match = ''): JwtForgery[] =>
  forgeries.filter(
    (forgery) =>
      forgery.group === group &&
      forgery.name.includes(match) &&
      (() => {
        try {
          return naiveVerify(forgery.token)
        } catch {
          return false
        }
      })(),
  )

test('every forgery group is a working attack on a verifier with that bug', () => {
  assert.ok(accepted('alg none').length >= 4, 'alg none in every casing')
  assert.ok(accepted('HS confusion', 'SPKI PEM').length >= 3, 'HMAC keyed with the PEM public key')
  assert.ok(accepted('embedded jwk').length >= 3, 'a key in the jwk header')
  assert.ok(accepted('x5c').length >= 2, 'a certificate in x5c')
  assert.ok(accepted('signature', 'DER').length >= 1, 'a DER ECDSA signature')
})

test('the claim rows are signed with the real key: only the claim is wrong', () => {
  const claimRows = forgeries.filter((forgery) => forgery.group === 'claims')
  assert.ok(claimRows.length >= 8)
  for (const forgery of claimRows) {
    const { input, signature } = parts(forgery.token)
    assert.ok(cryptoVerify('sha256', input, { key: es.publicKey, dsaEncoding: 'ieee-p1363' }, signature), forgery.name)
  }
})
