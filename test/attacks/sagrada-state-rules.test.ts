/**
 * Issue #14, item 3: sagrada's key-change rules are tokenserver's
 * (tokenserver/views.py `return_token`; the kc > generation rule is its
 * successor syncstorage-rs's). Each test names the rule it holds sagrada to;
 * each of them answered differently before (200, or a new uid, or a 400).
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import request from 'supertest'
import { assertion, createApp } from '../sagrada/fixture.js'

type App = Awaited<ReturnType<typeof createApp>>

describe('sagrada: tokenserver key-change rules', () => {
  let app: App
  before(async () => (app = await createApp()))
  after(() => app.router.close())

  const login = (email: string, claims: Record<string, unknown>, clientState?: string, query = '') => {
    const req = request(app.app)
      .get(`/1.0/sync/1.5${query}`)
      .set('authorization', `BrowserID ${assertion({ now: app.clock.now, email, claims })}`)
    return clientState === undefined ? req : req.set('x-client-state', clientState)
  }
  const refused = (res: request.Response, status: string) => {
    assert.equal(res.status, 401, res.text)
    assert.equal(res.body.status, status, res.text)
  }

  test('views.py "once the IdP starts sending keys_changed_at, we\'ll error out if it stops": a missing fxa-keysChangedAt is invalid-keysChangedAt', async () => {
    assert.equal((await login('stops@example.com', { 'fxa-generation': 10, 'fxa-keysChangedAt': 10 }, 'aaaa')).status, 200)
    refused(await login('stops@example.com', { 'fxa-generation': 10 }, 'aaaa'), 'invalid-keysChangedAt')
    refused(await login('stops@example.com', { 'fxa-generation': 11 }, 'aaaa'), 'invalid-keysChangedAt')
  })

  test('views.py "don\'t update client-state without a change in keys_changed_at": a new generation alone is not enough', async () => {
    const first = await login('keys@example.com', { 'fxa-generation': 1234, 'fxa-keysChangedAt': 1234 }, 'aaaa')
    assert.equal(first.status, 200)
    refused(await login('keys@example.com', { 'fxa-generation': 1235, 'fxa-keysChangedAt': 1234 }, 'bbbb'), 'invalid-client-state')
    // The refused state got no uid: the user is still where they were...
    assert.equal((await login('keys@example.com', { 'fxa-generation': 1235, 'fxa-keysChangedAt': 1234 }, 'aaaa')).body.uid, first.body.uid)
    // ...and moves once the keys have changed too.
    const moved = await login('keys@example.com', { 'fxa-generation': 1236, 'fxa-keysChangedAt': 1236 }, 'bbbb')
    assert.equal(moved.status, 200)
    assert.notEqual(moved.body.uid, first.body.uid)
  })

  test('keysChangedAt greater than the generation is invalid-keysChangedAt (syncstorage-rs; views.py: "a change in keys should correspond to a change in generation number")', async () => {
    refused(await login('ahead@example.com', { 'fxa-generation': 100, 'fxa-keysChangedAt': 200 }, 'aaaa'), 'invalid-keysChangedAt')
    assert.equal((await login('ahead@example.com', { 'fxa-generation': 100, 'fxa-keysChangedAt': 100 }, 'aaaa')).status, 200)
    refused(await login('ahead@example.com', { 'fxa-generation': 150, 'fxa-keysChangedAt': 200 }, 'aaaa'), 'invalid-keysChangedAt')
    // views.py: keys that changed while the reported generation did not (here 120 ≤ 150).
    assert.equal((await login('ahead@example.com', { 'fxa-generation': 150, 'fxa-keysChangedAt': 100 }, 'aaaa')).status, 200)
    refused(await login('ahead@example.com', { 'fxa-generation': 150, 'fxa-keysChangedAt': 120 }, 'aaaa'), 'invalid-keysChangedAt')
  })

  test('views.py "Don\'t revert to a previous client-state": the first of 65 states is still refused', async () => {
    const email = 'many@example.com'
    const state = (i: number) => `state-${i}`
    const first = await login(email, { 'fxa-generation': 1 }, state(0))
    assert.equal(first.status, 200)
    const uids = new Set<number>([first.body.uid])
    for (let i = 1; i <= 65; i++) {
      const res = await login(email, { 'fxa-generation': i + 1 }, state(i))
      assert.equal(res.status, 200, `change ${i}: ${res.text}`)
      uids.add(res.body.uid)
    }
    assert.equal(uids.size, 66)
    for (const old of [0, 1, 2, 64]) refused(await login(email, { 'fxa-generation': 100 + old }, state(old)), 'invalid-client-state')
  })

  test('views.py "if 0 < requested_duration < token_duration": any other ?duration= is ignored, not a 400', async () => {
    for (const duration of ['0', '-5', '300', '3600', '86401', '99999999999']) {
      const res = await login('duration@example.com', {}, undefined, `?duration=${duration}`)
      assert.equal(res.status, 200, `duration=${duration}: ${res.text}`)
      assert.equal(res.body.duration, 300, `duration=${duration}`)
    }
    assert.equal((await login('duration@example.com', {}, undefined, '?duration=299')).body.duration, 299)
  })
})
