import { sign as cryptoSign, verify as cryptoVerify, createPublicKey, type KeyObject } from 'node:crypto'
import { TokenInvalid } from '@polytoken/core'
import { exportBrowserIdPublicKey, importBrowserIdPublicKey, type BrowserIdAlgorithm, type BrowserIdPublicKey } from './public-key.js'

/** One compact JWS of a BrowserID bundle, decoded but not yet verified. */
export interface BrowserIdJws {
  alg: string
  payload: Record<string, unknown>
  signingInput: Buffer
  signature: Buffer
}

const SEGMENT = /^[A-Za-z0-9_-]+$/

/** Decode `header.payload.signature`; TokenInvalid when it is not one. */
export function decodeJws(compact: string, what: string): BrowserIdJws {
  const parts = compact.split('.')
  if (parts.length !== 3 || !parts.every((part) => SEGMENT.test(part))) throw new TokenInvalid(`${what} is not a JWS`)
  const header = parseJson(parts[0]!, what)
  const payload = parseJson(parts[1]!, what)
  if (typeof header.alg !== 'string') throw new TokenInvalid(`${what} has no alg`)
  return { alg: header.alg, payload, signingInput: Buffer.from(`${parts[0]}.${parts[1]}`, 'ascii'), signature: Buffer.from(parts[2]!, 'base64url') }
}

function parseJson(segment: string, what: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
  } catch {
    throw new TokenInvalid(`${what} is not JSON`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TokenInvalid(`${what} is not a JSON object`)
  return value as Record<string, unknown>
}

/**
 * The alg must be the key's own (family and size): an RS256 header with an
 * RS64 key, or DS with an RSA key, is refused before any crypto runs.
 */
export function verifyJws(jws: BrowserIdJws, key: BrowserIdPublicKey, what: string): void {
  if (jws.alg !== key.algorithm) throw new TokenInvalid(`${what} alg ${jws.alg} does not match its key (${key.algorithm})`)
  // jwcrypto writes a signature as a hex integer without leading zeros: about one RSA signature in
  // 128 arrives a byte or more short. Its verifier pads them back, and so do we; longer is never valid.
  const signature = jws.signature.length < key.signatureBytes ? Buffer.concat([Buffer.alloc(key.signatureBytes - jws.signature.length), jws.signature]) : jws.signature
  if (signature.length !== key.signatureBytes) throw new TokenInvalid(`${what} signature is invalid`)
  let ok = false
  try {
    ok = key.dsa ? cryptoVerify(key.hash, jws.signingInput, { key: key.key, dsaEncoding: 'ieee-p1363' }, signature) : cryptoVerify(key.hash, jws.signingInput, key.key, signature)
  } catch {
    ok = false
  }
  if (!ok) throw new TokenInvalid(`${what} signature is invalid`)
}

/** Sign a BrowserID JWS with an RSA or DSA private key (issuers, clients, tests). */
export function signBrowserIdJws(payload: Record<string, unknown>, privateKey: KeyObject): string {
  // Signing is not trusting: a test or a legacy client may still sign with an RS64 key.
  const publicKey = importBrowserIdPublicKey(exportBrowserIdPublicKey(createPublicKey(privateKey)), { allowRs64Keys: true })
  const header = Buffer.from(JSON.stringify({ alg: publicKey.algorithm })).toString('base64url')
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url')
  const input = Buffer.from(`${header}.${body}`, 'ascii')
  const signature = publicKey.dsa ? cryptoSign(publicKey.hash, input, { key: privateKey, dsaEncoding: 'ieee-p1363' }) : cryptoSign(publicKey.hash, input, privateKey)
  return `${header}.${body}.${signature.toString('base64url')}`
}

export interface CertifyOptions {
  issuer: string
  /** The issuer's private key. */
  issuerKey: KeyObject
  email: string
  /** The user's public key that the certificate vouches for. */
  publicKey: KeyObject
  /** Epoch ms. */
  issuedAt: number
  /** Epoch ms. */
  expiresAt: number
  /** Extra claims (fxa-generation, fxa-keysChangedAt, ...). */
  claims?: Record<string, unknown>
}

/** An identity certificate, as an IdP issues it. */
export function createBrowserIdCertificate(options: CertifyOptions): string {
  return signBrowserIdJws(
    {
      ...options.claims,
      iss: options.issuer,
      iat: options.issuedAt,
      exp: options.expiresAt,
      'public-key': exportBrowserIdPublicKey(options.publicKey),
      principal: { email: options.email },
    },
    options.issuerKey,
  )
}

/**
 * `cert~assertion`: the assertion signed with the certified key's private half.
 * Give one certificate: verifiers refuse chains (more than one is only for
 * building such bundles in tests).
 */
export function createBrowserIdAssertion(options: { certificates: string[]; userKey: KeyObject; audience: string; expiresAt: number }): string {
  const assertion = signBrowserIdJws({ aud: options.audience, exp: options.expiresAt }, options.userKey)
  return [...options.certificates, assertion].join('~')
}

export type { BrowserIdAlgorithm }
