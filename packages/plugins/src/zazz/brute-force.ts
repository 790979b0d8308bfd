import { createLoginThrottle, isPolytokenError, type Clock, type Store } from '@polytoken/core'
import { oauth } from './envelope.js'
import { normalizeUsername } from './users.js'
import type { BruteForceOptions } from './options.js'

/**
 * The password grant's brute-force protection: core's login throttle (per
 * username before the hash, per address on failure, counted in the store),
 * its 429 carrying RFC 6749's closest code, invalid_grant, for clients that
 * read `error`.
 */
export function createBruteForceGuard(store: Store, clock: Clock, options: Required<BruteForceOptions>) {
  const throttle = createLoginThrottle(store, clock, {
    windowMs: options.windowSec * 1000,
    lockMs: options.lockSec * 1000,
    maxPerUsername: options.maxPerUsername,
    maxPerAddress: options.maxPerAddress,
  })
  const asOAuth = (error: unknown) => {
    throw isPolytokenError(error) && error.code === 'ERR_RATE_LIMITED' ? oauth('invalid_grant', error) : error
  }
  return {
    before: (username: string, ip: string) => throttle.before(normalizeUsername(username), ip).catch(asOAuth),
    failed: (ip: string) => throttle.failed(ip).catch(asOAuth),
    succeeded: (username: string) => throttle.succeeded(normalizeUsername(username)),
  }
}

export type BruteForceGuard = ReturnType<typeof createBruteForceGuard>
