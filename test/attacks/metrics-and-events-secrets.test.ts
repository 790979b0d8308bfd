/**
 * Forged and real credentials through zazz's whole lifecycle (login, refresh, reuse of a used refresh token, revoke,
 * wrong passwords, forged tokens, a secret in the query string and in an unknown path): no password, client secret,
 * token or user name reaches router.events or the Prometheus exposition, and every route label is a route pattern.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import request from 'supertest'
import { polytokenMetrics } from '@polytoken/metrics'
import { startApp, WEB_BASIC, WEB_SECRET } from '../zazz/fixture.js'
import { login, me, refresh, revoke } from '../zazz/helpers.js'

test('no secret, token or user name in any event or metric label, whatever the client sends', async () => {
  const server = await startApp()
  const metrics = polytokenMetrics(server.router)
  const events: unknown[] = []
  for (const name of ['token.issued', 'token.refreshed', 'token.revoked', 'token.reuse-detected', 'auth.failed', 'login.throttled', 'request', 'store.operation'] as const) {
    server.router.events.on(name, (event: unknown) => events.push({ name, event }))
  }
  try {
    const first = await login(server.app, WEB_BASIC)
    assert.equal(first.status, 200, first.text)
    const refreshed = await refresh(server.app, first.body.refresh_token, WEB_BASIC)
    assert.equal(refreshed.status, 200, refreshed.text)
    // The used refresh token again: reuse, the login is revoked.
    assert.equal((await refresh(server.app, first.body.refresh_token, WEB_BASIC)).status, 400)
    const second = await login(server.app, WEB_BASIC)
    assert.equal((await me(server.app, second.body.access_token)).status, 200)
    assert.equal((await revoke(server.app, second.body.access_token, WEB_BASIC)).status, 200)
    const wrongPassword = 'wrong-password-Zq81!'
    assert.equal((await login(server.app, WEB_BASIC, { password: wrongPassword })).status, 400)
    const forged = `${second.body.access_token.slice(0, -6)}AAAAAA`
    assert.equal((await me(server.app, forged)).status, 401)
    const querySecret = 'query-secret-Vb72'
    await request(server.app).get(`/api/v1/me?access_token=${querySecret}`).set('Authorization', `Bearer ${querySecret}`)
    await request(server.app).get(`/api/v1/${querySecret}`)

    const exposition = await metrics.registry.metrics()
    const seen = JSON.stringify(events)
    const secrets = [
      WEB_SECRET,
      '123',
      wrongPassword,
      'soroush',
      querySecret,
      forged,
      first.body.refresh_token,
      first.body.access_token,
      second.body.access_token,
      refreshed.body.refresh_token,
      refreshed.body.access_token,
    ]
    for (const secret of secrets) {
      assert.ok(!exposition.includes(secret) || secret === '123', `metrics hold ${secret}`)
      assert.ok(!seen.includes(secret) || secret === '123', `events hold ${secret}`)
    }
    // '123' is short enough to occur in a number: it must not be a label value or a subject.
    assert.doesNotMatch(exposition, /="123"/)
    assert.doesNotMatch(seen, /"subject":"(123|soroush)"/)
    // A subject is a fingerprint (SHA-256, base64url), never the user's id or name.
    const subjects = [...seen.matchAll(/"subject":("[^"]*"|\d+)/g)].map((match) => match[1])
    assert.ok(subjects.length >= 3, 'token events name their subject')
    for (const subject of subjects) assert.match(subject!, /^"[A-Za-z0-9_-]{43}"$/)
    // Each kind of event was seen, so the checks above looked at something.
    for (const name of ['token.issued', 'token.refreshed', 'token.revoked', 'token.reuse-detected', 'auth.failed', 'request']) assert.ok(seen.includes(`"name":"${name}"`), `no ${name} event`)
    const routes = new Set([...exposition.matchAll(/route="([^"]*)"/g)].map((match) => match[1]))
    assert.deepEqual([...routes].sort(), ['/api/v1/me', '/api/v1/token', '/api/v1/token/revoke'])
  } finally {
    metrics.close()
    await server.close()
  }
})
