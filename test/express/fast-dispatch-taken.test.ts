/**
 * Issue #15, item 6: the fast path is really taken. A dialect route, static
 * or with parameters, is answered without Express's Router.handle; what the
 * fast path leaves alone (HEAD, a path that is no dialect route) still goes
 * through it; `fastDispatch: false` sends everything through it. Fails when
 * installFastDispatch is removed or never finds a route.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import express from 'express'
import request from 'supertest'
import { polytoken, type PolytokenRouter } from '@polytoken/express'
import { silentLogger } from '@polytoken/core'
import { prodmanager, sagrada } from '@polytoken/plugins'
import { options as sagradaOptions } from '../sagrada/fixture.js'
import { spyOnRouterHandle, type RouterHandleSpy } from '../helpers/router-handle-spy.js'

let spy: RouterHandleSpy
const built: PolytokenRouter[] = []
before(() => {
  spy = spyOnRouterHandle()
})
after(async () => {
  spy.restore()
  for (const router of built) await router.close()
})

async function app(fastDispatch?: boolean) {
  const router = await polytoken({
    dialects: [
      { prefix: '/pm', dialect: prodmanager({ secret: 'changeit', permissions: { scope_api: 1 }, keys: [{ secret: 'signing-secret-0123456789abcdef0123' }] }) },
      { prefix: '/sync', dialect: sagrada(sagradaOptions()) },
    ],
    logger: silentLogger,
    ...(fastDispatch === undefined ? {} : { fastDispatch }),
  })
  built.push(router)
  return { router, app: express().use(router) }
}

test('dialect routes skip Router.handle; HEAD and unknown paths still take it', async () => {
  const { router, app: server } = await app()
  const routed = async (send: () => PromiseLike<request.Response>, status: number) => {
    const before = spy.callsOn(router)
    const response = await send()
    assert.equal(response.status, status, response.text)
    return spy.callsOn(router) - before
  }
  // A static route (one Map lookup) and a route with parameters (its layer's match).
  assert.equal(await routed(() => request(server).get('/pm/token/whoami'), 401), 0)
  assert.equal(await routed(() => request(server).get('/sync/1.0/sync/1.5'), 401), 0)
  assert.equal(await routed(() => request(server).get('/sync/1.0/nope/1.5'), 404), 0)
  // Another letter case: Express would match it too, so the fast path takes it.
  assert.equal(await routed(() => request(server).get('/PM/Token/WhoAmI'), 401), 0)
  // What the fast path leaves to Express.
  assert.equal(await routed(() => request(server).head('/pm/token/whoami'), 401), 1)
  assert.equal(await routed(() => request(server).get('/pm/elsewhere'), 404), 1)
  assert.equal(await routed(() => request(server).put('/pm/token/whoami'), 405), 1)
  assert.equal(await routed(() => request(server).get('/sync/1.0/%zz/1.5'), 400), 1)
})

test('fastDispatch: false: every request takes Router.handle', async () => {
  const { router, app: server } = await app(false)
  const before = spy.callsOn(router)
  assert.equal((await request(server).get('/pm/token/whoami')).status, 401)
  assert.equal((await request(server).get('/sync/1.0/sync/1.5')).status, 401)
  assert.equal(spy.callsOn(router) - before, 2)
})
