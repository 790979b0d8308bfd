import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { generateKeyPairSync, createPrivateKey, sign as cryptoSign, type KeyObject } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import {
  browserId,
  createBrowserIdAssertion,
  createBrowserIdCertificate,
  createLocalBrowserIdVerifier,
  createRemoteBrowserIdVerifier,
  exportBrowserIdPublicKey,
  importBrowserIdPublicKey,
  signBrowserIdJws,
  type FetchLike,
} from './index.js'
import { createVerificationCache, type DialectServices, type PolyRequest } from '@polytoken/core'

const rsa = (bits: number) => generateKeyPairSync('rsa', { modulusLength: bits })
const dsa = (bits: number, q: number) => generateKeyPairSync('dsa', { modulusLength: bits, divisorLength: q })
const keys = {
  rs64: rsa(512),
  rs128: rsa(1024),
  rs256: rsa(2048),
  ds128: dsa(1024, 160),
  ds256: dsa(2048, 256),
}
const NOW = 1_700_000_000_000
const AUD = 'https://token.example.com'
const ISSUER = 'accounts.example.com'

function bundle(
  opts: {
    issuerKey?: KeyObject
    userKey?: { publicKey: KeyObject; privateKey: KeyObject }
    signWith?: KeyObject
    aud?: string
    certExp?: number
    exp?: number
    email?: string
    issuer?: string
    claims?: Record<string, unknown>
  } = {},
) {
  const user = opts.userKey ?? keys.rs256
  const cert = createBrowserIdCertificate({
    issuer: opts.issuer ?? ISSUER,
    issuerKey: opts.issuerKey ?? keys.rs256.privateKey,
    email: opts.email ?? 'alice@example.com',
    publicKey: user.publicKey,
    issuedAt: NOW - 1000,
    expiresAt: opts.certExp ?? NOW + 3_600_000,
    ...(opts.claims ? { claims: opts.claims } : {}),
  })
  return createBrowserIdAssertion({ certificates: [cert], userKey: opts.signWith ?? user.privateKey, audience: opts.aud ?? AUD, expiresAt: opts.exp ?? NOW + 60_000 })
}

function verifier(issuerKey: KeyObject = keys.rs256.publicKey, extra: Partial<Parameters<typeof createLocalBrowserIdVerifier>[0]> = {}) {
  return createLocalBrowserIdVerifier({
    audiences: [AUD],
    trustedIssuers: [{ issuer: ISSUER, publicKey: exportBrowserIdPublicKey(issuerKey) }],
    clock: () => NOW,
    ...extra,
  })
}

test('public keys: RS decimal and DS hex round-trip through the BrowserID JSON form with the right alg', () => {
  const expected = { rs64: 'RS64', rs128: 'RS128', rs256: 'RS256', ds128: 'DS128', ds256: 'DS256' } as const
  for (const [name, pair] of Object.entries(keys)) {
    const json = exportBrowserIdPublicKey(pair.publicKey)
    if (json.algorithm === 'RS') assert.match(json.n, /^[0-9]+$/)
    else assert.match(json.p, /^[0-9a-f]+$/)
    const imported = importBrowserIdPublicKey(json, { allowRs64Keys: true })
    assert.equal(imported.algorithm, expected[name as keyof typeof expected])
    assert.deepEqual(imported.key.export({ format: 'der', type: 'spki' }), pair.publicKey.export({ format: 'der', type: 'spki' }))
  }
  assert.throws(() => importBrowserIdPublicKey({ algorithm: 'RS', n: '12345', e: '65537' }), /unsupported size/)
  assert.throws(() => importBrowserIdPublicKey({ algorithm: 'DS', y: 'zz', p: '1', q: '1', g: '1' }), /hex y/)
  assert.throws(() => importBrowserIdPublicKey({ algorithm: 'EC' }), /RS or DS/)
})

test('a DSA signature is r‖s padded to the size of q (20 bytes each for DS128, 32 for DS256)', () => {
  for (const [pair, size] of [
    [keys.ds128, 40],
    [keys.ds256, 64],
  ] as const) {
    const jws = signBrowserIdJws({ a: 1 }, pair.privateKey)
    assert.equal(Buffer.from(jws.split('.')[2]!, 'base64url').length, size)
  }
})

test('valid assertions verify for every issuer and user key family', async () => {
  for (const issuer of [keys.rs256, keys.ds128, keys.ds256]) {
    for (const user of [keys.rs64, keys.rs128, keys.rs256, keys.ds128, keys.ds256]) {
      const identity = await verifier(issuer.publicKey, { allowRs64Keys: user === keys.rs64 }).verify(bundle({ issuerKey: issuer.privateKey, userKey: user, claims: { 'fxa-generation': 12 } }))
      assert.equal(identity.email, 'alice@example.com')
      assert.equal(identity.issuer, ISSUER)
      assert.equal(identity.expiresAt, NOW + 60_000)
      assert.equal(identity.idpClaims['fxa-generation'], 12)
    }
  }
})

test('audiences compare scheme, host and port', async () => {
  const v = verifier()
  assert.equal((await v.verify(bundle({ aud: 'https://TOKEN.example.com:443' }))).email, 'alice@example.com')
  for (const aud of ['http://token.example.com', 'https://token.example.com:8443', 'https://other.example.com', 'token.example.com', '']) {
    await assert.rejects(v.verify(bundle({ aud })), { code: 'ERR_TOKEN_INVALID' }, aud)
  }
})

test('expired assertion and expired certificate are TokenExpired (invalid-timestamp)', async () => {
  const v = verifier()
  await assert.rejects(v.verify(bundle({ exp: NOW - 1 })), { code: 'ERR_TOKEN_EXPIRED' })
  await assert.rejects(v.verify(bundle({ certExp: NOW - 1 })), { code: 'ERR_TOKEN_EXPIRED' })
  assert.ok(
    await createLocalBrowserIdVerifier({ audiences: [AUD], trustedIssuers: [{ issuer: ISSUER, publicKey: exportBrowserIdPublicKey(keys.rs256.publicKey) }], clock: () => NOW, leewayMs: 5000 }).verify(
      bundle({ exp: NOW - 1 }),
    ),
  )
})

test('untrusted issuer, wrong issuer key, tampered signature, swapped key and wrong algorithm are refused', async () => {
  const v = verifier()
  await assert.rejects(v.verify(bundle({ issuer: 'evil.example.net' })), { code: 'ERR_TOKEN_INVALID', message: /not trusted/ })
  await assert.rejects(v.verify(bundle({ issuerKey: keys.rs128.privateKey })), { code: 'ERR_TOKEN_INVALID' }, 'certificate signed by a key the issuer does not own')
  const good = bundle()
  const [cert, assertion] = good.split('~') as [string, string]
  const sig = Buffer.from(assertion.split('.')[2]!, 'base64url')
  sig[10]! ^= 0x01
  await assert.rejects(v.verify(`${cert}~${assertion.split('.').slice(0, 2).join('.')}.${sig.toString('base64url')}`), { code: 'ERR_TOKEN_INVALID', message: /signature/ })
  const tamperedPayload = Buffer.from(JSON.stringify({ aud: AUD, exp: NOW + 3_600_000_000 })).toString('base64url')
  await assert.rejects(v.verify(`${cert}~${assertion.split('.')[0]}.${tamperedPayload}.${assertion.split('.')[2]}`), { code: 'ERR_TOKEN_INVALID' })
  await assert.rejects(v.verify(bundle({ userKey: keys.rs256, signWith: keys.rs128.privateKey })), { code: 'ERR_TOKEN_INVALID' }, 'assertion signed by a key the certificate does not vouch for')
  await assert.rejects(v.verify(bundle({ userKey: keys.ds128, signWith: keys.ds256.privateKey })), { code: 'ERR_TOKEN_INVALID' })
  // Header claims RS128 while the certified key is RS256; and DS256 header on an RSA signature.
  for (const alg of ['RS128', 'DS256', 'none', 'HS256']) {
    const header = Buffer.from(JSON.stringify({ alg })).toString('base64url')
    const body = Buffer.from(JSON.stringify({ aud: AUD, exp: NOW + 60_000 })).toString('base64url')
    const signature = cryptoSign('sha256', Buffer.from(`${header}.${body}`), keys.rs256.privateKey).toString('base64url')
    await assert.rejects(v.verify(`${cert}~${header}.${body}.${signature}`), { code: 'ERR_TOKEN_INVALID', message: /alg/ }, alg)
  }
})

test('malformed bundles and bad emails are TokenInvalid, never anything else', async () => {
  const v = verifier()
  const good = bundle()
  const cases = ['', 'a', 'a~b', 'a~b~c', '~', good.split('~')[1]!, good.replace('~', '~~'), 'x.y.z~x.y.z', good + '~', 'a'.repeat(20_000), good.split('~')[0]! + '~' + 'e30.e30.']
  for (const junk of cases) await assert.rejects(v.verify(junk), { code: 'ERR_TOKEN_INVALID' }, junk.slice(0, 30))
  for (const email of ['no-at-sign', 'two@@example.com', 'sp ace@example.com']) {
    await assert.rejects(v.verify(bundle({ email })), { code: 'ERR_TOKEN_INVALID', message: /email/ }, email)
  }
})

test('configuration errors name the key', () => {
  assert.throws(() => createLocalBrowserIdVerifier({ audiences: [], trustedIssuers: [] }), { code: 'ERR_CONFIG_INVALID', message: /audiences/ })
  assert.throws(() => createLocalBrowserIdVerifier({ audiences: ['nope'], trustedIssuers: [] }), { code: 'ERR_CONFIG_INVALID', message: /audiences/ })
  assert.throws(() => createLocalBrowserIdVerifier({ audiences: [AUD], trustedIssuers: [{ issuer: 'https://x/' }] }), { code: 'ERR_CONFIG_INVALID', message: /trustedIssuers\[0\]\.issuer/ })
  assert.throws(() => createLocalBrowserIdVerifier({ audiences: [AUD], trustedIssuers: [{ issuer: 'x.com', publicKey: { algorithm: 'RS', n: '1', e: '3' } }] }), {
    code: 'ERR_CONFIG_INVALID',
    message: /publicKey/,
  })
})

test('support documents: fetched over https, cached, 503 when unreachable, untrusted when absent', async () => {
  const calls: string[] = []
  let mode: 'ok' | 'down' | 'missing' | 'slow' = 'ok'
  const fetchStub: FetchLike = async (url, init) => {
    calls.push(url)
    if (mode === 'down') throw new TypeError('fetch failed')
    if (mode === 'slow') {
      // AbortSignal.timeout's timer is unref'd; a real socket would keep the process alive, this timer stands in for it.
      await new Promise((_, reject) => {
        const socket = setTimeout(() => undefined, 5_000)
        init.signal.addEventListener('abort', () => (clearTimeout(socket), reject(init.signal.reason as Error)))
      })
    }
    if (mode === 'missing') return { status: 404, text: async () => 'not found' }
    return { status: 200, text: async () => JSON.stringify({ 'public-key': exportBrowserIdPublicKey(keys.ds256.publicKey) }) }
  }
  const v = createLocalBrowserIdVerifier({ audiences: [AUD], trustedIssuers: [{ issuer: ISSUER }], clock: () => NOW, supportDocuments: { fetch: fetchStub, timeoutMs: 50 } })
  const assertion = bundle({ issuerKey: keys.ds256.privateKey })
  assert.equal((await v.verify(assertion)).email, 'alice@example.com')
  assert.equal((await v.verify(assertion)).email, 'alice@example.com')
  assert.deepEqual(calls, [`https://${ISSUER}/.well-known/browserid`], 'fetched once, then cached')

  for (const [m, code] of [
    ['down', 'ERR_UPSTREAM_UNAVAILABLE'],
    ['slow', 'ERR_UPSTREAM_UNAVAILABLE'],
    ['missing', 'ERR_TOKEN_INVALID'],
  ] as const) {
    mode = m
    const fresh = createLocalBrowserIdVerifier({ audiences: [AUD], trustedIssuers: [{ issuer: ISSUER }], clock: () => NOW, supportDocuments: { fetch: fetchStub, timeoutMs: 50 } })
    await assert.rejects(fresh.verify(assertion), { code }, m)
  }

  mode = 'ok'
  const primary = createLocalBrowserIdVerifier({ audiences: [AUD], trustedIssuers: [], allowPrimaryIssuers: true, clock: () => NOW, supportDocuments: { fetch: fetchStub } })
  assert.equal((await primary.verify(bundle({ issuer: 'example.com', issuerKey: keys.ds256.privateKey }))).issuer, 'example.com')
  await assert.rejects(
    primary.verify(bundle({ issuer: 'other.example.org', issuerKey: keys.ds256.privateKey })),
    { code: 'ERR_TOKEN_INVALID', message: /not trusted/ },
    'a primary issuer only vouches for its own domain',
  )
})

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`, server }
}

test('remote verifier: okay, failure, down, slow and garbled answers', async () => {
  let answer: { status: number; body: string; delay?: number } = { status: 200, body: '' }
  const seen: unknown[] = []
  const { url, server } = await listen((req, res) => {
    let text = ''
    req.on('data', (chunk) => (text += chunk))
    req.on('end', () => {
      seen.push(JSON.parse(text))
      setTimeout(() => res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body), answer.delay ?? 0)
    })
  })
  try {
    const v = createRemoteBrowserIdVerifier({ url, audience: AUD, timeoutMs: 200 })
    answer = { status: 200, body: JSON.stringify({ status: 'okay', email: 'bob@example.com', audience: AUD, expires: NOW + 1000, issuer: ISSUER }) }
    const identity = await v.verify('cert~assertion')
    assert.equal(identity.email, 'bob@example.com')
    assert.deepEqual(seen[0], { assertion: 'cert~assertion', audience: AUD })
    answer = { status: 200, body: JSON.stringify({ status: 'failure', reason: 'assertion has expired' }) }
    await assert.rejects(v.verify('x~y'), { code: 'ERR_TOKEN_EXPIRED' })
    answer = { status: 400, body: JSON.stringify({ status: 'failure', reason: 'bad signature' }) }
    await assert.rejects(v.verify('x~y'), { code: 'ERR_TOKEN_INVALID' })
    answer = { status: 503, body: 'busy' }
    await assert.rejects(v.verify('x~y'), { code: 'ERR_UPSTREAM_UNAVAILABLE' })
    answer = { status: 200, body: '<html>' }
    await assert.rejects(v.verify('x~y'), { code: 'ERR_UPSTREAM_UNAVAILABLE' })
    answer = { status: 200, body: '{}', delay: 1000 }
    await assert.rejects(v.verify('x~y'), { code: 'ERR_UPSTREAM_UNAVAILABLE' }, 'slow verifier times out')
  } finally {
    server.closeAllConnections()
    server.close()
  }
  const refused = createRemoteBrowserIdVerifier({ url: 'http://127.0.0.1:1/v2', audience: AUD, timeoutMs: 500 })
  await assert.rejects(refused.verify('x~y'), { code: 'ERR_UPSTREAM_UNAVAILABLE' })
})

test('browserId auth method: scheme variants, challenge, cached verification', async () => {
  let verifications = 0
  const inner = verifier()
  const method = browserId({ verifier: { verify: (a) => (verifications++, inner.verify(a)) } })
  const request = (authorization?: string) => ({ headers: authorization === undefined ? {} : { authorization } }) as unknown as PolyRequest
  const assertion = bundle()
  for (const scheme of ['BrowserID', 'browserid', 'Browser-ID', 'BROWSER-id']) assert.equal(method.extract(request(`${scheme} ${assertion}`)), assertion, scheme)
  assert.equal(method.extract(request('Bearer abc')), undefined)
  assert.equal(method.extract(request()), undefined)
  assert.equal(method.extract(request('BrowserID')), '')
  assert.equal(method.extract(request('BrowserIDx abc')), undefined)
  assert.equal(method.challenge(), 'BrowserID')
  // The cache on the verifier's clock, as a runtime gives both its own: on the real clock the assertion (expiring at
  // NOW + 60 s, in 2023) would be cached for the 1 ms floor, and the repeated use would depend on the machine's speed.
  const services = { cache: createVerificationCache({ clock: () => NOW }) } as unknown as DialectServices
  const context = { request: request(), services }
  const [a, b] = await Promise.all([method.verify(assertion, context), method.verify(assertion, context)])
  assert.equal(a.email, 'alice@example.com')
  assert.equal(b.kind, 'browserid')
  await method.verify(assertion, context)
  assert.equal(verifications, 1, 'one verification for concurrent and repeated uses')
  await assert.rejects(method.verify('', context), { code: 'ERR_TOKEN_INVALID' })
})

// Keep the private-key import path covered: an issuer key loaded from PEM signs the same way.
test('issuer keys loaded from PEM sign certificates that verify', async () => {
  const pem = keys.ds128.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string
  const loaded = createPrivateKey(pem)
  assert.ok(await verifier(keys.ds128.publicKey).verify(bundle({ issuerKey: loaded })))
})

test('an RS key with an absurd public exponent is refused before any verification', () => {
  const json = exportBrowserIdPublicKey(keys.rs256.publicKey) as { algorithm: 'RS'; n: string; e: string }
  for (const e of ['1', '65536', (2n ** 64n + 1n).toString(), '9'.repeat(600)]) {
    assert.throws(() => importBrowserIdPublicKey({ ...json, e }), /exponent|decimal/, e.slice(0, 10))
  }
  assert.equal(importBrowserIdPublicKey({ ...json, e: '3' }).algorithm, 'RS256')
})
