import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import request from 'supertest'
import { createVerificationCache, type VerificationCache } from '@polytoken/core'
import { DOCUMENT_BODY, PATH, createApp, sessionToken, tokenAuth, type TestApp } from './helpers.js'

/** The runtime's own cache, counting how often a verifier actually runs. */
function countingCache() {
  const inner = createVerificationCache()
  const counter = { calls: 0 }
  const cache: VerificationCache = {
    verify: (scope, credential, verifier) =>
      inner.verify(scope, credential, async (value) => {
        counter.calls++
        return verifier(value)
      }),
    revoke: (jti) => inner.revoke(jti),
    get size() {
      return inner.size
    },
    clear: () => inner.clear(),
  }
  return { cache, counter }
}

describe('token-generator: the session token is verified once, not per request', () => {
  let t: TestApp
  const { cache, counter } = countingCache()
  before(async () => (t = await createApp({}, { cache })))
  after(() => t.router.close())
  const exchange = (authorization: string) => request(t.app).post(PATH).set('Authorization', authorization).type('form').send(DOCUMENT_BODY)

  test('the same token five times in a row: one verification', async () => {
    const caller = await sessionToken({ n: 1 })
    const start = counter.calls
    for (let i = 0; i < 5; i++) assert.equal((await exchange(tokenAuth(caller))).status, 200)
    assert.equal(counter.calls - start, 1)
  })

  test('ten concurrent requests with a new token: one verification', async () => {
    const caller = await sessionToken({ n: 2 })
    const start = counter.calls
    const answers = await Promise.all(Array.from({ length: 10 }, () => exchange(tokenAuth(caller))))
    assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]))
    assert.equal(counter.calls - start, 1)
  })

  test('the same token as Token, unquoted Token and Bearer shares one entry', async () => {
    const caller = await sessionToken({ n: 3 })
    const start = counter.calls
    for (const authorization of [tokenAuth(caller), `Token token=${caller}`, `Bearer ${caller}`]) assert.equal((await exchange(authorization)).status, 200)
    assert.equal(counter.calls - start, 1)
  })

  test('each distinct token is verified on its own', async () => {
    const start = counter.calls
    for (let n = 10; n < 13; n++) assert.equal((await exchange(tokenAuth(await sessionToken({ n })))).status, 200)
    assert.equal(counter.calls - start, 3)
  })

  test('a refused token is never cached as valid: refused every time', async () => {
    const bad = await sessionToken({}, { secret: 'not-the-session-secret-0123456789' })
    const start = counter.calls
    for (let i = 0; i < 3; i++) assert.equal((await exchange(tokenAuth(bad))).status, 401)
    assert.equal(counter.calls - start, 3)
  })
})
