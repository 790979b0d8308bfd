import { performance } from 'node:perf_hooks'
import type { Request, Response } from 'express'
import type { Logger } from '@polytoken/core'
import type { RouteHandler } from '../fast-dispatch.js'
import type { Span } from '@opentelemetry/api'
import { endRequestSpan, startRequestSpan, withSpan } from './open-telemetry.js'
import { assignRequestId } from './request-id.js'
import { withRequestId } from './audit-log.js'

const ERROR_CODE = Symbol('polytoken.errorCode')
const DIALECT = Symbol('polytoken.dialect')

type Observed = Response & { [ERROR_CODE]?: string; [DIALECT]?: string }

export interface ObserveOptions {
  /** Where the access line goes; undefined: no access line. */
  accessLog: Logger | undefined
  /** A span per request (children for the work inside it), when an OpenTelemetry SDK is registered. */
  tracing: boolean
  /** Audit lines are written: the handler runs with its request id in reach of the token events. */
  audit: boolean
}

/** Remember the error code of the answer sent (send() calls this), for the access line and the span. */
export function noteErrorCode(res: Response, code: string | undefined): void {
  if (code !== undefined) (res as Observed)[ERROR_CODE] = code
}

/** Which dialect answered: known only once a route is chosen (several dialects may share a path, told apart by scheme). */
export function noteDialect(res: Response, dialect: string): void {
  ;(res as Observed)[DIALECT] = dialect
}

/**
 * A dialect route's handler, observed: the request's span (with the handler inside it, so core's spans are its
 * children) and one access line with the request id. Without a recording span (no SDK) the span costs one no-op object.
 */
export function observeRoute(handler: RouteHandler, route: string, options: ObserveOptions): RouteHandler {
  const { accessLog, tracing, audit } = options
  // The id is given at the router's entry (installRequestIds): nothing to add per request.
  if (!accessLog && !tracing && !audit) return handler
  const run: RouteHandler = audit ? (req, res, path, params) => withRequestId(assignRequestId(req, res), () => handler(req, res, path, params)) : handler
  const observed = async (req: Request, res: Response, path: string, params: Record<string, string>, span: Span | undefined) => {
    const requestId = assignRequestId(req, res)
    const started = accessLog ? performance.now() : 0
    let threw = false
    try {
      await (span ? withSpan(span, () => run(req, res, path, params)) : run(req, res, path, params))
    } catch (error) {
      threw = true
      throw error
    } finally {
      const observed = res as Observed
      // A handler that threw has not answered yet: Express's error handler will, with a 500.
      const status = threw && !res.headersSent ? 500 : res.statusCode
      const errorCode = observed[ERROR_CODE] ?? (threw ? 'ERR_INTERNAL' : undefined)
      const dialect = observed[DIALECT]
      if (span) endRequestSpan(span, status, dialect, errorCode)
      if (accessLog) accessLog.info(accessLine(req, route, requestId, status, dialect, errorCode, performance.now() - started), 'request')
    }
  }
  return (req, res, path, params) => {
    const span = tracing ? startRequestSpan(req, route) : undefined
    // Untraced (no SDK, or not sampled) and no access line: nothing to do after the handler, so no async frame around it.
    return span || accessLog ? observed(req, res, path, params, span) : run(req, res, path, params)
  }
}

function accessLine(req: Request, route: string, requestId: string, status: number, dialect: string | undefined, errorCode: string | undefined, durationMs: number) {
  return { requestId, method: req.method, route: req.baseUrl + route, status, durationMs: Math.round(durationMs * 1000) / 1000, dialect, errorCode }
}
