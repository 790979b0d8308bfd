import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { PolyRequest } from '../request.js'
import type { AuthContext } from './auth-method.js'
import { basic } from './basic.js'
import { bearer } from './bearer.js'
import { formSecret } from './form-secret.js'
import { anonymous } from './anonymous.js'
import { authenticate } from './authenticate.js'
import { AuthInvalid } from '../errors.js'

function req(headers: Record<string, string> = {}, body: unknown = undefined): PolyRequest {
  return { method: 'GET', path: '/', params: {}, query: {}, headers, body, bodyType: undefined, ip: '127.0.0.1', receivedAt: 0 }
}
const ctx = (request: PolyRequest) => ({ request, services: {} }) as unknown as AuthContext

test('basic: decodes user:password (colons allowed in the password), keeps the raw parameter, tolerates garbage', () => {
  const method = basic({ realm: 'r', verify: async (c) => c })
  const encoded = Buffer.from('alice:pa:ss').toString('base64')
  assert.deepEqual(method.extract(req({ authorization: `Basic ${encoded}` })), { raw: encoded, pair: { username: 'alice', password: 'pa:ss' } })
  assert.deepEqual(method.extract(req({ authorization: 'basic hdi7o53NSeilrq7oQihy69PvH9BBQtw5QfcJy4ALBuY' }))?.raw, 'hdi7o53NSeilrq7oQihy69PvH9BBQtw5QfcJy4ALBuY')
  assert.equal(method.extract(req({ authorization: 'Basic %%%' }))?.pair, undefined)
  assert.equal(method.extract(req({ authorization: 'Bearer x' })), undefined)
  assert.equal(method.extract(req()), undefined)
  assert.equal(method.challenge(), 'Basic realm="r", charset="UTF-8"')
})

test('bearer: RFC 6750 token68, case-insensitive scheme; the challenge says invalid_token only when a token was refused', () => {
  const method = bearer({ realm: 'r', verify: async (t) => t })
  assert.equal(method.extract(req({ authorization: 'bearer abc.def-_~+/=' })), 'abc.def-_~+/=')
  assert.equal(method.extract(req({ authorization: 'Bearer two words' })), '')
  assert.equal(method.challenge(), 'Bearer realm="r"')
  assert.match(method.challenge(new AuthInvalid('bad "quoted"'))!, /^Bearer realm="r", error="invalid_token", error_description="bad \\"quoted\\""$/)
})

test('formSecret: constant-time comparison against one or several secrets', async () => {
  const method = formSecret({ secret: ['old', 'new'] })
  assert.equal(method.extract(req({}, { secret: 'new' })), 'new')
  assert.equal(method.extract(req({}, ['secret'])), undefined)
  assert.deepEqual(await method.verify('old', ctx(req())), { kind: 'form-secret' })
  await assert.rejects(method.verify('older', ctx(req())), { code: 'ERR_AUTH_INVALID' })
  assert.throws(() => formSecret({ secret: '' }))
})

test('authenticate: first method with a credential decides; none → ERR_AUTH_REQUIRED with every challenge', async () => {
  const methods = [
    bearer({ realm: 'one', verify: async () => ({ who: 'bearer' }) }),
    basic({
      realm: 'two',
      verify: async () => {
        throw new AuthInvalid('nope')
      },
    }),
  ]
  assert.deepEqual(await authenticate(methods, ctx(req({ authorization: 'Bearer t' }))), { who: 'bearer' })
  await assert.rejects(authenticate(methods, ctx(req())), (error: any) => {
    assert.equal(error.code, 'ERR_AUTH_REQUIRED')
    assert.deepEqual(error.challenges, ['Bearer realm="one"', 'Basic realm="two", charset="UTF-8"'])
    return true
  })
  await assert.rejects(authenticate(methods, ctx(req({ authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }))), (error: any) => {
    assert.equal(error.code, 'ERR_AUTH_INVALID')
    assert.equal(error.challenges.length, 2)
    return true
  })
  assert.deepEqual(await authenticate([...methods, anonymous()] as never[], ctx(req())), { kind: 'anonymous' })
})

test('bearer(): bearerFormat documents what the token is — JWT by default, another name, or none', () => {
  const verify = () => Promise.resolve({})
  assert.deepEqual(bearer({ realm: 'r', verify }).doc, { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
  assert.deepEqual(bearer({ realm: 'r', verify, bearerFormat: 'opaque' }).doc, { type: 'http', scheme: 'bearer', bearerFormat: 'opaque' })
  assert.deepEqual(bearer({ realm: 'r', verify, bearerFormat: null }).doc, { type: 'http', scheme: 'bearer' })
})
