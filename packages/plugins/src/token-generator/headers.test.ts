import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { PolyRequest } from '@polytoken/core'
import { requestId, responseHeaders, runtimeSeconds } from './headers.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const requestWith = (headers: Record<string, string>, receivedAt = 1_000_000): PolyRequest => ({
  method: 'POST',
  path: '/api/v1/token',
  params: {},
  query: {},
  headers,
  body: {},
  bodyType: 'urlencoded',
  ip: '127.0.0.1',
  receivedAt,
})

test('a sane caller request id is kept', () => {
  for (const id of ['59b75418-bbf5-4c52-b8f9-970fed25e456', 'abc', 'a.b_c-D9', 'x'.repeat(128)]) {
    assert.equal(requestId(requestWith({ 'x-request-id': id })), id)
  }
})

test('an absent or odd request id is replaced by a new UUID', () => {
  for (const id of [undefined, '', 'x'.repeat(129), 'a b', 'a\tb', 'é', '<script>', 'a,b', '../../etc']) {
    const value = requestId(requestWith(id === undefined ? {} : { 'x-request-id': id }))
    assert.match(value, UUID, String(id))
  }
  assert.notEqual(requestId(undefined), requestId(undefined))
})

test('runtime is seconds with six decimals, never negative', () => {
  assert.equal(runtimeSeconds(requestWith({}, 1_000_000), 1_007_622), '7.622000')
  assert.equal(runtimeSeconds(requestWith({}, 1_000_000), 1_000_007), '0.007000')
  assert.equal(runtimeSeconds(requestWith({}, 1_000_000), 999_000), '0.000000')
})

test('without a request (errors before one exists) there is no runtime, the rest is there', () => {
  const headers = responseHeaders(undefined)
  assert.equal(headers['X-Runtime'], undefined)
  assert.equal(headers['Cache-Control'], 'no-cache, no-store')
  assert.match(headers['X-Request-Id']!, UUID)
})
