import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as core from './index.js'
import { AuthInvalid, PolytokenError, RateLimited, errorCatalogue, errorClasses, type ErrorClass } from './errors.js'

/** Every PolytokenError subclass the package exports, whatever file it lives in. */
const exportedClasses = (Object.values(core) as unknown[]).filter((value): value is ErrorClass => typeof value === 'function' && value.prototype instanceof PolytokenError)

test('every exported error class is in errorClasses, so in the catalogue', () => {
  assert.ok(exportedClasses.length >= 20)
  for (const ErrorClass of exportedClasses) assert.ok((errorClasses as readonly ErrorClass[]).includes(ErrorClass), `${ErrorClass.name} is missing from errorClasses`)
  assert.equal(errorClasses.length, exportedClasses.length, 'errorClasses lists a class the package does not export')
})

test('each class declares its own static code, status and catalogue text; the codes are unique', () => {
  for (const ErrorClass of errorClasses) {
    for (const key of ['code', 'status', 'meaning', 'action'] as const) assert.ok(Object.hasOwn(ErrorClass, key), `${ErrorClass.name}.${key} is inherited, not declared`)
    assert.match(ErrorClass.code, /^ERR_[A-Z]+(_[A-Z]+)*$/)
    assert.ok(Number.isInteger(ErrorClass.status) && ErrorClass.status >= 400 && ErrorClass.status <= 599, `${ErrorClass.name}.status`)
    assert.ok(ErrorClass.meaning.length > 0 && ErrorClass.action.length > 0, `${ErrorClass.name}: catalogue text`)
  }
  const codes = errorClasses.map((ErrorClass) => ErrorClass.code)
  assert.equal(new Set(codes).size, codes.length, `duplicate codes: ${codes.filter((code, i) => codes.indexOf(code) !== i).join(',')}`)
})

test('the catalogue is read off the classes, row for row and in order', () => {
  assert.deepEqual(
    errorCatalogue,
    errorClasses.map((ErrorClass) => ({ code: ErrorClass.code, status: ErrorClass.status, meaning: ErrorClass.meaning, action: ErrorClass.action })),
  )
})

test("an instance's code, status and name come from its class, subclasses of it included", () => {
  for (const ErrorClass of errorClasses) {
    const error = new ErrorClass('x')
    assert.equal(error.code, ErrorClass.code)
    assert.equal(error.status, ErrorClass.status)
    assert.equal(error.name, ErrorClass.name)
  }
  class Lockout extends RateLimited {}
  const lockout = new Lockout('slow down')
  assert.equal(lockout.code, 'ERR_RATE_LIMITED')
  assert.equal(lockout.status, 429)
  assert.equal(lockout.name, 'Lockout')
})

test('dialectCode: set when the error is made or later, the core code unchanged', () => {
  assert.equal(new AuthInvalid('x').dialectCode, undefined)
  const made = new AuthInvalid('x', { dialectCode: 'invalid-generation' })
  assert.equal(made.dialectCode, 'invalid-generation')
  assert.equal(made.code, 'ERR_AUTH_INVALID')
  const later = new RateLimited('slow down')
  later.dialectCode = 'invalid_grant'
  assert.equal(later.code, 'ERR_RATE_LIMITED')
  assert.equal(later.status, 429)
})
