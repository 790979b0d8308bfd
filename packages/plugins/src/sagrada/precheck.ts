import { NotAcceptable, RequestInvalid, RouteNotFound, header, type PolyRequest, type PolytokenError } from '@polytoken/core'
import { acceptsJson } from './accept.js'
import type { ResolvedSagradaOptions } from './options.js'

export const CLIENT_STATE = /^[a-zA-Z0-9._-]{1,32}$/

/**
 * What the token server refuses before it looks at credentials, in its
 * order: an Accept without JSON (406), an unknown application or version
 * (404), a malformed X-Client-State (400). The route's precheck: no
 * assertion is verified for a request that cannot succeed.
 */
export function precheck(options: ResolvedSagradaOptions): (request: PolyRequest) => void {
  return (request) => {
    const error = problem(request, options)
    if (error) throw error
  }
}

export function problem(request: PolyRequest, options: ResolvedSagradaOptions): PolytokenError | undefined {
  if (!acceptsJson(header(request, 'accept'))) {
    return new NotAcceptable('application/json is the only representation', { location: 'header', field: 'Accept' })
  }
  const application = request.params.app_name ?? ''
  const versions = options.applications.get(application)
  if (!versions) return new RouteNotFound('Unsupported application', { location: 'url', field: 'application' })
  const version = request.params.app_version ?? ''
  if (!versions.has(version)) return new RouteNotFound('Unsupported application version', { location: 'url', field: version })
  const clientState = header(request, 'x-client-state')
  if (clientState !== undefined && clientState !== '' && !CLIENT_STATE.test(clientState)) {
    return new RequestInvalid('Invalid client state value', { location: 'header', field: 'X-Client-State' })
  }
  return undefined
}
