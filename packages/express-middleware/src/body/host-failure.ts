import type { Request } from 'express'
import { RequestMalformed, RequestTooLarge, UnsupportedMediaType, type BodyType, type PolytokenError } from '@polytoken/core'

/**
 * body-parser's error types (err.type; express.json(), .urlencoded(),
 * .text(), .raw()) → the refusal the route's own parser gives for the same
 * body. Messages are polytoken's own: body-parser's may quote the body
 * (JSON.parse's message shows a slice of it, a password included).
 */
const REFUSALS: Record<string, (type: BodyType | undefined) => PolytokenError> = {
  'entity.parse.failed': (type) => new RequestMalformed(type === 'json' ? 'body is not valid JSON' : 'body could not be parsed', { location: 'body' }),
  'querystring.parse.rangeError': () => new RequestMalformed('form body is nested too deeply', { location: 'body' }),
  'request.aborted': () => new RequestMalformed('body could not be read', { location: 'body' }),
  'request.size.invalid': () => new RequestMalformed('body is not as long as its Content-Length', { location: 'body' }),
  'entity.too.large': () => new RequestTooLarge("body is over the host app's size limit", { location: 'body' }),
  'parameters.too.many': () => new RequestTooLarge("form body has more fields than the host app's parser takes", { location: 'body' }),
  'charset.unsupported': () => new UnsupportedMediaType('charset is not supported; send UTF-8', { location: 'header', field: 'content-type' }),
  'encoding.unsupported': () => new UnsupportedMediaType('Content-Encoding is not supported', { location: 'header', field: 'content-encoding' }),
}

/** A body-parser refusal of the client's body (a 4xx with a known type) as polytoken's error; undefined for anything else. */
export function hostParserRefusal(error: unknown, bodyType: BodyType | undefined): PolytokenError | undefined {
  if (error === null || typeof error !== 'object') return undefined
  const { type, status, statusCode } = error as { type?: unknown; status?: unknown; statusCode?: unknown }
  const code = typeof status === 'number' ? status : statusCode
  if (typeof type !== 'string' || typeof code !== 'number' || code < 400 || code > 499 || !Object.hasOwn(REFUSALS, type)) return undefined
  return REFUSALS[type]!(bodyType)
}

const refused = new WeakMap<Request, PolytokenError>()

/** Remember, for the route that will handle this request, that the host's parser refused its body. */
export function recordHostRefusal(request: Request, error: PolytokenError): void {
  refused.set(request, error)
}

/** The host parser's refusal of this request's body, when router.errors handed it to the router. */
export function hostRefusalOf(request: Request): PolytokenError | undefined {
  return refused.get(request)
}
