import { setTraceHook, type Logger, type PolytokenEvents } from '@polytoken/core'
import { openTelemetryHook } from './open-telemetry.js'
import { subscribeAuditLog } from './audit-log.js'
import type { ObserveOptions } from './observe-route.js'

/** What a router logs and traces beyond errors (docs/operations.md). */
export interface ObservabilityOptions {
  /**
   * One line per request to a dialect route: request id, method, route pattern, status, duration, dialect, error code.
   * true: through `logger` at info; a Logger: through that one. Default false.
   */
  accessLog?: boolean | Logger
  /**
   * One line per token issued, refreshed or revoked (reuse of a refresh token: warn), from router.events, with the
   * request id: dialect, route, jti, client id, subject fingerprint, token type, reason. true: through `logger`; a
   * Logger: through that one. Default false.
   */
  auditLog?: boolean | Logger
  /**
   * OpenTelemetry spans through @opentelemetry/api (default true): a span per request, children for body parsing,
   * authentication, validation, store operations and signing. Without an SDK registered they are no-ops.
   */
  tracing?: boolean
}

export function observeOptions(options: ObservabilityOptions, logger: Logger, events: PolytokenEvents): ObserveOptions {
  const tracing = options.tracing ?? true
  // Core's spans are children of a request span that records: with tracing off on every router, none are made.
  if (tracing) setTraceHook(openTelemetryHook)
  const audit = options.auditLog === true ? logger : options.auditLog || undefined
  if (audit) subscribeAuditLog(events, audit)
  return { accessLog: options.accessLog === true ? logger : options.accessLog || undefined, tracing, audit: audit !== undefined }
}
