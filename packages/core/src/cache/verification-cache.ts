import { createHmac, randomBytes } from 'node:crypto'
import { LRUCache } from 'lru-cache'

export interface VerificationCacheOptions {
  /** Most entries held at once. Default 10 000. */
  max?: number
  /**
   * Longest an entry lives, whatever the token's exp (ms). This bounds how long a revocation made on another instance
   * can go unnoticed here. Default 5 000.
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
   * Verify through the cache. `scope` separates verifiers (one per dialect and credential kind) so one verifier's
   * result never answers for another's. Concurrent calls for one credential share one verification, unless a
   * revocation came between them.
   */
  verify<T>(scope: string, credential: string, verifier: Verifier<T>): Promise<T>
  /**
   * Drop every cached verification of the token with this jti (or with this among its revokeKeys), and make sure no
   * verification still running keeps or hands out a result for it: once this returns, the next check of that token
   * runs the verifier again.
   */
  revoke(jti: string): void
  /** Hits and misses by scope since start (a miss runs or joins a verification): for metrics. */
  readonly lookups?: ReadonlyMap<string, CacheLookups>
  readonly size: number
  clear(): void
}

export interface CacheLookups {
  hits: number
  misses: number
}

interface Entry {
  value: unknown
  jti: string | undefined
  revokeKeys?: string[]
}

interface Running {
  promise: Promise<unknown>
  /** The revocation epoch when this verification started. */
  epoch: number
}

/** Revocations remembered for the verifications still running; past this many, see `forgottenBefore`. */
const MAX_REMEMBERED_REVOCATIONS = 10_000

export function createVerificationCache(options: VerificationCacheOptions = {}): VerificationCache {
  const maxTtlMs = options.maxTtlMs ?? 5_000
  const byJti = new Map<string, Set<string>>()
  // Keys are an HMAC-SHA-256 under a key that never leaves this process: a
  // dumped cache holds no hash of a credential that could be tested offline
  // (credentials here include passwords, not only high-entropy tokens).
  const keyKey = randomBytes(32)
  const cacheKey = (scope: string, credential: string) => `${scope}:${createHmac('sha256', keyKey).update(credential, 'utf8').digest('base64url')}`

  // A verifier reads the revocation store when it starts and tells the jti
  // only when it ends, so revoke() cannot find a verification in flight by
  // its jti. Instead every revoke() opens a new epoch: a verification that
  // started in an older epoch is not joined by later callers, and its result
  // is not cached if its jti was revoked after it started.
  let epoch = 0
  const revokedAt = new Map<string, number>()
  // Revocations older than this epoch may have been forgotten (the map is
  // bounded): a verification that started before it is not cached if any
  // revocation came while it ran.
  let forgottenBefore = 0
  let runningCount = 0
  const running = new Map<string, Running>()
  const lookups = new Map<string, CacheLookups>()

  const cache = new LRUCache<string, Entry>({
    max: options.max ?? 10_000,
    ttl: maxTtlMs,
    ttlAutopurge: false,
    dispose: (entry, key) => {
      for (const revokeKey of revocationKeys(entry)) {
        const keys = byJti.get(revokeKey)
        keys?.delete(key)
        if (keys?.size === 0) byJti.delete(revokeKey)
      }
    },
  })

  const revokedSince = (jti: string, started: number): boolean => {
    if (started === epoch) return false
    if (started < forgottenBefore) return true
    return (revokedAt.get(jti) ?? -1) > started
  }

  /** Cache a finished verification unless its token was revoked (by any of its keys) while it ran. */
  const remember = (key: string, verified: Verified<unknown>, started: number) => {
    // At least 1 ms: a verifier whose clock is not Date.now() may hand back an exp already
    // past here; such an entry lives 1 ms, as it always has.
    const ttl = Math.max(1, Math.min(maxTtlMs, verified.expiresAt - Date.now()))
    const revokeKeys = revocationKeys(verified)
    if (revokeKeys.some((revokeKey) => revokedSince(revokeKey, started))) return
    cache.set(key, { value: verified.value, jti: verified.jti, ...(verified.revokeKeys ? { revokeKeys: verified.revokeKeys } : {}) }, { ttl })
    for (const revokeKey of revokeKeys) {
      let keys = byJti.get(revokeKey)
      if (!keys) byJti.set(revokeKey, (keys = new Set()))
      keys.add(key)
    }
  }

  const start = (key: string, credential: string, verifier: Verifier<unknown>): Promise<unknown> => {
    const started = epoch
    runningCount++
    // Assigned below; the finally reads it only once the verification has settled.
    let promise: Promise<unknown> | undefined
    // eslint-disable-next-line prefer-const -- a verifier that throws synchronously runs the finally before the assignment: a const would throw there (TDZ)
    promise = (async () => {
      try {
        // The credential reaches the verifier here only; the cache keeps its HMAC.
        const verified = await verifier(credential)
        remember(key, verified, started)
        return verified.value
      } finally {
        if (running.get(key)?.promise === promise) running.delete(key)
        // No verification from before any remembered revocation is left: forget them.
        if (--runningCount === 0) revokedAt.clear()
      }
    })()
    running.set(key, { promise, epoch: started })
    return promise
  }

  return {
    async verify<T>(scope: string, credential: string, verifier: Verifier<T>): Promise<T> {
      const key = cacheKey(scope, credential)
      const hit = cache.get(key)
      let counts = lookups.get(scope)
      if (!counts) lookups.set(scope, (counts = { hits: 0, misses: 0 }))
      if (hit) {
        counts.hits++
        return hit.value as T
      }
      counts.misses++
      const shared = running.get(key)
      // A verification that started before a revocation may have read the store before it: do not join it.
      if (shared && shared.epoch === epoch) return (await shared.promise) as T
      return (await start(key, credential, verifier)) as T
    },
    revoke(jti) {
      epoch++
      if (runningCount > 0) {
        if (revokedAt.size >= MAX_REMEMBERED_REVOCATIONS) {
          revokedAt.clear()
          forgottenBefore = epoch
        }
        revokedAt.set(jti, epoch)
      }
      const keys = byJti.get(jti)
      if (!keys) return
      for (const key of [...keys]) cache.delete(key)
      byJti.delete(jti)
    },
    lookups,
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
