/**
 * polytoken inside a typical host app (typical-app.ts), over real HTTP: every dialect's main flows through /auth,
 * and what the host's middleware must not change — no answer carrying a token or a check result is cacheable
 * despite the host's app-wide Cache-Control, the host's routes on polytoken's paths keep their methods, the
 * discovery document names the mount point, a browser app can read the headers it needs, and no session cookie
 * rides on a token answer.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import request from 'supertest'
import { jwtVerify } from 'jose'
import { EXPOSED_HEADERS } from '@polytoken/express'
import { BROWSER_ORIGIN, HOST_CACHE_CONTROL, MOUNT, PRODMANAGER_SECRET, startTypicalApp, type TypicalApp } from './typical-app.js'
import { SERVICE, basic } from '../crew/fixture.js'
import { DOCUMENT_BODY, DOCUMENT_PERMISSION, RESOURCE_SECRET, sessionToken, tokenAuth } from '../token-generator/helpers.js'
import { assertion } from '../sagrada/fixture.js'
import { LEGACY_BASIC, rfcBasic } from '../zazz/fixture.js'

let host: TypicalApp
/** Every answer polytoken gave in the flows, for the header checks at the end. */
const answers: request.Response[] = []
/** Every token and secret the flows saw, none of which may reach the host's access log. */
const secrets: string[] = []

before(async () => (host = await startTypicalApp()))
after(() => host.close())

/** A request to the listening app, from a browser app on another origin. */
function call(method: 'get' | 'post' | 'put' | 'delete', path: string) {
  return request(host.url)[method](`${MOUNT}${path}`).set('Origin', BROWSER_ORIGIN)
}

/** A token answer: 200, not cacheable anywhere, recorded for the later checks. */
function tokenAnswer(response: request.Response, what: string): request.Response {
  assert.equal(response.status, 200, `${what}: ${response.text}`)
  assertNoStore(response, what)
  answers.push(response)
  return response
}

function assertNoStore(response: request.Response, what: string): void {
  assert.match(String(response.headers['cache-control']), /no-store/, `${what}: Cache-Control ${response.headers['cache-control']}`)
  assert.doesNotMatch(String(response.headers['cache-control']), /public|max-age/, what)
  assert.equal(response.headers.pragma, 'no-cache', what)
}

describe('every dialect through /auth', () => {
  test('crew: a registry token with an offline refresh token, then a token by refresh', async () => {
    const login = tokenAnswer(
      await call('get', '/v1/token')
        .set('Authorization', basic('alice', 'alice-pw'))
        .query({ service: SERVICE, scope: 'repository:alice/app:pull,push', account: 'alice', client_id: 'docker', offline_token: 'true' }),
      'crew login',
    )
    assert.ok(login.body.token && login.body.refresh_token)
    const refreshed = tokenAnswer(
      await call('post', '/v1/token')
        .type('form')
        .send({ grant_type: 'refresh_token', refresh_token: login.body.refresh_token, service: SERVICE, client_id: 'docker', scope: 'repository:alice/app:pull' }),
      'crew refresh',
    )
    assert.ok(refreshed.body.access_token)
    secrets.push(login.body.token, login.body.refresh_token, refreshed.body.access_token, 'alice-pw')
  })

  test('token-generator: a session token exchanged for a resource token that the resource key verifies', async () => {
    const caller = await sessionToken({ tenant: 'host-app' })
    const created = tokenAnswer(await call('post', '/api/v1/token').set('Authorization', tokenAuth(caller)).type('form').send(DOCUMENT_BODY), 'token-generator')
    const { payload } = await jwtVerify(created.body.token, new TextEncoder().encode(RESOURCE_SECRET), { algorithms: ['HS256'] })
    assert.deepEqual(payload.abilities, DOCUMENT_PERMISSION.abilities)
    assert.equal(payload.tenant, 'host-app')
    assert.equal(created.headers['x-token'], caller)
    secrets.push(caller, created.body.token)
  })

  test('sagrada: the discovery document names the token server under the mount point, and a token is bought there', async () => {
    const discovery = await call('get', '/sync/')
    assert.equal(discovery.status, 200, discovery.text)
    assertNoStore(discovery, 'discovery')
    answers.push(discovery)
    assert.equal(discovery.body.auth, `${host.url}${MOUNT}/sync`, 'the mount point and the dialect prefix')
    // The URL it names is the one that works: the token route lies under it.
    const token = tokenAnswer(await request(`${discovery.body.auth}/1.0/sync/1.5`).get('').set('Authorization', `BrowserID ${assertion()}`), 'sagrada token')
    assert.ok(token.body.id && token.body.key)
    assert.ok(token.headers['x-timestamp'])
    secrets.push(token.body.id, token.body.key)
  })

  test('zazz: password grant, refresh, introspection and revocation', async () => {
    const resourceServer = rfcBasic('resource-server', 'rs-secret')
    const login = tokenAnswer(
      await call('post', '/zazz/api/v1/token').set('Authorization', LEGACY_BASIC).type('form').send({ grant_type: 'password', username: 'soroush', password: '123', scope: 'full' }),
      'zazz login',
    )
    const refreshed = tokenAnswer(
      await call('post', '/zazz/api/v1/token').set('Authorization', LEGACY_BASIC).type('form').send({ grant_type: 'refresh_token', refresh_token: login.body.refresh_token }),
      'zazz refresh',
    )
    const live = tokenAnswer(await call('post', '/zazz/api/v1/token/introspect').set('Authorization', resourceServer).type('form').send({ token: refreshed.body.access_token }), 'zazz introspect')
    assert.equal(live.body.active, true)
    tokenAnswer(await call('post', '/zazz/api/v1/token/revoke').set('Authorization', LEGACY_BASIC).type('form').send({ token: refreshed.body.refresh_token }), 'zazz revoke')
    const dead = tokenAnswer(
      await call('post', '/zazz/api/v1/token/introspect').set('Authorization', resourceServer).type('form').send({ token: refreshed.body.refresh_token }),
      'zazz introspect after revoke',
    )
    assert.equal(dead.body.active, false)
    secrets.push(login.body.access_token, login.body.refresh_token, refreshed.body.access_token, refreshed.body.refresh_token)
  })

  test('prodmanager: create, whoami, revoke, and whoami refused after it', async () => {
    const created = tokenAnswer(
      await call('post', '/pm/token/create')
        .set('Accept', 'text/plain')
        .type('form')
        .send({ secret: PRODMANAGER_SECRET, name: 'host-app', description: 'through the typical stack', permission: 'scope_api' }),
      'prodmanager create',
    )
    const token = created.text
    const whoami = tokenAnswer(await call('get', '/pm/token/whoami').set('Authorization', `Bearer ${token}`), 'prodmanager whoami')
    assert.equal(whoami.body.aud, 'host-app')
    const admin = `Basic ${Buffer.from(`ops:${PRODMANAGER_SECRET}`).toString('base64')}`
    tokenAnswer(await call('post', '/pm/token/revoke').set('Authorization', admin).type('form').send({ jti: whoami.body.jti }), 'prodmanager revoke')
    const refused = await call('get', '/pm/token/whoami').set('Authorization', `Bearer ${token}`)
    assert.equal(refused.status, 401)
    assertNoStore(refused, 'prodmanager whoami of a revoked token')
    answers.push(refused)
    secrets.push(token)
  })
})

describe('what the host app must not change', () => {
  test("errors of dialect routes are no-store too; JWKS and /openapi.json keep their own caching, not the host's", async () => {
    for (const [method, path] of [
      ['get', '/pm/token/whoami'],
      ['post', '/zazz/api/v1/token'],
      ['get', '/v1/token?service=nope'],
      ['delete', '/pm/token/create'],
    ] as const) {
      const response = await call(method, path)
      assert.ok(response.status >= 400, `${method} ${path}: ${response.status}`)
      assertNoStore(response, `${method} ${path}`)
      answers.push(response)
    }
    assert.equal((await call('get', '/.well-known/jwks.json')).headers['cache-control'], 'public, max-age=300')
    assert.equal((await call('get', '/openapi.json')).headers['cache-control'], 'public, max-age=60')
    // The host's own answers keep the host's header: polytoken changes only its own.
    assert.equal((await request(host.url).get('/')).headers['cache-control'], HOST_CACHE_CONTROL)
  })

  test("a method polytoken does not serve on its path goes to the host's later route; one nobody serves is polytoken's 405", async () => {
    const put = await call('put', '/pm/token/create')
    assert.equal(put.status, 200)
    assert.deepEqual(put.body, { host: 'put on create' })
    const del = await call('delete', '/healthz')
    assert.deepEqual(del.body, { host: 'delete on healthz' })
    const patch = await request(host.url).patch(`${MOUNT}/pm/token/create`)
    assert.equal(patch.status, 405)
    assert.equal(patch.headers.allow, 'POST')
    assert.equal(patch.body.code, 'ERR_ROUTE_METHOD_NOT_ALLOWED', 'in the dialect’s envelope')
    assert.equal((await request(host.url).post(`${MOUNT}/healthz`)).status, 405)
    assert.deepEqual((await request(host.url).get(`${MOUNT}/no-such-route`)).body, { host: 'not found' })
  })

  test('router.routes() lists every method and path the router serves', () => {
    const routes = host.router.routes().map((route) => `${route.method} ${route.path}`)
    for (const expected of [
      'GET /v1/token',
      'POST /api/v1/token',
      'GET /sync/',
      'POST /zazz/api/v1/token/introspect',
      'POST /pm/token/create',
      'GET /healthz',
      'GET /livez',
      'GET /readyz',
      'GET /openapi.json',
    ]) {
      assert.ok(routes.includes(expected), `${expected} in ${routes.join(', ')}`)
    }
    assert.equal(routes.length, host.router.runtime.routes.length + 5)
  })

  test('CORS: a browser app on another origin can read every header a dialect sends for it, and a preflight passes', async () => {
    const preflight = await request(host.url).options(`${MOUNT}/pm/token/create`).set('Origin', BROWSER_ORIGIN).set('Access-Control-Request-Method', 'POST')
    assert.equal(preflight.status, 204)
    assert.equal(preflight.headers['access-control-allow-origin'], BROWSER_ORIGIN)
    const exposed = new Set(
      String(answers[0]!.headers['access-control-expose-headers'])
        .split(',')
        .map((name) => name.trim().toLowerCase()),
    )
    for (const name of EXPOSED_HEADERS) assert.ok(exposed.has(name.toLowerCase()), name)
    // Every header the answers carried that a script cannot read without being exposed, minus what is the
    // browser's (security headers), the connection's, or the host's own middleware's: polytoken's list covers it.
    const notForScripts =
      /^(x-frame-options|x-xss-protection|x-download-options|x-permitted-cross-domain-policies|referrer-policy|x-content-type-options|x-dns-prefetch-control|strict-transport-security|content-security-policy|cross-origin-.*|origin-agent-cluster|x-powered-by|access-control-.*|vary|date|connection|keep-alive|transfer-encoding|content-encoding|ratelimit.*|set-cookie)$/
    const safelisted = new Set(['cache-control', 'content-language', 'content-length', 'content-type', 'expires', 'last-modified', 'pragma'])
    const seen = new Set(answers.flatMap((response) => Object.keys(response.headers)))
    const unreadable = [...seen].filter((name) => !safelisted.has(name) && !notForScripts.test(name) && !exposed.has(name))
    assert.deepEqual(unreadable, [], 'headers polytoken sent that a browser app could not read')
    for (const name of ['www-authenticate', 'x-timestamp', 'x-token', 'allow']) assert.ok(seen.has(name), `the flows saw ${name}`)
  })

  test('no session cookie rides on a token answer (saveUninitialized: false), and no token reaches the access log', () => {
    for (const response of answers) assert.equal(response.headers['set-cookie'], undefined, response.text)
    const log = host.log.join('')
    assert.ok(host.log.length >= answers.length, 'morgan logged every request')
    for (const secret of secrets) assert.ok(!log.includes(secret), 'a token or password in the access log')
  })
})
