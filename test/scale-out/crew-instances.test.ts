import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { claimsOf, redisPair } from './pair.js'

/**
 * crew on two examples-server processes sharing one Redis: a refresh token
 * (docker login's identity token) issued by one instance works on the other;
 * revoked on one, it is refused by the other at once (refresh tokens are
 * read from the store on every use, never cached).
 */
const SERVICE = 'registry.scale-out.test'
const ISSUER = 'polytoken-crew-scale-out'
const PASSWORD = 'scale-out-crew-password'

const config = {
  crew: {
    prefix: '',
    issuer: ISSUER,
    service: SERVICE,
    algorithm: 'ES256',
    tokenLifetimeSec: 300,
    users: { alice: { password: PASSWORD } },
    policy: [{ account: '*', type: 'repository', name: '${account}/**', actions: ['*'] }],
  },
}

type Server = { url: string }
interface CrewAnswer {
  token?: string
  access_token?: string
  refresh_token?: string
  errors?: Array<{ code: string; message: string; detail?: { code?: string } }>
}

async function json(response: Response): Promise<{ status: number; body: CrewAnswer }> {
  return { status: response.status, body: (await response.json()) as CrewAnswer }
}

/** `docker login`: Basic, offline_token=true. */
function login(server: Server): Promise<{ status: number; body: CrewAnswer }> {
  const query = new URLSearchParams({ service: SERVICE, scope: 'repository:alice/app:pull,push', account: 'alice', client_id: 'scale-out', offline_token: 'true' })
  return fetch(`${server.url}/v1/token?${query.toString()}`, { headers: { authorization: `Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}` } }).then(json)
}

/** Docker's OAuth2 form with the refresh token. */
function refresh(server: Server, refreshToken: string, scope = 'repository:alice/app:pull'): Promise<{ status: number; body: CrewAnswer }> {
  const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, service: SERVICE, client_id: 'scale-out', scope })
  return fetch(`${server.url}/v1/token`, { method: 'POST', body }).then(json)
}

function revoke(server: Server, refreshToken: string): Promise<{ status: number; body: CrewAnswer }> {
  return fetch(`${server.url}/v1/token/revoke`, { method: 'POST', body: new URLSearchParams({ token: refreshToken }) }).then(json)
}

async function kids(server: Server): Promise<string[]> {
  const jwks = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> }
  return jwks.keys.map((key) => key.kid)
}

function assertRefused(answer: { status: number; body: CrewAnswer }, what: string): void {
  assert.equal(answer.status, 401, `${what}: ${JSON.stringify(answer.body)}`)
  assert.equal(answer.body.errors?.[0]?.code, 'UNAUTHORIZED', what)
  assert.equal(answer.body.errors?.[0]?.detail?.code, 'ERR_TOKEN_INVALID', what)
  assert.equal(answer.body.token, undefined, what)
}

describe('crew on two examples-server processes on one Redis', () => {
  const pair = redisPair('crew', config, ['crew', 'polytoken'])

  it('a refresh token issued on A works on B; revoked on B, it is refused on A at once (and on B); another login is unaffected', async (t) => {
    if (pair.skip) return t.skip(pair.skip)
    const { a, b } = pair

    const issued = await login(a)
    assert.equal(issued.status, 200, JSON.stringify(issued.body))
    const refreshToken = issued.body.refresh_token!
    assert.match(refreshToken, /^[A-Za-z0-9_-]{43}$/)

    // On B: a token for alice, for the scope asked, signed with the key both instances publish.
    const onB = await refresh(b, refreshToken)
    assert.equal(onB.status, 200, JSON.stringify(onB.body))
    const claims = claimsOf(onB.body.token!)
    assert.equal(claims.sub, 'alice')
    assert.equal(claims.aud, SERVICE)
    assert.equal(claims.iss, ISSUER)
    assert.deepEqual(claims.access, [{ type: 'repository', name: 'alice/app', actions: ['pull'] }])
    assert.equal(onB.body.refresh_token, undefined, 'crew does not rotate refresh tokens')
    const kid = JSON.parse(Buffer.from(onB.body.token!.split('.')[0]!, 'base64url').toString()).kid as string
    for (const server of [a, b]) assert.ok((await kids(server)).includes(kid), `the signing key ${kid} is not in ${server.url}'s JWKS`)
    // Still good on A (not single-use).
    const onA = await refresh(a, refreshToken, 'repository:alice/app:push')
    assert.equal(onA.status, 200, JSON.stringify(onA.body))
    assert.deepEqual(claimsOf(onA.body.token!).access, [{ type: 'repository', name: 'alice/app', actions: ['push'] }])

    // A second login: a second refresh token, which the revocation below must leave alone.
    const other = await login(b)
    assert.equal(other.status, 200, JSON.stringify(other.body))
    assert.notEqual(other.body.refresh_token, refreshToken)

    // Revoked on B …
    const revoked = await revoke(b, refreshToken)
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body))
    assert.deepEqual(revoked.body, {})
    // … refused on A with no window at all, and on B.
    assertRefused(await refresh(a, refreshToken), 'the revoked refresh token on A')
    assertRefused(await refresh(b, refreshToken), 'the revoked refresh token on B')
    // Revoking again is fine (RFC 7009 style) and changes nothing.
    assert.equal((await revoke(a, refreshToken)).status, 200)

    for (const server of [a, b]) {
      const still = await refresh(server, other.body.refresh_token!)
      assert.equal(still.status, 200, `the other login's refresh token on ${server.url}: ${JSON.stringify(still.body)}`)
      assert.equal(claimsOf(still.body.token!).sub, 'alice')
    }
  })
})
