import { timingSafeEqual } from 'node:crypto'
import { AuthInvalid, RequestInvalid, basic, defineAuthMethod, type AuthMethod, type BasicCredential } from '@polytoken/core'
import { oauth } from './envelope.js'
import { sha256, type ResolvedClient } from './options.js'
import type { ZazzParts } from './parts.js'

export interface ClientPrincipal {
  client: ResolvedClient
}

const DUMMY_DIGEST = sha256('zazz: no such client')

/** Looks clients up and checks their secrets; the rules of RFC 6749 §2.3.1 plus the document's legacy form. */
export function createClientDirectory(clients: readonly ResolvedClient[]) {
  const byId = new Map(clients.map((client) => [client.id, client]))
  const byNumber = new Map(clients.map((client) => [client.number, client]))

  function invalid(location: 'header' | 'body'): AuthInvalid {
    return oauth('invalid_client', new AuthInvalid('client authentication failed', { location, field: location === 'header' ? 'authorization' : 'client_id' }))
  }

  /** `id` and `secret` already decoded; a public client has no secret and must send none. */
  function check(id: string, secret: string, location: 'header' | 'body'): ResolvedClient {
    const client = byId.get(id)
    // Hash and compare even for an unknown client, so timing does not tell which ids exist.
    const presented = sha256(secret)
    const expected = client?.secretDigest ?? DUMMY_DIGEST
    const secretMatches = timingSafeEqual(presented, expected)
    if (!client) throw invalid(location)
    if (client.secretDigest === undefined ? secret !== '' : !secretMatches) throw invalid(location)
    return client
  }

  /** Basic: `base64(urlencode(id):urlencode(secret))`, or the document's whole parameter as a public client's id. */
  function fromBasic(credential: BasicCredential): ResolvedClient {
    if (credential.pair) {
      const id = formDecode(credential.pair.username)
      const secret = formDecode(credential.pair.password)
      if (id !== undefined && secret !== undefined && byId.has(id)) return check(id, secret, 'header')
    }
    const legacy = byId.get(credential.raw)
    if (legacy && legacy.secretDigest === undefined) return legacy
    // Unknown either way: run the same comparison the known-client path does.
    return check('\u0000', credential.pair?.password ?? credential.raw, 'header')
  }

  return { fromBasic, check, byNumber: (number: unknown) => (typeof number === 'number' ? byNumber.get(number) : undefined) }
}

export type ClientDirectory = ReturnType<typeof createClientDirectory>

/**
 * The client authentication every zazz endpoint takes: Basic first, then
 * client_id/client_secret in the form (RFC 6749 §2.3.1). Failures are counted
 * per client address (parts.guard.clients): guessing a secret gets 429.
 */
export function clientAuth(directory: ClientDirectory, realm: string, parts: ZazzParts): AuthMethod<ClientPrincipal>[] {
  const header = basic<ClientPrincipal>({
    realm,
    async verify(credential, { request }) {
      const body = request.body as Record<string, unknown> | undefined
      if (body && typeof body === 'object' && body.client_secret !== undefined) {
        // §2.3: a client MUST NOT use more than one authentication method per request.
        throw oauth('invalid_request', new RequestInvalid('client credentials sent both in the Authorization header and in the body', { location: 'body', field: 'client_secret' }))
      }
      const client = await parts.guard.clients.run(request.ip, () => directory.fromBasic(credential))
      if (body && typeof body === 'object' && body.client_id !== undefined && body.client_id !== client.id) {
        // A body client_id naming another client than the one authenticated is a confused request, not a detail to ignore.
        throw oauth('invalid_request', new RequestInvalid('client_id in the body does not match the client authenticated by the Authorization header', { location: 'body', field: 'client_id' }))
      }
      return { client }
    },
  })
  const form = defineAuthMethod<ClientPrincipal, { id: string; secret: string }>({
    kind: 'clientSecretPost',
    doc: { type: 'apiKey', in: 'body', name: 'client_id' },
    challenge: () => undefined,
    extract(request) {
      const body = request.body as Record<string, unknown> | undefined
      if (!body || typeof body !== 'object' || typeof body.client_id !== 'string') return undefined
      return { id: body.client_id, secret: typeof body.client_secret === 'string' ? body.client_secret : '' }
    },
    async verify(credential, { request }) {
      return { client: await parts.guard.clients.run(request.ip, () => directory.check(credential.id, credential.secret, 'body')) }
    },
  })
  return [header, form]
}

/** application/x-www-form-urlencoded decoding of one Basic half (RFC 6749 §2.3.1); undefined when it is not valid. */
export function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '))
  } catch {
    return undefined
  }
}
