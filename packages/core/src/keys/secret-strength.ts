import { ConfigInvalid } from '../errors.js'

/**
 * One rule for every configured secret, so no dialect starts with a secret that a single captured token (or a short
 * online campaign) gives away. The checks are deterministic and say which option failed, never its value.
 */

/** HS256 keys: at least the hash size, RFC 7518 §3.2. One access token is enough to brute-force a shorter one offline. */
export const MIN_HS256_KEY_BYTES = 32
/** The master key seals every generated private key: as strong as an HS256 key. */
export const MIN_MASTER_KEY_BYTES = 32
/**
 * Application and client secrets are only ever checked online (hashed, in constant time, behind the dialect's
 * throttles), never derivable from a token: NIST SP 800-63B's floor for memorised secrets, 8 characters, is the
 * minimum; the documents' own examples (`changeit`) meet it.
 */
export const MIN_SHARED_SECRET_LENGTH = 8

/**
 * Throws ConfigInvalid naming `path` when `value` is shorter than `minBytes` (UTF-8 bytes for text) or obviously low
 * in entropy: one character repeated, a shorter pattern repeated (`abcabcabc...`), or fewer than min(8, minBytes / 2)
 * different bytes.
 */
export function assertStrongSecret(path: string, value: string | Uint8Array, minBytes: number): void {
  if (typeof value !== 'string' && !(value instanceof Uint8Array)) throw new ConfigInvalid(`${path}: a secret string is required`)
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value
  if (bytes.length < minBytes) throw new ConfigInvalid(`${path}: too short (at least ${minBytes} bytes; use 32 random bytes, e.g. \`openssl rand -base64 32\`)`)
  const problem = lowEntropyProblem(bytes, minBytes)
  if (problem) throw new ConfigInvalid(`${path}: too weak (${problem}); use 32 random bytes, e.g. \`openssl rand -base64 32\``)
}

/** HS256 key material (a secret's UTF-8 bytes, a JWK's decoded `k`). */
export function assertStrongHs256Key(path: string, key: Uint8Array): void {
  assertStrongSecret(path, key, MIN_HS256_KEY_BYTES)
}

function lowEntropyProblem(bytes: Uint8Array, minBytes: number): string | undefined {
  const distinct = new Set(bytes).size
  if (distinct === 1) return 'one character repeated'
  if (isRepetition(bytes)) return 'a shorter pattern repeated'
  const wanted = Math.min(8, Math.floor(minBytes / 2))
  if (distinct < wanted) return `fewer than ${wanted} different characters`
  return undefined
}

/** True when the bytes are one shorter unit repeated whole (period p dividing the length). */
function isRepetition(bytes: Uint8Array): boolean {
  const length = bytes.length
  for (let period = 1; period <= length / 2; period++) {
    if (length % period !== 0) continue
    let repeats = true
    for (let i = period; i < length && repeats; i++) repeats = bytes[i] === bytes[i - period]
    if (repeats) return true
  }
  return false
}
