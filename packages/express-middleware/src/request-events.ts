import type { CompiledRoute, PolyResponse, PolytokenEvents, RequestEvent } from '@polytoken/core'

export type RequestReporter = (response: PolyResponse, startedAt: number) => void

/**
 * The 'request' event of one route, emitted once its answer is sent: status, the error's code, time from the request's
 * arrival in the handler (body reading included) to its answer. Nothing is built while no one listens.
 */
export function requestReporter(events: PolytokenEvents, route: CompiledRoute, method: string = route.method): RequestReporter {
  const dialect = route.dialect.name
  const path = route.fullPath
  return (response, startedAt) => {
    if (events.listenerCount('request') === 0) return
    const event: RequestEvent = { dialect, route: path, method, status: response.status, durationMs: performance.now() - startedAt }
    if (response.code) event.code = response.code
    try {
      events.emit('request', event)
    } catch (error) {
      process.emitWarning(`polytoken: a "request" event listener threw: ${String((error as Error)?.message ?? error)}`)
    }
  }
}
