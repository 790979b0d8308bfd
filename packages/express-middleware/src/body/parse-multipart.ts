import type { IncomingHttpHeaders } from 'node:http'
import busboy from 'busboy'
import { RequestMalformed, RequestTooLarge, UnsupportedMediaType, type BodyLimits } from '@polytoken/core'
import { FieldCollector, type Fields } from './fields.js'
import { parseSimpleMultipart, simpleMultipartBoundary } from './simple-multipart.js'

/** Field names longer than this are truncated by busboy; the simple parser leaves such bodies to it. */
const FIELD_NAME_BYTES = 200

/**
 * multipart/form-data fields from the whole (size-limited) body. The shape
 * clients send (simple-multipart.ts) is read directly; everything else goes
 * through busboy — the parser multer uses, a well-tested state machine for
 * the rest of RFC 7578. Fields only: a file part is refused with 415.
 */
export function parseMultipart(headers: IncomingHttpHeaders, body: Buffer, limits: BodyLimits): Promise<Fields> {
  const boundary = simpleMultipartBoundary(headers['content-type'])
  if (boundary !== undefined) {
    const simple = parseSimpleMultipart(body, boundary, { parts: Math.min(limits.parts, limits.fields), fieldBytes: limits.fieldBytes, fieldNameBytes: FIELD_NAME_BYTES })
    if (simple !== undefined) {
      // A field the collector refuses throws inside the executor: that is the rejection.
      return new Promise((resolve) => {
        const collector = new FieldCollector(limits)
        for (const [name, value] of simple) collector.add(name, value)
        resolve(collector.fields)
      })
    }
  }
  return parseWithBusboy(headers, body, limits)
}

function parseWithBusboy(headers: IncomingHttpHeaders, body: Buffer, limits: BodyLimits): Promise<Fields> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy
    try {
      parser = busboy({
        headers,
        defParamCharset: 'utf8',
        limits: { fieldSize: limits.fieldBytes, fields: limits.fields, parts: limits.parts, files: limits.parts, fieldNameSize: FIELD_NAME_BYTES },
      })
    } catch (cause) {
      reject(new RequestMalformed('multipart body has no usable boundary', { location: 'body', cause }))
      return
    }
    const collector = new FieldCollector(limits)
    let settled = false
    const fail = (error: Error) => {
      if (settled) return
      settled = true
      reject(error)
    }
    parser.on('field', (name: string | undefined, value, info) => {
      // busboy reports name="" as no name at all.
      if (!name) return fail(new RequestMalformed('a multipart part has no field name', { location: 'body' }))
      if (info.valueTruncated) return fail(new RequestTooLarge(`field "${name}" is over ${limits.fieldBytes} bytes`, { location: 'body', field: name }))
      try {
        collector.add(name, value)
      } catch (error) {
        fail(error as Error)
      }
    })
    parser.on('file', (name, stream) => {
      stream.resume()
      fail(new UnsupportedMediaType(`file upload in "${name}" is not accepted here`, { location: 'body', field: name }))
    })
    parser.on('fieldsLimit', () => fail(new RequestTooLarge(`more than ${limits.fields} fields`, { location: 'body' })))
    parser.on('partsLimit', () => fail(new RequestTooLarge(`more than ${limits.parts} parts`, { location: 'body' })))
    parser.on('error', (cause) => fail(new RequestMalformed('multipart body is malformed', { location: 'body', cause })))
    parser.on('close', () => {
      if (settled) return
      settled = true
      resolve(collector.fields)
    })
    parser.end(body)
  })
}
