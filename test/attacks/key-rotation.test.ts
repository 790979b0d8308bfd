/**
 * Key rotation (polytoken keys): what an attacker tries once rings hold several keys. A retired key verifies
 * nothing; a JWKS never holds a private part; a `kid` names a key only within its own ring and algorithm (a forged
 * kid of a `next` key, another ring's key, HS256 keyed with a published ES256 key); and someone who can write the
 * store cannot move a sealed key to another ring, rename it, or slip in an unbound (v1) one.
 */
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { createHmac, randomUUID } from 'node:crypto'
import express from 'express'
import request from 'supertest'
import { polytoken, type PolytokenRouter } from '@polytoken/express'
import { createJwtSigner, defineDialect, defineRoute, memoryStore, silentLogger, type KeyRingAdmin, type Store } from '@polytoken/core'
import { crew, prodmanager } from '@polytoken/plugins'

const SECRET = 'changeit'
const ISSUER = 'prodmanager-rotation-attack'

/** Another HS256 ring in another dialect, signing prodmanager-shaped claims: what a key confused across rings would forge. */
const other = defineDialect({
  name: 'other',
  errorSchema: { type: 'object' },
  async setup(services) {
    const signer = createJwtSigner(await services.keyRing({ name: 'signing', algorithm: 'HS256' }))
    return {
      routes: [defineRoute({ method: 'POST', path: '/other/sign', handle: () => ({ status: 200, body: { token: signer.sign(prodmanagerClaims()) } }) })],
      renderError: (error) => ({ status: error.status, body: { error: error.code } }),
    }
  },
})

function prodmanagerClaims() {
  const now = Math.floor(Date.now() / 1000)
  return { iss: ISSUER, aud: 'attack-app', sub: 'forged', jti: randomUUID(), nbf: now - 1, iat: now - 1, exp: now + 600, version: 1, permissions: [1] }
}

/** An HS256 token with the header the attacker chooses, keyed with the bytes they choose. */
function hs256(header: Record<string, unknown>, key: Buffer | string): string {
  const input = `${Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'HS256', ...header })).toString('base64url')}.${Buffer.from(JSON.stringify(prodmanagerClaims())).toString('base64url')}`
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`
}

describe('attacks: key rotation', async () => {
  const backend = memoryStore()
  const router: PolytokenRouter = await polytoken({
    dialects: [
      { dialect: prodmanager({ secret: SECRET, issuer: ISSUER, permissions: { scope_api: 1 } }), prefix: '/api' },
      other,
      crew({ issuer: 'rotation-crew', service: 'registry.test', users: {}, policy: [] }),
    ],
    store: backend,
    masterKey: 'key-rotation-attack-master-key-0123456789',
    logger: silentLogger,
  })
  const app = express().use(router)
  after(() => router.close())
  const ring = (dialect: string): KeyRingAdmin => router.runtime.keyRings().find((candidate) => candidate.dialect === dialect)!
  const create = async () =>
    (await request(app).post('/api/token/create').field('secret', SECRET).field('name', 'attack-app').field('description', 'rotation attack').field('permission', 'scope_api')).text
  const whoami = (token: string) => request(app).get('/api/token/whoami').set('authorization', `Bearer ${token}`)
  const kidOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid
  const namespace = (name: string): Store => backend.namespace(name)

  it('a token signed by a retired key is refused, even when it was verified (and cached) before the retirement', async () => {
    const old = await create()
    assert.equal((await whoami(old)).status, 200)
    const next = await ring('prodmanager').generate()
    await ring('prodmanager').promote(next.kid, { force: true })
    assert.equal((await whoami(old)).status, 200, 'previous keys still verify')
    await ring('prodmanager').retire(kidOf(old))
    assert.equal((await whoami(old)).status, 401)
    assert.equal((await whoami(await create())).status, 200)
  })

  it('no JWKS ever holds a private part or an HS256 key, whatever the rotation state', async () => {
    const jwks = async () => (await request(app).get('/.well-known/jwks.json')).body as { keys: Array<Record<string, unknown>> }
    const states: string[][] = []
    const check = async () => {
      const { keys } = await jwks()
      states.push(keys.map((key) => String(key.kid)))
      for (const key of keys) {
        assert.equal(key.d, undefined)
        assert.equal(key.k, undefined)
        assert.equal(key.kty, 'EC', 'only crew publishes, never an HS256 ring')
      }
    }
    await ring('other').generate()
    const next = await ring('crew').generate()
    await check()
    const old = (await ring('crew').list()).find((key) => key.state === 'active')!.kid
    await ring('crew').promote(next.kid, { force: true })
    await check()
    await ring('crew').retire(old)
    await check()
    assert.deepEqual(
      states.map((kids) => kids.length),
      [2, 2, 1],
    )
  })

  it('a forged kid: naming a next key, another ring’s key, or HS256 keyed with a published ES256 key, is refused', async () => {
    const nextKey = (await ring('prodmanager').list()).find((key) => key.state === 'next') ?? (await ring('prodmanager').generate())
    // The next key accepts only its own signatures: a token keyed with anything else and naming it is refused.
    assert.equal((await whoami(hs256({ kid: nextKey.kid }, SECRET))).status, 401)
    assert.equal((await whoami(hs256({ kid: nextKey.kid }, ''))).status, 401)

    // A genuine token of another HS256 ring (its active, then its next key) is not accepted by prodmanager.
    const otherToken = (await request(app).post('/other/sign')).body.token as string
    assert.equal((await whoami(otherToken)).status, 401)
    const otherNext = (await ring('other').list()).find((key) => key.state === 'next') ?? (await ring('other').generate())
    await ring('other').promote(otherNext.kid, { force: true })
    const otherNextToken = (await request(app).post('/other/sign')).body.token as string
    assert.equal(kidOf(otherNextToken), otherNext.kid)
    assert.equal((await whoami(otherNextToken)).status, 401)

    // HS/ES confusion: crew's published key (JWK JSON or its coordinates) as the HMAC secret, under crew's kid.
    const crewNext = await ring('crew').generate()
    const { keys } = (await request(app).get('/.well-known/jwks.json')).body as { keys: Array<Record<string, string>> }
    const published = keys.find((key) => key.kid === crewNext.kid)!
    for (const secret of [JSON.stringify(published), Buffer.from(published.x!, 'base64url')]) {
      assert.equal((await whoami(hs256({ kid: crewNext.kid }, secret))).status, 401)
    }
  })

  it('a store writer cannot move a sealed key to another ring, rename it, or slip in an unbound v1 key', async () => {
    type Record = { version: number; algorithm: string; keys: Array<{ kid: string; state: string; sealed: string; createdAt: number; changedAt: number }> }
    const prodRecord = (await namespace('prodmanager').get<Record>('keyring:signing:HS256'))!
    const otherRecord = (await namespace('other').get<Record>('keyring:signing:HS256'))!
    const otherActive = otherRecord.keys.find((key) => key.state === 'active')!
    const prodActive = prodRecord.keys.find((key) => key.state === 'active')!
    const forgedBy = (await request(app).post('/other/sign')).body.token as string
    assert.equal(kidOf(forgedBy), otherActive.kid)

    const tamper = async (keys: Record['keys']) => {
      await namespace('prodmanager').set('keyring:signing:HS256', { ...prodRecord, keys })
      await router.runtime.refreshKeys()
    }
    const moved = { ...otherActive, state: 'previous' }
    const attempts: Array<[string, Record['keys']]> = [
      ['another ring’s sealed key, under its own kid', [prodActive, moved]],
      ['another ring’s sealed key, as the active key', [{ ...otherActive }]],
      ['a key of this ring renamed', [prodActive, { ...prodActive, kid: otherActive.kid, state: 'previous' }]],
      ['an unbound (v1) sealed blob in a ring', [prodActive, { ...moved, sealed: `v1.${moved.sealed.slice(3)}` }]],
    ]
    for (const [what, keys] of attempts) {
      await tamper(keys)
      assert.equal((await whoami(forgedBy)).status, 401, what)
    }
    // The ring kept its keys through the bad reads: tokens of its own still verify.
    await namespace('prodmanager').set('keyring:signing:HS256', prodRecord)
    await router.runtime.refreshKeys()
    assert.equal((await whoami(await create())).status, 200)
  })
})
