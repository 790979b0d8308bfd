/** The longest ttl any backend is given: 100 years (Redis refuses expiry times that overflow). */
export const MAX_TTL_MS = 100 * 365 * 24 * 60 * 60 * 1000

/**
 * A ttl every backend accepts: whole milliseconds, at least 1 (0 would mean
 * "forever" to keyv), at most MAX_TTL_MS. undefined and Infinity: no expiry.
 */
export function normalizeTtl(ttlMs: number | undefined): number | undefined {
  if (ttlMs === undefined || ttlMs === Infinity) return undefined
  if (Number.isNaN(ttlMs)) throw new TypeError('ttlMs must be a number of milliseconds')
  return Math.min(MAX_TTL_MS, Math.max(1, Math.ceil(ttlMs)))
}

/** The step of an increment: a safe integer (1 when absent). */
export function normalizeStep(by: number | undefined): number {
  if (by === undefined) return 1
  if (!Number.isSafeInteger(by)) throw new TypeError('increment: by must be a safe integer')
  return by
}

/** Store prefixes and namespace names end up in keys, LIKE patterns and SCAN patterns: keep them plain. */
export const STORE_NAME = /^[A-Za-z0-9_.-]*$/
