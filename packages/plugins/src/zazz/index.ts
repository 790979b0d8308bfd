import { createJwtSigner, createJwtVerifier, defineDialect, type PolyRequest, type PolytokenError } from '@polytoken/core'
import { createAccessTokens, userRevokeKey } from './access-tokens.js'
import { createAdminTokens } from './admin-tokens.js'
import { createBruteForceGuard } from './brute-force.js'
import { createClientDirectory } from './clients.js'
import { errorSchema, renderError } from './envelope.js'
import { introspectRoute } from './introspect-route.js'
import { meRoute } from './me-route.js'
import { resolveOptions, type ZazzOptions } from './options.js'
import { createRefreshTokens } from './refresh-tokens.js'
import { revokeRoute } from './revoke-route.js'
import type { ZazzParts } from './parts.js'
import { tokenRoute } from './token-route.js'
import { createUserView } from './user-view.js'
import { createZazzUsers, type ZazzUsers } from './users.js'
import { createZazzAdminUsers } from './admin-users.js'

export type { ZazzOptions, ZazzClientOptions, ZazzUserOptions, BruteForceOptions, GrantType, AccountType, PhotoLinks } from './options.js'
export { zazzOptionsSchema } from './options-schema.js'
export { createZazzUsers, normalizeUsername, type ZazzUsers, type UserRecord, type NewUser, type ZazzUsersOptions } from './users.js'

/**
 * Zazz: the OAuth 2 password and refresh grants of zazz.md, with rotation and
 * reuse detection, brute-force protection, RFC 7009 revocation, RFC 7662
 * introspection and GET /api/v1/me.
 */
export function zazz(options: ZazzOptions) {
  const resolved = resolveOptions(options)
  const directory = createClientDirectory(resolved.clients)
  return defineDialect({
    name: 'zazz',
    description: 'Zazz OAuth 2 password and refresh grants (RFC 6749, 7009, 7662, 9700)',
    errorSchema,
    async setup(services) {
      const ring = await services.keyRing({ name: 'access', algorithm: resolved.algorithm, keys: resolved.keys })
      const verify = createJwtVerifier(ring, {
        issuer: resolved.issuer,
        audience: resolved.audience,
        requiredClaims: ['jti', 'nbf', 'usr', 'client', 'fam'],
        now: services.clock,
      })
      const users = createZazzUsers(services.store, {
        passwordHash: resolved.passwordHash,
        // This instance forgets the user's cached tokens at once; others read the new epoch within their cache window.
        onLoginsEnded: (userId) => services.cache.revoke(userRevokeKey(userId)),
      })
      const refresh = createRefreshTokens(services.store, services.clock, {
        idleMs: resolved.refreshIdleTtlSec * 1000,
        absoluteMs: resolved.refreshAbsoluteTtlSec * 1000,
        accessTtlMs: resolved.accessTokenTtlSec * 1000,
        reuseGraceMs: resolved.refreshReuseGraceSec * 1000,
      })
      const parts: ZazzParts = {
        users,
        refresh,
        access: createAccessTokens(resolved, createJwtSigner(ring), verify, refresh),
        guard: createBruteForceGuard(services.store, services.clock, () => services.deploymentKey('throttle-keys'), resolved.bruteForce),
        view: createUserView(resolved.photoBaseUrl, resolved.placeholderImage),
      }
      for (const [index, user] of resolved.users.entries()) {
        try {
          await users.add(user, { update: true })
        } catch (error) {
          throw Object.assign(error as Error, { message: `zazz.users[${index}]: ${(error as Error).message}` })
        }
      }
      // The decoy hash is made now, so the first unknown-user login is not the one that pays for it.
      await users.warm()
      return {
        routes: [tokenRoute(resolved, directory, parts), revokeRoute(resolved, directory, parts), introspectRoute(resolved, directory, parts), meRoute(resolved, parts)],
        renderError: (error: PolytokenError, request: PolyRequest | undefined) => renderError(error, request, resolved.realm),
        /** `polytoken users` (docs/cli.md): the store users; configured ones are listed, never changed. `polytoken tokens`: login families by their family id. */
        admin: {
          users: createZazzAdminUsers(services.store, users, resolved.users),
          tokens: createAdminTokens(services.store, refresh, users, services, resolved.refreshAbsoluteTtlSec * 1000),
        },
        /**
         * This router's user directory (`router.runtime.instance(dialect).users`):
         * add, get, setPassword, endLogins, remove. Changing a password, ending
         * the logins or removing the user ends every login of the user, and
         * this router refuses their cached access tokens at once.
         */
        users: {
          add: (...args: Parameters<ZazzUsers['add']>) => users.add(...args),
          get: (userId: number) => users.get(userId),
          setPassword: (userId: number, password: string) => users.setPassword(userId, password),
          endLogins: (userId: number) => users.endLogins(userId),
          remove: (userId: number) => users.remove(userId),
        },
      }
    },
  })
}
