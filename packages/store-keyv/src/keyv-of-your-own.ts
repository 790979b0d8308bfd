import { Keyv, type KeyvStoreAdapter } from 'keyv'
import { silentLogger, type Logger, type StoreBackend } from '@polytoken/core'
import type { AtomicOps } from './atomic-ops.js'
import { createKeyvBackend } from './keyv-store.js'
import { checkTimeout } from './server-options.js'

export interface KeyvStoreOptions {
  /** A store operation slower than this fails with 503. Default 1000 ms. */
  timeoutMs?: number
  /** Put before every namespace. Letters, digits, `_.-`. */
  prefix?: string
  logger?: Logger
  /** Shown by /healthz. Default `keyv`. */
  kind?: string
  /**
   * The adapter's own atomic operations on full keys (`namespace:key`), for a store
   * package that knows the adapter (store-sqlite for a KeyvSqlite). Without them,
   * add/take/increment/update are atomic within this process only.
   */
  atomic?: (keyv: Keyv) => AtomicOps
}

/**
 * A StoreBackend on a Keyv or a keyv storage adapter of your own (any of keyv's
 * adapters, or a Map). Every namespace shares the adapter.
 */
export function keyvStore(keyvOrAdapter: Keyv | KeyvStoreAdapter | Map<unknown, unknown>, options: KeyvStoreOptions = {}): StoreBackend {
  const shared = isKeyv(keyvOrAdapter) ? keyvOrAdapter : new Keyv({ store: keyvOrAdapter })
  const logger = options.logger ?? silentLogger
  if (!(shared.store instanceof Map) && !options.atomic) {
    logger.warn({}, 'store: a keyv of your own with an adapter polytoken does not know; add/take/increment are atomic within this process only')
  }
  // One Keyv for every namespace, without a keyv namespace of its own: adapters keep their
  // namespace in one shared property, so per-namespace Keyvs on one adapter would trample
  // each other. The store writes `namespace:key` itself and lists by that prefix.
  const keyv = new Keyv({ store: shared.store as KeyvStoreAdapter | Map<unknown, unknown>, namespace: '', useKeyPrefix: false })
  return createKeyvBackend({
    kind: options.kind ?? 'keyv',
    location: 'keyv',
    timeoutMs: checkTimeout(options.timeoutMs ?? 1000),
    logger,
    prefix: options.prefix,
    connect: () => ({
      shared: true,
      keyv: () => keyv,
      ...(options.atomic ? { atomic: () => options.atomic!(keyv) } : {}),
      fullKey: (namespace, key) => `${namespace}:${key}`,
      async close() {
        await shared.disconnect().catch(() => undefined)
      },
    }),
  })
}

/** A Keyv, also one from another copy of the keyv package (instanceof would say no). */
function isKeyv(value: object): value is Keyv {
  return value instanceof Keyv || (typeof (value as Keyv).serializeData === 'function' && 'store' in value)
}
