import type { Request, Router } from 'express'
import type { PolytokenRoute } from './route-list.js'

/**
 * What polytoken reads of Express 5's routing (router@2): each router's `stack` of layers, each layer's `match`
 * (which stores nothing on the layer, so calling it outside a request is safe), its `route` and its path as
 * registered. Express tries a request on the layers in stack order; this file walks the same order to tell what
 * would take a request after (or before) polytoken's router.
 */
interface Layer {
  handle: unknown
  name?: string
  rawPath?: unknown
  slash?: boolean
  route?: { path?: unknown; stack?: Array<{ name?: string }>; _handlesMethod?(method: string): boolean }
  match(path: string): false | { path: string }
}

/** A polytoken router: the layers it was built with (its dialect routes, 405s, extras) and what it serves. */
interface Tracked {
  own: ReadonlySet<Layer>
  routes: readonly PolytokenRoute[]
}

const polytokenRouters = new WeakMap<object, Tracked>()

/** Remember a finished polytoken router: its layers are its own; any layer added later is the host's. */
export function trackRouter(router: Router, routes: readonly PolytokenRoute[]): void {
  polytokenRouters.set(router, { own: new Set(stackOf(router) ?? []), routes })
}

type Step =
  /** A route that handles the method (host or another polytoken router's): it would answer. */
  | { kind: 'route'; layer: Layer; pattern: string }
  /** A plain middleware mounted on a path (not at the root): it runs, and may answer instead of calling next(). */
  | { kind: 'middleware'; layer: Layer; pattern: string }
  /** Into a router (`path`: the request's path inside it), and out again. */
  | { kind: 'enter' | 'leave'; router: object; path: string }

/**
 * Walk `stack` as Express would dispatch `method path`, calling `visit` for each layer that matches, going into
 * routers; `self`'s own layers are skipped (what polytoken serves is known). True when visit said stop.
 */
function walk(stack: readonly Layer[], path: string, method: string, mount: string, self: object, visit: (step: Step) => boolean | void): boolean {
  for (const layer of stack) {
    let match: ReturnType<Layer['match']>
    try {
      match = layer.match(path)
    } catch {
      continue
    }
    if (!match) continue
    const pattern = mount + patternOf(layer)
    if (layer.route) {
      if (layer.route._handlesMethod?.(method) && visit({ kind: 'route', layer, pattern })) return true
      continue
    }
    const handle = layer.handle
    // Error handlers take no request that has no error.
    if (typeof handle !== 'function' || handle.length === 4) continue
    const inner = stackOf(handle)
    if (inner) {
      const tracked = handle === self ? polytokenRouters.get(handle) : undefined
      const rest = path.slice(match.path.length)
      const inside = rest.startsWith('/') ? rest : `/${rest}`
      const below = tracked ? inner.filter((own) => !tracked.own.has(own)) : inner
      if (visit({ kind: 'enter', router: handle, path: inside })) return true
      if (walk(below, inside, method, pattern, self, visit)) return true
      if (visit({ kind: 'leave', router: handle, path: inside })) return true
      continue
    }
    if (!layer.slash && match.path !== '' && visit({ kind: 'middleware', layer, pattern })) return true
  }
  return false
}

/**
 * Whether a handler after `router` would take this request: a route for its method on its path, registered later on
 * the host app (or any router in it) or added to polytoken's router by the host. Run by the 405 handlers only, so a
 * host's `app.put('/auth/token/create', …)` mounted after polytoken still gets its PUTs.
 */
export function laterRouteTakes(req: Request, router: Router): boolean {
  const tracked = polytokenRouters.get(router)
  if (!tracked) return false
  let passed = false
  const visit = (step: Step): boolean => {
    if (step.kind === 'enter' && step.router === router) passed = true
    return passed && step.kind === 'route'
  }
  // The app's own stack sees routes after the router; inside a sub-app (req.app.parent) the path relative to it is not
  // known, and only routes added to polytoken's router itself are seen.
  const app = (req as { app?: { parent?: unknown } }).app
  const root = app && !app.parent ? stackOfApp(app) : undefined
  if (root) {
    const url = req.originalUrl ?? req.url
    const query = url.indexOf('?')
    const taken = walk(root, query === -1 ? url : url.slice(0, query), req.method, '', router, visit)
    if (passed) return taken
  }
  passed = true
  const added = stackOf(router)!.filter((layer) => !tracked.own.has(layer))
  return walk(added, req.path, req.method, '', router, visit)
}

/**
 * The request's path inside `router`, found as Express would dispatch it from the top of the app: for host
 * middleware that runs before the router (where `req.path` is still the app's). Undefined when the request would
 * not reach the router, or the app's routing cannot be read (a sub-app, no Express app).
 */
export function pathInsideRouter(req: Request, router: Router): string | undefined {
  const app = (req as { app?: { parent?: unknown } }).app
  const root = app && !app.parent ? stackOfApp(app) : undefined
  if (!root) return undefined
  const url = req.originalUrl ?? req.url
  const query = url.indexOf('?')
  let inside: string | undefined
  walk(root, query === -1 ? url : url.slice(0, query), req.method, '', router, (step) => {
    if (step.kind === 'enter' && step.router === router) inside = step.path
    return inside !== undefined
  })
  return inside
}

/** A host route or middleware and a polytoken route that one of them keeps from ever being reached. */
export interface RouteShadow {
  /**
   * - `host-route-first`: a host route registered before polytoken answers this method and path first;
   * - `host-middleware-first`: a host middleware mounted on a path (not the root) runs first and may answer;
   * - `polytoken-first`: polytoken answers first and a host route registered after it is never reached.
   */
  kind: 'host-route-first' | 'host-middleware-first' | 'polytoken-first'
  method: PolytokenRoute['method']
  /** polytoken's route as mounted in the app: `/auth/token/create`. */
  path: string
  /** The dialect of that route; undefined for the router's own extras (`/healthz`, ...). */
  dialect: string | undefined
  /** The host's side: its path pattern as mounted, and its handler's function name. */
  host: { path: string; name: string }
  /** One line for a start-up log. */
  message: string
}

/**
 * Every conflict between the host app's routes and those of the polytoken routers mounted in it, in the order
 * Express registered them: run it once the app has all its routes (before `listen`) and log what it finds.
 * Each polytoken route is tried as Express would dispatch it (a path parameter as the value `x`), so a host route
 * with parameters is found when it matches that sample. Expects an Express 5 app (or router); routers mounted under
 * a regular-expression path and sub-apps are not looked into.
 */
export function findShadowedRoutes(app: unknown): RouteShadow[] {
  // A polytoken router on its own: as if mounted at the root, so routes the host added to it are checked.
  const root = polytokenRouters.has(app as object) ? [mountedAtRoot(app as object)] : (stackOfApp(app) ?? stackOf(app))
  if (!root) throw new TypeError('findShadowedRoutes: expected an Express 5 app or router')
  const shadows: RouteShadow[] = []
  for (const { router, tracked, mount } of polytokenRoutersIn(root, '')) {
    for (const route of tracked.routes) {
      const path = mount + route.path
      const shadow = (kind: RouteShadow['kind'], step: { layer: Layer; pattern: string }) => {
        const host = { path: step.pattern || '/', name: handlerName(step.layer) }
        shadows.push({ kind, method: route.method, path, dialect: route.dialect, host, message: describe(kind, route, path, host) })
      }
      let reached = false
      walk(root, samplePath(path), route.method, '', router, (step) => {
        if (step.kind === 'enter' && step.router === router) reached = true
        if (step.kind === 'route') shadow(reached ? 'polytoken-first' : 'host-route-first', step)
        if (step.kind === 'middleware' && !reached) shadow('host-middleware-first', step)
        // A host route that answers first ends the walk: nothing after it is reached either.
        return step.kind === 'route' && !reached
      })
    }
  }
  return shadows
}

function describe(kind: RouteShadow['kind'], route: PolytokenRoute, path: string, host: RouteShadow['host']): string {
  const ours = `polytoken's ${route.method} ${path}${route.dialect ? ` (${route.dialect})` : ''}`
  if (kind === 'host-route-first') return `${ours} is never reached: the host route ${host.path} (${host.name}), registered before polytoken, answers ${route.method} first`
  if (kind === 'host-middleware-first') return `${ours} runs after the host middleware ${host.name} mounted at ${host.path}: if it answers instead of calling next(), polytoken never sees the request`
  return `the host route ${host.path} (${host.name}) is never reached for ${route.method}: ${ours}, mounted before it, answers first`
}

/** Every polytoken router in the app, with the path pattern it is mounted at. */
function* polytokenRoutersIn(stack: readonly Layer[], mount: string): Generator<{ router: object; tracked: Tracked; mount: string }> {
  for (const layer of stack) {
    if (layer.route || typeof layer.handle !== 'function' || typeof layer.rawPath !== 'string') continue
    const tracked = polytokenRouters.get(layer.handle)
    const inner = stackOf(layer.handle)
    if (tracked) yield { router: layer.handle, tracked, mount: mount + patternOf(layer) }
    else if (inner) yield* polytokenRoutersIn(inner, mount + patternOf(layer))
  }
}

/** A concrete path an Express 5 pattern matches: `/1.0/:app/{:version}` → `/1.0/x/x` (escapes kept as literals). */
export function samplePath(pattern: string): string {
  let out = ''
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!
    if (char === '\\') out += pattern[++i] ?? ''
    else if (char === '{' || char === '}') continue
    else if (char === ':' || char === '*') {
      out += 'x'
      if (pattern[i + 1] === '"') i = Math.max(pattern.indexOf('"', i + 2), i + 1)
      else while (i + 1 < pattern.length && /[$\w\p{ID_Continue}]/u.test(pattern[i + 1]!)) i++
    } else out += char
  }
  return out
}

function mountedAtRoot(router: object): Layer {
  return { handle: router, rawPath: '/', slash: true, match: () => ({ path: '' }) }
}

function patternOf(layer: Layer): string {
  if (layer.route) return typeof layer.route.path === 'string' ? layer.route.path : String(layer.route.path)
  if (layer.slash) return ''
  return typeof layer.rawPath === 'string' ? layer.rawPath.replace(/\/+$/, '') : String(layer.rawPath)
}

function handlerName(layer: Layer): string {
  const handlers = layer.route?.stack ?? []
  const name = layer.route ? handlers[handlers.length - 1]?.name : layer.name
  return name || '<anonymous>'
}

function stackOf(router: unknown): Layer[] | undefined {
  const stack = (router as { stack?: unknown } | undefined)?.stack
  return Array.isArray(stack) ? (stack as Layer[]) : undefined
}

/** Express 5's app.router (made on first use); Express 4's app._router. */
function stackOfApp(app: unknown): Layer[] | undefined {
  if (typeof app !== 'function' || typeof (app as { use?: unknown }).use !== 'function' || !('set' in app)) return undefined
  const express = app as { router?: unknown; _router?: unknown }
  try {
    return stackOf(express.router) ?? stackOf(express._router)
  } catch {
    // Express 4's app.router is a getter that throws.
    return stackOf(express._router)
  }
}
