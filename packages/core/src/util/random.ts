import { randomBytes, randomFillSync } from 'node:crypto'

/**
 * Random strings for tokens, ids and salts, from the CSPRNG through a pool, as node's own randomUUID does:
 * `randomBytes(n)` runs a synchronous crypto job per call (≈ 6 µs here against ≈ 0.1 µs from the pool). The pool
 * is refilled with randomFillSync when it runs short, and no byte of it is handed out twice.
 */
const POOL_BYTES = 4096
const pool = Buffer.allocUnsafeSlow(POOL_BYTES)
let used = POOL_BYTES

export type RandomEncoding = 'base64url' | 'hex'

/** `bytes` random bytes, encoded (a refresh token: `randomString(32)`, 43 base64url characters). */
export function randomString(bytes: number, encoding: RandomEncoding = 'base64url'): string {
  if (!Number.isInteger(bytes) || bytes <= 0) throw new RangeError('randomString: bytes must be a positive integer')
  if (bytes > POOL_BYTES / 4) return randomBytes(bytes).toString(encoding)
  if (used + bytes > POOL_BYTES) {
    randomFillSync(pool)
    used = 0
  }
  used += bytes
  return pool.toString(encoding, used - bytes, used)
}
