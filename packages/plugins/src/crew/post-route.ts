import { AuthRequired, RequestInvalid, TokenInvalid, defineAuthMethod, defineRoute, type AuthMethod, type DialectServices, type PolyResponse, type SchemaType } from '@polytoken/core'
import type { ResolvedCrewOptions } from './options.js'
import { NO_STORE, checkService, issueToken, readScopes, tokenResponseSchema, type CrewParts } from './issue.js'
import { accountOf, checkAccount, crewAuth, type CrewPrincipal } from './auth.js'
import { accountField, clientIdField, scopeField, serviceField } from './schemas.js'
import { postTokenExamples } from './examples.js'

const tokenBodySchema = {
  type: 'object',
  required: ['service'],
  additionalProperties: false,
  properties: {
    service: serviceField,
    scope: scopeField,
    account: accountField,
    grant: { type: 'string', pattern: '^[a-z][a-z0-9_-]{0,31}$', description: 'crew.md: the client kind (web, docker, rkt, ...); web may be anonymous' },
    grant_type: { type: 'string', enum: ['password', 'refresh_token'] },
    client_id: clientIdField,
    access_type: { type: 'string', enum: ['offline', 'online'] },
    username: { type: 'string', minLength: 1, maxLength: 256 },
    password: { type: 'string', minLength: 1, maxLength: 1024 },
    refresh_token: { type: 'string', minLength: 1, maxLength: 512 },
  },
} as const

/** The validated body, as the OAuth2 branch receives it. */
type TokenBody = SchemaType<typeof tokenBodySchema>

/**
 * One path, two clients. crew.md's JSON body (`service, scope, account, grant`)
 * answers 201; Docker's OAuth2 form (`grant_type=password|refresh_token`)
 * answers 200, as Docker's client requires.
 */
export function postTokenRoute(options: ResolvedCrewOptions, parts: CrewParts) {
  return defineRoute({
    method: 'POST',
    path: '/v1/token',
    summary: "Registry token: crew.md's JSON request, or Docker's OAuth2 form (password / refresh_token grants)",
    accepts: ['json', 'urlencoded'],
    auth: crewAuth(options, parts).map(ignoreBasicOnGrantType),
    schema: { body: tokenBodySchema },
    responses: {
      200: { description: 'OAuth2 form: a registry token', schema: tokenResponseSchema },
      201: { description: 'crew.md JSON request: a registry token', schema: tokenResponseSchema },
    },
    examples: postTokenExamples,
    async handle({ input, principal, services, request }) {
      const body = input.body
      checkService(options, body.service)
      if (body.grant_type !== undefined) return oauth(options, parts, services, body, request.ip)
      if (body.grant === undefined) {
        throw new RequestInvalid('grant (or grant_type) is required', { location: 'body', field: 'grant', reasons: { grant: ['is required'] } })
      }
      const account = accountOf(principal)
      // crew.md: a web page may ask without signing in; docker, rkt and other clients authenticate.
      if (account === undefined && body.grant !== 'web') throw new AuthRequired(`grant "${body.grant}" needs Basic authentication`)
      checkAccount(body.account, account, 'body')
      const scopes = readScopes(options, body.scope, 'body')
      return { status: 201, headers: NO_STORE, body: (await issueToken(options, parts, services, account, body.service, scopes)).body }
    },
  })
}

async function oauth(options: ResolvedCrewOptions, parts: CrewParts, services: DialectServices, body: TokenBody, ip: string): Promise<PolyResponse> {
  const scopes = readScopes(options, body.scope, 'body')
  let account: string
  if (body.grant_type === 'password') {
    const missing = (['username', 'password'] as const).filter((field) => body[field] === undefined)
    if (missing.length > 0) {
      throw new RequestInvalid(`${missing.join(' and ')} required for grant_type=password`, {
        location: 'body',
        field: missing[0],
        reasons: Object.fromEntries(missing.map((f) => [f, ['is required']])),
      })
    }
    account = await parts.directory.authenticate(body.username!, body.password!, services, ip)
  } else {
    if (body.refresh_token === undefined) {
      throw new RequestInvalid('refresh_token is required for grant_type=refresh_token', { location: 'body', field: 'refresh_token', reasons: { refresh_token: ['is required'] } })
    }
    const record = await parts.refresh.find(body.refresh_token)
    if (!record) throw new TokenInvalid('refresh token is invalid, expired or revoked', { location: 'body', field: 'refresh_token' })
    if (record.service !== body.service) throw new TokenInvalid('refresh token was issued for another service', { location: 'body', field: 'refresh_token' })
    // RFC 6749 §10.4: a refresh token is bound to the client it was issued to (a token issued without client_id, to none).
    if ((record.clientId ?? '') !== (body.client_id ?? '')) throw new TokenInvalid('refresh token was issued to another client_id', { location: 'body', field: 'refresh_token' })
    const epoch = await parts.directory.loginEpoch(record.account)
    if (epoch === undefined) throw new TokenInvalid('refresh token belongs to an account that no longer exists', { location: 'body', field: 'refresh_token' })
    // The password changed (or the account was re-created) since this token was issued: it ended with that.
    if (epoch !== (record.epoch ?? '')) throw new TokenInvalid("refresh token was issued before the account's password changed", { location: 'body', field: 'refresh_token' })
    account = record.account
    services.events.refreshed({ subject: account, clientId: body.client_id, tokenType: 'refresh' })
  }
  checkAccount(body.account, account, 'body')
  const issued = (await issueToken(options, parts, services, account, body.service, scopes)).body
  if (body.grant_type === 'password' && body.access_type === 'offline') {
    issued.refresh_token = await parts.refresh.issue(account, body.service, body.client_id, await parts.directory.loginEpoch(account))
    services.events.issued({ subject: account, clientId: body.client_id, tokenType: 'refresh' })
  }
  return { status: 200, headers: NO_STORE, body: issued }
}

/**
 * The OAuth2 form carries its own credentials (username and password, or the
 * refresh token), and Docker's client sends no Authorization header with it.
 * A Basic header beside `grant_type` is therefore not looked at: not verified
 * (no scrypt spent, no login-throttle count, no 401 for a stale one) and not
 * used. The crew.md JSON request (`grant`) still authenticates with Basic.
 */
function ignoreBasicOnGrantType(method: AuthMethod<CrewPrincipal>): AuthMethod<CrewPrincipal> {
  if (method.kind !== 'basic') return method
  return defineAuthMethod<CrewPrincipal, unknown>({
    kind: method.kind,
    schemes: method.schemes,
    doc: method.doc,
    challenge: (error) => method.challenge(error),
    extract: (request) => (hasGrantType(request.body) ? undefined : method.extract(request)),
    verify: (credential, context) => method.verify(credential, context),
  })
}

function hasGrantType(body: unknown): boolean {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && (body as Record<string, unknown>).grant_type !== undefined
}
