/**
 * Issue #13, item 11: a refresh-token reuse grace period. Off by default; when
 * set, the same client presenting its just-rotated refresh token again within
 * the window gets a fresh pair and keeps its login. Everything else that
 * reuse detection catches still revokes the family: an older generation
 * (django-oauth-toolkit's issue 1617), the window passed, another client, or
 * the superseded pair itself.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { zazz } from '@polytoken/plugins'
import { rfcBasic, startApp, testOptions, type TestServer } from '../zazz/fixture.js'
import { introspect, login, me, refresh } from '../zazz/helpers.js'

const GRACE_SEC = 10
const RESOURCE_SERVER = rfcBasic('resource-server', 'rs-secret')
const OTHER_CLIENT = rfcBasic('other', 'other-secret')

async function withServer(graceSec: number | undefined, run: (server: TestServer, clock: { advance(ms: number): void }) => Promise<void>): Promise<void> {
  // Real time plus a jump: the family-revocation stamp must still order against later requests.
  let offset = 0
  const server = await startApp(testOptions(graceSec === undefined ? {} : { refreshReuseGraceSec: graceSec }), { clock: () => Date.now() + offset })
  try {
    await run(server, { advance: (ms) => void (offset += ms) })
  } finally {
    await server.close()
  }
}

async function active(server: TestServer, token: string): Promise<boolean> {
  const response = await introspect(server.app, token, RESOURCE_SERVER)
  assert.equal(response.status, 200, response.text)
  return response.body.active === true
}

/** The login is over: its newest refresh token is refused and its access tokens are 401. */
async function assertFamilyRevoked(server: TestServer, newestRefresh: string, accessTokens: string[]): Promise<void> {
  const answer = await refresh(server.app, newestRefresh)
  assert.equal(answer.status, 400, answer.text)
  assert.equal(answer.body.error, 'invalid_grant')
  for (const access of accessTokens) assert.equal((await me(server.app, access)).status, 401)
}

describe('zazz attack: refresh-token reuse grace period', () => {
  test('off by default: presenting the just-rotated token again revokes the family', async () => {
    await withServer(undefined, async (server) => {
      const first = (await login(server.app)).body
      const second = (await refresh(server.app, first.refresh_token)).body
      const again = await refresh(server.app, first.refresh_token)
      assert.equal(again.status, 400, again.text)
      await assertFamilyRevoked(server, second.refresh_token, [second.access_token])
    })
  })

  test('double submit within the window: a fresh pair; only it stays valid, the superseded pair is dead', async () => {
    await withServer(GRACE_SEC, async (server, clock) => {
      const first = (await login(server.app)).body
      const lost = await refresh(server.app, first.refresh_token)
      assert.equal(lost.status, 200, lost.text)
      clock.advance(2000)
      const retried = await refresh(server.app, first.refresh_token)
      assert.equal(retried.status, 200, retried.text)
      assert.notEqual(retried.body.refresh_token, lost.body.refresh_token)
      assert.deepEqual(retried.body.user, lost.body.user)
      // Only the most recent pair: the superseded refresh token is inactive, its access token revoked.
      assert.equal(await active(server, lost.body.refresh_token), false)
      assert.equal(await active(server, retried.body.refresh_token), true)
      assert.equal((await me(server.app, lost.body.access_token)).status, 401)
      assert.equal((await me(server.app, retried.body.access_token)).status, 200)
      // The access token that came with the presented token lives on, as after any rotation.
      assert.equal((await me(server.app, first.access_token)).status, 200)
      // The login goes on from the new pair, and rotation works as usual.
      const next = await refresh(server.app, retried.body.refresh_token)
      assert.equal(next.status, 200, next.text)
      assert.equal((await refresh(server.app, next.body.refresh_token)).status, 200)
    })
  })

  test('the superseded refresh token presented afterwards revokes the family', async () => {
    await withServer(GRACE_SEC, async (server) => {
      const first = (await login(server.app)).body
      const superseded = (await refresh(server.app, first.refresh_token)).body
      const newest = (await refresh(server.app, first.refresh_token)).body
      const replay = await refresh(server.app, superseded.refresh_token)
      assert.equal(replay.status, 400, replay.text)
      assert.equal(replay.body.error, 'invalid_grant')
      await assertFamilyRevoked(server, newest.refresh_token, [newest.access_token])
    })
  })

  test('several resubmissions within the window: each supersedes the one before', async () => {
    await withServer(GRACE_SEC, async (server) => {
      const first = (await login(server.app)).body
      const answers = []
      for (let i = 0; i < 3; i++) {
        const answer = await refresh(server.app, first.refresh_token)
        assert.equal(answer.status, 200, answer.text)
        answers.push(answer.body)
      }
      assert.deepEqual(await Promise.all(answers.map((answer) => active(server, answer.refresh_token))), [false, false, true])
      assert.equal((await refresh(server.app, answers[2]!.refresh_token)).status, 200)
    })
  })

  test('an older generation inside the window revokes the family (django-oauth-toolkit #1617)', async () => {
    await withServer(GRACE_SEC, async (server, clock) => {
      const first = (await login(server.app)).body
      const second = (await refresh(server.app, first.refresh_token)).body
      clock.advance(1000)
      const third = (await refresh(server.app, second.refresh_token)).body
      clock.advance(1000)
      // first's successor (second) has been used: first is two generations back, still inside its window.
      const replay = await refresh(server.app, first.refresh_token)
      assert.equal(replay.status, 400, replay.text)
      assert.equal(replay.body.error, 'invalid_grant')
      await assertFamilyRevoked(server, third.refresh_token, [second.access_token, third.access_token])
    })
  })

  test('the just-rotated token presented after the window revokes the family', async () => {
    await withServer(GRACE_SEC, async (server, clock) => {
      const first = (await login(server.app)).body
      const second = (await refresh(server.app, first.refresh_token)).body
      clock.advance(GRACE_SEC * 1000 + 1)
      const replay = await refresh(server.app, first.refresh_token)
      assert.equal(replay.status, 400, replay.text)
      await assertFamilyRevoked(server, second.refresh_token, [second.access_token])
    })
  })

  test('another client presenting the just-rotated token within the window revokes the family', async () => {
    await withServer(GRACE_SEC, async (server) => {
      const first = (await login(server.app)).body
      const second = (await refresh(server.app, first.refresh_token)).body
      const stolen = await refresh(server.app, first.refresh_token, OTHER_CLIENT)
      assert.equal(stolen.status, 400, stolen.text)
      assert.equal(stolen.body.error, 'invalid_grant')
      await assertFamilyRevoked(server, second.refresh_token, [second.access_token])
    })
  })

  test('a refresh refused for its own input (a wider scope) keeps the token as it was', async () => {
    await withServer(GRACE_SEC, async (server) => {
      const first = (await login(server.app)).body
      const wider = await refresh(server.app, first.refresh_token, undefined, { scope: 'full admin' })
      assert.equal(wider.status, 400, wider.text)
      assert.equal(await active(server, first.refresh_token), true)
      const second = await refresh(server.app, first.refresh_token)
      assert.equal(second.status, 200, second.text)
      assert.equal((await refresh(server.app, second.body.refresh_token)).status, 200)
    })
  })

  test('refreshReuseGraceSec is checked at construction', () => {
    for (const bad of [-1, 301, Number.NaN, '5' as unknown as number]) {
      assert.throws(() => zazz(testOptions({ refreshReuseGraceSec: bad })), /zazz\.refreshReuseGraceSec/)
    }
    assert.doesNotThrow(() => zazz(testOptions({ refreshReuseGraceSec: 0 })))
  })
})
