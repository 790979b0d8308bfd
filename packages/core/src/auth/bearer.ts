import { header } from '../request.js'
import type { PolytokenError } from '../errors.js'
import { defineAuthMethod, quote, type AuthContext, type AuthMethod } from './auth-method.js'

export interface BearerOptions<P> {
  realm: string
  /** Verify the token; use services.cache so a token is checked once, not on every request. */
  verify(token: string, context: AuthContext): Promise<P>
  /** Extra challenge parameters (scope, service...). */
  params?: Record<string, string>
  /**
   * What the token is, for /openapi.json's `bearerFormat`: a hint to clients, never checked. Default 'JWT'; give
   * another ('opaque', 'ghp_ token') for tokens that are not JWTs, or null to leave it out.
   */
  bearerFormat?: string | null
}

// RFC 6750 b64token.
const BEARER = /^bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i

export function bearer<P>(options: BearerOptions<P>): AuthMethod<P, string> {
  if (!options.realm) throw new TypeError('bearer(): realm is required')
  return defineAuthMethod<P, string>({
    kind: 'bearer',
    schemes: ['bearer'],
    doc: options.bearerFormat === null ? { type: 'http', scheme: 'bearer' } : { type: 'http', scheme: 'bearer', bearerFormat: options.bearerFormat ?? 'JWT' },
    challenge: (error?: PolytokenError) => bearerChallenge(options.realm, options.params, error),
    extract(request) {
      const value = header(request, 'authorization')
      if (!value || !/^bearer\b/i.test(value)) return undefined
      return BEARER.exec(value)?.[1] ?? ''
    },
    verify: (token, context) => options.verify(token, context),
  })
}

/** `Bearer realm="..."`, plus `error="invalid_token"` when a token was sent and refused (RFC 6750 §3). */
export function bearerChallenge(realm: string, params: Record<string, string> = {}, error?: PolytokenError): string {
  const parts = [`realm=${quote(realm)}`]
  for (const [name, value] of Object.entries(params)) parts.push(`${name}=${quote(value)}`)
  if (error && error.code !== 'ERR_AUTH_REQUIRED') {
    parts.push(`error="invalid_token"`, `error_description=${quote(error.message)}`)
  }
  return `Bearer ${parts.join(', ')}`
}
