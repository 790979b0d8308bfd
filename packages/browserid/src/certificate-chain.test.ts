import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import {
  createBrowserIdAssertion,
  createBrowserIdCertificate,
  createLocalBrowserIdVerifier,
  createRemoteBrowserIdVerifier,
  exportBrowserIdPublicKey,
  signBrowserIdJws,
  type FetchLike,
} from './index.js'

// Issue #13: `cert1~cert2~assertion`, cert1 the attacker's own certificate from the trusted
// issuer, cert2 signed with the attacker's own user key in the victim's name.
const NOW = 1_700_000_000_000
const AUD = 'https://token.example.com'
const ISSUER = 'accounts.example.com'
const issuer = generateKeyPairSync('rsa', { modulusLength: 2048 })
const attacker = generateKeyPairSync('rsa', { modulusLength: 1024 })
const forged = generateKeyPairSync('rsa', { modulusLength: 1024 })
const CHAIN_REFUSED = 'certificate chains are not accepted: exactly one certificate'

const verifier = () => createLocalBrowserIdVerifier({ audiences: [AUD], trustedIssuers: [{ issuer: ISSUER, publicKey: exportBrowserIdPublicKey(issuer.publicKey) }], clock: () => NOW })

function certificate(email: string, publicKey = attacker.publicKey, claims: Record<string, unknown> = {}) {
  return createBrowserIdCertificate({ issuer: ISSUER, issuerKey: issuer.privateKey, email, publicKey, issuedAt: NOW - 1000, expiresAt: NOW + 3_600_000, claims })
}

/** The forgery: the attacker's key certifies a new key in the victim's name. */
function forgedChain(claims: Record<string, unknown> = {}) {
  const cert2 = createBrowserIdCertificate({
    issuer: ISSUER,
    issuerKey: attacker.privateKey,
    email: 'victim@example.com',
    publicKey: forged.publicKey,
    issuedAt: NOW - 1000,
    expiresAt: NOW + 3_600_000,
    claims,
  })
  return createBrowserIdAssertion({ certificates: [certificate('attacker@example.com'), cert2], userKey: forged.privateKey, audience: AUD, expiresAt: NOW + 60_000 })
}

test('a chain whose second certificate the attacker signed with their own user key is refused', async () => {
  await assert.rejects(verifier().verify(forgedChain()), { code: 'ERR_TOKEN_INVALID', message: CHAIN_REFUSED })
  await assert.rejects(verifier().verify(forgedChain({ 'fxa-generation': Number.MAX_SAFE_INTEGER })), { code: 'ERR_TOKEN_INVALID', message: CHAIN_REFUSED }, 'the lock-out generation never arrives')
})

test('two certificates both signed by the trusted issuer are still refused: exactly one certificate', async () => {
  const cert2 = certificate('alice@example.com', forged.publicKey)
  const chain = createBrowserIdAssertion({ certificates: [certificate('alice@example.com'), cert2], userKey: forged.privateKey, audience: AUD, expiresAt: NOW + 60_000 })
  await assert.rejects(verifier().verify(chain), { code: 'ERR_TOKEN_INVALID', message: CHAIN_REFUSED })
  // The same certificate alone is fine.
  const single = createBrowserIdAssertion({ certificates: [cert2], userKey: forged.privateKey, audience: AUD, expiresAt: NOW + 60_000 })
  assert.equal((await verifier().verify(single)).email, 'alice@example.com')
})

test('idpClaims come from the issuer-signed certificate only, never from the assertion', async () => {
  const cert = certificate('alice@example.com', attacker.publicKey, { 'fxa-generation': 7, 'fxa-keysChangedAt': 6 })
  const assertion = signBrowserIdJws({ aud: AUD, exp: NOW + 60_000, 'fxa-generation': Number.MAX_SAFE_INTEGER, principal: { email: 'victim@example.com' } }, attacker.privateKey)
  const identity = await verifier().verify(`${cert}~${assertion}`)
  assert.equal(identity.email, 'alice@example.com')
  assert.deepEqual(identity.idpClaims, { 'fxa-generation': 7, 'fxa-keysChangedAt': 6 })
})

test('remote verifier: a chain is refused locally and never sent out', async () => {
  const sent: string[] = []
  const fetchStub: FetchLike = async (_url, init) => {
    sent.push(init.body ?? '')
    return {
      status: 200,
      text: async () => JSON.stringify({ status: 'okay', email: 'victim@example.com', issuer: ISSUER, expires: NOW + 60_000, idpClaims: { 'fxa-generation': Number.MAX_SAFE_INTEGER } }),
    }
  }
  const remote = createRemoteBrowserIdVerifier({ url: 'https://verifier.example.com/v2', audience: AUD, fetch: fetchStub })
  await assert.rejects(remote.verify(forgedChain()), { code: 'ERR_TOKEN_INVALID', message: CHAIN_REFUSED })
  assert.deepEqual(sent, [])
  assert.equal((await remote.verify('one.cert.x~one.assertion.y')).email, 'victim@example.com', 'a single-certificate bundle is still judged remotely')
  assert.equal(sent.length, 1)
})
