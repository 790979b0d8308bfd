import { isPolytokenError, type Clock, type Store } from '@polytoken/core'
import { createAddressGuard, createLoginThrottle, type Attempt, type ThrottleSecret } from '@polytoken/login-throttle'
import { oauth } from './envelope.js'
import { normalizeUsername } from './users.js'
import type { BruteForceOptions } from './options.js'

/**
 * The password grant's brute-force protection: core's login throttle (per
 * username and address, per address, and a slowdown per username, counted
 * in the store), its 429 carrying RFC 6749's closest code, invalid_grant, for
 * clients that read `error`. Plus per-address limits on failed client
 * authentication and on inactive introspections (guessing client secrets or
 * tokens), counted the same way.
 */
export function createBruteForceGuard(store: Store, clock: Clock, secret: ThrottleSecret, options: Required<BruteForceOptions>) {
  const windowMs = options.windowSec * 1000
  const throttle = createLoginThrottle(store, clock, {
    secret,
    windowMs,
    maxPerAccountAddress: options.maxPerUsernameAddress,
    maxPerAddress: options.maxPerAddress,
    slowAccountAfter: options.slowUsernameAfter,
    slowMaxMs: options.slowMaxSec * 1000,
  })
  const asOAuth = (error: unknown): never => {
    throw isPolytokenError(error) && error.code === 'ERR_RATE_LIMITED' ? oauth('invalid_grant', error) : error
  }
  return {
    /** Before the password is hashed; settle the attempt with what the hash found. */
    reserve: (username: string, ip: string): Promise<Attempt> => throttle.reserve(normalizeUsername(username), ip).catch(asOAuth),
    clients: createAddressGuard(store, clock, { secret, label: 'zazz-client', maxPerAddress: options.maxClientFailuresPerAddress, windowMs }),
    introspection: createAddressGuard(store, clock, { secret, label: 'zazz-introspect', maxPerAddress: options.maxInactiveIntrospectionsPerAddress, windowMs }),
  }
}

export type BruteForceGuard = ReturnType<typeof createBruteForceGuard>
