/**
 * Issue #16 item 3: a host app that marks every answer cacheable (Cache-Control: public, a CDN's own
 * CDN-Cache-Control or Surrogate-Control, a far Expires) set before polytoken runs. Before: send() added
 * no-store only when no Cache-Control was set, so prodmanager's tokens and whoami answers went out
 * `public, max-age=600`, for any shared cache or CDN to keep and hand to the next client. Every answer
 * that carries a token, a check result or an error must be no-store whatever the host set.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import express, { type NextFunction, type Request, type Response } from 'express'
import request from 'supertest'
import { polytoken, type PolytokenRouter } from '@polytoken/express'
import { silentLogger } from '@polytoken/core'
import { prodmanager } from '@polytoken/plugins'

const SECRET = 'changeit'
let app: express.Express
let router: PolytokenRouter

before(async () => {
  router = await polytoken({ dialects: [prodmanager({ secret: SECRET, permissions: { scope_api: 1 } })], masterKey: 'cache-attack-master-key-0123456789abcdef', logger: silentLogger })
  app = express()
  app.use(function cacheEverything(_req: Request, res: Response, next: NextFunction) {
    res.setHeader('Cache-Control', 'public, max-age=600, s-maxage=600')
    res.setHeader('CDN-Cache-Control', 'max-age=86400')
    res.setHeader('Surrogate-Control', 'max-age=86400')
    res.setHeader('Expires', 'Thu, 01 Jan 2099 00:00:00 GMT')
    res.setHeader('Pragma', 'cache')
    next()
  })
  app.use('/auth', router)
})
after(() => router.close())

function assertNotCacheable(response: request.Response, what: string): void {
  assert.equal(response.headers['cache-control'], 'no-store', what)
  assert.equal(response.headers.pragma, 'no-cache', what)
  for (const name of ['cdn-cache-control', 'surrogate-control', 'expires']) assert.equal(response.headers[name], undefined, `${what}: ${name}`)
}

test('a token, a whoami answer and every error leave no-store whatever caching the host asked for', async () => {
  const created = await request(app).post('/auth/token/create').set('Accept', 'text/plain').type('form').send({ secret: SECRET, name: 'cache-attack', description: 'cache attack' })
  assert.equal(created.status, 200, created.text)
  assertNotCacheable(created, 'token')
  const whoami = await request(app).get('/auth/token/whoami').set('Authorization', `Bearer ${created.text}`)
  assert.equal(whoami.status, 200)
  assertNotCacheable(whoami, 'whoami')
  assertNotCacheable(await request(app).get('/auth/token/whoami'), '401')
  assertNotCacheable(await request(app).post('/auth/token/create').type('form').send({ secret: 'wrong-secret', name: 'x', description: 'y' }), '400')
  assertNotCacheable(await request(app).delete('/auth/token/create'), '405')
  assertNotCacheable(await request(app).get('/auth/healthz'), 'healthz')
})

test("what the router declares cacheable keeps its own caching, not the host's", async () => {
  const jwks = await request(app).get('/auth/.well-known/jwks.json')
  assert.equal(jwks.headers['cache-control'], 'public, max-age=300')
  assert.equal(jwks.headers['surrogate-control'], undefined)
  assert.equal(jwks.headers.expires, undefined)
})
