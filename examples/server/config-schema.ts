import type { JsonSchema } from '@polytoken/core'
import { patOptionsSchema } from '../pat-dialect/options-schema.js'
import { crewOptionsSchema, prodmanagerOptionsSchema, sagradaOptionsSchema, tokenGeneratorOptionsSchema, zazzOptionsSchema } from '@polytoken/plugins'

/**
 * The schema of the examples server's config.json: its own settings, and one
 * section per dialect made from that dialect's options schema. Unknown keys
 * are refused everywhere, so a misspelled section or option stops start-up
 * instead of being skipped.
 */

/** Keys every section has: read by the server and the mount files, not by the dialect. */
export const MOUNT_KEYS: Record<string, JsonSchema> = {
  prefix: { type: 'string', description: 'Path prefix the dialect is mounted under (e.g. `/api`); each mount file has its own default.' },
  enabled: { type: 'boolean', description: '`false`: the section stays in the file but the dialect is not mounted.' },
}

interface SectionSource {
  schema: JsonSchema
  /**
   * The dialect options its mount file passes on, when it does not pass them all: a key it would
   * drop is refused rather than accepted and ignored. Default: every option.
   */
  only?: string[]
  /** Keys only the mount file reads. */
  extra?: Record<string, JsonSchema>
  /** false: the mount file places the dialect itself and reads no `prefix`. */
  prefix?: false
}

/** The parts of a JSON Schema that sagradaForConfigFile edits. */
interface SchemaNode {
  type?: string
  description?: string
  required?: string[]
  items?: SchemaNode
  properties?: Record<string, SchemaNode>
}

/** sagrada's mount defaults the audiences to the server's own origin and reads issuer keys from PEM files. */
function sagradaForConfigFile(): JsonSchema {
  const schema = structuredClone(sagradaOptionsSchema) as SchemaNode
  const browserid = schema.properties!.browserid!
  delete browserid.required
  const audiences = browserid.properties!.audiences!
  browserid.properties!.audiences = { ...audiences, description: `${audiences.description} Default: this server's own origin.` }
  const issuer = browserid.properties!.trustedIssuers!.items!
  issuer.properties!.publicKeyFile = { type: 'string', description: 'Instead of publicKey: a PEM file (public or private: only the public half is used).' }
  return schema as JsonSchema
}

/** Config file section → where its schema comes from. The keys are those of dialects/index.ts. */
export const SECTIONS: Record<string, SectionSource> = {
  prodmanager: {
    schema: prodmanagerOptionsSchema,
    only: ['secret', 'issuer', 'permissions'],
    extra: { signingSecret: { type: 'string', description: 'The HS256 signing secret (at least 32 bytes); env PRODMANAGER_SIGNING_SECRET. Default: a key generated and sealed in the store.' } },
  },
  'token-generator': {
    schema: tokenGeneratorOptionsSchema,
    // The keys come from sessionSecret and resourceSecret.
    only: ['endpoint', 'realm', 'maxLifetimeSec', 'echoToken', 'permissionSchema'],
    extra: {
      sessionSecret: { type: 'string', description: 'The session key (HS256 secret, at least 32 bytes); env TOKEN_GENERATOR_SESSION_SECRET.' },
      resourceSecret: { type: 'string', description: "The resource service's key (HS256 secret, at least 32 bytes); env TOKEN_GENERATOR_RESOURCE_SECRET." },
    },
  },
  crew: {
    schema: crewOptionsSchema,
    only: ['issuer', 'service', 'users', 'policy', 'algorithm', 'x5c', 'tokenLifetimeSec', 'refreshTokenLifetimeSec', 'realm'],
    extra: { certificateFile: { type: 'string', description: 'Where the signing certificate is written, relative to dataDir (env CREW_CERTIFICATE_FILE). Default `crew-signing.pem`.' } },
  },
  zazz: {
    schema: zazzOptionsSchema,
    extra: { signingSecret: { type: 'string', description: 'An HS256 signing secret (at least 32 bytes) instead of `keys`; env ZAZZ_SIGNING_SECRET.' } },
  },
  sagrada: {
    schema: sagradaForConfigFile(),
    prefix: false,
    extra: {
      nodeSecrets: {
        type: 'array',
        items: { type: 'string' },
        minItems: 1,
        description: 'Replaces the secrets of every node (env SAGRADA_SECRETS, comma-separated): one secret for a deployment whose nodes all share it.',
      },
    },
  },
  'github-pats': { schema: patOptionsSchema },
}

/** A dialect's schema as a config file section: mount keys added, nothing required (the environment may supply it). */
export function sectionSchema(source: SectionSource): JsonSchema {
  const { properties = {}, description } = source.schema as { properties?: Record<string, JsonSchema>; description?: string }
  const kept = Object.fromEntries(Object.entries(properties).filter(([key]) => source.only?.includes(key) ?? true))
  const { prefix, ...enabled } = MOUNT_KEYS
  const mountKeys = source.prefix === false ? enabled : { prefix, ...enabled }
  return { type: 'object', description, properties: { ...mountKeys, ...kept, ...source.extra }, additionalProperties: false }
}

/** The examples server's own settings. */
export const SERVER_SETTINGS: Record<string, JsonSchema> = {
  port: { type: 'integer', minimum: 0, maximum: 65_535, description: 'HTTP port (env PORT). Default 8080.' },
  store: { type: 'string', description: 'Store URL: memory://, sqlite://, redis://, postgres:// (env POLYTOKEN_STORE); `${dataDir}` is replaced. Default `sqlite://${dataDir}/polytoken.db`.' },
  masterKey: { type: 'string', description: 'Seals generated keys in the store (env POLYTOKEN_MASTER_KEY).' },
  dataDir: { type: 'string', description: 'Where the server keeps its files (env POLYTOKEN_DATA_DIR). Default `data`.' },
  docs: { type: 'boolean', description: 'Serve the interactive API docs page at GET /docs (env POLYTOKEN_DOCS, `true` or `false`). Default true.' },
  keyRefreshMs: {
    type: 'integer',
    minimum: 50,
    maximum: 3_600_000,
    description:
      'How often each instance re-reads its generated key rings from the store, ms (env POLYTOKEN_KEY_REFRESH_MS); the CLI uses it too, so `keys promote` waits for the interval the servers use. Default 10000.',
  },
  cache: {
    type: 'object',
    description: 'The verification cache.',
    properties: {
      maxTtlMs: { type: 'number', exclusiveMinimum: 0, description: 'How long a revocation made on another instance can go unnoticed here, ms (env POLYTOKEN_CACHE_MAX_TTL_MS). Default 5000.' },
      max: { type: 'integer', minimum: 1, description: 'Most entries held at once. Default 10 000.' },
    },
    additionalProperties: false,
  },
  http: {
    type: 'object',
    description: 'Slow-client timeouts and the connection limit.',
    properties: {
      headersTimeoutMs: { type: 'integer', minimum: 1, description: 'The whole header block must arrive within this, ms (env POLYTOKEN_HEADERS_TIMEOUT_MS).' },
      requestTimeoutMs: { type: 'integer', minimum: 1, description: 'Headers and body must arrive within this, ms (env POLYTOKEN_REQUEST_TIMEOUT_MS).' },
      keepAliveTimeoutMs: { type: 'integer', minimum: 1, description: 'An idle keep-alive connection is closed after this, ms (env POLYTOKEN_KEEP_ALIVE_TIMEOUT_MS).' },
      maxConnections: { type: 'integer', minimum: 1, description: 'Connections beyond this many per process are closed as they arrive (env POLYTOKEN_MAX_CONNECTIONS).' },
    },
    additionalProperties: false,
  },
}

export const serverConfigSchema: JsonSchema = configSchema({})

/**
 * The schema with a section for each dialect package the file names (`{"package": "...", ...options}`,
 * dialect-packages.ts): the package's options, nothing required yet (the environment may supply it).
 */
export function configSchema(packages: Record<string, JsonSchema>): JsonSchema {
  const builtIn = Object.fromEntries(Object.entries(SECTIONS).map(([key, source]) => [key, sectionSchema(source)]))
  const fromPackages = Object.fromEntries(Object.entries(packages).map(([key, schema]) => [key, packageSectionSchema(schema)]))
  return {
    type: 'object',
    description: 'The examples server (npm start): config.json, or the file POLYTOKEN_CONFIG names.',
    properties: { ...SERVER_SETTINGS, ...builtIn, ...fromPackages },
    additionalProperties: false,
  }
}

/** A package's options schema as a config file section: `package` and the mount keys added, `required` left to the final check. */
export function packageSectionSchema(options: JsonSchema): JsonSchema {
  const { properties = {}, additionalProperties, description } = options as { properties?: Record<string, JsonSchema>; additionalProperties?: unknown; description?: string }
  return {
    type: 'object',
    ...(typeof description === 'string' ? { description } : {}),
    properties: { [PACKAGE_KEY]: PACKAGE_KEY_SCHEMA, ...MOUNT_KEYS, ...properties },
    ...(additionalProperties === undefined ? {} : { additionalProperties }),
  }
}

/** The key that makes a section a dialect package's. */
export const PACKAGE_KEY = 'package'
const PACKAGE_KEY_SCHEMA: JsonSchema = { type: 'string', minLength: 1, description: 'The npm package the dialect comes from (installed next to the config file or the server).' }

/** Every top-level key the file may hold: settings, then dialect sections. */
export const KNOWN_KEYS: readonly string[] = [...Object.keys(SERVER_SETTINGS), ...Object.keys(SECTIONS)]
