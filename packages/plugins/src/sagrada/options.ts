import { ConfigInvalid, MIN_HS256_KEY_BYTES, assertStrongSecret } from '@polytoken/core'
import type { LocalVerifierOptions, RemoteVerifierOptions, SupportDocumentOptions, TrustedIssuer } from '@polytoken/browserid'
import { joinPath, validateOptions } from '../options-schema.js'
import { sagradaOptionsSchema } from './options-schema.js'

export interface SagradaNodeOptions {
  /** Most users this node takes (per service). */
  capacity: number
  /** Secrets shared with the node; the first signs, all verify. Default: the top-level `secrets`. */
  secrets?: string[]
  /** `node_type` in the answer. Default `mysql`. */
  type?: string
}

export interface SagradaServiceOptions {
  /** `api_endpoint` pattern: `{node}`, `{uid}`, `{service}` are replaced. */
  endpoint: string
  /** Node URLs (keys of `nodes`) this service assigns users to. */
  nodes: string[]
}

export interface SagradaBrowserIdOptions {
  /** Accepted assertion audiences: scheme://host[:port]. */
  audiences: string[]
  /** Issuers whose certificates are trusted; without publicKey, their /.well-known/browserid is fetched. */
  trustedIssuers?: TrustedIssuer[]
  /** Also trust an issuer that is the email's own domain (fetched support document). Default false. */
  allowPrimaryIssuers?: boolean
  supportDocuments?: SupportDocumentOptions
  leewayMs?: number
  /** Accept 512-bit RSA (RS64) user, issuer and support-document keys (local verification). Default false: they are factorable. */
  allowRs64Keys?: boolean
  /** Verify remotely instead: POST {assertion, audience} to this verifier. */
  remote?: Omit<RemoteVerifierOptions, 'audience'> & { audience?: string }
}

export interface SagradaOAuthOptions {
  /** Verification keys of the OAuth server (a JWKS). */
  jwks: { keys: Record<string, unknown>[] }
  /** `iss` the JWT must carry. */
  issuer?: string
  /** An `aud` the JWT must carry (a string, or one of several). Default: not checked, as FxA's own verifier does not. */
  audience?: string | string[]
  /** A scope the JWT must include. Default https://identity.mozilla.com/apps/oldsync. */
  scope?: string
  /** The user is `<sub>@<emailDomain>`. Default api.accounts.firefox.com. */
  emailDomain?: string
}

export interface SagradaOptions {
  /** application → version → service. E.g. `{ sync: { '1.5': { endpoint: '{node}/1.5/{uid}', nodes: ['https://sync-1.example.com'] } } }`. */
  applications: Record<string, Record<string, SagradaServiceOptions>>
  /** node URL → capacity, secrets, type. */
  nodes: Record<string, SagradaNodeOptions>
  /** Fallback secrets for nodes without their own. */
  secrets?: string[]
  browserid: SagradaBrowserIdOptions
  /** Bearer OAuth JWT + X-KeyID (today's Firefox). Off when absent. */
  oauth?: SagradaOAuthOptions
  /** Token lifetime, seconds. Default 300. A client may ask for less with ?duration=. */
  durationSeconds?: number
  /** When false, unknown users get 401 new-users-disabled. Default true. */
  allowNewUsers?: boolean
  /** HMAC key of hashed_fxa_uid. Default: derived from the first node's first secret. */
  metricsHashSecret?: string
  /** Serve GET / (the discovery document). Default false: `/` often belongs to the host app. */
  discovery?: boolean
  /** Retry-After on 503s, seconds. Default 30. */
  retryAfterSeconds?: number
}

export interface ResolvedService {
  application: string
  version: string
  /** `application-version`, as the original names it. */
  name: string
  endpoint: string
  nodes: string[]
}

export interface ResolvedNode {
  url: string
  capacity: number
  secrets: string[]
  type: string
}

export interface ResolvedSagradaOptions {
  applications: Map<string, Map<string, ResolvedService>>
  nodes: Map<string, ResolvedNode>
  /** The top-level secrets: nodes without their own, and nodes added at run time (`polytoken sagrada nodes add`), share them. */
  secrets: string[] | undefined
  browserid: LocalVerifierOptions & { remote?: RemoteVerifierOptions }
  oauth: SagradaOAuthOptions | undefined
  durationSeconds: number
  allowNewUsers: boolean
  metricsHashSecret: string | undefined
  discovery: boolean
  retryAfterSeconds: number
}

export { sagradaOptionsSchema } from './options-schema.js'

const NAME = /^[A-Za-z0-9._-]{1,64}$/

type FilledSagradaOptions = SagradaOptions &
  Required<Pick<SagradaOptions, 'durationSeconds' | 'allowNewUsers' | 'discovery' | 'retryAfterSeconds'>> & {
    nodes: Record<string, SagradaNodeOptions & { type: string }>
  }

export function resolveOptions(options: SagradaOptions): ResolvedSagradaOptions {
  if (!options || typeof options !== 'object') throw new ConfigInvalid('sagrada: options are required')
  const given = validateOptions(sagradaOptionsSchema, options, 'sagrada') as FilledSagradaOptions
  if (given.metricsHashSecret !== undefined) assertStrongSecret('sagrada.metricsHashSecret', given.metricsHashSecret, MIN_HS256_KEY_BYTES)
  // Checked even when no configured node uses them: a node added at run time would.
  given.secrets?.forEach((secret, index) => assertStrongSecret(`sagrada.secrets[${index}]`, secret, MIN_HS256_KEY_BYTES))
  // What the schema cannot say: node keys are URLs, services name known nodes, every node has secrets.
  const nodes = new Map<string, ResolvedNode>()
  for (const [url, node] of Object.entries(given.nodes)) {
    const key = joinPath('sagrada.nodes', [url])
    try {
      new URL(url)
    } catch {
      throw new ConfigInvalid(`${key}: the key must be the node's absolute URL`)
    }
    const secrets = node.secrets ?? given.secrets
    if (!secrets) throw new ConfigInvalid(`${key}.secrets: required when sagrada.secrets is absent`)
    // Each secret is a tokenlib HMAC key: a token and its derived secret are forged with it, so an HS256 key's strength.
    const where = node.secrets ? `${key}.secrets` : 'sagrada.secrets'
    secrets.forEach((secret, index) => assertStrongSecret(`${where}[${index}]`, secret, MIN_HS256_KEY_BYTES))
    nodes.set(url, { url, capacity: node.capacity, secrets, type: node.type })
  }

  const applications = new Map<string, Map<string, ResolvedService>>()
  for (const [application, versions] of Object.entries(given.applications)) {
    if (!NAME.test(application)) throw new ConfigInvalid(`${joinPath('sagrada.applications', [application])}: names are [A-Za-z0-9._-]`)
    const byVersion = new Map<string, ResolvedService>()
    for (const [version, service] of Object.entries(versions)) {
      const key = joinPath('sagrada.applications', [application, version])
      if (!NAME.test(version)) throw new ConfigInvalid(`${key}: versions are [A-Za-z0-9._-]`)
      for (const url of service.nodes) if (!nodes.has(url)) throw new ConfigInvalid(`${key}.nodes: "${url}" is not in sagrada.nodes`)
      byVersion.set(version, { application, version, name: `${application}-${version}`, endpoint: service.endpoint, nodes: [...service.nodes] })
    }
    applications.set(application, byVersion)
  }

  const bid = given.browserid
  const browserid: ResolvedSagradaOptions['browserid'] = {
    audiences: bid.audiences,
    trustedIssuers: bid.trustedIssuers ?? [],
    ...(bid.allowPrimaryIssuers !== undefined ? { allowPrimaryIssuers: bid.allowPrimaryIssuers } : {}),
    ...(bid.supportDocuments ? { supportDocuments: bid.supportDocuments } : {}),
    ...(bid.leewayMs !== undefined ? { leewayMs: bid.leewayMs } : {}),
    ...(bid.allowRs64Keys !== undefined ? { allowRs64Keys: bid.allowRs64Keys } : {}),
    ...(bid.remote ? { remote: { ...bid.remote, audience: bid.remote.audience ?? bid.audiences[0]! } } : {}),
  }
  if (!bid.remote && browserid.trustedIssuers.length === 0 && !bid.allowPrimaryIssuers) {
    throw new ConfigInvalid('sagrada.browserid.trustedIssuers: trust at least one issuer (or set allowPrimaryIssuers, or a remote verifier)')
  }
  return {
    applications,
    nodes,
    secrets: given.secrets,
    browserid,
    oauth: given.oauth,
    durationSeconds: given.durationSeconds,
    allowNewUsers: given.allowNewUsers,
    metricsHashSecret: given.metricsHashSecret,
    discovery: given.discovery,
    retryAfterSeconds: given.retryAfterSeconds,
  }
}
