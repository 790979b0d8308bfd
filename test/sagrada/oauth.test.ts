import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto'
import request from 'supertest'
import type express from 'express'
import type { PolytokenRouter } from '@polytoken/express'
import { assertion, createApp, type Clock } from './fixture.js'

const SCOPE = 'https://identity.mozilla.com/apps/oldsync'
const fxa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const rogue = generateKeyPairSync('rsa', { modulusLength: 2048 })
const jwk = { ...fxa.publicKey.export({ format: 'jwk' }), kid: 'fxa-1', alg: 'RS256', use: 'sig' }

let app: express.Express
let router: PolytokenRouter
let clock: Clock

before(async () => {
  ;({ app, router, clock } = await createApp({ oauth: { jwks: { keys: [jwk] }, issuer: 'https://accounts.example.com' }, discovery: true }))
})
after(() => router.close())

function jwt(claims: Record<string, unknown>, key: KeyObject = fxa.privateKey, header: Record<string, unknown> = { alg: 'RS256', kid: 'fxa-1' }) {
  const head = Buffer.from(JSON.stringify(header)).toString('base64url')
  const body = Buffer.from(JSON.stringify({ iss: 'https://accounts.example.com', sub: 'f00d0123456789', scope: `profile ${SCOPE}`, exp: Math.floor(clock.now / 1000) + 300, ...claims })).toString(
    'base64url',
  )
  return `${head}.${body}.${cryptoSign('sha256', Buffer.from(`${head}.${body}`), key).toString('base64url')}`
}
const keyId = (keysChangedAt: number, state: string) => `${keysChangedAt}-${Buffer.from(state, 'hex').toString('base64url')}`
const call = (token: string, xKeyId?: string) => {
  const req = request(app).get('/1.0/sync/1.5').set('authorization', `Bearer ${token}`)
  return xKeyId === undefined ? req : req.set('x-keyid', xKeyId)
}

test('Bearer FxA OAuth JWT + X-KeyID → a token; the user is <sub>@api.accounts.firefox.com with the client state of X-KeyID', async () => {
  const res = await call(jwt({}), keyId(1_600_000_000_000, 'aabbccdd'))
  assert.equal(res.status, 200, JSON.stringify(res.body))
  const again = await call(jwt({}), keyId(1_600_000_000_000, 'aabbccdd'))
  assert.equal(again.body.uid, res.body.uid)
  const payload = JSON.parse(Buffer.from(res.body.id, 'base64url').subarray(0, -32).toString('utf8'))
  assert.equal(payload.fxa_uid, 'f00d0123456789')
  assert.equal(payload.fxa_kid, `1600000000000-${Buffer.from('aabbccdd', 'hex').toString('base64url')}`)
  const rotated = await call(jwt({}), keyId(1_700_000_000_000, '11223344'))
  assert.equal(rotated.status, 200)
  assert.notEqual(rotated.body.uid, res.body.uid, 'new keys, new client state: new uid')
  const back = await call(jwt({}), keyId(1_700_000_000_000, 'aabbccdd'))
  assert.equal(back.body.status, 'invalid-client-state')
  const sameKeysNewState = await call(jwt({}), keyId(1_700_000_000_000, '55667788'))
  assert.equal(sameKeysNewState.body.status, 'invalid-client-state', 'a new client state needs newer keys')
  const stale = await call(jwt({}), keyId(1_650_000_000_000, '11223344'))
  assert.equal(stale.body.status, 'invalid-keysChangedAt')
})

test('bad JWTs and missing X-KeyID are 401 with both challenges', async () => {
  const cases: Record<string, request.Test> = {
    'no X-KeyID': call(jwt({})),
    'malformed X-KeyID': call(jwt({}), 'nope'),
    'wrong scope': call(jwt({ scope: 'profile' }), keyId(1, 'aa')),
    'wrong issuer': call(jwt({ iss: 'https://evil.example.net' }), keyId(1, 'aa')),
    'signed by another key': call(jwt({}, rogue.privateKey), keyId(1, 'aa')),
    'unknown kid': call(jwt({}, fxa.privateKey, { alg: 'RS256', kid: 'other' }), keyId(1, 'aa')),
    'alg none': call(jwt({}, fxa.privateKey, { alg: 'none', kid: 'fxa-1' }).split('.').slice(0, 2).join('.') + '.', keyId(1, 'aa')),
    garbage: call('abc.def.ghi', keyId(1, 'aa')),
  }
  for (const [name, pending] of Object.entries(cases)) {
    const res = await pending
    assert.equal(res.status, 401, name)
    assert.equal(res.body.status, 'invalid-credentials', name)
    const raw = (res as unknown as { res: { rawHeaders: string[] } }).res.rawHeaders
    const challenges = raw.filter((_, i) => i % 2 === 0 && raw[i]!.toLowerCase() === 'www-authenticate').length
    assert.equal(challenges, 2, `${name}: one WWW-Authenticate per scheme`)
  }
  const expired = await call(jwt({ exp: Math.floor(clock.now / 1000) - 1 }), keyId(1, 'aa'))
  assert.equal(expired.body.status, 'invalid-timestamp')
})

test('BrowserID still works beside Bearer', async () => {
  assert.equal(
    (
      await request(app)
        .get('/1.0/sync/1.5')
        .set('authorization', `BrowserID ${assertion({ now: clock.now })}`)
    ).status,
    200,
  )
})

test('GET / lists applications, versions and accepted schemes', async () => {
  const res = await request(app).get('/').set('host', 'token.example.com')
  assert.equal(res.status, 200)
  assert.deepEqual(res.body.services, { sync: ['1.5', '2.0'] })
  assert.deepEqual(res.body.schemes, ['BrowserID', 'Bearer'])
  assert.equal(res.body.auth, 'http://token.example.com')
  assert.ok(res.headers['x-timestamp'])
})
