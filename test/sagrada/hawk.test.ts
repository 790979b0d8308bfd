import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import express from 'express'
import request from 'supertest'
import { createHawkVerifier, type HawkVerifierOptions } from '@polytoken/plugins'
import { memoryStore } from '@polytoken/core'
import { NODE_A, SECRET_A, SECRET_B, assertion, createApp } from './fixture.js'

interface HawkClient {
  client: {
    header(
      uri: string,
      method: string,
      options: { credentials: { id: string; key: string; algorithm: 'sha256' }; ext?: string; payload?: string; contentType?: string; timestamp?: number; nonce?: string },
    ): { header: string }
  }
}
// The standard Hawk library (the client Firefox's code mirrors), CommonJS without types.
const Hawk = createRequire(import.meta.url)('@hapi/hawk') as HawkClient

/** A storage node: mounts the verifier in front of its routes, as a sync server would. */
function storageNode(options: HawkVerifierOptions, publicHost: { host: string; port: number }) {
  const verify = createHawkVerifier(options)
  const app = express()
  app.use(express.text({ type: '*/*' }))
  app.use(async (req, res, next) => {
    try {
      const credentials = await verify({
        method: req.method,
        url: req.originalUrl,
        host: publicHost.host,
        port: publicHost.port,
        authorization: req.headers.authorization,
        ...(typeof req.body === 'string' && req.body !== '' ? { payload: req.body, contentType: req.headers['content-type'] ?? '' } : {}),
      })
      res.locals.uid = credentials.token.uid
      next()
    } catch (error) {
      res.status(401).json({ code: (error as { code?: string }).code })
    }
  })
  app.all('/1.5/:uid/*rest', (req, res) => {
    if (String(res.locals.uid) !== req.params.uid) return res.status(403).json({ code: 'wrong-user' })
    res.json({ ok: true, uid: res.locals.uid })
  })
  return app
}

async function tokenFor(email: string) {
  const { app, router, clock } = await createApp()
  const res = await request(app)
    .get('/1.0/sync/1.5')
    .set('authorization', `BrowserID ${assertion({ now: clock.now, email })}`)
  await router.close()
  assert.equal(res.status, 200)
  const url = new URL(res.body.api_endpoint as string)
  return {
    ...(res.body as { id: string; key: string; uid: number; api_endpoint: string }),
    url,
    secret: url.origin === NODE_A ? SECRET_A : SECRET_B,
    other: url.origin === NODE_A ? SECRET_B : SECRET_A,
  }
}

test('a request signed by @hapi/hawk with id/key verifies on the node that derives the key from its secret', async () => {
  const t = await tokenFor('hawk@example.com')
  const node = storageNode({ secrets: [t.secret], nonces: memoryStore().namespace('node') }, { host: t.url.hostname, port: 443 })
  const credentials = { id: t.id, key: t.key, algorithm: 'sha256' as const }

  const path = `${t.url.pathname}/storage/bookmarks?full=1`
  const get = Hawk.client.header(`${t.url.origin}${path}`, 'GET', { credentials, ext: 'some-app-data' })
  const ok = await request(node).get(path).set('authorization', get.header)
  assert.equal(ok.status, 200, JSON.stringify(ok.body))
  assert.equal(ok.body.uid, t.uid)

  const body = JSON.stringify({ id: 'abc', payload: 'x' })
  const put = Hawk.client.header(`${t.url.origin}${t.url.pathname}/storage/bookmarks/abc`, 'PUT', { credentials, payload: body, contentType: 'application/json' })
  const stored = await request(node).put(`${t.url.pathname}/storage/bookmarks/abc`).set('authorization', put.header).set('content-type', 'application/json').send(body)
  assert.equal(stored.status, 200)

  // Replayed header: the nonce was seen.
  assert.equal((await request(node).get(path).set('authorization', get.header)).body.code, 'ERR_AUTH_INVALID')
  // Signed for one path, sent to another.
  const moved = Hawk.client.header(`${t.url.origin}${path}`, 'GET', { credentials })
  assert.equal((await request(node).get(`${t.url.pathname}/storage/history`).set('authorization', moved.header)).body.code, 'ERR_TOKEN_INVALID')
  // Body changed after signing.
  const put2 = Hawk.client.header(`${t.url.origin}${t.url.pathname}/storage/bookmarks/abc`, 'PUT', { credentials, payload: body, contentType: 'application/json' })
  assert.equal(
    (await request(node).put(`${t.url.pathname}/storage/bookmarks/abc`).set('authorization', put2.header).set('content-type', 'application/json').send(body.replace('x', 'y'))).body.code,
    'ERR_TOKEN_INVALID',
  )
  // The right id with a guessed key.
  const forged = Hawk.client.header(`${t.url.origin}${path}`, 'GET', { credentials: { ...credentials, key: t.key.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) } })
  assert.equal((await request(node).get(path).set('authorization', forged.header)).body.code, 'ERR_TOKEN_INVALID')
  // A stale timestamp.
  const stale = Hawk.client.header(`${t.url.origin}${path}`, 'GET', { credentials, timestamp: Math.floor(Date.now() / 1000) - 3600 })
  assert.equal((await request(node).get(path).set('authorization', stale.header)).body.code, 'ERR_AUTH_INVALID')
  // Garbage.
  for (const header of ['Hawk', 'Hawk id="x"', 'Bearer abc', 'Hawk id="a", ts="1", nonce="n", mac="m", evil="1"']) {
    assert.equal((await request(node).get(path).set('authorization', header)).status, 401, header)
  }
})

test('a node with another secret refuses the token; an expired token is refused', async () => {
  const t = await tokenFor('hawk2@example.com')
  const credentials = { id: t.id, key: t.key, algorithm: 'sha256' as const }
  const path = `${t.url.pathname}/info/collections`
  const header = () => Hawk.client.header(`${t.url.origin}${path}`, 'GET', { credentials }).header
  const foreign = storageNode({ secrets: [t.other] }, { host: t.url.hostname, port: 443 })
  assert.equal((await request(foreign).get(path).set('authorization', header())).body.code, 'ERR_TOKEN_INVALID')
  const rotated = storageNode({ secrets: ['a-newer-secret-0123456789', t.secret] }, { host: t.url.hostname, port: 443 })
  assert.equal((await request(rotated).get(path).set('authorization', header())).status, 200, 'an older secret still verifies')
  const later = storageNode({ secrets: [t.secret], clock: () => Date.now() + 301_000 }, { host: t.url.hostname, port: 443 })
  assert.equal((await request(later).get(path).set('authorization', header())).body.code, 'ERR_TOKEN_EXPIRED')
})
