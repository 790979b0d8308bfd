/** The four routes: create a token (password only), list my tokens, delete one, and who a token belongs to. */
import { RouteNotFound, defineRoute, type AuthMethod } from '@polytoken/core'
import { requireScope, type PatPrincipal } from './pat-auth.js'
import type { PatRecord, PatStore } from './pat-store.js'

const DAY_MS = 86_400_000
const NO_STORE = { 'Cache-Control': 'no-store' }

/** A record as the API shows it: never the token, nor its fingerprint. */
function view(record: PatRecord) {
  return { id: record.id, note: record.note, scopes: record.scopes, created_at: new Date(record.createdAt).toISOString(), expires_at: new Date(record.expiresAt).toISOString() }
}

const patSchema = {
  type: 'object',
  properties: { id: { type: 'string' }, note: { type: 'string' }, scopes: { type: 'array', items: { type: 'string' } }, created_at: { type: 'string' }, expires_at: { type: 'string' } },
}

export function createPatRoute(pats: PatStore, password: AuthMethod<PatPrincipal>, scopes: readonly string[], maxLifetimeDays: number) {
  // No type argument: the principal comes from `auth`, and `input` is typed from the schema (docs: typed input).
  return defineRoute({
    method: 'POST',
    path: '/pats',
    summary: 'Create a personal access token (Basic with the password; the token is shown once)',
    accepts: ['json', 'urlencoded'],
    auth: [password],
    // GitHub's order: a caller without the password learns nothing of this schema.
    authenticateFirst: true,
    schema: {
      body: {
        type: 'object',
        required: ['note', 'scopes'],
        additionalProperties: false,
        properties: {
          note: { type: 'string', minLength: 1, maxLength: 100 },
          scopes: { type: 'array', minItems: 1, maxItems: scopes.length, uniqueItems: true, items: { type: 'string', enum: [...scopes] } },
          expires_in_days: { type: 'integer', minimum: 1, maximum: maxLifetimeDays },
        },
      },
    },
    responses: { 201: { description: 'The new token (shown once) and its record', schema: { ...patSchema, properties: { ...patSchema.properties, token: { type: 'string' } } } } },
    async handle({ input, principal, services }) {
      const body = input.body
      const lifetimeMs = (body.expires_in_days ?? maxLifetimeDays) * DAY_MS
      const { token, record } = await pats.create(principal.login, { note: body.note, scopes: body.scopes, lifetimeMs, now: services.clock() })
      // router.events (metrics, audit lines): the token's id and the owner's fingerprint, never the token.
      services.events.issued({ jti: record.id, subject: principal.login, tokenType: 'pat' })
      return { status: 201, headers: NO_STORE, body: { ...view(record), token } }
    },
  })
}

export function listPatsRoute(pats: PatStore, auth: AuthMethod<PatPrincipal>[]) {
  return defineRoute<PatPrincipal>({
    method: 'GET',
    path: '/pats',
    summary: "The caller's tokens (metadata only); a token needs read:pats",
    auth,
    responses: { 200: { description: 'Token records', schema: { type: 'object', properties: { pats: { type: 'array', items: patSchema } } } } },
    async handle({ principal }) {
      requireScope(principal, 'read:pats')
      return { status: 200, headers: NO_STORE, body: { pats: (await pats.list(principal.login)).map(view) } }
    },
  })
}

export function deletePatRoute(pats: PatStore, auth: AuthMethod<PatPrincipal>[]) {
  return defineRoute({
    method: 'DELETE',
    path: '/pats/:id',
    summary: "Delete (revoke) one of the caller's tokens; a token needs admin:pats",
    auth,
    authenticateFirst: true,
    schema: { params: { type: 'object', properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_-]{16}$' } } } },
    responses: { 204: { description: 'Deleted: the token is refused from now on' } },
    async handle({ input, principal, services }) {
      requireScope(principal, 'admin:pats')
      const deleted = await pats.delete(principal.login, String(input.params.id))
      // Someone else's token answers as a missing one: ids of other users' tokens are not confirmed.
      if (!deleted) throw new RouteNotFound('no token of yours has this id', { location: 'url', field: 'id' })
      // The cached check of this token goes now, on this instance; others notice within cache.maxTtlMs.
      services.cache.revoke(deleted.id)
      services.events.revoked({ jti: deleted.id, subject: principal.login, tokenType: 'pat', reason: 'deleted' })
      return { status: 204 }
    },
  })
}

export function userRoute(token: AuthMethod<PatPrincipal>) {
  return defineRoute<PatPrincipal>({
    method: 'GET',
    path: '/user',
    summary: 'Who this token belongs to, and its scopes (X-OAuth-Scopes)',
    auth: [token],
    responses: { 200: { description: 'The owner', schema: { type: 'object', properties: { login: { type: 'string' } } } } },
    handle: ({ principal }) => ({ status: 200, headers: { ...NO_STORE, 'X-OAuth-Scopes': principal.scopes.join(', ') }, body: { login: principal.login } }),
  })
}
