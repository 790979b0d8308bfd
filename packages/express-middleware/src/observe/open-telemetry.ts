import { context, propagation, trace, SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api'
import { toPolytokenError, type SpanAttributes, type TraceHook } from '@polytoken/core'
import type { Request } from 'express'

/**
 * polytoken's spans through @opentelemetry/api only: without an SDK registered every call here is a no-op object, and
 * core's child spans (store operations, signing, authentication, validation) are made only under a request span that
 * records, so an untraced request costs one non-recording span.
 */
const tracer = trace.getTracer('@polytoken/express')

/**
 * Core's trace hook bound to OpenTelemetry: a child of the active span, when that span records. A leaf's span is not
 * made active (nothing inside it would start a span), which saves the context manager's work.
 */
export const openTelemetryHook: TraceHook = (name, attributes, work, leaf) => {
  const active = context.active()
  if (trace.getSpan(active)?.isRecording() !== true) return work()
  const span = tracer.startSpan(name, { attributes }, active)
  return leaf ? settle(span, work) : context.with(trace.setSpan(active, span), () => settle(span, work))
}

function settle<T>(span: Span, work: () => T): T {
  let result: T
  try {
    result = work()
  } catch (error) {
    endFailed(span, error)
    throw error
  }
  if (!(result instanceof Promise)) {
    span.end()
    return result
  }
  return result.then(
    (value: unknown) => (span.end(), value),
    (error: unknown) => {
      endFailed(span, error)
      throw error
    },
  ) as T
}

/** The error's stable code, never its message: a message may quote input. */
function endFailed(span: Span, error: unknown): void {
  const code = toPolytokenError(error).code
  span.setAttribute('polytoken.error_code', code)
  span.setStatus({ code: SpanStatusCode.ERROR, message: code })
  span.end()
}

/**
 * The request's span, `POST /zazz/api/v1/token` (HTTP semantic conventions: method and route pattern, never the path
 * itself, which may carry ids); undefined when it does not record. A child of the host's active span (an HTTP
 * instrumentation) or else of the caller's `traceparent`.
 */
export function startRequestSpan(req: Request, route: string): Span | undefined {
  const active = context.active()
  const hasParent = trace.getSpan(active) !== undefined
  const parent = hasParent ? active : propagation.extract(active, req.headers)
  const pattern = req.baseUrl + route
  const attributes: SpanAttributes = { 'http.request.method': req.method, 'http.route': pattern }
  const span = tracer.startSpan(`${req.method} ${pattern}`, { kind: hasParent ? SpanKind.INTERNAL : SpanKind.SERVER, attributes }, parent)
  if (span.isRecording()) return span
  span.end()
  return undefined
}

/** Run the request's handler with its span active, so core's spans become its children. */
export function withSpan<T>(span: Span, work: () => T): T {
  return context.with(trace.setSpan(context.active(), span), work)
}

export function endRequestSpan(span: Span, status: number, dialect: string | undefined, errorCode: string | undefined): void {
  span.setAttribute('http.response.status_code', status)
  if (dialect !== undefined) span.setAttribute('polytoken.dialect', dialect)
  if (errorCode !== undefined) span.setAttribute('polytoken.error_code', errorCode)
  // HTTP semantic conventions: a server span is an error for 5xx only; a 4xx is the client's.
  if (status >= 500) {
    span.setAttribute('error.type', errorCode ?? String(status))
    span.setStatus({ code: SpanStatusCode.ERROR, message: errorCode })
  }
  span.end()
}
