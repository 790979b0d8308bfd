import { RateLimited, fingerprint, type Clock, type Store } from '@polytoken/core'
import { oauth } from './envelope.js'
import { normalizeUsername } from './users.js'
import type { BruteForceOptions } from './options.js'

/**
 * Password-grant throttling, counted in the store so every instance sees the
 * same numbers. Per username, every attempt is counted *before* the password
 * is checked (store.increment is atomic), so a burst of parallel guesses
 * cannot slip past the limit while the hashes run; a success clears it.
 * Per address, only failures count, so many people behind one NAT who know
 * their passwords are not locked out together. Over either limit: locked for
 * lockSec, answered 429 with Retry-After, whether the user exists or not.
 */
export function createBruteForceGuard(store: Store, clock: Clock, options: Required<BruteForceOptions>) {
  const windowMs = options.windowSec * 1000
  const lockMs = options.lockSec * 1000
  const userKey = (username: string) => fingerprint(normalizeUsername(username))
  const addressKey = (ip: string) => fingerprint(ip || 'unknown')

  async function lock(key: string): Promise<never> {
    const until = clock() + lockMs
    // The first to cross the line sets the time; later crossings keep it.
    if (!(await store.add(`bf:lock:${key}`, until, lockMs))) {
      const existing = await store.get<number>(`bf:lock:${key}`)
      throw limited(existing ?? until, clock())
    }
    throw limited(until, clock())
  }

  return {
    /** Before the password is checked: throws when locked, counts the attempt against the username. */
    async before(username: string, ip: string): Promise<void> {
      const user = userKey(username)
      const address = addressKey(ip)
      const [userLock, addressLock] = await Promise.all([store.get<number>(`bf:lock:u:${user}`), store.get<number>(`bf:lock:a:${address}`)])
      const now = clock()
      const until = Math.max(userLock ?? 0, addressLock ?? 0)
      if (until > now) throw limited(until, now)
      if ((await store.increment(`bf:u:${user}`, windowMs)) > options.maxPerUsername) await lock(`u:${user}`)
    },
    async failed(ip: string): Promise<void> {
      const address = addressKey(ip)
      if ((await store.increment(`bf:a:${address}`, windowMs)) >= options.maxPerAddress) await store.add(`bf:lock:a:${address}`, clock() + lockMs, lockMs)
    },
    async succeeded(username: string): Promise<void> {
      await store.delete(`bf:u:${userKey(username)}`)
    },
  }
}

export type BruteForceGuard = ReturnType<typeof createBruteForceGuard>

function limited(until: number, now: number): RateLimited {
  const seconds = Math.max(1, Math.ceil((until - now) / 1000))
  return oauth('invalid_grant', new RateLimited(`too many failed login attempts; retry after ${seconds} seconds`, { headers: { 'Retry-After': String(seconds) } }))
}
