import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createClientDirectory, formDecode } from './clients.js'
import { resolveOptions } from './options.js'

const { clients } = resolveOptions({
  clients: [{ id: 'legacy-public-id' }, { id: 'web app', secret: 'p@ss:w+rd' }],
})
const directory = createClientDirectory(clients)
const basic = (id: string, secret: string) => {
  const enc = (v: string) => encodeURIComponent(v).replace(/%20/g, '+')
  const raw = Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')
  const decoded = Buffer.from(raw, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return { raw, pair: { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) } }
}
const rejectsClient = (fn: () => unknown) => assert.throws(fn, (error: Error & { code?: string }) => error.code === 'ERR_AUTH_INVALID')

test('formDecode: + is a space, %XX decodes, a broken escape is undefined', () => {
  assert.equal(formDecode('web+app'), 'web app')
  assert.equal(formDecode('p%40ss%3Aw%2Brd'), 'p@ss:w+rd')
  assert.equal(formDecode('%zz'), undefined)
})

test('RFC 6749 Basic: urlencoded id and secret', () => {
  assert.equal(directory.fromBasic(basic('web app', 'p@ss:w+rd')).id, 'web app')
  rejectsClient(() => directory.fromBasic(basic('web app', 'wrong')))
  rejectsClient(() => directory.fromBasic(basic('web app', '')))
  rejectsClient(() => directory.fromBasic(basic('nobody', 'x')))
})

test("the document's legacy form: the whole Basic parameter is a public client's id", () => {
  assert.equal(directory.fromBasic({ raw: 'legacy-public-id', pair: undefined }).id, 'legacy-public-id')
  assert.equal(directory.fromBasic(basic('legacy-public-id', '')).id, 'legacy-public-id')
  rejectsClient(() => directory.fromBasic(basic('legacy-public-id', 'a secret it does not have')))
  // A confidential client cannot be named without its secret.
  rejectsClient(() => directory.fromBasic({ raw: 'web app', pair: undefined }))
  rejectsClient(() => directory.fromBasic({ raw: 'unknown', pair: undefined }))
})

test('configuration errors name the key', () => {
  assert.throws(() => resolveOptions({ clients: [] }), /zazz\.clients/)
  assert.throws(() => resolveOptions({ clients: [{ id: 'a' }, { id: 'a' }] }), /share id/)
  assert.throws(() => resolveOptions({ clients: [{ id: 'a', grantTypes: ['implicit' as never] }] }), /clients\[0\]\.grantTypes/)
  assert.throws(() => resolveOptions({ clients: [{ id: 'a', scopes: ['bad scope"'] }] }), /clients\[0\]\.scopes/)
  assert.throws(() => resolveOptions({ clients: [{ id: 'a', secretSha256: 'short' }] }), /secretSha256/)
  assert.throws(() => resolveOptions({ clients: [{ id: 'a' }], users: [{ username: 'u' }] }), /users\[0\]/)
  assert.throws(() => resolveOptions({ clients: [{ id: 'a' }], refreshIdleTtlSec: -1 }), /refreshIdleTtlSec/)
})
