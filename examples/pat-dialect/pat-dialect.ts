/**
 * A GitHub-style personal-access-token dialect, the walk-through of docs/writing-a-dialect.md:
 *
 *   POST   /pats      Basic login:password, {note, scopes, expires_in_days?} → 201 {id, token: "pat_…", ...}
 *   GET    /pats      Basic, or Bearer with read:pats → {pats: [...]} (never the tokens)
 *   DELETE /pats/:id  Basic, or Bearer with admin:pats → 204; the token is refused from then on
 *   GET    /user      Bearer → {login}, X-OAuth-Scopes
 *
 * Errors in GitHub's envelope: {"message": ..., "code": ..., "errors": [{field, message}]}.
 */
import { defineDialect, type PasswordHashOptions, type PolytokenError } from '@polytoken/core'
import { passwordAuth, tokenAuth } from './pat-auth.js'
import { createPatStore } from './pat-store.js'
import { createPatRoute, deletePatRoute, listPatsRoute, userRoute } from './pat-routes.js'
import { createUserDirectory } from './user-directory.js'

export interface PatDialectOptions {
  /** login → password (hashed at start-up). */
  users: Record<string, string>
  /** Scopes a token may carry. Default user, read:pats, admin:pats. */
  scopes?: string[]
  /** Longest lifetime a token may ask for, days; also the default. Default 90. */
  maxLifetimeDays?: number
  /** Tokens per user. Default 100: the owner index stays one small record. */
  maxTokensPerUser?: number
  /** WWW-Authenticate realm. Default 'pat'. */
  realm?: string
  /** scrypt cost of the users' passwords (tests make it cheap). Default core's. */
  passwordHash?: PasswordHashOptions
}

export const patErrorSchema = {
  type: 'object',
  required: ['message', 'code'],
  properties: {
    message: { type: 'string' },
    code: { type: 'string' },
    errors: { type: 'array', items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } } },
  },
}

export function patDialect(options: PatDialectOptions) {
  // Options are checked here, so a bad configuration fails before any router exists.
  if (!options.users || Object.keys(options.users).length === 0) throw new TypeError('patDialect: users is required')
  const scopes = options.scopes ?? ['user', 'read:pats', 'admin:pats']
  const realm = options.realm ?? 'pat'
  const maxLifetimeDays = options.maxLifetimeDays ?? 90
  return defineDialect({
    name: 'github-pats',
    description: 'GitHub-style personal access tokens',
    errorSchema: patErrorSchema,
    async setup(services) {
      const pats = createPatStore(services.store, options.maxTokensPerUser ?? 100)
      const directory = await createUserDirectory(options.users, services, options.passwordHash ?? {})
      const password = passwordAuth(realm, directory)
      const token = tokenAuth(realm, pats)
      return {
        routes: [createPatRoute(pats, password, scopes, maxLifetimeDays), listPatsRoute(pats, [password, token]), deletePatRoute(pats, [password, token]), userRoute(token)],
        renderError: renderPatError,
        /** `polytoken purge`: the owners' indexes keep the ids of expired tokens until the owner lists them. */
        admin: { purge: () => pats.purgeIndex() },
      }
    },
  })
}

/** GitHub's envelope; every 401 carries the challenges of the route's methods. */
export function renderPatError(error: PolytokenError) {
  const errors = Object.entries(error.reasons ?? {}).flatMap(([field, messages]) => messages.map((message) => ({ field, message })))
  return {
    status: error.status,
    headers: { ...error.headers, ...(error.challenges.length ? { 'WWW-Authenticate': error.challenges.join(', ') } : {}) },
    body: { message: error.code === 'ERR_INTERNAL' ? 'internal error' : error.message, code: error.code, ...(errors.length ? { errors } : {}) },
  }
}
