import { UpstreamUnavailable, defineDialect, systemClock, type AuthMethod, type Clock } from '@polytoken/core'
import { createLocalBrowserIdVerifier, createRemoteBrowserIdVerifier, type BrowserIdVerifier } from '@polytoken/browserid'
import { createTokenlib, type Tokenlib } from './tokenlib.js'
import { resolveOptions, type ResolvedSagradaOptions, type ResolvedService, type SagradaOptions } from './options.js'
import { errorSchema, renderError } from './envelope.js'
import { tokenRoute, deriveMetricsKey } from './token-route.js'
import { discoveryRoute } from './discovery-route.js'
import { oauthBearer, type OAuthPrincipal } from './oauth.js'
import { createUsers } from './users.js'
import { createNodeTable } from './node-table.js'
import { createSagradaAdmin, type SagradaInstance } from './admin.js'

export type { SagradaOptions, SagradaNodeOptions, SagradaServiceOptions, SagradaBrowserIdOptions, SagradaOAuthOptions } from './options.js'
export { sagradaOptionsSchema } from './options-schema.js'
export type { UserRecord } from './users.js'
export { sagradaAdminOf, type SagradaAdmin, type SagradaInstance } from './admin.js'
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
    setup(services): SagradaInstance {
      const first = [...resolved.nodes.values()][0]!.secrets[0]!
      const table = createNodeTable(services.store, resolved.nodes, resolved.secrets, services.clock)
      const users = createUsers(services.store, resolved.nodes, services.clock, table)
      const tokenlibs = new Map<string, Tokenlib>()
      const parts = {
        verifier: verifierOf(resolved, services.clock),
        users,
        tokenlibFor(node: string): Tokenlib {
          let tokenlib = tokenlibs.get(node)
          if (!tokenlib) {
            const secrets = table.secretsOf(node)
            // A node added elsewhere that this instance's configuration cannot sign for (node-table.ts).
            if (!secrets) throw new UpstreamUnavailable("this server has no secrets for the user's node")
            tokenlibs.set(node, (tokenlib = createTokenlib({ secrets, clock: services.clock })))
          }
          return tokenlib
        },
        nodeType: (service: ResolvedService, node: string) => table.typeOf(service, node),
        metricsKey: resolved.metricsHashSecret ? Buffer.from(resolved.metricsHashSecret, 'utf8') : deriveMetricsKey(first),
      }
      return {
        routes: [tokenRoute(resolved, parts, oauthOf(resolved, services.clock)), ...(resolved.discovery ? [discoveryRoute(resolved)] : [])],
        renderError: (error, request) => renderError(error, request, { clock: services.clock, retryAfterSeconds: resolved.retryAfterSeconds, defaultChallenges: challenges }),
        /** `polytoken sagrada`: nodes (added, drained, resized in the store) and user records. */
        sagrada: createSagradaAdmin(resolved, table, users),
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
