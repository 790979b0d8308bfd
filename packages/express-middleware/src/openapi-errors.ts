import {
  AuthInvalid,
  AuthRequired,
  NotAcceptable,
  RateLimited,
  RequestInvalid,
  RequestMalformed,
  RequestTooLarge,
  RouteNotFound,
  ServerBusy,
  StoreUnavailable,
  TokenExpired,
  TokenInvalid,
  UnsupportedMediaType,
  type CompiledRoute,
  type PolytokenError,
} from '@polytoken/core'

/** Auth methods whose secrets are guessed (passwords, application secrets): the built-in ones are throttled, and queued for hashing. */
const GUESSABLE = new Set(['basic', 'formSecret', 'form-secret'])

/** The errors this route can answer, judged from what it declares: a body, a schema, path parameters, auth methods. */
function errorsOf(compiled: CompiledRoute): PolytokenError[] {
  const { route, accepts } = compiled
  const errors: PolytokenError[] = []
  const hasParams = /[:*]/.test(compiled.fullPath)
  if (accepts.length > 0 || hasParams) errors.push(new RequestMalformed('the body or the path cannot be parsed'))
  if (route.schema?.body || route.schema?.query || route.schema?.params) errors.push(new RequestInvalid('the input does not match the schema'))
  if (hasParams || route.precheck) errors.push(new RouteNotFound('the named resource does not exist'))
  if (route.precheck) errors.push(new NotAcceptable('the client accepts nothing the route answers'))
  if (accepts.length > 0) errors.push(new RequestTooLarge('the body is over the limits'), new UnsupportedMediaType('the body is not of a type the route accepts'))
  // A route with anonymous access still refuses a credential that is sent and wrong.
  const refusals = (route.auth ?? []).some((method) => method.kind !== 'anonymous')
    ? [new AuthInvalid('the credential is refused'), new TokenInvalid('the token is invalid'), new TokenExpired('the token has expired')]
    : []
  for (const error of [...(compiled.requiresCredential ? [new AuthRequired('no credential')] : []), ...refusals]) {
    error.challenges = [...compiled.challenges]
    errors.push(error)
  }
  if ((route.auth ?? []).some((method) => GUESSABLE.has(method.kind)))
    errors.push(new RateLimited('too many failed attempts', { headers: { 'Retry-After': '60' } }), new ServerBusy('password checks are queued'))
  errors.push(new StoreUnavailable('the store does not answer'))
  return errors
}

/**
 * The route's error responses by status, each as the dialect renders it (its status, its headers: WWW-Authenticate
 * with every challenge, Retry-After, ...) and with the dialect's error schema.
 */
export function errorResponses(compiled: CompiledRoute, errorRef: string): Record<string, unknown> {
  const byStatus = new Map<number, { codes: string[]; headers: Set<string>; challenges: Set<string> }>()
  for (const error of errorsOf(compiled)) {
    const rendered = compiled.fail(error, undefined)
    const entry = byStatus.get(rendered.status) ?? { codes: [], headers: new Set(), challenges: new Set() }
    byStatus.set(rendered.status, entry)
    if (!entry.codes.includes(error.code)) entry.codes.push(error.code)
    for (const [name, value] of Object.entries(rendered.headers ?? {})) {
      if (/^content-type$/i.test(name)) continue
      entry.headers.add(canonical(name))
      if (/^www-authenticate$/i.test(name)) for (const challenge of [value].flat()) entry.challenges.add(String(challenge))
    }
  }
  const responses: Record<string, unknown> = {}
  for (const [status, { codes, headers, challenges }] of [...byStatus].sort(([a], [b]) => a - b)) {
    const headerDocs: Record<string, unknown> = {}
    for (const name of headers) {
      headerDocs[name] =
        name === 'WWW-Authenticate'
          ? { description: `The challenges of every scheme the route accepts: ${[...challenges].join(' | ')}`, schema: { type: 'string' }, example: [...challenges].join(', ') }
          : { schema: { type: 'string' } }
    }
    responses[String(status)] = {
      description: codes.join(', '),
      ...(headers.size ? { headers: headerDocs } : {}),
      content: { 'application/json': { schema: { $ref: `#/components/schemas/${errorRef}` } } },
    }
  }
  return responses
}

function canonical(name: string): string {
  return name.toLowerCase() === 'www-authenticate' ? 'WWW-Authenticate' : name.replace(/(^|-)([a-z])/g, (_m, dash: string, letter: string) => dash + letter.toUpperCase())
}
