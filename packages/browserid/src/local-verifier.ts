import { ConfigInvalid, TokenExpired, TokenInvalid, systemClock, type Clock } from '@polytoken/core'
import { createAudienceMatcher } from './audience.js'
import { decodeJws, verifyJws } from './jws.js'
import { importBrowserIdPublicKey, type BrowserIdKeyPolicy, type BrowserIdPublicKey, type BrowserIdPublicKeyJson } from './public-key.js'
import { splitBrowserIdBundle } from './bundle.js'
import { createSupportDocumentFetcher, isIssuerName, type SupportDocumentOptions } from './support-document.js'

/** Who a verified assertion says the user is. */
export interface BrowserIdIdentity {
  email: string
  issuer: string
  audience: string
  /** Epoch ms: the earlier of the assertion's and the certificate's exp. */
  expiresAt: number
  /** Every other claim of the issuer-signed certificate: fxa-generation, fxa-keysChangedAt, ... */
  idpClaims: Record<string, unknown>
}

export interface BrowserIdVerifier {
  /** Resolves to the identity, or throws TokenInvalid / TokenExpired / UpstreamUnavailable. */
  verify(assertion: string): Promise<BrowserIdIdentity>
}

export interface TrustedIssuer {
  /** Host name, as certificates name it in `iss`. */
  issuer: string
  /** Its public key; absent: fetched from the issuer's /.well-known/browserid. */
  publicKey?: BrowserIdPublicKeyJson
}

export interface LocalVerifierOptions {
  /** Accepted audiences: scheme://host[:port]. */
  audiences: readonly string[]
  trustedIssuers: readonly TrustedIssuer[]
  /** Also trust an issuer that is the email's own domain (a primary IdP), via its support document. Default false. */
  allowPrimaryIssuers?: boolean
  supportDocuments?: SupportDocumentOptions
  /** Accept 512-bit RSA (RS64) keys from users, issuers and support documents. Default false: they are factorable. */
  allowRs64Keys?: boolean
  /** Tolerated clock difference with issuers and clients, ms. Default 0. */
  leewayMs?: number
  clock?: Clock
}

// The shape the original accepted: something@domain, no spaces, one @.
const EMAIL = /^[^\s@]{1,256}@[^\s@]{1,253}$/

/**
 * Verify `certificate~assertion` locally: the one certificate signed by a
 * trusted issuer and not expired; the assertion for one of our audiences, not
 * expired, signed by the key that certificate vouches for. Everything the
 * identity says (email, idpClaims) comes from that issuer-signed certificate.
 */
export function createLocalBrowserIdVerifier(options: LocalVerifierOptions): BrowserIdVerifier {
  if (!Array.isArray(options?.audiences) || options.audiences.length === 0) throw new ConfigInvalid('browserid.audiences: at least one audience is required')
  let matches: (audience: unknown) => boolean
  try {
    matches = createAudienceMatcher(options.audiences)
  } catch (error) {
    throw new ConfigInvalid(`browserid.audiences: ${(error as Error).message}`)
  }
  const policy: BrowserIdKeyPolicy = { allowRs64Keys: options.allowRs64Keys === true }
  const configured = new Map<string, BrowserIdPublicKey | 'discover'>()
  for (const [index, entry] of (options.trustedIssuers ?? []).entries()) {
    if (!isIssuerName(entry?.issuer)) throw new ConfigInvalid(`browserid.trustedIssuers[${index}].issuer: must be a host name`)
    if (entry.publicKey === undefined) {
      configured.set(entry.issuer.toLowerCase(), 'discover')
      continue
    }
    try {
      configured.set(entry.issuer.toLowerCase(), importBrowserIdPublicKey(entry.publicKey, policy))
    } catch (error) {
      throw new ConfigInvalid(`browserid.trustedIssuers[${index}].publicKey: ${(error as Error).message}`)
    }
  }
  const clock = options.clock ?? systemClock
  const leeway = options.leewayMs ?? 0
  const fetchKey = createSupportDocumentFetcher(options.supportDocuments, policy)

  async function issuerKey(issuer: string, email: string): Promise<BrowserIdPublicKey> {
    const name = issuer.toLowerCase()
    const known = configured.get(name)
    if (known && known !== 'discover') return known
    if (known === 'discover') return fetchKey(name)
    const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase()
    if (options.allowPrimaryIssuers && name === domain) return fetchKey(name)
    throw new TokenInvalid('certificate issuer is not trusted')
  }

  return {
    async verify(bundle) {
      const parts = splitBrowserIdBundle(bundle)
      const certificate = decodeJws(parts.certificate, 'certificate')
      const assertion = decodeJws(parts.assertion, 'assertion')
      const now = clock()

      // Cheap checks first: a stale or foreign assertion costs no signature check.
      const aud = assertion.payload.aud
      const assertionExp = assertion.payload.exp
      if (typeof assertionExp !== 'number' || !Number.isFinite(assertionExp)) throw new TokenInvalid('assertion has no exp')
      if (assertionExp + leeway <= now) throw new TokenExpired('assertion has expired')
      if (!matches(aud)) throw new TokenInvalid('assertion audience is not accepted')

      const claims = certificateClaims(certificate.payload, now, leeway)
      verifyJws(certificate, await issuerKey(claims.issuer, claims.email), 'certificate')
      // The user's key is looked at only once the issuer has vouched for it.
      let userKey: BrowserIdPublicKey
      try {
        userKey = importBrowserIdPublicKey(certificate.payload['public-key'], policy)
      } catch (error) {
        throw new TokenInvalid(`certificate: ${(error as Error).message}`)
      }
      verifyJws(assertion, userKey, 'assertion')

      const { iss: _iss, iat: _iat, exp: _exp, 'public-key': _pk, principal: _principal, ...idpClaims } = certificate.payload
      return {
        email: claims.email,
        issuer: claims.issuer,
        audience: aud as string,
        expiresAt: Math.min(assertionExp, claims.expiresAt),
        idpClaims,
      }
    },
  }
}

interface CertificateClaims {
  issuer: string
  email: string
  expiresAt: number
}

function certificateClaims(payload: Record<string, unknown>, now: number, leeway: number): CertificateClaims {
  const { iss, exp, iat, principal } = payload
  if (typeof iss !== 'string' || !isIssuerName(iss)) throw new TokenInvalid('certificate has no valid iss')
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw new TokenInvalid('certificate has no exp')
  if (exp + leeway <= now) throw new TokenExpired('certificate has expired')
  if (iat !== undefined && (typeof iat !== 'number' || iat - leeway > now)) throw new TokenInvalid('certificate is issued in the future')
  const email = typeof principal === 'object' && principal !== null ? (principal as Record<string, unknown>).email : undefined
  if (typeof email !== 'string' || !EMAIL.test(email)) throw new TokenInvalid('certificate has no valid principal.email')
  return { issuer: iss, email, expiresAt: exp }
}
