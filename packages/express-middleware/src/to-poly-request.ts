import type { Request } from 'express'
import type { PolyRequest } from '@polytoken/core'
import type { ParsedBody } from './body/parse-body.js'
import { routerUrlOf } from './public-url.js'
import { requestIdOf } from './observe/request-id.js'

/**
 * The core's view of an Express request. Built once per request on every
 * route, so it copies nothing it does not have to: Node's header object is
 * used as it is unless a header arrived as an array (set-cookie), the query
 * string is parsed only when there is one, and the client address
 * (Express's proxy-aware `req.ip`) and the router's own URL are worked out only when a dialect reads them.
 */
export function toPolyRequest(request: Request, path: string, params: Readonly<Record<string, string>>, parsed: ParsedBody, receivedAt: number): PolyRequest {
  return new ExpressPolyRequest(request, path, params, parsed, receivedAt)
}

/** A class, not an object literal: a literal with a getter is built by a slow path on every request. */
class ExpressPolyRequest implements PolyRequest {
  readonly method: string
  readonly path: string
  readonly params: Record<string, string>
  readonly query: Record<string, string | string[]>
  readonly headers: Record<string, string | undefined>
  readonly body: unknown
  readonly bodyType: ParsedBody['bodyType']
  readonly receivedAt: number
  readonly id: string | undefined
  private readonly raw: Request
  private address: string | undefined

  constructor(request: Request, path: string, params: Readonly<Record<string, string>>, parsed: ParsedBody, receivedAt: number) {
    this.method = request.method
    this.path = path
    this.params = { ...params }
    // Express parses the query string on first read of req.query: most token requests have none.
    this.query = request.url.includes('?') ? normaliseQuery(request.query) : {}
    this.headers = headersOf(request.headers)
    this.body = parsed.body
    this.bodyType = parsed.bodyType
    this.receivedAt = receivedAt
    this.id = requestIdOf(request)
    this.raw = request
    this.address = undefined
  }

  get ip(): string {
    return (this.address ??= this.raw.ip ?? this.raw.socket.remoteAddress ?? '')
  }

  set ip(value: string) {
    this.address = value
  }

  get routerUrl(): string | undefined {
    return routerUrlOf(this.raw)
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
