import type { IncomingMessage } from 'node:http'
import busboy from 'busboy'
import { RequestMalformed, RequestTooLarge, UnsupportedMediaType, type BodyLimits } from '@polytoken/core'
import { FieldCollector, type Fields } from './fields.js'

/**
 * multipart/form-data fields through busboy (the parser multer uses: a
 * streaming, well-tested state machine we would not want to rewrite).
 * Fields only: a file part is refused with 415.
 */
export function parseMultipart(request: IncomingMessage, limits: BodyLimits): Promise<Fields> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy
    try {
      parser = busboy({
        headers: request.headers,
        defParamCharset: 'utf8',
        limits: { fieldSize: limits.fieldBytes, fields: limits.fields, parts: limits.parts, files: limits.parts, fieldNameSize: 200 },
      })
    } catch (cause) {
      reject(new RequestMalformed('multipart body has no usable boundary', { location: 'body', cause }))
      return
    }
    const collector = new FieldCollector(limits)
    let settled = false
    let size = 0
    const fail = (error: Error) => {
      if (settled) return
      settled = true
      request.unpipe(parser)
      request.resume()
      reject(error)
    }
    parser.on('field', (name, value, info) => {
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
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limits.bytes) fail(new RequestTooLarge(`body is over ${limits.bytes} bytes`, { location: 'body' }))
    })
    request.on('error', (cause) => fail(new RequestMalformed('body could not be read', { location: 'body', cause })))
    request.pipe(parser)
  })
}
