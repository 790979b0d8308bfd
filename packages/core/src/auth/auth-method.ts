import type { PolyRequest } from '../request.js'
import type { DialectServices } from '../dialect.js'
import type { PolytokenError } from '../errors.js'

export interface AuthContext {
  request: PolyRequest
  services: DialectServices
}

/** How /openapi.json describes a method (an OpenAPI security scheme object). */
export type SecuritySchemeDoc = Record<string, unknown>

/**
 * One way to authenticate: find a credential in the request, verify it, and say how to ask for it. `extract` returns
 * undefined when the request carries no credential of this kind; `verify` resolves to the principal or throws a
 * PolytokenError (AuthInvalid, TokenExpired, ...).
 */
export interface AuthMethod<P = unknown, C = unknown> {
  readonly kind: string
  /**
   * The Authorization schemes this method reads, lower-case (`basic`, `bearer`). Routes of different dialects may
   * share a method and path when their schemes are disjoint: the scheme a request uses picks the route.
   */
  readonly schemes?: readonly string[]
  /** WWW-Authenticate challenge, or undefined for methods that have none (form secret, anonymous). */
  challenge(error?: PolytokenError): string | undefined
  extract(request: PolyRequest): C | undefined
  verify(credential: C, context: AuthContext): Promise<P>
  readonly doc?: SecuritySchemeDoc | undefined
  readonly [AUTH_METHOD]: true
}

export const AUTH_METHOD: unique symbol = Symbol.for('polytoken.auth-method')

/** Create an auth method; the registry accepts only methods made here. */
export function defineAuthMethod<P, C>(method: Omit<AuthMethod<P, C>, typeof AUTH_METHOD>): AuthMethod<P, C> {
  return { ...method, [AUTH_METHOD]: true }
}

export function isAuthMethod(value: unknown): value is AuthMethod {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[AUTH_METHOD] === true
}

/** Quote a challenge parameter value (RFC 7235 quoted-string). */
export function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`
}
