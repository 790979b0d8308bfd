import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import request from 'supertest'
import { DOCUMENT_BODY, PATH, createApp, sessionToken, tokenAuth, type TestApp } from './helpers.js'

const DOCUMENT_HEADERS = {
  'cache-control': 'no-cache, no-store',
  pragma: 'no-cache',
  expires: 'Fri, 01 Jan 1990 00:00:00 GMT',
  'content-type': 'application/json; charset=utf-8',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'x-xss-protection': '1; mode=block',
  'x-download-options': 'noopen',
  'x-permitted-cross-domain-policies': 'none',
  'referrer-policy': 'origin-when-cross-origin, strict-origin-when-cross-origin',
}
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const RUNTIME = /^\d+\.\d{6}$/

function assertDocumentHeaders(headers: Record<string, string>, what: string) {
  for (const [name, value] of Object.entries(DOCUMENT_HEADERS)) assert.equal(headers[name], value, `${name} on ${what}`)
  assert.match(headers['x-request-id']!, UUID, `x-request-id on ${what}`)
  assert.match(headers['x-runtime']!, RUNTIME, `x-runtime on ${what}`)
  assert.ok(Number(headers['x-runtime']) < 5, `x-runtime is seconds on ${what}`)
}

describe('token-generator: response headers', () => {
  let t: TestApp
  before(async () => (t = await createApp()))
  after(() => t.router.close())

  test("200: the document's headers, X-token echoes the caller's token as sent", async () => {
    const caller = await sessionToken()
    for (const authorization of [tokenAuth(caller), `Token token=${caller}`, `Bearer ${caller}`]) {
      const response = await request(t.app).post(PATH).set('Authorization', authorization).type('form').send(DOCUMENT_BODY)
      assert.equal(response.status, 200)
      assertDocumentHeaders(response.headers, '200')
      assert.equal(response.headers['x-token'], caller)
    }
  })

  test('every error answer carries the security and no-cache headers too (401, 400, 415, 413, 405)', async () => {
    const caller = await sessionToken()
    const answers = [
      await request(t.app).post(PATH).type('form').send(DOCUMENT_BODY),
      await request(t.app).post(PATH).set('Authorization', tokenAuth(caller)).type('form').send('permission=%7B'),
      await request(t.app).post(PATH).set('Authorization', tokenAuth(caller)).type('text').send('permission'),
      await request(t.app)
        .post(PATH)
        .set('Authorization', tokenAuth(caller))
        .type('form')
        .send(`permission=${'x'.repeat(70_000)}`),
    ]
    assert.deepEqual(
      answers.map((a) => a.status),
      [401, 400, 415, 413],
    )
    for (const answer of answers) {
      assertDocumentHeaders(answer.headers, String(answer.status))
      assert.equal(answer.headers['x-token'], undefined)
    }
    const wrongMethod = await request(t.app).get(PATH)
    assert.equal(wrongMethod.status, 405)
    assert.equal(wrongMethod.headers.allow, 'POST')
    assert.equal(wrongMethod.headers['x-frame-options'], 'DENY')
    assert.equal(typeof wrongMethod.body.error, 'string')
  })

  test("X-Request-Id: the caller's when sane, a fresh UUID otherwise, on success and on error", async () => {
    const caller = await sessionToken()
    const send = (id: string, authorization = tokenAuth(caller)) => request(t.app).post(PATH).set('Authorization', authorization).set('X-Request-Id', id).type('form').send(DOCUMENT_BODY)
    assert.equal((await send('59b75418-bbf5-4c52-b8f9-970fed25e456')).headers['x-request-id'], '59b75418-bbf5-4c52-b8f9-970fed25e456')
    assert.equal((await send('trace.42_a-b', 'Token token="bad"')).headers['x-request-id'], 'trace.42_a-b')
    for (const odd of ['a b', 'x'.repeat(129), '<script>alert(1)</script>', 'a;b']) {
      const response = await send(odd)
      assert.match(String(response.headers['x-request-id']), UUID, odd)
    }
    const one = await send('')
    const two = await send('')
    assert.notEqual(one.headers['x-request-id'], two.headers['x-request-id'])
  })
})

describe('token-generator: echoToken off', () => {
  test('no X-token, everything else as before', async () => {
    const t = await createApp({ echoToken: false })
    try {
      const response = await request(t.app)
        .post(PATH)
        .set('Authorization', tokenAuth(await sessionToken()))
        .type('form')
        .send(DOCUMENT_BODY)
      assert.equal(response.status, 200)
      assert.equal(response.headers['x-token'], undefined)
      assertDocumentHeaders(response.headers, '200 without echo')
    } finally {
      await t.router.close()
    }
  })
})
