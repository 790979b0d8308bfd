import { test } from 'node:test'
import assert from 'node:assert/strict'
import { hostParserRefusal } from './host-failure.js'

const parserError = (type: string, status: number, message = 'Unexpected token in JSON at position 12: {"password":"hunter2"') => Object.assign(new Error(message), { type, status, expose: true })

test("body-parser's refusals become the route parser's errors, with polytoken's own messages", () => {
  const cases: Array<[string, number, string]> = [
    ['entity.parse.failed', 400, 'ERR_REQUEST_MALFORMED'],
    ['querystring.parse.rangeError', 400, 'ERR_REQUEST_MALFORMED'],
    ['request.aborted', 400, 'ERR_REQUEST_MALFORMED'],
    ['request.size.invalid', 400, 'ERR_REQUEST_MALFORMED'],
    ['entity.too.large', 413, 'ERR_REQUEST_TOO_LARGE'],
    ['parameters.too.many', 413, 'ERR_REQUEST_TOO_LARGE'],
    ['charset.unsupported', 415, 'ERR_REQUEST_UNSUPPORTED_MEDIA_TYPE'],
    ['encoding.unsupported', 415, 'ERR_REQUEST_UNSUPPORTED_MEDIA_TYPE'],
  ]
  for (const [type, status, code] of cases) {
    const refusal = hostParserRefusal(parserError(type, status), 'json')
    assert.equal(refusal?.code, code, type)
    assert.doesNotMatch(refusal.message, /hunter2/)
  }
  assert.equal(hostParserRefusal(parserError('entity.parse.failed', 400), 'json')?.message, 'body is not valid JSON')
  // http-errors sets statusCode too; either is read.
  assert.equal(hostParserRefusal({ type: 'entity.too.large', statusCode: 413 }, undefined)?.code, 'ERR_REQUEST_TOO_LARGE')
})

test('anything else is not a refusal of the body: passed on by router.errors', () => {
  const others: unknown[] = [
    parserError('entity.verify.failed', 403),
    parserError('stream.encoding.set', 500),
    parserError('entity.parse.failed', 500),
    parserError('toString', 400),
    parserError('__proto__', 400),
    Object.assign(new Error('x'), { status: 400 }),
    { type: 'entity.too.large' },
    'entity.too.large',
    null,
    undefined,
  ]
  for (const error of others) assert.equal(hostParserRefusal(error, 'json'), undefined, String((error as { type?: unknown })?.type))
})
