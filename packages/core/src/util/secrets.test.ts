import { test } from 'node:test'
import assert from 'node:assert/strict'
import { safeEqual, secretMatcher } from './secrets.js'

test('secretMatcher: any of the secrets matches, nothing else does (prefixes, case, other lengths, empty)', () => {
  const matches = secretMatcher(['old-secret', 'new-secret', 'ünïcode'])
  for (const candidate of ['old-secret', 'new-secret', 'ünïcode']) assert.equal(matches(candidate), true, candidate)
  for (const candidate of ['', 'old', 'old-secret ', 'OLD-SECRET', 'new-secret2', 'unicode']) assert.equal(matches(candidate), false, candidate)
})

test('safeEqual: equal strings only', () => {
  assert.equal(safeEqual('a', 'a'), true)
  assert.equal(safeEqual('a', 'ab'), false)
  assert.equal(safeEqual('', ''), true)
})
