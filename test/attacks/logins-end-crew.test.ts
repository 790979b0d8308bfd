/**
 * Issue #14, item 4 (crew store users): a new password ends the account's
 * refresh tokens, and an account removed and put again under the same name
 * inherits none of the old one's. The registry tokens themselves are checked
 * by the registry, not here: they live out their short lifetime.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import request from 'supertest'
import { createCrewUsers } from '@polytoken/plugins'
import { SERVICE, basic, startApp, type TestServer } from '../crew/fixture.js'

function offlineLogin(server: TestServer, user: string, password: string) {
  return request(server.app).get('/v1/token').set('Authorization', basic(user, password)).query({ service: SERVICE, account: user, client_id: 'docker', offline_token: 'true' })
}

const refreshWith = (server: TestServer, refreshToken: string) =>
  request(server.app).post('/v1/token').type('form').send({ grant_type: 'refresh_token', refresh_token: refreshToken, service: SERVICE, client_id: 'docker' })

function assertRefused(response: request.Response): void {
  assert.equal(response.status, 401, response.text)
  assert.equal(response.body.errors?.[0]?.code, 'UNAUTHORIZED', response.text)
}

describe("attack: a crew store user's password change or re-creation ends their refresh tokens", () => {
  let server: TestServer
  let users: ReturnType<typeof createCrewUsers>
  before(async () => {
    server = await startApp()
    users = createCrewUsers(server.store.namespace('crew'), { N: 1024 })
  })
  after(() => server.close())

  test('a new password: the refresh token issued before it is refused; one issued after works', async () => {
    await users.put('erin', 'erin-old')
    const old = await offlineLogin(server, 'erin', 'erin-old')
    assert.equal(old.status, 200, old.text)
    assert.equal((await refreshWith(server, old.body.refresh_token)).status, 200)
    await users.put('erin', 'erin-new')
    assertRefused(await refreshWith(server, old.body.refresh_token))
    const fresh = await offlineLogin(server, 'erin', 'erin-new')
    assert.equal(fresh.status, 200, fresh.text)
    assert.equal((await refreshWith(server, fresh.body.refresh_token)).status, 200)
  })

  test("removed and put again under the same name: the old account's refresh token is refused", async () => {
    await users.put('frank', 'frank-pw')
    const old = await offlineLogin(server, 'frank', 'frank-pw')
    assert.equal(old.status, 200, old.text)
    await users.remove('frank')
    await users.put('frank', 'frank-pw')
    assertRefused(await refreshWith(server, old.body.refresh_token))
  })
})
