import type { Request } from 'express'
import { RequestTooLarge, UnsupportedMediaType, type BodyLimits, type BodyType } from '@polytoken/core'
import { checkHostParsedForm } from './host-parsed-form.js'
import { checkHostParsedJson } from './host-parsed-json.js'
import { parseJson } from './parse-json.js'
import { parseMultipart } from './parse-multipart.js'
import { parseUrlencoded } from './parse-urlencoded.js'

/**
 * A body the host app's parser already read (req.body set, stream
 * consumed) → what the route's own parser would have made of it, or the
 * refusal it would have answered. Content-Encoding and charset were checked
 * by the caller as for any body.
 *
 * - Bytes (express.raw()) or text (express.text()): parsed again by the
 *   route's own parser, so the answer is exactly the standalone one.
 * - A value (express.json(), express.urlencoded(), multer): held to the
 *   route's limits and checks (host-parsed-json.ts, host-parsed-form.ts).
 *   A file a multipart parser kept aside (req.file, req.files) is the
 *   route parser's 415.
 */
export async function checkHostParsed(request: Request, type: BodyType, limits: BodyLimits): Promise<unknown> {
  const declared = declaredLength(request)
  const body: unknown = request.body
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    const raw = typeof body === 'string' ? Buffer.from(body, 'utf8') : body
    if ((declared ?? raw.length) > limits.bytes || raw.length > limits.bytes) throw new RequestTooLarge(`body is over ${limits.bytes} bytes`, { location: 'body' })
    if (type === 'json') return parseJson(raw, limits)
    if (type === 'urlencoded') return parseUrlencoded(raw, limits)
    return parseMultipart(request.headers, raw, limits)
  }
  if (type === 'json') return checkHostParsedJson(body, limits, declared)
  if (hasFiles(request)) throw new UnsupportedMediaType('file upload is not accepted here', { location: 'body' })
  return checkHostParsedForm(body, limits, declared, type)
}

/** multer's req.file, or req.files as a list or as lists by field name, with anything in it. */
function hasFiles(request: Request): boolean {
  const { file, files } = request as { file?: unknown; files?: unknown }
  if (file !== undefined && file !== null) return true
  if (files === undefined || files === null) return false
  return typeof files !== 'object' || Object.keys(files).length > 0
}

function declaredLength(request: Request): number | undefined {
  const header = request.headers['content-length']
  if (header === undefined) return undefined
  const length = Number(header)
  return Number.isFinite(length) ? length : undefined
}
