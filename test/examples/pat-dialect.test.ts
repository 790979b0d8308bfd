import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import express from 'express'
import request from 'supertest'
import { polytoken, type PolytokenRouter } from '@polytoken/express'
import { describeConformance, type ConformanceKit } from '@polytoken/express/conformance'
import { memoryStore, silentLogger, type Store, type StoreBackend } from '@polytoken/core'
import { patDialect, type PatDialectOptions } from '../../examples/pat-dialect/pat-dialect.js'
import { createExampleServer } from '../../examples/server/app.js'
import { loadConfig } from '../../examples/server/load-config.js'

const OPTIONS: PatDialectOptions = { users: { alice: 'alice-password', bob: 'bob-password' }, passwordHash: { N: 1024 } }
const basic = (login: string, password: string) => `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`
const ALICE = basic('alice', 'alice-password')
const BOB = basic('bob', 'bob-password')

async function createPat(app: express.Express, authorization: string, scopes: string[] = ['user', 'read:pats', 'admin:pats']): Promise<{ id: string; token: string }> {
  const response = await request(app).post('/pats').set('authorization', authorization).send({ note: 'test', scopes })
  assert.equal(response.status, 201, response.text)
  return response.body as { id: string; token: string }
}

describeConformance({
  name: 'github-pats (examples/pat-dialect)',
  dialect: () => patDialect(OPTIONS),
  // Every route reached: a token made on the kit's own router for the Bearer routes, a fresh one to delete each time.
  validRequest: async ({ method }, kit: ConformanceKit) => {
    if (method === 'POST') return { headers: { authorization: ALICE }, body: { note: 'kit', scopes: ['user', 'read:pats'], expires_in_days: 7 }, status: 201 }
    const { id, token } = await createPat(kit.app, ALICE)
    if (method === 'DELETE') return { headers: { authorization: `Bearer ${token}` }, params: { id }, status: 204 }
    return { headers: { authorization: `Bearer ${token}` } }
  },
})

/** A store that counts what each namespace is asked: listing must not grow with other users. */
function countingStore(): { backend: StoreBackend; calls: { get: string[]; entries: number } } {
  const backend = memoryStore()
  const calls = { get: [] as string[], entries: 0 }
  const namespace = backend.namespace.bind(backend)
  backend.namespace = (name: string): Store => {
    const store = namespace(name)
    if (name !== 'github-pats') return store
    return Object.assign(Object.create(store) as Store, {
      get: <T>(key: string) => (calls.get.push(key), store.get<T>(key)),
      entries: <T>(prefix?: string) => (calls.entries++, store.entries<T>(prefix)),
    })
  }
  return { backend, calls }
}

describe('github-pats over HTTP', () => {
  let router: PolytokenRouter
  let app: express.Express
  let now = Date.now()
  const { backend, calls } = countingStore()
  before(async () => {
    router = await polytoken({ dialects: [patDialect(OPTIONS)], store: backend, logger: silentLogger, clock: () => now })
    app = express().use(router)
  })
  after(() => router.close())

  test('create with the password: the token is shown once, no-store; GET /user names its owner and scopes', async () => {
    const response = await request(app).post('/pats').set('authorization', ALICE).type('form').send('note=laptop&scopes=user&scopes=read:pats')
    assert.equal(response.status, 201, response.text)
    assert.match(response.body.token, /^pat_[A-Za-z0-9_-]{43}$/)
    assert.deepEqual(response.body.scopes, ['user', 'read:pats'])
    assert.equal(response.headers['cache-control'], 'no-store')
    const user = await request(app).get('/user').set('authorization', `Bearer ${response.body.token}`)
    assert.equal(user.status, 200)
    assert.deepEqual(user.body, { login: 'alice' })
    assert.equal(user.headers['x-oauth-scopes'], 'user, read:pats')
  })

  test('list my tokens: metadata only, never a token or its fingerprint; a token needs read:pats', async () => {
    const { token } = await createPat(app, ALICE, ['user'])
    const listed = await request(app).get('/pats').set('authorization', ALICE)
    assert.equal(listed.status, 200)
    assert.ok(listed.body.pats.length >= 2)
    assert.doesNotMatch(listed.text, /pat_|tokenFingerprint|token"/)
    const refused = await request(app).get('/pats').set('authorization', `Bearer ${token}`)
    assert.equal(refused.status, 403)
    assert.equal(refused.headers['x-accepted-oauth-scopes'], 'read:pats')
    assert.deepEqual(Object.keys(refused.body).sort(), ['code', 'message'])
  })

  test('delete one: 204, and the token is refused at once although its check was cached', async () => {
    const { id, token } = await createPat(app, ALICE)
    assert.equal((await request(app).get('/user').set('authorization', `Bearer ${token}`)).status, 200)
    const reads = calls.get.length
    assert.equal((await request(app).get('/user').set('authorization', `Bearer ${token}`)).status, 200)
    assert.equal(calls.get.length, reads, 'the second check came from the verification cache')
    assert.equal((await request(app).delete(`/pats/${id}`).set('authorization', `Bearer ${token}`)).status, 204)
    const after = await request(app).get('/user').set('authorization', `Bearer ${token}`)
    assert.equal(after.status, 401)
    assert.match(String(after.headers['www-authenticate']), /^Bearer realm="pat", error="invalid_token"/)
    assert.ok(!(await request(app).get('/pats').set('authorization', ALICE)).body.pats.some((pat: { id: string }) => pat.id === id))
  })

  test('router.events reports the issue and the deletion: the id and a fingerprint of the owner, never the token', async () => {
    const seen: Array<[string, Record<string, unknown>]> = []
    const issued = (event: object) => seen.push(['token.issued', { ...event }])
    const revoked = (event: object) => seen.push(['token.revoked', { ...event }])
    router.events.on('token.issued', issued).on('token.revoked', revoked)
    try {
      const { id, token } = await createPat(app, ALICE)
      assert.equal((await request(app).delete(`/pats/${id}`).set('authorization', ALICE)).status, 204)
      assert.deepEqual(
        seen.map(([name, event]) => [name, event.jti, event.tokenType, event.dialect]),
        [
          ['token.issued', id, 'pat', 'github-pats'],
          ['token.revoked', id, 'pat', 'github-pats'],
        ],
      )
      assert.equal(seen[1]![1].reason, 'deleted')
      for (const [, event] of seen) {
        assert.match(String(event.subject), /^[A-Za-z0-9_-]{43}$/)
        assert.doesNotMatch(JSON.stringify(event), new RegExp(`${token}|alice`))
      }
    } finally {
      router.events.off('token.issued', issued).off('token.revoked', revoked)
    }
  })

  test("listing reads the owner's index and their records only: no scan, whatever the number of other users' tokens", async () => {
    for (let i = 0; i < 30; i++) await createPat(app, BOB, ['user'])
    const mine = (await request(app).get('/pats').set('authorization', ALICE)).body.pats.length as number
    calls.get.length = 0
    calls.entries = 0
    assert.equal((await request(app).get('/pats').set('authorization', ALICE)).status, 200)
    assert.equal(calls.entries, 0)
    const reads = calls.get.filter((key) => key.startsWith('owner:') || key.startsWith('pat:'))
    assert.equal(reads.length, 1 + mine, reads.join(', '))
  })

  test('a token stops working when it expires, by the configured clock', async () => {
    const response = await request(app)
      .post('/pats')
      .set('authorization', ALICE)
      .send({ note: 'short', scopes: ['user'], expires_in_days: 1 })
    const { token } = response.body as { token: string }
    assert.equal((await request(app).get('/user').set('authorization', `Bearer ${token}`)).status, 200)
    now += 86_400_000 + 1
    assert.equal((await request(app).get('/user').set('authorization', `Bearer ${token}`)).status, 401)
  })

  test('/openapi.json documents the opaque Bearer token, code-generator-safe operationIds and the 401 challenge', async () => {
    const doc = (await request(app).get('/openapi.json')).body
    assert.equal(doc.components.securitySchemes['github-pats.bearer'].bearerFormat, 'opaque personal access token (pat_...)')
    assert.equal(doc.paths['/pats/{id}'].delete.operationId, 'githubPats_deletePatsId')
    assert.match(doc.paths['/user'].get.responses['401'].headers['WWW-Authenticate'].example, /^Bearer realm="pat"/)
  })
})

test('the examples server mounts it under /github: create, use and delete a token over HTTP', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'polytoken-pats-'))
  const env = { POLYTOKEN_STORE: 'memory://', POLYTOKEN_DATA_DIR: dataDir, GITHUB_PATS_OCTOCAT_PASSWORD: 'octocat-password' }
  const server = await createExampleServer(loadConfig(env), env, 'http://localhost:8080', silentLogger)
  try {
    const octocat = basic('octocat', 'octocat-password')
    const created = await request(server.app)
      .post('/github/pats')
      .set('authorization', octocat)
      .send({ note: 'ci', scopes: ['user', 'admin:pats'] })
    assert.equal(created.status, 201, created.text)
    const bearer = `Bearer ${created.body.token as string}`
    assert.deepEqual((await request(server.app).get('/github/user').set('authorization', bearer)).body, { login: 'octocat' })
    assert.equal(
      (
        await request(server.app)
          .delete(`/github/pats/${created.body.id as string}`)
          .set('authorization', bearer)
      ).status,
      204,
    )
    assert.equal((await request(server.app).get('/github/user').set('authorization', bearer)).status, 401)
    assert.ok(server.mounts.some((mount) => mount.key === 'github-pats' && mount.prefix === '/github'))
  } finally {
    await server.router.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
})
