import type { PolyRequest, PolyResponse, PolytokenError } from '@polytoken/core'

/** ProdManager's envelope: `{message, reasons?}`; the stable code rides along. */
export const errorSchema = {
  type: 'object',
  required: ['message'],
  properties: {
    message: { type: 'string' },
    code: { type: 'string' },
    reasons: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
  },
}

export function renderError(error: PolytokenError, _request: PolyRequest | undefined, realm: string): PolyResponse {
  const headers: Record<string, string | string[]> = { ...error.headers }
  // The original answers a wrong application secret as a validation failure: 400 with reasons.secret.
  if (error.code === 'ERR_AUTH_INVALID' && error.location === 'body') {
    return { status: 400, headers, body: { message: 'Invalid secret', code: error.code, reasons: { [error.field ?? 'secret']: ['is invalid'] } } }
  }
  // A route whose only credential is the body's secret (create): a missing secret is a missing field.
  if (error.code === 'ERR_AUTH_REQUIRED' && error.challenges.length === 0) {
    return { status: 400, headers, body: { message: 'secret is required', code: 'ERR_REQUEST_INVALID', reasons: { secret: ['is required'] } } }
  }
  if (error.status === 401) {
    headers['WWW-Authenticate'] = error.challenges.length > 0 ? error.challenges.join(', ') : `Bearer realm="${realm}"`
  }
  const body: Record<string, unknown> = { message: error.status >= 500 && error.code === 'ERR_INTERNAL' ? 'Internal error' : error.message, code: error.code }
  if (error.reasons) body.reasons = error.reasons
  else if (error.status === 400 && error.field) body.reasons = { [error.field]: [error.message] }
  return { status: error.status, headers, body }
}
