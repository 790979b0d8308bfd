import { defineRoute, epochSeconds } from '@polytoken/core'
import type { ResolvedSagradaOptions } from './options.js'

/** GET / — the original's discovery document: services by application, the token URL, accepted schemes. */
export function discoveryRoute(options: ResolvedSagradaOptions) {
  const services: Record<string, string[]> = {}
  for (const [application, versions] of options.applications) services[application] = [...versions.keys()]
  const auth = options.oauth ? ['BrowserID', 'Bearer'] : ['BrowserID']
  return defineRoute({
    method: 'GET',
    path: '/',
    summary: 'Discovery: applications, versions and accepted auth schemes',
    responses: { 200: { description: 'Discovery document', schema: { type: 'object' } } },
    handle: ({ request, services: s }) => {
      // The token server's own URL, as clients reach it: the router's URL (its public URL, or scheme, Host and mount
      // point, forwarded headers only from a trusted proxy) and the dialect's prefix, which is this route's path
      // without its final '/'. '' when the host cannot tell (a Host that is not a plain host[:port]).
      const origin = request.routerUrl === undefined ? '' : `${request.routerUrl}${request.path.replace(/\/+$/, '')}`
      return {
        status: 200,
        headers: { 'X-Timestamp': String(epochSeconds(s.clock())) },
        body: { services, auth: origin, schemes: auth },
      }
    },
  })
}
