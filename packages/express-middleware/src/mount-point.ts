import type { Request, Router } from 'express'

/** What router@2 keeps per layer of a router's stack; read, never changed. */
interface Layer {
  handle?: unknown
  route?: unknown
  slash?: boolean
  matchers?: Array<(path: string) => false | { path: string }>
}

export interface MountPoint {
  /** Where the router is mounted, as the URL spells it (req.baseUrl inside the router). */
  baseUrl: string
  /** The URL inside the router (req.url inside the router): path and query. */
  url: string
}

/**
 * Where a request would have entered `router`, found from outside it: for an
 * error handler that runs after a host middleware failed, before the router
 * saw the request. The host app's stack (and the routers nested in it) is
 * walked as Router.handle walks it, with each layer's own matchers, until a
 * layer whose handler is `router`. The app itself may be mounted in another
 * app: its part of the path is skipped by trying the path from each `/`.
 * undefined when the router is not on this request's way.
 */
export function mountPointOf(request: Request, router: Router): MountPoint | undefined {
  const stack = (request.app as unknown as { router?: { stack?: Layer[] } }).router?.stack
  if (!Array.isArray(stack)) return undefined
  const url = request.originalUrl
  const queryAt = url.indexOf('?')
  const path = queryAt === -1 ? url : url.slice(0, queryAt)
  const query = queryAt === -1 ? '' : url.slice(queryAt)
  for (let start = 0; start !== -1 && start < path.length; start = path.indexOf('/', start + 1)) {
    const found = find(stack, path.slice(start), router)
    if (found) return { baseUrl: path.slice(0, start) + found.base, url: found.rest + query }
  }
  return undefined
}

function find(stack: readonly Layer[], path: string, router: Router): { base: string; rest: string } | undefined {
  for (const layer of stack) {
    if (layer.route || typeof layer.handle !== 'function') continue
    const matched = matchedPrefix(layer, path)
    if (matched === undefined) continue
    const rest = path.slice(matched.length)
    const inner = rest.startsWith('/') ? rest : `/${rest}`
    const base = matched.endsWith('/') ? matched.slice(0, -1) : matched
    if (layer.handle === router) return { base, rest: inner }
    const nested = (layer.handle as { stack?: unknown }).stack
    if (Array.isArray(nested)) {
      const found = find(nested as Layer[], inner, router)
      if (found) return { base: base + found.base, rest: found.rest }
    }
  }
  return undefined
}

/** The part of `path` a mounted layer (app.use) takes, as Router.handle would strip it; undefined when it does not match. */
function matchedPrefix(layer: Layer, path: string): string | undefined {
  if (layer.slash) return ''
  for (const matcher of layer.matchers ?? []) {
    let match: ReturnType<typeof matcher>
    try {
      match = matcher(path)
    } catch {
      // A broken %-escape in a parameter: Router.handle would fail here too.
      return undefined
    }
    if (match) return match.path
  }
  return undefined
}
