import { RequestInvalid, isPolytokenError, type FieldReasons, type InputValidator, type JwtClaims } from '@polytoken/core'

/** Names that reach prototypes when a consumer merges the claims with a naive deep merge. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype'])
const MAX_DEPTH = 8
/**
 * Longest permission, as the JSON text that goes into the claims (and as the
 * text sent, when it is sent as text); the document's is 200 characters.
 */
export const MAX_PERMISSION_TEXT = 8192

export interface PermissionRules {
  validate: InputValidator
  /** Registered claims and configured extras that permission may never set. */
  reserved: ReadonlySet<string>
}

/**
 * The `permission` field → the object merged into the new token. A form sends
 * it as JSON text; a JSON body may send the object itself. Refused: text that
 * is not JSON, anything but an object, prototype keys at any depth, deeper
 * nesting than any ability needs, a key that would replace a registered claim
 * or one of the caller's claims, and whatever the configured schema refuses.
 */
export function parsePermission(raw: unknown, caller: JwtClaims, rules: PermissionRules, from: 'form' | 'json' = 'json'): Record<string, unknown> {
  let value: unknown = raw
  // A repeated form field arrives as an array: say so, rather than "not an object".
  if (from === 'form' && Array.isArray(raw)) throw invalid('must be sent once')
  if (typeof raw === 'string') {
    if (raw.length > MAX_PERMISSION_TEXT) throw invalid(`is longer than ${MAX_PERMISSION_TEXT} characters`)
    try {
      value = JSON.parse(raw)
    } catch {
      throw invalid('is not valid JSON')
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid('must be a JSON object')
  checkStructure(value, 'permission', 1)
  // A JSON body may send the object itself: the limit is on what reaches the claims, whatever the form.
  if (JSON.stringify(value).length > MAX_PERMISSION_TEXT) throw invalid(`is longer than ${MAX_PERMISSION_TEXT} characters`)
  const permission = value as Record<string, unknown>
  for (const key of Object.keys(permission)) {
    if (rules.reserved.has(key)) throw invalid(`may not set the registered claim "${key}"`, `permission.${key}`)
    if (Object.hasOwn(caller, key)) throw invalid(`may not overwrite the session token's claim "${key}"`, `permission.${key}`)
  }
  try {
    rules.validate(permission)
  } catch (error) {
    if (!isPolytokenError(error) || !error.reasons) throw error
    const reasons: FieldReasons = {}
    for (const [field, messages] of Object.entries(error.reasons)) reasons[field === '_' ? 'permission' : `permission.${field}`] = messages
    // The validator words its message `<field> <problem>`, `_` standing for the object itself.
    const message = error.message.startsWith('_ ') ? `permission ${error.message.slice(2)}` : error.message === 'input is invalid' ? 'permission is invalid' : `permission.${error.message}`
    throw new RequestInvalid(message, { reasons, location: 'body', field: 'permission' })
  }
  return permission
}

function checkStructure(value: object, path: string, depth: number): void {
  if (depth > MAX_DEPTH) throw invalid(`is nested more than ${MAX_DEPTH} levels deep`)
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) throw invalid(`may not contain the key "${key}"`, `${path}.${key}`)
    const child = (value as Record<string, unknown>)[key]
    if (child !== null && typeof child === 'object') checkStructure(child, `${path}.${key}`, depth + 1)
  }
}

function invalid(message: string, field = 'permission'): RequestInvalid {
  return new RequestInvalid(`${field} ${message}`, { reasons: { [field]: [message] }, location: 'body', field: 'permission' })
}
