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
  /** More keys `revoke(key)` finds the entry by, e.g. its subject, to drop every cached token of one user at once. */
  revokeKeys?: string[]
}

export type Verifier<T> = (credential: string) => Promise<Verified<T>>

export interface VerificationCache {
  /**
   * Verify through the cache. `scope` separates verifiers (one per dialect and
   * credential kind) so one verifier's result never answers for another's.
   * Concurrent calls for one credential share one verification.
   */
  verify<T>(scope: string, credential: string, verifier: Verifier<T>): Promise<T>
  /** Drop every cached verification of the token with this jti, or with this among its revokeKeys. */
  revoke(jti: string): void
  readonly size: number
  clear(): void
}

interface Entry {
  value: unknown
  jti: string | undefined
  revokeKeys?: string[]
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
      for (const revokeKey of revocationKeys(verified)) {
        let keys = byJti.get(revokeKey)
        if (!keys) byJti.set(revokeKey, (keys = new Set()))
        keys.add(key)
      }
      return { value: verified.value, jti: verified.jti, ...(verified.revokeKeys ? { revokeKeys: verified.revokeKeys } : {}) }
    },
    dispose: (entry, key) => {
      for (const revokeKey of revocationKeys(entry)) {
        const keys = byJti.get(revokeKey)
        keys?.delete(key)
        if (keys?.size === 0) byJti.delete(revokeKey)
      }
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

/** Every key `revoke()` finds an entry by: its jti and its revokeKeys. */
function revocationKeys(entry: { jti?: string | undefined; revokeKeys?: string[] | undefined }): string[] {
  const keys = entry.revokeKeys ? [...entry.revokeKeys] : []
  if (entry.jti) keys.push(entry.jti)
  return keys
}
