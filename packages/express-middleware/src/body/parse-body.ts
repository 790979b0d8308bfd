import type { Request } from 'express'
import { RequestMalformed, UnsupportedMediaType, type BodyLimits, type BodyType } from '@polytoken/core'
import { bodyTypeOf, charsetOf } from './media-type.js'
import { checkHostParsed } from './host-parsed.js'
import { hostRefusalOf } from './host-failure.js'
import { parseJson } from './parse-json.js'
import { parseMultipart } from './parse-multipart.js'
import { parseUrlencoded } from './parse-urlencoded.js'
import { readRaw } from './read-raw.js'

export interface ParsedBody {
  body: unknown
  bodyType: BodyType | undefined
}

/**
 * Parse only what the route declares. No declared types: the body is ignored
 * (GET). A host app may have parsed the body already (express.json() before
 * the router): its result is held to the route's own limits and checks
 * (host-parsed.ts), never taken as it is.
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
  // Before a host-parsed body too: its parser inflated gzip or decoded latin1 that this route refuses.
  checkEncoding(request, contentType, type)
  if (hostParsed) return { body: await checkHostParsed(request, type, limits), bodyType: type }
  // Read by someone else and nothing kept: a host parser that refused it (router.errors passed it on), or a middleware that kept nothing.
  if (request.readableEnded)
    throw hostRefusalOf(request) ?? new RequestMalformed('body was read before polytoken could read it; mount polytoken before the middleware that reads it', { location: 'body' })
  switch (type) {
    case 'json':
      return { body: parseJson(await readRaw(request, limits.bytes), limits), bodyType: type }
    case 'urlencoded':
      return { body: parseUrlencoded(await readRaw(request, limits.bytes), limits), bodyType: type }
    case 'multipart':
      return { body: await parseMultipart(request.headers, await readRaw(request, limits.bytes), limits), bodyType: type }
  }
}

function checkEncoding(request: Request, contentType: string | undefined, type: BodyType): void {
  const encoding = request.headers['content-encoding']?.trim().toLowerCase()
  if (encoding && encoding !== 'identity') {
    throw new UnsupportedMediaType(`Content-Encoding "${encoding}" is not supported`, { location: 'header', field: 'content-encoding' })
  }
  const charset = charsetOf(contentType)
  if (charset && charset !== 'utf-8' && charset !== 'utf8' && !(type === 'urlencoded' && charset === 'us-ascii')) {
    throw new UnsupportedMediaType(`charset "${charset}" is not supported; send UTF-8`, { location: 'header', field: 'content-type' })
  }
}

function hasBody(request: Request): boolean {
  const length = request.headers['content-length']
  if (length !== undefined) return Number(length) > 0
  return request.headers['transfer-encoding'] !== undefined
}

function mediaTypeName(type: BodyType): string {
  return type === 'json' ? 'application/json' : type === 'urlencoded' ? 'application/x-www-form-urlencoded' : 'multipart/form-data'
}
