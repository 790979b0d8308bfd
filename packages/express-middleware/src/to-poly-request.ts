import type { Request } from 'express'
import type { PolyRequest } from '@polytoken/core'
import type { ParsedBody } from './body/parse-body.js'

/**
 * The core's view of an Express request. Built once per request on every
 * route, so it copies nothing it does not have to: Node's header object is
 * used as it is unless a header arrived as an array (set-cookie), the query
 * string is parsed only when there is one, and the client address (Express's proxy-aware `req.ip`) is worked out only when a
 * dialect reads it.
 */
export function toPolyRequest(request: Request, path: string, params: Readonly<Record<string, string>>, parsed: ParsedBody, receivedAt: number): PolyRequest {
  let ip: string | undefined
  return {
    method: request.method,
    path,
    params: { ...params },
    // Express parses the query string on first read of req.query: most token requests have none.
    query: request.url.includes('?') ? normaliseQuery(request.query) : {},
    headers: headersOf(request.headers),
    body: parsed.body,
    bodyType: parsed.bodyType,
    get ip() {
      return (ip ??= request.ip ?? request.socket.remoteAddress ?? '')
    },
    set ip(value: string) {
      ip = value
    },
    receivedAt,
  }
}

function headersOf(raw: Request['headers']): Record<string, string | undefined> {
  for (const name in raw) {
    if (Array.isArray(raw[name])) {
      const headers: Record<string, string | undefined> = {}
      for (const [key, value] of Object.entries(raw)) headers[key] = Array.isArray(value) ? value.join(', ') : value
      return headers
    }
  }
  return raw as Record<string, string | undefined>
}

/** Only strings and arrays of strings survive: nested query objects are not part of any dialect. */
function normaliseQuery(query: unknown): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  if (!query || typeof query !== 'object') return out
  for (const name in query) {
    if (!Object.hasOwn(query, name)) continue
    const value = (query as Record<string, unknown>)[name]
    if (typeof value === 'string') out[name] = value
    else if (Array.isArray(value)) out[name] = value.filter((item): item is string => typeof item === 'string')
  }
  return out
}
