import { TokenInvalid, TokenRevoked, bearer, defineRoute, type AuthContext } from '@polytoken/core'
import type { ResolvedProdManagerOptions } from './options.js'
import type { ProdManagerParts } from './parts.js'

export interface WhoamiClaims {
  aud: string
  sub: string
  exp: number
  iat: number
  iss: string
  jti: string
  nbf: number
  version: number
  permissions: number[]
}

export function whoamiRoute(options: ResolvedProdManagerOptions, parts: Pick<ProdManagerParts, 'verify' | 'records'>) {
  const verifyToken = async (token: string, { services }: AuthContext): Promise<WhoamiClaims> =>
    services.cache.verify('prodmanager:bearer', token, async (credential) => {
      const claims = await parts.verify(credential)
      if (claims.version !== 1) throw new TokenInvalid('token version is not supported')
      if (typeof claims.jti !== 'string' || typeof claims.aud !== 'string' || typeof claims.sub !== 'string' || !Array.isArray(claims.permissions)) {
        throw new TokenInvalid('token is not a prodmanager token')
      }
      if (await parts.records.isRevoked(claims.jti)) throw new TokenRevoked('token has been revoked')
      const value: WhoamiClaims = {
        aud: claims.aud,
        sub: claims.sub,
        exp: claims.exp!,
        iat: claims.iat!,
        iss: claims.iss!,
        jti: claims.jti,
        nbf: claims.nbf!,
        version: claims.version,
        permissions: claims.permissions as number[],
      }
      return { value, expiresAt: value.exp * 1000, jti: value.jti }
    })

  return defineRoute<WhoamiClaims>({
    method: 'GET',
    path: '/token/whoami',
    summary: 'Metadata of the Bearer token (prodmanager.md)',
    auth: [bearer({ realm: options.realm, verify: verifyToken })],
    responses: {
      200: {
        description: 'Token metadata',
        schema: {
          type: 'object',
          properties: {
            aud: { type: 'string' },
            sub: { type: 'string' },
            exp: { type: 'integer' },
            iat: { type: 'integer' },
            iss: { type: 'string' },
            jti: { type: 'string' },
            nbf: { type: 'integer' },
            version: { type: 'integer' },
            permissions: { type: 'array', items: { type: 'integer' } },
          },
        },
      },
    },
    handle: ({ principal }) => ({ status: 200, body: principal }),
  })
}
