import { test } from 'node:test'
import assert from 'node:assert/strict'
import { memoryStore } from '../storage/memory-store.js'
import { createJwtSigner, createJwtVerifier } from '../tokens/jwt.js'
import { createKeyRingAdmin } from './key-admin.js'
import { openKeyRing, type KeyRingOptions } from './keyring.js'
import { seal } from './seal.js'
import type { Store } from '../storage/store.js'

const masterKey = 'test-master-key-test-master-key!'
const exp = () => Math.floor(Date.now() / 1000) + 60

/** A ring as a dialect sees it and its admin, on a store and a clock of the test's own. */
async function open(store: Store, options: Partial<KeyRingOptions> = {}, clock = { now: 1_000_000 }) {
  const opened = await openKeyRing({ name: 'k', algorithm: 'ES256', ...options }, { store, masterKey, now: () => clock.now })
  return { opened, ring: opened.ring, admin: createKeyRingAdmin('d', opened, 10_000), clock }
}

test('generate → promote → retire: next is published and accepted, then signs; the old key verifies until retired', async () => {
  const store = memoryStore().namespace('d')
  const { ring, admin, clock } = await open(store)
  const signer = createJwtSigner(ring)
  const verify = createJwtVerifier(ring)
  const oldKid = ring.active.kid
  const oldToken = signer.sign({ exp: exp() })

  const next = await admin.generate()
  assert.equal(next.state, 'next')
  assert.equal(ring.active.kid, oldKid, 'a next key does not sign')
  assert.deepEqual(
    ring.publicJwks().map((jwk) => jwk.kid),
    [oldKid, next.kid],
    'the JWKS publishes both',
  )
  assert.ok(
    ring.publicJwks().every((jwk) => jwk.d === undefined),
    'no private part in the JWKS',
  )

  await assert.rejects(admin.promote(next.kid), { code: 'ERR_KEY_ROTATION_REFUSED' }, 'a key younger than the refresh interval is not promoted')
  clock.now += 10_000
  const promoted = await admin.promote(next.kid)
  assert.equal(promoted.state, 'active')
  assert.equal(ring.active.kid, next.kid)
  const newToken = signer.sign({ exp: exp() })
  assert.equal(JSON.parse(Buffer.from(newToken.split('.')[0]!, 'base64url').toString()).kid, next.kid, 'the same signer now signs with the new key')
  await verify(oldToken)
  await verify(newToken)
  assert.deepEqual(
    (await admin.list()).map((key) => [key.kid, key.state]),
    [
      [next.kid, 'active'],
      [oldKid, 'previous'],
    ],
  )

  await assert.rejects(admin.retire(next.kid), /active signing key/, 'the active key is never retired')
  await admin.retire(oldKid)
  await assert.rejects(verify(oldToken), { code: 'ERR_TOKEN_INVALID' }, 'a retired key verifies nothing')
  await verify(newToken)
  assert.deepEqual(
    ring.publicJwks().map((jwk) => jwk.kid),
    [next.kid],
  )
})

test('a second instance sees a rotation when it re-reads the store, and keeps its keys when the read fails', async () => {
  const backend = memoryStore()
  const a = await open(backend.namespace('d'))
  const b = await open(backend.namespace('d'))
  assert.equal(a.ring.active.kid, b.ring.active.kid, 'both load the one generated key')
  const next = await a.admin.generate()
  assert.equal(b.ring.find(next.kid), undefined, 'not before b re-reads')
  assert.equal(await b.opened.stored!.refresh(), true)
  assert.ok(b.ring.find(next.kid), 'b accepts the next key after its refresh')
  assert.equal(await b.opened.stored!.refresh(), false, 'nothing changed: no change reported')
  const keysBefore = b.ring.keys
  await b.opened.stored!.refresh()
  assert.equal(b.ring.keys, keysBefore, 'an unchanged ring keeps its keys array (verifiers keep their index)')

  await backend.namespace('d').set('keyring:k:ES256', { version: 2, algorithm: 'ES256', keys: 'broken' })
  await assert.rejects(b.opened.stored!.refresh(), { code: 'ERR_KEY_INVALID' })
  assert.ok(b.ring.find(next.kid), 'a failed read keeps the current ring')
})

test('a record from before rings rotated loads as the active key and is rewritten (bound) at the first rotation', async () => {
  const store = memoryStore().namespace('d')
  const { ring: first, opened } = await open(store)
  const token = createJwtSigner(first).sign({ exp: exp() })
  // The old one-key shape, sealed unbound (v1), as polytoken wrote it before.
  const jwk = JSON.stringify(opened.stored!.current[0]!.key.signingKey!.export({ format: 'jwk' }))
  await store.set('keyring:k:ES256', { kid: first.active.kid, algorithm: 'ES256', createdAt: 5, sealed: seal(masterKey, jwk) })

  const { ring, admin, clock } = await open(store)
  assert.equal(ring.active.kid, first.active.kid, 'the existing key stays the active key')
  await createJwtVerifier(ring)(token)
  assert.deepEqual(await store.get('keyring:k:ES256').then((record) => Object.keys(record as object).sort()), ['algorithm', 'createdAt', 'kid', 'sealed'], 'reading does not rewrite the record')

  const next = await admin.generate()
  const record = (await store.get('keyring:k:ES256')) as { version: number; keys: Array<{ kid: string; state: string; sealed: string; createdAt: number }> }
  assert.equal(record.version, 2)
  assert.deepEqual(
    record.keys.map((key) => [key.kid, key.state, key.sealed.slice(0, 3)]),
    [
      [first.active.kid, 'active', 'v2.'],
      [next.kid, 'next', 'v2.'],
    ],
  )
  assert.equal(record.keys[0]!.createdAt, 5, 'the old key keeps its date')
  clock.now += 10_000
  await admin.promote(next.kid)
  await createJwtVerifier(ring)(token)
})

test('races: 20 parallel generates leave one next key; 20 parallel promotes leave exactly one active key', async () => {
  const backend = memoryStore()
  const admins = await Promise.all(Array.from({ length: 4 }, () => open(backend.namespace('d'))))
  const generated = await Promise.allSettled(Array.from({ length: 20 }, (_, index) => admins[index % 4]!.admin.generate()))
  assert.equal(generated.filter((result) => result.status === 'fulfilled').length, 1, 'one generate wins')
  for (const result of generated) if (result.status === 'rejected') assert.match(String(result.reason), /already waiting as next/)

  const keys = await admins[0]!.admin.list()
  const next = keys.find((key) => key.state === 'next')!
  const old = keys.find((key) => key.state === 'active')!
  for (const { clock } of admins) clock.now += 10_000
  // Promotes of the next key and roll-backs to the old one, racing from four processes' admins.
  const promoted = await Promise.allSettled(Array.from({ length: 20 }, (_, index) => admins[index % 4]!.admin.promote(index % 2 ? next.kid : old.kid)))
  assert.ok(promoted.every((result) => result.status === 'fulfilled'))
  const after = await admins[1]!.admin.list()
  assert.equal(after.filter((key) => key.state === 'active').length, 1)
  assert.equal(after.length, 2, 'no key lost or duplicated')
})

test('a ring signing with a configured key is listed as configured and refuses rotation', async () => {
  const store = memoryStore().namespace('d')
  const { admin } = await open(store, { algorithm: 'HS256', keys: [{ secret: 'a-configured-secret-of-32-bytes!!', kid: 'conf' }], path: 'prodmanager.keys' })
  assert.equal(admin.rotatable, false)
  assert.deepEqual(
    (await admin.list()).map((key) => [key.kid, key.state, key.use]),
    [['conf', 'configured', 'sign']],
  )
  for (const attempt of [admin.generate(), admin.promote('conf'), admin.retire('conf')]) {
    await assert.rejects(attempt, (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ERR_KEY_ROTATION_REFUSED')
      assert.match(error.message, /from the configuration \(prodmanager\.keys\)/)
      return true
    })
  }
  assert.equal(await store.get('keyring:k:HS256'), undefined, 'nothing generated')
})

test('configured verify-only keys sit beside the stored ones and are listed as configured', async () => {
  const store = memoryStore().namespace('d')
  const { admin, ring } = await open(store, { algorithm: 'HS256', keys: [{ secret: 'an-old-verify-only-secret-32-bytes', kid: 'old', use: 'verify' }] })
  assert.equal(admin.rotatable, true)
  assert.deepEqual(
    (await admin.list()).map((key) => key.state),
    ['active', 'configured'],
  )
  assert.ok(ring.find('old'))
  await assert.rejects(admin.retire('old'), { code: 'ERR_KEY_ROTATION_REFUSED' }, 'a configured key is not in the stored ring')
})

test('promote and retire of an unknown kid are refused as not found; promoting the active key changes nothing', async () => {
  const store = memoryStore().namespace('d')
  const { admin, ring } = await open(store)
  await assert.rejects(admin.promote('nope'), (error: Error & { notFound?: boolean }) => error.notFound === true)
  await assert.rejects(admin.retire('nope'), (error: Error & { notFound?: boolean }) => error.notFound === true)
  const before = await store.get('keyring:k:ES256')
  assert.equal((await admin.promote(ring.active.kid)).state, 'active')
  assert.deepEqual(await store.get('keyring:k:ES256'), before)
})

test('--force promotes a young key; a previous key can be promoted back at once (roll-back)', async () => {
  const store = memoryStore().namespace('d')
  const { admin, ring } = await open(store)
  const old = ring.active.kid
  const next = await admin.generate()
  await admin.promote(next.kid, { force: true })
  assert.equal(ring.active.kid, next.kid)
  await admin.promote(old)
  assert.equal(ring.active.kid, old)
})
