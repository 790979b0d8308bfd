/**
 * Core never sees Express: a request arrives as a plain object and leaves
 * as one. Hosts (the Express middleware, tests, other servers) translate.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface PolyRequest {
  method: string
  /** Path inside the dialect's mount point, e.g. `/token/create`. */
  path: string
  params: Record<string, string>
  /** Repeated query keys become arrays. */
  query: Record<string, string | string[]>
  /** Lower-case names; repeated headers joined the way Node joins them. */
  headers: Record<string, string | undefined>
  /** Parsed body: JSON value, or fields (repeated → array) for forms and multipart. */
  body: unknown
  /** Which parser produced `body`; undefined when there was none. */
  bodyType: BodyType | undefined
  ip: string
  /** Epoch milliseconds when the request arrived. */
  receivedAt: number
  /**
   * The router's own absolute URL as its client reaches it, mount path included, no trailing slash
   * (`https://id.example.com/auth`): what a route uses to name its own URL. The host's configured public URL, or the
   * request's scheme, Host and mount point (forwarded headers only from a proxy the host trusts). Undefined when it
   * cannot be told (a Host that is not a plain host[:port], a host that does not provide it).
   */
  readonly routerUrl?: string
  /** The request id the host gave it (X-Request-Id), for log lines. */
  id?: string
}

export type BodyType = 'json' | 'urlencoded' | 'multipart'

export interface PolyResponse {
  status: number
  headers?: Record<string, string | string[]>
  /**
   * A string or Buffer is sent as is (set Content-Type in headers; text/plain
   * by default); anything else is sent as JSON.
   */
  body?: unknown
  /** Set by core on an error response: the error's stable code, for metrics and logs (never sent). */
  code?: string
}

export function header(request: PolyRequest, name: string): string | undefined {
  return request.headers[name.toLowerCase()]
}
