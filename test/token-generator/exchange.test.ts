import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import request from 'supertest'
import { jwtVerify } from 'jose'
import { DOCUMENT_BODY, DOCUMENT_PERMISSION, ENDPOINT, PATH, RESOURCE_SECRET, SESSION_SECRET, createApp, decodeJwt, decodeProtectedHeader, sessionToken, tokenAuth, type TestApp } from './helpers.js'

const key = (secret: string) => new TextEncoder().encode(secret)

describe('token-generator: the document, byte for byte', () => {
  // The document's caller token payload, re-signed with the test session secret (the original's secret is unknown).
  const HEADER = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9'
  const CALLER_PAYLOAD = 'eyJleHAiOjE1NTQ3NTk1MzEsImlhdCI6MTU1NDc0NTEzMSwidXNlcl9pZCI6ImY1NTFhMWNiLTkzMGUtNDUwMS04N2E5LWY1MWEwNzE4ZGEzZSJ9'
  const RESPONSE_PAYLOAD =
    'eyJleHAiOjE1NTQ3NTk1MzEsImlhdCI6MTU1NDc0NTEzMSwidXNlcl9pZCI6ImY1NTFhMWNiLTkzMGUtNDUwMS04N2E5LWY1MWEwNzE4ZGEzZSIsImFiaWxpdGllcyI6eyJhbGJ1bV9pZCI6eyJBY2Nlc3MiOnsic2VlIjp0cnVlLCJpbWFnZV9saXN0Ijp0cnVlLCJpbWFnZV91cGxvYWQiOnRydWUsImltYWdlX2RlbGV0ZSI6dHJ1ZSwiZnVsbHNjcmVlbiI6dHJ1ZSwiaW1hZ2VfY2FwdGlvbiI6dHJ1ZX19LCJ0YWdzIjp7ImF1dG9fdGFnIjoidGVzdCJ9fSwiSWQiOiJhbGJ1bV9pZCJ9'
  const input = `${HEADER}.${CALLER_PAYLOAD}`
  const callerToken = `${input}.${createHmac('sha256', SESSION_SECRET).update(input).digest('base64url')}`
  let t: TestApp
  // The document's moment: a minute after the caller token was issued.
  before(async () => (t = await createApp({}, { clock: () => (1554745131 + 60) * 1000 })))
  after(() => t.router.close())

  test("the document's request gets the document's token (header and payload), endpoint and Content-Length", async () => {
    const response = await request(t.app)
      .post(PATH)
      .set('Authorization', `Token token="${callerToken}"`)
      .set('Host', 'example.org')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .set('Cookie', '')
      .send(DOCUMENT_BODY)
    assert.equal(response.status, 200, response.text)
    const [header, payload, signature] = response.body.token.split('.')
    assert.equal(header, HEADER)
    assert.equal(payload, RESPONSE_PAYLOAD)
    assert.equal(signature, createHmac('sha256', RESOURCE_SECRET).update(`${header}.${payload}`).digest('base64url'))
    assert.equal(response.body.endpoint, ENDPOINT)
    assert.deepEqual(Object.keys(response.body), ['token', 'endpoint'])
    assert.equal(response.headers['content-type'], 'application/json; charset=utf-8')
    assert.equal(response.headers['content-length'], '485')
    assert.equal(response.headers['x-token'], callerToken)
  })
})

describe('token-generator: exchanges', () => {
  let t: TestApp
  before(async () => (t = await createApp()))
  after(() => t.router.close())

  const exchange = (authorization: string) => request(t.app).post(PATH).set('Authorization', authorization)

  test('form body: caller claims + permission, signed with the resource secret, not the session secret', async () => {
    const caller = await sessionToken({ tenant: 'acme' })
    const response = await exchange(tokenAuth(caller)).type('form').send(DOCUMENT_BODY)
    assert.equal(response.status, 200, response.text)
    const { payload, protectedHeader } = await jwtVerify(response.body.token, key(RESOURCE_SECRET), { algorithms: ['HS256'] })
    assert.deepEqual(protectedHeader, { typ: 'JWT', alg: 'HS256' })
    const callerClaims = decodeJwt(caller)
    assert.deepEqual(payload, { ...callerClaims, ...DOCUMENT_PERMISSION })
    assert.deepEqual(Object.keys(payload), ['exp', 'iat', 'user_id', 'tenant', 'abilities', 'Id'])
    await assert.rejects(jwtVerify(response.body.token, key(SESSION_SECRET)), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' })
  })

  test('JSON body with the permission object, and with the permission as text', async () => {
    const caller = await sessionToken()
    for (const permission of [DOCUMENT_PERMISSION, JSON.stringify(DOCUMENT_PERMISSION)]) {
      const response = await exchange(tokenAuth(caller)).send({ permission })
      assert.equal(response.status, 200, response.text)
      assert.deepEqual(decodeJwt(response.body.token), { ...decodeJwt(caller), ...DOCUMENT_PERMISSION })
    }
  })

  test('no permission (empty form, empty JSON object, no body at all): the caller claims alone', async () => {
    const caller = await sessionToken()
    const responses = [
      await exchange(tokenAuth(caller)).type('form').send(''),
      await exchange(tokenAuth(caller)).send({}),
      await exchange(tokenAuth(caller)),
      await exchange(tokenAuth(caller)).type('form').send('utf8=%E2%9C%93'),
    ]
    for (const response of responses) {
      assert.equal(response.status, 200, response.text)
      assert.deepEqual(decodeJwt(response.body.token), decodeJwt(caller))
    }
  })

  test('the Authorization forms: quoted Token, unquoted Token, Token with other options, Bearer', async () => {
    const caller = await sessionToken()
    for (const authorization of [`Token token="${caller}"`, `Token token=${caller}`, `token token="${caller}", nonce="x"`, `Bearer ${caller}`, `bearer ${caller}`]) {
      const response = await exchange(authorization).type('form').send(DOCUMENT_BODY)
      assert.equal(response.status, 200, `${authorization.slice(0, 20)}: ${response.text}`)
      assert.equal(decodeJwt(response.body.token).user_id, decodeJwt(caller).user_id)
    }
  })

  test('an integer user_id is a user id too', async () => {
    const response = await exchange(tokenAuth(await sessionToken({ user_id: 42 })))
      .type('form')
      .send(DOCUMENT_BODY)
    assert.equal(response.status, 200, response.text)
    assert.equal(decodeJwt(response.body.token).user_id, 42)
  })

  test('session secret rotation: a token signed with a verify-only older secret still works', async () => {
    const old = 'old-session-secret-0123456789abcdef'
    const rotated = await createApp({ sessionKeys: [{ secret: 'new-session-secret-0123456789abcdef' }, { secret: old, use: 'verify' }] })
    try {
      const response = await request(rotated.app)
        .post(PATH)
        .set('Authorization', tokenAuth(await sessionToken({}, { secret: old })))
        .type('form')
        .send(DOCUMENT_BODY)
      assert.equal(response.status, 200, response.text)
    } finally {
      await rotated.router.close()
    }
  })

  test('a configured resource kid goes in the header; no key is published for HS256', async () => {
    const withKid = await createApp({ resourceKeys: [{ secret: RESOURCE_SECRET, kid: 'resource-2026' }] })
    try {
      const response = await request(withKid.app)
        .post(PATH)
        .set('Authorization', tokenAuth(await sessionToken()))
        .type('form')
        .send(DOCUMENT_BODY)
      assert.equal(response.status, 200, response.text)
      assert.deepEqual(decodeProtectedHeader(response.body.token), { typ: 'JWT', alg: 'HS256', kid: 'resource-2026' })
      const jwks = await request(withKid.app).get('/.well-known/jwks.json')
      assert.deepEqual(jwks.body, { keys: [] })
    } finally {
      await withKid.router.close()
    }
  })
})
