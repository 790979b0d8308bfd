import { randomUUID } from 'node:crypto'
import { header, type PolyRequest } from '@polytoken/core'

/**
 * What the original (a Rails API) sends on every answer: never cached, and
 * the Rails default security headers, values as in the document. Errors carry
 * them too: a 401 is no less sensitive than a 200.
 */
export const RESPONSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Cache-Control': 'no-cache, no-store',
  Pragma: 'no-cache',
  Expires: 'Fri, 01 Jan 1990 00:00:00 GMT',
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'X-XSS-Protection': '1; mode=block',
  'X-Download-Options': 'noopen',
  'X-Permitted-Cross-Domain-Policies': 'none',
  'Referrer-Policy': 'origin-when-cross-origin, strict-origin-when-cross-origin',
})

// Rails' ActionDispatch::RequestId keeps [\w-] up to 255; tighter here so it is safe in any log line.
const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/

/** The host's id of the request (@polytoken/express gives every request one), else the caller's X-Request-Id when it is a sane one (so traces join up), else a new UUID. */
export function requestId(request: PolyRequest | undefined): string {
  if (request?.id !== undefined) return request.id
  const given = request ? header(request, 'x-request-id') : undefined
  return given !== undefined && SANE_REQUEST_ID.test(given) ? given : randomUUID()
}

/** Seconds since the request arrived, six decimals, as Rails' X-Runtime. Wall clock: not a token time. */
export function runtimeSeconds(request: PolyRequest, now: number = Date.now()): string {
  return (Math.max(0, now - request.receivedAt) / 1000).toFixed(6)
}

/** Every answer's headers: the fixed set, the request id, and the runtime when the request is known. */
export function responseHeaders(request: PolyRequest | undefined): Record<string, string> {
  const headers: Record<string, string> = { ...RESPONSE_HEADERS, 'X-Request-Id': requestId(request) }
  if (request) headers['X-Runtime'] = runtimeSeconds(request)
  return headers
}
