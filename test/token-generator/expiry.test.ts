import { test } from 'node:test'
import assert from 'node:assert/strict'
import request from 'supertest'
import { DOCUMENT_BODY, PATH, createApp, decodeJwt, sessionToken, tokenAuth } from './helpers.js'

const now = () => Math.floor(Date.now() / 1000)

test("the new token expires with the caller's token, never later", async () => {
  const t = await createApp()
  try {
    for (const lifetimeSec of [5, 3600, 30 * 24 * 3600]) {
      const caller = await sessionToken({}, { lifetimeSec })
      const response = await request(t.app).post(PATH).set('Authorization', tokenAuth(caller)).type('form').send(DOCUMENT_BODY)
      assert.equal(response.status, 200)
      assert.equal(decodeJwt(response.body.token).exp, decodeJwt(caller).exp)
    }
  } finally {
    await t.router.close()
  }
})

test('maxLifetimeSec shortens a long caller token and leaves a short one alone', async () => {
  const t = await createApp({ maxLifetimeSec: 600 })
  try {
    const long = await sessionToken({}, { lifetimeSec: 4 * 3600 })
    const before = now()
    const capped = await request(t.app).post(PATH).set('Authorization', tokenAuth(long)).type('form').send(DOCUMENT_BODY)
    assert.equal(capped.status, 200)
    const exp = decodeJwt(capped.body.token).exp!
    assert.ok(exp >= before + 600 && exp <= now() + 600, `exp ${exp} is now + 600`)
    assert.ok(exp < decodeJwt(long).exp!)
    assert.deepEqual(Object.keys(decodeJwt(capped.body.token)).slice(0, 3), ['exp', 'iat', 'user_id'])

    const short = await sessionToken({}, { lifetimeSec: 60 })
    const kept = await request(t.app).post(PATH).set('Authorization', tokenAuth(short)).type('form').send(DOCUMENT_BODY)
    assert.equal(decodeJwt(kept.body.token).exp, decodeJwt(short).exp)
  } finally {
    await t.router.close()
  }
})

test('a caller token that expired after it was cached is refused all the same', async () => {
  const t = await createApp()
  try {
    const caller = await sessionToken({}, { lifetimeSec: 1 })
    const first = await request(t.app).post(PATH).set('Authorization', tokenAuth(caller)).type('form').send(DOCUMENT_BODY)
    assert.equal(first.status, 200)
    // Past exp (epoch seconds) by a full second: the cache entry's ttl ended with the token.
    await new Promise((resolve) => setTimeout(resolve, (decodeJwt(caller).exp! + 1) * 1000 - Date.now()))
    const later = await request(t.app).post(PATH).set('Authorization', tokenAuth(caller)).type('form').send(DOCUMENT_BODY)
    assert.equal(later.status, 401)
    assert.equal(later.body.code, 'ERR_TOKEN_EXPIRED')
  } finally {
    await t.router.close()
  }
})
