import { ConfigInvalid, createLocalBrowserIdVerifier, createRemoteBrowserIdVerifier, createTokenlib, defineDialect, type AuthMethod } from '@polytoken/core'
import { resolveOptions, type SagradaOptions } from './options.js'
import { errorSchema, renderError } from './envelope.js'
import { tokenRoute, deriveMetricsKey, type TokenRouteState } from './token-route.js'
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
  const state: TokenRouteState = {}
  let clock: () => number = Date.now
  // Built now so configuration errors surface at construction; the clock is read per call.
  const oauth: AuthMethod<OAuthPrincipal>[] = resolved.oauth ? [oauthBearer(resolved.oauth, () => clock())] : []
  const verifier = resolved.browserid.remote
    ? createRemoteBrowserIdVerifier(resolved.browserid.remote)
    : createLocalBrowserIdVerifier({ ...resolved.browserid, clock: () => clock() })
  const challenges = ['BrowserID', ...(resolved.oauth ? ['Bearer realm="sagrada"'] : [])]
  const routes = [tokenRoute(resolved, state, oauth), ...(resolved.discovery ? [discoveryRoute(resolved)] : [])]

  return defineDialect({
    name: 'sagrada',
    description: 'Mozilla Token Server 1.0 (BrowserID → tokenlib)',
    setup(services) {
      clock = services.clock
      state.verifier = verifier
      state.users = createUsers(services.store, resolved.nodes, services.clock)
      state.tokenlibs = new Map([...resolved.nodes.values()].map((node) => [node.url, createTokenlib({ secrets: node.secrets, clock: services.clock })]))
      const first = [...resolved.nodes.values()][0]!.secrets[0]!
      if (resolved.metricsHashSecret !== undefined && resolved.metricsHashSecret.length < 8) throw new ConfigInvalid('sagrada.metricsHashSecret: at least 8 characters')
      state.metricsKey = resolved.metricsHashSecret ? Buffer.from(resolved.metricsHashSecret, 'utf8') : deriveMetricsKey(first)
    },
    routes,
    errorSchema,
    renderError: (error, request) => renderError(error, request, { clock: () => clock(), retryAfterSeconds: resolved.retryAfterSeconds, defaultChallenges: challenges }),
  })
}
