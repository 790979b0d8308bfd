import { AuthInvalid, ConfigInvalid, decoyPasswordHash, hashPassword, randomString, type DialectServices, type PasswordHashOptions, type Store } from '@polytoken/core'
import { createLoginThrottle, type Attempt, type ThrottleSecret } from '@polytoken/login-throttle'
import { ACCOUNT_PATTERN, type CrewUserConfig, type ResolvedCrewOptions } from './options.js'

const ACCOUNT = new RegExp(ACCOUNT_PATTERN)
const USER = 'user:'

interface StoredUser {
  passwordHash: string
  /**
   * The login epoch: random, new at every put (a new password) and for a user
   * removed and put again. Refresh tokens carry the epoch they were issued at
   * and are refused once it is not the user's current one. Absent on older records.
   */
  epoch?: string
}

/**
 * Users kept in the store, for operators: `createCrewUsers(router.runtime.store.namespace('crew'))`.
 * Passwords are hashed with scrypt before they reach the store.
 */
export function createCrewUsers(store: Store, hashing: PasswordHashOptions = {}) {
  const record = async (name: string, password: string): Promise<StoredUser> => {
    if (!ACCOUNT.test(name)) throw new ConfigInvalid('crew user name: letters, digits and . _ @ + - (at most 128)')
    if (typeof password !== 'string' || password.length === 0) throw new ConfigInvalid('crew user password: a non-empty string')
    // A new epoch: every refresh token issued before this password is refused from now on.
    return { passwordHash: await hashPassword(password, hashing), epoch: randomString(16) }
  }
  return {
    /** Create or replace the user. */
    async put(name: string, password: string): Promise<void> {
      await store.set<StoredUser>(USER + name, await record(name, password))
    },
    /** Create the user; false (nothing written) when the name is taken. */
    async create(name: string, password: string): Promise<boolean> {
      return store.add<StoredUser>(USER + name, await record(name, password))
    },
    /** Change an existing user's password; false (nothing written, not even a user) when there is no such user. */
    async setPassword(name: string, password: string): Promise<boolean> {
      const next = await record(name, password)
      // update(), not set(): a user removed meanwhile is not brought back by a late password change.
      const written = await store.update<StoredUser>(USER + name, (current) => (current === undefined ? undefined : next))
      return written?.epoch === next.epoch
    },
    /** True when the user existed. Their refresh tokens stop working at once (refresh checks the user), also after a later put of the same name. */
    remove: (name: string): Promise<boolean> => store.delete(USER + name),
    async exists(name: string): Promise<boolean> {
      return (await store.get<StoredUser>(USER + name)) !== undefined
    },
    /** Every store user's name (for listings: never the hash). */
    async *names(): AsyncIterable<string> {
      for await (const [key] of store.entries<StoredUser>(USER)) yield key.slice(USER.length)
    },
  }
}

export type CrewUsers = ReturnType<typeof createCrewUsers>

export interface Directory {
  /** The account on success; AuthInvalid (never saying which part was wrong) or RateLimited otherwise. */
  authenticate(username: string, password: string, services: DialectServices, ip: string): Promise<string>
  exists(name: string): Promise<boolean>
  /** The account's login epoch ('' for configured users, who change only with the configuration); undefined when there is no such account. */
  loginEpoch(name: string): Promise<string | undefined>
}

/** Configured users (hashed once, here) first, then the store's. */
export async function createDirectory(
  configured: Record<string, CrewUserConfig>,
  services: Pick<DialectServices, 'store' | 'clock' | 'passwords'>,
  options: { hashing: PasswordHashOptions; loginAttempts: ResolvedCrewOptions['loginAttempts']; throttleSecret: ThrottleSecret },
): Promise<Directory> {
  const { store, passwords } = services
  const hashes = new Map<string, string>()
  for (const [name, user] of Object.entries(configured)) {
    hashes.set(name, user.passwordHash ?? (await hashPassword(user.password!, options.hashing)))
  }
  const stored = createCrewUsers(store, options.hashing)
  const limits = options.loginAttempts
  const throttle = createLoginThrottle(store, services.clock, {
    secret: options.throttleSecret,
    windowMs: limits.windowMs,
    maxPerAccountAddress: limits.max,
    maxPerAddress: limits.maxPerAddress,
    slowAccountAfter: limits.slowAccountAfter,
    slowMaxMs: limits.slowMaxMs,
  })
  const invalid = () => new AuthInvalid('incorrect username or password', { location: 'header', field: 'authorization' })

  async function check(username: string, password: string, ip: string, stored: string | undefined): Promise<string> {
    // A place in the hashing queue first: a burst is shed here (503, Retry-After) before it costs a reservation or a hash.
    const place = passwords.admit()
    let found: { ok: boolean; attempt: Attempt }
    try {
      // Reserved in the hashing slot, just before the hash: few attempts are ever in flight at once.
      found = await place.run(async (verify) => {
        const attempt = await throttle.reserve(username, ip)
        try {
          const hash = hashes.get(username) ?? stored
          // Unknown users cost one scrypt too, so timing does not tell who exists.
          return { ok: (await verify(password, hash ?? (await decoyPasswordHash(options.hashing)))) && hash !== undefined, attempt }
        } catch (error) {
          await attempt.abandoned()
          throw error
        }
      })
    } finally {
      place.cancel()
    }
    await (found.ok ? found.attempt.succeeded() : found.attempt.failed())
    if (!found.ok) throw invalid()
    return username
  }

  return {
    async authenticate(username, password, services, ip) {
      if (!ACCOUNT.test(username)) throw invalid()
      // A lock holds for a remembered password too: checked before the cache can answer.
      await throttle.check(username, ip)
      // The store user's hash is read on every request (configured users never change while we run) and is part of
      // the cache key: a password changed or a user removed by another process (`polytoken users`) is refused on the
      // next request, while an unchanged one still costs one scrypt per cache window, not per request (Docker
      // sends Basic on every token call).
      const stored = hashes.has(username) ? undefined : (await store.get<StoredUser>(USER + username))?.passwordHash
      return services.cache.verify('crew:password', `${username}\u0000${stored ?? ''}\u0000${password}`, async () => ({
        value: await check(username, password, ip, stored),
        expiresAt: services.clock() + 60_000,
      }))
    },
    async exists(name) {
      return hashes.has(name) || (await stored.exists(name))
    },
    async loginEpoch(name) {
      if (hashes.has(name)) return ''
      const user = await store.get<StoredUser>(USER + name)
      return user === undefined ? undefined : (user.epoch ?? '')
    },
  }
}
