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
  /** The user's login epoch when the token was issued (claim `uep`); '' for tokens of users without one. */
  epoch: string
  iat: number
  nbf: number
  exp: number
}

export interface AccessGrant {
  userId: number
  clientNumber: number
  scope: string[]
  family: string
  /** The user's login epoch (users.ts). */
  epoch: string | undefined
}

/** The verification cache's revocation key for every cached token of one user: ending their logins drops them all here at once. */
export const userRevokeKey = (userId: number) => `zazz-user:${userId}`

/** Whether a token issued at `epoch` still belongs to the user as they are now (users.ts: epoch). */
export const epochMatches = (tokenEpoch: string | undefined, user: { epoch?: string | undefined }) => (tokenEpoch ?? '') === (user.epoch ?? '')

/** The document's claims (usr, client, aud, iss, tokenType, nbf, exp) plus iat, jti, scope, the family id `fam` and the user's login epoch `uep`. */
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
      ...(grant.epoch !== undefined ? { uep: grant.epoch } : {}),
      scope: grant.scope.join(' '),
    })
    return { token, expiresIn: options.accessTokenTtlSec, jti, exp }
  }

  /** Signature, claims and both revocation marks (the token's jti, its family): no cache. */
  async function check(token: string): Promise<AccessPrincipal> {
    const claims = await verify(token)
    const { usr, client, jti, fam, scope, tokenType, uep } = claims
    if (
      tokenType !== 'accessToken' ||
      typeof usr !== 'number' ||
      typeof client !== 'number' ||
      typeof jti !== 'string' ||
      typeof fam !== 'string' ||
      typeof scope !== 'string' ||
      (uep !== undefined && typeof uep !== 'string')
    ) {
      throw new TokenInvalid('token is not a zazz access token')
    }
    if (await refresh.isAccessRevoked(jti, fam)) throw new TokenRevoked('token has been revoked')
    return {
      userId: usr,
      clientNumber: client,
      scope: scope.split(' ').filter(Boolean),
      jti,
      family: fam,
      epoch: typeof uep === 'string' ? uep : '',
      iat: claims.iat ?? 0,
      nbf: claims.nbf ?? 0,
      exp: claims.exp!,
    }
  }

  /**
   * The Bearer check, through the verification cache: `load` runs with the
   * check on a miss and its result is cached with the principal (for at most
   * the cache's maxTtlMs), so a hit costs no store read at all. Entries are
   * keyed for revocation by the family id: revoking one token or a whole
   * login drops every cached entry of that login here (cache.revoke(family)),
   * and ending a user's logins drops every entry of that user (userRevokeKey).
   */
  function verifyCached<T>(token: string, services: DialectServices, scope: string, load: (principal: AccessPrincipal) => Promise<T>): Promise<{ principal: AccessPrincipal; loaded: T }> {
    return services.cache.verify(`zazz:${scope}`, token, async (credential) => {
      const principal = await check(credential)
      return { value: { principal, loaded: await load(principal) }, expiresAt: principal.exp * 1000, jti: principal.family, revokeKeys: [userRevokeKey(principal.userId)] }
    })
  }

  return { issue, check, verifyCached }
}

export type AccessTokens = ReturnType<typeof createAccessTokens>
