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
      // The Host header is the client's word: echoed only when it is a plain host[:port].
      const host = request.headers.host ?? ''
      const origin = /^[A-Za-z0-9.-]{1,253}(?::\d{1,5})?$/.test(host) ? `${request.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http'}://${host}` : ''
      return {
        status: 200,
        headers: { 'X-Timestamp': String(epochSeconds(s.clock())) },
        body: { services, auth: origin, schemes: auth },
      }
    },
  })
}
