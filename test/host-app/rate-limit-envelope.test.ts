/**
 * A host rate limiter in front of polytoken (docs/mounting.md, "Rate limiters"): with answerInDialectEnvelope as
 * express-rate-limit's handler, a limited request for a dialect path is refused in that dialect's own envelope
 * (what its clients parse), with Retry-After and no-store; the host's own paths keep the limiter's answer.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import express, { type Request } from 'express'
import request from 'supertest'
import { rateLimit } from 'express-rate-limit'
import { answerInDialectEnvelope, polytoken, type PolytokenRouter } from '@polytoken/express'
import { RateLimited, silentLogger } from '@polytoken/core'
import { crew, prodmanager, zazz } from '@polytoken/plugins'
import { testOptions as crewOptions } from '../crew/fixture.js'
import { testOptions as zazzOptions } from '../zazz/fixture.js'

let app: express.Express
let auth: PolytokenRouter

before(async () => {
  auth = await polytoken({
    dialects: [crew(crewOptions()), { dialect: zazz(zazzOptions()), prefix: '/zazz' }, { dialect: prodmanager({ secret: 'changeit', permissions: { scope_api: 1 } }), prefix: '/pm' }],
    masterKey: 'rate-limit-master-key-0123456789abcdef',
    logger: silentLogger,
  })
  app = express()
  app.use(
    rateLimit({
      windowMs: 60_000,
      limit: 1,
      // One budget per path here, so each case starts fresh; a real app keys by client address (the default).
      keyGenerator: (req: Request) => req.path,
      handler: (req, res, _next, options) => {
        const error = new RateLimited('too many requests', { headers: { 'Retry-After': String(Math.ceil(options.windowMs / 1000)) } })
        if (!answerInDialectEnvelope(auth, req, res, error)) res.status(options.statusCode).json({ host: 'slow down' })
      },
    }),
  )
  app.get('/hello', (_req, res) => void res.json({ host: 'hello' }))
  app.use('/auth', auth)
})
after(() => auth.close())

/** The second request to a path is over the limit. */
async function limited(method: 'get' | 'post', path: string): Promise<request.Response> {
  await request(app)[method](path)
  const response = await request(app)[method](path)
  assert.equal(response.status, 429, response.text)
  return response
}

test('crew: the errcode envelope Docker clients read', async () => {
  const response = await limited('get', '/auth/v1/token')
  assert.equal(response.body.errors?.[0]?.code, 'TOOMANYREQUESTS', response.text)
  assert.equal(response.headers['retry-after'], '60')
  assert.equal(response.headers['cache-control'], 'no-store')
})

test('zazz: the OAuth error object', async () => {
  const response = await limited('post', '/auth/zazz/api/v1/token')
  assert.equal(typeof response.body.error, 'string', response.text)
  assert.equal(response.headers['retry-after'], '60')
})

test('prodmanager: its {code, message} envelope', async () => {
  const response = await limited('post', '/auth/pm/token/create')
  assert.equal(response.body.code, 'ERR_RATE_LIMITED', response.text)
})

test("the host's own paths keep the limiter's answer", async () => {
  const response = await limited('get', '/hello')
  assert.deepEqual(response.body, { host: 'slow down' })
})
