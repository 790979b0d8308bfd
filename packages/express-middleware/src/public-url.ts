import type { NextFunction, Request, Response, Router } from 'express'
import { ConfigInvalid } from '@polytoken/core'

/** Where a router's configured public URL rides on the request while that router handles it. */
const PUBLIC_URL = Symbol('polytoken.publicUrl')

type WithPublicUrl = Request & { [PUBLIC_URL]?: string }

/**
 * Only a plain `host[:port]` (a name, IPv4 or a bracketed IPv6 address) is ever echoed: the Host header is the
 * client's word, and anything else in it (a path, `@`, spaces, quotes) could turn a URL polytoken serves into
 * someone else's.
 */
const PLAIN_HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/

/**
 * The `publicUrl` option, checked once at start-up: an absolute http(s) URL with no credentials, query or fragment.
 * Returned without a trailing slash, so a route appends its own path to it.
 */
export function parsePublicUrl(value: unknown): string | undefined {
  if (value === undefined) return undefined
  let url: URL | undefined
  try {
    url = typeof value === 'string' && value === value.trim() ? new URL(value) : undefined
  } catch {
    url = undefined
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || url.search || url.hash) {
    throw new ConfigInvalid('publicUrl: expected an absolute http(s) URL without credentials, query or fragment, e.g. https://id.example.com/auth')
  }
  return url.href.replace(/\/+$/, '')
}

/**
 * Every request this router handles carries its configured public URL (read by `routerUrlOf`); it is taken off
 * again when the request leaves the router, so a router further down the host app works out its own.
 */
export function announcePublicUrl(router: Router, publicUrl: string): void {
  const instance = router as Router & { handle(req: Request, res: Response, next: NextFunction): void }
  const handle = instance.handle.bind(router)
  instance.handle = (req: WithPublicUrl, res: Response, next: NextFunction) => {
    const outer = req[PUBLIC_URL]
    req[PUBLIC_URL] = publicUrl
    handle(req, res, (error?: unknown) => {
      req[PUBLIC_URL] = outer
      next(error)
    })
  }
}

/**
 * The router's own URL for this request: its configured public URL, or scheme://host[:port] and the mount path.
 * Express's `req.protocol` and `req.host` read X-Forwarded-Proto and X-Forwarded-Host only when the host app set
 * `trust proxy` and the peer is one it trusts; otherwise the connection and the Host header decide.
 */
export function routerUrlOf(request: Request): string | undefined {
  const configured = (request as WithPublicUrl)[PUBLIC_URL]
  if (configured !== undefined) return configured
  // A router used outside an Express app has no `trust proxy` setting to consult: no forwarded header counts.
  const app = (request as { app?: unknown }).app
  const host = app ? request.host : request.headers.host
  if (host === undefined || !PLAIN_HOST.test(host)) return undefined
  const scheme = app ? request.protocol : (request.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http'
  return `${scheme}://${host}${request.baseUrl ?? ''}`
}
