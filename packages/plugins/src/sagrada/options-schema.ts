import type { JsonSchema } from '@polytoken/core'
import { CODE_ONLY } from '../options-schema.js'

const secretList = (description: string): JsonSchema => ({ type: 'array', minItems: 1, items: { type: 'string', minLength: 1 }, description })
const fetchOption: JsonSchema = { [CODE_ONLY]: 'function', description: 'Code only: the fetch to use. Default: the global fetch.' }

const serviceSchema: JsonSchema = {
  type: 'object',
  description: 'One version of an application: where its users are sent.',
  required: ['endpoint', 'nodes'],
  properties: {
    endpoint: { type: 'string', pattern: '\\{uid\\}', description: '`api_endpoint` pattern: `{node}`, `{uid}`, `{service}` are replaced; `{uid}` is required.' },
    nodes: { type: 'array', minItems: 1, items: { type: 'string' }, description: 'Node URLs (keys of `nodes`) this service assigns users to.' },
  },
  additionalProperties: false,
}

const nodeSchema: JsonSchema = {
  type: 'object',
  description: 'One storage node, keyed by its absolute URL.',
  required: ['capacity'],
  properties: {
    capacity: { type: 'integer', minimum: 1, description: 'Most users this node takes (per service).' },
    secrets: secretList('Secrets shared with the node (tokenlib HMAC keys: at least 32 bytes, e.g. `openssl rand -hex 32`); the first signs, all verify. Default: the top-level `secrets`.'),
    type: { type: 'string', default: 'mysql', description: '`node_type` in the answer.' },
  },
  additionalProperties: false,
}

const browseridSchema: JsonSchema = {
  type: 'object',
  description: 'BrowserID assertions (the original protocol): local verification against trusted issuers, or a remote verifier.',
  required: ['audiences'],
  properties: {
    audiences: { type: 'array', minItems: 1, items: { type: 'string' }, description: 'Accepted assertion audiences: scheme://host[:port].' },
    trustedIssuers: {
      type: 'array',
      description: 'Issuers whose certificates are trusted; without publicKey, their /.well-known/browserid is fetched. At least one, unless allowPrimaryIssuers or remote.',
      items: {
        type: 'object',
        required: ['issuer'],
        properties: {
          issuer: { type: 'string', description: 'Host name, as certificates name it in `iss`.' },
          publicKey: { type: 'object', description: 'Its public key (BrowserID JSON form). Absent: fetched from the issuer.' },
        },
        additionalProperties: false,
      },
    },
    allowPrimaryIssuers: { type: 'boolean', description: "Also trust an issuer that is the email's own domain (fetched support document). Default false." },
    supportDocuments: {
      type: 'object',
      description: "Fetching issuers' support documents.",
      properties: {
        timeoutMs: { type: 'number', exclusiveMinimum: 0, description: 'Per fetch, ms. Default 5000.' },
        cacheMs: { type: 'number', minimum: 0, description: 'How long a fetched key is trusted before it is fetched again, ms. Default 1 hour.' },
        fetch: fetchOption,
      },
      additionalProperties: false,
    },
    leewayMs: { type: 'number', minimum: 0, description: 'Tolerated clock difference with issuers and clients, ms. Default 0.' },
    allowRs64Keys: { type: 'boolean', description: 'Accept 512-bit RSA (RS64) user, issuer and support-document keys. Default false: they are factorable.' },
    remote: {
      type: 'object',
      description: 'Verify remotely instead: POST {assertion, audience} to this verifier.',
      required: ['url'],
      properties: {
        url: { type: 'string', description: "The verifier's URL, e.g. https://verifier.accounts.firefox.com/v2." },
        audience: { type: 'string', description: 'The audience sent along with every assertion. Default: the first of audiences.' },
        timeoutMs: { type: 'number', exclusiveMinimum: 0, description: 'Per request, ms. Default 5000.' },
        fetch: fetchOption,
      },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
}

const oauthSchema: JsonSchema = {
  type: 'object',
  description: "Bearer OAuth JWT + X-KeyID (today's Firefox). Off when absent.",
  required: ['jwks'],
  properties: {
    jwks: {
      type: 'object',
      description: 'Verification keys of the OAuth server (a JWKS).',
      required: ['keys'],
      properties: { keys: { type: 'array', minItems: 1, items: { type: 'object' }, description: 'The JWKs (at least one).' } },
      additionalProperties: false,
    },
    issuer: { type: 'string', description: '`iss` the JWT must carry.' },
    audience: { type: ['string', 'array'], items: { type: 'string' }, description: "An `aud` the JWT must carry (a string, or one of several). Default: not checked, as FxA's own verifier does not." },
    scope: { type: 'string', description: 'A scope the JWT must include. Default https://identity.mozilla.com/apps/oldsync.' },
    emailDomain: { type: 'string', description: 'The user is `<sub>@<emailDomain>`. Default api.accounts.firefox.com.' },
  },
  additionalProperties: false,
}

/** sagrada's options: what config.json may set. The `fetch` functions are code only. */
export const sagradaOptionsSchema: JsonSchema = {
  type: 'object',
  description: 'sagrada: Mozilla Token Server 1.0 (GET /1.0/:app_name/:app_version).',
  required: ['applications', 'nodes', 'browserid'],
  properties: {
    applications: {
      type: 'object',
      minProperties: 1,
      description: 'application → version → service, names [A-Za-z0-9._-]. E.g. `{ "sync": { "1.5": { "endpoint": "{node}/1.5/{uid}", "nodes": ["https://sync-1.example.com"] } } }`.',
      additionalProperties: { type: 'object', title: 'application', minProperties: 1, description: 'version → service.', additionalProperties: { ...serviceSchema, title: 'version' } },
    },
    nodes: { type: 'object', minProperties: 1, description: 'node URL → capacity, secrets, type (at least one node).', additionalProperties: { ...nodeSchema, title: 'node URL' } },
    secrets: secretList('Fallback secrets for nodes without their own (at least 32 bytes each).'),
    browserid: browseridSchema,
    oauth: oauthSchema,
    durationSeconds: { type: 'integer', minimum: 1, default: 300, description: 'Token lifetime, seconds. A client may ask for less with ?duration=.' },
    allowNewUsers: { type: 'boolean', default: true, description: 'When false, unknown users get 401 new-users-disabled.' },
    metricsHashSecret: { type: 'string', description: "HMAC key of hashed_fxa_uid (at least 32 bytes). Default: derived from the first node's first secret." },
    discovery: { type: 'boolean', default: false, description: 'Serve GET / (the discovery document). Off: `/` often belongs to the host app.' },
    retryAfterSeconds: { type: 'integer', minimum: 0, default: 30, description: 'Retry-After on 503s, seconds.' },
  },
  additionalProperties: false,
}
