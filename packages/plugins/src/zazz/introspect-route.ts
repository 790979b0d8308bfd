import { AuthInvalid, defineRoute, isPolytokenError } from '@polytoken/core'
import { epochMatches } from './access-tokens.js'
import { clientAuth, type ClientDirectory } from './clients.js'
import { NO_STORE, oauth } from './envelope.js'
import type { ResolvedClient, ResolvedZazzOptions } from './options.js'
import { looksLikeJwt, tokenFormSchema } from './revoke-route.js'
import type { ZazzParts } from './parts.js'

const INACTIVE = { active: false }

/**
 * POST /api/v1/token/introspect (RFC 7662). Checked fresh, never from the
 * verification cache, so a revocation shows here at once on every instance.
 * A client sees its own tokens; one with `introspectAny` (a resource server)
 * sees every client's. Anything else is `{active: false}`.
 */
export function introspectRoute(options: ResolvedZazzOptions, directory: ClientDirectory, parts: ZazzParts) {
  const allowed = (asking: ResolvedClient, ownerId: string | undefined) => asking.introspectAny || ownerId === asking.id

  return defineRoute({
    method: 'POST',
    path: '/api/v1/token/introspect',
    summary: 'Token introspection (RFC 7662)',
    accepts: ['urlencoded'],
    limits: { fields: 16, fieldBytes: 8192 },
    auth: clientAuth(directory, options.realm, parts),
    schema: { body: tokenFormSchema },
    responses: {
      200: {
        description: 'Introspection response',
        schema: {
          type: 'object',
          required: ['active'],
          properties: {
            active: { type: 'boolean' },
            scope: { type: 'string' },
            client_id: { type: 'string' },
            username: { type: 'string' },
            token_type: { type: 'string' },
            exp: { type: 'integer' },
            iat: { type: 'integer' },
            nbf: { type: 'integer' },
            sub: { type: 'string' },
            aud: { type: 'string' },
            iss: { type: 'string' },
            jti: { type: 'string' },
          },
        },
      },
    },
    async handle({ request, input, principal }) {
      if (principal.client.secretDigest === undefined && !options.publicClientIntrospection) {
        // RFC 7662 §2.1: the caller must be authorized, and a public client's id is no proof of anything.
        throw oauth('invalid_client', new AuthInvalid('public clients may not introspect tokens (publicClientIntrospection)', { location: 'header', field: 'authorization' }))
      }
      const { token } = input.body
      // Inactive answers are counted per address: a client cannot probe tokens without limit.
      const attempt = await parts.guard.introspection.reserve(request.ip)
      const body = await (looksLikeJwt(token) ? access(token, principal.client) : refresh(token, principal.client)).catch(async (error: unknown) => {
        await attempt.abandoned()
        throw error
      })
      await (body.active ? attempt.succeeded() : attempt.failed())
      return { status: 200, headers: { ...NO_STORE }, body }
    },
  })

  async function access(token: string, asking: ResolvedClient): Promise<Record<string, unknown>> {
    const claims = await parts.access.check(token).catch((error: unknown) => {
      // A bad token is inactive; a store outage is a 503, not a confident "inactive".
      if (isPolytokenError(error) && error.status < 500) return undefined
      throw error
    })
    if (!claims) return INACTIVE
    const owner = directory.byNumber(claims.clientNumber)
    if (!owner || !allowed(asking, owner.id)) return INACTIVE
    const user = await parts.users.get(claims.userId)
    if (!user || !epochMatches(claims.epoch, user)) return INACTIVE
    return {
      active: true,
      scope: claims.scope.join(' '),
      client_id: owner.id,
      username: user.username,
      token_type: 'Bearer',
      exp: claims.exp,
      iat: claims.iat,
      nbf: claims.nbf,
      sub: String(claims.userId),
      aud: options.audience,
      iss: options.issuer,
      jti: claims.jti,
    }
  }

  async function refresh(token: string, asking: ResolvedClient): Promise<Record<string, unknown>> {
    const { live } = await parts.refresh.find(token)
    if (!live || !allowed(asking, live.client)) return INACTIVE
    const [revoked, user] = await Promise.all([parts.refresh.isFamilyRevoked(live.family), parts.users.get(live.userId)])
    if (revoked || !user || !epochMatches(live.epoch, user)) return INACTIVE
    return {
      active: true,
      scope: live.scope.join(' '),
      client_id: live.client,
      username: user.username,
      token_type: 'refresh_token',
      exp: Math.floor(live.expiresAt / 1000),
      iat: Math.floor(live.issuedAt / 1000),
      sub: String(live.userId),
      iss: options.issuer,
    }
  }
}
