import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import request from 'supertest'
import { createLocalJWKSet, importX509, jwtVerify } from 'jose'
import { libtrustKeyId } from '../../packages/plugins/src/crew/libtrust-kid.js'
import { decodeJwt } from '../helpers/jwt.js'
import { ISSUER, SERVICE, basic, startApp, type TestServer } from './fixture.js'

function errorsOf(response: request.Response): Array<{ code: string; message: string; detail?: Record<string, unknown> }> {
  assert.match(String(response.headers['content-type']), /^application\/json/)
  assert.ok(Array.isArray(response.body.errors) && response.body.errors.length > 0, response.text)
  return response.body.errors
}

function assertError(response: request.Response, status: number, code: string): void {
  assert.equal(response.status, status, response.text)
  assert.equal(errorsOf(response)[0]!.code, code, response.text)
}

describe('crew: POST /v1/token with the crew.md JSON body', () => {
  let server: TestServer
  before(async () => (server = await startApp()))
  after(() => server.close())

  test("the document's exact request → 201 and a registry token", async () => {
    const response = await request(server.app)
      .post('/v1/token')
      .set('Host', 'containerops.me')
      .set('Accept', 'application/json')
      .set('Content-Type', 'application/json')
      .send(`{\n  "service": "${SERVICE}",\n  "scope": "scope=web:/v1/user:post;web:/v1/user/auth:post",\n  "account": "",\n  "grant": "web"\n}`)
    assert.equal(response.status, 201, response.text)
    assert.match(String(response.headers['content-type']), /^application\/json/)
    assert.equal(response.headers['cache-control'], 'no-store')
    const { token, access_token, expires_in, issued_at } = response.body
    assert.equal(typeof token, 'string')
    assert.equal(access_token, token)
    assert.equal(expires_in, 300)
    assert.match(issued_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/)
    const { header, claims } = decodeJwt(token)
    assert.deepEqual(header, { typ: 'JWT', alg: 'ES256', kid: server.certificate.kid })
    assert.deepEqual(Object.keys(claims).sort(), ['access', 'aud', 'exp', 'iat', 'iss', 'jti', 'nbf', 'sub'])
    assert.equal(claims.iss, ISSUER)
    assert.equal(claims.sub, '')
    assert.equal(claims.aud, SERVICE, 'aud is one string: a registry rejects an array')
    assert.equal(claims.exp - claims.iat, 300)
    assert.equal(claims.nbf, claims.iat)
    assert.equal(Date.parse(issued_at) / 1000, claims.iat)
    assert.deepEqual(claims.access, [
      { type: 'web', name: '/v1/user', actions: ['post'] },
      { type: 'web', name: '/v1/user/auth', actions: ['post'] },
    ])
  })

  test('the token verifies against the certificate and the JWKS; kid is the libtrust ID of the certified key', async () => {
    const response = await request(server.app).post('/v1/token').send({ service: SERVICE, grant: 'web', scope: 'web:/v1/user:post' })
    const certificate = new X509Certificate(server.certificate.pem)
    assert.equal(server.certificate.kid, libtrustKeyId(certificate.publicKey))
    assert.match(server.certificate.kid, /^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$/)
    assert.ok(certificate.verify(certificate.publicKey), 'self-signed')
    assert.equal(certificate.subject, `CN=${ISSUER}`)
    const { payload } = await jwtVerify(response.body.token, await importX509(server.certificate.pem, 'ES256'), { issuer: ISSUER, audience: SERVICE })
    assert.equal(payload.sub, '')
    const jwks = await request(server.app).get('/.well-known/jwks.json')
    const verified = await jwtVerify(response.body.token, createLocalJWKSet(jwks.body), { issuer: ISSUER, audience: SERVICE })
    assert.equal(verified.protectedHeader.kid, server.certificate.kid)
  })

  test('jti is fresh on every token', async () => {
    const tokens = await Promise.all([1, 2, 3].map(() => request(server.app).post('/v1/token').send({ service: SERVICE, grant: 'web' })))
    assert.equal(new Set(tokens.map((r) => decodeJwt(r.body.token).claims.jti)).size, 3)
  })

  test('web may be anonymous; docker, rkt and others must authenticate with Basic', async () => {
    for (const grant of ['docker', 'rkt', 'custom-client']) {
      const response = await request(server.app).post('/v1/token').send({ service: SERVICE, grant, scope: 'repository:library/alpine:pull' })
      assertError(response, 401, 'UNAUTHORIZED')
      assert.match(String(response.headers['www-authenticate']), /^Basic realm="crew"/)
    }
    const signedIn = await request(server.app)
      .post('/v1/token')
      .set('Authorization', basic('alice', 'alice-pw'))
      .send({ service: SERVICE, grant: 'docker', account: 'alice', scope: 'repository:compose:alice/*:*' })
    assert.equal(signedIn.status, 201, signedIn.text)
    const { claims } = decodeJwt(signedIn.body.token)
    assert.equal(claims.sub, 'alice')
    assert.deepEqual(claims.access, [{ type: 'repository', class: 'compose', name: 'alice/*', actions: ['*'] }])
  })

  test('an authenticated web page gets what the policy gives its account, not the anonymous rules', async () => {
    const response = await request(server.app)
      .post('/v1/token')
      .set('Authorization', basic('bob', 'bob-pw'))
      .send({ service: SERVICE, grant: 'web', account: 'bob', scope: 'scope=web:/v1/user:post;web:/v1/repos:get,delete' })
    assert.equal(response.status, 201, response.text)
    assert.deepEqual(decodeJwt(response.body.token).claims.access, [
      { type: 'web', name: '/v1/user', actions: ['post'] },
      { type: 'web', name: '/v1/repos', actions: ['get'] },
    ])
  })

  test('account must be the authenticated user; an anonymous caller cannot name one', async () => {
    const other = await request(server.app).post('/v1/token').set('Authorization', basic('alice', 'alice-pw')).send({ service: SERVICE, grant: 'docker', account: 'bob' })
    assertError(other, 400, 'BAD_TOKEN_OPTION')
    assert.equal(errorsOf(other)[0]!.detail!.field, 'account')
    const anonymous = await request(server.app).post('/v1/token').send({ service: SERVICE, grant: 'web', account: 'alice' })
    assertError(anonymous, 401, 'UNAUTHORIZED')
    assert.match(String(anonymous.headers['www-authenticate']), /^Basic /)
  })

  test('missing fields, unknown service, unparseable scope, unknown fields → 400 in the errcode envelope', async () => {
    assertError(await request(server.app).post('/v1/token').send({ grant: 'web' }), 400, 'MISSING_REQUIRED_FIELD')
    assertError(await request(server.app).post('/v1/token').send({ service: SERVICE }), 400, 'MISSING_REQUIRED_FIELD')
    assertError(await request(server.app).post('/v1/token').send({ service: 'elsewhere.test', grant: 'web' }), 400, 'UNSUPPORTED_VALUE')
    const badScope = await request(server.app).post('/v1/token').send({ service: SERVICE, grant: 'web', scope: 'repository:foo' })
    assertError(badScope, 400, 'UNSUPPORTED_VALUE')
    assert.match(errorsOf(badScope)[0]!.message, /invalid scope "repository:foo"/)
    assertError(await request(server.app).post('/v1/token').send({ service: SERVICE, grant: 'web', extra: 1 }), 400, 'BAD_TOKEN_OPTION')
    assertError(await request(server.app).post('/v1/token').send({ service: SERVICE, grant: 'Web Page' }), 400, 'BAD_TOKEN_OPTION')
    assertError(await request(server.app).post('/v1/token').set('Content-Type', 'application/json').send('{"service":'), 400, 'BAD_TOKEN_OPTION')
    assertError(await request(server.app).post('/v1/token').set('Content-Type', 'text/plain').send('hi'), 415, 'UNSUPPORTED')
    assertError(await request(server.app).delete('/v1/token'), 405, 'UNSUPPORTED')
  })
})

describe('crew: GET /v1/token, the Docker client flow', () => {
  let server: TestServer
  before(async () => (server = await startApp()))
  after(() => server.close())

  test('anonymous: only what the policy gives anonymous callers, repeated scopes kept apart', async () => {
    const response = await request(server.app).get('/v1/token').query(`service=${SERVICE}&scope=repository:library/alpine:pull,push&scope=repository:alice/app:pull&scope=registry:catalog:*`)
    assert.equal(response.status, 200, response.text)
    assert.equal(response.body.refresh_token, undefined)
    const { claims } = decodeJwt(response.body.token)
    assert.equal(claims.sub, '')
    assert.deepEqual(claims.access, [
      { type: 'repository', name: 'library/alpine', actions: ['pull'] },
      { type: 'repository', name: 'alice/app', actions: [] },
      { type: 'registry', name: 'catalog', actions: [] },
    ])
  })

  test('Basic: the account gets its namespace, a registry host:port name stays whole', async () => {
    const response = await request(server.app)
      .get('/v1/token')
      .set('Authorization', basic('alice', 'alice-pw'))
      .query({ service: SERVICE, account: 'alice', client_id: 'docker', scope: ['repository:alice/app:pull,push', 'repository:localhost:5000/alice/x:pull'] })
    assert.equal(response.status, 200, response.text)
    const { claims } = decodeJwt(response.body.token)
    assert.equal(claims.sub, 'alice')
    assert.deepEqual(claims.access, [
      { type: 'repository', name: 'alice/app', actions: ['pull', 'push'] },
      { type: 'repository', name: 'localhost:5000/alice/x', actions: [] },
    ])
  })

  test('registry:catalog:* only for the account the policy names', async () => {
    const admin = await request(server.app).get('/v1/token').set('Authorization', basic('admin', 'admin-pw')).query({ service: SERVICE, scope: 'registry:catalog:*' })
    assert.deepEqual(decodeJwt(admin.body.token).claims.access, [{ type: 'registry', name: 'catalog', actions: ['*'] }])
    const alice = await request(server.app).get('/v1/token').set('Authorization', basic('alice', 'alice-pw')).query({ service: SERVICE, scope: 'registry:catalog:*' })
    assert.deepEqual(decodeJwt(alice.body.token).claims.access, [{ type: 'registry', name: 'catalog', actions: [] }])
  })

  test('no scope: a login token with empty access', async () => {
    const response = await request(server.app).get('/v1/token').set('Authorization', basic('alice', 'alice-pw')).query({ service: SERVICE, account: 'alice' })
    assert.equal(response.status, 200)
    assert.deepEqual(decodeJwt(response.body.token).claims.access, [])
  })

  test('aud is the service asked for, one of those configured', async () => {
    const response = await request(server.app).get('/v1/token').query({ service: 'other.test', scope: 'repository:library/x:pull' })
    assert.equal(decodeJwt(response.body.token).claims.aud, 'other.test')
    assertError(await request(server.app).get('/v1/token').query({ scope: 'repository:library/x:pull' }), 400, 'MISSING_REQUIRED_FIELD')
  })

  test('failed Basic auth → 401 UNAUTHORIZED with WWW-Authenticate: Basic realm, never saying which part was wrong', async () => {
    const wrong = await request(server.app).get('/v1/token').set('Authorization', basic('alice', 'nope')).query({ service: SERVICE })
    const unknown = await request(server.app).get('/v1/token').set('Authorization', basic('mallory', 'nope')).query({ service: SERVICE })
    const garbage = await request(server.app).get('/v1/token').set('Authorization', 'Basic %%%').query({ service: SERVICE })
    for (const response of [wrong, unknown, garbage]) {
      assertError(response, 401, 'UNAUTHORIZED')
      assert.match(String(response.headers['www-authenticate']), /^Basic realm="crew", charset="UTF-8"$/)
    }
    assert.equal(errorsOf(wrong)[0]!.message, errorsOf(unknown)[0]!.message)
    assert.ok(!wrong.text.includes('nope'))
  })

  test('unparseable scopes → 400 naming the entry', async () => {
    for (const scope of ['repository', 'repository:foo:', 'repository:a:b:c:d:pull', 'Repository:x:pull']) {
      const response = await request(server.app).get('/v1/token').query({ service: SERVICE, scope })
      assertError(response, 400, 'UNSUPPORTED_VALUE')
      assert.equal(errorsOf(response)[0]!.detail!.field, 'scope')
    }
    const many = Array.from({ length: 33 }, (_, i) => `repository:library/r${i}:pull`)
    assertError(await request(server.app).get('/v1/token').query({ service: SERVICE, scope: many }), 400, 'UNSUPPORTED_VALUE')
  })
})

describe('crew: users, lock-out, keys', () => {
  test('users from the store authenticate; removing one takes effect', async () => {
    const { createCrewUsers } = await import('@polytoken/plugins')
    const server = await startApp()
    try {
      const users = createCrewUsers(server.store.namespace('crew'), { N: 1024 })
      await users.put('carol', 'carol-pw')
      const stored = await server.store.namespace('crew').get<{ passwordHash: string }>('user:carol')
      assert.match(stored!.passwordHash, /^scrypt\$/)
      assert.ok(!JSON.stringify(stored).includes('carol-pw'))
      const response = await request(server.app).get('/v1/token').set('Authorization', basic('carol', 'carol-pw')).query({ service: SERVICE, scope: 'repository:carol/app:push' })
      assert.equal(response.status, 200, response.text)
      assert.deepEqual(decodeJwt(response.body.token).claims.access[0].actions, ['push'])
      assert.equal(await users.remove('carol'), true)
      server.router.runtime.cache.clear()
      assertError(await request(server.app).get('/v1/token').set('Authorization', basic('carol', 'carol-pw')).query({ service: SERVICE }), 401, 'UNAUTHORIZED')
    } finally {
      await server.close()
    }
  })

  test('too many failed passwords from one address: that account, from that address, 429 TOOMANYREQUESTS with Retry-After until the window ends', async () => {
    const server = await startApp()
    try {
      for (let i = 0; i < 5; i++) {
        assertError(
          await request(server.app)
            .get('/v1/token')
            .set('Authorization', basic('bob', `guess-${i}`))
            .query({ service: SERVICE }),
          401,
          'UNAUTHORIZED',
        )
      }
      const locked = await request(server.app).get('/v1/token').set('Authorization', basic('bob', 'bob-pw')).query({ service: SERVICE })
      assertError(locked, 429, 'TOOMANYREQUESTS')
      assert.match(locked.body.errors[0].message, /too many attempts/)
      const retryAfter = Number(locked.headers['retry-after'])
      assert.ok(retryAfter >= 1 && retryAfter <= 61, `Retry-After ${locked.headers['retry-after']}`)
      // Others are not affected.
      assert.equal((await request(server.app).get('/v1/token').set('Authorization', basic('alice', 'alice-pw')).query({ service: SERVICE })).status, 200)
    } finally {
      await server.close()
    }
  })

  test('RS256 when configured, with the certificate in x5c', async () => {
    const { testOptions } = await import('./fixture.js')
    const server = await startApp(testOptions({ algorithm: 'RS256', x5c: true }))
    try {
      const response = await request(server.app).get('/v1/token').query({ service: SERVICE, scope: 'repository:library/a:pull' })
      const { header } = decodeJwt(response.body.token)
      assert.equal(header.alg, 'RS256')
      assert.equal(header.kid, server.certificate.kid)
      assert.deepEqual(header.x5c, [server.certificate.der])
      const certificate = new X509Certificate(Buffer.from(String(header.x5c?.[0]), 'base64'))
      assert.equal(certificate.publicKey.asymmetricKeyType, 'rsa')
      await jwtVerify(response.body.token, await importX509(server.certificate.pem, 'RS256'), { issuer: ISSUER, audience: SERVICE })
    } finally {
      await server.close()
    }
  })

  test('the generated key and its certificate survive a restart on the same store', async () => {
    const { memoryStore } = await import('@polytoken/core')
    const store = memoryStore()
    const first = await startApp(undefined, { store })
    const second = await startApp(undefined, { store })
    try {
      assert.equal(second.certificate.kid, first.certificate.kid)
      assert.equal(second.certificate.pem, first.certificate.pem, 'the registry bundle stays valid')
    } finally {
      await store.close()
    }
  })
})
