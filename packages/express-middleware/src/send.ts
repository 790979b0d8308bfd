import type { Response } from 'express'
import type { PolyResponse } from '@polytoken/core'
import { noteErrorCode } from './observe/observe-route.js'

/** Headers that make an answer cacheable somewhere: Expires for HTTP/1.0 caches, RFC 9213's and Fastly's for CDNs (they win over Cache-Control there). */
const HOST_CACHING_HEADERS = ['Cache-Control', 'Pragma', 'Expires', 'CDN-Cache-Control', 'Surrogate-Control'] as const

/**
 * Write a core response. Strings and Buffers go out as they are, anything
 * else as JSON. No answer is ever content-sniffed, and none is cacheable
 * unless the route itself says so (see the comment on caching below).
 */
export function send(res: Response, response: PolyResponse): void {
  if (res.headersSent) return
  noteErrorCode(res, response.code)
  // Node's own setters: Express's res.status() only adds validation of a status the core already chose.
  res.statusCode = response.status
  // A host-wide caching header (a middleware that runs before polytoken: `Cache-Control: public, max-age=600`, a
  // CDN's own) must never reach a token, a whoami answer or an error: only the route decides. Cacheable answers
  // (JWKS, /openapi.json) say so in their own headers; everything else is no-store, with the Pragma that OAuth
  // clients expect (RFC 6749 §5.1).
  for (const name of HOST_CACHING_HEADERS) res.removeHeader(name)
  const headers = response.headers
  if (headers) for (const name in headers) res.setHeader(name, headers[name]!)
  if (!res.hasHeader('cache-control')) res.setHeader('Cache-Control', 'no-store')
  if (!res.hasHeader('pragma') && String(res.getHeader('cache-control')).includes('no-store')) res.setHeader('Pragma', 'no-cache')
  // Every answer is JSON or plain text (or, from the opt-in docs page, HTML and its typed assets): a browser must
  // never sniff one into HTML or script.
  res.setHeader('X-Content-Type-Options', 'nosniff')
  const body = response.body
  if (body === undefined || response.status === 204 || response.status === 304) {
    res.end()
    return
  }
  let payload: string | Buffer
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    payload = body
    if (!res.hasHeader('content-type')) res.setHeader('Content-Type', 'text/plain; charset=utf-8')
  } else {
    payload = JSON.stringify(body)
    if (!res.hasHeader('content-type')) res.setHeader('Content-Type', 'application/json; charset=utf-8')
  }
  res.setHeader('Content-Length', Buffer.byteLength(payload))
  res.end(payload)
}
