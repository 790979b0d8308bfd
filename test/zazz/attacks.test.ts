import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import request from 'supertest'
import { SignJWT } from 'jose'
import { decodeJwt } from '../helpers/jwt.js'
import { LEGACY_BASIC, rfcBasic, startApp, testOptions, type TestServer } from './fixture.js'
import { introspect, login, me, refresh, tokenRequest } from './helpers.js'

const SECRET = 'zazz-attack-test-signing-secret-0123456789'
const key = new TextEncoder().encode(SECRET)
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

async function forge(claims: Record<string, unknown>, secret: Uint8Array = key, kid = 'access'): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({ usr: 1, client: 1, tokenType: 'accessToken', fam: 'f', scope: 'full', jti: 'j', ...claims })
    .setProtectedHeader({ alg: 'HS256', kid, typ: 'JWT' })
    .setIssuer(String((claims.iss as string | undefined) ?? 'https://www.zazzlife.com'))
    .setAudience(String((claims.aud as string | undefined) ?? 'Zazz clients'))
    .setNotBefore(Number(claims.nbf ?? now))
    .setIssuedAt(now)
    .setExpirationTime(Number(claims.exp ?? now + 600))
    .sign(secret)
}

describe('zazz: attacks on the Bearer check and the token endpoint', () => {
  let server: TestServer
  before(async () => (server = await startApp(testOptions({ keys: [{ secret: SECRET }] }))))
  after(() => server.close())

  const refused = async (token: string, why: string) => {
    const response = await me(server.app, token)
    assert.equal(response.status, 401, `${why}: ${response.text}`)
    assert.equal(response.body.error, 'invalid_token', why)
  }

  test("control: a token made with the configured key (and the user's current login epoch) is accepted", async () => {
    const { uep } = decodeJwt((await login(server.app)).body.access_token).claims
    assert.equal((await me(server.app, await forge({ uep }))).status, 200)
  })

  test('alg "none", a foreign key, tampered claims, an unknown kid', async () => {
    const real = (await login(server.app)).body.access_token as string
    const [, payload] = real.split('.')
    await refused(`${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`, 'alg none')
    await refused(await forge({}, new TextEncoder().encode('some-other-secret-0123456789abcdef')), 'foreign key')
    const claims = decodeJwt(real).claims
    await refused(`${real.split('.')[0]}.${b64({ ...claims, usr: 2 })}.${real.split('.')[2]}`, 'usr changed without re-signing')
    await refused(await forge({}, key, 'not-a-kid'), 'unknown kid')
  })

  test('wrong issuer, wrong audience, expired, not yet valid, not an access token, missing claims', async () => {
    const now = Math.floor(Date.now() / 1000)
    await refused(await forge({ iss: 'https://evil.example' }), 'issuer')
    await refused(await forge({ aud: 'someone else' }), 'audience')
    await refused(await forge({ exp: now - 10, nbf: now - 100 }), 'expired')
    await refused(await forge({ nbf: now + 300 }), 'not yet valid')
    await refused(await forge({ tokenType: 'refreshToken' }), 'tokenType')
    await refused(await forge({ fam: undefined }), 'no family claim')
    await refused(await forge({ usr: '1' }), 'usr of the wrong type')
  })

  test('an access token is not a refresh token, and a refresh token is not a Bearer token', async () => {
    const tokens = await login(server.app)
    const response = await refresh(server.app, tokens.body.access_token)
    assert.equal(response.status, 400)
    assert.equal(response.body.error, 'invalid_grant')
    await refused(tokens.body.refresh_token, 'refresh token as Bearer')
  })

  test('a forged token whose family is revoked is refused like a real one', async () => {
    const tokens = await login(server.app)
    const family = decodeJwt(tokens.body.access_token).claims.fam
    await refresh(server.app, tokens.body.refresh_token)
    await refresh(server.app, tokens.body.refresh_token) // reuse: the family is revoked
    await refused(await forge({ fam: family, jti: 'fresh-jti' }), 'revoked family')
    assert.deepEqual((await introspect(server.app, await forge({ fam: family, uep: decodeJwt(tokens.body.access_token).claims.uep }), rfcBasic('resource-server', 'rs-secret'))).body, {
      active: false,
    })
  })

  test('hostile Basic values and fields: 4xx in the envelope, never 5xx', async () => {
    for (const authorization of ['Basic', 'Basic :', 'Basic Og==', `Basic ${'A'.repeat(6000)}`, 'Basic %zz', `Basic ${Buffer.from('%zz:%zz').toString('base64')}`]) {
      const response = await tokenRequest(server.app, { grant_type: 'password', username: 'soroush', password: '123' }, authorization)
      assert.ok(response.status === 401 || response.status === 400, `${authorization.slice(0, 20)} → ${response.status}`)
      assert.equal(typeof response.body.error, 'string')
    }
    const weird = await tokenRequest(server.app, { grant_type: 'password', username: '\u0000\u202e', password: 'x'.repeat(1000), scope: 'full' })
    assert.equal(weird.status, 400)
    assert.equal(weird.body.error, 'invalid_grant')
    const proto = await request(server.app).post('/api/v1/token').set('Authorization', LEGACY_BASIC).type('form').send('grant_type=password&username=__proto__&password=x')
    assert.equal(proto.status, 400)
    assert.equal(proto.body.error, 'invalid_grant')
    // Prototype-polluting field names are refused by the body parser before anything reads them.
    const polluting = await request(server.app).post('/api/v1/token').set('Authorization', LEGACY_BASIC).type('form').send('grant_type=password&username=a&password=x&constructor=1')
    assert.equal(polluting.status, 400)
    assert.equal(polluting.body.error, 'invalid_request')
  })
})
