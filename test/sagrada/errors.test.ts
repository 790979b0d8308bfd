import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import request from 'supertest'
import type express from 'express'
import type { PolytokenRouter } from '@polytoken/express'
import { assertion, createApp, userKeys, type Clock } from './fixture.js'

let app: express.Express
let router: PolytokenRouter
let clock: Clock

before(async () => {
  ;({ app, router, clock } = await createApp())
})
after(() => router.close())

const get = (auth?: string, path = '/1.0/sync/1.5') => {
  const req = request(app).get(path)
  return auth === undefined ? req : req.set('authorization', auth)
}

/** Every error: the Cornice envelope, JSON, X-Timestamp. */
function assertEnvelope(res: request.Response, status: number, statusString: string, where?: { location?: string; name?: string; description?: string | RegExp }) {
  assert.equal(res.status, status, JSON.stringify(res.body))
  assert.match(res.headers['content-type']!, /^application\/json/)
  assert.match(res.headers['x-timestamp']!, /^\d{10}$/)
  assert.equal(res.body.status, statusString)
  assert.ok(Array.isArray(res.body.errors) && res.body.errors.length > 0)
  for (const error of res.body.errors) assert.deepEqual(Object.keys(error).sort(), ['description', 'location', 'name'])
  const first = res.body.errors[0]
  if (where?.location) assert.equal(first.location, where.location)
  if (where?.name !== undefined) assert.equal(first.name, where.name)
  if (typeof where?.description === 'string') assert.equal(first.description, where.description)
  if (where?.description instanceof RegExp) assert.match(first.description, where.description)
}

/** Node joins repeated headers when parsing; the raw list shows each one. */
function challenges(res: request.Response): string[] {
  const raw = (res as unknown as { res: { rawHeaders: string[] } }).res.rawHeaders
  const out: string[] = []
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === 'www-authenticate') out.push(raw[i + 1]!)
  return out
}

test("404: unknown application and unknown version, location url, the original's descriptions", async () => {
  const auth = `BrowserID ${assertion({ now: clock.now })}`
  assertEnvelope(await get(auth, '/1.0/bookmarks/1.5'), 404, 'error', { location: 'url', name: 'application', description: 'Unsupported application' })
  assertEnvelope(await get(auth, '/1.0/sync/9.9'), 404, 'error', { location: 'url', name: '9.9', description: 'Unsupported application version' })
  assertEnvelope(await get(undefined, '/1.0/bookmarks/1.5'), 404, 'error', { location: 'url' })
})

test('401 without credentials: status "error", one WWW-Authenticate header per scheme', async () => {
  const res = await get()
  assertEnvelope(res, 401, 'error', { description: 'Unauthorized' })
  assert.deepEqual(challenges(res), ['BrowserID'])
  const foreign = await get('Basic YTpi')
  assertEnvelope(foreign, 401, 'error')
  assert.deepEqual(challenges(foreign), ['BrowserID'])
})

test('401 invalid-credentials: garbage, tampered, untrusted issuer, wrong audience, swapped key', async () => {
  const sig = assertion({ now: clock.now })
  const tampered = sig.slice(0, -3) + (sig.endsWith('AAA') ? 'BBB' : 'AAA')
  const rogueIssuer = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
  const cases: Record<string, string> = {
    'empty assertion': 'BrowserID',
    garbage: 'BrowserID a~b~c',
    'not a bundle': 'BrowserID abc',
    tampered: `BrowserID ${tampered}`,
    'untrusted issuer': `BrowserID ${assertion({ now: clock.now, issuer: 'evil.example.net' })}`,
    'issuer name, another key': `BrowserID ${assertion({ now: clock.now, issuerKey: rogueIssuer })}`,
    'wrong audience': `BrowserID ${assertion({ now: clock.now, audience: 'https://evil.example.net' })}`,
    'swapped key': `BrowserID ${assertion({ now: clock.now, user: userKeys.ds128, signWith: userKeys.rs128.privateKey })}`,
    'bad email': `BrowserID ${assertion({ now: clock.now, email: 'not-an-email' })}`,
  }
  for (const [name, auth] of Object.entries(cases)) {
    const res = await get(auth)
    assertEnvelope(res, 401, 'invalid-credentials')
    assert.deepEqual(challenges(res), ['BrowserID'], name)
  }
})

test('401 invalid-timestamp: expired assertion, expired certificate', async () => {
  assertEnvelope(await get(`BrowserID ${assertion({ now: clock.now, assertionTtlMs: -1 })}`), 401, 'invalid-timestamp')
  assertEnvelope(await get(`BrowserID ${assertion({ now: clock.now, certTtlMs: -1 })}`), 401, 'invalid-timestamp')
})

test('X-Client-State: a new value moves the user to a new uid, an old one is refused, a malformed one is a 400', async () => {
  const auth = () => `BrowserID ${assertion({ now: clock.now, email: 'carol@example.com' })}`
  const withState = (state?: string) => (state === undefined ? get(auth()) : get(auth()).set('x-client-state', state))
  const first = await withState('aaaa')
  assert.equal(first.status, 200)
  assert.equal((await withState('aaaa')).body.uid, first.body.uid)
  const moved = await withState('bbbb')
  assert.equal(moved.status, 200)
  assert.notEqual(moved.body.uid, first.body.uid)
  assert.equal(moved.body.api_endpoint.split('/1.5/')[0], first.body.api_endpoint.split('/1.5/')[0], 'same node')
  assertEnvelope(await withState('aaaa'), 401, 'invalid-client-state')
  assertEnvelope(await withState(), 401, 'invalid-client-state', undefined)
  assert.equal((await withState('bbbb')).body.uid, moved.body.uid)
  for (const bad of ['has space', 'x'.repeat(33), 'ünï', 'a/b']) {
    assertEnvelope(await withState(bad), 400, 'error', { location: 'header', name: 'X-Client-State', description: 'Invalid client state value' })
  }
})

test('generation numbers: newer is recorded, older is invalid-generation, non-integer is refused', async () => {
  const auth = (generation: unknown) => `BrowserID ${assertion({ now: clock.now, email: 'dave@example.com', claims: { 'fxa-generation': generation } })}`
  assert.equal((await get(auth(5))).status, 200)
  assert.equal((await get(auth(7))).status, 200)
  assertEnvelope(await get(auth(6)), 401, 'invalid-generation')
  assertEnvelope(await get(auth('7')), 401, 'invalid-generation')
  // With generations in play, the client state changes only along with a new generation.
  assertEnvelope(await get(auth(7)).set('x-client-state', 'cafe'), 401, 'invalid-client-state')
  assert.equal((await get(auth(8)).set('x-client-state', 'cafe')).status, 200)
})

test('405 with Allow, in the envelope', async () => {
  const res = await request(app).post('/1.0/sync/1.5').send({})
  assertEnvelope(res, 405, 'error')
  assert.match(res.headers.allow!, /GET/)
})

test('406 when Accept rules out application/json; JSON, wildcards and no Accept pass', async () => {
  const auth = `BrowserID ${assertion({ now: clock.now })}`
  for (const accept of ['text/html', 'application/json;q=0, */*', 'text/*']) {
    assertEnvelope(await get(auth).set('accept', accept), 406, 'error', { location: 'header', name: 'Accept' })
  }
  assertEnvelope(await get().set('accept', 'text/html'), 406, 'error')
  for (const accept of ['application/json', '*/*', 'application/*', 'text/html, application/json;q=0.1']) {
    assert.equal((await get(auth).set('accept', accept)).status, 200, accept)
  }
})

test('never a 5xx for hostile input', async () => {
  const hostile = [
    'BrowserID ' + 'a'.repeat(12_000),
    'BrowserID ' + '~'.repeat(50),
    'BrowserID ' + Buffer.from('{"alg":"none"}').toString('base64url') + '.e30.~' + Buffer.from('{"alg":"none"}').toString('base64url') + '.e30.',
    'Browser-ID %%%%',
    'Bearer x.y.z',
  ]
  for (const auth of hostile) {
    const res = await get(auth)
    assert.ok(res.status >= 400 && res.status < 500, `${auth.slice(0, 30)} → ${res.status}`)
    assert.equal(typeof res.body.status, 'string')
  }
  const res = await request(app).get('/1.0/%zz/1.5')
  assert.ok(res.status >= 400 && res.status < 500)
})
