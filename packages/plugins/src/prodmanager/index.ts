import { createJwtSigner, createJwtVerifier, defineDialect } from '@polytoken/core'
import { createAddressGuard } from '@polytoken/login-throttle'
import { resolveOptions, type ProdManagerOptions } from './options.js'
import { errorSchema, renderError } from './envelope.js'
import { createRecords } from './records.js'
import type { ProdManagerParts } from './parts.js'
import { createTokenRoute } from './create-route.js'
import { whoamiRoute } from './whoami-route.js'
import { listRoute, revokeRoute } from './admin-routes.js'
import { createAdminTokens } from './admin-tokens.js'

export type { ProdManagerOptions } from './options.js'
export { prodmanagerOptionsSchema } from './options-schema.js'
export type { TokenRecord } from './records.js'

/** ProdManager application tokens: POST /token/create, GET /token/whoami, plus list and revoke. */
export function prodmanager(options: ProdManagerOptions) {
  const resolved = resolveOptions(options)
  return defineDialect({
    name: 'prodmanager',
    description: 'ProdManager application tokens (HS256 JWT)',
    errorSchema,
    async setup(services) {
      const ring = await services.keyRing({ name: 'signing', algorithm: 'HS256', keys: resolved.keys })
      const parts: ProdManagerParts = {
        signer: createJwtSigner(ring),
        verify: createJwtVerifier(ring, { issuer: resolved.issuer, requiredClaims: ['jti', 'nbf', 'iat'], now: services.clock }),
        records: createRecords(services.store, services.clock),
        secretGuard: createAddressGuard(services.store, services.clock, {
          secret: () => services.deploymentKey('throttle-keys'),
          label: 'prodmanager-secret',
          maxPerAddress: resolved.maxSecretFailuresPerAddress,
          windowMs: resolved.secretFailureWindowMs,
        }),
      }
      return {
        routes: [createTokenRoute(resolved, parts), whoamiRoute(resolved, parts), listRoute(resolved, parts), revokeRoute(resolved, parts)],
        renderError: (error, request) => renderError(error, request, resolved.realm),
        /** `polytoken tokens list|revoke prodmanager`: the records and the revocation the admin routes use. */
        admin: { tokens: createAdminTokens(parts.records, services) },
      }
    },
  })
}
