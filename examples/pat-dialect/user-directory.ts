/**
 * The users who may manage their tokens: a login and a password, checked with Basic. Passwords are hashed at start-up
 * (scrypt, core's hashPassword); every check takes a place in the runtime's hashing queue (services.passwords), an
 * unknown login costs a decoy hash (timing tells nobody who exists), and failed guesses are counted per account and
 * address (@polytoken/login-throttle).
 */
import { AuthInvalid, decoyPasswordHash, hashPassword, type DialectServices, type PasswordHashOptions } from '@polytoken/core'
import { createLoginThrottle, type Attempt } from '@polytoken/login-throttle'

export interface UserDirectory {
  /** The login, or AuthInvalid (RateLimited past the throttle's limits). */
  authenticate(login: string, password: string, ip: string): Promise<string>
}

export async function createUserDirectory(users: Record<string, string>, services: DialectServices, hashing: PasswordHashOptions): Promise<UserDirectory> {
  const hashes = new Map<string, string>()
  for (const [login, password] of Object.entries(users)) hashes.set(login, await hashPassword(password, hashing))
  const throttle = createLoginThrottle(services.store, services.clock, { secret: () => services.deploymentKey('pat-throttle') })
  const invalid = () => new AuthInvalid('incorrect username or password', { location: 'header', field: 'authorization' })

  return {
    async authenticate(login, password, ip) {
      // A place in the hashing queue first: a burst is shed (503) before it costs a reservation or a hash.
      const place = services.passwords.admit()
      let found: { ok: boolean; attempt: Attempt }
      try {
        found = await place.run(async (verify) => {
          const attempt = await throttle.reserve(login, ip)
          const hash = hashes.get(login)
          return { ok: (await verify(password, hash ?? (await decoyPasswordHash(hashing)))) && hash !== undefined, attempt }
        })
      } finally {
        place.cancel()
      }
      await (found.ok ? found.attempt.succeeded() : found.attempt.failed())
      if (!found.ok) throw invalid()
      return login
    },
  }
}
