import { ConfigInvalid, TokenExpired, TokenInvalid } from '../errors.js'
import { systemClock, type Clock } from '../util/time.js'
import { createAudienceMatcher } from './audience.js'
import { decodeJws, verifyJws } from './jws.js'
import { importBrowserIdPublicKey, type BrowserIdPublicKey, type BrowserIdPublicKeyJson } from './public-key.js'
import { createSupportDocumentFetcher, isIssuerName, type SupportDocumentOptions } from './support-document.js'

/** Who a verified assertion says the user is. */
export interface BrowserIdIdentity {
  email: string
  issuer: string
  audience: string
  /** Epoch ms: the earlier of the assertion's and the certificate's exp. */
  expiresAt: number
  /** Every other claim of the (last) certificate: fxa-generation, fxa-keysChangedAt, ... */
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
  /** Tolerated clock difference with issuers and clients, ms. Default 0. */
  leewayMs?: number
  clock?: Clock
}

const MAX_BUNDLE = 16 * 1024
const MAX_CERTIFICATES = 4
// The shape the original accepted: something@domain, no spaces, one @.
const EMAIL = /^[^\s@]{1,256}@[^\s@]{1,253}$/

/**
 * Verify `cert~...~assertion` locally: each certificate signed by the one
 * before (the first by a trusted issuer), none expired; the assertion for one
 * of our audiences, not expired, signed by the last certificate's key.
 */
export function createLocalBrowserIdVerifier(options: LocalVerifierOptions): BrowserIdVerifier {
  if (!Array.isArray(options?.audiences) || options.audiences.length === 0) throw new ConfigInvalid('browserid.audiences: at least one audience is required')
  let matches: (audience: unknown) => boolean
  try {
    matches = createAudienceMatcher(options.audiences)
  } catch (error) {
    throw new ConfigInvalid(`browserid.audiences: ${(error as Error).message}`)
  }
  const configured = new Map<string, BrowserIdPublicKey | 'discover'>()
  for (const [index, entry] of (options.trustedIssuers ?? []).entries()) {
    if (!isIssuerName(entry?.issuer)) throw new ConfigInvalid(`browserid.trustedIssuers[${index}].issuer: must be a host name`)
    if (entry.publicKey === undefined) {
      configured.set(entry.issuer.toLowerCase(), 'discover')
      continue
    }
    try {
      configured.set(entry.issuer.toLowerCase(), importBrowserIdPublicKey(entry.publicKey))
    } catch (error) {
      throw new ConfigInvalid(`browserid.trustedIssuers[${index}].publicKey: ${(error as Error).message}`)
    }
  }
  const clock = options.clock ?? systemClock
  const leeway = options.leewayMs ?? 0
  const fetchKey = createSupportDocumentFetcher(options.supportDocuments)

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
      if (typeof bundle !== 'string' || bundle.length === 0 || bundle.length > MAX_BUNDLE) throw new TokenInvalid('assertion is malformed')
      const parts = bundle.split('~')
      if (parts.length < 2 || parts.length > MAX_CERTIFICATES + 1) throw new TokenInvalid('assertion must be cert~assertion')
      const certificates = parts.slice(0, -1).map((part, i) => decodeJws(part, `certificate ${i + 1}`))
      const assertion = decodeJws(parts[parts.length - 1]!, 'assertion')
      const now = clock()

      // Cheap checks first: a stale or foreign assertion costs no signature check.
      const aud = assertion.payload.aud
      const assertionExp = assertion.payload.exp
      if (typeof assertionExp !== 'number' || !Number.isFinite(assertionExp)) throw new TokenInvalid('assertion has no exp')
      if (assertionExp + leeway <= now) throw new TokenExpired('assertion has expired')
      if (!matches(aud)) throw new TokenInvalid('assertion audience is not accepted')

      const claims = certificates.map((certificate, i) => certificateClaims(certificate.payload, i + 1, now, leeway, i === certificates.length - 1))
      const last = claims[claims.length - 1]!
      let signer = await issuerKey(claims[0]!.issuer, last.email)
      for (const [i, certificate] of certificates.entries()) {
        verifyJws(certificate, signer, `certificate ${i + 1}`)
        signer = claims[i]!.publicKey
      }
      verifyJws(assertion, signer, 'assertion')

      const { iss: _iss, iat: _iat, exp: _exp, 'public-key': _pk, principal: _principal, ...idpClaims } = certificates[certificates.length - 1]!.payload
      return {
        email: last.email,
        issuer: claims[0]!.issuer,
        audience: aud as string,
        expiresAt: Math.min(assertionExp, ...claims.map((c) => c.expiresAt)),
        idpClaims,
      }
    },
  }
}

interface CertificateClaims {
  issuer: string
  email: string
  expiresAt: number
  publicKey: BrowserIdPublicKey
}

// Only the last certificate names the user; those before it certify intermediate keys.
function certificateClaims(payload: Record<string, unknown>, index: number, now: number, leeway: number, isLast: boolean): CertificateClaims {
  const what = `certificate ${index}`
  const { iss, exp, iat, principal } = payload
  if (typeof iss !== 'string' || !isIssuerName(iss)) throw new TokenInvalid(`${what} has no valid iss`)
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw new TokenInvalid(`${what} has no exp`)
  if (exp + leeway <= now) throw new TokenExpired(`${what} has expired`)
  if (iat !== undefined && (typeof iat !== 'number' || iat - leeway > now)) throw new TokenInvalid(`${what} is issued in the future`)
  const email = typeof principal === 'object' && principal !== null ? (principal as Record<string, unknown>).email : undefined
  if (isLast && (typeof email !== 'string' || !EMAIL.test(email))) throw new TokenInvalid(`${what} has no valid principal.email`)
  let publicKey: BrowserIdPublicKey
  try {
    publicKey = importBrowserIdPublicKey(payload['public-key'])
  } catch (error) {
    throw new TokenInvalid(`${what}: ${(error as Error).message}`)
  }
  return { issuer: iss, email: typeof email === 'string' ? email : '', expiresAt: exp, publicKey }
}
