import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { claimsOf, redisPair, refusedWithin } from './pair.js'

/**
 * Zazz on two examples-server processes sharing one Redis: refresh rotation,
 * reuse detection and family revocation seen across instances; concurrent
 * refreshes with one token split across both; the access tokens of a revoked
 * family refused everywhere within the (configured) cache window.
 */
const WINDOW_MS = 1500
const CLIENT = 'hdi7o53NSeilrq7oQihy69PvH9BBQtw5QfcJy4ALBuY'
const LEGACY_BASIC = `Basic ${CLIENT}`

const config = {
  cache: { maxTtlMs: WINDOW_MS },
  zazz: {
    prefix: '/zazz',
    issuer: 'https://www.zazzlife.com',
    audience: 'Zazz clients',
    clients: [{ id: CLIENT, number: 1, scopes: ['full'] }],
    users: [{ username: 'soroush', password: 'scale-out-password', userId: 41, displayName: 'Soroush Scale' }],
    // Cheap hashes: the password grant's cost is not what these tests measure.
    passwordHash: { N: 1024, r: 8, p: 1 },
  },
}

interface TokenAnswer {
  access_token: string
  refresh_token: string
  token_type: string
  user: { userId: number; displayName: string }
  error?: string
  error_description?: string
}

type Server = { url: string }

async function token(server: Server, fields: Record<string, string>): Promise<{ status: number; body: TokenAnswer }> {
  const response = await fetch(`${server.url}/zazz/api/v1/token`, { method: 'POST', headers: { authorization: LEGACY_BASIC }, body: new URLSearchParams(fields) })
  return { status: response.status, body: (await response.json()) as TokenAnswer }
}

const login = (server: Server) => token(server, { grant_type: 'password', username: 'soroush', password: 'scale-out-password', scope: 'full' })
const refresh = (server: Server, refreshToken: string) => token(server, { grant_type: 'refresh_token', refresh_token: refreshToken })

async function me(server: Server, accessToken: string): Promise<{ status: number; body: { userId?: number; displayName?: string; error?: string } }> {
  const response = await fetch(`${server.url}/zazz/api/v1/me`, { headers: { authorization: `Bearer ${accessToken}` } })
  return { status: response.status, body: (await response.json()) as { userId?: number; error?: string } }
}

/** 200 with this user, or 401 invalid_token (true); anything else fails the test. */
async function meRefused(server: Server, accessToken: string): Promise<boolean> {
  const answer = await me(server, accessToken)
  if (answer.status === 401) {
    assert.equal(answer.body.error, 'invalid_token')
    return true
  }
  assert.equal(answer.status, 200, JSON.stringify(answer.body))
  assert.equal(answer.body.userId, 41)
  return false
}

describe('zazz on two examples-server processes on one Redis', () => {
  const pair = redisPair('zazz', config, ['zazz', 'polytoken'])

  it(`rotation on B is seen by A: the old refresh token replayed on A revokes the family; its access tokens are refused on A at once and on B within ${WINDOW_MS} ms`, async (t) => {
    if (pair.skip) return t.skip(pair.skip)
    const { a, b } = pair

    const first = await login(a)
    assert.equal(first.status, 200, JSON.stringify(first.body))
    assert.equal(first.body.user.userId, 41)
    assert.match(first.body.refresh_token, /^[A-Za-z0-9_-]{43}$/)
    const family = claimsOf(first.body.access_token).fam
    assert.equal(typeof family, 'string')

    // The access token issued on A verifies on B (same HS256 key, agreed through the store).
    for (const server of [a, b]) {
      const answer = await me(server, first.body.access_token)
      assert.equal(answer.status, 200, JSON.stringify(answer.body))
      assert.deepEqual([answer.body.userId, answer.body.displayName], [41, 'Soroush Scale'])
    }

    // Rotation on B with A's refresh token.
    const second = await refresh(b, first.body.refresh_token)
    assert.equal(second.status, 200, JSON.stringify(second.body))
    assert.notEqual(second.body.refresh_token, first.body.refresh_token)
    assert.notEqual(second.body.access_token, first.body.access_token)
    assert.equal(claimsOf(second.body.access_token).fam, family, 'the rotation stays in the login family')
    assert.equal(second.body.user.userId, 41)
    // Both access tokens now verified (and cached) on both instances.
    for (const server of [a, b]) for (const access of [first.body.access_token, second.body.access_token]) assert.equal((await me(server, access)).status, 200)

    // Replaying the retired token on A: A recognises it as issued-then-rotated (on B) and revokes the family.
    const revokedAt = Date.now()
    const replay = await refresh(a, first.body.refresh_token)
    assert.equal(replay.status, 400, JSON.stringify(replay.body))
    assert.equal(replay.body.error, 'invalid_grant')
    assert.match(replay.body.error_description ?? '', /already used/)

    // The newest refresh token, never used, is dead too — on B.
    const newest = await refresh(b, second.body.refresh_token)
    assert.equal(newest.status, 400, JSON.stringify(newest.body))
    assert.equal(newest.body.error, 'invalid_grant')

    // The revoking instance refuses the family's access tokens at once, its cache notwithstanding.
    for (const access of [first.body.access_token, second.body.access_token]) assert.equal(await meRefused(a, access), true, 'A still accepts a revoked access token')

    // B had both cached as valid: it refuses them within the cache window.
    for (const access of [second.body.access_token, first.body.access_token]) {
      const after = await refusedWithin(revokedAt, WINDOW_MS + 2000, () => meRefused(b, access))
      assert.ok(after !== undefined, 'B never refused an access token of the revoked family')
      t.diagnostic(`B refused an access token of the revoked family ${after} ms after the replay on A`)
      assert.ok(after <= WINDOW_MS + 250, `refused after ${after} ms; window ${WINDOW_MS} ms`)
    }
    // And from then on, always.
    for (const server of [a, b, a, b]) assert.equal(await meRefused(server, second.body.access_token), true)
  })

  it('10 concurrent refreshes with one refresh token, 5 on A and 5 on B: exactly one 200; the rest are replays and end the family', async (t) => {
    if (pair.skip) return t.skip(pair.skip)
    const { a, b } = pair
    for (let round = 0; round < 3; round++) {
      const first = await login(round % 2 ? b : a)
      assert.equal(first.status, 200, JSON.stringify(first.body))
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) => {
          // Alternate which instance gets the first request of the burst.
          const onB = (i + round) % 2 === 1
          return refresh(onB ? b : a, first.body.refresh_token).then((answer) => ({ ...answer, on: onB ? 'B' : 'A' }))
        }),
      )
      const summary = answers.map((answer) => `${answer.on}:${answer.status}${answer.body.error ? ` ${answer.body.error} (${answer.body.error_description})` : ''}`).join(', ')
      const ok = answers.filter((answer) => answer.status === 200)
      assert.equal(ok.length, 1, `round ${round}: ${summary}`)
      for (const answer of answers) if (answer.status !== 200) assert.deepEqual([answer.status, answer.body.error], [400, 'invalid_grant'], summary)
      const winner = ok[0]!
      assert.equal(claimsOf(winner.body.access_token).fam, claimsOf(first.body.access_token).fam)
      assert.notEqual(winner.body.refresh_token, first.body.refresh_token)
      t.diagnostic(`round ${round}: the 200 came from ${winner.on} (${summary})`)
      // The losers presented a retired token: the family is revoked, so the winner's new refresh token is dead on both.
      for (const server of [a, b]) {
        const next = await refresh(server, winner.body.refresh_token)
        assert.deepEqual([next.status, next.body.error], [400, 'invalid_grant'])
      }
    }
  })
})
