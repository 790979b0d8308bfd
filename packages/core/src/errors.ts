/**
 * The one error catalogue. Every failure a client can see is one of these
 * classes; each has a stable `code` (ERR_<AREA>_<CONDITION>) and an HTTP
 * status. Dialects render them in their own envelope (renderError) and may
 * pick a different status where their API demands one.
 */

export type ErrorCode =
  | 'ERR_REQUEST_MALFORMED'
  | 'ERR_REQUEST_INVALID'
  | 'ERR_REQUEST_TOO_LARGE'
  | 'ERR_REQUEST_UNSUPPORTED_MEDIA_TYPE'
  | 'ERR_REQUEST_NOT_ACCEPTABLE'
  | 'ERR_ROUTE_NOT_FOUND'
  | 'ERR_ROUTE_METHOD_NOT_ALLOWED'
  | 'ERR_AUTH_REQUIRED'
  | 'ERR_AUTH_INVALID'
  | 'ERR_AUTH_FORBIDDEN'
  | 'ERR_TOKEN_INVALID'
  | 'ERR_TOKEN_EXPIRED'
  | 'ERR_TOKEN_NOT_YET_VALID'
  | 'ERR_TOKEN_REVOKED'
  | 'ERR_RATE_LIMITED'
  | 'ERR_STORE_UNAVAILABLE'
  | 'ERR_SERVER_BUSY'
  | 'ERR_UPSTREAM_UNAVAILABLE'
  | 'ERR_DIALECT_INVALID'
  | 'ERR_ROUTE_CONFLICT'
  | 'ERR_CONFIG_INVALID'
  | 'ERR_KEY_INVALID'
  | 'ERR_INTERNAL'

/** Per-field reasons for a 400: `{ field: ['why', ...] }`. */
export type FieldReasons = Record<string, string[]>

export interface PolytokenErrorOptions {
  cause?: unknown
  /** Extra response headers the error implies (Retry-After, Allow, ...). */
  headers?: Record<string, string | string[]>
  /** Per-field validation reasons, for ERR_REQUEST_INVALID. */
  reasons?: FieldReasons
  /** WWW-Authenticate challenges of every auth method the route accepts. */
  challenges?: string[]
  /** Where the problem is: body, header, url, querystring (Cornice's `location`). */
  location?: 'body' | 'header' | 'url' | 'querystring'
  /** The offending field or header name, when there is one. */
  field?: string
}

export abstract class PolytokenError extends Error {
  abstract readonly code: ErrorCode
  abstract readonly status: number
  readonly headers: Record<string, string | string[]>
  readonly reasons: FieldReasons | undefined
  /** Filled in by authenticate(): every accepted scheme's challenge, in route order. */
  challenges: string[]
  readonly location: PolytokenErrorOptions['location']
  readonly field: string | undefined

  constructor(message: string, options: PolytokenErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.headers = options.headers ?? {}
    this.reasons = options.reasons
    this.challenges = options.challenges ?? []
    this.location = options.location
    this.field = options.field
  }
}

/** The body could not be parsed (broken JSON, multipart, encoding). */
export class RequestMalformed extends PolytokenError {
  readonly code = 'ERR_REQUEST_MALFORMED'
  readonly status = 400
}
/** The input parsed but does not satisfy the route's schema. */
export class RequestInvalid extends PolytokenError {
  readonly code = 'ERR_REQUEST_INVALID'
  readonly status = 400
}
export class RequestTooLarge extends PolytokenError {
  readonly code = 'ERR_REQUEST_TOO_LARGE'
  readonly status = 413
}
export class UnsupportedMediaType extends PolytokenError {
  readonly code = 'ERR_REQUEST_UNSUPPORTED_MEDIA_TYPE'
  readonly status = 415
}
export class NotAcceptable extends PolytokenError {
  readonly code = 'ERR_REQUEST_NOT_ACCEPTABLE'
  readonly status = 406
}
export class RouteNotFound extends PolytokenError {
  readonly code = 'ERR_ROUTE_NOT_FOUND'
  readonly status = 404
}
export class MethodNotAllowed extends PolytokenError {
  readonly code = 'ERR_ROUTE_METHOD_NOT_ALLOWED'
  readonly status = 405
}
/** No credential of any accepted scheme was presented. */
export class AuthRequired extends PolytokenError {
  readonly code = 'ERR_AUTH_REQUIRED'
  readonly status = 401
}
/** A credential was presented and is wrong. */
export class AuthInvalid extends PolytokenError {
  readonly code = 'ERR_AUTH_INVALID'
  readonly status = 401
}
/** Authenticated, but not allowed to do this. */
export class AuthForbidden extends PolytokenError {
  readonly code = 'ERR_AUTH_FORBIDDEN'
  readonly status = 403
}
export class TokenInvalid extends PolytokenError {
  readonly code = 'ERR_TOKEN_INVALID'
  readonly status = 401
}
export class TokenExpired extends PolytokenError {
  readonly code = 'ERR_TOKEN_EXPIRED'
  readonly status = 401
}
export class TokenNotYetValid extends PolytokenError {
  readonly code = 'ERR_TOKEN_NOT_YET_VALID'
  readonly status = 401
}
export class TokenRevoked extends PolytokenError {
  readonly code = 'ERR_TOKEN_REVOKED'
  readonly status = 401
}
export class RateLimited extends PolytokenError {
  readonly code = 'ERR_RATE_LIMITED'
  readonly status = 429
}
export class StoreUnavailable extends PolytokenError {
  readonly code = 'ERR_STORE_UNAVAILABLE'
  readonly status = 503
}
/** Too much expensive work waiting (password hashing): shed before it starts, with Retry-After. */
export class ServerBusy extends PolytokenError {
  readonly code = 'ERR_SERVER_BUSY'
  readonly status = 503
}
/** A remote dependency (verifier, issuer document) is down or too slow. */
export class UpstreamUnavailable extends PolytokenError {
  readonly code = 'ERR_UPSTREAM_UNAVAILABLE'
  readonly status = 503
}
/** Start-up: a dialect definition breaks the contract. */
export class DialectInvalid extends PolytokenError {
  readonly code = 'ERR_DIALECT_INVALID'
  readonly status = 500
}
/** Start-up: two routes claim the same method and path. */
export class RouteConflict extends PolytokenError {
  readonly code = 'ERR_ROUTE_CONFLICT'
  readonly status = 500
}
/** Start-up: a configuration key is missing or wrong; the message names it. */
export class ConfigInvalid extends PolytokenError {
  readonly code = 'ERR_CONFIG_INVALID'
  readonly status = 500
}
export class KeyInvalid extends PolytokenError {
  readonly code = 'ERR_KEY_INVALID'
  readonly status = 500
}
/** A bug: anything thrown that is not a PolytokenError is wrapped in this. */
export class InternalError extends PolytokenError {
  readonly code = 'ERR_INTERNAL'
  readonly status = 500
}

export function isPolytokenError(value: unknown): value is PolytokenError {
  return value instanceof PolytokenError
}

/** Anything thrown → a PolytokenError, never leaking the original message. */
export function toPolytokenError(value: unknown): PolytokenError {
  if (isPolytokenError(value)) return value
  return new InternalError('internal error', { cause: value })
}

/** One row per code, for the README table and for tests that keep it honest. */
export const errorCatalogue: ReadonlyArray<{ code: ErrorCode; status: number; meaning: string; action: string }> = [
  { code: 'ERR_REQUEST_MALFORMED', status: 400, meaning: 'The body could not be parsed (broken JSON, multipart or form encoding).', action: 'Send a well-formed body of a content type the route declares.' },
  { code: 'ERR_REQUEST_INVALID', status: 400, meaning: 'The input parsed but breaks the route schema; `reasons` names each field.', action: 'Fix the fields named in the reasons.' },
  { code: 'ERR_REQUEST_TOO_LARGE', status: 413, meaning: 'The body, a field or the number of fields/parts is over the limit.', action: 'Send less, or raise `limits` in the options.' },
  { code: 'ERR_REQUEST_UNSUPPORTED_MEDIA_TYPE', status: 415, meaning: 'The Content-Type is not one the route declares, or a file was uploaded where none is expected.', action: 'Use a declared content type.' },
  { code: 'ERR_REQUEST_NOT_ACCEPTABLE', status: 406, meaning: 'The Accept header rules out every type the route can answer with.', action: 'Accept application/json (or the type the route documents).' },
  { code: 'ERR_ROUTE_NOT_FOUND', status: 404, meaning: 'No such route, or an unknown resource named in the path.', action: 'Check the path against /openapi.json.' },
  { code: 'ERR_ROUTE_METHOD_NOT_ALLOWED', status: 405, meaning: 'The path exists but not with this method; `Allow` lists the methods.', action: 'Use a method from the Allow header.' },
  { code: 'ERR_AUTH_REQUIRED', status: 401, meaning: 'No credential of any accepted scheme was sent; WWW-Authenticate lists them.', action: 'Authenticate with one of the challenged schemes.' },
  { code: 'ERR_AUTH_INVALID', status: 401, meaning: 'A credential was sent and is wrong (bad password, unknown client, bad secret).', action: 'Check the credential; the answer never says which part was wrong.' },
  { code: 'ERR_AUTH_FORBIDDEN', status: 403, meaning: 'Authenticated, but not allowed to do this.', action: 'Use an identity that the policy allows.' },
  { code: 'ERR_TOKEN_INVALID', status: 401, meaning: 'The token is malformed, badly signed, for another audience or issuer.', action: 'Obtain a new token.' },
  { code: 'ERR_TOKEN_EXPIRED', status: 401, meaning: 'The token is past its exp.', action: 'Obtain a new token.' },
  { code: 'ERR_TOKEN_NOT_YET_VALID', status: 401, meaning: 'The token is before its nbf.', action: 'Wait, or obtain a token valid now.' },
  { code: 'ERR_TOKEN_REVOKED', status: 401, meaning: 'The token was revoked.', action: 'Obtain a new token.' },
  { code: 'ERR_RATE_LIMITED', status: 429, meaning: 'Too many attempts; Retry-After says when to try again.', action: 'Wait for Retry-After seconds.' },
  { code: 'ERR_STORE_UNAVAILABLE', status: 503, meaning: 'The store did not answer in time or is unreachable.', action: 'Retry later; check the store (GET /healthz).' },
  { code: 'ERR_SERVER_BUSY', status: 503, meaning: 'Too many password checks are waiting; this one was refused before it started. Retry-After says when to try again.', action: 'Wait for Retry-After seconds; raise `passwordHashing` limits if honest traffic hits it.' },
  { code: 'ERR_UPSTREAM_UNAVAILABLE', status: 503, meaning: 'A remote dependency (verifier, issuer document) is down or slow.', action: 'Retry later.' },
  { code: 'ERR_DIALECT_INVALID', status: 500, meaning: 'Start-up only: a dialect breaks the contract (name, path, schema, auth).', action: 'Fix the dialect; the message names the route and the rule.' },
  { code: 'ERR_ROUTE_CONFLICT', status: 500, meaning: 'Start-up only: two routes claim the same method and path.', action: 'Mount one dialect under its own prefix.' },
  { code: 'ERR_CONFIG_INVALID', status: 500, meaning: 'Start-up only: a configuration key is missing or wrong; the message names it.', action: 'Fix the named key.' },
  { code: 'ERR_KEY_INVALID', status: 500, meaning: 'Start-up only: a signing or verification key cannot be loaded.', action: 'Check the key file, its algorithm and its kid.' },
  { code: 'ERR_INTERNAL', status: 500, meaning: 'A bug. The response says nothing more; the log has the cause.', action: 'Report it.' },
]
