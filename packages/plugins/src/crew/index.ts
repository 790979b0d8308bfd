import { defineDialect, type RingKey } from '@polytoken/core'
import { createAddressGuard } from '@polytoken/login-throttle'
import { libtrustKeyId } from './libtrust-kid.js'
import { resolveOptions, type CrewOptions } from './options.js'
import { errorSchema, renderError } from './envelope.js'
import { loadCertificate } from './certificate.js'
import { createCrewUsers, createDirectory } from './users.js'
import { createCrewAdminUsers } from './admin-users.js'
import { createRotatingSigner } from './rotating-signer.js'
import { createRefreshTokens } from './refresh-tokens.js'
import type { CrewParts } from './issue.js'
import { getTokenRoute } from './get-route.js'
import { postTokenRoute } from './post-route.js'
import { revokeRoute } from './revoke-route.js'
import { createAdminTokens } from './admin-tokens.js'

export type { CrewOptions, CrewUserConfig } from './options.js'
export { crewOptionsSchema } from './options-schema.js'
export type { PolicyRule, Access } from './policy.js'
export type { CrewCertificate } from './certificate.js'
export type { CrewClaims } from './issue.js'
export type { Scope } from './scope.js'
export { parseScope, parseScopes, formatScope, ScopeSyntaxError } from './scope.js'
export { createPolicy } from './policy.js'
export { createCrewUsers, type CrewUsers } from './users.js'
export { createRefreshTokens, type RefreshTokens, type RefreshRecord } from './refresh-tokens.js'

/** crew: a Docker-registry token service (crew.md + the Docker token protocol) on /v1/token. */
export function crew(options: CrewOptions) {
  const resolved = resolveOptions(options)
  return defineDialect({
    name: 'crew',
    description: 'Docker registry token service (ES256 JWT, libtrust kid)',
    errorSchema,
    async setup(services) {
      const ring = await services.keyRing({ name: 'signing', algorithm: resolved.algorithm, kid: libtrustKeyId, keys: resolved.keys })
      const certificateOf = (key: RingKey) =>
        loadCertificate(key, { store: services.store, subject: resolved.certificateSubject, lifetimeDays: resolved.certificateLifetimeDays, now: services.clock() })
      const certificate = await certificateOf(ring.active)
      const throttleSecret = () => services.deploymentKey('throttle-keys')
      const parts: CrewParts = {
        certificate,
        signer: createRotatingSigner(ring, { x5c: resolved.x5c, certificate: certificateOf }),
        directory: await createDirectory(resolved.users, services, { hashing: resolved.passwordHashing, loginAttempts: resolved.loginAttempts, throttleSecret }),
        revokeGuard: createAddressGuard(services.store, services.clock, {
          secret: throttleSecret,
          label: 'crew-revoke',
          maxPerAddress: resolved.loginAttempts.maxRevokeFailuresPerAddress,
          windowMs: resolved.loginAttempts.windowMs,
        }),
        refresh: createRefreshTokens(services.store, services.clock, resolved.refreshTokenLifetimeSec * 1000),
      }
      await resolved.onCertificate?.(certificate)
      return {
        routes: [getTokenRoute(resolved, parts), postTokenRoute(resolved, parts), revokeRoute(parts)],
        renderError: (error, request) => renderError(error, request, resolved.realm),
        /**
         * `polytoken users` (docs/cli.md): the store users, hashed at this dialect's cost; configured ones are listed,
         * never changed. `polytoken tokens`: refresh tokens by fingerprint. `polytoken keys certificate`: a key's
         * certificate for the registry's bundle.
         */
        admin: {
          users: createCrewAdminUsers(createCrewUsers(services.store, resolved.passwordHashing), Object.keys(resolved.users)),
          tokens: createAdminTokens(parts.refresh, services),
          // `polytoken keys certificate`: made and stored on first use, so tokens with x5c carry this same certificate.
          certificate: async (kid) => {
            const key = ring.find(kid)
            return key === undefined ? undefined : (await certificateOf(key)).pem
          },
        },
      }
    },
  })
}
