/**
 * Issue #13, items 8 and 10: nothing the router or the examples server owns
 * answers in HTML, and no answer of any dialect can be sniffed into HTML.
 * Before: wrong methods on /healthz, /openapi.json and /.well-known/jwks.json,
 * and every unknown path, got Express's HTML "Cannot POST" page; dialect
 * answers had no X-Content-Type-Options.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import request from 'supertest'
import { silentLogger } from '@polytoken/core'
import { createExampleServer, type ExampleServer } from '../../examples/server/app.js'
import { loadConfig } from '../../examples/server/load-config.js'

const EXTRAS = ['/healthz', '/openapi.json', '/.well-known/jwks.json']
// zazz's legacy client authenticates with its bare id after Basic (the document's request).
const ZAZZ_LEGACY_CLIENT = 'hdi7o53NSeilrq7oQihy69PvH9BBQtw5QfcJy4ALBuY'

function assertJson(response: request.Response, status: number): void {
  assert.equal(response.status, status, response.text)
  assert.match(String(response.headers['content-type']), /^application\/json/, response.text)
  assert.doesNotMatch(response.text ?? '', /<html|<!DOCTYPE/i)
  assert.equal(response.headers['x-content-type-options'], 'nosniff')
}

describe('http attack: the router and the examples server never answer in HTML', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'polytoken-http-surface-'))
  let server: ExampleServer
  before(async () => {
    const env = { POLYTOKEN_STORE: 'memory://', POLYTOKEN_DATA_DIR: dataDir }
    server = await createExampleServer(loadConfig(env), env, 'http://localhost:8080', silentLogger)
  })
  after(async () => {
    await server.router.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  test("wrong methods on the router's extras → 405 JSON with Allow: GET, HEAD", async () => {
    for (const path of EXTRAS) {
      for (const method of ['post', 'put', 'delete', 'patch'] as const) {
        const response = await request(server.app)[method](path)
        assertJson(response, 405)
        assert.equal(response.headers.allow, 'GET, HEAD', `${method} ${path}`)
        assert.equal(response.body.error, 'ERR_ROUTE_METHOD_NOT_ALLOWED')
      }
    }
  })

  test('GET and HEAD on the extras still answer; OPTIONS lists the methods', async () => {
    for (const path of EXTRAS) {
      assertJson(await request(server.app).get(path), 200)
      const head = await request(server.app).head(path)
      assert.equal(head.status, 200, path)
      assert.equal(head.headers['x-content-type-options'], 'nosniff')
      const options = await request(server.app).options(path)
      assert.equal(options.status, 200, path)
      assert.equal(options.headers.allow, 'GET, HEAD')
      assert.doesNotMatch(options.text ?? '', /<html/i)
    }
  })

  test('unknown paths and near misses → JSON 404 (ERR_ROUTE_NOT_FOUND), the path not echoed', async () => {
    for (const path of ['//api/token/create', '/%2e%2e', '/%2e%2e/healthz', '/healthz;x', '/openapi.json;x', '/v1/token;x', '/nope/<script>']) {
      for (const method of ['get', 'post', 'delete'] as const) {
        const response = await request(server.app)[method](path)
        assertJson(response, 404)
        assert.equal(response.body.error, 'ERR_ROUTE_NOT_FOUND', `${method} ${path}`)
        assert.ok(!response.text.includes('script'), 'the path is not echoed')
      }
    }
    const head = await request(server.app).head('/nope')
    assert.equal(head.status, 404)
    assert.equal(head.headers['x-content-type-options'], 'nosniff')
  })

  test('wrong methods on dialect routes keep their 405 in the dialect envelope, with Allow and nosniff', async () => {
    for (const [path, allow] of [
      ['/v1/token', 'GET, HEAD, POST'],
      ['/api/token/create', 'POST'],
      ['/zazz/api/v1/token', 'POST'],
    ] as const) {
      const response = await request(server.app).put(path)
      assertJson(response, 405)
      assert.equal(response.headers.allow, allow, path)
    }
  })

  test('X-Content-Type-Options: nosniff on every dialect, success and error alike', async () => {
    const answers: Array<[string, request.Test]> = [
      ['crew 200', request(server.app).get('/v1/token?service=registry.local&scope=repository:library/alpine:pull')],
      ['crew 400', request(server.app).get('/v1/token')],
      [
        'prodmanager 200',
        request(server.app)
          .post('/api/token/create')
          .set('Accept', 'text/plain')
          .field('secret', 'changeit')
          .field('name', 'surface-test')
          .field('description', 'nosniff on every dialect')
          .field('permission', 'scope_api'),
      ],
      ['prodmanager 401', request(server.app).get('/api/token/whoami')],
      ['token-generator 401', request(server.app).post('/api/v1/token').type('form').send('a=b')],
      [
        'zazz 200',
        request(server.app).post('/zazz/api/v1/token').set('Authorization', `Basic ${ZAZZ_LEGACY_CLIENT}`).type('form').send('grant_type=password&username=soroush&password=123&scope=full'),
      ],
      ['zazz 400', request(server.app).post('/zazz/api/v1/token').set('Authorization', `Basic ${ZAZZ_LEGACY_CLIENT}`).type('form').send('grant_type=nope')],
      ['sagrada 404', request(server.app).get('/1.0/nope/1.0')],
      ['sagrada 401', request(server.app).get('/1.0/sync/1.5')],
    ]
    for (const [what, pending] of answers) {
      const response = await pending
      const expected = Number(what.split(' ')[1])
      assert.equal(response.status, expected, `${what}: ${response.text}`)
      assert.equal(response.headers['x-content-type-options'], 'nosniff', what)
    }
  })
})
