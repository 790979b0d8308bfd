import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isPolytokenError, type BodyLimits } from '@polytoken/core'
import { parseMultipart } from './parse-multipart.js'

const LIMITS: BodyLimits = { bytes: 16_384, fields: 10, fieldBytes: 1024, parts: 10 }
const headers = (boundary: string) => ({ 'content-type': `multipart/form-data; boundary=${boundary}` })
const part = (disposition: string, value: string) => `--B\r\nContent-Disposition: ${disposition}\r\n\r\n${value}\r\n`

test('the simple shape and the busboy path give the same fields', async () => {
  const simple = Buffer.from(`${part('form-data; name="a"', '1')}${part('form-data; name="a"', '2')}--B--\r\n`)
  // Lower-case header name and a quoted boundary: outside the simple shape, read by busboy.
  const other = Buffer.from(`${part('form-data; name="a"', '1').replace('Content-Disposition', 'content-disposition')}${part('form-data; name="a"', '2')}--B--\r\n`)
  assert.deepEqual(await parseMultipart(headers('B'), simple, LIMITS), { a: ['1', '2'] })
  assert.deepEqual(await parseMultipart({ 'content-type': 'multipart/form-data; boundary="B"' }, other, LIMITS), { a: ['1', '2'] })
})

test('refusals keep their codes on both paths: no name, a file, too many fields, a value too long', async () => {
  const cases: Array<[string, Buffer, string]> = [
    ['empty name', Buffer.from(`${part('form-data; name=""', '1')}--B--\r\n`), 'ERR_REQUEST_MALFORMED'],
    ['a file', Buffer.from(`${part('form-data; name="f"; filename="x.txt"', '1')}--B--\r\n`), 'ERR_REQUEST_UNSUPPORTED_MEDIA_TYPE'],
    ['too many fields', Buffer.from(`${Array.from({ length: 11 }, (_, i) => part(`form-data; name="f${i}"`, '1')).join('')}--B--\r\n`), 'ERR_REQUEST_TOO_LARGE'],
    ['value too long', Buffer.from(`${part('form-data; name="a"', 'x'.repeat(1025))}--B--\r\n`), 'ERR_REQUEST_TOO_LARGE'],
    ['no closing boundary', Buffer.from(part('form-data; name="a"', '1')), 'ERR_REQUEST_MALFORMED'],
  ]
  for (const [name, body, code] of cases) {
    await assert.rejects(parseMultipart(headers('B'), body, LIMITS), (error: unknown) => isPolytokenError(error) && error.code === code, name)
  }
})
