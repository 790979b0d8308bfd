import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { createServer, type Server } from 'node:http'
import { ResourceOwnerPassword } from 'simple-oauth2'
import { LEGACY_CLIENT, WEB_SECRET, startApp, type TestServer } from './fixture.js'

/** The stock npm OAuth 2 client, used as its README shows, against a real listening server. */
describe('zazz: simple-oauth2 (unchanged) against a listening server', () => {
  let app: TestServer
  let server: Server
  let tokenHost: string
  before(async () => {
    app = await startApp(undefined, { prefix: '/zazz' })
    server = createServer(app.app)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    tokenHost = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await app.close()
  })

  const clientFor = (id: string, secret: string) =>
    new ResourceOwnerPassword({
      client: { id, secret },
      auth: { tokenHost, tokenPath: '/zazz/api/v1/token', revokePath: '/zazz/api/v1/token/revoke' },
    })

  async function me(accessToken: string): Promise<number> {
    const response = await fetch(`${tokenHost}/zazz/api/v1/me`, { headers: { authorization: `Bearer ${accessToken}` } })
    return response.status
  }

  test('confidential client: password grant, refresh (rotated), revokeAll', async () => {
    const client = clientFor('web app', WEB_SECRET)
    const token = await client.getToken({ username: 'soroush', password: '123', scope: 'full' })
    assert.equal(token.token.token_type, 'Bearer')
    assert.equal((token.token.user as { displayName: string }).displayName, 'Soroush')
    assert.ok(token.token.expires_at instanceof Date)
    assert.equal(token.expired(), false)
    assert.equal(await me(token.token.access_token as string), 200)

    const refreshed = await token.refresh()
    assert.notEqual(refreshed.token.refresh_token, token.token.refresh_token)
    assert.equal(await me(refreshed.token.access_token as string), 200)
    // The library keeps the old token object; using it again is reuse, and the server says so.
    await assert.rejects(token.refresh(), (error: { output?: { statusCode: number }; data?: { payload?: { error?: string } } }) => {
      assert.equal(error.output?.statusCode, 400)
      assert.equal(error.data?.payload?.error, 'invalid_grant')
      return true
    })

    const again = await client.getToken({ username: 'soroush', password: '123' })
    await again.revokeAll()
    assert.equal(await me(again.token.access_token as string), 401)
    await assert.rejects(again.refresh(), (error: { output?: { statusCode: number } }) => error.output?.statusCode === 400)
  })

  test('the legacy public client with an empty secret', async () => {
    const client = clientFor(LEGACY_CLIENT, '')
    const token = await client.getToken({ username: 'soroush', password: '123', scope: 'full' })
    const refreshed = await token.refresh({ scope: 'full' })
    assert.equal(await me(refreshed.token.access_token as string), 200)
    await refreshed.revoke('refresh_token')
    await assert.rejects(refreshed.refresh())
  })

  test('a wrong password surfaces as the library error with the RFC 6749 body', async () => {
    const client = clientFor('web app', WEB_SECRET)
    await assert.rejects(client.getToken({ username: 'soroush', password: 'nope' }), (error: { output?: { statusCode: number }; data?: { payload?: { error?: string } } }) => {
      assert.equal(error.output?.statusCode, 400)
      assert.equal(error.data?.payload?.error, 'invalid_grant')
      return true
    })
    await assert.rejects(clientFor('web app', 'bad').getToken({ username: 'soroush', password: '123' }), (error: { output?: { statusCode: number } }) => error.output?.statusCode === 401)
  })
})
