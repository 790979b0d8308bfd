import { test } from 'node:test'
import assert from 'node:assert/strict'
import { AuthInvalid, AuthRequired, InternalError, RateLimited, RequestInvalid, StoreUnavailable, TokenExpired } from '@polytoken/core'
import { oauth, renderError } from './envelope.js'

const render = (error: Parameters<typeof renderError>[0]) => renderError(error, undefined, 'zazz')

test('every answer carries Cache-Control: no-store and Pragma: no-cache', () => {
  for (const error of [new RequestInvalid('x'), new AuthRequired('x'), new StoreUnavailable('x')]) {
    const response = render(error)
    assert.equal(response.headers!['Cache-Control'], 'no-store')
    assert.equal(response.headers!.Pragma, 'no-cache')
  }
})

test('invalid_client → 401 with a Basic challenge; Bearer failures → invalid_token with the Bearer challenge', () => {
  const client = render(oauth('invalid_client', new AuthInvalid('x')))
  assert.equal(client.status, 401)
  assert.deepEqual(client.body, { error: 'invalid_client', error_description: 'x' })
  assert.match(String(client.headers!['WWW-Authenticate']), /^Basic realm="zazz"/)
  const bearer = new TokenExpired('token has expired')
  bearer.challenges = ['Bearer realm="zazz", error="invalid_token"']
  const expired = render(bearer)
  assert.equal(expired.status, 401)
  assert.equal((expired.body as { error: string }).error, 'invalid_token')
  assert.equal(expired.headers!['WWW-Authenticate'], 'Bearer realm="zazz", error="invalid_token"')
})

test('tagged grant errors are 400; a rate limit keeps 429 and Retry-After', () => {
  assert.equal(render(oauth('invalid_grant', new AuthInvalid('x'))).status, 400)
  const limited = render(oauth('invalid_grant', new RateLimited('slow down', { headers: { 'Retry-After': '30' } })))
  assert.equal(limited.status, 429)
  assert.equal(limited.headers!['Retry-After'], '30')
})

test('error_description stays within the RFC 6749 character set; internal errors say nothing', () => {
  const quoted = render(new RequestInvalid('field "x" \\ is \u00e9 bad\n'))
  assert.match((quoted.body as { error_description: string }).error_description, /^[\x20-\x21\x23-\x5B\x5D-\x7E]*$/)
  const internal = render(new InternalError('secret detail'))
  assert.equal(internal.status, 500)
  assert.deepEqual(internal.body, { error: 'server_error', error_description: 'internal error' })
})
