import { createHmac, sign as cryptoSign, type KeyObject } from 'node:crypto'
import { errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose'
import { TokenExpired, TokenInvalid, TokenNotYetValid } from '../errors.js'
import type { JwtAlgorithm, KeyRing, RingKey } from '../keys/keyring.js'
import { tracedLeaf } from '../util/trace-hook.js'

export type JwtClaims = JWTPayload & Record<string, unknown>

export interface JwtSigner {
  readonly algorithm: string
  readonly kid: string
  sign(claims: JwtClaims): string
  /**
   * The same token, with an ES256/RS256/EdDSA signature computed on libuv's thread pool instead of the event loop (an
   * RS256 signature is ~0.2 ms of CPU, an ES256 one ~20 µs). HS256 stays inline: the hop to the pool costs more than
   * the HMAC. Prefer it on issuance routes.
   */
  signAsync(claims: JwtClaims): Promise<string>
}

/**
 * Signs with node:crypto directly. jose signs through WebCrypto, which costs an order of magnitude more per token
 * (about 5 000 vs 110 000 HS256/s on one core); the header is encoded once per key, not once per token.
 *
 * Follows the ring: after a rotation promoted another key, the next token is signed with it (the header is
 * re-encoded once, when the active key changes). `extraHeader` may be a function of the signing key (crew's x5c
 * names the certificate of the key that signs).
 */
export function createJwtSigner(ring: KeyRing, extraHeader: Record<string, unknown> | ((key: RingKey) => Record<string, unknown>) = {}): JwtSigner {
  let current: KeySigner | undefined
  const forActive = (): KeySigner => {
    const key = ring.active
    if (current?.key !== key) current = keySigner(key, typeof extraHeader === 'function' ? extraHeader(key) : extraHeader)
    return current
  }
  return {
    get algorithm() {
      return ring.active.algorithm
    },
    get kid() {
      return ring.active.kid
    },
    sign: (claims) => forActive().sign(claims),
    signAsync: (claims) => forActive().signAsync(claims),
  }
}

interface KeySigner {
  key: RingKey
  sign(claims: JwtClaims): string
  signAsync(claims: JwtClaims): Promise<string>
}

function keySigner(key: RingKey, extraHeader: Record<string, unknown>): KeySigner {
  const header: Record<string, unknown> = { typ: 'JWT', alg: key.algorithm, kid: key.kid, ...extraHeader }
  if (key.x5c) header.x5c = key.x5c
  const encodedHeader = Buffer.from(JSON.stringify(header)).toString('base64url')
  const signature = signatureFunction(key)
  const pooled = pooledSignatureFunction(key)
  const signingInput = (claims: JwtClaims) => `${encodedHeader}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`
  const span = { 'polytoken.jwt.alg': key.algorithm }
  return {
    key,
    sign(claims) {
      const input = signingInput(claims)
      return `${input}.${tracedLeaf('polytoken.sign', span, () => signature(input))}`
    },
    async signAsync(claims) {
      const input = signingInput(claims)
      return `${input}.${await tracedLeaf('polytoken.sign', span, () => (pooled ? pooled(input) : signature(input)))}`
    },
  }
}

/** node:crypto's sign with a callback runs on the thread pool; undefined for HMAC (inline is cheaper). */
function pooledSignatureFunction(key: RingKey): ((input: string) => Promise<string>) | undefined {
  const privateKey = key.signingKey!
  const run = (digest: string | null, options: Parameters<typeof cryptoSign>[2]) => (input: string) =>
    new Promise<string>((resolve, reject) => cryptoSign(digest, Buffer.from(input), options, (error, signature) => (error ? reject(error) : resolve(signature.toString('base64url')))))
  switch (key.algorithm) {
    case 'HS256':
      return undefined
    case 'ES256':
      return run('sha256', { key: privateKey, dsaEncoding: 'ieee-p1363' })
    case 'RS256':
      return run('sha256', privateKey)
    case 'EdDSA':
      return run(null, privateKey)
  }
}

function signatureFunction(key: RingKey): (input: string) => string {
  const privateKey = key.signingKey!
  switch (key.algorithm) {
    case 'HS256':
      return (input) => createHmac('sha256', privateKey).update(input).digest('base64url')
    case 'ES256':
      return (input) => cryptoSign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')
    case 'RS256':
      return (input) => cryptoSign('sha256', Buffer.from(input), privateKey).toString('base64url')
    case 'EdDSA':
      return (input) => cryptoSign(null, Buffer.from(input), privateKey).toString('base64url')
  }
}

export interface JwtVerifyOptions {
  issuer?: string | string[]
  audience?: string | string[]
  /** Seconds of leeway on exp/nbf. Default 0. */
  clockToleranceSec?: number
  /** Claims that must be present. exp is always required. */
  requiredClaims?: string[]
  /** Epoch milliseconds "now", for tests. */
  now?: () => number
}

/** A key a verifier may use: the one algorithm it verifies, and its kid when it has one. A ring's keys are such keys. */
export interface VerificationKey {
  readonly kid: string | undefined
  readonly algorithm: JwtAlgorithm
  readonly verifyKey: KeyObject
}

/**
 * Verifies an untrusted JWT with jose against a ring's keys (signing and verify-only), or any list of verification
 * keys (an external issuer's JWKS): the kid picks the key; a token without kid is tried against every key of its
 * algorithm. Each key verifies only its own algorithm, so the token's `alg` can never choose how a key is used (alg
 * none, HS/RS confusion). jose refuses what RFC 8725 says to refuse (unknown crit, b64 false) and never follows jku,
 * x5u, x5c or an embedded jwk. Every failure is a coded token error. Follows a ring's rotations: a retired key stops
 * verifying as soon as this process has re-read the ring.
 */
export function createJwtVerifier(keyring: KeyRing | { readonly keys: readonly VerificationKey[] }, options: JwtVerifyOptions = {}): (token: string) => Promise<JwtClaims> {
  const required = ['exp', ...(options.requiredClaims ?? [])]
  const base: JWTVerifyOptions = {
    requiredClaims: required,
    clockTolerance: options.clockToleranceSec ?? 0,
  }
  if (options.issuer !== undefined) base.issuer = options.issuer
  if (options.audience !== undefined) base.audience = options.audience
  // A ring's `keys` is a new array after each rotation: the kid index is rebuilt then, not per token.
  let indexed: { keys: readonly VerificationKey[]; byKid: Map<string, VerificationKey> } | undefined
  const currentKeys = () => {
    const keys = keyring.keys
    if (indexed?.keys !== keys) indexed = { keys, byKid: new Map(keys.flatMap((key) => (key.kid === undefined ? [] : [[key.kid, key] as const]))) }
    return indexed
  }

  return async (token) => {
    if (typeof token !== 'string' || token.length === 0 || token.length > 16_384) throw new TokenInvalid('token is malformed')
    if (!hasCanonicalSignature(token)) throw new TokenInvalid('token is malformed')
    const verifyOptions = options.now ? { ...base, currentDate: new Date(options.now()) } : base
    const { kid, alg } = readHeader(token)
    const { keys, byKid } = currentKeys()
    const byKidOrAll = kid === undefined ? keys : [byKid.get(kid)].filter((key) => key !== undefined)
    if (byKidOrAll.length === 0) throw new TokenInvalid('token was signed by an unknown key')
    const candidates = byKidOrAll.filter((key) => key.algorithm === alg)
    if (candidates.length === 0) throw new TokenInvalid('token is malformed or uses an unexpected algorithm')
    let lastError: unknown
    for (const key of candidates) {
      try {
        const { payload } = await jwtVerify(token, key.verifyKey, { ...verifyOptions, algorithms: [key.algorithm] })
        return payload
      } catch (error) {
        lastError = error
        if (!(error instanceof joseErrors.JWSSignatureVerificationFailed)) break
      }
    }
    throw mapJoseError(lastError)
  }
}

/**
 * jose decodes a signature with padding, the base64 alphabet or non-zero unused low bits to the same bytes, so one
 * signed token would have many spellings, each a different string to caches and deny-lists keyed by the token. Only
 * the canonical base64url spelling (RFC 7515 §2) is accepted.
 */
function hasCanonicalSignature(token: string): boolean {
  const signature = token.slice(token.lastIndexOf('.') + 1)
  return Buffer.from(signature, 'base64url').toString('base64url') === signature
}

/** kid and alg, read the way jose reads them (JSON.parse: the last of duplicate names wins), to pick candidate keys. */
function readHeader(token: string): { kid: string | undefined; alg: unknown } {
  const dot = token.indexOf('.')
  if (dot <= 0) return { kid: undefined, alg: undefined }
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8')) as { kid?: unknown; alg?: unknown } | null
    return { kid: typeof header?.kid === 'string' ? header.kid : undefined, alg: header?.alg }
  } catch {
    return { kid: undefined, alg: undefined }
  }
}

function mapJoseError(error: unknown): Error {
  if (error instanceof joseErrors.JWTExpired) return new TokenExpired('token has expired', { cause: error })
  if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'nbf') {
    return new TokenNotYetValid('token is not valid yet', { cause: error })
  }
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    return new TokenInvalid(`token claim "${error.claim}" is invalid`, { cause: error })
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return new TokenInvalid('token signature is invalid', { cause: error })
  return new TokenInvalid('token is malformed or uses an unexpected algorithm', { cause: error })
}
