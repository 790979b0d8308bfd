import { ConfigInvalid, type CompiledRoute } from '@polytoken/core'
import { ROUTER_EXTRAS } from '../route-list.js'

/** The `docs` option of polytoken(): `true` for GET /docs, or where to serve the page. */
export interface DocsOptions {
  /** Where the page is, relative to the mount point: one or more plain segments (`/docs`, `/api/docs`). Default `/docs`. */
  path?: string
}

export interface ResolvedDocs {
  path: string
}

/** Plain segments only: the page's relative links are worked out from them (page.ts). */
const PLAIN_PATH = /^(?:\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)+$/

/** Checked when polytoken() is called: anything but true, false or `{ path }` with a plain path is ERR_CONFIG_INVALID naming the key. */
export function resolveDocs(value: boolean | DocsOptions | undefined): ResolvedDocs | undefined {
  if (value === undefined || value === false) return undefined
  if (value !== true && (typeof value !== 'object' || value === null)) throw new ConfigInvalid('docs: expected true, false or { path }')
  const path = value === true ? '/docs' : (value.path ?? '/docs')
  if (typeof path !== 'string' || !PLAIN_PATH.test(path)) {
    throw new ConfigInvalid('docs.path: expected a path of plain segments (letters, digits, ._~-), e.g. /docs')
  }
  return { path }
}

/** Checked once the dialects are set up: a page a dialect route would hide (or hide one) is ERR_CONFIG_INVALID. */
export function assertDocsPathFree(docs: ResolvedDocs, routes: readonly CompiledRoute[]): void {
  const taken = [...ROUTER_EXTRAS, ...routes.map((route) => route.fullPath)].find((served) => overlaps(served, docs.path))
  if (taken !== undefined) throw new ConfigInvalid(`docs.path: ${docs.path} overlaps ${taken}, which the router already serves`)
}

/**
 * Whether a route the router serves could take a request meant for the page or its assets (`path` and below), or
 * the other way round. Case-insensitive, as Express matches. A route with parameters counts from its fixed part on.
 */
function overlaps(served: string, path: string): boolean {
  const docs = path.toLowerCase()
  const route = served.toLowerCase()
  const fixed = route.split(/[:*{]/, 1)[0]!
  if (fixed === route) return route === docs || route.startsWith(`${docs}/`)
  return docs.startsWith(fixed) || fixed.startsWith(`${docs}/`)
}
