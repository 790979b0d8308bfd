/**
 * The one error catalogue. Every failure a client can see is one of these classes. Each class declares, once and
 * statically (as jose's errors do), its stable code (ERR_<AREA>_<CONDITION>), its HTTP status and its catalogue text;
 * instances read code and status from their class, and errorCatalogue (the README's table) is built from the classes,
 * so neither can drift. Dialects render them in their own envelope (renderError) and may pick a different status
 * where their API demands one.
 */

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
  /** The code the dialect's envelope shows for this error; see PolytokenError.dialectCode. */
  dialectCode?: string
}

export abstract class PolytokenError extends Error {
  /** The stable code, ERR_<AREA>_<CONDITION>: each class declares its own. */
  declare static readonly code: ErrorCode
  /** The HTTP status a dialect answers with unless its API demands another. */
  declare static readonly status: number
  /** The catalogue's "meaning" column: when a client sees this error. */
  declare static readonly meaning: string
  /** The catalogue's "what to do" column. */
  declare static readonly action: string

  /** The class's static code. */
  readonly code: ErrorCode
  /** The class's static status. */
  readonly status: number
  readonly headers: Record<string, string | string[]>
  readonly reasons: FieldReasons | undefined
  /** Filled in by authenticate(): every accepted scheme's challenge, in route order. */
  challenges: string[]
  readonly location: PolytokenErrorOptions['location']
  readonly field: string | undefined
  /**
   * The one way a dialect gives an error a code of its own protocol (zazz's RFC 6749 `error`, sagrada's status
   * string): set it when the error is made (the `dialectCode` option) or later, on an error a service threw (zazz's
   * oauth()), and read it in renderError. `code` stays the core's, for logs and metrics; the wire shows what
   * renderError makes of both.
   */
  dialectCode: string | undefined

  constructor(message: string, options: PolytokenErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    const type = new.target as unknown as ErrorClass
    this.name = type.name
    this.code = type.code
    this.status = type.status
    this.headers = options.headers ?? {}
    this.reasons = options.reasons
    this.challenges = options.challenges ?? []
    this.location = options.location
    this.field = options.field
    this.dialectCode = options.dialectCode
  }
}

/** A concrete error class, statics included: what the catalogue is built from. */
export type ErrorClass = (new (message: string, options?: PolytokenErrorOptions) => PolytokenError) & Pick<typeof PolytokenError, 'code' | 'status' | 'meaning' | 'action'>

export class RequestMalformed extends PolytokenError {
  static override readonly code = 'ERR_REQUEST_MALFORMED'
  static override readonly status = 400
  static override readonly meaning = 'The body could not be parsed (broken JSON, multipart or form encoding).'
  static override readonly action = 'Send a well-formed body of a content type the route declares.'
}
export class RequestInvalid extends PolytokenError {
  static override readonly code = 'ERR_REQUEST_INVALID'
  static override readonly status = 400
  static override readonly meaning = 'The input parsed but breaks the route schema; `reasons` names each field.'
  static override readonly action = 'Fix the fields named in the reasons.'
}
export class RequestTooLarge extends PolytokenError {
  static override readonly code = 'ERR_REQUEST_TOO_LARGE'
  static override readonly status = 413
  static override readonly meaning = 'The body, a field or the number of fields/parts is over the limit.'
  static override readonly action = 'Send less, or raise `limits` in the options.'
}
export class UnsupportedMediaType extends PolytokenError {
  static override readonly code = 'ERR_REQUEST_UNSUPPORTED_MEDIA_TYPE'
  static override readonly status = 415
  static override readonly meaning = 'The Content-Type is not one the route declares, or a file was uploaded where none is expected.'
  static override readonly action = 'Use a declared content type.'
}
export class NotAcceptable extends PolytokenError {
  static override readonly code = 'ERR_REQUEST_NOT_ACCEPTABLE'
  static override readonly status = 406
  static override readonly meaning = 'The Accept header rules out every type the route can answer with.'
  static override readonly action = 'Accept application/json (or the type the route documents).'
}
export class RouteNotFound extends PolytokenError {
  static override readonly code = 'ERR_ROUTE_NOT_FOUND'
  static override readonly status = 404
  static override readonly meaning = 'No such route, or an unknown resource named in the path.'
  static override readonly action = 'Check the path against /openapi.json.'
}
export class MethodNotAllowed extends PolytokenError {
  static override readonly code = 'ERR_ROUTE_METHOD_NOT_ALLOWED'
  static override readonly status = 405
  static override readonly meaning = 'The path exists but not with this method; `Allow` lists the methods.'
  static override readonly action = 'Use a method from the Allow header.'
}
export class AuthRequired extends PolytokenError {
  static override readonly code = 'ERR_AUTH_REQUIRED'
  static override readonly status = 401
  static override readonly meaning = 'No credential of any accepted scheme was sent; WWW-Authenticate lists them.'
  static override readonly action = 'Authenticate with one of the challenged schemes.'
}
export class AuthInvalid extends PolytokenError {
  static override readonly code = 'ERR_AUTH_INVALID'
  static override readonly status = 401
  static override readonly meaning = 'A credential was sent and is wrong (bad password, unknown client, bad secret).'
  static override readonly action = 'Check the credential; the answer never says which part was wrong.'
}
export class AuthForbidden extends PolytokenError {
  static override readonly code = 'ERR_AUTH_FORBIDDEN'
  static override readonly status = 403
  static override readonly meaning = 'Authenticated, but not allowed to do this.'
  static override readonly action = 'Use an identity that the policy allows.'
}
export class TokenInvalid extends PolytokenError {
  static override readonly code = 'ERR_TOKEN_INVALID'
  static override readonly status = 401
  static override readonly meaning = 'The token is malformed, badly signed, for another audience or issuer.'
  static override readonly action = 'Obtain a new token.'
}
export class TokenExpired extends PolytokenError {
  static override readonly code = 'ERR_TOKEN_EXPIRED'
  static override readonly status = 401
  static override readonly meaning = 'The token is past its exp.'
  static override readonly action = 'Obtain a new token.'
}
export class TokenNotYetValid extends PolytokenError {
  static override readonly code = 'ERR_TOKEN_NOT_YET_VALID'
  static override readonly status = 401
  static override readonly meaning = 'The token is before its nbf.'
  static override readonly action = 'Wait, or obtain a token valid now.'
}
export class TokenRevoked extends PolytokenError {
  static override readonly code = 'ERR_TOKEN_REVOKED'
  static override readonly status = 401
  static override readonly meaning = 'The token was revoked.'
  static override readonly action = 'Obtain a new token.'
}
export class RateLimited extends PolytokenError {
  static override readonly code = 'ERR_RATE_LIMITED'
  static override readonly status = 429
  static override readonly meaning = 'Too many attempts; Retry-After says when to try again.'
  static override readonly action = 'Wait for Retry-After seconds.'
}
export class StoreUnavailable extends PolytokenError {
  static override readonly code = 'ERR_STORE_UNAVAILABLE'
  static override readonly status = 503
  static override readonly meaning = 'The store did not answer in time or is unreachable.'
  static override readonly action = 'Retry later; check the store (GET /healthz).'
}
export class ServerBusy extends PolytokenError {
  static override readonly code = 'ERR_SERVER_BUSY'
  static override readonly status = 503
  static override readonly meaning = 'Too many password checks are waiting; this one was refused before it started. Retry-After says when to try again.'
  static override readonly action = 'Wait for Retry-After seconds; raise `passwordHashing` limits if honest traffic hits it.'
}
export class UpstreamUnavailable extends PolytokenError {
  static override readonly code = 'ERR_UPSTREAM_UNAVAILABLE'
  static override readonly status = 503
  static override readonly meaning = 'A remote dependency (verifier, issuer document) is down or slow.'
  static override readonly action = 'Retry later.'
}
export class DialectInvalid extends PolytokenError {
  static override readonly code = 'ERR_DIALECT_INVALID'
  static override readonly status = 500
  static override readonly meaning = 'Start-up only: a dialect breaks the contract (name, path, schema, auth).'
  static override readonly action = 'Fix the dialect; the message names the route and the rule.'
}
export class RouteConflict extends PolytokenError {
  static override readonly code = 'ERR_ROUTE_CONFLICT'
  static override readonly status = 500
  static override readonly meaning = 'Start-up only: two routes claim the same method and path.'
  static override readonly action = 'Mount one dialect under its own prefix.'
}
export class ConfigInvalid extends PolytokenError {
  static override readonly code = 'ERR_CONFIG_INVALID'
  static override readonly status = 500
  static override readonly meaning = 'Start-up only: a configuration key is missing or wrong; the message names it.'
  static override readonly action = 'Fix the named key.'
}
export class KeyInvalid extends PolytokenError {
  static override readonly code = 'ERR_KEY_INVALID'
  static override readonly status = 500
  static override readonly meaning = 'Start-up only: a signing or verification key cannot be loaded.'
  static override readonly action = 'Check the key file, its algorithm and its kid.'
}
export class InternalError extends PolytokenError {
  static override readonly code = 'ERR_INTERNAL'
  static override readonly status = 500
  static override readonly meaning = 'A bug. The response says nothing more; the log has the cause.'
  static override readonly action = 'Report it.'
}

const requestErrors = [RequestMalformed, RequestInvalid, RequestTooLarge, UnsupportedMediaType, NotAcceptable, RouteNotFound, MethodNotAllowed] as const
const credentialErrors = [AuthRequired, AuthInvalid, AuthForbidden, TokenInvalid, TokenExpired, TokenNotYetValid, TokenRevoked, RateLimited] as const
const serviceErrors = [StoreUnavailable, ServerBusy, UpstreamUnavailable] as const
const startUpErrors = [DialectInvalid, RouteConflict, ConfigInvalid, KeyInvalid] as const
/** Every error class, in the catalogue's order. A class left out here fails errors.test.ts. */
export const errorClasses = [...requestErrors, ...credentialErrors, ...serviceErrors, ...startUpErrors, InternalError] as const

/** Every code of the catalogue: the union of the classes' static codes. */
export type ErrorCode = (typeof errorClasses)[number]['code']

export function isPolytokenError(value: unknown): value is PolytokenError {
  return value instanceof PolytokenError
}

/** Anything thrown → a PolytokenError, never leaking the original message. */
export function toPolytokenError(value: unknown): PolytokenError {
  if (isPolytokenError(value)) return value
  return new InternalError('internal error', { cause: value })
}

/** One row per code, for the README table and for tests that keep it honest: read off the classes. */
export const errorCatalogue: ReadonlyArray<{ code: ErrorCode; status: number; meaning: string; action: string }> = errorClasses.map(({ code, status, meaning, action }) => ({
  code,
  status,
  meaning,
  action,
}))
