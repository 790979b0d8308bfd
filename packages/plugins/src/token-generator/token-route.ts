import { defineRoute, epochSeconds, type JwtClaims, type JwtSigner, type PolyResponse } from '@polytoken/core'
import type { ResolvedTokenGeneratorOptions } from './options.js'
import { parsePermission } from './permission.js'
import { responseHeaders } from './headers.js'
import type { sessionAuth } from './session.js'
import { tokenExamples } from './examples.js'

const responseSchema = {
  type: 'object',
  required: ['token', 'endpoint'],
  properties: {
    token: { type: 'string', description: 'HS256 JWT: the session claims plus the permission object, signed with the resource secret' },
    endpoint: { type: 'string', description: 'Where the resource service lives' },
  },
}

export function tokenRoute(options: ResolvedTokenGeneratorOptions, auth: ReturnType<typeof sessionAuth>, parts: { signer: JwtSigner }) {
  const rules = { validate: options.validatePermission, reserved: options.reservedClaims }
  return defineRoute({
    method: 'POST',
    path: '/api/v1/token',
    summary: 'Exchange a session token for a token carrying abilities (token-generator.md)',
    accepts: ['urlencoded', 'json'],
    schema: {
      body: {
        type: 'object',
        properties: {
          // Judged by parsePermission, after authentication, with messages a client can act on.
          permission: { description: 'A JSON object; in a form (or as a JSON string) its JSON text, at most 8192 characters' },
        },
      },
    },
    auth: auth.methods,
    responses: { 200: { description: 'The new token and where to use it', schema: responseSchema } },
    examples: tokenExamples,
    handle({ request, input, principal, services }): PolyResponse {
      const caller = principal.claims
      const raw = input.body.permission
      const permission = raw === undefined ? undefined : parsePermission(raw, caller, rules, request.bodyType === 'json' ? 'json' : 'form')
      // Caller's claims first, in their order, so the payload reads as the original's.
      const claims: JwtClaims = { ...caller, ...permission }
      if (options.maxLifetimeSec !== undefined) {
        claims.exp = Math.min(caller.exp!, epochSeconds(services.clock()) + options.maxLifetimeSec)
      }
      const token = parts.signer.sign(claims)
      services.events.issued({
        jti: typeof claims.jti === 'string' ? claims.jti : undefined,
        subject: typeof claims.user_id === 'string' || typeof claims.user_id === 'number' ? claims.user_id : undefined,
        tokenType: 'access',
      })
      const headers = responseHeaders(request)
      // The caller's own token, back to the caller on the same connection: it learns nothing new, and
      // Cache-Control keeps it out of shared caches. Only a token that verified is echoed (base64url and dots).
      if (options.echoToken) headers['X-token'] = auth.tokenOf(request)!
      return { status: 200, headers, body: { token, endpoint: options.endpoint } }
    },
  })
}
