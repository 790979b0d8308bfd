import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { ConfigInvalid } from '@polytoken/core'
import { validateOptions } from '@polytoken/plugins'
import { readHttpLimits, type HttpLimits } from './http-limits.js'
import { KNOWN_KEYS, serverConfigSchema } from './config-schema.js'
import { readShutdownSettings, readStartupRetry, type ShutdownSettings } from './lifecycle-settings.js'
import type { StartupOptions } from '@polytoken/express'

export interface ServerConfig {
  port: number
  store: string
  masterKey: string
  dataDir: string
  /**
   * Verification cache: `maxTtlMs` bounds how long a revocation made on another
   * instance can go unnoticed here (default 5000). Config key `cache`, env POLYTOKEN_CACHE_MAX_TTL_MS.
   */
  cache: { maxTtlMs?: number; max?: number }
  /** Slow-client timeouts and the connection limit: config key `http`, env POLYTOKEN_*_TIMEOUT_MS, POLYTOKEN_MAX_CONNECTIONS. */
  http: HttpLimits
  /** Dialect sections, by key. A section with `"enabled": false` is not mounted. */
  sections: Record<string, Record<string, unknown>>
  /** Retrying a store not up yet at start-up: env POLYTOKEN_STARTUP_RETRY_MS, POLYTOKEN_STARTUP_MAX_ATTEMPTS (lifecycle-settings.ts). */
  startup?: StartupOptions
  /** The drain on SIGTERM: env POLYTOKEN_SHUTDOWN_GRACE_MS, POLYTOKEN_SHUTDOWN_DELAY_MS (shutdown.ts). */
  shutdown: ShutdownSettings
  /** GET /docs, the interactive API page: config key `docs`, env POLYTOKEN_DOCS. Default true. */
  docs: boolean
}

/** config.json as serverConfigSchema lets it be written: every key optional; the rest are dialect sections (objects). */
interface ConfigFile {
  port?: number
  store?: string
  masterKey?: string
  dataDir?: string
  docs?: boolean
  cache?: { maxTtlMs?: number; max?: number }
  http?: Record<string, unknown>
  [section: string]: unknown
}

export const EXAMPLE_MASTER_KEY = 'example-master-key-change-me-please'

/** config.json (or POLYTOKEN_CONFIG), then the environment: PORT, POLYTOKEN_DATA_DIR, POLYTOKEN_STORE, POLYTOKEN_MASTER_KEY, POLYTOKEN_CACHE_MAX_TTL_MS, the http limits' variables. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const file = env.POLYTOKEN_CONFIG ?? new URL('./config.json', import.meta.url).pathname
  const raw = readConfigFile(file)
  const dataDir = resolve(env.POLYTOKEN_DATA_DIR ?? raw.dataDir ?? 'data')
  const { port, store, masterKey, dataDir: _ignored, cache, http, docs, ...sections } = raw
  const maxTtlMs = env.POLYTOKEN_CACHE_MAX_TTL_MS ?? cache?.maxTtlMs
  if (maxTtlMs !== undefined && !(Number(maxTtlMs) > 0)) throw new ConfigInvalid('cache.maxTtlMs (POLYTOKEN_CACHE_MAX_TTL_MS) must be a positive number of milliseconds')
  return {
    port: Number(env.PORT ?? port ?? 8080),
    store: (env.POLYTOKEN_STORE ?? store ?? 'sqlite://${dataDir}/polytoken.db').replace('${dataDir}', dataDir),
    masterKey: env.POLYTOKEN_MASTER_KEY ?? masterKey ?? EXAMPLE_MASTER_KEY,
    dataDir,
    cache: { ...cache, ...(maxTtlMs === undefined ? {} : { maxTtlMs: Number(maxTtlMs) }) },
    http: readHttpLimits(http, env),
    sections: sections as Record<string, Record<string, unknown>>,
    startup: readStartupRetry(env),
    shutdown: readShutdownSettings(env),
    docs: readDocs(env.POLYTOKEN_DOCS, docs),
  }
}

function readDocs(fromEnv: string | undefined, fromFile: boolean | undefined): boolean {
  if (fromEnv === undefined) return fromFile ?? true
  if (fromEnv === 'true' || fromEnv === 'false') return fromEnv === 'true'
  throw new ConfigInvalid('docs (POLYTOKEN_DOCS) must be true or false')
}

/** Parse and validate the file: an unknown section or key, or a wrong type, is ConfigInvalid naming it and the file. */
export function readConfigFile(file: string): ConfigFile {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch (cause) {
    // Not the parser's message: it quotes the file, and the file holds secrets.
    throw new ConfigInvalid(`${file}: cannot read it as JSON (${(cause as NodeJS.ErrnoException).code ?? 'not valid JSON'})`)
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigInvalid(`${file}: must hold a JSON object`)
  // Said first and plainly: before, a misspelled section was skipped in silence.
  const unknown = Object.keys(raw).filter((key) => !KNOWN_KEYS.includes(key))
  if (unknown.length > 0) {
    throw new ConfigInvalid(
      `${file}: ${unknown.map((key) => JSON.stringify(key)).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} neither a setting nor a dialect section (known: ${KNOWN_KEYS.join(', ')})`,
    )
  }
  try {
    return validateOptions(serverConfigSchema, raw as ConfigFile, '', { defaults: false })
  } catch (error) {
    throw error instanceof ConfigInvalid ? new ConfigInvalid(`${file}: ${error.message}`) : error
  }
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
