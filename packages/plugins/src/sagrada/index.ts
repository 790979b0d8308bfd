import { defineDialect, systemClock, type AuthMethod, type Clock } from '@polytoken/core'
import { createLocalBrowserIdVerifier, createRemoteBrowserIdVerifier, type BrowserIdVerifier } from '@polytoken/browserid'
import { createTokenlib } from './tokenlib.js'
import { resolveOptions, type ResolvedSagradaOptions, type SagradaOptions } from './options.js'
import { errorSchema, renderError } from './envelope.js'
import { tokenRoute, deriveMetricsKey } from './token-route.js'
import { discoveryRoute } from './discovery-route.js'
import { oauthBearer, type OAuthPrincipal } from './oauth.js'
import { createUsers } from './users.js'

export type { SagradaOptions, SagradaNodeOptions, SagradaServiceOptions, SagradaBrowserIdOptions, SagradaOAuthOptions } from './options.js'
export { sagradaOptionsSchema } from './options-schema.js'
export type { UserRecord } from './users.js'
export { createHawkVerifier, type HawkRequest, type HawkVerifierOptions, type HawkCredentials } from './hawk.js'

/** Mozilla Token Server 1.0: GET /1.0/:app_name/:app_version with BrowserID (or a Bearer FxA OAuth JWT) → tokenlib token. */
export function sagrada(options: SagradaOptions) {
  const resolved = resolveOptions(options)
  // Built once now, on the system clock, only so configuration errors (keys, audiences,
  // URLs) surface at construction; each router builds its own on its services' clock.
  verifierOf(resolved, systemClock)
  oauthOf(resolved, systemClock)
  const challenges = ['BrowserID', ...(resolved.oauth ? ['Bearer realm="sagrada"'] : [])]

  return defineDialect({
    name: 'sagrada',
    description: 'Mozilla Token Server 1.0 (BrowserID → tokenlib)',
    errorSchema,
    setup(services) {
      const first = [...resolved.nodes.values()][0]!.secrets[0]!
      const parts = {
        verifier: verifierOf(resolved, services.clock),
        users: createUsers(services.store, resolved.nodes, services.clock),
        tokenlibs: new Map([...resolved.nodes.values()].map((node) => [node.url, createTokenlib({ secrets: node.secrets, clock: services.clock })])),
        metricsKey: resolved.metricsHashSecret ? Buffer.from(resolved.metricsHashSecret, 'utf8') : deriveMetricsKey(first),
      }
      return {
        routes: [tokenRoute(resolved, parts, oauthOf(resolved, services.clock)), ...(resolved.discovery ? [discoveryRoute(resolved)] : [])],
        renderError: (error, request) => renderError(error, request, { clock: services.clock, retryAfterSeconds: resolved.retryAfterSeconds, defaultChallenges: challenges }),
      }
    },
  })
}

function verifierOf(resolved: ResolvedSagradaOptions, clock: Clock): BrowserIdVerifier {
  return resolved.browserid.remote ? createRemoteBrowserIdVerifier(resolved.browserid.remote) : createLocalBrowserIdVerifier({ ...resolved.browserid, clock })
}

function oauthOf(resolved: ResolvedSagradaOptions, clock: Clock): AuthMethod<OAuthPrincipal>[] {
  return resolved.oauth ? [oauthBearer(resolved.oauth, clock)] : []
}
