import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, generateKeyPairSync } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import request from 'supertest'
import { createBrowserIdAssertion, createBrowserIdCertificate } from '@polytoken/browserid'
import type { PolytokenRouter } from '@polytoken/express'
import { AUDIENCE, ISSUER, assertion, createApp, issuerKeys, userKeys } from '../sagrada/fixture.js'

// Issue #13, item 1: `cert1~cert2~assertion` where cert1 is the attacker's own certificate from
// the trusted issuer and cert2, signed with the attacker's own user key, names the victim.
const CHAIN_REFUSED = 'certificate chains are not accepted: exactly one certificate'
const VICTIM = 'victim@example.com'
const attackerKeys = generateKeyPairSync('rsa', { modulusLength: 1024 })
const forgedKeys = generateKeyPairSync('rsa', { modulusLength: 1024 })

const token = (app: Parameters<typeof request>[0], bundle: string, clientState?: string) => {
  const req = request(app).get('/1.0/sync/1.5').set('authorization', `BrowserID ${bundle}`)
  return clientState ? req.set('x-client-state', clientState) : req
}

function forgedChain(now: number, claims: Record<string, unknown>) {
  const cert1 = createBrowserIdCertificate({
    issuer: ISSUER,
    issuerKey: issuerKeys.privateKey,
    email: 'attacker@example.com',
    publicKey: attackerKeys.publicKey,
    issuedAt: now - 1000,
    expiresAt: now + 3_600_000,
  })
  const cert2 = createBrowserIdCertificate({
    issuer: ISSUER,
    issuerKey: attackerKeys.privateKey,
    email: VICTIM,
    publicKey: forgedKeys.publicKey,
    issuedAt: now - 1000,
    expiresAt: now + 3_600_000,
    claims,
  })
  return createBrowserIdAssertion({ certificates: [cert1, cert2], userKey: forgedKeys.privateKey, audience: AUDIENCE, expiresAt: now + 300_000 })
}

function assertChainRefused(res: request.Response) {
  assert.equal(res.status, 401, JSON.stringify(res.body))
  assert.match(res.headers['content-type']!, /^application\/json/)
  assert.match(res.headers['x-timestamp']!, /^\d{10}$/)
  assert.deepEqual(res.body, { status: 'invalid-credentials', errors: [{ location: 'body', name: '', description: CHAIN_REFUSED }] })
  assert.equal(res.headers['www-authenticate'], 'BrowserID')
}

/** What this test reads of sagrada's stored user record. */
interface UserRecord {
  uid: number
  generation: number
  keysChangedAt: number
  clientState: string
}

async function victimRecord(router: PolytokenRouter): Promise<UserRecord | undefined> {
  const key = `user:sync-1.5:${createHash('sha256').update(VICTIM, 'utf8').digest('base64url')}`
  return router.runtime.store.namespace('sagrada').get<UserRecord>(key)
}

test("chain forgery: 401 in the Cornice envelope, no token in the victim's name, the victim's record untouched", async () => {
  const { app, router, clock } = await createApp()
  try {
    const victim = await token(app, assertion({ now: clock.now, email: VICTIM, claims: { 'fxa-generation': 5 } }), 'aaaa')
    assert.equal(victim.status, 200)
    const before = await victimRecord(router)
    assert.equal(before?.generation, 5)

    assertChainRefused(await token(app, forgedChain(clock.now, { 'fxa-generation': 6 }), 'bbbb'))
    assert.deepEqual(await victimRecord(router), before)

    const again = await token(app, assertion({ now: clock.now, email: VICTIM, claims: { 'fxa-generation': 5 } }), 'aaaa')
    assert.equal(again.status, 200)
    assert.equal(again.body.uid, victim.body.uid)
  } finally {
    await router.close()
  }
})

test("the 2^53-1 lock-out: an attacker-made fxa-generation never reaches the victim's record", async () => {
  const { app, router, clock } = await createApp()
  try {
    assert.equal((await token(app, assertion({ now: clock.now, email: VICTIM, claims: { 'fxa-generation': 5 } }))).status, 200)
    const before = await victimRecord(router)
    for (const claims of [{ 'fxa-generation': Number.MAX_SAFE_INTEGER }, { 'fxa-generation': Number.MAX_SAFE_INTEGER, 'fxa-keysChangedAt': Number.MAX_SAFE_INTEGER }]) {
      assertChainRefused(await token(app, forgedChain(clock.now, claims)))
    }
    assert.deepEqual(await victimRecord(router), before)
    assert.equal((await victimRecord(router))?.generation, 5)
    // The real user is not locked out.
    assert.equal((await token(app, assertion({ now: clock.now, email: VICTIM, claims: { 'fxa-generation': 5 } }))).status, 200)
  } finally {
    await router.close()
  }
})

test('a chain of two certificates both signed by the trusted issuer is refused too: exactly one certificate', async () => {
  const { app, router, clock } = await createApp()
  try {
    const cert = (publicKey: typeof userKeys.rs128.publicKey) =>
      createBrowserIdCertificate({ issuer: ISSUER, issuerKey: issuerKeys.privateKey, email: VICTIM, publicKey, issuedAt: clock.now - 1000, expiresAt: clock.now + 3_600_000 })
    const chain = createBrowserIdAssertion({
      certificates: [cert(userKeys.ds128.publicKey), cert(userKeys.rs128.publicKey)],
      userKey: userKeys.rs128.privateKey,
      audience: AUDIENCE,
      expiresAt: clock.now + 300_000,
    })
    assertChainRefused(await token(app, chain))
    assert.equal(await victimRecord(router), undefined, 'no user was created')
  } finally {
    await router.close()
  }
})

test('remote verifier: a chain is refused before the verifier is asked, whatever it would say', async () => {
  const asked: string[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => (body += chunk))
    req.on('end', () => {
      asked.push(body)
      // A verifier that follows chains would vouch for the victim and pass the forged generation on.
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: 'okay', email: VICTIM, audience: AUDIENCE, expires: Date.now() + 60_000, issuer: ISSUER, idpClaims: { 'fxa-generation': Number.MAX_SAFE_INTEGER } }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`
  const { app, router, clock } = await createApp({ browserid: { audiences: [AUDIENCE], remote: { url, timeoutMs: 2000 } } })
  try {
    assertChainRefused(await token(app, forgedChain(clock.now, { 'fxa-generation': Number.MAX_SAFE_INTEGER })))
    assert.deepEqual(asked, [])
    assert.equal(await victimRecord(router), undefined)
  } finally {
    await router.close()
    server.closeAllConnections()
    server.close()
  }
})
