import { TokenInvalid, defineAuthMethod, header, quote, type AuthMethod } from '@polytoken/core'
import type { BrowserIdIdentity, BrowserIdVerifier } from './local-verifier.js'

export interface BrowserIdOptions {
  verifier: BrowserIdVerifier
  /** Separates this verifier's cached results from any other's. Default `browserid`. */
  cacheScope?: string
  /** Realm in the challenge; none by default (`WWW-Authenticate: BrowserID`). */
  realm?: string
}

export interface BrowserIdPrincipal extends BrowserIdIdentity {
  kind: 'browserid'
}

// `BrowserID <assertion>` or `Browser-ID <assertion>`, scheme case-insensitive.
const SCHEME = /^browser-?id(?:[ \t]|$)/i
const CREDENTIAL = /^browser-?id[ \t]+([A-Za-z0-9_\-.~]+)[ \t]*$/i

/**
 * `Authorization: BrowserID <cert~assertion>`. Verified through the
 * verification cache (keyed by a hash of the assertion, never past its exp),
 * so a client repeating one assertion costs one signature check.
 */
export function browserId(options: BrowserIdOptions): AuthMethod<BrowserIdPrincipal, string> {
  if (!options?.verifier || typeof options.verifier.verify !== 'function') throw new TypeError('browserId(): verifier is required')
  const scope = options.cacheScope ?? 'browserid'
  const challenge = options.realm ? `BrowserID realm=${quote(options.realm)}` : 'BrowserID'
  return defineAuthMethod<BrowserIdPrincipal, string>({
    kind: 'browserId',
    doc: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'BrowserID <certificate~assertion>' },
    challenge: () => challenge,
    extract(request) {
      const value = header(request, 'authorization')
      if (!value || !SCHEME.test(value)) return undefined
      return CREDENTIAL.exec(value)?.[1] ?? ''
    },
    async verify(assertion, { services }) {
      if (!assertion) throw new TokenInvalid('BrowserID assertion is missing or malformed', { location: 'header', field: 'authorization' })
      return services.cache.verify(scope, assertion, async (credential) => {
        const identity = await options.verifier.verify(credential)
        return { value: { kind: 'browserid' as const, ...identity }, expiresAt: identity.expiresAt }
      })
    },
  })
}
