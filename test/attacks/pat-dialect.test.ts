/**
 * The personal-access-token example (examples/pat-dialect) under attack: forged and foreign tokens, scope
 * escalation, other users' tokens, password guessing, schema probing without the password, tokens at rest.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import express from 'express'
import request from 'supertest'
import { polytoken, type PolytokenRouter } from '@polytoken/express'
import { memoryStore, randomString, silentLogger, type Store, type StoreBackend } from '@polytoken/core'
import { patDialect } from '../../examples/pat-dialect/pat-dialect.js'

const basic = (login: string, password: string) => `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`
const ALICE = basic('alice', 'alice-password')
const BOB = basic('bob', 'bob-password')

describe('attack: github-pats example', () => {
  let router: PolytokenRouter
  let app: express.Express
  let store: Store
  const reads: string[] = []
  before(async () => {
    const backend: StoreBackend = memoryStore()
    const namespace = backend.namespace.bind(backend)
    backend.namespace = (name: string) => {
      const inner = namespace(name)
      if (name !== 'github-pats') return inner
      return Object.assign(Object.create(inner) as Store, { get: <T>(key: string) => (reads.push(key), inner.get<T>(key)) })
    }
    router = await polytoken({ dialects: [patDialect({ users: { alice: 'alice-password', bob: 'bob-password' }, passwordHash: { N: 1024 } })], store: backend, logger: silentLogger })
    store = backend.namespace('github-pats')
    app = express().use(router)
  })
  after(() => router.close())

  const create = async (authorization: string, scopes: string[]) => {
    const response = await request(app).post('/pats').set('authorization', authorization).send({ note: 'attack', scopes })
    assert.equal(response.status, 201, response.text)
    return response.body as { id: string; token: string }
  }
  const user = (token: string) => request(app).get('/user').set('authorization', `Bearer ${token}`)

  test('forged tokens: the right shape but never issued, a changed character, junk — 401; junk costs no store read', async () => {
    const { token } = await create(ALICE, ['user'])
    const changed = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')
    for (const forged of [`pat_${randomString(32)}`, changed, `${token}A`, token.replace('pat_', 'ghp_'), 'pat_', 'pat_../../etc/passwd']) {
      reads.length = 0
      const response = await user(forged)
      assert.equal(response.status, 401, forged)
      assert.match(String(response.headers['www-authenticate']), /error="invalid_token"/)
      if (!/^pat_[A-Za-z0-9_-]{43}$/.test(forged)) assert.deepEqual(reads, [], `${forged} read the store`)
    }
    assert.equal((await user(token)).status, 200)
  })

  test("another user's token id: bob can neither delete alice's token (404, as if it did not exist) nor see it", async () => {
    const alices = await create(ALICE, ['user'])
    const bobs = await create(BOB, ['user', 'read:pats', 'admin:pats'])
    for (const authorization of [BOB, `Bearer ${bobs.token}`]) {
      const response = await request(app).delete(`/pats/${alices.id}`).set('authorization', authorization)
      assert.equal(response.status, 404)
      assert.equal(response.body.message, 'no token of yours has this id')
    }
    assert.ok(!(await request(app).get('/pats').set('authorization', BOB)).body.pats.some((pat: { id: string }) => pat.id === alices.id))
    assert.equal((await user(alices.token)).status, 200, "alice's token still works")
  })

  test('scope escalation: a token with only `user` cannot list or delete, and no token can create a token', async () => {
    const weak = await create(ALICE, ['user'])
    assert.equal((await request(app).get('/pats').set('authorization', `Bearer ${weak.token}`)).status, 403)
    assert.equal((await request(app).delete(`/pats/${weak.id}`).set('authorization', `Bearer ${weak.token}`)).status, 403)
    const strong = await create(ALICE, ['user', 'read:pats', 'admin:pats'])
    const minted = await request(app)
      .post('/pats')
      .set('authorization', `Bearer ${strong.token}`)
      .send({ note: 'more', scopes: ['admin:pats'] })
    assert.equal(minted.status, 401)
    assert.match(String(minted.headers['www-authenticate']), /^Basic realm="pat"/)
    const unknownScope = await request(app)
      .post('/pats')
      .set('authorization', ALICE)
      .send({ note: 'x', scopes: ['admin:org'] })
    assert.equal(unknownScope.status, 400)
  })

  test('POST /pats authenticates first: a wrong password learns nothing of the schema, whatever the body', async () => {
    const answers = new Set<string>()
    for (const body of [{}, { note: 1 }, { note: 'x', scopes: ['nope'], extra: true }]) {
      const response = await request(app).post('/pats').set('authorization', basic('alice', 'wrong-1')).send(body)
      assert.equal(response.status, 401)
      assert.doesNotMatch(response.text, /note|scopes|errors/)
      answers.add(response.text)
    }
    assert.equal(answers.size, 1)
  })

  test('password guessing is throttled per account and address: past 10 failures even the right password waits (429)', async () => {
    let last = 0
    for (let i = 0; i < 11; i++)
      last = (
        await request(app)
          .get('/pats')
          .set('authorization', basic('bob', `guess-${i}`))
      ).status
    assert.equal(last, 429)
    const right = await request(app).get('/pats').set('authorization', BOB)
    assert.equal(right.status, 429)
    assert.ok(right.headers['retry-after'])
  })

  test('at rest: the store holds no token in clear, only its SHA-256 fingerprint', async () => {
    const { token } = await create(ALICE, ['user'])
    const secret = token.slice(4)
    for await (const [key, value] of store.entries('')) {
      assert.ok(!key.includes(secret), key)
      assert.ok(!JSON.stringify(value).includes(secret), key)
    }
  })
})
