import { createJwtSigner, createJwtVerifier, defineDialect } from '@polytoken/core'
import { resolveOptions, type TokenGeneratorOptions } from './options.js'
import { errorSchema, renderError } from './envelope.js'
import { sessionAuth } from './session.js'
import { tokenRoute } from './token-route.js'

export type { TokenGeneratorOptions } from './options.js'
export { tokenGeneratorOptionsSchema } from './options-schema.js'
export { defaultPermissionSchema } from './permission-schema.js'

/** TokenGenerator: POST /api/v1/token exchanges an HS256 session token for a token carrying abilities. */
export function tokenGenerator(options: TokenGeneratorOptions) {
  const resolved = resolveOptions(options)
  return defineDialect({
    name: 'token-generator',
    description: 'TokenGenerator: session token + permission → abilities token (HS256 JWT)',
    errorSchema,
    async setup(services) {
      const session = await services.keyRing({ name: 'session', algorithm: 'HS256', keys: resolved.sessionKeys, generate: false, path: 'token-generator.sessionKeys' })
      const resource = await services.keyRing({ name: 'resource', algorithm: 'HS256', keys: resolved.resourceKeys, generate: false, path: 'token-generator.resourceKeys' })
      const verify = createJwtVerifier(session, {
        requiredClaims: resolved.requiredClaims,
        clockToleranceSec: resolved.clockToleranceSec,
        now: services.clock,
      })
      // The document's tokens carry no kid: the header is {"typ":"JWT","alg":"HS256"} unless a kid is configured.
      const signer = createJwtSigner(resource, { kid: resolved.resourceKid })
      return {
        routes: [tokenRoute(resolved, sessionAuth({ realm: resolved.realm, verify }), { signer })],
        renderError: (error, request) => renderError(error, request, resolved.realm),
      }
    },
  })
}
