import { RequestInvalid } from '@polytoken/core'
import { oauth } from './envelope.js'
import { SCOPE_TOKEN } from './options.js'

/** RFC 6749 §3.3: space-delimited, case-sensitive scope tokens; undefined when the parameter is absent. */
export function parseScope(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined
  const tokens = value.split(' ').filter((token) => token.length > 0)
  if (tokens.length === 0) return undefined
  for (const token of tokens) {
    if (!SCOPE_TOKEN.test(token)) throw invalidScope('scope contains a character outside the scope-token grammar')
  }
  return [...new Set(tokens)]
}

/**
 * The scope to grant: `requested` when every token of it is within `allowed`,
 * `fallback` when nothing was requested. Anything wider is invalid_scope,
 * which is also what keeps a refresh from ever widening a grant.
 */
export function grantScope(requested: string[] | undefined, allowed: readonly string[], fallback: readonly string[]): string[] {
  if (requested === undefined) return [...fallback]
  const outside = requested.filter((token) => !allowed.includes(token))
  if (outside.length > 0) throw invalidScope(`scope exceeds what may be granted: ${outside.join(' ')}`)
  return requested
}

function invalidScope(message: string): RequestInvalid {
  return oauth('invalid_scope', new RequestInvalid(message, { location: 'body', field: 'scope' }))
}
