import type { StoreBackend } from '@polytoken/core'

/**
 * Where a router is in its life:
 * - `starting`: the store has not answered yet (startup mode `'background'` only); dialect routes answer 503.
 * - `ready`: serving; /readyz still pings the store on every call.
 * - `draining`: router.drain() was called: /readyz says 503 so the load balancer stops sending, requests still complete.
 * - `failed`: start-up gave up (the store stayed away past the retry bound, or a configuration error); /livez says 503.
 * - `closed`: router.close() ran; the store connections are gone.
 */
export type RouterState = 'starting' | 'ready' | 'draining' | 'failed' | 'closed'

/** One router's state, shared by its probes and by the router that serves before and after start-up. */
export interface Lifecycle {
  state: RouterState
  readonly store: StoreBackend
}
