/**
 * Issue #14, item 7: token-generator's size limit on `permission` (8192
 * characters) holds for every way the field can be sent. It used to be
 * checked only on JSON text, so a JSON body sending the object itself got a
 * 51 KB permission into a 68 KB token. What is measured now is what goes into
 * the claims: the permission object as JSON text.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import request from 'supertest'
import { PATH, createApp, sessionToken, tokenAuth, type TestApp } from '../token-generator/helpers.js'

const LIMIT = 8192

/** A permission the default schema allows whose JSON text is exactly `length` characters. */
function permissionOfLength(length: number): Record<string, unknown> {
  const group: Record<string, string> = {}
  const permission = { abilities: { album: group } }
  for (let i = 0; JSON.stringify(permission).length < length; i++) group[`k${i}`] = 'x'.repeat(1000)
  const lastKey = Object.keys(group).at(-1)!
  const over = JSON.stringify(permission).length - length
  group[lastKey] = 'x'.repeat(1000 - over)
  assert.equal(JSON.stringify(permission).length, length)
  return permission
}

describe('token-generator: the permission size limit holds for every input form', () => {
  let t: TestApp
  let caller: string
  before(async () => {
    t = await createApp()
    caller = await sessionToken({ tenant: 'acme' })
  })
  after(() => t.router.close())

  const send = (body: string | object) => {
    const req = request(t.app).post(PATH).set('Authorization', tokenAuth(caller))
    return typeof body === 'string' ? req.type('form').send(body) : req.send(body)
  }

  test('a JSON object in a JSON body: 51 KB is refused as the text form is (400, the same message)', async () => {
    const response = await send({ permission: permissionOfLength(51_000) })
    assert.equal(response.status, 400, response.text.slice(0, 200))
    assert.equal(response.body.code, 'ERR_REQUEST_INVALID')
    assert.equal(response.body.error, `permission is longer than ${LIMIT} characters`)
    assert.ok(response.body.reasons?.permission)
    assert.equal(response.headers['x-token'], undefined)
  })

  test('the limit is the same for all three forms: 8192 characters pass, 8193 do not', async () => {
    for (const length of [LIMIT, LIMIT + 1]) {
      const permission = permissionOfLength(length)
      const text = JSON.stringify(permission)
      const forms = { object: { permission }, 'JSON string': { permission: text }, 'form field': `permission=${encodeURIComponent(text)}` }
      for (const [name, body] of Object.entries(forms)) {
        const response = await send(body)
        assert.equal(response.status, length === LIMIT ? 200 : 400, `${name}, ${length} characters: ${response.status} ${response.text.slice(0, 120)}`)
      }
    }
  })
})
