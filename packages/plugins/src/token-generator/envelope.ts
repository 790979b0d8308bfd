import { quote, type PolyRequest, type PolyResponse, type PolytokenError } from '@polytoken/core'
import { responseHeaders } from './headers.js'

/** `{"error": "<message>"}`, plus the stable code and, for a refused permission, the reasons per field. */
export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: { type: 'string' },
    code: { type: 'string' },
    reasons: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
  },
}

export function renderError(error: PolytokenError, request: PolyRequest | undefined, realm: string): PolyResponse {
  const headers: Record<string, string | string[]> = { ...error.headers, ...responseHeaders(request) }
  if (error.status === 401) {
    headers['WWW-Authenticate'] = error.challenges.length > 0 ? error.challenges.join(', ') : `Token realm=${quote(realm)}`
  }
  const body: Record<string, unknown> = { error: error.code === 'ERR_INTERNAL' ? 'internal error' : wholeBody(error.message), code: error.code }
  if (error.reasons) body.reasons = Object.fromEntries(Object.entries(error.reasons).map(([field, messages]) => [field === '_' ? 'body' : field, messages]))
  return { status: error.status, headers, body }
}

/** The validator names the body itself `_`; clients read `body`. */
function wholeBody(message: string): string {
  return message.startsWith('_ ') ? `body ${message.slice(2)}` : message
}
