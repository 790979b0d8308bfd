/**
 * Issue #16, item 2: body-parser's refusals (broken JSON, too large, a
 * charset or encoding it does not take) happen before polytoken runs and
 * used to leave in the host's format. `app.use(router.errors)`, mounted
 * once after the host's routes, answers them on polytoken's paths in the
 * owning dialect's envelope and status, wherever the router is mounted,
 * and passes everything else on untouched.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import express, { type ErrorRequestHandler } from 'express'
import request from 'supertest'
import type { PolytokenRouter } from '@polytoken/express'
import { ENVELOPES, LEGACY_BASIC, PATHS, assertion, createRouter, hostErrorHandler, hostNotFound, sessionToken, standaloneApp, tokenAuth, type DialectName } from './parsers-fixture.js'

const JSON_TYPE = 'application/json'
const FORM = 'application/x-www-form-urlencoded'
/** A broken JSON body carrying a password: body-parser's message quotes the body; polytoken's must not. */
const BROKEN_JSON = '{"password":"hunter2-do-not-echo", "permission":'

let router: PolytokenRouter
let tgAuth: string

before(async () => {
  router = await createRouter()
  tgAuth = tokenAuth(await sessionToken({ tenant: 'acme' }))
})
after(() => router.close())

/** A host app with body-parser's default limits (100 kb, 1000 form fields) before the router. */
function hostApp(mount: (app: express.Express) => void, withErrors: boolean) {
  const app = express()
  app.use(express.json())
  app.use(express.urlencoded({ extended: true }))
  app.post('/echo', (req, res) => {
    res.json({ youSent: req.body as unknown })
  })
  mount(app)
  app.use(hostNotFound)
  if (withErrors) app.use(router.errors)
  app.use(hostErrorHandler)
  return app
}
const atAuth = (app: express.Express) => void app.use('/auth', router)

interface Refusal {
  name: string
  dialect: DialectName
  path: string
  contentType: string
  body: string
  headers?: Record<string, string>
  /** body-parser's err.type, what the host's handler sees without router.errors. */
  type: string
  status: number
  /** The stable code in the dialect's envelope. */
  code: string
}

const refusals = (): Refusal[] => [
  { name: 'broken JSON', dialect: 'tokenGenerator', path: PATHS.tokenGenerator, contentType: JSON_TYPE, body: BROKEN_JSON, type: 'entity.parse.failed', status: 400, code: 'ERR_REQUEST_MALFORMED' },
  { name: 'broken JSON', dialect: 'prodmanager', path: PATHS.prodmanager, contentType: JSON_TYPE, body: BROKEN_JSON, type: 'entity.parse.failed', status: 400, code: 'ERR_REQUEST_MALFORMED' },
  { name: 'broken JSON', dialect: 'crew', path: PATHS.crew, contentType: JSON_TYPE, body: BROKEN_JSON, type: 'entity.parse.failed', status: 400, code: 'BAD_TOKEN_OPTION' },
  {
    name: 'JSON over the host’s 100 kb',
    dialect: 'tokenGenerator',
    path: PATHS.tokenGenerator,
    contentType: JSON_TYPE,
    body: JSON.stringify({ note: 'x'.repeat(150_000) }),
    type: 'entity.too.large',
    status: 413,
    code: 'ERR_REQUEST_TOO_LARGE',
  },
  {
    name: 'JSON over the host’s 100 kb',
    dialect: 'crew',
    path: PATHS.crew,
    contentType: JSON_TYPE,
    body: JSON.stringify({ note: 'x'.repeat(150_000) }),
    type: 'entity.too.large',
    status: 413,
    code: 'BAD_TOKEN_OPTION',
  },
  {
    name: 'JSON in latin1',
    dialect: 'tokenGenerator',
    path: PATHS.tokenGenerator,
    contentType: `${JSON_TYPE}; charset=latin1`,
    body: '{}',
    type: 'charset.unsupported',
    status: 415,
    code: 'ERR_REQUEST_UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'a form in latin1',
    dialect: 'zazz',
    path: PATHS.zazz,
    contentType: `${FORM}; charset=latin1`,
    body: 'grant_type=password',
    type: 'charset.unsupported',
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'a form in latin1',
    dialect: 'prodmanager',
    path: PATHS.prodmanager,
    contentType: `${FORM}; charset=latin1`,
    body: 'name=x',
    type: 'charset.unsupported',
    status: 415,
    code: 'ERR_REQUEST_UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'Content-Encoding: compress',
    dialect: 'crew',
    path: PATHS.crew,
    contentType: JSON_TYPE,
    body: '{}',
    headers: { 'Content-Encoding': 'compress' },
    type: 'encoding.unsupported',
    status: 415,
    code: 'UNSUPPORTED',
  },
  {
    name: '1001 form fields',
    dialect: 'zazz',
    path: PATHS.zazz,
    contentType: FORM,
    body: Array.from({ length: 1001 }, (_, i) => `f${i}=v`).join('&'),
    type: 'parameters.too.many',
    status: 413,
    code: 'invalid_request',
  },
]

function send(app: express.Express, r: Pick<Refusal, 'dialect' | 'path' | 'contentType' | 'body' | 'headers'>, path = r.path) {
  const auth = r.dialect === 'tokenGenerator' ? { Authorization: tgAuth } : r.dialect === 'zazz' ? { Authorization: LEGACY_BASIC } : {}
  return request(app)
    .post(path)
    .set({ ...auth, 'Content-Type': r.contentType, ...r.headers })
    .send(r.body)
}

function codeOf(dialect: DialectName, body: Record<string, unknown>): unknown {
  if (dialect === 'zazz') return body.error
  if (dialect === 'crew') return (body.errors as Array<{ code: unknown }>)[0]!.code
  if (dialect === 'sagrada') return body.status
  return body.code
}

describe('without router.errors: the host’s parser errors reach the host’s handler, as before', () => {
  for (const r of refusals()) {
    test(`${r.dialect}: ${r.name} → the host's ${r.type}`, async () => {
      const response = await send(hostApp(atAuth, false), r)
      assert.deepEqual(response.body, { host: 'error', type: r.type })
    })
  }
})

describe('with app.use(router.errors): the owning dialect answers, in its envelope and status', () => {
  for (const r of refusals()) {
    test(`${r.dialect}: ${r.name} → ${r.status} ${r.code}`, async () => {
      const response = await send(hostApp(atAuth, true), r)
      assert.equal(response.status, r.status, response.text.slice(0, 300))
      assert.ok(ENVELOPES[r.dialect](response.body as Record<string, unknown>), response.text.slice(0, 300))
      assert.equal(codeOf(r.dialect, response.body as Record<string, unknown>), r.code)
      assert.doesNotMatch(response.text, /hunter2/)
    })
  }

  test('a refusal the route would answer differently gets the route’s own answer, as alone: JSON to a form-only route, a body on a GET', async () => {
    const app = hostApp(atAuth, true)
    const standalone = standaloneApp(router)
    // zazz takes forms only: its own answer to a JSON body (400 invalid_request), not the parse error.
    const json = { dialect: 'zazz' as const, path: PATHS.zazz, contentType: JSON_TYPE, body: BROKEN_JSON }
    const [zazzHost, zazzAlone] = [await send(app, json), await send(standalone, json)]
    assert.equal(zazzHost.status, zazzAlone.status)
    assert.deepEqual(zazzHost.body, zazzAlone.body)
    // sagrada's GET takes no body: the broken one is ignored, as alone.
    const get = (target: express.Express) =>
      request(target)
        .get(PATHS.sagrada)
        .set({ Authorization: `BrowserID ${assertion()}`, 'Content-Type': JSON_TYPE })
        .send(BROKEN_JSON)
    const [sagradaHost, sagradaAlone] = [await get(app), await get(standalone)]
    assert.equal(sagradaHost.status, 200, sagradaHost.text.slice(0, 200))
    assert.equal(sagradaAlone.status, 200)
    const anonymous = await request(app).get(PATHS.sagrada).set('Content-Type', JSON_TYPE).send(BROKEN_JSON)
    assert.equal(anonymous.status, 401)
    assert.ok(ENVELOPES.sagrada(anonymous.body as Record<string, unknown>), anonymous.text)
    // Another method on a dialect path: the route's 405, in its envelope.
    const put = await request(app).put(PATHS.tokenGenerator).set('Content-Type', JSON_TYPE).send(BROKEN_JSON)
    assert.equal(put.status, 405, put.text)
    assert.ok(ENVELOPES.tokenGenerator(put.body as Record<string, unknown>), put.text)
  })

  test('a charset only the host refuses (us-ascii, utf8 on a form): the stream is unread, the route reads it and answers as alone', async () => {
    for (const charset of ['us-ascii', 'utf8']) {
      const form = { dialect: 'zazz' as const, path: PATHS.zazz, contentType: `${FORM}; charset=${charset}`, body: 'grant_type=password&username=soroush&password=123' }
      const without = await send(hostApp(atAuth, false), form)
      assert.deepEqual(without.body, { host: 'error', type: 'charset.unsupported' })
      const withErrors = await send(hostApp(atAuth, true), form)
      assert.equal(withErrors.status, 200, withErrors.text)
      assert.equal(typeof (withErrors.body as { access_token?: unknown }).access_token, 'string')
    }
  })

  test('a valid request still succeeds through the host parsers with the handler mounted', async () => {
    const response = await send(hostApp(atAuth, true), { dialect: 'tokenGenerator', path: PATHS.tokenGenerator, contentType: JSON_TYPE, body: JSON.stringify({ permission: { Id: 'album' } }) })
    assert.equal(response.status, 200, response.text)
  })
})

describe('router.errors finds the router wherever it is mounted', () => {
  const broken = { dialect: 'tokenGenerator' as const, contentType: JSON_TYPE, body: BROKEN_JSON }
  const mounts: Array<[string, (app: express.Express) => void, string]> = [
    ['at the root', (app) => void app.use(router), '/api/v1/token'],
    ['at a deep prefix', (app) => void app.use('/api/v2/auth', router), '/api/v2/auth/api/v1/token'],
    [
      'in a Router of the host’s, itself mounted',
      (app) => {
        const api = express.Router()
        api.use('/auth', router)
        app.use('/outer', api)
      },
      '/outer/auth/api/v1/token',
    ],
    ['at a prefix with a parameter', (app) => void app.use('/tenants/:tenant/auth', router), '/tenants/acme/auth/api/v1/token'],
  ]
  for (const [name, mount, path] of mounts) {
    test(name, async () => {
      const response = await send(hostApp(mount, true), { ...broken, path: '' }, path)
      assert.equal(response.status, 400, response.text)
      assert.equal((response.body as { code?: unknown }).code, 'ERR_REQUEST_MALFORMED')
    })
  }

  test('the host app mounted inside another app (router.errors in the inner app)', async () => {
    const outer = express()
    outer.use('/svc', hostApp(atAuth, true))
    outer.use(hostErrorHandler)
    const response = await send(outer, { ...broken, path: '' }, '/svc/auth/api/v1/token')
    assert.equal(response.status, 400, response.text)
    assert.equal((response.body as { code?: unknown }).code, 'ERR_REQUEST_MALFORMED')
    // The mount is remembered nowhere: the next request on a host path is the host's.
    const echo = await request(outer).post('/svc/echo').set('Content-Type', JSON_TYPE).send(BROKEN_JSON)
    assert.deepEqual(echo.body, { host: 'error', type: 'entity.parse.failed' })
  })
})

describe('router.errors leaves the host’s own errors alone', () => {
  test('a parser error on a host path, or under the mount on a path polytoken does not serve, reaches the host’s handler', async () => {
    const app = hostApp(atAuth, true)
    for (const path of ['/echo', '/auth/not-a-polytoken-path', '/authx/api/v1/token', '/api/v1/token']) {
      const response = await request(app).post(path).set('Content-Type', JSON_TYPE).send(BROKEN_JSON)
      assert.deepEqual(response.body, { host: 'error', type: 'entity.parse.failed' }, path)
      assert.equal(response.status, 400)
    }
  })

  test('an error that is not a body-parser refusal, on a polytoken path, is passed on as it is', async () => {
    const boom = Object.assign(new Error('session store down'), { status: 503 })
    const teapot = Object.assign(new Error('verify refused'), { status: 403, type: 'entity.verify.failed' })
    for (const error of [boom, teapot]) {
      let seen: unknown
      const app = express()
      app.use((_req, _res, next) => next(error))
      app.use('/auth', router)
      app.use(router.errors)
      app.use(((received, _req, res, _next) => {
        seen = received
        res.status(599).end()
      }) as ErrorRequestHandler)
      const response = await request(app).post(PATHS.tokenGenerator).send({})
      assert.equal(response.status, 599)
      assert.equal(seen, error)
    }
  })

  test('a response already started is not touched', async () => {
    let seen: unknown
    const app = express()
    app.use((_req, res, next) => {
      res.writeHead(202, { 'Content-Type': 'text/plain' })
      res.write('started')
      next(Object.assign(new Error('late'), { status: 400, type: 'entity.parse.failed' }))
    })
    app.use('/auth', router)
    app.use(router.errors)
    app.use(((received: unknown, _req, res, _next) => {
      seen = received
      res.end()
    }) as ErrorRequestHandler)
    const response = await request(app).post(PATHS.tokenGenerator).send({})
    assert.equal(response.status, 202)
    assert.equal(response.text, 'started')
    assert.equal((seen as Error).message, 'late')
  })
})
