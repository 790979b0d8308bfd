import type { Store } from '../storage/store.js'
import type { Clock } from '../util/time.js'
import { createFailureBudget, type Attempt, type FailureLimit } from './failure-budget.js'
import { createThrottleKeys, throttleAddress } from './throttle-key.js'

export interface LoginThrottleOptions {
  /** HMAC key of the store keys: `await services.deploymentKey('login-throttle')`. */
  secret: Buffer
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

  const limits = (account: string, ip: string): FailureLimit[] => {
    const address = throttleAddress(ip)
    return [
      { key: keyOf('login-account-address', account, address), max: maxPerAccountAddress },
      { key: keyOf('login-address', address), max: maxPerAddress },
      { key: keyOf('login-account', account), slowAfter: slowAccountAfter },
    ]
  }

  return {
    check: (account, ip) => budget.check(limits(account, ip)),
    reserve: (account, ip) => budget.reserve(limits(account, ip)),
  }
}
