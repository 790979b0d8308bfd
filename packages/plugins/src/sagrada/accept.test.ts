import { test } from 'node:test'
import assert from 'node:assert/strict'
import { acceptsJson } from './accept.js'

test('the most specific matching range decides', () => {
  for (const yes of [undefined, '', 'application/json', '*/*', 'application/*', 'text/html, application/json;q=0.1', 'APPLICATION/JSON', 'application/*;q=0, application/json']) {
    assert.equal(acceptsJson(yes), true, String(yes))
  }
  for (const no of ['text/html', 'text/*', 'application/json;q=0', 'application/json;q=0, */*', 'application/xml', 'application/json;q=abc']) {
    assert.equal(acceptsJson(no), false, no)
  }
})
