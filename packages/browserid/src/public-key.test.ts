import { test } from 'node:test'
import assert from 'node:assert/strict'
import { checkPrimeSync, generateKeyPairSync, generatePrimeSync, randomBytes, type KeyObject } from 'node:crypto'
import {
  createBrowserIdAssertion,
  createBrowserIdCertificate,
  createLocalBrowserIdVerifier,
  exportBrowserIdPublicKey,
  importBrowserIdPublicKey,
  signBrowserIdJws,
  type BrowserIdPublicKeyJson,
  type FetchLike,
} from './index.js'

const NOW = 1_700_000_000_000
const AUD = 'https://token.example.com'
const ISSUER = 'accounts.example.com'
const issuer = generateKeyPairSync('rsa', { modulusLength: 2048 })
const rs64 = generateKeyPairSync('rsa', { modulusLength: 512 })
const ds128 = generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 })
const RS64_REFUSED = /RSA keys of 512 bits \(RS64\) are refused as too weak; set allowRs64Keys to allow them/

/** An odd RSA modulus of exactly `bits` bits: import looks at its size, not its factors. */
const modulus = (bits: number) => (2n ** BigInt(bits - 1) + 2n ** 100n + 1n).toString()

function verifier(extra: Partial<Parameters<typeof createLocalBrowserIdVerifier>[0]> = {}) {
  return createLocalBrowserIdVerifier({ audiences: [AUD], trustedIssuers: [{ issuer: ISSUER, publicKey: exportBrowserIdPublicKey(issuer.publicKey) }], clock: () => NOW, ...extra })
}

function bundleFor(user: { publicKey: KeyObject; privateKey: KeyObject }, issuerKey: KeyObject = issuer.privateKey) {
  const cert = createBrowserIdCertificate({ issuer: ISSUER, issuerKey, email: 'alice@example.com', publicKey: user.publicKey, issuedAt: NOW - 1000, expiresAt: NOW + 3_600_000 })
  return createBrowserIdAssertion({ certificates: [cert], userKey: user.privateKey, audience: AUD, expiresAt: NOW + 60_000 })
}

/** A certificate the trusted issuer really signed, for a public-key JSON as given. */
function certifyRaw(publicKey: unknown) {
  return signBrowserIdJws({ iss: ISSUER, iat: NOW - 1000, exp: NOW + 3_600_000, 'public-key': publicKey, principal: { email: 'alice@example.com' } }, issuer.privateKey)
}

test('RSA moduli of N-1 and N bits are accepted (jwcrypto makes N-1 about half the time); other sizes are not', () => {
  for (const [bits, algorithm] of [
    [2048, 'RS256'],
    [2047, 'RS256'],
    [1024, 'RS128'],
    [1023, 'RS128'],
  ] as const) {
    const key = importBrowserIdPublicKey({ algorithm: 'RS', n: modulus(bits), e: '65537' })
    assert.equal(key.algorithm, algorithm, String(bits))
    assert.equal(key.signatureBytes, Math.ceil(bits / 8))
  }
  for (const bits of [2049, 2046, 1025, 1022, 513, 510, 4096]) {
    assert.throws(() => importBrowserIdPublicKey({ algorithm: 'RS', n: modulus(bits), e: '65537' }), new RegExp(`unsupported size \\(${bits} bits\\)`))
  }
})

test('512-bit RSA (RS64, N and N-1) is refused as too weak unless allowRs64Keys', async () => {
  for (const bits of [512, 511]) {
    const json = { algorithm: 'RS', n: modulus(bits), e: '65537' }
    assert.throws(() => importBrowserIdPublicKey(json), RS64_REFUSED, String(bits))
    assert.equal(importBrowserIdPublicKey(json, { allowRs64Keys: true }).algorithm, 'RS64')
  }
  // A user key.
  await assert.rejects(verifier().verify(bundleFor(rs64)), { code: 'ERR_TOKEN_INVALID', message: RS64_REFUSED })
  assert.equal((await verifier({ allowRs64Keys: true }).verify(bundleFor(rs64))).email, 'alice@example.com')
  // A configured issuer key: the server does not start.
  const weakIssuer = [{ issuer: ISSUER, publicKey: exportBrowserIdPublicKey(rs64.publicKey) }]
  assert.throws(() => createLocalBrowserIdVerifier({ audiences: [AUD], trustedIssuers: weakIssuer }), { code: 'ERR_CONFIG_INVALID', message: RS64_REFUSED })
  const allowed = createLocalBrowserIdVerifier({ audiences: [AUD], trustedIssuers: weakIssuer, allowRs64Keys: true, clock: () => NOW })
  assert.equal((await allowed.verify(bundleFor(ds128, rs64.privateKey))).email, 'alice@example.com')
  // A support document's key.
  const fetchStub: FetchLike = async () => ({ status: 200, text: async () => JSON.stringify({ 'public-key': exportBrowserIdPublicKey(rs64.publicKey) }) })
  const discovering = (allowRs64Keys: boolean) =>
    createLocalBrowserIdVerifier({ audiences: [AUD], trustedIssuers: [{ issuer: ISSUER }], allowRs64Keys, clock: () => NOW, supportDocuments: { fetch: fetchStub } })
  await assert.rejects(discovering(false).verify(bundleFor(ds128, rs64.privateKey)), { code: 'ERR_TOKEN_INVALID', message: RS64_REFUSED })
  assert.equal((await discovering(true).verify(bundleFor(ds128, rs64.privateKey))).email, 'alice@example.com')
})

const good = exportBrowserIdPublicKey(ds128.publicKey) as Extract<BrowserIdPublicKeyJson, { algorithm: 'DS' }>
const P = BigInt('0x' + good.p)
const hex = (value: bigint) => value.toString(16)

test('DSA public keys: p odd, 1 < g < p, 1 < y < p, q divides p-1, g and y in the order-q subgroup', () => {
  assert.equal(importBrowserIdPublicKey(good).algorithm, 'DS128')
  const otherQ = generatePrimeSync(160, { bigint: true })
  const cases: [string, Partial<typeof good>, RegExp][] = [
    ['g = 1', { g: '1' }, /g must satisfy 1 < g < p/],
    ['g = 0', { g: '0' }, /g must satisfy 1 < g < p/],
    ['g = p', { g: good.p }, /g must satisfy 1 < g < p/],
    ['g = p + 1', { g: hex(P + 1n) }, /g must satisfy 1 < g < p/],
    ['g of the wrong order', { g: hex(P - 1n) }, /g does not generate a subgroup of order q/],
    ['y = 1', { y: '1' }, /y must satisfy 1 < y < p/],
    ['y = p', { y: good.p }, /y must satisfy 1 < y < p/],
    ['y outside the subgroup', { y: hex(P - 1n) }, /y is not in the subgroup of g/],
    ['q does not divide p-1', { q: hex(otherQ) }, /q does not divide p-1/],
    ['p even', { p: hex(P + 1n) }, /p is even/],
    ['p of 1024 bits, q of 256', { q: hex(generatePrimeSync(256, { bigint: true })) }, /unsupported sizes \(1024\/256 bits\)/],
  ]
  for (const [name, change, message] of cases) {
    assert.throws(() => importBrowserIdPublicKey({ ...good, ...change }), message, name)
  }
})

test('a certified DSA key with g = 1 and y = 1 (which "verifies" every signature r = 1) is refused', async () => {
  const cert = certifyRaw({ ...good, g: '1', y: '1' })
  const header = Buffer.from(JSON.stringify({ alg: 'DS128' })).toString('base64url')
  const body = Buffer.from(JSON.stringify({ aud: AUD, exp: NOW + 60_000 })).toString('base64url')
  const rs = Buffer.concat([Buffer.alloc(19), Buffer.from([1]), Buffer.alloc(19), Buffer.from([1])]).toString('base64url')
  await assert.rejects(verifier().verify(`${cert}~${header}.${body}.${rs}`), { code: 'ERR_TOKEN_INVALID', message: /g must satisfy 1 < g < p/ })
  for (const [name, change, message] of [
    ['g of the wrong order', { g: hex(P - 1n) }, /order q/],
    ['bad q', { q: hex(generatePrimeSync(160, { bigint: true })) }, /q does not divide/],
  ] as const) {
    await assert.rejects(verifier().verify(`${certifyRaw({ ...good, ...change })}~${header}.${body}.${rs}`), { code: 'ERR_TOKEN_INVALID', message }, name)
  }
})

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n
  for (let b = base % modulus, e = exponent; e > 0n; e >>= 1n, b = (b * b) % modulus) if (e & 1n) result = (result * b) % modulus
  return result
}

/** A 1024/160 group that passes every other check but whose q is a product of two primes. */
function groupWithCompositeQ(): { p: bigint; q: bigint; g: bigint; y: bigint } {
  let q = 0n
  while (q.toString(2).length !== 160) q = generatePrimeSync(80, { bigint: true }) * generatePrimeSync(80, { bigint: true })
  for (;;) {
    const k = (BigInt('0x' + randomBytes(108).toString('hex')) | (1n << 863n)) & ~1n
    const p = k * q + 1n
    if (p.toString(2).length !== 1024 || !checkPrimeSync(p)) continue
    const g = modPow(2n, (p - 1n) / q, p)
    if (g === 1n) continue
    return { p, q, g, y: modPow(g, 12345678901234567890n, p) }
  }
}

test('a DSA key whose q divides p-1 but is not prime is refused', () => {
  const group = groupWithCompositeQ()
  const json = { algorithm: 'DS' as const, p: hex(group.p), q: hex(group.q), g: hex(group.g), y: hex(group.y) }
  assert.throws(() => importBrowserIdPublicKey(json), /q is not prime/)
})
