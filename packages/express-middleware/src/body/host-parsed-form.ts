import { RequestMalformed, RequestTooLarge, type BodyLimits } from '@polytoken/core'
import { FieldCollector, type Fields } from './fields.js'

/**
 * Bytes a form may be longer than its fields account for: a trailing or
 * doubled `&`. Less than the shortest dropped field (`&__proto__`, 10 bytes).
 */
const SEPARATOR_SLACK = 9
/** Characters no form encoder escapes (RFC 3986 unreserved, less `~`, which WHATWG escapes): one byte each on the wire. */
const NEVER_ESCAPED = /[A-Za-z0-9._-]/g

/**
 * Form fields a host app's parser (express.urlencoded(), multer) already
 * turned into an object, held to what the route's own parser would have
 * let through:
 * - values are what a form carries: text, or a repeated field's list of two
 *   or more texts. An object or a one-item list comes from bracket names
 *   (`permission[Id]=x` under `extended: true`): refused, never handed on,
 *   so it cannot land in a token's claims;
 * - every field goes through the route's own FieldCollector: the same field
 *   count, field size and prototype-name (`constructor`, `prototype`) refusals;
 * - the body's size: the declared Content-Length (the bytes are gone), or
 *   without one the fields written back as a form;
 * - a urlencoded body longer than its fields could have been sent in (every
 *   byte a client may %-escape counted as three) had fields the host's parser
 *   dropped: qs drops one named `__proto__`, which the route's parser refuses.
 */
export function checkHostParsedForm(value: unknown, limits: BodyLimits, declaredBytes: number | undefined, type: 'urlencoded' | 'multipart'): Fields {
  if (declaredBytes !== undefined && declaredBytes > limits.bytes) throw tooLarge(limits)
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !isPlainObject(value)) {
    throw new RequestMalformed('form body is not a set of fields (the host app parsed it into something else)', { location: 'body' })
  }
  const collector = new FieldCollector(limits)
  // Bytes on the wire, fewest and most; one '&' fewer than fields.
  const wire = { fewest: -1, most: -1 }
  const add = (name: string, text: string) => {
    if (type === 'urlencoded' && (name.includes('\uFFFD') || text.includes('\uFFFD'))) throw new RequestMalformed('form body is not valid UTF-8', { location: 'body' })
    collector.add(name, text)
    for (const part of [name, text]) {
      const bytes = Buffer.byteLength(part)
      const plain = part.match(NEVER_ESCAPED)?.length ?? 0
      wire.fewest += bytes
      wire.most += plain + 3 * (bytes - plain)
    }
    // '=' (optional before an empty value) and '&' between fields.
    wire.fewest += text === '' ? 1 : 2
    wire.most += 2
  }
  for (const name of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[name]
    if (typeof field === 'string') add(name, field)
    else if (Array.isArray(field) && field.length >= 2 && field.every((item) => typeof item === 'string')) for (const item of field) add(name, item)
    else throw notText(name)
  }
  if (declaredBytes === undefined && wire.fewest > limits.bytes) throw tooLarge(limits)
  if (type === 'urlencoded' && declaredBytes !== undefined && declaredBytes > wire.most + SEPARATOR_SLACK) {
    throw new RequestMalformed('form body is longer than its fields: the host app\'s body parser dropped some (it drops a field named "__proto__")', { location: 'body' })
  }
  return collector.fields
}

function notText(name: string): RequestMalformed {
  return new RequestMalformed(`form field "${name}" is not text: bracket names (a host body parser with extended: true) are not read as objects`, { location: 'body', field: name })
}

function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

function tooLarge(limits: BodyLimits): RequestTooLarge {
  return new RequestTooLarge(`body is over ${limits.bytes} bytes`, { location: 'body' })
}
