import { randomUUID } from 'node:crypto'
import { TokenInvalid, TokenRevoked, epochSeconds, type DialectServices, type JwtClaims, type JwtSigner } from '@polytoken/core'
import type { ResolvedZazzOptions } from './options.js'
import type { RefreshTokens } from './refresh-tokens.js'

/** What a verified access token says. */
export interface AccessPrincipal {
  userId: number
  clientNumber: number
  scope: string[]
  jti: string
  family: string
  iat: number
  nbf: number
  exp: number
}

export interface AccessGrant {
  userId: number
  clientNumber: number
  scope: string[]
  family: string
}

/** The document's claims (usr, client, aud, iss, tokenType, nbf, exp) plus iat, jti, scope and the family id `fam`. */
export function createAccessTokens(options: ResolvedZazzOptions, signer: JwtSigner, verify: (token: string) => Promise<JwtClaims>, refresh: RefreshTokens) {
  /** signAsync: an ES256/RS256 signature runs on the thread pool; HS256 stays inline. */
  async function issue(grant: AccessGrant, nowMs: number): Promise<{ token: string; expiresIn: number; jti: string; exp: number }> {
    const now = epochSeconds(nowMs)
    const jti = randomUUID()
    const exp = now + options.accessTokenTtlSec
    const token = await signer.signAsync({
      exp,
      aud: options.audience,
      usr: grant.userId,
      client: grant.clientNumber,
      iss: options.issuer,
      tokenType: 'accessToken',
      nbf: now,
      iat: now,
      jti,
      fam: grant.family,
      scope: grant.scope.join(' '),
    })
    return { token, expiresIn: options.accessTokenTtlSec, jti, exp }
  }

  /** Signature, claims and both revocation marks (the token's jti, its family): no cache. */
  async function check(token: string): Promise<AccessPrincipal> {
    const claims = await verify(token)
    const { usr, client, jti, fam, scope, tokenType } = claims
    if (tokenType !== 'accessToken' || typeof usr !== 'number' || typeof client !== 'number' || typeof jti !== 'string' || typeof fam !== 'string' || typeof scope !== 'string') {
      throw new TokenInvalid('token is not a zazz access token')
    }
    if (await refresh.isAccessRevoked(jti, fam)) throw new TokenRevoked('token has been revoked')
    return { userId: usr, clientNumber: client, scope: scope.split(' ').filter(Boolean), jti, family: fam, iat: claims.iat ?? 0, nbf: claims.nbf ?? 0, exp: claims.exp! }
  }

  /**
   * The Bearer check, through the verification cache: `load` runs with the
   * check on a miss and its result is cached with the principal (for at most
   * the cache's maxTtlMs), so a hit costs no store read at all. Entries are
   * keyed for revocation by the family id: revoking one token or a whole
   * login drops every cached entry of that login here (cache.revoke(family)).
   */
  function verifyCached<T>(token: string, services: DialectServices, scope: string, load: (principal: AccessPrincipal) => Promise<T>): Promise<{ principal: AccessPrincipal; loaded: T }> {
    return services.cache.verify(`zazz:${scope}`, token, async (credential) => {
      const principal = await check(credential)
      return { value: { principal, loaded: await load(principal) }, expiresAt: principal.exp * 1000, jti: principal.family }
    })
  }

  return { issue, check, verifyCached }
}

export type AccessTokens = ReturnType<typeof createAccessTokens>
