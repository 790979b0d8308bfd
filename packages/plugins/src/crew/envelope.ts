import type { PolyRequest, PolyResponse, PolytokenError } from '@polytoken/core'

/**
 * Docker's errcode envelope: `{"errors":[{"code","message","detail"}]}`.
 * Codes are Distribution's (UNAUTHORIZED, DENIED, UNSUPPORTED, TOOMANYREQUESTS,
 * UNAVAILABLE) plus those of its token server (MISSING_REQUIRED_FIELD,
 * UNSUPPORTED_VALUE, BAD_TOKEN_OPTION); `detail.code` is polytoken's stable code.
 */
export const errorSchema = {
  type: 'object',
  required: ['errors'],
  additionalProperties: false,
  properties: {
    errors: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['code', 'message'],
        additionalProperties: false,
        properties: {
          code: { type: 'string', pattern: '^[A-Z_]+$' },
          message: { type: 'string' },
          detail: {
            type: 'object',
            required: ['code'],
            properties: {
              code: { type: 'string' },
              field: { type: 'string' },
              reasons: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
            },
          },
        },
      },
    },
  },
}

/** A value the server does not serve (a grant type, a service, a scope) rather than a badly formed option. */
const UNSUPPORTED_VALUE_FIELDS = new Set(['grant_type', 'service', 'scope'])

export function dockerCode(error: PolytokenError): string {
  switch (error.code) {
    case 'ERR_AUTH_REQUIRED':
    case 'ERR_AUTH_INVALID':
    case 'ERR_TOKEN_INVALID':
    case 'ERR_TOKEN_EXPIRED':
    case 'ERR_TOKEN_NOT_YET_VALID':
    case 'ERR_TOKEN_REVOKED':
      return 'UNAUTHORIZED'
    case 'ERR_AUTH_FORBIDDEN':
      return 'DENIED'
    case 'ERR_RATE_LIMITED':
      return 'TOOMANYREQUESTS'
    case 'ERR_REQUEST_INVALID': {
      const messages = Object.values(error.reasons ?? {}).flat()
      if (messages.length > 0 && messages.every((message) => message === 'is required')) return 'MISSING_REQUIRED_FIELD'
      const fields = error.field ? [error.field] : Object.keys(error.reasons ?? {})
      return fields.length > 0 && fields.every((field) => UNSUPPORTED_VALUE_FIELDS.has(field)) ? 'UNSUPPORTED_VALUE' : 'BAD_TOKEN_OPTION'
    }
    case 'ERR_REQUEST_MALFORMED':
    case 'ERR_REQUEST_TOO_LARGE':
      return 'BAD_TOKEN_OPTION'
    case 'ERR_REQUEST_UNSUPPORTED_MEDIA_TYPE':
    case 'ERR_REQUEST_NOT_ACCEPTABLE':
    case 'ERR_ROUTE_METHOD_NOT_ALLOWED':
      return 'UNSUPPORTED'
    case 'ERR_ROUTE_NOT_FOUND':
      return 'NOT_FOUND'
    case 'ERR_STORE_UNAVAILABLE':
    case 'ERR_UPSTREAM_UNAVAILABLE':
    case 'ERR_SERVER_BUSY':
      return 'UNAVAILABLE'
    default:
      return 'UNKNOWN'
  }
}

export function renderError(error: PolytokenError, _request: PolyRequest | undefined, realm: string): PolyResponse {
  const headers: Record<string, string | string[]> = { ...error.headers, 'Cache-Control': 'no-store' }
  if (error.status === 401) {
    // Docker clients answer a Basic challenge with the stored credentials; every 401 carries one.
    headers['WWW-Authenticate'] = error.challenges.length > 0 ? error.challenges.join(', ') : `Basic realm="${realm}", charset="UTF-8"`
  }
  const detail: Record<string, unknown> = { code: error.code }
  if (error.field) detail.field = error.field
  if (error.reasons) detail.reasons = error.reasons
  const message = error.code === 'ERR_INTERNAL' ? 'internal error' : error.message
  return { status: error.status, headers, body: { errors: [{ code: dockerCode(error), message, detail }] } }
}
