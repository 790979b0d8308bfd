/**
 * Issue #14, item 5: the 16-actions limit was checked per scope entry, then
 * entries for one resource were merged with no limit (and in quadratic time):
 * one request produced 6,576 actions in one access entry. The limits now hold
 * after the merge: at most 16 actions per resource, at most `maxScopes`
 * resources; over either → 400 in Docker's errcode envelope.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import request from 'supertest'
import { SERVICE, basic, startApp, testOptions, type TestServer } from '../crew/fixture.js'

function assertTooMany(response: request.Response): void {
  assert.equal(response.status, 400, response.text.slice(0, 300))
  assert.match(String(response.headers['content-type']), /^application\/json/)
  const [error] = response.body.errors
  assert.equal(error.detail.code, 'ERR_REQUEST_INVALID')
  assert.equal(error.detail.field, 'scope')
  assert.match(error.message, /more than 16 actions on one resource/)
  assert.equal(response.body.token, undefined)
}

/** `count` entries for one resource, each with 16 distinct actions: each entry alone is within the limit. */
function entriesForOneResource(count: number): string[] {
  return Array.from({ length: count }, (_, entry) => `repository:alice/app:${Array.from({ length: 16 }, (_, i) => `a${entry}x${i}`).join(',')}`)
}

describe('crew attack: per-scope limits bypassed by merging', () => {
  let server: TestServer
  before(async () => (server = await startApp(testOptions({ policy: [{ account: '*', type: 'repository', name: '${account}/**', actions: ['*'] }] }))))
  after(() => server.close())

  test('GET: many entries for one resource, 16 actions each → 400, not one access entry with hundreds of actions', async () => {
    const response = await request(server.app)
      .get('/v1/token')
      .set('Authorization', basic('alice', 'alice-pw'))
      .query({ service: SERVICE, scope: entriesForOneResource(40) })
    assertTooMany(response)
  })

  test('OAuth2 form: the entries packed into one space-separated value → 400', async () => {
    const response = await request(server.app)
      .post('/v1/token')
      .type('form')
      .send({ grant_type: 'password', username: 'alice', password: 'alice-pw', service: SERVICE, scope: entriesForOneResource(40).join(' ') })
    assertTooMany(response)
  })

  test('two entries whose union is 17 actions → 400; whose union is 16 → granted, merged into one entry', async () => {
    const sixteen = Array.from({ length: 16 }, (_, i) => `act${i}`)
    const over = await request(server.app)
      .get('/v1/token')
      .set('Authorization', basic('alice', 'alice-pw'))
      .query({ service: SERVICE, scope: [`repository:alice/app:${sixteen.slice(0, 9).join(',')}`, `repository:alice/app:${[...sixteen.slice(9), 'act16'].join(',')}`] })
    assertTooMany(over)

    const within = await request(server.app)
      .get('/v1/token')
      .set('Authorization', basic('alice', 'alice-pw'))
      .query({ service: SERVICE, scope: [`repository:alice/app:${sixteen.slice(0, 10).join(',')}`, `repository:alice/app:${sixteen.slice(6).join(',')}`] })
    assert.equal(within.status, 200, within.text)
    const claims = JSON.parse(Buffer.from(within.body.token.split('.')[1], 'base64url').toString())
    assert.deepEqual(claims.access, [{ type: 'repository', name: 'alice/app', actions: sixteen }])
  })
})
