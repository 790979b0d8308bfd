import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import request from 'supertest'
import type express from 'express'
import { createHostApp, reportRouteConflicts } from '../../examples/mount-into-existing-app/app.js'

let app: express.Express
let close: () => Promise<void>
before(async () => {
  const host = await createHostApp({ masterKey: 'test-master-key-0123456789abcdef' })
  app = host.app
  close = () => host.auth.close()
})
after(() => close())

test('the host app keeps its routes, its JSON parser and its 404', async () => {
  assert.deepEqual((await request(app).get('/')).body, { app: 'my existing app' })
  assert.deepEqual((await request(app).post('/echo').send({ a: 1 })).body, { youSent: { a: 1 } })
  assert.deepEqual((await request(app).get('/auth/no-such-route')).body, { host: 'not found' }, 'unknown paths fall through to the host')
})

test('polytoken under /auth works with a body the host already parsed, and with multipart the host does not parse', async () => {
  const json = await request(app)
    .post('/auth/token/create')
    .send({ secret: 'changeit', name: 'host-token', description: 'issued through the host', permission: ['scope_api'] })
  assert.equal(json.status, 200, json.text)
  const multipart = await request(app).post('/auth/token/create').field('secret', 'changeit').field('name', 'host-token').field('description', 'issued through the host')
  assert.equal(multipart.status, 200, multipart.text)
  const whoami = await request(app).get('/auth/token/whoami').set('authorization', `Bearer ${multipart.text}`)
  assert.equal(whoami.status, 200)
  assert.equal(whoami.body.aud, 'host-token')
})

test("polytoken's errors stay in its envelope and never reach the host's error handler", async () => {
  const res = await request(app).post('/auth/token/create').send({ secret: 'nope', name: 'host-token', description: 'issued through the host' })
  assert.equal(res.status, 400)
  assert.deepEqual(res.body.reasons, { secret: ['is invalid'] })
  const gzip = await request(app).post('/auth/token/create').set('content-encoding', 'gzip').set('content-type', 'multipart/form-data; boundary=x').send('--x--')
  assert.equal(gzip.status, 415)
  assert.equal(gzip.body.code, 'ERR_REQUEST_UNSUPPORTED_MEDIA_TYPE')
  const form = await request(app).post('/auth/token/create').type('form').send('a=%zz')
  assert.equal(form.status, 400)
  assert.equal(form.body.code, 'ERR_REQUEST_MALFORMED')
})

test("the host's JSON parser's refusals on /auth are prodmanager's (router.errors); on the host's paths, the host's", async () => {
  const broken = await request(app).post('/auth/token/create').set('content-type', 'application/json').send('{"secret":')
  assert.equal(broken.status, 400)
  assert.equal(broken.body.code, 'ERR_REQUEST_MALFORMED')
  const tooLarge = await request(app)
    .post('/auth/token/create')
    .send({ secret: 'changeit', note: 'x'.repeat(200_000) })
  assert.equal(tooLarge.status, 413)
  assert.equal(tooLarge.body.code, 'ERR_REQUEST_TOO_LARGE')
  const echo = await request(app).post('/echo').set('content-type', 'application/json').send('{"a":')
  assert.equal(echo.body.host, 'error')
})

test('openapi.json names the mount point as its server', async () => {
  const doc = (await request(app).get('/auth/openapi.json')).body
  assert.deepEqual(doc.servers, [{ url: '/auth' }])
  assert.ok(doc.paths['/token/create'])
})

test("the example's start-up check finds no conflict in the example, and reports one a host route would make", async () => {
  const quiet: string[] = []
  assert.equal(
    reportRouteConflicts(app, (line) => quiet.push(line)),
    0,
  )
  assert.deepEqual(quiet, [])
  const warnings: string[] = []
  const { app: clashing, auth } = await createHostApp({ masterKey: 'test-master-key-0123456789abcdef' })
  try {
    clashing.post('/auth/token/revoke', (_req, res) => void res.json({ host: 'revoke' }))
    assert.equal(
      reportRouteConflicts(clashing, (line) => warnings.push(line)),
      1,
    )
    assert.match(warnings[0]!, /^route conflict \(polytoken-first\): the host route \/auth\/token\/revoke .* POST \/auth\/token\/revoke \(prodmanager\)/)
  } finally {
    await auth.close()
  }
})
