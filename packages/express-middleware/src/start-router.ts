import type { NextFunction, Request, Response, Router } from 'express'
import { StoreUnavailable, createConsoleLogger, createRuntime, openStore, type PolytokenOptions, type Runtime } from '@polytoken/core'
import type { Lifecycle, RouterState } from './lifecycle.js'
import { createStartingRouter } from './starting-router.js'
import { retrySettings, retryStartup, type StartupOptions } from './startup-retry.js'

/** What polytoken() adds to the Express router: its runtime and its life (start-up, drain, close). */
export interface RouterLifecycleApi {
  /** The core runtime behind the router: routes, store, cache, JWKS. With startup mode 'background', only once `ready` resolved. */
  readonly runtime: Runtime
  /**
   * Resolves once the store answered and every dialect is set up; rejects when start-up gave up (or the router was
   * closed first). Already resolved in startup mode 'wait', where polytoken() itself waited.
   */
  readonly ready: Promise<void>
  /** starting, ready, draining, failed or closed: see RouterState. */
  readonly state: RouterState
  /**
   * Turn not-ready: /readyz answers 503 `draining` from now on, so a load balancer stops sending, while every
   * request (in flight or still arriving) is served as before. The first step of a graceful shutdown.
   */
  drain(): void
  /** Close the store connections (and stop a start-up still retrying). */
  close(): Promise<void>
}

type RouterHandle = (req: Request, res: Response, next: NextFunction) => void
export type BuildRouter = (runtime: Runtime, lifecycle: Lifecycle) => Router

/**
 * Open the store once, then set the dialects up on it, retrying while the store does not answer (bounded, with
 * backoff: startup-retry.ts). In mode 'wait' the router is built after that; in mode 'background' a router that
 * answers the probes and 503s is returned at once and hands every request to the real one when it is built.
 */
export async function startRouter(options: PolytokenOptions, startup: StartupOptions, build: BuildRouter): Promise<Router & RouterLifecycleApi> {
  const settings = retrySettings(startup)
  const logger = options.logger ?? createConsoleLogger()
  const store = await openStore(options.store, logger)
  const given = store === options.store
  const lifecycle: Lifecycle = { state: 'starting', store }
  const abort = new AbortController()
  const setUp = retryStartup(() => createRuntime({ ...options, logger, store }), settings, { logger, signal: abort.signal })
  let runtime: Runtime | undefined

  const api = {
    get runtime(): Runtime {
      if (!runtime) throw new StoreUnavailable('router.runtime: the router is still starting (startup mode "background"); await router.ready first')
      return runtime
    },
    get state() {
      return lifecycle.state
    },
    drain() {
      if (lifecycle.state === 'starting' || lifecycle.state === 'ready') lifecycle.state = 'draining'
    },
    async close() {
      if (lifecycle.state === 'closed') return
      lifecycle.state = 'closed'
      abort.abort(new StoreUnavailable('start-up stopped: the router was closed'))
      // runtime.close() is the store's close: one call either way.
      await store.close()
    },
  }

  if (startup.mode !== 'background') {
    let built: Router
    try {
      runtime = await setUp
      // build() checks what needs the routes (a docs path a dialect serves): a refusal there is a failed start-up too.
      built = build(runtime, lifecycle)
    } catch (error) {
      // A store this router opened is not left open by a start-up that failed; a given one is the host's.
      if (!given) await store.close().catch(() => {})
      throw error
    }
    lifecycle.state = 'ready'
    return withApi(built, api, Promise.resolve())
  }

  const router = createStartingRouter(options, lifecycle)
  const ready = setUp.then(
    (built) => {
      if (lifecycle.state === 'closed') throw abort.signal.reason
      runtime = built
      const real = build(built, lifecycle)
      // From now on the router is the real one: its own handle (fast dispatch included), no extra layer per request.
      ;(router as Router & { handle: RouterHandle }).handle = (real as Router & { handle: RouterHandle }).handle.bind(real)
      // Drained while starting: it stays draining.
      if (lifecycle.state === 'starting') lifecycle.state = 'ready'
      logger.info({ store: store.kind }, 'start-up complete: the store answered and every dialect is set up')
    },
    (error: unknown) => {
      if (lifecycle.state !== 'closed') {
        lifecycle.state = 'failed'
        logger.error({ code: (error as { code?: unknown })?.code, error: (error as Error)?.message }, 'start-up failed')
      }
      throw error
    },
  )
  // The state, /livez and the log say it; a host that awaits router.ready gets the error itself.
  ready.catch(() => {})
  return withApi(router, api, ready)
}

function withApi(router: Router, api: Omit<RouterLifecycleApi, 'ready'>, ready: Promise<void>): Router & RouterLifecycleApi {
  const descriptors = Object.getOwnPropertyDescriptors(api)
  return Object.defineProperties(router, { ...descriptors, ready: { value: ready, enumerable: true } }) as Router & RouterLifecycleApi
}
