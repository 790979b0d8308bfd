import { ConfigInvalid } from '../errors.js'
import type { Logger } from '../util/logger.js'
import type { StoreBackend } from './store.js'
import { memoryStore } from './memory-store.js'

export interface StoreOptions {
  /**
   * Where the data lives:
   * - `memory://` — tests; one process, gone on exit. Built in.
   * - `sqlite://path/to/file.db` — the embedded default (`sqlite://:memory:` too); needs `@polytoken/store-sqlite`.
   * - `redis://[user:password@]host:6379[/db]` or `rediss://…` (TLS) — several instances; needs `@polytoken/store-redis`.
   * - `redis+sentinel://host:26379,host:26380/<master>` and `redis+cluster://host:7000,host:7001` (`rediss+…` for TLS) —
   *   Redis behind Sentinel or as a Cluster; needs `@polytoken/store-redis` (docs/scale-out.md).
   * - `postgres://user:password@host:5432/db` or `postgresql://…` — several instances; needs `@polytoken/store-postgres`.
   *
   * Redis and PostgreSQL URLs may carry `?prefix=name-` and `?timeoutMs=500` (see those options;
   * the options win). Ignored when `keyv` is given.
   */
  url?: string
  /**
   * Bring your own Keyv (needs `@polytoken/store-keyv`): every namespace shares its adapter. A KeyvRedis,
   * KeyvPostgres or KeyvSqlite gets the atomic operations of its server (and needs that store's package); any other
   * adapter is atomic within this process only.
   */
  keyv?: object
  /** A store operation slower than this fails with 503. Default 1000 ms. */
  timeoutMs?: number
  /**
   * SQLite and PostgreSQL keep expired rows until they are read (keyv checks `expires` on read); a sweep deletes them
   * this often. Default 60 000 ms; 0 turns it off. Redis expires keys itself.
   */
  sweepIntervalMs?: number
  /** Put before every namespace, to keep several deployments on one Redis or database apart. Letters, digits, `_.-`. */
  prefix?: string
  logger?: Logger
}

/** What a store package (`@polytoken/store-sqlite`, …) exports for createStore. */
export interface StorePackage {
  createStoreBackend(options: StoreOptions): StoreBackend
}

/** The package of each URL scheme; keyv adapters name the same kinds in `opts.dialect` (sqlite, redis, postgres). */
const PACKAGE_OF: Record<string, string> = {
  sqlite: '@polytoken/store-sqlite',
  redis: '@polytoken/store-redis',
  rediss: '@polytoken/store-redis',
  'redis+sentinel': '@polytoken/store-redis',
  'rediss+sentinel': '@polytoken/store-redis',
  'redis+cluster': '@polytoken/store-redis',
  'rediss+cluster': '@polytoken/store-redis',
  postgres: '@polytoken/store-postgres',
  postgresql: '@polytoken/store-postgres',
}
const packageOf = (kind: unknown): string | undefined => (typeof kind === 'string' && Object.hasOwn(PACKAGE_OF, kind) ? PACKAGE_OF[kind] : undefined)

/** The package that serves these options; undefined for memory:// (built in). */
export function storePackageFor(options: StoreOptions): string | undefined {
  // A server's own keyv adapter gets that server's atomic operations; any other adapter, store-keyv's.
  if (options.keyv) return packageOf((options.keyv as { store?: { opts?: { dialect?: unknown } } }).store?.opts?.dialect) ?? '@polytoken/store-keyv'
  const url = options.url ?? 'memory://'
  if (url === 'memory://' || url === 'memory:') return undefined
  const scheme = url.slice(0, Math.max(0, url.indexOf(':'))).toLowerCase()
  // Nothing of an unknown URL is echoed but a well-formed scheme: the rest may hold credentials.
  const shown = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? `unsupported URL scheme "${scheme}:"` : 'not a store URL'
  return packageOf(scheme) ?? fail(`store: ${shown} (use memory://, sqlite://path, redis://host:port or postgres://user@host/db)`)
}

function fail(message: string): never {
  throw new ConfigInvalid(message)
}

export type StoreImporter = (name: string) => Promise<unknown>

/** Load a store package; a missing one is a ConfigInvalid that says what to install. */
export async function importStorePackage(name: string, importer: StoreImporter = (module) => import(module)): Promise<StorePackage> {
  let loaded: unknown
  try {
    loaded = await importer(name)
  } catch (error) {
    // Only the package itself missing: a dependency missing inside it is its own error.
    const code = (error as { code?: unknown })?.code
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((error as Error).message).includes(`'${name}'`)) {
      throw new ConfigInvalid(`store: this store needs the package ${name}, which is not installed (npm install ${name})`, { cause: error })
    }
    throw error
  }
  if (typeof (loaded as StorePackage)?.createStoreBackend !== 'function') throw new ConfigInvalid(`store: ${name} does not export createStoreBackend`)
  return loaded as StorePackage
}

/**
 * The store named by a URL (or a Keyv of your own). memory:// is built in; every other store is a package of its own,
 * imported on first use, so a deployment loads only the driver it uses.
 */
export async function createStore(options: StoreOptions | string = {}, importer?: StoreImporter): Promise<StoreBackend> {
  const opts: StoreOptions = typeof options === 'string' ? { url: options } : options
  const timeoutMs = opts.timeoutMs ?? 1000
  if (!(timeoutMs > 0 && Number.isFinite(timeoutMs))) throw new ConfigInvalid('store: timeoutMs must be a positive number of milliseconds')
  const name = storePackageFor(opts)
  if (!name) return memoryStore({ prefix: opts.prefix })
  return (await importStorePackage(name, importer)).createStoreBackend(opts)
}

/** The store a runtime uses: a ready backend as given (the host's to close), else one opened from a URL or options with `logger`. */
export async function openStore(store: string | StoreOptions | StoreBackend | undefined, logger: Logger): Promise<StoreBackend> {
  if (typeof store === 'object' && typeof (store as Partial<StoreBackend>).namespace === 'function') return store as StoreBackend
  if (store === undefined || typeof store === 'string') return createStore({ url: store ?? 'memory://', logger })
  return createStore({ logger, ...(store as StoreOptions) })
}
