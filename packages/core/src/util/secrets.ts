import { createHash, timingSafeEqual } from 'node:crypto'

/**
 * Constant-time string comparison. Both sides are hashed first so that neither the length nor the content leaks
 * through timing. For a secret compared on every request, build its secretMatcher once instead.
 */
export function safeEqual(a: string, b: string): boolean {
  return secretMatcher([b])(a)
}

/**
 * Compare candidates against fixed secrets (one, or several during a rotation) in constant time: the secrets are
 * hashed once, here; each candidate once per call, and compared with every secret so the timing does not tell which
 * one matched.
 */
export function secretMatcher(secrets: readonly string[]): (candidate: string) => boolean {
  const digests = secrets.map((secret) => createHash('sha256').update(secret, 'utf8').digest())
  return (candidate) => {
    const digest = createHash('sha256').update(candidate, 'utf8').digest()
    let ok = false
    for (const expected of digests) ok = timingSafeEqual(digest, expected) || ok
    return ok
  }
}

/** SHA-256 as base64url: the only form in which a token may be used as a key or logged. */
export function fingerprint(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url')
}
