/**
 * One dialect definition passed to two routers runs its setup() once per
 * router: two independent instances, each on its own services (store, keys,
 * caches). Nothing one instance holds leaks into the other, and both work.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import express from 'express'
import request from 'supertest'
import { polytoken, type PolytokenRouter } from '@polytoken/express'
import { memoryStore, silentLogger, type DialectDefinition } from '@polytoken/core'
import { crew, zazz } from '@polytoken/plugins'
import { testOptions as zazzOptions } from '../zazz/fixture.js'
import { login, me, refresh } from '../zazz/helpers.js'
import { SERVICE, basic, testOptions as crewOptions } from '../crew/fixture.js'

const MASTER_KEY = 'two-routers-master-key-0123456789abcdef'

async function mount(dialect: DialectDefinition): Promise<{ app: express.Express; router: PolytokenRouter }> {
  const router = await polytoken({ dialects: [dialect], store: memoryStore(), masterKey: MASTER_KEY, logger: silentLogger })
  const app = express()
  app.use(router)
  return { app, router }
}

test('zazz: one definition, two routers: users, tokens and logins stay with the router that made them', async () => {
  const dialect = zazz(zazzOptions())
  const a = await mount(dialect)
  const b = await mount(dialect)
  try {
    assert.notEqual(a.router.runtime.instance(dialect), b.router.runtime.instance(dialect), 'two instances')
    // Both work.
    const onA = (await login(a.app)).body
    const onB = (await login(b.app)).body
    assert.equal((await me(a.app, onA.access_token)).status, 200)
    assert.equal((await me(b.app, onB.access_token)).status, 200)
    // A token of one router is nothing to the other (its own keys and store).
    assert.equal((await me(b.app, onA.access_token)).status, 401)
    assert.equal((await refresh(b.app, onA.refresh_token)).body.error, 'invalid_grant')
    // A user added through A's directory exists on A only.
    await a.router.runtime.instance(dialect).users.add({ username: 'only-on-a', password: 'pw-a', userId: 77 })
    assert.equal((await login(a.app, undefined, { username: 'only-on-a', password: 'pw-a' })).status, 200)
    assert.equal((await login(b.app, undefined, { username: 'only-on-a', password: 'pw-a' })).body.error, 'invalid_grant')
    assert.equal(await b.router.runtime.instance(dialect).users.get(77), undefined)
    // A password changed on B ends B's logins only.
    await b.router.runtime.instance(dialect).users.setPassword(1, 'changed on B')
    assert.equal((await me(b.app, onB.access_token)).status, 401)
    assert.equal((await me(a.app, onA.access_token)).status, 200)
  } finally {
    await Promise.all([a.router.close(), b.router.close()])
  }
})

test('crew: one definition, two routers: each signs with its own key and keeps its own refresh tokens', async () => {
  const dialect = crew(crewOptions())
  const a = await mount(dialect)
  const b = await mount(dialect)
  try {
    const take = (app: express.Express) =>
      request(app).get('/v1/token').set('Authorization', basic('alice', 'alice-pw')).query({ service: SERVICE, account: 'alice', client_id: 'docker', offline_token: 'true' })
    const onA = await take(a.app)
    const onB = await take(b.app)
    assert.equal(onA.status, 200, onA.text)
    assert.equal(onB.status, 200, onB.text)
    const kid = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid
    assert.notEqual(kid(onA.body.token), kid(onB.body.token), 'each router generated its own signing key')
    const form = (refreshToken: string) => ({ grant_type: 'refresh_token', refresh_token: refreshToken, service: SERVICE, client_id: 'docker' })
    assert.equal((await request(a.app).post('/v1/token').type('form').send(form(onA.body.refresh_token))).status, 200)
    const crossed = await request(b.app).post('/v1/token').type('form').send(form(onA.body.refresh_token))
    assert.ok(crossed.status >= 400 && crossed.status < 500, `A's refresh token is unknown to B: ${crossed.status} ${crossed.text}`)
    assert.equal((await request(b.app).post('/v1/token').type('form').send(form(onB.body.refresh_token))).status, 200)
  } finally {
    await Promise.all([a.router.close(), b.router.close()])
  }
})
