import { createHmac, timingSafeEqual } from 'node:crypto'
import { ConfigInvalid, TokenExpired, TokenInvalid, hkdfSha256, randomString, systemClock, type Clock } from '@polytoken/core'

/**
 * Mozilla's tokenlib, byte for byte: token = urlsafe-base64 (with padding) of
 * payload ‖ HMAC-SHA256(signing key, payload); signing key =
 * HKDF-SHA256(secret, no salt, "services.mozilla.com/tokenlib/v1/signing");
 * derived secret = HKDF-SHA256(secret, salt = payload.salt,
 * "services.mozilla.com/tokenlib/v1/derive/" + token). Storage nodes use the
 * derived secret as the Hawk key for the token used as the Hawk id.
 */

export const TOKENLIB_SIGNING_INFO = 'services.mozilla.com/tokenlib/v1/signing'
export const TOKENLIB_DERIVE_INFO = 'services.mozilla.com/tokenlib/v1/derive/'
const DIGEST_SIZE = 32
// Python's urlsafe_b64decode accepts only this alphabet; padding is mandatory in what we emit.
const TOKEN_SHAPE = /^[A-Za-z0-9_-]+={0,2}$/
/** A token far past any real payload: refused before any decoding work. */
const MAX_TOKEN_LENGTH = 4096

export interface TokenlibPayload {
  /** Epoch seconds. */
  expires: number
  /** Hex string; 3 random bytes when the caller gives none. */
  salt: string
  [claim: string]: unknown
}

export interface TokenlibOptions {
  /**
   * The shared secret(s) of the node. The first signs new tokens; every one
   * verifies (rotation: put the new secret first, keep the old ones until
   * their tokens expired).
   */
  secrets: string | readonly string[]
  /** Lifetime when the payload has no `expires`, in seconds. Default 300. */
  timeoutSeconds?: number
  clock?: Clock
}

export interface Tokenlib {
  /** A token for the payload (salt and expires filled in when absent). */
  make(payload: Record<string, unknown>): string
  /** Signature (constant time) and expiry checked; the payload, or TokenInvalid / TokenExpired. */
  parse(token: string): TokenlibPayload
  /** The derived secret (`key` in the token server's answer) of a token this tokenlib signed. */
  derivedSecret(token: string): string
  /** make + derivedSecret in one call. */
  issue(payload: Record<string, unknown>): { token: string; key: string; payload: TokenlibPayload }
}

interface Secret {
  raw: Buffer
  signingKey: Buffer
}

/** Signing keys are derived once per secret, at construction, never per request. */
export function createTokenlib(options: TokenlibOptions): Tokenlib {
  const list = typeof options?.secrets === 'string' ? [options.secrets] : options?.secrets
  if (!Array.isArray(list) || list.length === 0 || list.some((s) => typeof s !== 'string' || s.length === 0)) {
    throw new ConfigInvalid('tokenlib.secrets: at least one non-empty secret is required')
  }
  const timeout = options.timeoutSeconds ?? 300
  if (!Number.isFinite(timeout) || timeout <= 0) throw new ConfigInvalid('tokenlib.timeoutSeconds: must be a positive number')
  const clock = options.clock ?? systemClock
  const secrets: Secret[] = list.map((secret: string) => {
    const raw = Buffer.from(secret, 'utf8')
    return { raw, signingKey: tokenlibSigningKey(raw) }
  })
  const active = secrets[0]!

  function decode(token: string): { payloadBytes: Buffer; payload: TokenlibPayload; secret: Secret } {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || token.length % 4 !== 0 || !TOKEN_SHAPE.test(token)) {
      throw new TokenInvalid('token is malformed')
    }
    const bytes = Buffer.from(token, 'base64url')
    if (bytes.length <= DIGEST_SIZE) throw new TokenInvalid('token is malformed')
    const payloadBytes = bytes.subarray(0, bytes.length - DIGEST_SIZE)
    const signature = bytes.subarray(bytes.length - DIGEST_SIZE)
    // Every secret is tried, so timing says nothing about which one (if any) matched.
    let match: Secret | undefined
    for (const secret of secrets) {
      const expected = createHmac('sha256', secret.signingKey).update(payloadBytes).digest()
      if (timingSafeEqual(expected, signature) && !match) match = secret
    }
    if (!match) throw new TokenInvalid('token signature is invalid')
    let payload: unknown
    try {
      payload = JSON.parse(payloadBytes.toString('utf8'))
    } catch {
      throw new TokenInvalid('token payload is not JSON')
    }
    if (!isPayload(payload)) throw new TokenInvalid('token payload lacks expires or salt')
    return { payloadBytes, payload, secret: match }
  }

  function sign(payload: Record<string, unknown>): { token: string; data: TokenlibPayload } {
    const data: Record<string, unknown> = { ...payload }
    data.salt ??= randomString(3, 'hex') // public (it travels in the payload): only has to differ between tokens
    data.expires ??= Math.floor(clock() / 1000) + timeout
    const bytes = Buffer.from(pythonJsonDumps(data), 'utf8')
    const signature = createHmac('sha256', active.signingKey).update(bytes).digest()
    const token = Buffer.concat([bytes, signature])
      .toString('base64url')
      .padEnd(Math.ceil((bytes.length + DIGEST_SIZE) / 3) * 4, '=')
    return { token, data: data as TokenlibPayload }
  }

  const lib: Tokenlib = {
    make: (payload) => sign(payload).token,
    parse(token) {
      const { payload } = decode(token)
      if (payload.expires <= clock() / 1000) throw new TokenExpired('token has expired')
      return payload
    },
    derivedSecret(token) {
      const { payload, secret } = decode(token)
      return tokenlibDerivedSecret(secret.raw, payload.salt, token)
    },
    issue(payload) {
      const { token, data } = sign(payload)
      if (typeof data.salt !== 'string') throw new TypeError('tokenlib: salt must be a string')
      return { token, key: tokenlibDerivedSecret(active.raw, data.salt, token), payload: data }
    },
  }
  return lib
}

/** HKDF-SHA256(secret, no salt, signing info, 32 bytes). */
export function tokenlibSigningKey(secret: string | Buffer): Buffer {
  const ikm = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret
  return hkdfSha256(ikm, Buffer.alloc(0), TOKENLIB_SIGNING_INFO, DIGEST_SIZE)
}

/** HKDF-SHA256(secret, salt as ASCII, derive info + token, 32 bytes), urlsafe base64 with padding. */
export function tokenlibDerivedSecret(secret: string | Buffer, salt: string, token: string): string {
  const ikm = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret
  const bytes = hkdfSha256(ikm, Buffer.from(salt, 'latin1'), TOKENLIB_DERIVE_INFO + token, DIGEST_SIZE)
  return bytes.toString('base64url') + '='
}

function isPayload(value: unknown): value is TokenlibPayload {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const record = value as Record<string, unknown>
  return typeof record.expires === 'number' && Number.isFinite(record.expires) && typeof record.salt === 'string'
}

/**
 * `json.dumps(data)` as Python writes it (", " and ": " separators, non-ASCII
 * escaped), so our tokens carry the same payload bytes as the original's.
 */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'string') return pythonString(value)
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('tokenlib payload numbers must be finite')
    return String(value)
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (Array.isArray(value)) return '[' + value.map(pythonJsonDumps).join(', ') + ']'
  if (typeof value === 'object') {
    // Built with += rather than entries/map/join: this runs for every token a node issues.
    let out = '{'
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key]
      if (item === undefined) continue
      if (out.length > 1) out += ', '
      out += pythonString(key) + ': ' + pythonJsonDumps(item)
    }
    return out + '}'
  }
  throw new TypeError(`tokenlib payloads cannot hold a ${typeof value}`)
}

const NON_ASCII = /[\u007f-\uffff]/
const NON_ASCII_ALL = /[\u007f-\uffff]/g

/** Python's ensure_ascii: JSON.stringify, then \uXXXX for everything past ASCII. */
function pythonString(value: string): string {
  const json = JSON.stringify(value)
  return NON_ASCII.test(json) ? json.replace(NON_ASCII_ALL, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')) : json
}
