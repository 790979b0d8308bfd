import type { HttpMethod, Runtime } from '@polytoken/core'

/** One method on one path the router answers, as `router.routes()` lists it. */
export interface PolytokenRoute {
  /** GET routes answer HEAD too. */
  method: HttpMethod
  /** Express 5 path syntax, relative to where the router is mounted (`/token/create`, `/1.0/:application/:version`). */
  path: string
  /** The dialect that serves it; undefined for the router's own `/.well-known/jwks.json`, `/healthz`, `/livez`, `/readyz`, `/openapi.json` and the docs page with its assets. */
  dialect: string | undefined
}

/** The paths every router serves besides its dialects' (GET only). */
export const ROUTER_EXTRAS = ['/.well-known/jwks.json', '/healthz', '/livez', '/readyz', '/openapi.json'] as const

/**
 * Every route of the router in registration order, which is the order Express tries them. Two dialects on one
 * method and path (told apart by their Authorization schemes) are two entries.
 */
export function listRoutes(runtime: Runtime, docsPaths: readonly string[]): readonly PolytokenRoute[] {
  const routes: PolytokenRoute[] = runtime.routes.map((route) => ({ method: route.method, path: route.fullPath, dialect: route.dialect.name }))
  for (const path of [...ROUTER_EXTRAS, ...docsPaths]) routes.push({ method: 'GET', path, dialect: undefined })
  return Object.freeze(routes.map((route) => Object.freeze(route)))
}
