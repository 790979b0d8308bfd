import { createPublicKey, type KeyObject, type JsonWebKey } from 'node:crypto'
import { ConfigInvalid, TokenInvalid, bearer, createJwtVerifier, header, type AuthMethod, type Clock, type VerificationKey } from '@polytoken/core'
import { sagradaUnauthorized } from './envelope.js'
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
 * against the configured JWKS (RS256 / ES256, kid lookup) by core's JWT
 * verifier: exp, nbf, the issuer and audience when configured, and that its
 * scope includes the configured one; the result is
 * cached per token. The user becomes `<sub>@<emailDomain>`.
 */
export function oauthBearer(options: SagradaOAuthOptions, clock: Clock): AuthMethod<OAuthPrincipal, string> {
  const keys: VerificationKey[] = options.jwks.keys.map((jwk, index) => {
    let key: KeyObject
    try {
      key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' })
    } catch {
      throw new ConfigInvalid(`sagrada.oauth.jwks.keys[${index}]: not a public JWK`)
    }
    const algorithm = key.asymmetricKeyType === 'rsa' ? 'RS256' : key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? 'ES256' : undefined
    if (!algorithm) throw new ConfigInvalid(`sagrada.oauth.jwks.keys[${index}]: RSA or EC P-256 keys only`)
    return { kid: typeof jwk.kid === 'string' ? jwk.kid : undefined, algorithm, verifyKey: key }
  })
  // The shared verifier: signature by kid and alg, exp, nbf, iss, aud, and RFC 8725's refusals (crit, b64, alg none).
  const verify = createJwtVerifier(
    { keys },
    {
      ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
      ...(options.audience === undefined ? {} : { audience: options.audience }),
      now: clock,
    },
  )
  const scope = options.scope ?? DEFAULT_SCOPE
  const emailDomain = options.emailDomain ?? 'api.accounts.firefox.com'

  async function verifyJwt(token: string): Promise<OAuthClaims> {
    const claims = await verify(token)
    const scopes = Array.isArray(claims.scope) ? claims.scope : typeof claims.scope === 'string' ? claims.scope.split(' ') : []
    if (!scopes.includes(scope)) throw new TokenInvalid('token scope does not include sync')
    if (typeof claims.sub !== 'string' || !SUB.test(claims.sub)) throw new TokenInvalid('token has no valid sub')
    const generation = claims['fxa-generation'] ?? 0
    if (!Number.isSafeInteger(generation) || (generation as number) < 0) throw sagradaUnauthorized('invalid-generation', 'Unacceptable generation number')
    return { sub: claims.sub, generation: generation as number, exp: claims.exp! }
  }

  return bearer<OAuthPrincipal>({
    realm: 'sagrada',
    async verify(token, { request, services }) {
      const claims = await services.cache.verify('sagrada:oauth', token, async (credential) => {
        const value = await verifyJwt(credential)
        return { value, expiresAt: value.exp * 1000 }
      })
      const keyId = KEY_ID.exec(header(request, 'x-keyid') ?? '')
      if (!keyId) throw sagradaUnauthorized('invalid-credentials', 'X-KeyID is missing or malformed')
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
