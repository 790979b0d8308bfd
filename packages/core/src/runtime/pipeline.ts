import { AuthRequired, UnsupportedMediaType, toPolytokenError, type PolytokenError } from '../errors.js'
import { authenticate } from '../auth/authenticate.js'
import type { DialectServices, RouteInput } from '../dialect.js'
import type { PolyRequest, PolyResponse } from '../request.js'
import type { RegisteredRoute, SetUpMount } from '../registry/registry.js'
import type { Logger } from '../util/logger.js'
import { traced, tracedLeaf } from '../util/trace-hook.js'
import { dialectEvents, reportRefusal, type PolytokenEvents } from '../events/events.js'

const NO_ATTRIBUTES = {}

/**
 * One request through one route: precheck → find credentials → validate input (ajv, compiled at registration) →
 * verify credentials → the route's handler; with `authenticateFirst`, verify credentials before validating. Every failure leaves through the dialect's renderError.
 */
export function createRouteExecutor(registered: RegisteredRoute, dialectServices: DialectServices, events: PolytokenEvents) {
  const { route, validators, mount, fullPath } = registered
  const methods = route.auth ?? []
  // The route's own services: what a handler emits carries this route.
  const services: DialectServices = { ...dialectServices, events: dialectEvents(events, mount.dialect.name, fullPath) }

  return async function execute(request: PolyRequest): Promise<PolyResponse> {
    try {
      route.precheck?.(request)
      // Each credential is extracted once (header parsing is a visible share of a cached check).
      const extracted = methods.length > 0 ? methods.map((method) => method.extract(request)) : undefined
      // A request with no credential at all is told so before its input is judged.
      if (extracted && extracted.every((credential) => credential === undefined)) {
        await authenticate(methods, { request, services }, extracted) // throws AuthRequired, with every challenge
        throw new AuthRequired('authentication required')
      }
      if (route.authenticateFirst) {
        const principal = extracted ? await traced('polytoken.authenticate', NO_ATTRIBUTES, () => authenticate(methods, { request, services }, extracted)) : undefined
        return await route.handle({ request, input: tracedLeaf('polytoken.validate', NO_ATTRIBUTES, () => validate(request)), principal, services })
      }
      const input = tracedLeaf('polytoken.validate', NO_ATTRIBUTES, () => validate(request))
      const principal = extracted ? await traced('polytoken.authenticate', NO_ATTRIBUTES, () => authenticate(methods, { request, services }, extracted)) : undefined
      return await route.handle({ request, input, principal, services })
    } catch (error) {
      const failure = toPolytokenError(error)
      reportRefusal(events, mount.dialect.name, fullPath, failure, request.receivedAt)
      return renderError(mount, failure, request, services.logger)
    }
  }
  function validate(request: PolyRequest): RouteInput {
    const bodyValidator = request.bodyType ? validators.body[request.bodyType] : undefined
    // input is typed from the schema (route-input.ts): a body no declared parser produced is refused, never passed on unchecked.
    if (!bodyValidator && route.schema?.body) throw new UnsupportedMediaType('this body type is not accepted here', { location: 'header', field: 'content-type' })
    return {
      body: bodyValidator ? bodyValidator(request.body) : request.body,
      query: validators.query ? (validators.query(request.query) as Record<string, unknown>) : request.query,
      params: validators.params ? (validators.params(request.params) as Record<string, unknown>) : request.params,
    }
  }
}

/** The dialect's envelope; if the dialect's own renderer fails, a plain JSON error, still never HTML. */
export function renderError(mount: Pick<SetUpMount, 'dialect' | 'instance'>, error: PolytokenError, request: PolyRequest | undefined, logger: Logger): PolyResponse {
  const { dialect, instance } = mount
  if (error.status >= 500 && error.code === 'ERR_INTERNAL') {
    const cause = error.cause as Error | undefined
    logger.error({ requestId: request?.id, dialect: dialect.name, path: request?.path, error: cause?.stack ?? String(cause) }, 'unexpected error')
  }
  try {
    return withCode({ ...instance.renderError(error, request) }, error.code)
  } catch (renderFailure) {
    logger.error({ requestId: request?.id, dialect: dialect.name, error: String(renderFailure) }, 'renderError failed')
    return withCode({ status: error.status, body: { error: error.code, message: error.message } }, error.code)
  }
}

/** The stable code rides along, never sent and not enumerable (the response still equals what the dialect rendered): metrics and access logs label by it. */
function withCode(response: PolyResponse, code: string): PolyResponse {
  return Object.defineProperty(response, 'code', { value: code, enumerable: false })
}
