import express, { type ErrorRequestHandler, type NextFunction, type Request, type Response, type Router } from 'express'
import {
  AuthRequired,
  MethodNotAllowed,
  RequestMalformed,
  createEvents,
  toPolytokenError,
  tracedLeaf,
  type CompiledRoute,
  type PolytokenEvents,
  type PolytokenOptions,
  type Runtime,
} from '@polytoken/core'
import { parseBody, type ParsedBody } from './body/parse-body.js'
import { toPolyRequest } from './to-poly-request.js'
import { send } from './send.js'
import { buildOpenApi } from './openapi.js'
import { installFastDispatch, type DirectRoute, type RouteHandler } from './fast-dispatch.js'
import { hostErrorHandler } from './host-errors.js'
import { laterRouteTakes, trackRouter } from './host-routes.js'
import { ROUTER_EXTRAS, listRoutes, type PolytokenRoute } from './route-list.js'
import { announcePublicUrl, parsePublicUrl } from './public-url.js'
import { observeOptions, type ObservabilityOptions } from './observe/options.js'
import { noteDialect, observeRoute } from './observe/observe-route.js'
import { installRequestIds, requestIdOf } from './observe/request-id.js'
import { requestReporter } from './request-events.js'
import { startRouter, type RouterLifecycleApi } from './start-router.js'
import type { StartupOptions } from './startup-retry.js'
import type { Lifecycle } from './lifecycle.js'
import { extraMethodNotAllowed, installProbes } from './probes.js'
import { assertDocsPathFree, resolveDocs, type DocsOptions, type ResolvedDocs } from './docs/options.js'
import { docsPaths, installDocs } from './docs/install-docs.js'

/** The Express router, with its runtime and its life: ready, state, drain(), close() (start-router.ts). */
export interface PolytokenRouter extends Router, RouterLifecycleApi {
  /** Token lifecycle, refusals, requests and store health: docs/operations.md#events. The same emitter from the start, in every startup mode. */
  readonly events: PolytokenEvents
  /**
   * The error handler to mount once after your routes, `app.use(router.errors)`, when your body parsers run before
   * the router: their refusals (broken JSON, too large, charset) on polytoken's paths are answered in the owning
   * dialect's envelope; anything else goes on to your handlers (docs/mounting.md, "Body parsers in the host app").
   */
  readonly errors: ErrorRequestHandler
  /** Every method and path the router answers, relative to its mount point (for start-up checks: findShadowedRoutes); empty while starting. */
  routes(): readonly PolytokenRoute[]
}

/** polytoken()'s options: the core's, and what only the Express router has. */
export interface PolytokenRouterOptions extends PolytokenOptions, ObservabilityOptions {
  /**
   * Find a dialect route before Express's routing runs (default true): the
   * same answers for less CPU per request. false: every request takes
   * Express's own Router.handle (to rule the fast path out when debugging).
   */
  fastDispatch?: boolean
  /** Title of /openapi.json. Default 'polytoken'. */
  title?: string
  /**
   * The URL clients reach the router at, mount path included (`https://id.example.com/auth`), for what names its own
   * URL (sagrada's discovery document). Default: worked out per request from the scheme, Host and mount point.
   */
  publicUrl?: string
  /** A store that is slow or not up yet at start-up: retried with backoff, and whether polytoken() waits (startup-retry.ts). */
  startup?: StartupOptions
  /**
   * An interactive page of /openapi.json (swagger-ui, served from the installed package): `true` for GET /docs, or
   * `{ path }`. Default off: a token service shows its API only when its operator says so.
   */
  docs?: boolean | DocsOptions
}

const NO_BODY: ParsedBody = { body: undefined, bodyType: undefined }
const NO_ATTRIBUTES = {}

/**
 * Build the one router to mount: `app.use('/auth', await polytoken({...}))`.
 * Every dialect route, their 405s, and GET /.well-known/jwks.json, /healthz,
 * /livez, /readyz, /openapi.json. Unknown paths fall through to the host app.
 */
export async function polytoken(options: PolytokenRouterOptions): Promise<PolytokenRouter> {
  const { fastDispatch = true, title = 'polytoken', publicUrl: givenPublicUrl, accessLog, auditLog, tracing, startup = {}, docs: givenDocs, ...runtimeOptions } = options
  const publicUrl = parsePublicUrl(givenPublicUrl)
  const docs = resolveDocs(givenDocs)
  // One emitter for the router's life: a host subscribes (metrics, audit) before a background start-up is done.
  const events = runtimeOptions.events ?? createEvents()
  let routes: readonly PolytokenRoute[] = []
  const router = await startRouter({ ...runtimeOptions, events }, startup, (runtime, lifecycle) => {
    const built = buildRouter(runtime, lifecycle, { fastDispatch, title, publicUrl, docs, observe: observeOptions({ accessLog, auditLog, tracing }, runtime.logger, events) })
    routes = listRoutes(runtime, docs ? docsPaths(docs) : [])
    trackRouter(built, routes)
    return built
  })
  return Object.assign(router, { events, errors: hostErrorHandler(router), routes: () => routes }) as PolytokenRouter
}

interface BuildOptions {
  fastDispatch: boolean
  title: string
  publicUrl: string | undefined
  docs: ResolvedDocs | undefined
  observe: ReturnType<typeof observeOptions>
}

function buildRouter(runtime: Runtime, lifecycle: Lifecycle, { fastDispatch, title, publicUrl, docs, observe }: BuildOptions): Router {
  if (docs) assertDocsPathFree(docs, runtime.routes)
  const router = express.Router()

  // Each route is also handed to installFastDispatch, which finds it before Express's routing runs (unless fastDispatch: false).
  const direct: DirectRoute[] = []
  for (const routes of groupBy(runtime.routes, (route) => `${route.method} ${route.fullPath}`).values()) {
    const first = routes[0]!
    const handler = observeRoute(routes.length === 1 ? routeHandler(first, runtime.events) : schemeDispatcher(routes, runtime.events), first.fullPath, observe)
    router[first.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete'](first.fullPath, (req: Request, res: Response) =>
      handler(req, res, req.path, req.params as Record<string, string>),
    )
    direct.push({ method: first.method, path: first.fullPath, handler })
  }
  for (const [path, routes] of groupBy(runtime.routes, (route) => route.fullPath)) {
    const allow = [...new Set(routes.flatMap((route) => (route.method === 'GET' ? ['GET', 'HEAD'] : [route.method])))].join(', ')
    const refuse = observeRoute(methodNotAllowed(routes[0]!, allow, runtime.events), path, observe)
    router.all(path, (req: Request, res: Response, next: NextFunction) => {
      // OPTIONS is the host's (CORS); a method a later host route serves is that route's.
      if (req.method === 'OPTIONS' || laterRouteTakes(req, router)) return next()
      refuse(req, res, req.path, req.params as Record<string, string>).catch(next)
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
    // Paths are relative to the router: its configured public URL (behind a proxy that strips a prefix, the mount
    // path alone would be wrong), else the mount point, known only per request.
    send(res, { status: 200, headers: { 'Cache-Control': 'public, max-age=60' }, body: { ...openapi, servers: [{ url: publicUrl ?? (req.baseUrl || '/') }] } })
  })
  if (docs) installDocs(router, docs, title)
  // The extras are the router's own: another method is its 405, not the host's (HTML) 404. A GET here is one its
  // route passed on (a docs asset that is not in the list): the host's, like any path the router does not serve.
  for (const path of [...ROUTER_EXTRAS, ...(docs ? docsPaths(docs) : [])]) {
    router.all(path, (req, res, next) => (req.method === 'GET' || req.method === 'HEAD' || laterRouteTakes(req, router) ? next() : extraMethodNotAllowed(req, res, next)))
  }
  const onError = errorHandler(runtime)
  router.use(onError)
  if (fastDispatch) installFastDispatch(router, direct, onError)
  if (publicUrl !== undefined) announcePublicUrl(router, publicUrl)
  installRequestIds(router)
  return router
}

/**
 * The 405 of a dialect's path, in its envelope, reported like any answer: the request event (so metrics count it), and
 * through observeRoute the access line and the span. The method is the client's, from Node's fixed list of methods.
 */
function methodNotAllowed(route: CompiledRoute, allow: string, events: PolytokenEvents): RouteHandler {
  return (req, res, path, params) => {
    const startedAt = performance.now()
    noteDialect(res, route.dialect.name)
    const error = new MethodNotAllowed(`method ${req.method} is not allowed here`, { headers: { Allow: allow } })
    const response = withHeaders(route.fail(error, toPolyRequest(req, path, params, NO_BODY, Date.now())), error.headers)
    send(res, response)
    requestReporter(events, route, req.method)(response, startedAt)
    return Promise.resolve()
  }
}

function routeHandler(route: CompiledRoute, events: PolytokenEvents): RouteHandler {
  const report = requestReporter(events, route)
  const dialect = route.dialect.name
  return async (req, res, path, params) => {
    const startedAt = performance.now()
    const receivedAt = Date.now()
    noteDialect(res, dialect)
    let parsed: ParsedBody = NO_BODY
    try {
      // A route that takes no body (GET) ignores any sent: no parser, no promise.
      if (route.accepts.length > 0) parsed = await tracedLeaf('polytoken.parse_body', NO_ATTRIBUTES, () => parseBody(req, route.accepts, route.limits))
    } catch (error) {
      const response = route.fail(error, toPolyRequest(req, path, params, NO_BODY, receivedAt))
      // The rest of an oversized body is not read; the connection cannot be reused.
      if (response.status === 413 || !req.complete) res.setHeader('Connection', 'close')
      send(res, response)
      report(response, startedAt)
      return
    }
    const response = await route.execute(toPolyRequest(req, path, params, parsed, receivedAt))
    send(res, response)
    report(response, startedAt)
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
      if (coded.status >= 500) runtime.logger.error({ requestId: requestIdOf(req), error: String((error as Error)?.stack ?? error) }, 'unexpected error')
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
function schemeDispatcher(routes: CompiledRoute[], events: PolytokenEvents) {
  const byScheme = new Map<string, RouteHandler>()
  for (const route of routes) for (const scheme of route.schemes) byScheme.set(scheme, routeHandler(route, events))
  const report = requestReporter(events, routes[0]!)
  const challenges = routes.flatMap((route) => route.challenges)
  return async (req: Request, res: Response, path: string, params: Record<string, string>) => {
    const scheme = /^\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)/.exec(req.headers.authorization ?? '')?.[1]?.toLowerCase()
    const handler = scheme === undefined ? undefined : byScheme.get(scheme)
    if (handler) return handler(req, res, path, params)
    const error = new AuthRequired('authentication required: use one of the accepted schemes')
    error.challenges = challenges
    const startedAt = performance.now()
    const response = routes[0]!.fail(error, toPolyRequest(req, path, params, NO_BODY, Date.now()))
    send(res, response)
    report(response, startedAt)
  }
}

/** The route whose static path prefix is the longest match: its dialect renders the error. */
export function ownerOf(routes: readonly CompiledRoute[], path: string): CompiledRoute | undefined {
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

/** `fail()` gives a fresh response: set on it, not on a spread copy, which would drop its non-enumerable `code`. */
function withHeaders(response: ReturnType<CompiledRoute['fail']>, headers: Record<string, string | string[]>) {
  response.headers = { ...headers, ...response.headers }
  return response
}
