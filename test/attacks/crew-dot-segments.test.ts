/**
 * Issue #13, item 7: policy rules match names literally, so a name that a
 * registry or a proxy would normalise (`library/../genedna/private`,
 * `/v1/../admin/users`) used to be granted by the rule for its literal prefix.
 * Such names are now refused with 400 in Docker's errcode envelope.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import request from 'supertest'
import { SERVICE, basic, startApp, testOptions, type TestServer } from '../crew/fixture.js'

function assertRefusedScope(response: request.Response): void {
  assert.equal(response.status, 400, response.text)
  assert.match(String(response.headers['content-type']), /^application\/json/)
  const [error] = response.body.errors
  assert.equal(error.code, 'UNSUPPORTED_VALUE', response.text)
  assert.equal(error.detail.code, 'ERR_REQUEST_INVALID')
  assert.equal(error.detail.field, 'scope')
  assert.equal(response.body.token, undefined)
}

describe('crew attack: names with dot segments', () => {
  let server: TestServer
  before(async () => {
    const options = testOptions()
    server = await startApp({
      ...options,
      // The admin: may use /v1/** web resources but not /admin/**.
      policy: [{ account: 'admin', type: 'web', name: '/v1/**', actions: ['get', 'delete'] }, ...options.policy!],
    })
  })
  after(() => server.close())

  test('anonymous repository:library/../genedna/private:pull → 400, not a pull grant', async () => {
    const response = await request(server.app).get('/v1/token').query({ service: SERVICE, scope: 'repository:library/../genedna/private:pull' })
    assertRefusedScope(response)
  })

  test('the same name through the crew.md JSON body and with a class → 400', async () => {
    for (const scope of ['repository:library/../genedna/private:pull', 'repository:compose:library/./x:pull', 'repository(plugin):library//x:pull']) {
      assertRefusedScope(await request(server.app).post('/v1/token').send({ service: SERVICE, grant: 'web', scope }))
    }
  })

  test('admin asking web:/v1/../admin/users:delete,get → 400', async () => {
    const response = await request(server.app).get('/v1/token').set('Authorization', basic('admin', 'admin-pw')).query({ service: SERVICE, scope: 'web:/v1/../admin/users:delete,get' })
    assertRefusedScope(response)
  })

  test('web paths with //, backslashes or percent-encoded dots and slashes → 400', async () => {
    for (const name of ['/v1//admin/users', '/v1/%2e%2e/admin/users', '/v1/%2E%2E/admin/users', '/v1%2f..%2fadmin/users', '/v1/%252e%252e/admin/users', '/v1\\..\\admin/users', '/v1/%5c../admin']) {
      const response = await request(server.app)
        .get('/v1/token')
        .set('Authorization', basic('admin', 'admin-pw'))
        .query({ service: SERVICE, scope: `web:${name}:delete,get` })
      assertRefusedScope(response)
    }
  })

  test('the refresh grant refuses them too', async () => {
    const login = await request(server.app)
      .post('/v1/token')
      .type('form')
      .send({ grant_type: 'password', username: 'alice', password: 'alice-pw', service: SERVICE, client_id: 'test', access_type: 'offline' })
    assert.equal(login.status, 200, login.text)
    const refreshed = await request(server.app)
      .post('/v1/token')
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: login.body.refresh_token, service: SERVICE, client_id: 'test', scope: 'repository:alice/../bob/app:pull' })
    assertRefusedScope(refreshed)
  })

  test('well-formed names are still granted as before', async () => {
    const admin = await request(server.app).get('/v1/token').set('Authorization', basic('admin', 'admin-pw')).query({ service: SERVICE, scope: 'web:/v1/user:get' })
    assert.equal(admin.status, 200, admin.text)
    const anonymous = await request(server.app).get('/v1/token').query({ service: SERVICE, scope: 'repository:library/alpine:pull' })
    assert.equal(anonymous.status, 200, anonymous.text)
  })
})
