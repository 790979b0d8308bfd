import { test } from 'node:test'
import assert from 'node:assert/strict'
import request from 'supertest'
import { createHmac, hkdfSync } from 'node:crypto'
import { createTokenlib } from '../../packages/plugins/src/sagrada/tokenlib.js'
import { AUDIENCE, NODE_A, NODE_B, SECRET_A, SECRET_B, assertion, createApp, userKeys } from './fixture.js'

const get = (app: Parameters<typeof request>[0], auth: string, path = '/1.0/sync/1.5') => request(app).get(path).set('authorization', auth)

test("a BrowserID assertion buys the document's token answer, plus hashalg, hashed_fxa_uid, node_type and X-Timestamp", async () => {
  const { app, router, clock } = await createApp()
  try {
    const res = await get(app, `BrowserID ${assertion({ now: clock.now })}`)
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.match(res.headers['content-type']!, /^application\/json/)
    assert.equal(res.headers['x-timestamp'], String(Math.floor(clock.now / 1000)))
    assert.deepEqual(Object.keys(res.body).sort(), ['api_endpoint', 'duration', 'hashalg', 'hashed_fxa_uid', 'id', 'key', 'node_type', 'uid'])
    const { id, key, uid, api_endpoint, duration, hashalg, hashed_fxa_uid, node_type } = res.body
    assert.equal(duration, 300)
    assert.equal(hashalg, 'sha256')
    assert.ok(Number.isSafeInteger(uid) && uid > 0)
    assert.match(hashed_fxa_uid, /^[0-9a-f]{32}$/)
    const node = api_endpoint.startsWith(NODE_A) ? NODE_A : NODE_B
    assert.equal(api_endpoint, `${node}/1.5/${uid}`)
    assert.equal(node_type, node === NODE_A ? 'spanner' : 'mysql')
    // The node checks the token with its own secret, as a storage node would.
    const lib = createTokenlib({ secrets: node === NODE_A ? SECRET_A : SECRET_B, clock: () => clock.now })
    const payload = lib.parse(id)
    assert.equal(payload.uid, uid)
    assert.equal(payload.node, node)
    assert.equal(payload.expires, Math.floor(clock.now / 1000) + 300)
    assert.equal(payload.fxa_uid, 'alice')
    assert.equal(payload.hashed_fxa_uid, hashed_fxa_uid)
    // The metrics hashes (first node secret → HKDF key → HMAC, 32 hex), computed here independently.
    const metricsKey = Buffer.from(hkdfSync('sha256', SECRET_A, Buffer.alloc(0), 'polytoken/sagrada/metrics-hash', 32))
    const metrics = (value: string) => createHmac('sha256', metricsKey).update(value).digest('hex').slice(0, 32)
    assert.equal(hashed_fxa_uid, metrics('alice'))
    assert.equal(payload.hashed_device_id, metrics('alicenone'))
    const again = await get(app, `BrowserID ${assertion({ now: clock.now })}`)
    assert.equal(again.body.hashed_fxa_uid, hashed_fxa_uid, 'the same for every token of the user')
    assert.equal(lib.derivedSecret(id), key)
    assert.match(id, /^[A-Za-z0-9_-]+={0,2}$/)
    assert.equal(id.length % 4, 0, 'tokenlib keeps the base64 padding')
  } finally {
    await router.close()
  }
})

test('same email → same uid on every call, whatever the scheme spelling or key family; another email → another uid', async () => {
  const { app, router, clock } = await createApp()
  try {
    const uids = new Set<number>()
    for (const [scheme, user] of [
      ['BrowserID', userKeys.ds128],
      ['browserid', userKeys.rs128],
      ['Browser-ID', userKeys.ds128],
      ['BROWSER-ID', userKeys.rs128],
    ] as const) {
      const res = await get(app, `${scheme} ${assertion({ now: clock.now, user })}`)
      assert.equal(res.status, 200, scheme)
      uids.add(res.body.uid)
    }
    assert.equal(uids.size, 1)
    const bob = await get(app, `BrowserID ${assertion({ now: clock.now, email: 'bob@example.com' })}`)
    assert.equal(bob.status, 200)
    assert.ok(!uids.has(bob.body.uid))
    const other = await get(app, `BrowserID ${assertion({ now: clock.now })}`, '/1.0/sync/2.0')
    assert.equal(other.status, 200)
    assert.equal(other.body.api_endpoint, `${NODE_B}/sync-2.0/${other.body.uid}`, '{service} is application-version')
  } finally {
    await router.close()
  }
})

test('?duration= may shorten the token, never lengthen it; a non-integer is a 400', async () => {
  const { app, router, clock } = await createApp()
  try {
    const auth = `BrowserID ${assertion({ now: clock.now })}`
    assert.equal((await get(app, auth, '/1.0/sync/1.5?duration=60')).body.duration, 60)
    assert.equal((await get(app, auth, '/1.0/sync/1.5?duration=3600')).body.duration, 300)
    const bad = await get(app, auth, '/1.0/sync/1.5?duration=abc')
    assert.equal(bad.status, 400)
    assert.equal(bad.body.status, 'error')
    assert.equal(bad.body.errors[0].location, 'querystring')
    assert.equal(bad.body.errors[0].name, 'duration')
  } finally {
    await router.close()
  }
})

test('the configured duration is the default', async () => {
  const { app, router, clock } = await createApp({ durationSeconds: 3600 })
  try {
    const res = await get(app, `BrowserID ${assertion({ now: clock.now })}`)
    assert.equal(res.body.duration, 3600)
  } finally {
    await router.close()
  }
})

test('nodes fill by load and capacity; when every node is full a new user gets a 503', async () => {
  const { app, router, clock } = await createApp({
    nodes: { [NODE_A]: { capacity: 1, secrets: [SECRET_A] }, [NODE_B]: { capacity: 2, secrets: [SECRET_B] } },
  })
  try {
    const nodes: string[] = []
    for (const name of ['u1', 'u2', 'u3']) {
      const res = await get(app, `BrowserID ${assertion({ now: clock.now, email: `${name}@example.com` })}`)
      assert.equal(res.status, 200)
      nodes.push(res.body.api_endpoint.split('/1.5/')[0])
    }
    assert.deepEqual(nodes.filter((n) => n === NODE_A).length, 1)
    assert.deepEqual(nodes.filter((n) => n === NODE_B).length, 2)
    const full = await get(app, `BrowserID ${assertion({ now: clock.now, email: 'u4@example.com' })}`)
    assert.equal(full.status, 503)
    assert.ok(full.headers['retry-after'])
    assert.equal(full.body.status, 'error')
    const known = await get(app, `BrowserID ${assertion({ now: clock.now, email: 'u1@example.com' })}`)
    assert.equal(known.status, 200, 'known users keep their node')
  } finally {
    await router.close()
  }
})

test('audience check: the configured origin with an explicit default port is accepted', async () => {
  const { app, router, clock } = await createApp()
  try {
    assert.equal((await get(app, `BrowserID ${assertion({ now: clock.now, audience: `${AUDIENCE}:443` })}`)).status, 200)
  } finally {
    await router.close()
  }
})

test('/openapi.json documents the route with its path parameters and the BrowserID scheme', async () => {
  const { app, router } = await createApp()
  try {
    const res = await request(app).get('/openapi.json')
    assert.equal(res.status, 200)
    assert.ok(res.body.paths['/1.0/{app_name}/{app_version}']?.get, Object.keys(res.body.paths).join(' '))
    assert.ok(Object.values(res.body.components.securitySchemes as Record<string, { description?: string }>).some((scheme) => /BrowserID/.test(scheme.description ?? '')))
  } finally {
    await router.close()
  }
})
