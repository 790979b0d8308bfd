import { createHmac, randomBytes } from 'node:crypto'
import { LRUCache } from 'lru-cache'

export interface VerificationCacheOptions {
  /** Most entries held at once. Default 10 000. */
  max?: number
  /**
   * Longest an entry lives, whatever the token's exp (ms). This bounds how
   * long a revocation made on another instance can go unnoticed here.
   * Default 5 000.
   */
  maxTtlMs?: number
}

/** What a verifier returns: the principal, and when the token stops being valid. */
export interface Verified<T> {
  value: T
  /** Epoch milliseconds; the entry never outlives it. */
  expiresAt: number
  /** Lets `revoke(jti)` find the entry. */
  jti?: string
}

export type Verifier<T> = (credential: string) => Promise<Verified<T>>

export interface VerificationCache {
  /**
   * Verify through the cache. `scope` separates verifiers (one per dialect and
   * credential kind) so one verifier's result never answers for another's.
   * Concurrent calls for one credential share one verification.
   */
  verify<T>(scope: string, credential: string, verifier: Verifier<T>): Promise<T>
  /** Drop every cached verification of the token with this jti. */
  revoke(jti: string): void
  readonly size: number
  clear(): void
}

interface Entry {
  value: unknown
  jti: string | undefined
}

export function createVerificationCache(options: VerificationCacheOptions = {}): VerificationCache {
  const maxTtlMs = options.maxTtlMs ?? 5_000
  const byJti = new Map<string, Set<string>>()
  // Keys are an HMAC-SHA-256 under a key that never leaves this process: a
  // dumped cache holds no hash of a credential that could be tested offline
  // (credentials here include passwords, not only high-entropy tokens).
  const keyKey = randomBytes(32)
  const cacheKey = (scope: string, credential: string) => `${scope}:${createHmac('sha256', keyKey).update(credential, 'utf8').digest('base64url')}`

  const cache = new LRUCache<string, Entry, { credential: string; verifier: Verifier<unknown> }>({
    max: options.max ?? 10_000,
    ttl: maxTtlMs,
    ttlAutopurge: false,
    // Keyed by an HMAC (cacheKey): the cache never holds a usable credential.
    fetchMethod: async (key, _stale, { context, options: setOptions }) => {
      const verified = await context.verifier(context.credential)
      const ttl = Math.min(maxTtlMs, verified.expiresAt - Date.now())
      if (ttl <= 0) {
        setOptions.ttl = 1
        return { value: verified.value, jti: verified.jti }
      }
      setOptions.ttl = ttl
      if (verified.jti) {
        let keys = byJti.get(verified.jti)
        if (!keys) byJti.set(verified.jti, (keys = new Set()))
        keys.add(key)
      }
      return { value: verified.value, jti: verified.jti }
    },
    dispose: (entry, key) => {
      if (!entry.jti) return
      const keys = byJti.get(entry.jti)
      keys?.delete(key)
      if (keys?.size === 0) byJti.delete(entry.jti)
    },
  })

  return {
    async verify<T>(scope: string, credential: string, verifier: Verifier<T>): Promise<T> {
      const key = cacheKey(scope, credential)
      const hit = cache.get(key)
      if (hit) return hit.value as T
      // The credential reaches the verifier through the fetch context; it is never stored.
      const entry = await cache.fetch(key, { context: { credential, verifier: verifier as Verifier<unknown> } })
      return entry!.value as T
    },
    revoke(jti) {
      const keys = byJti.get(jti)
      if (!keys) return
      for (const key of [...keys]) cache.delete(key)
      byJti.delete(jti)
    },
    get size() {
      return cache.size
    },
    clear() {
      cache.clear()
      byJti.clear()
    },
  }
}
