/* eslint-disable @typescript-eslint/require-await -- the Store contract is async: an await-less method stays async so a throw (closed store, unserialisable value) reaches the caller as a rejection, as from any other backend */
import { ConfigInvalid, StoreUnavailable } from '../errors.js'
import type { Store, StoreBackend } from './store.js'
import { MAX_TTL_MS, STORE_NAME, normalizeStep, normalizeTtl } from './ttl.js'

/** One stored value: its JSON text (a copy no caller can change) and when it expires (epoch ms). */
type Entry = { readonly json: string; readonly expires: number | undefined }

/** Writers that keep changing one key make update() give up (503) after this many rounds. */
const UPDATE_ATTEMPTS = 100

/**
 * memory://: a Map per namespace, in this process only. JavaScript runs each operation to its end without a break, so
 * a read and the write that depends on it cannot interleave with another caller: add, take and increment are atomic
 * without a lock. Values are kept as JSON, as every other backend keeps them, so what a caller changes after set() is
 * not what get() returns.
 */
export function memoryStore(options: { prefix?: string } = {}): StoreBackend {
  if (!STORE_NAME.test(options.prefix ?? '')) throw new ConfigInvalid('store: prefix may hold only letters, digits, "_", "." and "-"')
  const stores = new Map<string, MemoryStore>()
  const state = { closed: false }
  return {
    kind: 'memory',
    namespace(name) {
      let store = stores.get(name)
      if (!store) {
        if (!name || !STORE_NAME.test(name)) throw new ConfigInvalid(`store: namespace "${name}" may hold only letters, digits, "_", "." and "-"`)
        stores.set(name, (store = new MemoryStore(name, state)))
      }
      return store
    },
    ping: async () => open(state),
    async purgeExpired() {
      open(state)
      let purged = 0
      for (const store of stores.values()) purged += store.dropExpired()
      return purged
    },
    async close() {
      state.closed = true
    },
  }
}

function open(state: { closed: boolean }): void {
  if (state.closed) throw new StoreUnavailable('store is closed')
}

function entry(value: unknown, ttlMs: number | undefined): Entry {
  const ttl = normalizeTtl(ttlMs)
  let json: string | undefined
  try {
    json = JSON.stringify(value)
  } catch (cause) {
    throw new StoreUnavailable('store could not serialise the value', { cause })
  }
  if (json === undefined) throw new StoreUnavailable('store could not serialise the value')
  return { json, expires: ttl === undefined ? undefined : Date.now() + ttl }
}

class MemoryStore implements Store {
  readonly namespace: string
  private readonly map = new Map<string, Entry>()
  private readonly state: { closed: boolean }

  constructor(namespace: string, state: { closed: boolean }) {
    this.namespace = namespace
    this.state = state
  }

  /** The live entry at key; an expired one is dropped on the way. */
  private live(key: string, now = Date.now()): Entry | undefined {
    open(this.state)
    const found = this.map.get(key)
    if (found?.expires !== undefined && now > found.expires) {
      this.map.delete(key)
      return undefined
    }
    return found
  }

  /** Delete every expired entry (live() drops them only when they are read); returns how many. */
  dropExpired(now = Date.now()): number {
    let dropped = 0
    for (const [key, found] of this.map) {
      if (found.expires !== undefined && now > found.expires && this.map.delete(key)) dropped++
    }
    return dropped
  }

  async get<T>(key: string): Promise<T | undefined> {
    const found = this.live(key)
    return found && (JSON.parse(found.json) as T)
  }

  async set<T>(key: string, value: T, ttlMs?: number): Promise<void> {
    open(this.state)
    this.map.set(key, entry(value, ttlMs))
  }

  async delete(key: string): Promise<boolean> {
    return this.live(key) !== undefined && this.map.delete(key)
  }

  async add<T>(key: string, value: T, ttlMs?: number): Promise<boolean> {
    if (this.live(key)) return false
    this.map.set(key, entry(value, ttlMs))
    return true
  }

  async take<T>(key: string): Promise<T | undefined> {
    const found = this.live(key)
    if (!found) return undefined
    this.map.delete(key)
    return JSON.parse(found.json) as T
  }

  async increment(key: string, ttlMs: number, by?: number): Promise<number> {
    const step = normalizeStep(by)
    const ttl = normalizeTtl(ttlMs) ?? MAX_TTL_MS
    const now = Date.now()
    const found = this.live(key, now)
    const current = found && found.expires !== undefined ? (JSON.parse(found.json) as unknown) : undefined
    const counting = Number.isSafeInteger(current) && (current as number) >= 0
    const count = Math.max(0, (counting ? (current as number) : 0) + step)
    // A counter's window is fixed when it starts: later increments keep its expiry.
    this.map.set(key, { json: String(count), expires: counting ? found!.expires : now + ttl })
    return count
  }

  async update<T>(key: string, change: (current: T | undefined) => T | undefined | Promise<T | undefined>, ttlMs?: number): Promise<T | undefined> {
    normalizeTtl(ttlMs)
    for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
      const read = this.live(key)
      const current = read && (JSON.parse(read.json) as T)
      const next = await change(current)
      if (next === undefined) return current
      // Compare-and-set on the entry object: a write by anyone else while change ran replaced it.
      if (this.live(key) === read) {
        this.map.set(key, entry(next, ttlMs))
        return next
      }
    }
    throw new StoreUnavailable(`store update of one key kept conflicting (${UPDATE_ATTEMPTS} attempts)`)
  }

  async *entries<T>(prefix = ''): AsyncIterable<[string, T]> {
    open(this.state)
    const now = Date.now()
    for (const key of [...this.map.keys()]) {
      if (!key.startsWith(prefix)) continue
      const found = this.live(key, now)
      if (found) yield [key, JSON.parse(found.json) as T]
    }
  }
}
