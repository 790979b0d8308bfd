import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isPolytokenError } from '@polytoken/core'
import { parsePublicUrl } from './public-url.js'

test('publicUrl: an absolute http(s) URL, kept without its trailing slash', () => {
  assert.equal(parsePublicUrl(undefined), undefined)
  assert.equal(parsePublicUrl('https://id.example.com/auth/'), 'https://id.example.com/auth')
  assert.equal(parsePublicUrl('https://id.example.com'), 'https://id.example.com')
  assert.equal(parsePublicUrl('http://[::1]:8080/a/b'), 'http://[::1]:8080/a/b')
})

test('publicUrl: anything that is not one plain base URL is refused at start-up, without echoing it', () => {
  for (const bad of [
    '',
    'id.example.com/auth',
    '/auth',
    'ftp://id.example.com',
    'https://user:pw@id.example.com',
    'https://id.example.com/?a=1',
    'https://id.example.com/#x',
    ' https://id.example.com',
    42,
    null,
  ]) {
    assert.throws(
      () => parsePublicUrl(bad),
      (error: unknown) => isPolytokenError(error) && error.code === 'ERR_CONFIG_INVALID' && !error.message.includes('user:pw'),
      String(bad),
    )
  }
})
