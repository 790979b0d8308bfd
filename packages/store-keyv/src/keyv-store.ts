import type { Keyv } from 'keyv'
import type { Store, StoreBackend } from '@polytoken/core'
import { KeyLock } from './key-lock.js'
import { withTimeout } from './with-timeout.js'
import type { AtomicOps } from './atomic-ops.js'
import { useFastSerialization } from './fast-serialization.js'
import { ConfigInvalid, MAX_TTL_MS, STORE_NAME, StoreUnavailable, normalizeStep, normalizeTtl, type Logger } from '@polytoken/core'
import { redactCredentials } from './redact-url.js'

/** What one backend (memory, sqlite, redis, postgres, a keyv of your own) provides. */
export interface KeyvDriver {
  /** The Keyv of one namespace (the store prefix already applied to the name). */
  keyv(namespace: string): Keyv
  /** The backend's full key for key in namespace, exactly as that Keyv writes it. */
  fullKey(namespace: string, key: string): string
  /**
   * True when keyv(namespace) is one Keyv shared by every namespace: the store
   * then addresses fullKey(namespace, key) itself and lists by that prefix.
   */
  shared?: boolean
  /**
   * Atomic add/take/increment done by the backend itself. Absent: those are
   * serialised inside this process only (fine for memory; NOT across processes).
   */
  atomic?(namespace: string, keyv: Keyv): AtomicOps
  /** Resolves when the backend answers. Default: a get. */
  ping?(): Promise<void>
  /**
   * Delete the expired records whose full key starts with keyPrefix (every namespace of this backend) and return how
   * many. Absent: the backend expires records itself (Redis), or keyv drops them when it reads them.
   */
  purgeExpired?(keyPrefix: string): Promise<number>
  close(): Promise<void>
}

export interface KeyvBackendOptions {
  kind: string
  /** Loads the adapter (dynamic import) and opens clients; called once, retried after a failure. */
  connect(): Promise<KeyvDriver> | KeyvDriver
  timeoutMs: number
  logger: Logger
  /** Put before every namespace name, to keep deployments sharing one server apart. */
  prefix?: string
  /** Where the data lives, credentials removed; for log lines. */
  location?: string
}

/** Writers that keep changing one key make update() give up (503) after this many rounds. */
const UPDATE_ATTEMPTS = 100

/** A purge walks the whole table: it gets longer than one store operation, but still an end. */
const PURGE_TIMEOUT_MS = 60_000

/** A StoreBackend on keyv 5: one Keyv per namespace, errors and slow replies turned into StoreUnavailable. */
export function createKeyvBackend(options: KeyvBackendOptions): StoreBackend {
  const prefix = options.prefix ?? ''
  if (!STORE_NAME.test(prefix)) throw new ConfigInvalid('store: prefix may hold only letters, digits, "_", "." and "-"')
  const stores = new Map<string, KeyvStore>()
  const health = new Health(options)
  let driver: Promise<KeyvDriver> | undefined
  let closed = false

  const connect = (): Promise<KeyvDriver> => {
    if (closed) return Promise.reject(new StoreUnavailable('store is closed'))
    if (!driver) {
      driver = Promise.resolve()
        .then(() => options.connect())
        .catch((error: unknown) => {
          driver = undefined
          throw error
        })
    }
    return driver
  }
  // Start loading the adapter now; the first request should not pay for the import.
  connect().catch((error) => health.failed(error))

  const namespace = (name: string): Store => {
    let store = stores.get(name)
    if (!store) {
      if (!name || !STORE_NAME.test(name)) throw new ConfigInvalid(`store: namespace "${name}" may hold only letters, digits, "_", "." and "-"`)
      store = new KeyvStore(name, prefix + name, connect, options.timeoutMs, health)
      stores.set(name, store)
    }
    return store
  }

  return {
    kind: options.kind,
    namespace,
    async ping() {
      const d = await health.run('ping', options.timeoutMs, connect)
      if (d.ping) await health.run('ping', options.timeoutMs, () => d.ping!())
      else await namespace('polytoken').get('ping')
    },
    async purgeExpired() {
      const d = await health.run('purge', options.timeoutMs, connect)
      if (!d.purgeExpired) return 0
      return health.run('purge', Math.max(options.timeoutMs, PURGE_TIMEOUT_MS), () => d.purgeExpired!(prefix))
    },
    async close() {
      if (closed) return
      closed = true
      const d = await driver?.catch(() => undefined)
      await d?.close().catch(() => undefined)
    },
  }
}

/** Logs the first failure of an outage (then at most every 10 s) and the recovery. */
class Health {
  private down = false
  private lastLog = 0
  private readonly options: KeyvBackendOptions

  constructor(options: KeyvBackendOptions) {
    this.options = options
  }

  failed(error: unknown): void {
    const now = Date.now()
    if (!this.down || now - this.lastLog > 10_000) {
      this.lastLog = now
      const cause = error instanceof StoreUnavailable && error.cause !== undefined ? error.cause : error
      this.options.logger.error(
        {
          backend: this.options.kind,
          at: this.options.location,
          error: redactCredentials(String((cause as Error)?.message ?? cause)),
        },
        'store unavailable',
      )
    }
    this.down = true
  }

  async run<T>(operation: string, timeoutMs: number, work: () => Promise<T>): Promise<T> {
    try {
      // No timeout to arm (memory://): one async step less per store operation.
      const result = timeoutMs === Infinity ? await work() : await withTimeout(operation, timeoutMs, work)
      if (this.down) {
        this.down = false
        this.options.logger.info({ backend: this.options.kind, at: this.options.location }, 'store available again')
      }
      return result
    } catch (error) {
      const unavailable = error instanceof StoreUnavailable ? error : new StoreUnavailable(`store failed on ${operation}`, { cause: error })
      this.failed(unavailable)
      throw unavailable
    }
  }
}

interface Bound {
  keyv: Keyv
  driver: KeyvDriver
  atomic: AtomicOps | undefined
}

class KeyvStore implements Store {
  readonly namespace: string
  private readonly fullNamespace: string
  private readonly connect: () => Promise<KeyvDriver>
  private readonly timeoutMs: number
  private readonly health: Health
  private readonly lock = new KeyLock()
  private bound: Bound | undefined

  constructor(namespace: string, fullNamespace: string, connect: () => Promise<KeyvDriver>, timeoutMs: number, health: Health) {
    this.namespace = namespace
    this.fullNamespace = fullNamespace
    this.connect = connect
    this.timeoutMs = timeoutMs
    this.health = health
  }

  get<T>(key: string): Promise<T | undefined> {
    return this.run('get', async ({ keyv, driver }) => keyv.get<T>(this.keyvKey(driver, key)))
  }

  set<T>(key: string, value: T, ttlMs?: number): Promise<void> {
    return this.run('set', async ({ keyv, driver }) => {
      const ok = await keyv.set(this.keyvKey(driver, key), value, normalizeTtl(ttlMs))
      if (ok === false) throw new StoreUnavailable('store refused set')
    })
  }

  delete(key: string): Promise<boolean> {
    return this.run('delete', async ({ keyv, driver }) => keyv.delete(this.keyvKey(driver, key)))
  }

  add<T>(key: string, value: T, ttlMs?: number): Promise<boolean> {
    const ttl = normalizeTtl(ttlMs)
    return this.run('add', async ({ keyv, driver, atomic }) => {
      if (atomic) {
        const now = Date.now()
        const record = await keyv.serializeData({ value, expires: ttl === undefined ? undefined : now + ttl })
        return atomic.add(driver.fullKey(this.fullNamespace, key), record as string, ttl, now)
      }
      const k = this.keyvKey(driver, key)
      return this.lock.run(key, async () => {
        if ((await keyv.get(k)) !== undefined) return false
        await keyv.set(k, value, ttl)
        return true
      })
    })
  }

  take<T>(key: string): Promise<T | undefined> {
    return this.run('take', async ({ keyv, driver, atomic }) => {
      if (atomic) {
        const record = await atomic.take(driver.fullKey(this.fullNamespace, key))
        if (record === undefined) return undefined
        const data = await keyv.deserializeData<T>(record)
        if (!data || (typeof data.expires === 'number' && Date.now() > data.expires)) return undefined
        return data.value
      }
      const k = this.keyvKey(driver, key)
      return this.lock.run(key, async () => {
        const value = await keyv.get<T>(k)
        if (value !== undefined) await keyv.delete(k)
        return value
      })
    })
  }

  increment(key: string, ttlMs: number, by?: number): Promise<number> {
    // A counter always has a window; "forever" is the longest one.
    const ttl = normalizeTtl(ttlMs) ?? MAX_TTL_MS
    const step = normalizeStep(by)
    return this.run('increment', async ({ keyv, driver, atomic }) => {
      if (atomic) return atomic.increment(driver.fullKey(this.fullNamespace, key), ttl, Date.now(), step)
      const k = this.keyvKey(driver, key)
      return this.lock.run(key, async () => {
        const current = await keyv.get<unknown>(k, { raw: true })
        const now = Date.now()
        const live = current && Number.isSafeInteger(current.value) && (current.value as number) >= 0 && typeof current.expires === 'number' && current.expires >= now
        const count = Math.max(0, (live ? (current.value as number) : 0) + step)
        const expires = live ? (current.expires as number) : now + ttl
        await keyv.set(k, count, Math.max(1, expires - now))
        return count
      })
    })
  }

  async update<T>(key: string, change: (current: T | undefined) => T | undefined | Promise<T | undefined>, ttlMs?: number): Promise<T | undefined> {
    const ttl = normalizeTtl(ttlMs)
    const { driver, atomic } = await this.run('update', (bound) => Promise.resolve(bound))
    if (!atomic) {
      // No server-side compare-and-set: serialised inside this process only, like add/take.
      return this.lock.run(key, async () => {
        const current = await this.get<T>(key)
        const next = await change(current)
        if (next === undefined) return current
        await this.set(key, next, ttl)
        return next
      })
    }
    const full = driver.fullKey(this.fullNamespace, key)
    for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
      const { raw, current } = await this.run('update', async ({ keyv }) => {
        const raw = await atomic.read(full)
        if (raw === undefined) return { raw, current: undefined }
        const data = await keyv.deserializeData<T>(raw)
        const live = data && !(typeof data.expires === 'number' && Date.now() > data.expires)
        return { raw, current: live ? data.value : undefined }
      })
      const next = await change(current)
      if (next === undefined) return current
      const written = await this.run('update', async ({ keyv }) => {
        const now = Date.now()
        const record = (await keyv.serializeData({ value: next, expires: ttl === undefined ? undefined : now + ttl })) as string
        // Nothing live to compare with: the write is an add (which also replaces an expired record).
        return raw === undefined || current === undefined ? atomic.add(full, record, ttl, now) : atomic.replace(full, raw, record, ttl, now)
      })
      if (written) return next
      // Someone else wrote in between: back off a little (contenders spread out), then read again.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 ** attempt)))
    }
    throw new StoreUnavailable(`store update of one key kept conflicting (${UPDATE_ATTEMPTS} attempts)`)
  }

  async *entries<T>(prefix = ''): AsyncIterable<[string, T]> {
    // Iteration is paged by the adapter; each page is bounded by the timeout, not the whole walk.
    const { keyv, driver } = await this.run('entries', (bound) => Promise.resolve(bound))
    const iterator = keyv.iterator
    if (!iterator) return
    // A shared Keyv lists every namespace: keep ours and strip our prefix.
    const own = driver.shared ? driver.fullKey(this.fullNamespace, '') : ''
    const pages = iterator(keyv.namespace)[Symbol.asyncIterator]()
    for (;;) {
      const next = await this.run('entries', async () => pages.next())
      if (next.done) return
      const [full, value] = next.value as [unknown, T]
      if (typeof full !== 'string' || !full.startsWith(own)) continue
      const key = full.slice(own.length)
      if (key.startsWith(prefix)) yield [key, value]
    }
  }

  /** The key handed to keyv: ours when keyv prefixes per namespace, the full key when the Keyv is shared. */
  private keyvKey(driver: KeyvDriver, key: string): string {
    return driver.shared ? driver.fullKey(this.fullNamespace, key) : key
  }

  private run<T>(operation: string, work: (bound: Bound) => Promise<T>): Promise<T> {
    const bound = this.bound
    return this.health.run(operation, this.timeoutMs, bound ? () => work(bound) : async () => work(await this.bind()))
  }

  private async bind(): Promise<Bound> {
    const driver = await this.connect()
    if (!this.bound) {
      const keyv = driver.keyv(this.fullNamespace)
      keyv.throwOnErrors = true
      useFastSerialization(keyv)
      // keyv emits 'error' as well as throwing; unhandled, the event would crash the process.
      keyv.on('error', () => undefined)
      this.bound = { keyv, driver, atomic: driver.atomic?.(this.fullNamespace, keyv) }
    }
    return this.bound
  }
}
