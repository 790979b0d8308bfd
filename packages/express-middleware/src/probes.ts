import type { NextFunction, Request, Response, Router } from 'express'
import { MethodNotAllowed, type PolyResponse } from '@polytoken/core'
import type { Lifecycle, RouterState } from './lifecycle.js'
import { send } from './send.js'

/** Why /readyz says 503: the state, or a store that did not answer the ping. */
export type NotReadyReason = Exclude<RouterState, 'ready'> | 'store-unavailable'

/**
 * GET /livez: the process is alive and worth keeping (no store call: a store outage must not restart healthy
 * instances). 503 only once start-up gave up, where a restart is the remedy.
 */
export function liveness(lifecycle: Lifecycle): PolyResponse {
  return lifecycle.state === 'failed' ? { status: 503, body: { status: 'failed' } } : { status: 200, body: { status: 'alive' } }
}

/**
 * GET /readyz: send traffic here? Ready and the store answers a ping. Every 503 names its reason, so an operator
 * reading a probe log knows whether to look at the store or at a rollout. The store's kind, never its address.
 */
export async function readiness(lifecycle: Lifecycle): Promise<PolyResponse> {
  const kind = lifecycle.store.kind
  if (lifecycle.state !== 'ready') return notReady(lifecycle.state, kind)
  try {
    await lifecycle.store.ping()
  } catch {
    return notReady('store-unavailable', kind)
  }
  // Drained (or closed) while the ping ran: say so now rather than at the next probe.
  const state = lifecycle.state as RouterState
  return state === 'ready' ? { status: 200, body: { status: 'ready', store: kind } } : notReady(state, kind)
}

const notReady = (reason: NotReadyReason, store: string): PolyResponse => ({ status: 503, body: { status: 'not-ready', reason, store } })

export const PROBE_PATHS = ['/livez', '/readyz'] as const

/** The two probes on a router (GET and HEAD; Cache-Control: no-store like every answer of the router). */
export function installProbes(router: Router, lifecycle: Lifecycle): void {
  router.get('/livez', (_req: Request, res: Response) => send(res, liveness(lifecycle)))
  router.get('/readyz', async (_req: Request, res: Response) => send(res, await readiness(lifecycle)))
}

/** The router's extras answer GET and HEAD; OPTIONS is left to the host (CORS), as on dialect routes. */
export function extraMethodNotAllowed(req: Request, res: Response, next: NextFunction): void {
  if (req.method === 'OPTIONS') return next()
  const error = new MethodNotAllowed(`method ${req.method} is not allowed here`)
  send(res, { status: error.status, headers: { Allow: 'GET, HEAD' }, body: { error: error.code, message: error.message } })
}
