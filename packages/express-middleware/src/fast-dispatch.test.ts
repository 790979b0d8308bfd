import { test } from 'node:test'
import assert from 'node:assert/strict'
import express from 'express'
import request from 'supertest'
import { prodmanager } from '@polytoken/plugins'
import { defineDialect, defineRoute, silentLogger, type PolytokenError } from '@polytoken/core'
import { polytoken } from './polytoken.js'

// Static routes are dispatched by one Map lookup; everything else must still reach the same handlers through Express.
test('static dispatch answers exactly as Express routing does: prefixes, case, trailing slash, HEAD, 405, fall-through', async () => {
  const router = await polytoken({
    dialects: [{ prefix: '/pm', dialect: prodmanager({ secret: 'changeit', permissions: { scope_api: 1 }, keys: [{ secret: 'signing-secret-0123456789abcdef0123' }] }) }],
    logger: silentLogger,
  })
  const app = express()
  // A route the host adds to polytoken's own router is reached through Express's routing.
  router.get('/host-extra', (req, res) => void res.json({ extra: true, query: req.query }))
  app.use('/mounted', router)
  app.get('/mounted/pm/elsewhere', (_req, res) => void res.json({ host: true }))
  try {
    const created = await request(app)
      .post('/mounted/pm/token/create')
      .field('secret', 'changeit')
      .field('name', 'api-documentation')
      .field('description', 'Token for documentation example')
      .field('permission', 'scope_api')
    assert.equal(created.status, 200, created.text)
    const token = created.text
    for (const path of ['/mounted/pm/token/whoami', '/mounted/pm/token/whoami/', '/mounted/PM/Token/WhoAmI']) {
      const res = await request(app).get(path).set('Authorization', `Bearer ${token}`)
      assert.equal(res.status, 200, `${path}: ${res.text}`)
      assert.deepEqual(res.body.permissions, [1])
    }
    const head = await request(app).head('/mounted/pm/token/whoami').set('Authorization', `Bearer ${token}`)
    assert.equal(head.status, 200)
    const refused = await request(app).get('/mounted/pm/token/whoami').set('Authorization', 'Bearer not-a-token')
    assert.equal(refused.status, 401)
    assert.match(String(refused.headers['www-authenticate']), /invalid_token/)
    const wrongMethod = await request(app).put('/mounted/pm/token/whoami')
    assert.equal(wrongMethod.status, 405)
    assert.equal(wrongMethod.headers.allow, 'GET, HEAD')
    assert.deepEqual((await request(app).get('/mounted/pm/elsewhere')).body, { host: true })
    assert.deepEqual((await request(app).get('/mounted/host-extra?a=1')).body, { extra: true, query: { a: '1' } })
    // A query string on a static route: still the Map lookup, the query reaches the route.
    const withQuery = await request(app).get('/mounted/pm/token/whoami?x=1&x=2').set('Authorization', `Bearer ${token}`)
    assert.equal(withQuery.status, 200, withQuery.text)
    assert.equal((await request(app).get('/pm/token/whoami')).status, 404, 'not mounted there')
  } finally {
    await router.close()
  }
})

// Routes with parameters: the route's own Express layer matches, so parameters decode exactly as Express decodes them.
test('parameterised routes: decoded params, letter case, trailing slash, HEAD, 405 and a broken %-escape answer as Express routing does', async () => {
  const echo = defineRoute({
    method: 'GET',
    path: '/items/:kind/:id',
    handle: ({ request }) => ({ status: 200, body: { params: request.params, path: request.path } }),
  })
  const dialect = defineDialect({
    name: 'echo',
    errorSchema: { type: 'object', required: ['error'], properties: { error: { type: 'string' } } },
    setup: () => ({
      routes: [echo],
      renderError: (error: PolytokenError) => ({ status: error.status, headers: error.headers, body: { error: error.code } }),
    }),
  })
  const router = await polytoken({ dialects: [{ prefix: '/e', dialect }], logger: silentLogger })
  const app = express()
  app.use('/m', router)
  try {
    const plain = await request(app).get('/m/e/items/books/42?x=1')
    assert.equal(plain.status, 200, plain.text)
    assert.deepEqual(plain.body, { params: { kind: 'books', id: '42' }, path: '/e/items/books/42' })
    assert.deepEqual((await request(app).get('/m/e/items/a%20b/%C3%A9')).body.params, { kind: 'a b', id: 'é' })
    assert.equal((await request(app).get('/m/E/Items/x/1')).status, 200, 'letter case, as Express (not case-sensitive)')
    assert.equal((await request(app).get('/m/e/items/x/1/')).status, 200, 'trailing slash, as Express (not strict)')
    assert.equal((await request(app).head('/m/e/items/x/1')).status, 200)
    const wrongMethod = await request(app).post('/m/e/items/x/1')
    assert.equal(wrongMethod.status, 405)
    assert.equal(wrongMethod.headers.allow, 'GET, HEAD')
    const broken = await request(app).get('/m/e/items/%E0%A4%A/1')
    assert.equal(broken.status, 400)
    assert.deepEqual(broken.body, { error: 'ERR_REQUEST_MALFORMED' })
    assert.equal((await request(app).get('/m/e/items/x')).status, 404, 'not a route: the host app answers')
  } finally {
    await router.close()
  }
})

// Express takes the first registered layer that matches; so must the fast path, whether the winner is static or has parameters.
test('overlapping routes: the first registered route that matches answers, as with Express routing', async () => {
  const echo =
    (route: string) =>
    ({ request }: { request: { params: Record<string, string> } }) => ({ status: 200, body: { route, params: request.params } })
  const dialect = defineDialect({
    name: 'overlapping',
    errorSchema: { type: 'object', required: ['error'], properties: { error: { type: 'string' } } },
    setup: () => ({
      routes: [
        defineRoute({ method: 'GET', path: '/items/:id', handle: echo('item') }),
        defineRoute({ method: 'GET', path: '/items/me', handle: echo('items-me') }),
        defineRoute({ method: 'GET', path: '/things/me', handle: echo('things-me') }),
        defineRoute({ method: 'GET', path: '/things/:id', handle: echo('thing') }),
      ],
      renderError: (error: PolytokenError) => ({ status: error.status, headers: error.headers, body: { error: error.code } }),
    }),
  })
  for (const fastDispatch of [true, false]) {
    const router = await polytoken({ dialects: [dialect], logger: silentLogger, fastDispatch })
    const app = express().use(router)
    try {
      // A parameter registered first shadows the static path after it.
      assert.deepEqual((await request(app).get('/items/me')).body, { route: 'item', params: { id: 'me' } }, `fastDispatch: ${fastDispatch}`)
      // A static path registered first wins in any letter case.
      assert.deepEqual((await request(app).get('/things/ME')).body, { route: 'things-me', params: {} }, `fastDispatch: ${fastDispatch}`)
      assert.deepEqual((await request(app).get('/things/you')).body, { route: 'thing', params: { id: 'you' } }, `fastDispatch: ${fastDispatch}`)
    } finally {
      await router.close()
    }
  }
})
