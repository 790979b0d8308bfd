import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileValidator } from './validator.js'

const schema = { type: 'object', required: ['jti'], additionalProperties: false, properties: { jti: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } }, n: { type: 'integer' } } }

test('reasons name each field; client-chosen names like constructor and __proto__ stay plain keys', () => {
  const validate = compileValidator(schema, 'json', 'body')
  assert.throws(
    () => validate(JSON.parse('{"__proto__":{"a":1},"constructor":{"prototype":{}}}')),
    (error: any) => {
      assert.equal(error.code, 'ERR_REQUEST_INVALID')
      assert.deepEqual(Object.keys(error.reasons).sort(), ['__proto__', 'constructor', 'jti'])
      assert.deepEqual(error.reasons.jti, ['is required'])
      return true
    },
  )
})

test('form input is coerced: a single value becomes a one-item array, numeric strings become integers', () => {
  const validate = compileValidator(schema, 'coerce', 'body')
  const value = { jti: 'a', tags: 'one', n: '5' }
  validate(value)
  assert.deepEqual(value, { jti: 'a', tags: ['one'], n: 5 })
})

test('JSON input is not coerced', () => {
  const validate = compileValidator(schema, 'json', 'body')
  assert.throws(() => validate({ jti: 'a', n: '5' }), { code: 'ERR_REQUEST_INVALID' })
})

test('a schema that is not strict-mode clean does not compile', () => {
  assert.throws(() => compileValidator({ type: 'object', properties: { a: { type: 'string', minimum: 1 } } }, 'json', 'body'))
})
