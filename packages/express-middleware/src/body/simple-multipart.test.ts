import { test } from 'node:test'
import assert from 'node:assert/strict'
import busboy from 'busboy'
import FormDataPackage from 'form-data'
import { parseSimpleMultipart, simpleMultipartBoundary, type SimpleMultipartLimits } from './simple-multipart.js'
import { seededRandom } from '../../../../test/helpers/seeded-random.js'

const LIMITS: SimpleMultipartLimits = { parts: 20, fieldBytes: 4096, fieldNameBytes: 200 }

type Outcome = { fields: Array<[string, string]> } | { refused: string }

/** What busboy makes of the same bytes, configured as parse-multipart.ts configures it. */
function busboyReads(contentType: string, body: Buffer, limits = LIMITS): Promise<Outcome> {
  return new Promise((resolve) => {
    let parser: busboy.Busboy
    try {
      parser = busboy({
        headers: { 'content-type': contentType },
        defParamCharset: 'utf8',
        limits: { fieldSize: limits.fieldBytes, parts: limits.parts, fields: limits.parts, files: limits.parts, fieldNameSize: limits.fieldNameBytes },
      })
    } catch (error) {
      return resolve({ refused: String(error) })
    }
    const fields: Array<[string, string]> = []
    let refused: string | undefined
    parser.on('field', (name, value, info) => {
      if (info.nameTruncated || info.valueTruncated) refused ??= 'truncated'
      fields.push([name, value])
    })
    parser.on('file', (_name, stream) => {
      refused ??= 'file'
      stream.resume()
    })
    parser.on('partsLimit', () => (refused ??= 'partsLimit'))
    parser.on('fieldsLimit', () => (refused ??= 'fieldsLimit'))
    parser.on('error', (error) => resolve({ refused: String(error) }))
    parser.on('close', () => resolve(refused ? { refused } : { fields }))
    parser.end(body)
  })
}

/** Deterministic: a failure names its seed and reproduces. */
const random = seededRandom

const NAME_PIECES = ['secret', 'name', 'permission', 'a', 'x y', 'é', '"', '\\', ';', '=', '%41', ' ', 'name*', '\r\n', '']
const VALUE_PIECES = ['api-documentation', 'Token for documentation example', '\r\n', '--', '\r\n--', 'ü', '😀', '\u0000', '"', 'x'.repeat(50), '\r', '\n', '-']

function cleanBody(rng: ReturnType<typeof random>, boundary: string): { body: Buffer; expected: Array<[string, string]> } {
  const fields: Array<[string, string]> = []
  const count = rng.int(6)
  for (let i = 0; i < count; i++) {
    const name = Array.from({ length: 1 + rng.int(3) }, () => rng.pick(NAME_PIECES.slice(0, 4))).join('')
    const value = Array.from({ length: rng.int(4) }, () => rng.pick(VALUE_PIECES)).join('')
    // A well-formed body: no value contains its delimiter (RFC 2046 §5.1.1).
    if (`\r\n${value}`.includes(`\r\n--${boundary}`)) continue
    fields.push([name, value])
  }
  const parts = fields.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
  return { body: Buffer.from(`${parts.join('')}--${boundary}--\r\n`), expected: fields }
}

function mutate(rng: ReturnType<typeof random>, body: Buffer, boundary: string): Buffer {
  let bytes = Buffer.from(body)
  const mutations = 1 + rng.int(3)
  for (let m = 0; m < mutations; m++) {
    const at = rng.int(bytes.length + 1)
    switch (rng.int(9)) {
      case 0: // flip a byte
        if (bytes.length) bytes[Math.min(at, bytes.length - 1)] = rng.int(256)
        break
      case 1: // delete a range
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + rng.int(8))])
        break
      case 2: // insert a piece of multipart syntax
        bytes = Buffer.concat([
          bytes.subarray(0, at),
          Buffer.from(rng.pick(['\r\n', '--', `--${boundary}`, `\r\n--${boundary}`, '"', '; filename="f.txt"', 'Content-Type: text/plain\r\n', '\r\n\r\n', ' ', '\t', rng.pick(NAME_PIECES)])),
          bytes.subarray(at),
        ])
        break
      case 3: // truncate
        bytes = bytes.subarray(0, at)
        break
      case 4: // a name from the awkward list
        bytes = Buffer.from(bytes.toString('latin1').replace(/name="[^"]*"/, `name="${rng.pick(NAME_PIECES)}"`), 'latin1')
        break
      case 5: // header spelling
        bytes = Buffer.from(
          bytes
            .toString('latin1')
            .replace(
              'Content-Disposition: form-data',
              rng.pick(['content-disposition: form-data', 'Content-Disposition:form-data', 'Content-Disposition: form-data ', 'Content-Disposition: attachment']),
            ),
          'latin1',
        )
        break
      case 6: // invalid UTF-8 in a value
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([rng.pick([0xc3, 0xff, 0x80, 0xed])]), bytes.subarray(at)])
        break
      case 7: // preamble or epilogue
        bytes = rng.int(2) ? Buffer.concat([Buffer.from('preamble\r\n'), bytes]) : Buffer.concat([bytes, Buffer.from(rng.pick(['x', '\r\n', '\r\n\r\n', '--']))])
        break
      default: // a second copy of a part
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(rng.int(bytes.length + 1), at), bytes.subarray(at)])
    }
  }
  return bytes
}

test('what the simple parser accepts, busboy reads the same way (differential fuzz, 20 000 bodies)', async () => {
  let accepted = 0
  let cleanAccepted = 0
  let clean = 0
  for (let seed = 1; seed <= 20_000; seed++) {
    const rng = random(seed)
    const boundary = rng.pick(['X-BENCH-BOUNDARY', '------------------------abc123', '----WebKitFormBoundary7MA4YWxkTrZu0gW', 'a', "b'+_.-"])
    const contentType = rng.pick([`multipart/form-data; boundary=${boundary}`, `multipart/form-data;boundary=${boundary}`, `Multipart/Form-Data; Boundary=${boundary}`])
    const { body: cleanBytes, expected } = cleanBody(rng, boundary)
    const isClean = rng.int(3) === 0
    const body = isClean ? cleanBytes : mutate(rng, cleanBytes, boundary)
    const fast = parseSimpleMultipart(body, simpleMultipartBoundary(contentType)!, LIMITS)
    if (isClean) {
      clean++
      if (fast) cleanAccepted++
      if (fast) assert.deepEqual(fast, expected, `seed ${seed}`)
    }
    if (fast === undefined) continue
    accepted++
    const slow = await busboyReads(contentType, body)
    assert.deepEqual(slow, { fields: fast }, `seed ${seed}: ${JSON.stringify(body.toString('latin1'))}`)
  }
  // The fast path is really taken: every clean body of the common shape, and some of the mutated ones.
  assert.equal(cleanAccepted, clean, 'every clean body is read by the simple parser')
  assert.ok(accepted > clean, `mutated bodies accepted too (${accepted} of 20000)`)
})

test('the bodies real clients send take the simple path: curl -F, the form-data package, fetch FormData', async () => {
  const curl = Buffer.from(
    '--------------------------d74496d66958873e\r\nContent-Disposition: form-data; name="secret"\r\n\r\nchangeit\r\n' +
      '--------------------------d74496d66958873e\r\nContent-Disposition: form-data; name="name"\r\n\r\napi-documentation\r\n' +
      '--------------------------d74496d66958873e--\r\n',
  )
  assert.deepEqual(parseSimpleMultipart(curl, simpleMultipartBoundary('multipart/form-data; boundary=------------------------d74496d66958873e')!, LIMITS), [
    ['secret', 'changeit'],
    ['name', 'api-documentation'],
  ])

  const formData = new FormDataPackage()
  formData.append('secret', 'changeit')
  formData.append('permission', 'scope_api')
  formData.append('permission', 'service_api')
  const packaged = formData.getBuffer()
  assert.deepEqual(parseSimpleMultipart(packaged, simpleMultipartBoundary(formData.getHeaders()['content-type'])!, LIMITS), [
    ['secret', 'changeit'],
    ['permission', 'scope_api'],
    ['permission', 'service_api'],
  ])

  const web = new FormData()
  web.append('description', 'Token für die Dokumentation')
  const request = new Request('http://localhost/', { method: 'POST', body: web })
  const webBody = Buffer.from(await request.arrayBuffer())
  assert.deepEqual(parseSimpleMultipart(webBody, simpleMultipartBoundary(request.headers.get('content-type')!)!, LIMITS), [['description', 'Token für die Dokumentation']])
})

test('outside the shape or past a limit: left to busboy, never refused here', () => {
  const boundary = 'B'
  const part = (name: string, value: string) => `--B\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`
  const limits = { parts: 2, fieldBytes: 5, fieldNameBytes: 4 }
  assert.deepEqual(parseSimpleMultipart(Buffer.from(`${part('a', 'b')}--B--`), boundary, limits), [['a', 'b']])
  assert.equal(parseSimpleMultipart(Buffer.from(`${part('a', 'b')}${part('c', 'd')}${part('e', 'f')}--B--`), boundary, limits), undefined, 'too many parts')
  assert.equal(parseSimpleMultipart(Buffer.from(`${part('a', '123456')}--B--`), boundary, limits), undefined, 'value too long')
  assert.equal(parseSimpleMultipart(Buffer.from(`${part('abcde', '1')}--B--`), boundary, limits), undefined, 'name too long')
  assert.equal(parseSimpleMultipart(Buffer.from(`--B\r\nContent-Disposition: form-data; name="f"; filename="x"\r\n\r\n1\r\n--B--`), boundary, limits), undefined, 'a file')
  assert.equal(parseSimpleMultipart(Buffer.from(`${part('a', 'b')}`), boundary, limits), undefined, 'no closing boundary')
  assert.equal(simpleMultipartBoundary('multipart/form-data; boundary="quoted"'), undefined)
  assert.equal(simpleMultipartBoundary('multipart/form-data; boundary=B; charset=utf-8'), undefined)
  assert.equal(simpleMultipartBoundary('multipart/form-data; boundary=a=b'), undefined)
})
