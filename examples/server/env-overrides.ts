import { ConfigInvalid, type JsonSchema } from '@polytoken/core'
import { CODE_ONLY, validateOptions } from '@polytoken/plugins'
import { readSecretFile } from './file-secrets.js'
import { configPath, envName, plainEnvName } from './config-path.js'

/**
 * The environment over the config file. `POLYTOKEN_<KEY>__<KEY>...` names one key of the file by its path
 * (`__` between levels, keys upper-cased, camelCase split with `_`, `-` → `_`, array indices as numbers):
 * `POLYTOKEN_ZAZZ__CLIENTS__1__SECRET` is `zazz.clients[1].secret`. The value is read as the schema's type
 * at that path says (number, boolean, string; objects and arrays as JSON). `<VAR>_FILE` reads the value
 * from a file instead. The older names (PORT, PRODMANAGER_SECRET, ...) are aliases of the same keys.
 * docs/configuration.md#the-environment says all of it for operators.
 */

export const ENV_PREFIX = 'POLYTOKEN_'

/** POLYTOKEN_ variables the server reads that are not keys of the file: left to their readers. */
export const PROCESS_VARIABLES: readonly string[] = [
  'POLYTOKEN_CONFIG',
  'POLYTOKEN_BASE_URL',
  'POLYTOKEN_WORKERS',
  'POLYTOKEN_LOG_LEVEL',
  'POLYTOKEN_METRICS_PORT',
  'POLYTOKEN_METRICS_HOST',
  'POLYTOKEN_STARTUP_RETRY_MS',
  'POLYTOKEN_STARTUP_MAX_ATTEMPTS',
  'POLYTOKEN_SHUTDOWN_GRACE_MS',
  'POLYTOKEN_SHUTDOWN_DELAY_MS',
]

/** The test suites' own variables (POLYTOKEN_TEST_REDIS_URL, ...): a server a test starts inherits them. */
export const TEST_PREFIX = 'POLYTOKEN_TEST_'

/** A name from before the POLYTOKEN_<SECTION>__<KEY> style, kept working: the key it sets. */
interface Alias {
  path: string[]
  /** Read the value this way instead of by the schema's type. */
  parse?: (value: string) => unknown
}

/**
 * The documented older names. A dialect's alias applies only when the file has that section (and zazz's
 * client secret only to a client the file lists), as before; an empty value counts as unset.
 */
export const ALIASES: Readonly<Record<string, Alias>> = {
  PORT: { path: ['port'] },
  POLYTOKEN_CACHE_MAX_TTL_MS: { path: ['cache', 'maxTtlMs'] },
  POLYTOKEN_HEADERS_TIMEOUT_MS: { path: ['http', 'headersTimeoutMs'] },
  POLYTOKEN_REQUEST_TIMEOUT_MS: { path: ['http', 'requestTimeoutMs'] },
  POLYTOKEN_KEEP_ALIVE_TIMEOUT_MS: { path: ['http', 'keepAliveTimeoutMs'] },
  POLYTOKEN_MAX_CONNECTIONS: { path: ['http', 'maxConnections'] },
  PRODMANAGER_SECRET: { path: ['prodmanager', 'secret'] },
  PRODMANAGER_SIGNING_SECRET: { path: ['prodmanager', 'signingSecret'] },
  TOKEN_GENERATOR_SESSION_SECRET: { path: ['token-generator', 'sessionSecret'] },
  TOKEN_GENERATOR_RESOURCE_SECRET: { path: ['token-generator', 'resourceSecret'] },
  TOKEN_GENERATOR_ENDPOINT: { path: ['token-generator', 'endpoint'] },
  CREW_ISSUER: { path: ['crew', 'issuer'] },
  CREW_SERVICE: { path: ['crew', 'service'] },
  CREW_CERTIFICATE_FILE: { path: ['crew', 'certificateFile'] },
  ZAZZ_SIGNING_SECRET: { path: ['zazz', 'signingSecret'] },
  SAGRADA_SECRETS: {
    path: ['sagrada', 'nodeSecrets'],
    parse: (value) =>
      value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
  },
  GITHUB_PATS_OCTOCAT_PASSWORD: { path: ['github-pats', 'users', 'octocat'] },
}

/** ZAZZ_CLIENT_SECRET_<N>: clients[N].secret. */
function aliasOf(name: string): Alias | undefined {
  if (Object.hasOwn(ALIASES, name)) return ALIASES[name]
  const client = /^ZAZZ_CLIENT_SECRET_(0|[1-9]\d{0,3})$/.exec(name)
  return client ? { path: ['zazz', 'clients', client[1]!, 'secret'] } : undefined
}

/** One variable that sets a key: where, and how to get its text. */
interface Setting {
  variable: string
  path: string[]
  node: JsonSchema
  text: () => string
  parse?: (value: string) => unknown
}

type Config = Record<string, unknown>

/**
 * `config` (the file, already checked) with every setting of `env` applied, in place. A variable that names
 * no key, a value of the wrong type, two variables for one key: ConfigInvalid naming the variable, never its value.
 */
export function applyEnvironment(config: Config, schema: JsonSchema, env: NodeJS.ProcessEnv, dialectSections: readonly string[]): Config {
  const set = new Map<string, string>()
  // Shallow first: a whole object given as JSON, then the variables that name keys inside it.
  const variables = Object.keys(env)
    .filter((name) => env[name] !== undefined && isOurs(name))
    .sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : 1))
  for (const variable of variables) {
    const setting = settingOf(variable, env, config, schema, dialectSections)
    if (!setting) continue
    const key = JSON.stringify(setting.path)
    const earlier = set.get(key)
    if (earlier) throw new ConfigInvalid(`${earlier} and ${variable} both set ${configPath(setting.path)}: set one of them`)
    set.set(key, variable)
    const value = valueOf(setting)
    setAt(config, setting.path, value, schema)
  }
  return config
}

function isOurs(name: string): boolean {
  if (PROCESS_VARIABLES.includes(name) || name.startsWith(TEST_PREFIX)) return false
  return name.startsWith(ENV_PREFIX) || aliasOf(name) !== undefined || (name.endsWith('_FILE') && aliasOf(name.slice(0, -'_FILE'.length)) !== undefined)
}

function depth(name: string): number {
  const alias = aliasOf(name) ?? aliasOf(name.replace(/_FILE$/, ''))
  return alias ? alias.path.length : name.split('__').length
}

function settingOf(variable: string, env: NodeJS.ProcessEnv, config: Config, schema: JsonSchema, dialectSections: readonly string[]): Setting | undefined {
  const fromFile = (path: string) => () => readSecretFile(variable, path)
  const raw = env[variable]!
  const alias = aliasOf(variable)
  const fileAlias = alias ? undefined : variable.endsWith('_FILE') ? aliasOf(variable.slice(0, -'_FILE'.length)) : undefined
  if (alias ?? fileAlias) {
    const { path, parse } = (alias ?? fileAlias)!
    if (raw === '') return undefined
    // As before this style: a dialect's variable sets nothing in a section the file does not have.
    if (dialectSections.includes(path[0]!) && !hasPath(config, path.slice(0, path[1] === 'clients' ? 3 : 1))) return undefined
    const node = nodeAt(schema, path)
    if (!node) return undefined
    return { variable, path, node, text: alias ? () => raw : fromFile(raw), ...(parse ? { parse } : {}) }
  }
  const name = variable.slice(ENV_PREFIX.length)
  // The whole name first: crew's `certificateFile` is POLYTOKEN_CREW__CERTIFICATE_FILE, not a _FILE of a key `certificate`.
  const whole = resolve(variable, name, config, schema)
  if (!(whole instanceof ConfigInvalid)) return { variable, ...whole, text: () => raw }
  if (name.endsWith('_FILE')) {
    const base = resolve(variable, name.slice(0, -'_FILE'.length), config, schema)
    if (!(base instanceof ConfigInvalid)) return { variable, ...base, text: fromFile(raw) }
  }
  throw whole
}

const SEGMENT = /^[A-Z0-9]+(?:_[A-Z0-9]+)*$/
const INDEX = /^(?:0|[1-9]\d{0,3})$/

/** The key path `name` (after POLYTOKEN_) names, matched against the schema and, for maps and arrays, what the file holds. */
function resolve(variable: string, name: string, config: Config, schema: JsonSchema): { path: string[]; node: JsonSchema } | ConfigInvalid {
  const segments = name.split('__')
  const path: string[] = []
  let node = schema
  let value: unknown = config
  for (const segment of segments) {
    const where = path.length === 0 ? 'the configuration' : configPath(path)
    if (!SEGMENT.test(segment)) {
      return new ConfigInvalid(`${variable}: "${segment === '' ? '(empty)' : segment}" is not a key name: levels are separated by "__", and each is upper-case letters, digits and single "_"`)
    }
    const key = childKey(node, value, segment)
    if (typeof key !== 'string') return new ConfigInvalid(`${variable}: ${where} ${key.why}`)
    path.push(key)
    node = childSchema(node, key)!
    value = ownValue(value, key)
  }
  if (node[CODE_ONLY] !== undefined) return new ConfigInvalid(`${variable}: ${configPath(path)} is code only: no variable or file can set it`)
  return { path, node }
}

function childKey(node: JsonSchema, value: unknown, segment: string): string | { why: string } {
  const properties = (node.properties ?? {}) as Record<string, JsonSchema>
  const named = Object.keys(properties).filter((key) => envName(key) === segment || plainEnvName(key) === segment)
  if (named.length === 1) return named[0]!
  if (named.length > 1) return { why: `has several keys ${segment} names (${named.join(', ')}): give this level as JSON instead` }
  if (typesOf(node).includes('array') && isObject(node.items)) {
    if (!INDEX.test(segment)) return { why: `is a list: the next level is an index (0, 1, ...)` }
    const length = Array.isArray(value) ? value.length : 0
    if (Number(segment) > length) return { why: `has ${length} entries: index ${segment} would leave a gap` }
    return segment
  }
  if (isObject(node.additionalProperties)) {
    const entries = isObject(value) ? Object.keys(value).filter((key) => envName(key) === segment || plainEnvName(key) === segment) : []
    if (entries.length === 1) return entries[0]!
    return { why: `has no entry named ${segment} in the file (a variable cannot spell every name: give the whole map as JSON)` }
  }
  const known = Object.keys(properties).map(envName)
  return { why: `has no key ${segment}${known.length > 0 ? ` (known: ${known.join(', ')})` : ''}` }
}

function childSchema(node: JsonSchema, key: string): JsonSchema | undefined {
  const properties = node.properties as Record<string, JsonSchema> | undefined
  if (properties && Object.hasOwn(properties, key)) return properties[key]
  if (INDEX.test(key) && isObject(node.items) && typesOf(node).includes('array')) return node.items
  return isObject(node.additionalProperties) ? node.additionalProperties : undefined
}

/** The schema at a path of real keys (the aliases'). */
function nodeAt(schema: JsonSchema, path: readonly string[]): JsonSchema | undefined {
  let node: JsonSchema | undefined = schema
  for (const key of path) node = node && childSchema(node, key)
  return node
}

/** The JSON types a schema node allows: `type`, else those of its `enum` / `const` / `anyOf` branches; empty: any. */
export function typesOf(node: JsonSchema): string[] {
  if (typeof node.type === 'string') return [node.type]
  if (Array.isArray(node.type)) return node.type as string[]
  const values = Array.isArray(node.enum) ? node.enum : 'const' in node ? [node.const] : undefined
  if (values) return [...new Set(values.map((v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v)))]
  if (Array.isArray(node.anyOf)) return [...new Set((node.anyOf as JsonSchema[]).flatMap(typesOf))]
  return []
}

/** The variable's text as the schema's type at its path says, then checked against that part of the schema. */
function valueOf(setting: Setting): unknown {
  const { variable, path, node } = setting
  const text = setting.text()
  const value = setting.parse ? setting.parse(text) : coerce(text, typesOf(node), variable, path)
  try {
    return validateOptions(node, value, configPath(path), { defaults: false })
  } catch (error) {
    throw error instanceof ConfigInvalid ? new ConfigInvalid(`${variable}: ${error.message}`) : error
  }
}

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/

export function coerce(text: string, types: readonly string[], variable: string, path: readonly string[]): unknown {
  const wrong = (expected: string) => new ConfigInvalid(`${variable}: ${configPath(path)} must be ${expected}`)
  const any = types.length === 0
  const trimmed = text.trim()
  if ((any || types.includes('object') || types.includes('array')) && /^[[{]/.test(trimmed)) {
    let parsed: unknown
    try {
      parsed = JSON.parse(trimmed)
    } catch {
      // Not the parser's message: it quotes the text, which may be a secret.
      if (!types.includes('string')) throw wrong(`JSON (${types.join(' or ')}), and is not valid JSON`)
      return text
    }
    if (any || types.includes(Array.isArray(parsed) ? 'array' : 'object')) return parsed
    if (!types.includes('string')) throw wrong(types.join(' or '))
    return text
  }
  if ((types.includes('number') || types.includes('integer')) && NUMBER.test(trimmed)) return Number(trimmed)
  if (types.includes('boolean') && (trimmed === 'true' || trimmed === 'false')) return trimmed === 'true'
  if (types.includes('null') && trimmed === 'null') return null
  if (any || types.includes('string')) return text
  const names: Record<string, string> = { integer: 'a whole number', number: 'a number', boolean: 'true or false', object: 'a JSON object', array: 'a JSON array', null: 'null' }
  throw wrong(types.map((type) => names[type] ?? type).join(' or '))
}

/** Set `value` at `path`, making the objects and lists on the way; own properties only, whatever the key's name. */
function setAt(config: Config, path: readonly string[], value: unknown, schema: JsonSchema): void {
  let container: Record<string, unknown> = config
  let node: JsonSchema | undefined = schema
  for (const [index, key] of path.entries()) {
    node = node && childSchema(node, key)
    if (index === path.length - 1) break
    let next = ownValue(container, key)
    if (!isObject(next) && !Array.isArray(next)) {
      next = node && typesOf(node).includes('array') && !typesOf(node).includes('object') ? [] : {}
      define(container, key, next)
    }
    container = next as Record<string, unknown>
  }
  define(container, path.at(-1)!, value)
}

/** defineProperty, not assignment: a key named `__proto__` in the file stays a plain key. */
function define(container: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(container, key, { value, enumerable: true, writable: true, configurable: true })
}

function ownValue(value: unknown, key: string): unknown {
  return (isObject(value) || Array.isArray(value)) && Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined
}

function hasPath(config: Config, path: readonly string[]): boolean {
  let value: unknown = config
  for (const key of path) {
    value = ownValue(value, key)
    if (value === undefined) return false
  }
  return true
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
