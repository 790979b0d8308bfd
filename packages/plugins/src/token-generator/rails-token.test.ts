import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { PolyRequest } from '@polytoken/core'
import { railsToken } from './rails-token.js'

function req(headers: Record<string, string> = {}, body: unknown = undefined): PolyRequest {
  return { method: 'GET', path: '/', params: {}, query: {}, headers, body, bodyType: undefined, ip: '127.0.0.1', receivedAt: 0 }
}

test('railsToken: quoted, unquoted, with other options, escaped quotes', () => {
  const method = railsToken({ realm: 'r', verify: async (t) => t })
  assert.equal(method.extract(req({ authorization: 'Token token="abc.def"' })), 'abc.def')
  assert.equal(method.extract(req({ authorization: 'Token token=abc.def' })), 'abc.def')
  assert.equal(method.extract(req({ authorization: 'Token nonce="x", token="abc"' })), 'abc')
  assert.equal(method.extract(req({ authorization: 'Token token="a\\"b"' })), 'a"b')
  assert.equal(method.extract(req({ authorization: 'Token' })), '')
  assert.equal(method.extract(req({ authorization: 'Tokens token=x' })), undefined)
  // The one-pass form (plain quoted token) and the general form agree on their borders.
  assert.equal(method.extract(req({ authorization: 'token TOKEN="abc"' })), 'abc')
  assert.equal(method.extract(req({ authorization: 'Token\ttoken="abc"  ' })), 'abc')
  assert.equal(method.extract(req({ authorization: 'Token token="abc", nonce="x"' })), 'abc')
  assert.equal(method.extract(req({ authorization: 'Token token=""' })), '')
})
