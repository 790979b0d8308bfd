import { defineAuthMethod, isPolytokenError, type AuthMethod, type Clock, type Store } from '@polytoken/core'
import { createFailureBudget, type Attempt } from './failure-budget.js'
import { createThrottleKeys, throttleAddress, type ThrottleSecret } from './throttle-key.js'

export interface AddressGuardOptions {
  /** HMAC key of the store keys: `() => services.deploymentKey('throttle-keys')`. */
  secret: ThrottleSecret
  /** What is guarded (`client-secret`, `app-secret`, ...): each has its own counters. */
  label: string
  /** Failed checks from one address per window; the next is refused (429, Retry-After) until the window ends. Default 20. */
  maxPerAddress?: number
  /** Counting window, ms. Default 15 minutes. */
  windowMs?: number
}

export interface AddressGuard {
  /**
   * Runs a cheap secret check (a constant-time compare), then judges it: an
   * AuthInvalid from it is a failure, anything else (or success) is not;
   * past the limit the answer is RateLimited, whatever the check found.
   */
  run<T>(ip: string, check: () => T | Promise<T>): Promise<T>
  /** For checks with an effect or a cost, reserved before they run; settle the attempt with what it found. */
  reserve(ip: string): Promise<Attempt>
}

/**
 * Guessing protection for secrets other than passwords (application
 * secrets, client secrets, refresh tokens presented for revocation): failed
 * checks counted per client address in the store, so across instances, with
 * the same failure budget as logins (failure-budget.ts): a parallel burst
 * cannot learn the outcome of more guesses than the limit. Over it: RateLimited, which each
 * dialect renders as 429 with Retry-After in its own envelope.
 */
export function createAddressGuard(store: Store, clock: Clock, options: AddressGuardOptions): AddressGuard {
  const keyOf = createThrottleKeys(options.secret)
  const budget = createFailureBudget(store, clock, { windowMs: options.windowMs ?? 15 * 60_000 })
  const max = options.maxPerAddress ?? 20
  const limits = async (ip: string) => [{ key: await keyOf(`guard-${options.label}`, throttleAddress(ip)), max }]
  async function run<T>(ip: string, check: () => T | Promise<T>): Promise<T> {
    let result: T
    try {
      result = await check()
    } catch (error) {
      if (isPolytokenError(error) && error.code === 'ERR_AUTH_INVALID') await budget.judge(await limits(ip), false)
      throw error
    }
    await budget.judge(await limits(ip), true)
    return result
  }
  return { run, reserve: async (ip) => budget.reserve(await limits(ip)) }
}

/** The same auth method, its verify run under the guard (read when a request arrives: guards are made in setup). */
export function withAddressGuard<P, C>(method: AuthMethod<P, C>, guard: () => AddressGuard): AuthMethod<P, C> {
  return defineAuthMethod<P, C>({ ...method, verify: (credential, context) => guard().run(context.request.ip, () => method.verify(credential, context)) })
}
