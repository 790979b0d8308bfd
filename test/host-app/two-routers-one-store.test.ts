/**
 * Two routers with the same dialect on one store (docs/mounting.md, "Two routers, one store"): each dialect's data
 * lives in a namespace named after the dialect, so without a store `prefix` the second router reads the first's
 * keys and tokens (right for two instances of one deployment, wrong for two separate services); with distinct
 * prefixes they share nothing.
 */
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import express from 'express'
import request from 'supertest'
import { polytoken, type PolytokenRouter } from '@polytoken/express'
import { silentLogger } from '@polytoken/core'
import { prodmanager } from '@polytoken/plugins'

const dir = mkdtempSync(join(tmpdir(), 'polytoken-two-routers-'))
const routers: PolytokenRouter[] = []
after(async () => {
  await Promise.all(routers.map((router) => router.close()))
  rmSync(dir, { recursive: true, force: true })
})

/** A router of its own (its own connection) on the shared SQLite file, with an optional store prefix. */
async function service(file: string, prefix?: string): Promise<express.Express> {
  const router = await polytoken({
    dialects: [prodmanager({ secret: 'changeit', permissions: { scope_api: 1 } })],
    store: { url: `sqlite://${join(dir, file)}`, ...(prefix !== undefined ? { prefix } : {}) },
    masterKey: 'two-routers-store-master-key-0123456789',
    logger: silentLogger,
  })
  routers.push(router)
  return express().use(router)
}

async function tokenOf(app: express.Express): Promise<string> {
  const created = await request(app).post('/token/create').set('Accept', 'text/plain').type('form').send({ secret: 'changeit', name: 'two-routers', description: 'two routers on one store' })
  assert.equal(created.status, 200, created.text)
  return created.text
}

test("without a prefix, a second router on the store takes the first's signing key: its tokens pass there", async () => {
  const a = await service('shared.db')
  const b = await service('shared.db')
  assert.equal(
    (
      await request(b)
        .get('/token/whoami')
        .set('Authorization', `Bearer ${await tokenOf(a)}`)
    ).status,
    200,
  )
})

test("with distinct prefixes, each router has its own keys and tokens: one's tokens are nothing to the other", async () => {
  const a = await service('prefixed.db', 'billing-')
  const b = await service('prefixed.db', 'reports-')
  const fromA = await tokenOf(a)
  assert.equal((await request(a).get('/token/whoami').set('Authorization', `Bearer ${fromA}`)).status, 200)
  assert.equal((await request(b).get('/token/whoami').set('Authorization', `Bearer ${fromA}`)).status, 401)
})
