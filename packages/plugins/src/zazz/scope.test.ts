import { test } from 'node:test'
import assert from 'node:assert/strict'
import { grantScope, parseScope } from './scope.js'

test('parseScope splits on spaces, drops empties and duplicates', () => {
  assert.deepEqual(parseScope('full  read full'), ['full', 'read'])
  assert.equal(parseScope(undefined), undefined)
  assert.equal(parseScope('   '), undefined)
})

test('parseScope refuses characters outside the scope-token grammar', () => {
  assert.throws(
    () => parseScope('full "x"'),
    (error: Error & { code?: string }) => error.code === 'ERR_REQUEST_INVALID',
  )
  assert.throws(() => parseScope('caf\u00e9'))
})

test('grantScope keeps a subset, falls back when absent, refuses anything wider', () => {
  assert.deepEqual(grantScope(['read'], ['full', 'read'], ['full']), ['read'])
  assert.deepEqual(grantScope(undefined, ['full', 'read'], ['full']), ['full'])
  assert.throws(() => grantScope(['admin'], ['full'], ['full']), /admin/)
})
