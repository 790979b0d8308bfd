import type { NextFunction, Request, Response, Router } from 'express'

/** A dialect route's handler, given the path inside the router and the decoded path parameters. */
export type RouteHandler = (req: Request, res: Response, path: string, params: Record<string, string>) => Promise<void>
export type ErrorHandler = (error: unknown, req: Request, res: Response, next: NextFunction) => void

export interface DirectRoute {
  method: string
  /** The path as registered on the router (`router.get(path, …)`). */
  path: string
  handler: RouteHandler
}

/** What router@2 keeps per layer in router.stack: enough to match a path exactly as Router.handle would. */
interface Layer {
  route?: { path?: unknown; methods?: Record<string, boolean> }
  match(path: string): false | { params: Record<string, string> }
}

/** A layer Router.handle may try before it reaches a dialect route: its handler when it is one of ours. */
interface Candidate {
  layer: Layer
  method: string | undefined
  handler: RouteHandler | undefined
  /**
   * The route path's literal start, lower-cased: Express matches literals
   * case-insensitively and without decoding them, so a path that does not
   * start with it cannot match, and the layer's regular expression is skipped.
   */
  prefix: string
}

const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({})
const STATIC_PATH = /^[^:*{}()\\]*$/

/**
 * A request for a dialect route goes straight to its handler: Express's
 * Router.handle (its walk over every layer, URL parsing and per-request
 * closures) was the largest share of polytoken's own CPU on a cached check
 * (profiled). A static path sent exactly as registered: one Map lookup.
 * Any other path of a method some dialect route serves (parameters, another
 * letter case, a trailing slash): the router's layers are tried in
 * Router.handle's order with their own `match` (skipping those whose
 * literal start the path lacks), so the same layer wins and parameters
 * decode exactly as Express decodes them. The
 * router stays a real Express Router: when a layer that is not a dialect
 * route would win, when a match throws (a broken %-escape: Express answers
 * 400 through the error handler), for HEAD, OPTIONS and other methods, and
 * when nothing matches, Router.handle runs as before.
 *
 * Router.handle is the method the router function calls (router@2); it is
 * replaced on this instance only. Call after every route is registered.
 * test/express/fast-dispatch-differential.test.ts holds it to Express's
 * answers; polytoken({ fastDispatch: false }) turns it off.
 */
export function installFastDispatch(router: Router, routes: readonly DirectRoute[], onError: ErrorHandler): void {
  const stack = (router as unknown as { stack: Layer[] }).stack
  const ownLayer = (route: DirectRoute) => stack.findIndex((layer) => layer.route?.path === route.path && layer.route.methods?.[route.method.toLowerCase()] === true)
  const owned = new Map<number, DirectRoute>()
  for (const route of routes) {
    const index = ownLayer(route)
    // Not found (another router version): that route keeps Express's routing.
    if (index !== -1) owned.set(index, route)
  }

  // method → path → handler, for a static path only when no earlier layer would take it first: no string built per request.
  const exact = new Map<string, Map<string, RouteHandler>>()
  for (const route of owned.values()) if (!exact.has(route.method)) exact.set(route.method, new Map())
  for (const [index, route] of owned) {
    if (STATIC_PATH.test(route.path) && !stack.slice(0, index).some((layer) => mayTake(layer, route.method, route.path))) exact.get(route.method)!.set(route.path, route.handler)
  }

  // Every layer up to the last dialect route, in stack order: Router.handle would try them in this order.
  const lastOwned = Math.max(-1, ...owned.keys())
  const candidates: Candidate[] = stack.slice(0, lastOwned + 1).map((layer, index) => {
    const route = owned.get(index)
    return { layer, method: route?.method, handler: route?.handler, prefix: route ? literalStart(route.path) : '' }
  })

  const instance = router as Router & { handle(req: Request, res: Response, next: NextFunction): void }
  const routerHandle = instance.handle.bind(router)
  instance.handle = (req: Request, res: Response, next: NextFunction) => {
    const paths = exact.get(req.method)
    // HEAD, OPTIONS and methods no dialect route serves: Express's own handling (GET for HEAD, the OPTIONS answer, 405s).
    if (!paths) return routerHandle(req, res, next)
    const url = req.url
    const query = url.indexOf('?')
    const path = query === -1 ? url : url.slice(0, query)
    const found = paths.get(path)
    if (found) return run(found, req, res, next, path, NO_PARAMS)
    if (candidates.length === 0 || path.charCodeAt(0) !== 0x2f || path.includes('#')) return routerHandle(req, res, next)
    const lower = path.toLowerCase()
    for (const candidate of candidates) {
      if (!lower.startsWith(candidate.prefix)) continue
      let match: ReturnType<Layer['match']>
      try {
        match = candidate.layer.match(path)
      } catch {
        // A broken %-escape: Express answers it (400 through the error handler).
        return routerHandle(req, res, next)
      }
      if (!match) continue
      // A layer that is not a dialect route (middleware, a route the host added): Express decides.
      if (!candidate.handler) return routerHandle(req, res, next)
      if (candidate.method === req.method) return run(candidate.handler, req, res, next, path, match.params)
    }
    routerHandle(req, res, next)
  }

  function run(handler: RouteHandler, req: Request, res: Response, next: NextFunction, path: string, params: Record<string, string>): void {
    handler(req, res, path, params).catch((error: unknown) => onError(error, req, res, next))
  }
}

/** `/1.0/:app/:version` → `/1.0/`: the part before the first parameter, wildcard, group or escape. */
function literalStart(path: string): string {
  return path.slice(0, path.search(/[:*{}()\\]|$/)).toLowerCase()
}

/** Whether Router.handle could stop at this layer for this method and path (or throw trying). */
function mayTake(layer: Layer, method: string, path: string): boolean {
  try {
    if (!layer.match(path)) return false
  } catch {
    return true
  }
  return !layer.route || layer.route.methods?.[method.toLowerCase()] === true || layer.route.methods?._all === true
}
