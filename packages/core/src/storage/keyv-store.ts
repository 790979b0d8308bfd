import { Keyv } from 'keyv'
import type { Store, StoreBackend } from './store.js'
import { KeyLock } from './key-lock.js'
import { withTimeout } from './with-timeout.js'
import type { Logger } from '../util/logger.js'
import { StoreUnavailable } from '../errors.js'

export interface KeyvBackendOptions {
  kind: string
  /** Builds the Keyv for one namespace (each gets its own adapter instance). */
  createKeyv(namespace: string): Keyv
  timeoutMs: number
  logger: Logger
  onClose?: () => Promise<void>
}

/** A StoreBackend on keyv 5: one Keyv per namespace, errors turned into StoreUnavailable. */
export function createKeyvBackend(options: KeyvBackendOptions): StoreBackend {
  const stores = new Map<string, KeyvStore>()
  const lock = new KeyLock()
  let lastErrorLog = 0

  const onError = (error: unknown) => {
    // keyv emits 'error' for connection failures; unhandled, it would crash the process.
    const now = Date.now()
    if (now - lastErrorLog > 10_000) {
      lastErrorLog = now
      options.logger.error('store error', { backend: options.kind, error: String((error as Error)?.message ?? error) })
    }
  }

  const namespace = (name: string): Store => {
    let store = stores.get(name)
    if (!store) {
      const keyv = options.createKeyv(name)
      keyv.on('error', onError)
      keyv.throwOnErrors = true
      store = new KeyvStore(name, keyv, options.timeoutMs, lock)
      stores.set(name, store)
    }
    return store
  }

  return {
    kind: options.kind,
    namespace,
    async ping() {
      await namespace('polytoken').get('ping')
    },
    async close() {
      for (const store of stores.values()) await store.disconnect()
      await options.onClose?.()
    },
  }
}

class KeyvStore implements Store {
  readonly namespace: string
  private readonly keyv: Keyv
  private readonly timeoutMs: number
  private readonly lock: KeyLock

  constructor(namespace: string, keyv: Keyv, timeoutMs: number, lock: KeyLock) {
    this.namespace = namespace
    this.keyv = keyv
    this.timeoutMs = timeoutMs
    this.lock = lock
  }

  get<T>(key: string): Promise<T | undefined> {
    return withTimeout('get', this.timeoutMs, () => this.keyv.get<T>(key))
  }

  async set<T>(key: string, value: T, ttlMs?: number): Promise<void> {
    const ok = await withTimeout('set', this.timeoutMs, () => this.keyv.set(key, value, ttlMs))
    if (ok === false) throw new StoreUnavailable('store refused set')
  }

  delete(key: string): Promise<boolean> {
    return withTimeout('delete', this.timeoutMs, () => this.keyv.delete(key))
  }

  add<T>(key: string, value: T, ttlMs?: number): Promise<boolean> {
    return this.lock.run(this.lockKey(key), async () => {
      if ((await this.get(key)) !== undefined) return false
      await this.set(key, value, ttlMs)
      return true
    })
  }

  take<T>(key: string): Promise<T | undefined> {
    return this.lock.run(this.lockKey(key), async () => {
      const value = await this.get<T>(key)
      if (value !== undefined) await this.delete(key)
      return value
    })
  }

  increment(key: string, ttlMs: number): Promise<number> {
    return this.lock.run(this.lockKey(key), async () => {
      const current = await this.get<{ count: number; expiresAt: number }>(key)
      const now = Date.now()
      const live = current && current.expiresAt > now ? current : { count: 0, expiresAt: now + ttlMs }
      const next = { count: live.count + 1, expiresAt: live.expiresAt }
      await this.set(key, next, Math.max(1, next.expiresAt - now))
      return next.count
    })
  }

  async *entries<T>(prefix = ''): AsyncIterable<[string, T]> {
    const iterator = this.keyv.iterator
    if (!iterator) return
    for await (const [key, value] of iterator(this.keyv.namespace)) {
      if (typeof key === 'string' && key.startsWith(prefix)) yield [key, value as T]
    }
  }

  async disconnect(): Promise<void> {
    await this.keyv.disconnect().catch(() => undefined)
  }

  private lockKey(key: string): string {
    return `${this.namespace}\u0000${key}`
  }
}
