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

/** What router@2 keeps per route in router.stack: enough to match a path exactly as Router.handle would. */
interface RouteLayer {
  route?: { path?: unknown; methods?: Record<string, boolean> }
  match(path: string): false | { params: Record<string, string> }
}

const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({})
const STATIC_PATH = /^[^:*{}()\\]*$/

/**
 * A request for a dialect route goes straight to its handler: Express's
 * Router.handle (its walk over every layer, URL parsing and per-request
 * closures) was the largest share of polytoken's own CPU on a cached check
 * (profiled). Static paths: one Map lookup. Paths with parameters: the
 * route's own Express layer matches and decodes them, so parameters read
 * exactly as Express would read them. The router stays a real Express
 * Router: anything else — another method (HEAD too), a trailing slash,
 * another letter case on a static path, a path Express must decode first,
 * the host's own additions — goes through Router.handle as before.
 *
 * Router.handle is the method the router function calls (router@2); it is
 * replaced on this instance only. Call after every route is registered.
 */
export function installFastDispatch(router: Router, routes: readonly DirectRoute[], onError: ErrorHandler): void {
  // method → path → handler: no string built per request to look a route up.
  const exact = new Map<string, Map<string, RouteHandler>>()
  const parameterised: Array<{ method: string; layer: RouteLayer; handler: RouteHandler }> = []
  const stack = (router as unknown as { stack: RouteLayer[] }).stack
  for (const route of routes) {
    if (STATIC_PATH.test(route.path)) {
      let paths = exact.get(route.method)
      if (!paths) exact.set(route.method, (paths = new Map()))
      paths.set(route.path, route.handler)
      continue
    }
    const layer = stack.find((candidate) => candidate.route?.path === route.path && candidate.route.methods?.[route.method.toLowerCase()] === true)
    // Not found (another router version): that route keeps Express's routing.
    if (layer) parameterised.push({ method: route.method, layer, handler: route.handler })
  }

  const instance = router as Router & { handle(req: Request, res: Response, next: NextFunction): void }
  const routerHandle = instance.handle.bind(router)
  instance.handle = (req: Request, res: Response, next: NextFunction) => {
    const url = req.url
    const query = url.indexOf('?')
    const path = query === -1 ? url : url.slice(0, query)
    const found = exact.get(req.method)?.get(path)
    if (found) return run(found, req, res, next, path, NO_PARAMS)
    if (parameterised.length > 0 && !path.includes('#')) {
      for (const { method, layer, handler } of parameterised) {
        if (method !== req.method) continue
        let match: ReturnType<RouteLayer['match']>
        try {
          match = layer.match(path)
        } catch {
          // A broken %-escape: Express answers it (400 through the error handler).
          return routerHandle(req, res, next)
        }
        if (match) return run(handler, req, res, next, path, match.params)
      }
    }
    routerHandle(req, res, next)
  }

  function run(handler: RouteHandler, req: Request, res: Response, next: NextFunction, path: string, params: Record<string, string>): void {
    handler(req, res, path, params).catch((error: unknown) => onError(error, req, res, next))
  }
}
