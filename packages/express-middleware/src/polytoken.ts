import express, { type NextFunction, type Request, type Response, type Router } from 'express'
import { AuthRequired, MethodNotAllowed, RequestMalformed, toPolytokenError, type CompiledRoute, type PolytokenOptions, type Runtime } from '@polytoken/core'
import { parseBody, type ParsedBody } from './body/parse-body.js'
import { toPolyRequest } from './to-poly-request.js'
import { send } from './send.js'
import { buildOpenApi } from './openapi.js'
import { installFastDispatch, type DirectRoute, type RouteHandler } from './fast-dispatch.js'
import { startRouter, type RouterLifecycleApi } from './start-router.js'
import type { StartupOptions } from './startup-retry.js'
import type { Lifecycle } from './lifecycle.js'
import { PROBE_PATHS, extraMethodNotAllowed, installProbes } from './probes.js'

/** The Express router, with its runtime and its life: ready, state, drain(), close() (start-router.ts). */
export interface PolytokenRouter extends Router, RouterLifecycleApi {}

/** polytoken()'s options: the core's, and what only the Express router has. */
export interface PolytokenRouterOptions extends PolytokenOptions {
  /**
   * Find a dialect route before Express's routing runs (default true): the
   * same answers for less CPU per request. false: every request takes
   * Express's own Router.handle (to rule the fast path out when debugging).
   */
  fastDispatch?: boolean
  /** Title of /openapi.json. Default 'polytoken'. */
  title?: string
  /** A store that is slow or not up yet at start-up: retried with backoff, and whether polytoken() waits (startup-retry.ts). */
  startup?: StartupOptions
}

const NO_BODY: ParsedBody = { body: undefined, bodyType: undefined }

/**
 * Build the one router to mount: `app.use('/auth', await polytoken({...}))`.
 * Every dialect route, their 405s, and GET /.well-known/jwks.json, /healthz,
 * /livez, /readyz, /openapi.json. Unknown paths fall through to the host app.
 */
export async function polytoken(options: PolytokenRouterOptions): Promise<PolytokenRouter> {
  const { fastDispatch = true, title = 'polytoken', startup = {}, ...runtimeOptions } = options
  return startRouter(runtimeOptions, startup, (runtime, lifecycle) => buildRouter(runtime, lifecycle, fastDispatch, title))
}

function buildRouter(runtime: Runtime, lifecycle: Lifecycle, fastDispatch: boolean, title: string): Router {
  const router = express.Router()

  // Each route is also handed to installFastDispatch, which finds it before Express's routing runs (unless fastDispatch: false).
  const direct: DirectRoute[] = []
  for (const routes of groupBy(runtime.routes, (route) => `${route.method} ${route.fullPath}`).values()) {
    const first = routes[0]!
    const handler = routes.length === 1 ? routeHandler(first) : schemeDispatcher(routes)
    router[first.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete'](first.fullPath, (req: Request, res: Response) =>
      handler(req, res, req.path, req.params as Record<string, string>),
    )
    direct.push({ method: first.method, path: first.fullPath, handler })
  }
  for (const [path, routes] of groupBy(runtime.routes, (route) => route.fullPath)) {
    const allow = [...new Set(routes.flatMap((route) => (route.method === 'GET' ? ['GET', 'HEAD'] : [route.method])))].join(', ')
    router.all(path, (req: Request, res: Response, next: NextFunction) => {
      if (req.method === 'OPTIONS') return next()
      const error = new MethodNotAllowed(`method ${req.method} is not allowed here`, { headers: { Allow: allow } })
      send(res, withHeaders(routes[0]!.fail(error, toPolyRequest(req, req.path, req.params as Record<string, string>, NO_BODY, Date.now())), error.headers))
    })
  }
  router.get('/.well-known/jwks.json', (_req, res) => {
    send(res, { status: 200, headers: { 'Cache-Control': 'public, max-age=300' }, body: runtime.jwks() })
  })
  router.get('/healthz', async (_req, res) => {
    const health = await runtime.health()
    send(res, { status: health.status === 'ok' ? 200 : 503, body: health })
  })
  installProbes(router, lifecycle)
  const openapi = buildOpenApi(runtime.routes, title)
  router.get('/openapi.json', (req, res) => {
    // Paths are relative to the router; the mount point is known only per request.
    send(res, { status: 200, headers: { 'Cache-Control': 'public, max-age=60' }, body: { ...openapi, servers: [{ url: req.baseUrl || '/' }] } })
  })
  // The extras are the router's own: another method is its 405, not the host's (HTML) 404.
  for (const path of ['/.well-known/jwks.json', '/healthz', '/openapi.json', ...PROBE_PATHS]) router.all(path, extraMethodNotAllowed)
  const onError = errorHandler(runtime)
  router.use(onError)
  if (fastDispatch) installFastDispatch(router, direct, onError)

  return router
}

function routeHandler(route: CompiledRoute): RouteHandler {
  return async (req, res, path, params) => {
    const receivedAt = Date.now()
    let parsed: ParsedBody = NO_BODY
    try {
      // A route that takes no body (GET) ignores any sent: no parser, no promise.
      if (route.accepts.length > 0) parsed = await parseBody(req, route.accepts, route.limits)
    } catch (error) {
      const response = route.fail(error, toPolyRequest(req, path, params, NO_BODY, receivedAt))
      // The rest of an oversized body is not read; the connection cannot be reused.
      if (response.status === 413 || !req.complete) res.setHeader('Connection', 'close')
      send(res, response)
      return
    }
    send(res, await route.execute(toPolyRequest(req, path, params, parsed, receivedAt)))
  }
}

/** Failures Express raises before a handler runs (a broken %-escape in a path parameter). */
function errorHandler(runtime: Runtime) {
  return (error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error)
    const route = ownerOf(runtime.routes, req.path)
    const status = (error as { status?: unknown })?.status
    const coded = typeof status === 'number' && status >= 400 && status < 500 ? new RequestMalformed('request is malformed', { location: 'url', cause: error }) : toPolytokenError(error)
    if (route) {
      send(res, route.fail(coded, toPolyRequest(req, req.path, req.params as Record<string, string>, NO_BODY, Date.now())))
    } else {
      if (coded.status >= 500) runtime.logger.error('unexpected error', { error: String((error as Error)?.stack ?? error) })
      send(res, { status: coded.status, body: { error: coded.code, message: coded.message } })
    }
  }
}

function groupBy(routes: readonly CompiledRoute[], keyOf: (route: CompiledRoute) => string): Map<string, CompiledRoute[]> {
  const groups = new Map<string, CompiledRoute[]>()
  for (const route of routes) {
    const key = keyOf(route)
    groups.set(key, [...(groups.get(key) ?? []), route])
  }
  return groups
}

/**
 * Routes of several dialects on one method and path (the registry allowed it
 * because their Authorization schemes are disjoint): the scheme picks the
 * route. No or an unknown scheme: a 401 from the first route, challenging
 * with every route's schemes.
 */
function schemeDispatcher(routes: CompiledRoute[]) {
  const byScheme = new Map<string, RouteHandler>()
  for (const route of routes) for (const scheme of route.schemes) byScheme.set(scheme, routeHandler(route))
  const challenges = routes.flatMap((route) => route.challenges)
  return async (req: Request, res: Response, path: string, params: Record<string, string>) => {
    const scheme = /^\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)/.exec(req.headers.authorization ?? '')?.[1]?.toLowerCase()
    const handler = scheme === undefined ? undefined : byScheme.get(scheme)
    if (handler) return handler(req, res, path, params)
    const error = new AuthRequired('authentication required: use one of the accepted schemes')
    error.challenges = challenges
    send(res, routes[0]!.fail(error, toPolyRequest(req, path, params, NO_BODY, Date.now())))
  }
}

/** The route whose static path prefix is the longest match: its dialect renders the error. */
function ownerOf(routes: readonly CompiledRoute[], path: string): CompiledRoute | undefined {
  let best: CompiledRoute | undefined
  let bestLength = -1
  for (const route of routes) {
    const staticPart = route.fullPath.split(/[:*{]/, 1)[0]!
    if (path.startsWith(staticPart) && staticPart.length > bestLength) {
      best = route
      bestLength = staticPart.length
    }
  }
  return best
}

function withHeaders(response: ReturnType<CompiledRoute['fail']>, headers: Record<string, string | string[]>) {
  return { ...response, headers: { ...headers, ...response.headers } }
}
