import { randomUUID } from 'node:crypto'
import { RequestInvalid, epochSeconds, type DialectServices, type JwtSigner } from '@polytoken/core'
import type { AddressGuard } from '@polytoken/login-throttle'
import type { ResolvedCrewOptions } from './options.js'
import type { Access } from './policy.js'
import { ScopeSyntaxError, parseScopes, type Scope } from './scope.js'
import type { Directory } from './users.js'
import type { RefreshTokens } from './refresh-tokens.js'
import type { CrewCertificate } from './certificate.js'

/** What setup() builds from one router's services; the routes receive it as an argument. */
export interface CrewParts {
  signer: JwtSigner
  directory: Directory
  refresh: RefreshTokens
  certificate: CrewCertificate
  /** Revocations of tokens that were not live, counted per address. */
  revokeGuard: AddressGuard
}

/** The registry token's claims (Docker token spec). */
export interface CrewClaims {
  iss: string
  /** The account; empty for an anonymous caller. */
  sub: string
  /** A single string: Distribution rejects an array. */
  aud: string
  exp: number
  nbf: number
  iat: number
  jti: string
  access: Access[]
}

export interface TokenBody {
  token: string
  access_token: string
  expires_in: number
  issued_at: string
  refresh_token?: string
}

export function checkService(options: ResolvedCrewOptions, service: string): void {
  if (!options.services.includes(service)) {
    throw new RequestInvalid('service is not one this token server issues tokens for', { location: 'querystring', field: 'service', reasons: { service: ['is not a known service'] } })
  }
}

/** Every scope of the request, or 400 naming the entry that does not parse. */
export function readScopes(options: ResolvedCrewOptions, values: string | string[] | undefined, location: 'body' | 'querystring'): Scope[] {
  try {
    return parseScopes(values, options.maxScopes)
  } catch (error) {
    if (!(error instanceof ScopeSyntaxError)) throw error
    throw new RequestInvalid(`invalid scope "${error.scope}": ${error.message}`, { location, field: 'scope', reasons: { scope: [error.message] } })
  }
}

/** Policy → claims → signed token → the body Docker clients read (token and access_token are the same). */
export async function issueToken(
  options: ResolvedCrewOptions,
  parts: CrewParts,
  services: DialectServices,
  account: string | undefined,
  service: string,
  scopes: readonly Scope[],
): Promise<{ body: TokenBody; claims: CrewClaims }> {
  const now = services.clock()
  const iat = epochSeconds(now)
  const claims: CrewClaims = {
    iss: options.issuer,
    sub: account ?? '',
    aud: service,
    exp: iat + options.tokenLifetimeSec,
    nbf: iat,
    iat,
    jti: randomUUID(),
    access: options.policy.evaluate({ account, service, scopes }),
  }
  // ES256/RS256 on the thread pool: the event loop keeps serving while the signature is computed.
  const token = await parts.signer.signAsync(claims as unknown as Record<string, unknown>)
  services.events.issued({ jti: claims.jti, subject: account, clientId: service, tokenType: 'access' })
  return {
    claims,
    body: { token, access_token: token, expires_in: options.tokenLifetimeSec, issued_at: new Date(iat * 1000).toISOString() },
  }
}

export const tokenResponseSchema = {
  type: 'object',
  required: ['token', 'access_token', 'expires_in', 'issued_at'],
  properties: {
    token: { type: 'string', description: 'The registry token (JWT)' },
    access_token: { type: 'string', description: 'The same token, for OAuth2 clients' },
    expires_in: { type: 'integer', minimum: 60 },
    issued_at: { type: 'string', format: 'date-time' },
    refresh_token: { type: 'string', description: 'With offline_token=true / access_type=offline and a password' },
  },
}

export const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' }
