import { createHash, timingSafeEqual } from 'node:crypto'

/**
 * Constant-time string comparison. Both sides are hashed first so that
 * neither the length nor the content leaks through timing.
 */
export function safeEqual(a: string, b: string): boolean {
  const left = createHash('sha256').update(a, 'utf8').digest()
  const right = createHash('sha256').update(b, 'utf8').digest()
  return timingSafeEqual(left, right)
}

/** SHA-256 as base64url: the only form in which a token may be used as a key or logged. */
export function fingerprint(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url')
}
