import { test } from 'node:test'
import assert from 'node:assert/strict'
import { resolveOptions, type TokenGeneratorOptions } from './options.js'

const valid: TokenGeneratorOptions = {
  sessionKeys: [{ secret: 'session-secret-0123456789abcdefgh' }],
  resourceKeys: [{ secret: 'resource-secret-0123456789abcdefgh' }],
  endpoint: 'localhost:5001',
}

function refused(options: unknown, key: RegExp) {
  assert.throws(
    () => resolveOptions(options as TokenGeneratorOptions),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ERR_CONFIG_INVALID')
      assert.match(error.message, key)
      return true
    },
  )
}

test('defaults', () => {
  const resolved = resolveOptions(valid)
  assert.equal(resolved.realm, 'Application')
  assert.equal(resolved.echoToken, true)
  assert.equal(resolved.clockToleranceSec, 0)
  assert.equal(resolved.maxLifetimeSec, undefined)
  assert.deepEqual(resolved.requiredClaims, ['iat', 'user_id'])
  assert.deepEqual([...resolved.reservedClaims], ['exp', 'iat', 'nbf', 'iss', 'sub', 'aud', 'jti', 'user_id'])
  assert.equal(resolved.resourceKid, undefined)
})

test('every configuration error names its key', () => {
  refused(undefined, /^token-generator: options/)
  refused({ ...valid, sessionKeys: [] }, /token-generator\.sessionKeys/)
  refused({ ...valid, resourceKeys: undefined }, /token-generator\.resourceKeys/)
  refused({ ...valid, sessionKeys: [{ secret: 'short' }] }, /token-generator\.sessionKeys\[0\]\.secret: too short/)
  refused({ ...valid, resourceKeys: [{ secret: 'session-secret-0123456789abcdefgh' }] }, /token-generator\.resourceKeys\[0\]: must not be the same key as one of sessionKeys/)
  refused({ ...valid, endpoint: '' }, /token-generator\.endpoint/)
  refused({ ...valid, maxLifetimeSec: 0 }, /token-generator\.maxLifetimeSec/)
  refused({ ...valid, maxLifetimeSec: 1.5 }, /token-generator\.maxLifetimeSec/)
  refused({ ...valid, clockToleranceSec: -1 }, /token-generator\.clockToleranceSec/)
  refused({ ...valid, reservedClaims: 'role' }, /token-generator\.reservedClaims/)
  refused({ ...valid, requiredClaims: [1] }, /token-generator\.requiredClaims/)
})

test('a permission schema that does not compile in strict mode is refused at construction', () => {
  refused({ ...valid, permissionSchema: { type: 'object', properties: { a: { type: 'strnig' } } } }, /token-generator\.permissionSchema: does not compile/)
  refused({ ...valid, permissionSchema: { type: 'object', unknownKeyword: true } }, /token-generator\.permissionSchema/)
})

test('extra reserved claims join the registered ones; a configured resource kid is kept', () => {
  const resolved = resolveOptions({ ...valid, reservedClaims: ['role'], resourceKeys: [{ secret: 'resource-secret-0123456789abcdefgh', kid: 'r1' }] })
  assert.ok(resolved.reservedClaims.has('role'))
  assert.ok(resolved.reservedClaims.has('exp'))
  assert.equal(resolved.resourceKid, 'r1')
})
