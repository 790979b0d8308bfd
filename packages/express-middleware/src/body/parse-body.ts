import type { Request } from 'express'
import { RequestMalformed, RequestTooLarge, UnsupportedMediaType, type BodyLimits, type BodyType } from '@polytoken/core'
import { bodyTypeOf, charsetOf } from './media-type.js'
import { FieldCollector } from './fields.js'
import { parseMultipart } from './parse-multipart.js'
import { readRaw } from './read-raw.js'

export interface ParsedBody {
  body: unknown
  bodyType: BodyType | undefined
}

/**
 * Parse only what the route declares. No declared types: the body is ignored
 * (GET). A host app may have parsed the body already (express.json() before
 * the router); its result is used when its type is one the route declares.
 */
export async function parseBody(request: Request, accepts: readonly BodyType[], limits: BodyLimits): Promise<ParsedBody> {
  if (accepts.length === 0) return { body: undefined, bodyType: undefined }
  const contentType = request.headers['content-type']
  const type = bodyTypeOf(contentType)
  // body-parser 1 marks `_body`; body-parser 2 (express.json() in Express 5) just consumes the stream.
  const hostParsed = (request as { _body?: boolean })._body === true || (request.readableEnded && request.body !== undefined)

  if (!hasBody(request) && !hostParsed) {
    // An empty body is judged by the route's schema like any other: missing fields are 400, not 415.
    const fallback = accepts.includes('urlencoded') ? 'urlencoded' : accepts[0]!
    return { body: {}, bodyType: type && accepts.includes(type) ? type : fallback }
  }
  if (!type || !accepts.includes(type)) {
    throw new UnsupportedMediaType(`Content-Type must be one of: ${accepts.map(mediaTypeName).join(', ')}`, { location: 'header', field: 'content-type' })
  }
  if (hostParsed) return { body: request.body ?? {}, bodyType: type }
  const encoding = request.headers['content-encoding']?.trim().toLowerCase()
  if (encoding && encoding !== 'identity') {
    throw new UnsupportedMediaType(`Content-Encoding "${encoding}" is not supported`, { location: 'header', field: 'content-encoding' })
  }

  const charset = charsetOf(contentType)
  if (charset && charset !== 'utf-8' && charset !== 'utf8' && !(type === 'urlencoded' && charset === 'us-ascii')) {
    throw new UnsupportedMediaType(`charset "${charset}" is not supported; send UTF-8`, { location: 'header', field: 'content-type' })
  }
  switch (type) {
    case 'json':
      return { body: parseJson(await readRaw(request, limits.bytes), limits), bodyType: type }
    case 'urlencoded':
      return { body: parseUrlencoded(await readRaw(request, limits.bytes), limits), bodyType: type }
    case 'multipart':
      return { body: await parseMultipart(request.headers, await readRaw(request, limits.bytes), limits), bodyType: type }
  }
}

function hasBody(request: Request): boolean {
  const length = request.headers['content-length']
  if (length !== undefined) return Number(length) > 0
  return request.headers['transfer-encoding'] !== undefined
}

function parseJson(raw: Buffer, limits: BodyLimits): unknown {
  let value: unknown
  try {
    value = JSON.parse(raw.toString('utf8'))
  } catch (cause) {
    throw new RequestMalformed('body is not valid JSON', { location: 'body', cause })
  }
  if (value && typeof value === 'object' && Object.keys(value).length > limits.fields) {
    throw new RequestTooLarge(`more than ${limits.fields} fields`, { location: 'body' })
  }
  return value
}

function parseUrlencoded(raw: Buffer, limits: BodyLimits): Record<string, string | string[]> {
  const text = raw.toString('utf8')
  if (text.includes('\uFFFD')) throw new RequestMalformed('form body is not valid UTF-8', { location: 'body' })
  const collector = new FieldCollector(limits)
  for (const pair of text.split('&')) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    const name = decodeFormComponent(eq < 0 ? pair : pair.slice(0, eq))
    const value = eq < 0 ? '' : decodeFormComponent(pair.slice(eq + 1))
    collector.add(name, value)
  }
  return collector.fields
}

function decodeFormComponent(value: string): string {
  // Most names and many values need neither step.
  const spaced = value.includes('+') ? value.replace(/\+/g, ' ') : value
  if (!spaced.includes('%')) return spaced
  try {
    return decodeURIComponent(spaced)
  } catch (cause) {
    throw new RequestMalformed('form body has a broken %-escape', { location: 'body', cause })
  }
}

function mediaTypeName(type: BodyType): string {
  return type === 'json' ? 'application/json' : type === 'urlencoded' ? 'application/x-www-form-urlencoded' : 'multipart/form-data'
}
