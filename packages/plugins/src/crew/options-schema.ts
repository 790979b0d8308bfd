import type { JsonSchema } from '@polytoken/core'
import { CODE_ONLY } from '../options-schema.js'
import { keysSchema, passwordHashSchema } from '../shared-schemas.js'

/** Account names: what Docker Hub and Distribution accept, and nothing a glob or a log line could misread. */
export const ACCOUNT_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$'
export const SERVICE_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:/-]{0,252}$'

const globs = (description: string): JsonSchema => ({ type: ['string', 'array'], items: { type: 'string' }, description })

/** crew's options: what config.json may set. `onCertificate` is code only. */
export const crewOptionsSchema: JsonSchema = {
  type: 'object',
  description: 'crew: the Docker registry token service (Distribution token authentication).',
  required: ['service'],
  properties: {
    issuer: { type: 'string', minLength: 1, default: 'polytoken-crew', description: "`iss` of every token; the registry's `auth.token.issuer`." },
    service: {
      type: ['string', 'array'],
      pattern: SERVICE_PATTERN,
      items: { type: 'string', pattern: SERVICE_PATTERN },
      minItems: 1,
      description: "The service(s) tokens may be asked for (`aud`), e.g. `registry.example.com`; the registry's `auth.token.service`. Required.",
    },
    algorithm: { enum: ['ES256', 'RS256'], default: 'ES256', description: 'Token signature algorithm: ES256 (what Docker registries expect) or RS256.' },
    keys: keysSchema('Signing keys; default: one generated on first start, sealed in the store.'),
    x5c: { type: 'boolean', default: false, description: 'Put the certificate in the `x5c` header of every token. Off: the registry finds the key by `kid`.' },
    certificateSubject: { type: 'string', minLength: 1, description: 'Subject CN of the generated certificate. Default: the issuer.' },
    certificateLifetimeDays: { type: 'integer', minimum: 31, default: 3650, description: 'Lifetime of the generated certificate, in days.' },
    onCertificate: { [CODE_ONLY]: 'function', description: 'Code only: called once at start-up with the signing certificate (write it where the registry reads its rootcertbundle).' },
    tokenLifetimeSec: { type: 'integer', minimum: 60, maximum: 86_400, default: 300, description: 'Access token lifetime in seconds (`expires_in`); Docker clients expect at least 60.' },
    refreshTokenLifetimeSec: { type: 'integer', minimum: 60, default: 30 * 24 * 60 * 60, description: 'Refresh token lifetime in seconds (default 30 days).' },
    realm: { type: 'string', default: 'crew', description: 'Basic realm in `WWW-Authenticate`.' },
    users: {
      type: 'object',
      default: {},
      description: 'Users by account name (letters, digits and `. _ @ + -`, at most 128). More can live in the store (createCrewUsers).',
      additionalProperties: {
        type: 'object',
        title: 'account',
        description: 'One user: exactly one of password, passwordHash.',
        properties: {
          passwordHash: { type: 'string', pattern: '^scrypt\\$', description: 'A hash from hashPassword() (`scrypt$...`).' },
          password: { type: 'string', minLength: 1, description: 'Plain text, hashed once at start-up and then forgotten. Convenient for examples; prefer passwordHash.' },
        },
        additionalProperties: false,
      },
    },
    policy: {
      type: 'array',
      description: 'Ordered access rules; the first match wins; no match, no actions. Default: none (every token is empty).',
      items: {
        type: 'object',
        description: 'One access rule.',
        required: ['actions'],
        properties: {
          account: globs('Globs over the authenticated account name. `""` is the anonymous caller; `*` any authenticated account. Omitted: everyone, anonymous included.'),
          type: globs('Globs over the resource type (`repository`, `registry`, `web`, ...).'),
          name: globs('Globs over the resource name; may use `${account}` and `${service}`.'),
          service: globs('Globs over the service the token is for (its `aud`).'),
          actions: { type: 'array', items: { type: 'string' }, description: 'What the rule grants: action names, `*` for every action, `[]` to deny.' },
          description: { type: 'string', description: 'A note for people reading the configuration; ignored.' },
        },
        additionalProperties: false,
      },
    },
    maxScopes: { type: 'integer', minimum: 1, maximum: 256, default: 32, description: 'Most scopes in one request.' },
    loginAttempts: {
      type: 'object',
      default: {},
      description: 'Password guessing limits, counted per window; past them 429 until the window ends. A busy account is slowed down, never locked.',
      properties: {
        max: { type: 'integer', minimum: 1, default: 10, description: 'Failed checks of one account from one address per window.' },
        windowMs: { type: 'integer', minimum: 1000, default: 15 * 60 * 1000, description: 'The counting window, ms.' },
        maxPerAddress: { type: 'integer', minimum: 1, default: 50, description: 'Failed checks from one address across accounts per window.' },
        slowAccountAfter: {
          type: 'integer',
          minimum: 1,
          default: 100,
          description: 'Failures of one account from all addresses after which its logins are slowed (one attempt per delay, doubling from 1 s).',
        },
        slowMaxMs: { type: 'integer', minimum: 1, default: 60_000, description: 'Longest delay between two attempts on a slowed account, ms.' },
        maxRevokeFailuresPerAddress: { type: 'integer', minimum: 1, default: 20, description: 'Revocations of tokens that were not live, per address per window.' },
      },
      additionalProperties: false,
    },
    passwordHashing: { ...passwordHashSchema("scrypt cost for passwords hashed at start-up and by createCrewUsers. Default core's (N = 2^14)."), default: {} },
  },
  additionalProperties: false,
}
