import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createTokenlib, pythonJsonDumps, tokenlibDerivedSecret } from './tokenlib.js'

// Computed with Python's json.dumps, hmac and an RFC 5869 HKDF, following tokenlib's algorithm.
const SECRET = 'SECRET-été'
const PAYLOAD = { uid: 42, node: 'https://db1.example.com', expires: 2000000000, salt: 'a1b2c3', fxa_uid: 'éx' }
const PY_TOKEN =
  'eyJ1aWQiOiA0MiwgIm5vZGUiOiAiaHR0cHM6Ly9kYjEuZXhhbXBsZS5jb20iLCAiZXhwaXJlcyI6IDIwMDAwMDAwMDAsICJzYWx0IjogImExYjJjMyIsICJmeGFfdWlkIjogIlx1MDBlOXgifZvovZIQLNWI6hihzk667pBp7z0HJzmk-LtQaUxpf2qA'
const PY_KEY = 'zJ-UhZN7GabBvCKrqTGiA5zBnJIaX2ZIQIjR1gP0snc='
const at = (seconds: number) => () => seconds * 1000

test('make and derivedSecret match tokenlib byte for byte', () => {
  const lib = createTokenlib({ secrets: SECRET, clock: at(1_900_000_000) })
  assert.equal(lib.make(PAYLOAD), PY_TOKEN)
  assert.equal(lib.derivedSecret(PY_TOKEN), PY_KEY)
  assert.equal(tokenlibDerivedSecret(SECRET, 'a1b2c3', PY_TOKEN), PY_KEY)
  assert.deepEqual(lib.parse(PY_TOKEN), PAYLOAD)
})

test('python json.dumps layout', () => {
  assert.equal(pythonJsonDumps({ a: [1, 'x'], b: null, c: true, d: 'ü\u2028' }), '{"a": [1, "x"], "b": null, "c": true, "d": "\\u00fc\\u2028"}')
})

test('salt and expires are filled in; padding is kept', () => {
  const lib = createTokenlib({ secrets: 's', timeoutSeconds: 60, clock: at(1000) })
  const { token, key, payload } = lib.issue({ uid: 1 })
  assert.match(payload.salt, /^[0-9a-f]{6}$/)
  assert.equal(payload.expires, 1060)
  assert.equal(token.length % 4, 0)
  assert.equal(key.length, 44)
  assert.ok(key.endsWith('='))
  assert.equal(lib.derivedSecret(token), key)
  assert.equal(lib.parse(token).uid, 1)
})

test('expired, tampered, foreign and malformed tokens are refused', () => {
  const lib = createTokenlib({ secrets: SECRET, clock: at(2_000_000_000) })
  assert.throws(() => lib.parse(PY_TOKEN), { code: 'ERR_TOKEN_EXPIRED' }, 'expires <= now is expired')
  const live = createTokenlib({ secrets: SECRET, clock: at(1_000) })
  const bytes = Buffer.from(PY_TOKEN, 'base64url')
  bytes[5]! ^= 1
  assert.throws(() => live.parse(bytes.toString('base64url')), { code: 'ERR_TOKEN_INVALID' })
  const other = createTokenlib({ secrets: 'another secret', clock: at(1_000) })
  assert.throws(() => other.parse(PY_TOKEN), { code: 'ERR_TOKEN_INVALID' })
  assert.throws(() => other.derivedSecret(PY_TOKEN), { code: 'ERR_TOKEN_INVALID' })
  for (const junk of ['', 'abc', '!!!!', 'a'.repeat(5000), Buffer.from('x'.repeat(40)).toString('base64url'), PY_TOKEN.replace(/=+$/, '') + '+']) {
    assert.throws(() => live.parse(junk), { code: 'ERR_TOKEN_INVALID' }, junk.slice(0, 20))
  }
})

test('rotation: the first secret signs, every secret verifies', () => {
  const old = createTokenlib({ secrets: 'old', clock: at(1_000) })
  const rotated = createTokenlib({ secrets: ['new', 'old'], clock: at(1_000) })
  const legacy = old.issue({ uid: 7 })
  assert.equal(rotated.parse(legacy.token).uid, 7)
  assert.equal(rotated.derivedSecret(legacy.token), legacy.key)
  const fresh = rotated.issue({ uid: 8 })
  assert.throws(() => old.parse(fresh.token), { code: 'ERR_TOKEN_INVALID' })
})

test('configuration is checked at construction', () => {
  assert.throws(() => createTokenlib({ secrets: [] }), { code: 'ERR_CONFIG_INVALID' })
  assert.throws(() => createTokenlib({ secrets: '' }), { code: 'ERR_CONFIG_INVALID' })
  assert.throws(() => createTokenlib({ secrets: 's', timeoutSeconds: 0 }), { code: 'ERR_CONFIG_INVALID' })
})
