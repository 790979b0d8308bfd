import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync, generatePrimeSync } from 'node:crypto'
import request from 'supertest'
import { exportBrowserIdPublicKey, signBrowserIdJws, type BrowserIdPublicKeyJson } from '@polytoken/browserid'
import { sagrada } from '@polytoken/plugins'
import { AUDIENCE, ISSUER, assertion, createApp, issuerKeys, options } from '../sagrada/fixture.js'

// Issue #13, item 3: 512-bit RSA refused unless allowed; DSA public keys checked.
const rs64 = generateKeyPairSync('rsa', { modulusLength: 512 })
const ds128 = generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 })
const RS64_REFUSED = /RSA keys of 512 bits \(RS64\) are refused as too weak; set allowRs64Keys to allow them/

const token = (app: Parameters<typeof request>[0], bundle: string) => request(app).get('/1.0/sync/1.5').set('authorization', `BrowserID ${bundle}`)

function assertInvalid(res: request.Response, description: RegExp) {
  assert.equal(res.status, 401, JSON.stringify(res.body))
  assert.match(res.headers['content-type']!, /^application\/json/)
  assert.equal(res.body.status, 'invalid-credentials')
  assert.equal(res.body.errors.length, 1)
  assert.match(res.body.errors[0].description, description)
}

test('an RS64 user key is 401 with the reason; browserid.allowRs64Keys lets it in', async () => {
  const refusing = await createApp()
  try {
    assertInvalid(await token(refusing.app, assertion({ now: refusing.clock.now, user: rs64 })), RS64_REFUSED)
  } finally {
    await refusing.router.close()
  }
  const allowing = await createApp({ browserid: { ...options().browserid, allowRs64Keys: true } })
  try {
    assert.equal((await token(allowing.app, assertion({ now: allowing.clock.now, user: rs64 }))).status, 200)
  } finally {
    await allowing.router.close()
  }
})

test('an RS64 configured issuer key stops sagrada at construction unless allowed', async () => {
  const weak = { audiences: [AUDIENCE], trustedIssuers: [{ issuer: ISSUER, publicKey: exportBrowserIdPublicKey(rs64.publicKey) }] }
  assert.throws(() => sagrada(options({ browserid: weak })), { code: 'ERR_CONFIG_INVALID', message: RS64_REFUSED })
  const { app, router, clock } = await createApp({ browserid: { ...weak, allowRs64Keys: true } })
  try {
    assert.equal((await token(app, assertion({ now: clock.now, issuerKey: rs64.privateKey }))).status, 200)
  } finally {
    await router.close()
  }
})

const good = exportBrowserIdPublicKey(ds128.publicKey) as Extract<BrowserIdPublicKeyJson, { algorithm: 'DS' }>
const P = BigInt('0x' + good.p)

test('certified DSA keys with a bad g, y or q are 401, even when the trusted issuer signed them', async () => {
  const { app, router, clock } = await createApp()
  const now = clock.now
  // An assertion that "verifies" under g = 1, y = 1 whatever it says: r = s = 1.
  const header = Buffer.from(JSON.stringify({ alg: 'DS128' })).toString('base64url')
  const body = Buffer.from(JSON.stringify({ aud: AUDIENCE, exp: now + 300_000 })).toString('base64url')
  const rs = Buffer.concat([Buffer.alloc(19), Buffer.from([1]), Buffer.alloc(19), Buffer.from([1])]).toString('base64url')
  const cases: [string, Partial<typeof good>, RegExp][] = [
    ['g = 1, y = 1', { g: '1', y: '1' }, /g must satisfy 1 < g < p/],
    ['g = p', { g: good.p }, /g must satisfy 1 < g < p/],
    ['g of the wrong order', { g: (P - 1n).toString(16) }, /g does not generate a subgroup of order q/],
    ['y = 1', { y: '1' }, /y must satisfy 1 < y < p/],
    ['y outside the subgroup', { y: (P - 1n).toString(16) }, /y is not in the subgroup of g/],
    ['q does not divide p-1', { q: generatePrimeSync(160, { bigint: true }).toString(16) }, /q does not divide p-1/],
  ]
  try {
    for (const [name, change, description] of cases) {
      const cert = signBrowserIdJws({ iss: ISSUER, iat: now - 1000, exp: now + 3_600_000, 'public-key': { ...good, ...change }, principal: { email: 'alice@example.com' } }, issuerKeys.privateKey)
      const res = await token(app, `${cert}~${header}.${body}.${rs}`)
      assertInvalid(res, description)
      assert.ok(res.body.errors[0].description.startsWith('certificate: DS public-key is invalid'), name)
    }
  } finally {
    await router.close()
  }
})
