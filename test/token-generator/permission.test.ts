import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import request from 'supertest'
import { DOCUMENT_PERMISSION, PATH, createApp, decodeJwt, sessionToken, tokenAuth, type TestApp } from './helpers.js'

const form = (permission: string) => `permission=${encodeURIComponent(permission)}`

describe('token-generator: 400 for every bad permission', () => {
  let t: TestApp
  let caller: string
  before(async () => {
    t = await createApp()
    caller = await sessionToken({ tenant: 'acme' })
  })
  after(() => t.router.close())

  async function refused(body: string | object, message: RegExp, field?: string) {
    const req = request(t.app).post(PATH).set('Authorization', tokenAuth(caller))
    const response = typeof body === 'string' ? await req.type('form').send(body) : await req.send(body)
    const what = `${JSON.stringify(body).slice(0, 80)} → ${response.status} ${response.text}`
    assert.equal(response.status, 400, what)
    assert.equal(response.body.code, 'ERR_REQUEST_INVALID', what)
    assert.match(response.body.error, message, what)
    if (field) assert.ok(response.body.reasons?.[field], `reasons.${field}: ${what}`)
    assert.equal(response.headers['x-token'], undefined)
    assert.equal(response.headers['x-frame-options'], 'DENY')
    return response
  }

  test('malformed JSON', async () => {
    await refused(form('{'), /^permission is not valid JSON$/, 'permission')
    await refused(form(''), /^permission is not valid JSON$/)
    await refused(form("{'abilities':{}}"), /not valid JSON/)
    await refused({ permission: '{"abilities":' }, /not valid JSON/)
  })

  test('not an object', async () => {
    for (const text of ['[]', '[{"Id":"x"}]', '42', '"abilities"', 'null', 'true']) await refused(form(text), /^permission must be a JSON object$/, 'permission')
    for (const value of [[DOCUMENT_PERMISSION], 42, null, true]) await refused({ permission: value }, /^permission must be a JSON object$/, 'permission')
  })

  test('a body that is not an object is named "body", not "_"', async () => {
    const response = await request(t.app).post(PATH).set('Authorization', tokenAuth(caller)).type('json').send('[1]')
    assert.equal(response.status, 400)
    assert.deepEqual(response.body, { error: 'body must be object', code: 'ERR_REQUEST_INVALID', reasons: { body: ['must be object'] } })
  })

  test('the permission field twice', async () => {
    await refused(`${form('{}')}&${form('{}')}`, /^permission must be sent once$/, 'permission')
  })

  test('every registered claim, in a form and in a JSON body', async () => {
    for (const claim of ['exp', 'iat', 'nbf', 'iss', 'sub', 'aud', 'jti', 'user_id']) {
      await refused(form(JSON.stringify({ ...DOCUMENT_PERMISSION, [claim]: 9999999999 })), new RegExp(`may not set the registered claim "${claim}"`), `permission.${claim}`)
      await refused({ permission: { [claim]: 'x' } }, new RegExp(`"${claim}"`), `permission.${claim}`)
    }
  })

  test("a claim of the caller's token", async () => {
    await refused(form('{"tenant":"other"}'), /may not overwrite the session token's claim "tenant"/, 'permission.tenant')
  })

  test('prototype keys, at the top and nested', async () => {
    await refused(form('{"__proto__":{"admin":true}}'), /may not contain the key "__proto__"/)
    await refused(form('{"constructor":{"prototype":{"admin":true}}}'), /may not contain the key "constructor"/)
    await refused(form('{"abilities":{"album":{"__proto__":{"see":true}}}}'), /"__proto__"/)
    const field = await request(t.app).post(PATH).set('Authorization', tokenAuth(caller)).type('form').send('__proto__=x&permission=%7B%7D')
    assert.equal(field.status, 400, field.text)
    assert.equal(field.body.code, 'ERR_REQUEST_MALFORMED')
    const json = await request(t.app).post(PATH).set('Authorization', tokenAuth(caller)).type('json').send('{"permission":{"__proto__":{"admin":true}}}')
    assert.equal(json.status, 400)
    assert.match(json.body.error, /"__proto__"/)
    assert.equal(({} as Record<string, unknown>).admin, undefined)
  })

  test('outside the default schema: other top-level keys, wrong shapes, too deep', async () => {
    await refused(form('{"role":"admin"}'), /^permission\.role is not allowed$/, 'permission.role')
    await refused(form('{"abilities":"all"}'), /abilities/, 'permission.abilities')
    await refused(form('{"abilities":{"album":["see"]}}'), /abilities/, 'permission.abilities')
    await refused(form('{"Id":{"x":1}}'), /Id/, 'permission.Id')
    await refused(form('{"abilities":' + '{"a":'.repeat(10) + 'true' + '}'.repeat(11)), /nested more than 8 levels/)
    await refused(form(`{"Id":"${'x'.repeat(9000)}"}`), /^permission is longer than 8192 characters$/, 'permission')
    await refused({ permission: `{"Id":"${'x'.repeat(9000)}"}` }, /^permission is longer than 8192 characters$/, 'permission')
  })
})

describe('token-generator: a configured permission schema', () => {
  test('replaces the default: what it allows passes, what it refuses is a 400; reserved claims stay refused', async () => {
    const t = await createApp({
      permissionSchema: {
        type: 'object',
        required: ['scope'],
        additionalProperties: false,
        properties: { scope: { type: 'array', items: { type: 'string', enum: ['read', 'write'] } }, exp: { type: 'integer' } },
      },
      reservedClaims: ['scope_admin'],
    })
    try {
      const caller = await sessionToken()
      const send = (permission: unknown) => request(t.app).post(PATH).set('Authorization', tokenAuth(caller)).send({ permission })
      const ok = await send({ scope: ['read'] })
      assert.equal(ok.status, 200, ok.text)
      assert.deepEqual(decodeJwt(ok.body.token).scope, ['read'])
      const missing = await send({})
      assert.equal(missing.status, 400)
      assert.deepEqual(missing.body.reasons, { 'permission.scope': ['is required'] })
      const document = await send(DOCUMENT_PERMISSION)
      assert.equal(document.status, 400)
      // The schema allows exp; the registered-claim rule does not.
      const exp = await send({ scope: ['read'], exp: 9999999999 })
      assert.equal(exp.status, 400)
      assert.match(exp.body.error, /registered claim "exp"/)
      const extra = await send({ scope: ['read'], scope_admin: true })
      assert.equal(extra.status, 400)
      assert.match(extra.body.error, /registered claim "scope_admin"/)
    } finally {
      await t.router.close()
    }
  })
})
