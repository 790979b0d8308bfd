import type { PolyRequest, PolyResponse, PolytokenError } from '@polytoken/core'

/** RFC 6749 §5.2 error codes, plus RFC 6750's invalid_token and RFC 7009's unsupported_token_type. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_token'
  | 'unsupported_token_type'
  | 'access_denied'
  | 'temporarily_unavailable'
  | 'server_error'

/** Give an error the RFC 6749 code the client must see (core's dialectCode); the core code stays for logs and metrics. */
export function oauth<E extends PolytokenError>(code: OAuthErrorCode, error: E): E {
  error.dialectCode = code
  return error
}

export function oauthCodeOf(error: PolytokenError): OAuthErrorCode | undefined {
  // Only oauth() sets it on the errors zazz renders.
  return error.dialectCode as OAuthErrorCode | undefined
}

/** Every token endpoint answer, errors included (RFC 6749 §5.1). */
export const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const

/** RFC 6749 §5.2: `{error, error_description?}`. */
export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: { type: 'string', pattern: '^[\\x20-\\x21\\x23-\\x5B\\x5D-\\x7E]+$' },
    error_description: { type: 'string', pattern: '^[\\x20-\\x21\\x23-\\x5B\\x5D-\\x7E]*$' },
  },
}

export function renderError(error: PolytokenError, _request: PolyRequest | undefined, realm: string): PolyResponse {
  const headers: Record<string, string | string[]> = { ...error.headers, ...NO_STORE }
  const { status, code } = classify(error)
  if (status === 401) {
    if (code === 'invalid_client') {
      // RFC 6749 §5.2: a failed client authentication answers with the schemes it accepts.
      headers['WWW-Authenticate'] = `Basic realm="${realm}", charset="UTF-8"`
    } else {
      headers['WWW-Authenticate'] = error.challenges.length > 0 ? error.challenges.join(', ') : `Bearer realm="${realm}", error="invalid_token"`
    }
  }
  const description = status >= 500 && error.code === 'ERR_INTERNAL' ? 'internal error' : error.message
  return { status, headers, body: { error: code, error_description: descriptionText(description) } }
}

function classify(error: PolytokenError): { status: number; code: OAuthErrorCode } {
  const tagged = oauthCodeOf(error)
  if (tagged === 'invalid_client') return { status: 401, code: tagged }
  if (tagged) return { status: error.code === 'ERR_RATE_LIMITED' ? 429 : 400, code: tagged }
  switch (error.code) {
    case 'ERR_AUTH_REQUIRED':
    case 'ERR_AUTH_INVALID':
      // The Bearer route (/me) challenges with Bearer; the client-authenticated routes with Basic.
      return { status: 401, code: error.challenges.some((c) => /^bearer\b/i.test(c)) ? 'invalid_token' : 'invalid_client' }
    case 'ERR_TOKEN_INVALID':
    case 'ERR_TOKEN_EXPIRED':
    case 'ERR_TOKEN_NOT_YET_VALID':
    case 'ERR_TOKEN_REVOKED':
      return { status: 401, code: 'invalid_token' }
    case 'ERR_AUTH_FORBIDDEN':
      return { status: 403, code: 'access_denied' }
    case 'ERR_RATE_LIMITED':
      return { status: 429, code: 'invalid_grant' }
    case 'ERR_REQUEST_MALFORMED':
    case 'ERR_REQUEST_INVALID':
    case 'ERR_REQUEST_UNSUPPORTED_MEDIA_TYPE':
      return { status: 400, code: 'invalid_request' }
    case 'ERR_REQUEST_TOO_LARGE':
    case 'ERR_REQUEST_NOT_ACCEPTABLE':
    case 'ERR_ROUTE_NOT_FOUND':
    case 'ERR_ROUTE_METHOD_NOT_ALLOWED':
      // HTTP's own status says more than 400 would; the body is still RFC 6749.
      return { status: error.status, code: 'invalid_request' }
    case 'ERR_STORE_UNAVAILABLE':
    case 'ERR_UPSTREAM_UNAVAILABLE':
    case 'ERR_SERVER_BUSY':
      return { status: 503, code: 'temporarily_unavailable' }
    default:
      return { status: error.status >= 400 && error.status < 600 ? error.status : 500, code: 'server_error' }
  }
}

/** RFC 6749 §5.2 allows only %x20-21 / %x23-5B / %x5D-7E in error_description. */
function descriptionText(message: string): string {
  return message
    .replace(/"/g, "'")
    .replace(/[^\x20-\x21\x23-\x5B\x5D-\x7E]/g, '?')
    .slice(0, 300)
}
