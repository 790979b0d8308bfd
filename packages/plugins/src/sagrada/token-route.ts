import { createHmac } from 'node:crypto'
import { browserId, type BrowserIdPrincipal, type BrowserIdVerifier } from '@polytoken/browserid'
import { defineRoute, epochSeconds, header, hkdfSha256, type AuthMethod, type PolyResponse } from '@polytoken/core'
import type { Tokenlib } from './tokenlib.js'
import { sagradaUnauthorized } from './envelope.js'
import { precheck } from './precheck.js'
import type { ResolvedSagradaOptions, ResolvedService } from './options.js'
import type { Users, LoginClaims } from './users.js'
import type { OAuthPrincipal } from './oauth.js'
import { tokenExamples } from './examples.js'

/** What setup() builds from one router's services; the route receives it as an argument. */
export interface TokenRouteParts {
  verifier: BrowserIdVerifier
  users: Users
  /** The tokenlib of a node (its signing keys derived once); throws when this instance has no secrets for it. */
  tokenlibFor(node: string): Tokenlib
  /** node_type of a node: configured, or given when it was added (node-table.ts). */
  nodeType(service: ResolvedService, node: string): Promise<string>
  metricsKey: Buffer
}

type Principal = BrowserIdPrincipal | OAuthPrincipal

export function tokenRoute(options: ResolvedSagradaOptions, parts: TokenRouteParts, extraAuth: AuthMethod<OAuthPrincipal>[]) {
  const hashesOf = metricsHashes(parts.metricsKey)
  // Named as the union here: inference from the array alone would take its first method's principal.
  const auth: AuthMethod<Principal>[] = [browserId({ verifier: parts.verifier, cacheScope: 'sagrada:browserid' }), ...extraAuth]
  return defineRoute({
    method: 'GET',
    path: '/1.0/:app_name/:app_version',
    summary: 'A token for one application version (sagrada.rst)',
    schema: {
      query: {
        type: 'object',
        // An integer; one out of range is ignored below, as tokenserver does.
        properties: { duration: { type: 'integer' } },
      },
    },
    precheck: precheck(options),
    auth,
    examples: tokenExamples,
    responses: {
      200: {
        description: 'The token, its derived secret, the uid and the endpoint',
        schema: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            key: { type: 'string' },
            uid: { type: 'integer' },
            api_endpoint: { type: 'string' },
            duration: { type: 'integer' },
            hashalg: { type: 'string' },
            hashed_fxa_uid: { type: 'string' },
            node_type: { type: 'string' },
          },
        },
      },
    },
    async handle({ request, input, principal, services }): Promise<PolyResponse> {
      const service = options.applications.get(request.params.app_name!)!.get(request.params.app_version!)!
      const login = loginClaims(principal, header(request, 'x-client-state') ?? '')
      const user = await parts.users.login(service, login, options.allowNewUsers)

      const requested = input.query.duration
      // views.py: "if 0 < requested_duration < token_duration"; anything else is ignored.
      const duration = requested !== undefined && requested > 0 && requested < options.durationSeconds ? requested : options.durationSeconds
      const now = services.clock()
      const fxaUid = login.email.slice(0, login.email.lastIndexOf('@'))
      const [hashedFxaUid, hashedDeviceId] = hashesOf(fxaUid)
      const { token, key } = parts.tokenlibFor(user.node).issue({
        uid: user.uid,
        node: user.node,
        expires: epochSeconds(now) + duration,
        fxa_uid: fxaUid,
        fxa_kid: keyId(user.keysChangedAt || user.generation, user.clientState),
        hashed_fxa_uid: hashedFxaUid,
        hashed_device_id: hashedDeviceId,
      })
      // The token is its own id (a secret): the event names the user by fingerprint and the service, never the token.
      services.events.issued({ subject: String(user.uid), clientId: `${request.params.app_name}/${request.params.app_version}`, tokenType: 'hawk' })
      return {
        status: 200,
        headers: { 'X-Timestamp': String(epochSeconds(now)) },
        body: {
          id: token,
          key,
          uid: user.uid,
          api_endpoint: endpoint(service, user.node, user.uid),
          duration,
          hashalg: 'sha256',
          hashed_fxa_uid: hashedFxaUid,
          node_type: await parts.nodeType(service, user.node),
        },
      }
    },
  })
}

function loginClaims(principal: Principal, clientStateHeader: string): LoginClaims {
  if (principal.kind === 'oauth') return { email: principal.email, generation: principal.generation, keysChangedAt: principal.keysChangedAt, clientState: principal.clientState }
  const generation = principal.idpClaims['fxa-generation'] ?? 0
  const keysChangedAt = principal.idpClaims['fxa-keysChangedAt'] ?? 0
  if (!Number.isSafeInteger(generation) || (generation as number) < 0) throw sagradaUnauthorized('invalid-generation', 'Unacceptable generation number')
  if (!Number.isSafeInteger(keysChangedAt) || (keysChangedAt as number) < 0) throw sagradaUnauthorized('invalid-credentials', 'Unacceptable keysChangedAt value')
  return { email: principal.email, generation: generation as number, keysChangedAt: keysChangedAt as number, clientState: clientStateHeader }
}

function endpoint(service: ResolvedService, node: string, uid: number): string {
  return service.endpoint.replaceAll('{node}', node).replaceAll('{uid}', String(uid)).replaceAll('{service}', service.name)
}

/** The original's `fxa_metrics_hash`: HMAC-SHA256 hex, first 32 characters. */
function metricsHash(key: Buffer, value: string): string {
  return createHmac('sha256', key).update(value, 'utf8').digest('hex').slice(0, 32)
}

/**
 * fxa_uid → [hashed_fxa_uid, hashed_device_id]: two HMACs per user rather than
 * per token. Pure functions of the uid under a fixed key; at most `max` users
 * kept, the oldest dropped first.
 */
function metricsHashes(key: Buffer, max = 10_000): (fxaUid: string) => readonly [string, string] {
  const memo = new Map<string, readonly [string, string]>()
  return (fxaUid) => {
    let hashes = memo.get(fxaUid)
    if (!hashes) {
      hashes = [metricsHash(key, fxaUid), metricsHash(key, fxaUid + 'none')]
      if (memo.size >= max) memo.delete(memo.keys().next().value!)
      memo.set(fxaUid, hashes)
    }
    return hashes
  }
}

/** `<keysChangedAt, 13 digits>-<base64url(client state bytes), unpadded>`, as the original's fxa_kid. */
function keyId(keysChangedAt: number, clientState: string): string {
  const bytes = /^(?:[0-9a-fA-F]{2})+$/.test(clientState) ? Buffer.from(clientState, 'hex') : Buffer.from(clientState, 'utf8')
  return `${String(keysChangedAt).padStart(13, '0')}-${bytes.toString('base64url')}`
}

/** The default metrics key: derived from a node secret, so every instance computes the same one. */
export function deriveMetricsKey(secret: string): Buffer {
  return hkdfSha256(Buffer.from(secret, 'utf8'), Buffer.alloc(0), 'polytoken/sagrada/metrics-hash', 32)
}
