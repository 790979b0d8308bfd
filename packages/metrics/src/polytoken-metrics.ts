import type { IncomingMessage, ServerResponse } from 'node:http'
import { Counter, Gauge, Registry } from 'prom-client'
import type { PolytokenEvents, Runtime } from '@polytoken/core'
import { subscribe } from './subscriptions.js'
import { createSeriesCache } from './series-cache.js'
import { LabelledHistogram } from './labelled-histogram.js'

export interface PolytokenMetricsOptions {
  /** Where the series go. Default: a registry of their own (the host's metrics stay apart); pass yours to serve both. */
  registry?: Registry
  /** Upper bounds of the request latency histogram, seconds. */
  requestBuckets?: number[]
  /** Upper bounds of the store operation histogram, seconds. */
  storeBuckets?: number[]
}

export interface PolytokenMetrics {
  readonly registry: Registry
  /** GET handler for Node's http server or Express: the text exposition. Mount it where the host wants, not on the token prefix. */
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void
  /** Stop counting (unsubscribes from router.events); the series stay registered. */
  readonly close: () => void
}

/** Status codes as label values, made once (String(status) per request is a string allocation). */
const STATUS_TEXT: Record<number, string> = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [i + 100, String(i + 100)]))

const REQUEST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
const STORE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]

/** What polytokenMetrics reads: a polytoken router (any startup mode), or anything with a runtime. */
export interface MeasuredRouter {
  /** Throws while a router started in the background is still starting. */
  readonly runtime: Runtime
  readonly events?: PolytokenEvents
  readonly ready?: Promise<void>
}

/**
 * Prometheus series for one polytoken router (`polytoken({...})` or anything with its runtime): every name
 * `polytoken_*`, every label a bounded set (dialect names, route patterns, statuses, error codes, backends), never a
 * path, token, user or secret. Read from router.events, and from the cache and hashing queue at scrape time.
 */
export function polytokenMetrics(router: MeasuredRouter, options: PolytokenMetricsOptions = {}): PolytokenMetrics {
  // A router started in the background has its events at once and its runtime once ready: what reads the runtime
  // (cache, hashing queue, store kind) reads it at scrape time and says nothing until then.
  const current = (): Runtime | undefined => {
    try {
      return router.runtime
    } catch {
      return undefined
    }
  }
  const events = router.events ?? router.runtime.events
  const registry = options.registry ?? new Registry()
  const registers = [registry]

  const requests = new LabelledHistogram({
    name: 'polytoken_request_duration_seconds',
    help: 'Dialect route requests: time from arrival in the route handler (body reading included) to the answer; _count is the number of requests.',
    labelNames: ['dialect', 'route', 'method', 'status', 'code'] as const,
    buckets: options.requestBuckets ?? REQUEST_BUCKETS,
    registers,
  })
  const tokens = new Counter({ name: 'polytoken_tokens_issued_total', help: 'Tokens issued, by dialect and kind of token.', labelNames: ['dialect', 'token_type'] as const, registers })
  const refreshed = new Counter({ name: 'polytoken_tokens_refreshed_total', help: 'Refresh tokens exchanged.', labelNames: ['dialect', 'token_type'] as const, registers })
  const revoked = new Counter({ name: 'polytoken_tokens_revoked_total', help: 'Tokens revoked, by why.', labelNames: ['dialect', 'token_type', 'reason'] as const, registers })
  const reuse = new Counter({
    name: 'polytoken_refresh_reuse_detected_total',
    help: 'Refresh tokens presented again after use (or by another client): their login was revoked.',
    labelNames: ['dialect'] as const,
    registers,
  })
  const authFailures = new Counter({
    name: 'polytoken_auth_failures_total',
    help: 'Requests refused for their credential (401, not a bare challenge).',
    labelNames: ['dialect', 'route', 'code'] as const,
    registers,
  })
  const throttled = new Counter({ name: 'polytoken_login_throttled_total', help: 'Logins refused by the login throttle (429).', labelNames: ['dialect', 'route'] as const, registers })
  const storeOps = new LabelledHistogram({
    name: 'polytoken_store_operation_duration_seconds',
    help: 'Store operations (get, set, take, update, ..., ping) by backend.',
    labelNames: ['backend', 'operation'] as const,
    buckets: options.storeBuckets ?? STORE_BUCKETS,
    registers,
  })
  const storeFailures = new Counter({
    name: 'polytoken_store_operation_failures_total',
    help: 'Store operations that failed, by backend and error code.',
    labelNames: ['backend', 'operation', 'code'] as const,
    registers,
  })
  const storeUp = new Gauge({
    name: 'polytoken_store_up',
    help: '1 while the store answers, 0 from a failed operation until one succeeds.',
    labelNames: ['backend'] as const,
    registers,
    aggregator: 'min',
  })
  void Promise.resolve(router.ready).then(
    () => storeUp.set({ backend: router.runtime.store.kind }, 1),
    () => {},
  )

  const lookups = (kind: 'hits' | 'misses') =>
    function (this: Counter<'dialect' | 'scope'>) {
      this.reset()
      // Scopes start with the dialect's name (`zazz:access`); one scope per router instance is possible (token-generator's session).
      for (const [scope, counts] of current()?.cache.lookups ?? []) this.inc({ dialect: scope.split(':', 1)[0]!, scope: scope.replace(/:[0-9a-f-]{36}$/, '') }, counts[kind])
    }
  new Counter({
    name: 'polytoken_verification_cache_hits_total',
    help: 'Credential checks answered by the verification cache.',
    labelNames: ['dialect', 'scope'] as const,
    registers,
    collect: lookups('hits'),
  })
  new Counter({
    name: 'polytoken_verification_cache_misses_total',
    help: 'Credential checks the verification cache had to run (or join).',
    labelNames: ['dialect', 'scope'] as const,
    registers,
    collect: lookups('misses'),
  })
  new Gauge({
    name: 'polytoken_verification_cache_entries',
    help: 'Verifications held by the cache (shared by the router’s dialects).',
    registers,
    collect() {
      this.set(current()?.cache.size ?? 0)
    },
  })
  const hashing = () => current()?.passwords.stats ?? { running: 0, waiting: 0, started: 0, waitedMs: 0, refused: 0 }
  new Gauge({
    name: 'polytoken_password_hash_running',
    help: 'Password hashes running now.',
    registers,
    collect() {
      this.set(hashing().running)
    },
  })
  new Gauge({
    name: 'polytoken_password_hash_queue_depth',
    help: 'Password checks waiting for a hashing slot.',
    registers,
    collect() {
      this.set(hashing().waiting)
    },
  })
  const total = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset()
        this.inc(read())
      },
    })
  total('polytoken_password_hash_checks_total', 'Password checks that got a hashing slot.', () => hashing().started)
  total('polytoken_password_hash_wait_seconds_total', 'Time password checks waited for a hashing slot; divide by checks for the mean wait.', () => (hashing().waitedMs ?? 0) / 1000)
  total('polytoken_password_hash_refused_total', 'Password checks refused (503) because the queue was full or the wait too long.', () => hashing().refused)

  // Every series a request touches is looked up by its label values (series-cache.ts, labelled-histogram.ts): no label object per event.
  const statusText = (status: number) => STATUS_TEXT[status] ?? String(status)
  const issuedSeries = createSeriesCache((dialect: string, tokenType: string) => tokens.labels(dialect, tokenType))
  const unsubscribe = subscribe(events, {
    request: (event) => requests.series(event.dialect, event.route, event.method, statusText(event.status), event.code ?? '').observe(event.durationMs / 1000),
    'token.issued': (event) => issuedSeries(event.dialect, event.tokenType ?? '').inc(),
    'token.refreshed': (event) => refreshed.inc({ dialect: event.dialect, token_type: event.tokenType ?? '' }),
    'token.revoked': (event) => revoked.inc({ dialect: event.dialect, token_type: event.tokenType ?? '', reason: event.reason ?? '' }),
    'token.reuse-detected': (event) => reuse.inc({ dialect: event.dialect }),
    'auth.failed': (event) => authFailures.inc({ dialect: event.dialect, route: event.route, code: event.code }),
    'login.throttled': (event) => throttled.inc({ dialect: event.dialect, route: event.route }),
    'store.operation': (event) => {
      storeOps.series(event.backend, event.operation).observe(event.durationMs / 1000)
      if (event.code) storeFailures.inc({ backend: event.backend, operation: event.operation, code: event.code })
    },
    'store.unavailable': (event) => storeUp.set({ backend: event.backend }, 0),
    'store.recovered': (event) => storeUp.set({ backend: event.backend }, 1),
  })

  return {
    registry,
    handler: metricsHandler(() => registry.metrics(), registry.contentType),
    close: unsubscribe,
  }
}

/** A GET/HEAD handler that answers what `read` renders (one registry, or a cluster's aggregate). */
export function metricsHandler(read: (req: IncomingMessage) => Promise<string>, contentType: string) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('method not allowed\n')
      return
    }
    read(req).then(
      (text) => {
        res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' }).end(req.method === 'HEAD' ? undefined : text)
      },
      (error: unknown) => {
        // A collection failure (in a cluster, a worker that did not answer in time): no request data in it.
        res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`metrics unavailable: ${(error as Error)?.message ?? 'unknown error'}\n`)
      },
    )
  }
}
