import express, { type Request, type Response, type Router } from 'express'
import { StoreUnavailable, createRuntime, memoryStore, silentLogger, type CompiledRoute, type PolytokenOptions } from '@polytoken/core'
import type { ParsedBody } from './body/parse-body.js'
import type { Lifecycle } from './lifecycle.js'
import { PROBE_PATHS, extraMethodNotAllowed, installProbes } from './probes.js'
import { send } from './send.js'
import { toPolyRequest } from './to-poly-request.js'

const NO_BODY: ParsedBody = { body: undefined, bodyType: undefined }
const RETRY_AFTER = { 'Retry-After': '1' }
const notYet = () => new StoreUnavailable('the service is starting: its store has not answered yet', { headers: RETRY_AFTER })

/**
 * What a router started in the background serves until its dialects are set up: the probes, /healthz (503), and
 * every dialect route answering 503 ERR_STORE_UNAVAILABLE in that dialect's own envelope. Paths no dialect serves
 * still fall through to the host app.
 */
export function createStartingRouter(options: PolytokenOptions, lifecycle: Lifecycle): Router {
  const router = express.Router()
  installProbes(router, lifecycle)
  router.get('/healthz', (_req: Request, res: Response) => send(res, { status: 503, body: { status: lifecycle.state === 'failed' ? 'failed' : 'starting', store: lifecycle.store.kind } }))
  for (const path of ['/healthz', ...PROBE_PATHS]) router.all(path, extraMethodNotAllowed)
  // Built on the first request that needs it: a start-up that finds its store at once never pays for it.
  let dialectRoutes: Promise<Router> | undefined
  router.use((req, res, next) => {
    dialectRoutes ??= notYetRoutes(options)
    dialectRoutes.then((routes) => routes(req, res, next), next)
  })
  return router
}

/**
 * The dialects' routes and envelopes come from their setup(), which needs the store. A provisional set-up on a
 * throw-away memory store gives both (the same options give the same paths and renderError); nothing it generated
 * is ever served: its routes only answer 503, and /.well-known/jwks.json is 503 too until the real keys are loaded.
 */
async function notYetRoutes(options: PolytokenOptions): Promise<Router> {
  const router = express.Router()
  let routes: readonly CompiledRoute[] = []
  try {
    const provisional = await createRuntime({ ...options, store: memoryStore(), logger: silentLogger })
    routes = provisional.routes
    await provisional.close()
  } catch {
    // A configuration error: the real start-up meets it too and reports it.
  }
  const seen = new Set<string>()
  for (const route of routes) {
    const key = `${route.method} ${route.fullPath}`
    if (seen.has(key)) continue
    seen.add(key)
    router[route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete'](route.fullPath, (req: Request, res: Response) =>
      send(res, route.fail(notYet(), toPolyRequest(req, req.path, req.params as Record<string, string>, NO_BODY, Date.now()))),
    )
  }
  router.get(['/.well-known/jwks.json', '/openapi.json'], (_req: Request, res: Response) => {
    const error = notYet()
    send(res, { status: error.status, headers: RETRY_AFTER, body: { error: error.code, message: error.message } })
  })
  router.all(['/.well-known/jwks.json', '/openapi.json'], extraMethodNotAllowed)
  return router
}
