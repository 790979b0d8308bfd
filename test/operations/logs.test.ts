import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import request from 'supertest'
import type { Logger } from '@polytoken/core'
import { capturedPino, probeApp, PROBE_PASSWORD } from './logs.fixture.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('logs through a pino logger passed in as it is', () => {
  it("an unexpected error's line keeps its fields (dialect, path, request id), not only the message", async () => {
    const { logger, lines } = capturedPino()
    const { app, router } = await probeApp({ logger })
    try {
      const answer = await request(app).get('/auth/probe/boom').set('X-Request-Id', 'boom-1')
      assert.equal(answer.status, 500)
      assert.deepEqual(answer.body, { error: 'ERR_INTERNAL' })
      const line = lines().find((entry) => entry.msg === 'unexpected error')
      assert.ok(line, JSON.stringify(lines()))
      assert.equal(line.level, 50)
      assert.equal(line.requestId, 'boom-1')
      assert.equal(line.dialect, 'probe')
      assert.equal(line.path, '/probe/boom')
      assert.match(String(line.error), /Error: boom/)
    } finally {
      await router.close()
    }
  })

  it('console fits the Logger type as it is (fields first, as pino)', () => {
    const typed: Logger = console
    assert.equal(typeof typed.info, 'function')
  })
})

describe('request ids', () => {
  for (const fastDispatch of [true, false]) {
    it(`a safe X-Request-Id is kept, anything else replaced by a UUID, on every answer (fastDispatch: ${fastDispatch})`, async () => {
      const { app, router } = await probeApp({ fastDispatch, logger: capturedPino().logger })
      try {
        for (const path of ['/auth/probe/ok', '/auth/probe/items/42', '/auth/probe/OK', '/auth/healthz', '/auth/.well-known/jwks.json']) {
          const kept = await request(app).get(path).set('X-Request-Id', 'abc-123.def:4_5')
          assert.equal(kept.headers['x-request-id'], 'abc-123.def:4_5', path)
          const made = await request(app).get(path)
          assert.match(String(made.headers['x-request-id']), UUID, path)
        }
        // A 405, a broken %-escape and a body the route refuses are answered with one too.
        assert.equal((await request(app).delete('/auth/probe/ok').set('X-Request-Id', 'm-1')).headers['x-request-id'], 'm-1')
        assert.equal((await request(app).get('/auth/probe/items/%E0%A4%A').set('X-Request-Id', 'e-1')).headers['x-request-id'], 'e-1')
        assert.equal((await request(app).post('/auth/probe/store').set('X-Request-Id', 'b-1').type('json').send('{')).headers['x-request-id'], 'b-1')
        const one = await request(app).get('/auth/probe/ok')
        const two = await request(app).get('/auth/probe/ok')
        assert.notEqual(one.headers['x-request-id'], two.headers['x-request-id'])
      } finally {
        await router.close()
      }
    })
  }
})

describe('the access log', () => {
  for (const fastDispatch of [true, false]) {
    it(`accessLog: true, one line per request: id, method, route pattern, status, duration, dialect, error code (fastDispatch: ${fastDispatch})`, async () => {
      const { logger, lines } = capturedPino()
      const { app, router } = await probeApp({ logger, accessLog: true, fastDispatch })
      try {
        await request(app).get('/auth/probe/items/42').set('X-Request-Id', 'a-1').expect(200)
        await request(app).post('/auth/probe/store').set('X-Request-Id', 'a-2').auth('probe', PROBE_PASSWORD).send({ value: 'v' }).expect(200)
        await request(app).post('/auth/probe/store').set('X-Request-Id', 'a-3').auth('probe', 'not-the-password').send({ value: 'v' }).expect(401)
        await request(app).post('/auth/probe/store').set('X-Request-Id', 'a-4').auth('probe', PROBE_PASSWORD).send({}).expect(400)
        await request(app).put('/auth/probe/store').set('X-Request-Id', 'a-5').send({}).expect(405)
        const access = lines().filter((line) => line.msg === 'request')
        assert.deepEqual(
          access.map(({ requestId, method, route, status, dialect, errorCode }) => ({ requestId, method, route, status, dialect, errorCode })),
          [
            { requestId: 'a-1', method: 'GET', route: '/auth/probe/items/:id', status: 200, dialect: 'probe', errorCode: undefined },
            { requestId: 'a-2', method: 'POST', route: '/auth/probe/store', status: 200, dialect: 'probe', errorCode: undefined },
            { requestId: 'a-3', method: 'POST', route: '/auth/probe/store', status: 401, dialect: 'probe', errorCode: 'ERR_AUTH_INVALID' },
            { requestId: 'a-4', method: 'POST', route: '/auth/probe/store', status: 400, dialect: 'probe', errorCode: 'ERR_REQUEST_INVALID' },
            { requestId: 'a-5', method: 'PUT', route: '/auth/probe/store', status: 405, dialect: 'probe', errorCode: 'ERR_ROUTE_METHOD_NOT_ALLOWED' },
          ],
        )
        for (const line of access) {
          assert.equal(line.level, 30)
          assert.ok(typeof line.durationMs === 'number' && line.durationMs >= 0, JSON.stringify(line))
        }
        assert.ok(!JSON.stringify(lines()).includes(PROBE_PASSWORD) && !JSON.stringify(lines()).includes('not-the-password'))
      } finally {
        await router.close()
      }
    })
  }

  it('accessLog: a logger of its own gets the lines; the default (off) writes none', async () => {
    const main = capturedPino()
    const own = capturedPino()
    const withOwn = await probeApp({ logger: main.logger, accessLog: own.logger })
    const off = await probeApp({ logger: main.logger })
    try {
      await request(withOwn.app).get('/auth/probe/ok').expect(200)
      await request(off.app).get('/auth/probe/ok').expect(200)
      assert.equal(own.lines().filter((line) => line.msg === 'request').length, 1)
      assert.equal(main.lines().filter((line) => line.msg === 'request').length, 0)
    } finally {
      await withOwn.router.close()
      await off.router.close()
    }
  })
})
