/**
 * Issue #13, item 11, across instances: two zazz routers on one Redis, each
 * with its own connection, both with the reuse grace period. One refresh token
 * sent to both at the same moment (a client's crossed retries behind a load
 * balancer) must give two 200s, leave exactly one pair valid, and keep the
 * login; the superseded pair's refresh token, used later, revokes the family.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createStore, type StoreBackend } from '@polytoken/core'
import { REDIS_URL, runPrefix } from '../storage/services.js'
import { rfcBasic, startApp, testOptions, type TestServer } from '../zazz/fixture.js'
import { introspect, login, me, refresh } from '../zazz/helpers.js'
import { clearNamespaces } from '../helpers/clear-store.js'

const ROUNDS = 15
const RESOURCE_SERVER = rfcBasic('resource-server', 'rs-secret')

describe('zazz attack: the grace period holds across two instances on one Redis', () => {
  const prefix = runPrefix('zazz-grace-race')
  const stores: StoreBackend[] = []
  let a: TestServer
  let b: TestServer
  before(async () => {
    for (let i = 0; i < 2; i++) stores.push(await createStore({ url: REDIS_URL, prefix, timeoutMs: 5000 }))
    const options = testOptions({ refreshReuseGraceSec: 30 })
    ;[a, b] = (await Promise.all(stores.map((store) => startApp(options, { store })))) as [TestServer, TestServer]
  })
  after(async () => {
    // Each router closes its own store.
    await Promise.all([a?.close(), b?.close()])
    await clearNamespaces(REDIS_URL, prefix, ['zazz', 'polytoken'])
  })

  test(`one token refreshed on both at once, ${ROUNDS} times: two 200s, exactly one pair valid, the login kept`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const first = await login(a.app)
      assert.equal(first.status, 200, first.text)
      const answers = await Promise.all([refresh(a.app, first.body.refresh_token), refresh(b.app, first.body.refresh_token)])
      for (const answer of answers) assert.equal(answer.status, 200, `round ${round}: ${answer.text}`)
      const tokens = answers.map((answer) => answer.body.refresh_token as string)
      const live = await Promise.all(tokens.map(async (token) => (await introspect(a.app, token, RESOURCE_SERVER)).body.active === true))
      assert.equal(live.filter(Boolean).length, 1, `round ${round}: exactly one refresh token stays valid (${live.join(',')})`)
      const valid = live.indexOf(true)
      const superseded = 1 - valid
      // The superseded pair's access token is revoked on both instances; the valid one works on both.
      for (const server of [a, b]) {
        assert.equal((await me(server.app, answers[superseded]!.body.access_token)).status, 401, `round ${round}: superseded access token`)
        assert.equal((await me(server.app, answers[valid]!.body.access_token)).status, 200, `round ${round}: valid access token`)
      }
      const next = await refresh(round % 2 === 0 ? a.app : b.app, tokens[valid]!)
      assert.equal(next.status, 200, `round ${round}: the login goes on: ${next.text}`)
      if (round === ROUNDS - 1) {
        // The superseded refresh token is a replay: the family ends on both instances.
        const replay = await refresh(b.app, tokens[superseded]!)
        assert.equal(replay.status, 400, replay.text)
        assert.equal((await refresh(a.app, next.body.refresh_token)).status, 400)
      }
    }
  })

  test('an older generation raced against the live one across instances revokes the family', async () => {
    const first = (await login(a.app)).body
    const second = (await refresh(a.app, first.refresh_token)).body
    // second's holder refreshes on b while first (now two generations back once second is used) is replayed on a.
    const [rotated, replay] = await Promise.all([
      refresh(b.app, second.refresh_token),
      (async () => {
        await new Promise((resolve) => setTimeout(resolve, 50))
        return refresh(a.app, first.refresh_token)
      })(),
    ])
    assert.equal(rotated.status, 200, rotated.text)
    assert.equal(replay.status, 400, replay.text)
    assert.equal((await refresh(b.app, rotated.body.refresh_token)).status, 400, 'the family is revoked')
  })
})
