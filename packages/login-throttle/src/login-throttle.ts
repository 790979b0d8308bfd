import type { Clock, Store } from '@polytoken/core'
import { createFailureBudget, type Attempt, type FailureLimit } from './failure-budget.js'
import { createThrottleKeys, throttleAddress, type ThrottleSecret } from './throttle-key.js'

export interface LoginThrottleOptions {
  /** HMAC key of the store keys: `() => services.deploymentKey('throttle-keys')`. */
  secret: ThrottleSecret
  /** Counting window, ms. Default 15 minutes. */
  windowMs?: number
  /** Failed logins of one account from one address per window; the next is refused until the window ends. Default 10. */
  maxPerAccountAddress?: number
  /** Failed logins from one address, whatever the accounts, per window; then refused until the window ends. Default 50. */
  maxPerAddress?: number
  /**
   * Failed logins of one account from all addresses per window after which
   * its logins are slowed down (one per delay, the delay doubling per further
   * failure, from slowBaseMs up to slowMaxMs), never locked outright. Default 100.
   */
  slowAccountAfter?: number
  /** First delay of a slowed-down account, ms. Default 1 000. */
  slowBaseMs?: number
  /** Longest delay of a slowed-down account, ms. Default 60 000. */
  slowMaxMs?: number
}

export interface LoginThrottle {
  /** Throws RateLimited while this account may not log in from this address; reserves nothing (for a cached credential). */
  check(account: string, ip: string): Promise<void>
  /** Before the password is hashed: reserves the attempt (RateLimited when refused); settle it with what the hash found. */
  reserve(account: string, ip: string): Promise<Attempt>
}

/**
 * Password-guessing protection after OWASP's authentication guidance: count
 * failures, not attempts (a burst of correct logins, a CI fleet sharing one
 * robot account, never locks anything), yet reserve before hashing so a
 * parallel burst of wrong guesses cannot run past a limit (failure-budget.ts).
 * Limits, narrowest first: one account from one address (low); one address
 * across accounts; one account across addresses only at a much higher count,
 * and then growing delays instead of a lock, so no single address can lock
 * an account for everyone else. The same answer whether the account exists
 * or not. Store keys are HMACs under a per-deployment key.
 */
export function createLoginThrottle(store: Store, clock: Clock, options: LoginThrottleOptions): LoginThrottle {
  const keyOf = createThrottleKeys(options.secret)
  const budget = createFailureBudget(store, clock, {
    windowMs: options.windowMs ?? 15 * 60_000,
    slowBaseMs: options.slowBaseMs ?? 1_000,
    slowMaxMs: options.slowMaxMs ?? 60_000,
  })
  const maxPerAccountAddress = options.maxPerAccountAddress ?? 10
  const maxPerAddress = options.maxPerAddress ?? 50
  const slowAccountAfter = options.slowAccountAfter ?? 100

  const limits = async (account: string, ip: string): Promise<FailureLimit[]> => {
    const address = throttleAddress(ip)
    const [pair, from, of] = await Promise.all([keyOf('login-account-address', account, address), keyOf('login-address', address), keyOf('login-account', account)])
    return [
      { key: pair, max: maxPerAccountAddress },
      { key: from, max: maxPerAddress },
      { key: of, slowAfter: slowAccountAfter },
    ]
  }

  return {
    check: async (account, ip) => budget.check(await limits(account, ip)),
    reserve: async (account, ip) => budget.reserve(await limits(account, ip)),
  }
}
