import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Request } from 'express'
import { isPolytokenError, type BodyLimits, type BodyType } from '@polytoken/core'
import { checkHostParsed } from './host-parsed.js'
import { checkHostParsedForm } from './host-parsed-form.js'
import { checkHostParsedJson } from './host-parsed-json.js'

const LIMITS: BodyLimits = { bytes: 1000, fields: 4, fieldBytes: 50, parts: 4 }

function refusedWith(code: string, pattern?: RegExp) {
  return (error: unknown) => isPolytokenError(error) && error.code === code && (pattern === undefined || pattern.test(error.message))
}
const TOO_LARGE = 'ERR_REQUEST_TOO_LARGE'
const MALFORMED = 'ERR_REQUEST_MALFORMED'

/** The encoded length of a form as URLSearchParams writes it: what a browser declares. */
const wireLength = (fields: Array<[string, string]>) => Buffer.byteLength(new URLSearchParams(fields).toString())

test('JSON: a value JSON.parse makes passes as it is, "__proto__" an own key as JSON.parse leaves it', () => {
  const value = JSON.parse('{"a":[1,2.5,"x",true,null,{"b":{}}],"__proto__":{"admin":true}}') as unknown
  assert.equal(checkHostParsedJson(value, LIMITS, 70), value)
  assert.equal(checkHostParsedJson(null, LIMITS, 4), null)
  assert.equal(checkHostParsedJson('text', LIMITS, undefined), 'text')
})

test('JSON: size by Content-Length, or by the value written back without one; top-level keys counted', () => {
  assert.throws(() => checkHostParsedJson({ a: 1 }, LIMITS, 1001), refusedWith(TOO_LARGE, /over 1000 bytes/))
  assert.doesNotThrow(() => checkHostParsedJson({ a: 'x'.repeat(900) }, LIMITS, undefined))
  assert.throws(() => checkHostParsedJson({ a: 'x'.repeat(1000) }, LIMITS, undefined), refusedWith(TOO_LARGE))
  assert.throws(() => checkHostParsedJson([Array.from({ length: 300 }, () => 'é')], LIMITS, undefined), refusedWith(TOO_LARGE))
  assert.throws(() => checkHostParsedJson({ a: 1, b: 2, c: 3, d: 4, e: 5 }, LIMITS, 40), refusedWith(TOO_LARGE, /more than 4 fields/))
  assert.doesNotThrow(() => checkHostParsedJson({ a: { b: 1, c: 2, d: 3, e: 4, f: 5 } }, LIMITS, 40))
})

test('JSON: what JSON.parse never makes is refused: a prototype a parser set, Dates, Maps, NaN, undefined, functions, holes', () => {
  const polluted = Object.create({ admin: true }) as object
  const forged: unknown[] = [
    polluted,
    { a: polluted },
    new Date(),
    { at: new Date() },
    new Map(),
    [Number.NaN],
    { n: Infinity },
    { u: undefined },
    [() => 1],
    new Array(3),
    { big: 1n },
    Buffer.from('x'),
  ]
  for (const value of forged) assert.throws(() => checkHostParsedJson(value, LIMITS, 10), refusedWith(MALFORMED, /not a JSON value/), String(value))
  assert.doesNotThrow(() => checkHostParsedJson(Object.assign(Object.create(null) as object, { a: 1 }), LIMITS, 10))
})

test('JSON: nesting deeper than the call stack is walked without overflowing it', () => {
  let deep: unknown = 'leaf'
  for (let i = 0; i < 200_000; i++) deep = [deep]
  assert.throws(() => checkHostParsedJson(deep, LIMITS, undefined), refusedWith(TOO_LARGE))
  assert.doesNotThrow(() => checkHostParsedJson(deep, { ...LIMITS, bytes: 1_000_000 }, undefined))
})

test('form: text fields and repeated fields come out as the route’s own parser makes them', () => {
  const fields: Array<[string, string]> = [
    ['a', 'x y'],
    ['b', '1'],
    ['b', '2'],
  ]
  assert.deepEqual(checkHostParsedForm({ a: 'x y', b: ['1', '2'] }, LIMITS, wireLength(fields), 'urlencoded'), { a: 'x y', b: ['1', '2'] })
  assert.deepEqual(checkHostParsedForm(Object.assign(Object.create(null) as object, { a: '' }), LIMITS, 2, 'urlencoded'), { a: '' })
})

test('form: values a form cannot carry are refused: objects from bracket names, one-item lists, lists of objects', () => {
  const forged: Array<Record<string, unknown>> = [{ permission: { Id: 'x' } }, { a: ['x'] }, { a: ['x', { b: 1 }] }, { a: [['x', 'y'], 'z'] }, { a: 1 }, { a: null }]
  for (const value of forged) assert.throws(() => checkHostParsedForm(value, LIMITS, 20, 'urlencoded'), refusedWith(MALFORMED, /is not text/), JSON.stringify(value))
  for (const value of [null, 'a=1', ['a'], new Map([['a', '1']]), Object.create({ a: '1' }) as object]) {
    assert.throws(() => checkHostParsedForm(value, LIMITS, 3, 'urlencoded'), refusedWith(MALFORMED, /not a set of fields/))
  }
})

test('form: the route’s FieldCollector rules: prototype names, field count (each repeat counts), field size', () => {
  assert.throws(() => checkHostParsedForm({ constructor: 'x' }, LIMITS, 13, 'urlencoded'), refusedWith(MALFORMED, /"constructor" is not allowed/))
  assert.throws(() => checkHostParsedForm({ prototype: 'x' }, LIMITS, 11, 'multipart'), refusedWith(MALFORMED, /"prototype" is not allowed/))
  assert.throws(() => checkHostParsedForm({ a: ['1', '2', '3'], b: '4', c: '5' }, LIMITS, 23, 'urlencoded'), refusedWith(TOO_LARGE, /more than 4 fields/))
  assert.throws(() => checkHostParsedForm({ a: 'x'.repeat(51) }, LIMITS, 53, 'urlencoded'), refusedWith(TOO_LARGE, /over 50 bytes/))
  assert.throws(() => checkHostParsedForm({ a: 'x' }, LIMITS, 1001, 'urlencoded'), refusedWith(TOO_LARGE, /over 1000 bytes/))
  assert.throws(
    () => checkHostParsedForm(Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`f${i}`, 'é'.repeat(25)])), { ...LIMITS, bytes: 200 }, undefined, 'urlencoded'),
    refusedWith(TOO_LARGE),
  )
})

test('form: a body longer than its fields could be sent in lost a field to the host’s parser (qs drops "__proto__")', () => {
  const kept: Array<[string, string]> = [
    ['grant_type', 'password'],
    ['username', 'soroush'],
  ]
  const sent = wireLength(kept)
  assert.doesNotThrow(() => checkHostParsedForm(Object.fromEntries(kept), LIMITS, sent, 'urlencoded'))
  // A trailing or doubled '&' is slack, not a dropped field.
  assert.doesNotThrow(() => checkHostParsedForm(Object.fromEntries(kept), LIMITS, sent + 2, 'urlencoded'))
  assert.throws(() => checkHostParsedForm(Object.fromEntries(kept), LIMITS, sent + '&__proto__=x'.length, 'urlencoded'), refusedWith(MALFORMED, /dropped/))
  assert.throws(() => checkHostParsedForm(Object.fromEntries(kept), LIMITS, sent + '&__proto__'.length, 'urlencoded'), refusedWith(MALFORMED, /dropped/))
  // Every byte a client may escape, escaped: still within what the fields account for.
  const escaped = 'a=' + [...Buffer.from('é:/ ~')].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('')
  assert.doesNotThrow(() => checkHostParsedForm({ a: 'é:/ ~' }, LIMITS, escaped.length, 'urlencoded'))
  // Multipart declares boundaries and headers too: no such accounting.
  assert.doesNotThrow(() => checkHostParsedForm({ a: 'x' }, LIMITS, 900, 'multipart'))
})

test('form: text that was not UTF-8 (U+FFFD from the host’s decoder) is refused as the route refuses it', () => {
  assert.throws(() => checkHostParsedForm({ a: 'caf\uFFFD' }, LIMITS, 8, 'urlencoded'), refusedWith(MALFORMED, /not valid UTF-8/))
})

function hostRequest(body: unknown, type: BodyType, extra: Record<string, unknown> = {}, contentLength?: number): Request {
  const contentType = type === 'json' ? 'application/json' : type === 'urlencoded' ? 'application/x-www-form-urlencoded' : 'multipart/form-data; boundary=B'
  return { body, headers: { 'content-type': contentType, ...(contentLength === undefined ? {} : { 'content-length': String(contentLength) }) }, ...extra } as unknown as Request
}

test('bytes (express.raw()) and text (express.text()) are parsed again by the route’s own parsers', async () => {
  assert.deepEqual(await checkHostParsed(hostRequest(Buffer.from('{"a":1}'), 'json', {}, 7), 'json', LIMITS), { a: 1 })
  assert.deepEqual(await checkHostParsed(hostRequest('a=1&a=2&b=%C3%A9', 'urlencoded', {}, 16), 'urlencoded', LIMITS), { a: ['1', '2'], b: 'é' })
  assert.deepEqual(await checkHostParsed(hostRequest('--B\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--B--\r\n', 'multipart'), 'multipart', LIMITS), { a: '1' })
  await assert.rejects(checkHostParsed(hostRequest('{"a":', 'json'), 'json', LIMITS), refusedWith(MALFORMED, /not valid JSON/))
  await assert.rejects(checkHostParsed(hostRequest(Buffer.from('__proto__=x'), 'urlencoded'), 'urlencoded', LIMITS), refusedWith(MALFORMED, /"__proto__" is not allowed/))
  await assert.rejects(checkHostParsed(hostRequest('a=%zz', 'urlencoded'), 'urlencoded', LIMITS), refusedWith(MALFORMED, /%-escape/))
  await assert.rejects(checkHostParsed(hostRequest('x'.repeat(1001), 'json'), 'json', LIMITS), refusedWith(TOO_LARGE))
  await assert.rejects(checkHostParsed(hostRequest('{}', 'json', {}, 5000), 'json', LIMITS), refusedWith(TOO_LARGE))
})

test('a file a multipart parser kept aside (req.file, req.files) is refused as the route refuses a file part', async () => {
  for (const extra of [{ file: { fieldname: 'f' } }, { files: [{ fieldname: 'f' }] }, { files: { f: [{}] } }]) {
    await assert.rejects(checkHostParsed(hostRequest({ a: 'x' }, 'multipart', extra), 'multipart', LIMITS), refusedWith('ERR_REQUEST_UNSUPPORTED_MEDIA_TYPE'))
  }
  assert.deepEqual(await checkHostParsed(hostRequest({ a: 'x' }, 'multipart', { files: [] }), 'multipart', LIMITS), { a: 'x' })
})
