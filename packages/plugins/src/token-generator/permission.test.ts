import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileValidator } from '@polytoken/core'
import { parsePermission, type PermissionRules } from './permission.js'
import { defaultPermissionSchema } from './permission-schema.js'
import { REGISTERED_CLAIMS } from './options.js'

const rules: PermissionRules = { validate: compileValidator(defaultPermissionSchema, 'json', 'body'), reserved: new Set(REGISTERED_CLAIMS) }
const caller = { exp: 2000000000, iat: 1900000000, user_id: 'u-1', tenant: 'acme' }
const documentPermission =
  '{"abilities":{"album_id":{"Access":{"see":true,"image_list":true,"image_upload":true,"image_delete":true,"fullscreen":true,"image_caption":true}},"tags":{"auto_tag":"test"}},"Id":"album_id"}'

function refusal(raw: unknown, theRules: PermissionRules = rules) {
  try {
    parsePermission(raw, caller, theRules)
  } catch (error) {
    return error as { code: string; status: number; message: string; reasons: Record<string, string[]> }
  }
  assert.fail(`accepted ${JSON.stringify(raw)}`)
}

test('the document permission parses, keys in order', () => {
  const permission = parsePermission(documentPermission, caller, rules)
  assert.deepEqual(Object.keys(permission), ['abilities', 'Id'])
  assert.equal(JSON.stringify(permission), documentPermission)
})

test('an object (JSON body) is taken as is', () => {
  const object = JSON.parse(documentPermission)
  assert.equal(parsePermission(object, caller, rules), object)
})

test('text that is not JSON', () => {
  for (const raw of ['{', '', 'abilities', "{'a':1}"]) {
    const error = refusal(raw)
    assert.equal(error.code, 'ERR_REQUEST_INVALID')
    assert.equal(error.message, 'permission is not valid JSON')
  }
})

test('JSON that is not an object', () => {
  for (const raw of ['[]', '[{"Id":"x"}]', '1', '"text"', 'null', 'true', [1], 5, null]) {
    assert.equal(refusal(raw).message, 'permission must be a JSON object', String(raw))
  }
})

test('every registered claim is refused, by name', () => {
  for (const claim of ['exp', 'iat', 'nbf', 'iss', 'sub', 'aud', 'jti', 'user_id']) {
    const error = refusal(JSON.stringify({ [claim]: 1 }))
    assert.equal(error.message, `permission.${claim} may not set the registered claim "${claim}"`)
    assert.deepEqual(error.reasons, { [`permission.${claim}`]: [`may not set the registered claim "${claim}"`] })
  }
})

test("a caller's own claim is refused even when the schema would allow it", () => {
  const open: PermissionRules = { ...rules, validate: compileValidator({ type: 'object' }, 'json', 'body') }
  assert.equal(refusal('{"tenant":"evil"}', open).message, `permission.tenant may not overwrite the session token's claim "tenant"`)
  assert.deepEqual(parsePermission('{"other":1}', caller, open), { other: 1 })
})

test('prototype keys are refused at any depth, even with a schema that allows anything', () => {
  const open: PermissionRules = { ...rules, validate: compileValidator({ type: 'object' }, 'json', 'body') }
  for (const raw of ['{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}', '{"abilities":{"a":{"__proto__":{"x":1}}}}', '{"a":[{"prototype":1}]}']) {
    const error = refusal(raw, open)
    assert.match(error.message, /may not contain the key "(__proto__|constructor|prototype)"/, raw)
    assert.equal(({} as Record<string, unknown>).admin, undefined)
  }
})

test('nesting deeper than any ability needs is refused before the schema runs', () => {
  const open: PermissionRules = { ...rules, validate: compileValidator({ type: 'object' }, 'json', 'body') }
  assert.equal(refusal('{"a":'.repeat(9) + '1' + '}'.repeat(9), open).message, 'permission is nested more than 8 levels deep')
  assert.doesNotThrow(() => parsePermission('{"a":'.repeat(8) + '1' + '}'.repeat(8), caller, open))
})

test('the default schema refuses other top-level keys and wrong shapes, with reasons under permission.', () => {
  const extra = refusal('{"role":"admin"}')
  assert.equal(extra.message, 'permission.role is not allowed')
  assert.deepEqual(extra.reasons, { 'permission.role': ['is not allowed'] })
  const shape = refusal('{"abilities":{"album":"all"}}')
  assert.equal(shape.code, 'ERR_REQUEST_INVALID')
  assert.ok(shape.reasons['permission.abilities'], JSON.stringify(shape.reasons))
  assert.ok(refusal('{"abilities":{"album":{"Access":{"deep":{"x":true}}}}}').reasons['permission.abilities'])
  assert.ok(refusal('{"Id":""}').reasons['permission.Id'])
})

test('the default schema allows an empty object and each part alone', () => {
  assert.deepEqual(parsePermission('{}', caller, rules), {})
  assert.deepEqual(parsePermission('{"Id":7}', caller, rules), { Id: 7 })
  assert.deepEqual(parsePermission('{"abilities":{"tags":{"auto_tag":"x","n":1}}}', caller, rules), { abilities: { tags: { auto_tag: 'x', n: 1 } } })
})

test('a repeated form field and oversized text get their own messages', () => {
  assert.equal(refusal(['{}', '{}'], rules).message, 'permission must be a JSON object')
  try {
    parsePermission(['{}', '{}'], caller, rules, 'form')
    assert.fail('accepted a repeated field')
  } catch (error) {
    assert.equal((error as Error).message, 'permission must be sent once')
  }
  assert.equal(refusal(`{"Id":"${'x'.repeat(8200)}"}`).message, 'permission is longer than 8192 characters')
})
