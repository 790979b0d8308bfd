import { ConfigInvalid } from '../errors.js'
import type { Logger } from '../util/logger.js'
import type { StoredKeys } from './stored-keys.js'

/** How often a runtime re-reads its stored key rings by default (docs/configuration.md#keyrefreshms). */
export const DEFAULT_KEY_REFRESH_MS = 10_000

export interface RefreshedRing {
  /** `zazz/access`, for log lines. */
  label: string
  stored: StoredKeys
}

export interface KeyRefresher {
  /** Re-read every ring now; resolves when done (a failure is logged, never thrown). */
  refresh(): Promise<void>
  stop(): void
}

export function checkKeyRefreshMs(value: unknown): number {
  if (value === undefined) return DEFAULT_KEY_REFRESH_MS
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 50 || value > 3_600_000) {
    throw new ConfigInvalid('keyRefreshMs: an integer number of milliseconds from 50 to 3600000')
  }
  return value
}

/**
 * Re-reads the stored rings every `intervalMs`, so a rotation made by the CLI (or another instance) reaches this
 * process within that bound. A read that fails keeps the keys this process has and is logged once until a read
 * works again. What a changed ring does (log, empty the verification cache) is the runtime's: see watchKeyRing.
 */
export function startKeyRefresher(rings: readonly RefreshedRing[], options: { intervalMs: number; logger: Logger }): KeyRefresher {
  const failing = new Set<string>()
  const refreshOne = async ({ label, stored }: RefreshedRing) => {
    try {
      await stored.refresh()
      if (failing.delete(label)) options.logger.info({ ring: label }, `key ring ${label} is read again`)
    } catch (error) {
      if (failing.has(label)) return
      failing.add(label)
      options.logger.warn({ ring: label, error: (error as Error).message }, `key ring ${label} could not be re-read; keeping the current keys`)
    }
  }
  // Passes run one after another; a tick while one runs is skipped (a slow store does not pile reads up), but an
  // explicit refresh() always runs a pass that starts after the call.
  let pending = 0
  let chain = Promise.resolve()
  const refresh = () => {
    pending++
    chain = chain.then(() => Promise.all(rings.map(refreshOne))).then(() => void pending--)
    return chain
  }
  const timer = rings.length > 0 ? setInterval(() => pending === 0 && void refresh(), options.intervalMs) : undefined
  // A CLI or a test that forgets close() still exits.
  timer?.unref()
  return {
    refresh,
    stop: () => clearInterval(timer),
  }
}

/**
 * Logs each change of a ring, and runs `onRetired` when a key left it (the runtime empties its verification cache
 * there, so no cached verification of a retired key's token outlives the moment this process knows).
 */
export function watchKeyRing({ label, stored }: RefreshedRing, options: { logger: Logger; onRetired: () => void }): void {
  stored.onChange(({ retired }) => {
    const kids = stored.current.map((loaded) => loaded.record.kid)
    options.logger.info({ ring: label, activeKid: kids[0], kids, retiredKids: retired }, `key ring ${label} changed: active key ${kids[0]}`)
    if (retired.length > 0) options.onRetired()
  })
}
