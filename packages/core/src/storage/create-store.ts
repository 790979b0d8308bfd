import { resolve } from 'node:path'
import { Keyv } from 'keyv'
import { ConfigInvalid } from '../errors.js'
import { createKeyvBackend } from './keyv-store.js'
import type { StoreBackend } from './store.js'
import { redactUrl } from './redact-url.js'
import { memoryDriver } from './memory-driver.js'
import { hardenSqliteAdapter, sqliteAtomicOps, sqliteDriver } from './sqlite-driver.js'
import type KeyvSqlite from '@keyv/sqlite'
import type { Logger } from '../util/logger.js'
import { silentLogger } from '../util/logger.js'

export interface StoreOptions {
  /**
   * Where the data lives:
   * - `memory://` — tests; one process, gone on exit.
   * - `sqlite://path/to/file.db` — the embedded default (`sqlite://:memory:` too).
   * - `redis://[user:password@]host:6379[/db]` or `rediss://…` (TLS) — several instances.
   * - `postgres://user:password@host:5432/db` or `postgresql://…` — several instances.
   *
   * Redis and PostgreSQL URLs may carry `?prefix=name-` and `?timeoutMs=500` (see those options;
   * the options win). Ignored when `keyv` is given.
   */
  url?: string
  /**
   * Bring your own Keyv: every namespace shares its adapter. A KeyvRedis,
   * KeyvPostgres or KeyvSqlite gets the atomic operations of its server; any
   * other adapter is atomic within this process only.
   */
  keyv?: Keyv
  /** A store operation slower than this fails with 503. Default 1000 ms. */
  timeoutMs?: number
  /**
   * SQLite and PostgreSQL keep expired rows until they are read (keyv checks
   * `expires` on read); a sweep deletes them this often. Default 60 000 ms; 0 turns it off.
   * Redis expires keys itself.
   */
  sweepIntervalMs?: number
  /** Put before every namespace, to keep several deployments on one Redis or database apart. Letters, digits, `_.-`. */
  prefix?: string
  logger?: Logger
}

/**
 * The store named by a URL. Redis and PostgreSQL adapters are imported on
 * first use, so a SQLite deployment never loads them.
 */
export function createStore(options: StoreOptions | string = {}): StoreBackend {
  const opts: StoreOptions = typeof options === 'string' ? { url: options } : options
  const logger = opts.logger ?? silentLogger
  const checkTimeout = (timeoutMs: number) => {
    if (!(timeoutMs > 0 && Number.isFinite(timeoutMs))) throw new ConfigInvalid('store: timeoutMs must be a positive number of milliseconds')
    return timeoutMs
  }
  const timeoutMs = checkTimeout(opts.timeoutMs ?? 1000)
  const base = { timeoutMs, logger }

  if (opts.keyv) return keyvOfYourOwn(opts.keyv, { ...base, prefix: opts.prefix })

  const url = opts.url ?? 'memory://'
  const scheme = url.slice(0, Math.max(0, url.indexOf(':'))).toLowerCase()
  const server = () => {
    const split = splitOptions(url, opts)
    return { ...split, location: redactUrl(split.clean), timeoutMs: checkTimeout(split.timeoutMs ?? timeoutMs) }
  }
  switch (scheme) {
    case 'memory':
      if (url !== 'memory://' && url !== 'memory:') break
      // A Map answers within the call: no timeout to arm per operation.
      return createKeyvBackend({ ...base, timeoutMs: Infinity, kind: 'memory', prefix: opts.prefix, location: 'memory', connect: memoryDriver })
    case 'sqlite': {
      const file = url.slice('sqlite://'.length)
      if (!url.startsWith('sqlite://') || !file) throw new ConfigInvalid('store: sqlite:// needs a file path, e.g. sqlite://data/polytoken.db')
      const path = file === ':memory:' ? file : resolve(file)
      return createKeyvBackend({ ...base, kind: 'sqlite', prefix: opts.prefix, location: `sqlite://${path}`, connect: () => sqliteDriver(path, { sweepIntervalMs: opts.sweepIntervalMs }) })
    }
    case 'redis':
    case 'rediss': {
      const { clean, prefix, location, timeoutMs } = server()
      return createKeyvBackend({
        kind: 'redis',
        logger,
        timeoutMs,
        prefix,
        location,
        connect: async () => (await import('./redis-driver.js')).connectRedis({ url: clean, timeoutMs, logger, location }),
      })
    }
    case 'postgres':
    case 'postgresql': {
      const { clean, prefix, location, timeoutMs } = server()
      return createKeyvBackend({
        kind: 'postgres',
        logger,
        timeoutMs,
        prefix,
        location,
        connect: async () => (await import('./postgres-driver.js')).connectPostgres({ url: clean, timeoutMs, logger, location, sweepIntervalMs: opts.sweepIntervalMs }),
      })
    }
  }
  throw new ConfigInvalid(`store: unsupported URL "${redactUrl(url)}" (use memory://, sqlite://path, redis://host:port or postgres://user@host/db)`)
}

/** `?prefix=` and `?timeoutMs=` are ours, not the driver's: take them out of the URL. */
function splitOptions(url: string, opts: StoreOptions): { clean: string; prefix: string | undefined; timeoutMs: number | undefined } {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new ConfigInvalid(`store: "${redactUrl(url)}" is not a valid URL`)
  }
  const prefix = parsed.searchParams.get('prefix')
  const timeout = parsed.searchParams.get('timeoutMs')
  if (prefix === null && timeout === null) return { clean: url, prefix: opts.prefix, timeoutMs: opts.timeoutMs }
  parsed.searchParams.delete('prefix')
  parsed.searchParams.delete('timeoutMs')
  return {
    clean: parsed.toString(),
    prefix: opts.prefix ?? prefix ?? undefined,
    timeoutMs: opts.timeoutMs ?? (timeout === null ? undefined : Number(timeout)),
  }
}

interface AdapterShape {
  opts?: { dialect?: string; uri?: string; table?: string; schema?: string; url?: string }
  client?: unknown
}

function keyvOfYourOwn(shared: Keyv, base: { timeoutMs: number; logger: Logger; prefix: string | undefined }): StoreBackend {
  const adapter = shared.store as AdapterShape
  const dialect = adapter?.opts?.dialect
  if (dialect === 'redis' && adapter.client) {
    const location = redactUrl(adapter.opts?.url ?? 'redis')
    return createKeyvBackend({
      ...base,
      kind: 'redis',
      location,
      connect: async () => (await import('./redis-driver.js')).connectRedis({ client: adapter.client, ...base, location }),
    })
  }
  if (dialect === 'postgres' && adapter.opts?.uri) {
    const { uri, table, schema } = adapter.opts
    const location = redactUrl(uri)
    return createKeyvBackend({
      ...base,
      kind: 'postgres',
      location,
      connect: async () => (await import('./postgres-driver.js')).connectPostgres({ url: uri, table, schema, ...base, location }),
    })
  }
  const sqlite = dialect === 'sqlite' && typeof (adapter as { query?: unknown }).query === 'function' ? hardenSqliteAdapter(adapter as KeyvSqlite) : undefined
  if (!(adapter instanceof Map) && !sqlite) {
    base.logger.warn('store: a keyv of your own with an adapter polytoken does not know; add/take/increment are atomic within this process only')
  }
  // One Keyv for every namespace, without a keyv namespace of its own: adapters keep their
  // namespace in one shared property, so per-namespace Keyvs on one adapter would trample
  // each other. The store writes `namespace:key` itself and lists by that prefix.
  const keyv = new Keyv({ store: shared.store, namespace: '', useKeyPrefix: false })
  return createKeyvBackend({
    ...base,
    kind: 'keyv',
    location: 'keyv',
    connect: () => ({
      shared: true,
      keyv: () => keyv,
      ...(sqlite ? { atomic: () => sqliteAtomicOps(sqlite.query, sqlite.table) } : {}),
      fullKey: (namespace, key) => `${namespace}:${key}`,
      async close() {
        await shared.disconnect().catch(() => undefined)
      },
    }),
  })
}
