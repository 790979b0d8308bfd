import { RequestInvalid, AuthInvalid, TokenRevoked, defineRoute, type DialectServices, type PolyRequest, type PolyResponse, type SchemaType } from '@polytoken/core'
import type { Attempt } from '@polytoken/login-throttle'
import { epochMatches } from './access-tokens.js'
import { clientAuth, type ClientDirectory } from './clients.js'
import { NO_STORE, oauth } from './envelope.js'
import type { ResolvedClient, ResolvedZazzOptions } from './options.js'
import { grantScope, parseScope } from './scope.js'
import type { ZazzParts } from './parts.js'
import { userViewSchema } from './user-view.js'
import type { UserRecord } from './users.js'
import { tokenExamples } from './examples.js'

const field = (maxLength: number) => ({ type: 'string', maxLength }) as const

const tokenBodySchema = {
  type: 'object',
  required: ['grant_type'],
  // RFC 6749 §3.2: unknown parameters are ignored; each known one at most once (a repeat arrives as an array and fails).
  properties: {
    grant_type: field(64),
    username: field(256),
    password: field(1024),
    scope: field(1024),
    refresh_token: field(512),
    client_id: field(256),
    client_secret: field(1024),
  },
} as const

/** The validated body, as the grant functions receive it. */
type TokenBody = SchemaType<typeof tokenBodySchema>

export const tokenResponseSchema = {
  type: 'object',
  required: ['access_token', 'token_type', 'expires_in', 'refresh_token', 'user'],
  properties: {
    access_token: { type: 'string' },
    token_type: { type: 'string', enum: ['Bearer'] },
    expires_in: { type: 'integer' },
    refresh_token: { type: 'string' },
    scope: { type: 'string' },
    user: userViewSchema,
  },
}

/** POST /api/v1/token: the password grant (RFC 6749 §4.3) and the refresh grant with rotation (§6, RFC 9700). */
export function tokenRoute(options: ResolvedZazzOptions, directory: ClientDirectory, parts: ZazzParts) {
  return defineRoute({
    method: 'POST',
    path: '/api/v1/token',
    summary: 'Password and refresh_token grants (zazz.md, RFC 6749)',
    accepts: ['urlencoded'],
    limits: { fields: 16, fieldBytes: 4096 },
    auth: clientAuth(directory, options.realm, parts),
    schema: { body: tokenBodySchema },
    responses: { 200: { description: 'Tokens and the user (zazz.md)', schema: tokenResponseSchema } },
    examples: tokenExamples,
    async handle({ request, input, principal, services }) {
      const body = input.body
      const client = principal.client
      if (body.grant_type !== 'password' && body.grant_type !== 'refresh_token') {
        throw oauth('unsupported_grant_type', new RequestInvalid(`grant_type "${body.grant_type}" is not supported`, { location: 'body', field: 'grant_type' }))
      }
      if (!client.grantTypes.has(body.grant_type)) {
        throw oauth('unauthorized_client', new RequestInvalid(`this client may not use grant_type ${body.grant_type}`, { location: 'body', field: 'grant_type' }))
      }
      return body.grant_type === 'password' ? passwordGrant(body, client, request, services) : refreshGrant(body, client, services)
    },
  })

  async function passwordGrant(body: TokenBody, client: ResolvedClient, request: PolyRequest, services: DialectServices): Promise<PolyResponse> {
    if (body.username === undefined || body.password === undefined) {
      throw oauth('invalid_request', new RequestInvalid('username and password are required', { location: 'body', field: body.username === undefined ? 'username' : 'password' }))
    }
    // Scope first: a request that cannot succeed is refused before it costs a hash or an attempt.
    const scope = grantScope(parseScope(body.scope), client.scopes, client.defaultScopes)
    // A place in the hashing queue first: a burst is shed here (503, Retry-After) before it costs a reservation or a hash.
    const place = services.passwords.admit()
    let found: { user: UserRecord | undefined; attempt: Attempt }
    try {
      // Reserved in the hashing slot, just before the hash: few attempts are ever in flight at once.
      found = await place.run(async (verify) => {
        const attempt = await parts.guard.reserve(body.username!, request.ip)
        const user = await parts.users.verifyLogin(body.username!, body.password!, verify).catch(async (error: unknown) => {
          await attempt.abandoned()
          throw error
        })
        return { user, attempt }
      })
    } finally {
      place.cancel()
    }
    const { user, attempt } = found
    await (user ? attempt.succeeded() : attempt.failed())
    if (!user) {
      // One answer for an unknown user and a wrong password.
      throw oauth('invalid_grant', new AuthInvalid('the username or password is incorrect', { location: 'body', field: 'password' }))
    }
    const refresh = await parts.refresh.issue({ userId: user.userId, client: client.id, scope, epoch: user.epoch })
    services.events.issued({ jti: refresh.record.family, subject: user.userId, clientId: client.id, tokenType: 'refresh' })
    return respond(user, client, scope, refresh.record.family, refresh.token, services)
  }

  async function refreshGrant(body: TokenBody, client: ResolvedClient, services: DialectServices): Promise<PolyResponse> {
    if (body.refresh_token === undefined || body.refresh_token.length === 0) {
      throw oauth('invalid_request', new RequestInvalid('refresh_token is required', { location: 'body', field: 'refresh_token' }))
    }
    const requested = parseScope(body.scope)
    const {
      record,
      loaded: user,
      successor,
    } = await parts.refresh.consume(
      body.refresh_token,
      client.id,
      (family, reuse) => {
        services.cache.revoke(family)
        if (reuse) services.events.reuseDetected({ jti: family, clientId: client.id, tokenType: 'refresh' })
      },
      (record) => parts.users.get(record.userId),
    )
    if (!user) throw oauth('invalid_grant', new RequestInvalid('the user of this refresh token no longer exists', { location: 'body', field: 'refresh_token' }))
    if (!epochMatches(record.epoch, user)) {
      // The password changed (or the user was re-created) since this login began: it is over.
      throw oauth('invalid_grant', new TokenRevoked("refresh token has been revoked: the user's logins were ended (password changed)"))
    }
    // RFC 6749 §6: any scope of the original grant the client may still ask for; omitted, the original grant.
    // Narrowing on one refresh is not permanent: a later refresh may ask again for what was granted.
    const granted = (record.grantedScope ?? record.scope).filter((s) => client.scopes.includes(s))
    let scope: string[]
    try {
      scope = grantScope(requested, granted, granted)
    } catch (error) {
      await parts.refresh.restore(body.refresh_token, record)
      throw error
    }
    const next = await parts.refresh.issue({
      userId: user.userId,
      client: client.id,
      scope,
      grantedScope: record.grantedScope ?? record.scope,
      epoch: record.epoch,
      family: record.family,
      familyExpiresAt: record.familyExpiresAt,
      token: successor,
    })
    services.events.refreshed({ jti: record.family, subject: user.userId, clientId: client.id, tokenType: 'refresh' })
    return respond(user, client, scope, record.family, next.token, services, (access) => parts.refresh.pairIssued(next.token, access, record.family, (family) => services.cache.revoke(family)))
  }

  async function respond(
    user: UserRecord,
    client: ResolvedClient,
    scope: string[],
    family: string,
    refreshToken: string,
    services: DialectServices,
    accessIssued?: (access: { jti: string; exp: number }) => Promise<void>,
  ): Promise<PolyResponse> {
    const access = await parts.access.issue({ userId: user.userId, clientNumber: client.number, scope, family, epoch: user.epoch }, services.clock())
    services.events.issued({ jti: access.jti, subject: user.userId, clientId: client.id, tokenType: 'access' })
    await accessIssued?.(access)
    return {
      status: 200,
      headers: { ...NO_STORE },
      body: {
        access_token: access.token,
        token_type: 'Bearer',
        expires_in: access.expiresIn,
        refresh_token: refreshToken,
        scope: scope.join(' '),
        user: parts.view(user),
      },
    }
  }
}
