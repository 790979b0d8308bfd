/**
 * Host routes and polytoken's on the same paths, in real Express 5 apps: findShadowedRoutes reports every pair
 * where one keeps the other from being reached (and each report is checked against what Express then does), and
 * polytoken's 405 leaves a method to a host route registered after it.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import express, { type NextFunction, type Request, type Response } from 'express'
import request from 'supertest'
import { findShadowedRoutes, polytoken, type PolytokenRouter } from '@polytoken/express'
import { silentLogger } from '@polytoken/core'
import { prodmanager, tokenGenerator } from '@polytoken/plugins'
import { testOptions as tokenGeneratorOptions } from '../token-generator/helpers.js'

const routers: PolytokenRouter[] = []
async function polytokenRouter(): Promise<PolytokenRouter> {
  const router = await polytoken({
    dialects: [tokenGenerator(tokenGeneratorOptions()), { dialect: prodmanager({ secret: 'changeit', permissions: { scope_api: 1 } }), prefix: '/pm' }],
    masterKey: 'shadowing-master-key-0123456789abcdef',
    logger: silentLogger,
  })
  routers.push(router)
  return router
}
after(() => Promise.all(routers.map((router) => router.close())))

const answer = (name: string) => (_req: Request, res: Response) => void res.json({ host: name })

describe('an app whose routes collide with polytoken in every way', () => {
  let app: express.Express
  before(async () => {
    app = express()
    app.post('/auth/api/v1/token', function hostTokenFirst(_req, res) {
      res.json({ host: 'hostTokenFirst' })
    })
    app.use('/auth/pm', function hostPmGate(_req: Request, _res: Response, next: NextFunction) {
      next()
    })
    app.use('/auth', await polytokenRouter())
    app.get('/auth/healthz', function hostHealthAfter(_req, res) {
      res.json({ host: 'hostHealthAfter' })
    })
    app.get('/auth/pm/token/:what', function hostParamAfter(_req, res) {
      res.json({ host: 'hostParamAfter' })
    })
    const api = express.Router()
    api.post('/pm/token/revoke', function hostRevokeAfter(_req, res) {
      res.json({ host: 'hostRevokeAfter' })
    })
    // Other methods on polytoken's paths are no conflict: they reach the host.
    api.put('/pm/token/create', answer('put'))
    app.use('/auth', api)
  })

  test('findShadowedRoutes names each pair, with the side that wins', () => {
    const found = findShadowedRoutes(app).map(({ kind, method, path, dialect, host }) => `${kind} ${method} ${path} ${dialect} ${host.path} ${host.name}`)
    assert.deepEqual(found.sort(), [
      'host-middleware-first GET /auth/pm/token/list prodmanager /auth/pm hostPmGate',
      'host-middleware-first GET /auth/pm/token/whoami prodmanager /auth/pm hostPmGate',
      'host-middleware-first POST /auth/pm/token/create prodmanager /auth/pm hostPmGate',
      'host-middleware-first POST /auth/pm/token/revoke prodmanager /auth/pm hostPmGate',
      'host-route-first POST /auth/api/v1/token token-generator /auth/api/v1/token hostTokenFirst',
      'polytoken-first GET /auth/healthz undefined /auth/healthz hostHealthAfter',
      'polytoken-first GET /auth/pm/token/list prodmanager /auth/pm/token/:what hostParamAfter',
      'polytoken-first GET /auth/pm/token/whoami prodmanager /auth/pm/token/:what hostParamAfter',
      'polytoken-first POST /auth/pm/token/revoke prodmanager /auth/pm/token/revoke hostRevokeAfter',
    ])
    for (const shadow of findShadowedRoutes(app)) assert.ok(shadow.message.includes(shadow.path) && shadow.message.includes(shadow.host.name), shadow.message)
  })

  test('and Express does what the report says', async () => {
    assert.deepEqual((await request(app).post('/auth/api/v1/token')).body, { host: 'hostTokenFirst' })
    assert.equal((await request(app).get('/auth/healthz')).body.status, 'ok')
    assert.equal((await request(app).get('/auth/pm/token/whoami')).status, 401, "polytoken's whoami, not the host's")
    assert.equal((await request(app).post('/auth/pm/token/revoke')).status, 401, "polytoken's revoke, not the host's")
    assert.deepEqual((await request(app).get('/auth/pm/token/other')).body, { host: 'hostParamAfter' })
    assert.deepEqual((await request(app).put('/auth/pm/token/create')).body, { host: 'put' })
  })
})

test('an app with no collisions gets an empty report; routes on other methods are no collision', async () => {
  const app = express()
  app.get('/', answer('home'))
  app.use(express.json())
  app.use('/auth', await polytokenRouter())
  app.put('/auth/pm/token/create', answer('put'))
  app.use((_req: Request, res: Response) => void res.status(404).json({ host: 'not found' }))
  assert.deepEqual(findShadowedRoutes(app), [])
})

test('polytoken inside host routers, under a path parameter: found, reported with its full mount, and its 405 still defers', async () => {
  const router = await polytokenRouter()
  const outer = express.Router()
  outer.use('/auth', router)
  const app = express()
  app.use('/t/:tenant', outer)
  app.put('/t/:tenant/auth/pm/token/create', answer('tenant put'))
  app.get('/t/:tenant/auth/pm/token/whoami', function tenantWhoami(_req, res) {
    res.json({ host: 'tenant whoami' })
  })
  const found = findShadowedRoutes(app)
  assert.deepEqual(
    found.map(({ kind, path, host }) => `${kind} ${path} ${host.path}`),
    ['polytoken-first /t/:tenant/auth/pm/token/whoami /t/:tenant/auth/pm/token/whoami'],
  )
  assert.deepEqual((await request(app).put('/t/acme/auth/pm/token/create')).body, { host: 'tenant put' })
  const del = await request(app).delete('/t/acme/auth/pm/token/create')
  assert.equal(del.status, 405)
  assert.equal(del.headers.allow, 'POST')
})

test("a route the host adds to polytoken's own router takes its method; a polytoken router alone can be checked too", async () => {
  const router = await polytokenRouter()
  router.put('/pm/token/create', answer('added to the router'))
  router.get('/healthz', function addedHealth(_req, res) {
    res.json({ host: 'addedHealth' })
  })
  const app = express()
  app.use(router)
  assert.deepEqual((await request(app).put('/pm/token/create')).body, { host: 'added to the router' })
  assert.equal((await request(app).patch('/pm/token/create')).status, 405)
  assert.deepEqual(
    findShadowedRoutes(router).map(({ kind, path, host }) => `${kind} ${path} ${host.name}`),
    ['polytoken-first /healthz addedHealth'],
  )
})

test('findShadowedRoutes refuses what is not an Express app or router', () => {
  assert.throws(() => findShadowedRoutes({}), TypeError)
  assert.throws(() => findShadowedRoutes(undefined), TypeError)
})
