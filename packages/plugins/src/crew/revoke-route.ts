import { defineRoute } from '@polytoken/core'
import type { CrewParts } from './issue.js'

/**
 * Revoke a refresh token (RFC 7009 style): holding the token is the
 * authority to end it. The answer is the same whether or not it was live,
 * so the route tells nothing about which tokens exist.
 */
export function revokeRoute(parts: CrewParts) {
  return defineRoute({
    method: 'POST',
    path: '/v1/token/revoke',
    summary: 'Revoke a refresh token',
    accepts: ['urlencoded', 'json'],
    schema: {
      body: {
        type: 'object',
        required: ['token'],
        additionalProperties: false,
        properties: {
          token: { type: 'string', minLength: 1, maxLength: 512 },
          // RFC 7009 §2.1: the hint is advisory; only refresh tokens are revocable here, so any hint is read as a lookup hint and ignored.
          token_type_hint: { type: 'string', maxLength: 64 },
        },
      },
    },
    responses: { 200: { description: 'Revoked (or was not live)', schema: { type: 'object' } } },
    async handle({ request, input, services }) {
      // Guessing tokens to revoke: the ones that were not live are counted per address (429 past the limit).
      const attempt = await parts.revokeGuard.reserve(request.ip)
      const revoked = await parts.refresh.revoke((input.body as { token: string }).token).catch(async (error: unknown) => {
        await attempt.abandoned()
        throw error
      })
      await (revoked ? attempt.succeeded() : attempt.failed())
      if (revoked) services.events.revoked({ tokenType: 'refresh', reason: 'client' })
      return { status: 200, headers: { 'Cache-Control': 'no-store' }, body: {} }
    },
  })
}
