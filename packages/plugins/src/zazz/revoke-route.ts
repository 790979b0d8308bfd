import { RequestInvalid, defineRoute, isPolytokenError, type DialectServices } from '@polytoken/core'
import { clientAuth, type ClientDirectory, type ClientPrincipal } from './clients.js'
import { NO_STORE, oauth } from './envelope.js'
import type { ResolvedClient, ResolvedZazzOptions } from './options.js'
import type { ZazzParts } from './parts.js'

export const tokenFormSchema = {
  type: 'object',
  required: ['token'],
  properties: {
    token: { type: 'string', maxLength: 4096 },
    token_type_hint: { type: 'string', maxLength: 64 },
    client_id: { type: 'string', maxLength: 256 },
    client_secret: { type: 'string', maxLength: 1024 },
  },
}

/** Refresh tokens are opaque base64url; access tokens are JWTs (they hold dots). No hint needed to tell them apart. */
export const looksLikeJwt = (token: string) => token.includes('.')

/**
 * POST /api/v1/token/revoke (RFC 7009). Revoking a refresh token revokes its
 * family: every refresh token and every access token of that login. Revoking
 * an access token ends that one token. Unknown, expired or already revoked
 * tokens are answered 200, as §2.2 asks.
 */
export function revokeRoute(options: ResolvedZazzOptions, directory: ClientDirectory, parts: ZazzParts) {
  return defineRoute<ClientPrincipal>({
    method: 'POST',
    path: '/api/v1/token/revoke',
    summary: 'Token revocation (RFC 7009)',
    accepts: ['urlencoded'],
    limits: { fields: 16, fieldBytes: 8192 },
    auth: clientAuth(directory, options.realm, parts),
    schema: { body: tokenFormSchema },
    responses: { 200: { description: 'Revoked, or nothing to revoke', schema: { type: 'object' } } },
    async handle({ input, principal, services }) {
      const { token } = input.body as { token: string }
      if (looksLikeJwt(token)) await revokeAccess(token, principal.client, services)
      else await revokeRefresh(token, principal.client, services)
      return { status: 200, headers: { ...NO_STORE }, body: {} }
    },
  })

  async function revokeAccess(token: string, client: ResolvedClient, services: DialectServices): Promise<void> {
    let principal
    try {
      principal = await parts.access.check(token)
    } catch (error) {
      if (isPolytokenError(error) && error.status < 500) return // invalid, expired or already revoked: nothing to do
      throw error
    }
    if (principal.clientNumber !== client.number) throw notYours()
    await parts.refresh.revokeAccess(principal.jti, principal.exp)
    services.cache.revoke(principal.family)
    services.events.revoked({ jti: principal.jti, clientId: client.id, tokenType: 'access', reason: 'client' })
  }

  async function revokeRefresh(token: string, client: ResolvedClient, services: DialectServices): Promise<void> {
    const { issued } = await parts.refresh.find(token)
    if (!issued) return
    if (issued.client !== client.id) throw notYours()
    await parts.refresh.revoke(token, issued)
    services.cache.revoke(issued.family)
    services.events.revoked({ jti: issued.family, clientId: client.id, tokenType: 'refresh', reason: 'client' })
  }
}

function notYours(): RequestInvalid {
  // §2.1: the server verifies the token was issued to the client asking, and refuses otherwise.
  return oauth('unauthorized_client', new RequestInvalid('the token was issued to another client', { location: 'body', field: 'token' }))
}
