/**
 * The two ways in: Basic with the user's password (what creating a token needs, as on GitHub), and Bearer with a
 * personal access token, checked through the verification cache so a token costs one store read per cache window,
 * not one per request. Deleting a token calls services.cache.revoke(id): the cached check goes at once.
 */
import { AuthForbidden, AuthInvalid, TokenInvalid, basic, bearer, type AuthMethod } from '@polytoken/core'
import { TOKEN_FORMAT, type PatStore } from './pat-store.js'
import type { UserDirectory } from './user-directory.js'

export interface PatPrincipal {
  login: string
  /** How the caller authenticated: a password may do anything; a token only what its scopes allow. */
  via: 'password' | 'token'
  scopes: readonly string[]
}

export function passwordAuth(realm: string, directory: UserDirectory): AuthMethod<PatPrincipal> {
  return basic({
    realm,
    async verify(credential, { request }) {
      if (!credential.pair) throw new AuthInvalid('Basic credentials are malformed', { location: 'header', field: 'authorization' })
      const login = await directory.authenticate(credential.pair.username, credential.pair.password, request.ip)
      return { login, via: 'password', scopes: [] }
    },
  })
}

export function tokenAuth(realm: string, pats: PatStore): AuthMethod<PatPrincipal> {
  return bearer({
    realm,
    bearerFormat: 'opaque personal access token (pat_...)',
    async verify(token, { services }) {
      // The format first: junk and typos cost no store read and fill no cache entry.
      if (!TOKEN_FORMAT.test(token)) throw new TokenInvalid('not a personal access token', { location: 'header', field: 'authorization' })
      return services.cache.verify('pat-dialect:token', token, async (candidate) => {
        const record = await pats.findByToken(candidate)
        if (!record || record.expiresAt <= services.clock()) throw new TokenInvalid('token is invalid, expired or revoked', { location: 'header', field: 'authorization' })
        // jti: the id, so deleting the token evicts this entry (cache.revoke(id)).
        return { value: { login: record.owner, via: 'token' as const, scopes: record.scopes }, expiresAt: record.expiresAt, jti: record.id }
      })
    },
  })
}

/** A token needs `scope` (403 naming it, as GitHub's X-Accepted-OAuth-Scopes does); a password needs nothing more. */
export function requireScope(principal: PatPrincipal, scope: string): void {
  if (principal.via === 'token' && !principal.scopes.includes(scope)) {
    throw new AuthForbidden(`this token lacks the ${scope} scope`, { headers: { 'X-Accepted-OAuth-Scopes': scope }, location: 'header', field: 'authorization' })
  }
}
