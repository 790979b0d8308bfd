import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { readHttpLimits, type HttpLimits } from './http-limits.js'

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
  sections: Record<string, Record<string, any>>
}

export const EXAMPLE_MASTER_KEY = 'example-master-key-change-me-please'

/** config.json (or POLYTOKEN_CONFIG), then the environment: PORT, POLYTOKEN_DATA_DIR, POLYTOKEN_STORE, POLYTOKEN_MASTER_KEY, POLYTOKEN_CACHE_MAX_TTL_MS, the http limits' variables. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const file = env.POLYTOKEN_CONFIG ?? new URL('./config.json', import.meta.url).pathname
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>
  const dataDir = resolve(env.POLYTOKEN_DATA_DIR ?? raw.dataDir ?? 'data')
  const { port, store, masterKey, dataDir: _ignored, cache, http, ...sections } = raw
  const maxTtlMs = env.POLYTOKEN_CACHE_MAX_TTL_MS ?? cache?.maxTtlMs
  if (maxTtlMs !== undefined && !(Number(maxTtlMs) > 0)) throw new Error('cache.maxTtlMs (POLYTOKEN_CACHE_MAX_TTL_MS) must be a positive number of milliseconds')
  return {
    port: Number(env.PORT ?? port ?? 8080),
    store: (env.POLYTOKEN_STORE ?? store ?? 'sqlite://${dataDir}/polytoken.db').replace('${dataDir}', dataDir),
    masterKey: env.POLYTOKEN_MASTER_KEY ?? masterKey ?? EXAMPLE_MASTER_KEY,
    dataDir,
    cache: { ...cache, ...(maxTtlMs === undefined ? {} : { maxTtlMs: Number(maxTtlMs) }) },
    http: readHttpLimits(http, env),
    sections,
  }
}
