import { randomUUID } from 'node:crypto'
import { TokenInvalid, bearer, type AuthContext, type JwtClaims } from '@polytoken/core'
import { railsToken } from './rails-token.js'

/** The verified session token: its claims, frozen (the cache hands the same object to every request). */
export interface SessionPrincipal {
  claims: Readonly<JwtClaims>
}

export interface SessionAuthOptions {
  realm: string
  /** jose verification against the session key ring, built by the dialect's setup(). */
  verify(token: string): Promise<JwtClaims>
}

/**
 * `Token token="<jwt>"` (quoted or not), as the document sends it, and
 * `Bearer <jwt>`. Both check the session JWT through the verification cache:
 * one HMAC per token until its exp (or the cache's bound), not one per request.
 */
export function sessionAuth(options: SessionAuthOptions) {
  // Per instance (one per router), so two routers sharing a cache but not a session secret never answer for each other.
  const scope = `token-generator:session:${randomUUID()}`
  const verify = (token: string, { services }: AuthContext): Promise<SessionPrincipal> =>
    services.cache.verify(scope, token, async (credential) => {
      const claims = await options.verify(credential)
      // Presence is requiredClaims' business; a user_id that is there must be a usable id.
      const userId = claims.user_id
      const sane = (typeof userId === 'string' && userId.length > 0 && userId.length <= 256) || Number.isSafeInteger(userId)
      if (userId !== undefined && !sane) throw new TokenInvalid('token claim "user_id" is invalid')
      return { value: { claims: Object.freeze({ ...claims }) }, expiresAt: claims.exp! * 1000 }
    })
  const methods = [railsToken({ realm: options.realm, verify }), bearer({ realm: options.realm, verify })] as const
  return {
    methods,
    /** The caller's token as sent, for the X-token echo; the cache keeps only its hash. */
    tokenOf: (request: Parameters<(typeof methods)[0]['extract']>[0]) => methods[0].extract(request) ?? methods[1].extract(request),
  }
}
