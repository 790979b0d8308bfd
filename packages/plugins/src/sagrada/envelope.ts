import { AuthInvalid, epochSeconds, type PolyRequest, type PolyResponse, type PolytokenError } from '@polytoken/core'

/** Cornice's error body, as the token server sends it. */
export const errorSchema = {
  type: 'object',
  required: ['status', 'errors'],
  properties: {
    status: { type: 'string' },
    errors: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['location', 'name', 'description'],
        properties: {
          location: { type: 'string', enum: ['body', 'header', 'url', 'querystring'] },
          name: { type: 'string' },
          description: { type: 'string' },
        },
      },
    },
  },
}

/** The token server's own status strings for a 401 (its body's `status`). */
export type SagradaStatusString = 'invalid-client-state' | 'new-users-disabled' | 'invalid-generation' | 'invalid-keysChangedAt' | 'invalid-credentials'

/** A 401 with one of the token server's own status strings, carried as core's dialectCode. */
export function sagradaUnauthorized(statusString: SagradaStatusString, message: string): AuthInvalid {
  return new AuthInvalid(message, { dialectCode: statusString })
}

type Location = 'body' | 'header' | 'url' | 'querystring'
interface CorniceError {
  location: Location
  name: string
  description: string
}

export interface EnvelopeOptions {
  clock: () => number
  retryAfterSeconds: number
  /** Challenges when the error carries none (failures before authentication). */
  defaultChallenges: string[]
}

export function renderError(error: PolytokenError, _request: PolyRequest | undefined, options: EnvelopeOptions): PolyResponse {
  const headers: Record<string, string | string[]> = { ...error.headers, 'X-Timestamp': String(epochSeconds(options.clock())) }
  const one = (description: string, location: Location = error.location ?? 'body', name = error.field ?? ''): CorniceError[] => [{ location, name, description }]
  let status = 'error'
  let errors: CorniceError[]

  switch (error.status) {
    case 400:
      errors = error.reasons ? Object.entries(error.reasons).map(([name, reasons]) => ({ location: error.location ?? 'body', name, description: reasons.join('; ') })) : one(error.message)
      break
    case 401:
      status = statusString(error)
      // Cornice/WebOb send one WWW-Authenticate header per scheme: an array makes Node do the same.
      headers['WWW-Authenticate'] = error.challenges.length > 0 ? [...error.challenges] : [...options.defaultChallenges]
      errors = one(error.code === 'ERR_AUTH_REQUIRED' ? 'Unauthorized' : error.message, error.location ?? 'body')
      break
    case 404:
      errors = one(error.message, error.location ?? 'url')
      break
    case 405:
      errors = one(error.message, 'url', 'method')
      break
    case 406:
      errors = one(error.message, 'header', 'Accept')
      break
    case 503:
      headers['Retry-After'] ??= String(options.retryAfterSeconds)
      errors = one('Resource is not available')
      break
    default:
      errors = one(error.status >= 500 ? 'Internal error' : error.message)
  }
  if (errors.length === 0) errors = one(error.message)
  return { status: error.status, headers, body: { status, errors } }
}

function statusString(error: PolytokenError): string {
  if (error.dialectCode !== undefined) return error.dialectCode
  if (error.code === 'ERR_AUTH_REQUIRED') return 'error'
  if (error.code === 'ERR_TOKEN_EXPIRED' || error.code === 'ERR_TOKEN_NOT_YET_VALID') return 'invalid-timestamp'
  return 'invalid-credentials'
}
