import { createPublicKey, verify as cryptoVerify, type KeyObject, type JsonWebKey } from 'node:crypto'
import { ConfigInvalid, TokenExpired, TokenInvalid, bearer, header, type AuthMethod, type Clock } from '@polytoken/core'
import { SagradaUnauthorized } from './envelope.js'
import type { SagradaOAuthOptions } from './options.js'

export interface OAuthPrincipal {
  kind: 'oauth'
  email: string
  generation: number
  keysChangedAt: number
  clientState: string
}

interface OAuthClaims {
  sub: string
  generation: number
  exp: number
}

const DEFAULT_SCOPE = 'https://identity.mozilla.com/apps/oldsync'
// <keysChangedAt>-<base64url(client state bytes)>, as Firefox sends it.
const KEY_ID = /^(\d{1,15})-([A-Za-z0-9_-]{1,86})$/
const SUB = /^[A-Za-z0-9_-]{1,128}$/

/**
 * Today's Firefox: `Authorization: Bearer <FxA OAuth JWT>` plus
 * `X-KeyID: <keysChangedAt>-<base64url client state>`. The JWT is checked
 * against the configured JWKS (RS256 / ES256, kid lookup), its exp, its
 * issuer, and that its scope includes the configured one; the result is
 * cached per token. The user becomes `<sub>@<emailDomain>`.
 */
export function oauthBearer(options: SagradaOAuthOptions, clock: Clock): AuthMethod<OAuthPrincipal, string> {
  const keys = new Map<string, { key: KeyObject; alg: 'RS256' | 'ES256' }>()
  const unnamed: { key: KeyObject; alg: 'RS256' | 'ES256' }[] = []
  for (const [index, jwk] of options.jwks.keys.entries()) {
    let key: KeyObject
    try {
      key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' })
    } catch {
      throw new ConfigInvalid(`sagrada.oauth.jwks.keys[${index}]: not a public JWK`)
    }
    const alg = key.asymmetricKeyType === 'rsa' ? 'RS256' : key.asymmetricKeyType === 'ec' ? 'ES256' : undefined
    if (!alg) throw new ConfigInvalid(`sagrada.oauth.jwks.keys[${index}]: RSA or EC P-256 keys only`)
    if (typeof jwk.kid === 'string') keys.set(jwk.kid, { key, alg })
    else unnamed.push({ key, alg })
  }
  const scope = options.scope ?? DEFAULT_SCOPE
  const emailDomain = options.emailDomain ?? 'api.accounts.firefox.com'

  function verifyJwt(token: string): OAuthClaims {
    const parts = token.split('.')
    if (parts.length !== 3 || token.length > 16_384) throw new TokenInvalid('token is not a JWT')
    let headerJson: Record<string, unknown>
    let claims: Record<string, unknown>
    try {
      headerJson = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'))
      claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'))
    } catch {
      throw new TokenInvalid('token is not a JWT')
    }
    if (typeof headerJson !== 'object' || headerJson === null || typeof claims !== 'object' || claims === null) throw new TokenInvalid('token is not a JWT')
    const candidates = typeof headerJson.kid === 'string' ? [keys.get(headerJson.kid)].filter((k) => k !== undefined) : [...keys.values(), ...unnamed]
    const input = Buffer.from(`${parts[0]}.${parts[1]}`, 'ascii')
    const signature = Buffer.from(parts[2]!, 'base64url')
    const ok = candidates.some(({ key, alg }) => {
      if (headerJson.alg !== alg) return false
      try {
        return alg === 'RS256' ? cryptoVerify('sha256', input, key, signature) : cryptoVerify('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, signature)
      } catch {
        return false
      }
    })
    if (!ok) throw new TokenInvalid('token signature is invalid')
    if (typeof claims.exp !== 'number') throw new TokenInvalid('token has no exp')
    if (claims.exp <= clock() / 1000) throw new TokenExpired('token has expired')
    if (options.issuer !== undefined && claims.iss !== options.issuer) throw new TokenInvalid('token issuer is not accepted')
    const scopes = Array.isArray(claims.scope) ? claims.scope : typeof claims.scope === 'string' ? claims.scope.split(' ') : []
    if (!scopes.includes(scope)) throw new TokenInvalid('token scope does not include sync')
    if (typeof claims.sub !== 'string' || !SUB.test(claims.sub)) throw new TokenInvalid('token has no valid sub')
    const generation = claims['fxa-generation'] ?? 0
    if (!Number.isSafeInteger(generation) || (generation as number) < 0) throw new SagradaUnauthorized('invalid-generation', 'Unacceptable generation number')
    return { sub: claims.sub, generation: generation as number, exp: claims.exp }
  }

  return bearer<OAuthPrincipal>({
    realm: 'sagrada',
    async verify(token, { request, services }) {
      const claims = await services.cache.verify('sagrada:oauth', token, async (credential) => {
        const value = verifyJwt(credential)
        return { value, expiresAt: value.exp * 1000 }
      })
      const keyId = KEY_ID.exec(header(request, 'x-keyid') ?? '')
      if (!keyId) throw new SagradaUnauthorized('invalid-credentials', 'X-KeyID is missing or malformed')
      return {
        kind: 'oauth',
        email: `${claims.sub}@${emailDomain}`,
        generation: claims.generation,
        keysChangedAt: Number(keyId[1]),
        clientState: Buffer.from(keyId[2]!, 'base64url').toString('hex'),
      }
    },
  })
}
