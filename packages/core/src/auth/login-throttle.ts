import { RateLimited } from '../errors.js'
import type { Store } from '../storage/store.js'
import { fingerprint } from '../util/secrets.js'
import type { Clock } from '../util/time.js'

export interface LoginThrottleOptions {
  /** Counting window, ms. Default 15 minutes. */
  windowMs?: number
  /** Password attempts per username per window before the lock. Default 10. */
  maxPerUsername?: number
  /** Failed password attempts per client address per window before the lock. Default 50. */
  maxPerAddress?: number
  /** How long a lock lasts, ms. Default 15 minutes. */
  lockMs?: number
}

export interface LoginThrottle {
  /** Before the password is checked: throws RateLimited while locked, counts the attempt against the username. */
  before(username: string, ip: string): Promise<void>
  /** After a wrong password (or unknown user): counts the failure against the address. */
  failed(ip: string): Promise<void>
  /** After a right password: the username's count starts again. */
  succeeded(username: string): Promise<void>
}

/**
 * Password-guessing protection counted in the store, so every instance sees
 * the same numbers. Per username, every attempt is counted *before* the
 * password is checked (store.increment is atomic), so a burst of parallel
 * guesses cannot slip past the limit while the hashes run; a success clears
 * it. Per address, only failures count, so many people behind one NAT who
 * know their passwords are not locked out together. Over either limit: locked
 * for lockMs, RateLimited with Retry-After, whether the user exists or not.
 * Keys are fingerprints: the store never holds a username or address in clear.
 */
export function createLoginThrottle(store: Store, clock: Clock, options: LoginThrottleOptions = {}): LoginThrottle {
  const windowMs = options.windowMs ?? 15 * 60_000
  const lockMs = options.lockMs ?? 15 * 60_000
  const maxPerUsername = options.maxPerUsername ?? 10
  const maxPerAddress = options.maxPerAddress ?? 50
  const userKey = (username: string) => `u:${fingerprint(username)}`
  const addressKey = (ip: string) => `a:${fingerprint(ip || 'unknown')}`

  async function lock(key: string): Promise<never> {
    const until = clock() + lockMs
    // The first to cross the line sets the time; later crossings keep it.
    if (!(await store.add(`throttle:lock:${key}`, until, lockMs))) {
      throw limited((await store.get<number>(`throttle:lock:${key}`)) ?? until, clock())
    }
    throw limited(until, clock())
  }

  return {
    async before(username, ip) {
      const user = userKey(username)
      const [userLock, addressLock] = await Promise.all([store.get<number>(`throttle:lock:${user}`), store.get<number>(`throttle:lock:${addressKey(ip)}`)])
      const now = clock()
      const until = Math.max(userLock ?? 0, addressLock ?? 0)
      if (until > now) throw limited(until, now)
      if ((await store.increment(`throttle:${user}`, windowMs)) > maxPerUsername) await lock(user)
    },
    async failed(ip) {
      const address = addressKey(ip)
      if ((await store.increment(`throttle:${address}`, windowMs)) >= maxPerAddress) {
        await store.add(`throttle:lock:${address}`, clock() + lockMs, lockMs)
      }
    },
    async succeeded(username) {
      await store.delete(`throttle:${userKey(username)}`)
    },
  }
}

function limited(until: number, now: number): RateLimited {
  const seconds = Math.max(1, Math.ceil((until - now) / 1000))
  return new RateLimited(`too many failed login attempts; retry after ${seconds} seconds`, { headers: { 'Retry-After': String(seconds) } })
}
