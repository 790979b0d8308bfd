import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ConfigInvalid, type JsonSchema } from '@polytoken/core'
import { validateOptions } from '@polytoken/plugins'
import { readHttpLimits, type HttpLimits } from './http-limits.js'
import { KNOWN_KEYS, PACKAGE_KEY, SECTIONS, configSchema } from './config-schema.js'
import { applyEnvironment } from './env-overrides.js'
import { isPackageSection, locateDialectPackage, packageOptions, type DialectPackage } from './dialect-packages.js'
import { readShutdownSettings, readStartupRetry, type ShutdownSettings } from './lifecycle-settings.js'
import type { StartupOptions } from '@polytoken/express'

export interface ServerConfig {
  port: number
  store: string
  masterKey: string
  dataDir: string
  /**
   * Verification cache: `maxTtlMs` bounds how long a revocation made on another
   * instance can go unnoticed here (default 5000). Config key `cache`, env POLYTOKEN_CACHE__MAX_TTL_MS (or POLYTOKEN_CACHE_MAX_TTL_MS).
   */
  cache: { maxTtlMs?: number; max?: number }
  /** Slow-client timeouts and the connection limit: config key `http`, env POLYTOKEN_*_TIMEOUT_MS, POLYTOKEN_MAX_CONNECTIONS. */
  http: HttpLimits
  /** Dialect sections, by key. A section with `"enabled": false` is not mounted. */
  sections: Record<string, Record<string, unknown>>
  /** The sections that name a dialect package (`"package": "<npm name>"`), located and their options checked. */
  packages?: Record<string, DialectPackage>
  /** Retrying a store not up yet at start-up: env POLYTOKEN_STARTUP_RETRY_MS, POLYTOKEN_STARTUP_MAX_ATTEMPTS (lifecycle-settings.ts). */
  startup?: StartupOptions
  /** The drain on SIGTERM: env POLYTOKEN_SHUTDOWN_GRACE_MS, POLYTOKEN_SHUTDOWN_DELAY_MS (shutdown.ts). */
  shutdown: ShutdownSettings
  /** GET /docs, the interactive API page: config key `docs`, env POLYTOKEN_DOCS. Default true. */
  docs: boolean
  /** How often generated key rings are re-read from the store (the runtime's keyRefreshMs): config key `keyRefreshMs`, env POLYTOKEN_KEY_REFRESH_MS. */
  keyRefreshMs?: number
}

/** config.json as serverConfigSchema lets it be written: every key optional; the rest are dialect sections (objects). */
interface ConfigFile {
  port?: number
  store?: string
  masterKey?: string
  dataDir?: string
  docs?: boolean
  keyRefreshMs?: number
  cache?: { maxTtlMs?: number; max?: number }
  http?: Record<string, unknown>
  [section: string]: unknown
}

export const EXAMPLE_MASTER_KEY = 'example-master-key-change-me-please'

/** Where a dialect package is looked for when the config file's directory has none: the server's own (this repository's node_modules). */
const SERVER_DIR = fileURLToPath(new URL('.', import.meta.url))

/**
 * config.json (or POLYTOKEN_CONFIG), then the environment over it: `POLYTOKEN_<SECTION>__<KEY>` for any key, the
 * older names (PORT, POLYTOKEN_STORE, PRODMANAGER_SECRET, ...) as aliases, `<VAR>_FILE` for a value in a file
 * (env-overrides.ts). Dialect packages the file names are located and their sections checked here; they are
 * imported when mounted (app.ts). Everything wrong is ConfigInvalid naming the key or the variable, never a value.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const file = resolve(env.POLYTOKEN_CONFIG ?? fileURLToPath(new URL('./config.json', import.meta.url)))
  const { config: read, packages } = readConfigFile(file)
  const schema = configSchema(mapValues(packages, (p) => p.optionsSchema))
  const merged = applyEnvironment(read, schema, env, Object.keys(SECTIONS))
  const raw = checkMerged(merged, schema, packages)
  const dataDir = resolve(raw.dataDir ?? 'data')
  const { port, store, masterKey, dataDir: _ignored, cache, http, docs, keyRefreshMs, ...sections } = raw
  return {
    port: port ?? 8080,
    store: (store ?? 'sqlite://${dataDir}/polytoken.db').replace('${dataDir}', dataDir),
    masterKey: masterKey ?? EXAMPLE_MASTER_KEY,
    dataDir,
    cache: { ...cache },
    http: httpLimits(http),
    sections: sections as Record<string, Record<string, unknown>>,
    packages,
    startup: readStartupRetry(env),
    shutdown: readShutdownSettings(env),
    // POLYTOKEN_DOCS is the environment's name for the top-level key (env-overrides.ts), already applied.
    docs: docs ?? true,
    ...(keyRefreshMs === undefined ? {} : { keyRefreshMs }),
  }
}

/** The file and the environment together: the whole schema again, and each package's own schema with its `required`. */
function checkMerged(config: Record<string, unknown>, schema: JsonSchema, packages: Record<string, DialectPackage>): ConfigFile {
  const where = "with the environment's settings"
  let checked: ConfigFile
  try {
    checked = validateOptions(schema, config, '', { defaults: false })
    for (const [section, dialectPackage] of Object.entries(packages)) {
      const options = checked[section] as Record<string, unknown>
      if (options.enabled !== false) validateOptions(dialectPackage.optionsSchema, packageOptions(options), section, { defaults: false })
    }
  } catch (error) {
    throw error instanceof ConfigInvalid ? new ConfigInvalid(`${where}: ${error.message}`) : error
  }
  return checked
}

/**
 * Parse and validate the file: an unknown section or key, or a wrong type, is ConfigInvalid naming it and the file.
 * A section with a `package` key names a dialect package: it is located (from the file's directory, then the
 * server's) and the section checked against the package's options schema.
 */
export function readConfigFile(file: string): { config: ConfigFile; packages: Record<string, DialectPackage> } {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch (cause) {
    // Not the parser's message: it quotes the file, and the file holds secrets.
    throw new ConfigInvalid(`${file}: cannot read it as JSON (${(cause as NodeJS.ErrnoException).code ?? 'not valid JSON'})`)
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigInvalid(`${file}: must hold a JSON object`)
  const packages: Record<string, DialectPackage> = {}
  // Said first and plainly: before, a misspelled section was skipped in silence.
  const unknown: string[] = []
  for (const [key, value] of Object.entries(raw)) {
    if (KNOWN_KEYS.includes(key)) continue
    if (!isPackageSection(value)) {
      unknown.push(key)
      continue
    }
    try {
      packages[key] = locateDialectPackage(key, value[PACKAGE_KEY], [dirname(file), SERVER_DIR])
    } catch (error) {
      throw error instanceof ConfigInvalid ? new ConfigInvalid(`${file}: ${error.message}`) : error
    }
  }
  if (unknown.length > 0) {
    throw new ConfigInvalid(
      `${file}: ${unknown.map((key) => JSON.stringify(key)).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} neither a setting nor a dialect section (known: ${KNOWN_KEYS.join(', ')}; a dialect from an npm package is a section with "${PACKAGE_KEY}": "<name>")`,
    )
  }
  try {
    const config = validateOptions(configSchema(mapValues(packages, (p) => p.optionsSchema)), raw as ConfigFile, '', { defaults: false })
    return { config, packages }
  } catch (error) {
    throw error instanceof ConfigInvalid ? new ConfigInvalid(`${file}: ${error.message}`) : error
  }
}

/** The http limits checked together (headers within the request's time): ConfigInvalid like every other setting. */
function httpLimits(section: Record<string, unknown> | undefined): HttpLimits {
  try {
    return readHttpLimits(section, {})
  } catch (error) {
    throw new ConfigInvalid((error as Error).message)
  }
}

function mapValues<T, U>(record: Record<string, T>, map: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value)]))
}

/** loadConfig for a program's start: a bad file prints one clear line and exits 2 instead of a stack trace. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  try {
    return loadConfig(env)
  } catch (error) {
    // Everything loadConfig throws is about the file or the environment (http limits throw plain Errors).
    const code = error instanceof ConfigInvalid ? error.code : 'ERR_CONFIG_INVALID'
    console.error(`polytoken examples server: invalid configuration (${code}): ${(error as Error).message}`)
    process.exit(2)
  }
}
