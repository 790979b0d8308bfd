import type { Keyv } from 'keyv'
import { silentLogger, type StoreBackend, type StoreOptions } from '@polytoken/core'
import { checkTimeout, createKeyvBackend, keyvStore, redactUrl, serverOptions } from '@polytoken/store-keyv'
import { connectRedis } from './redis-driver.js'

export { redisAtomicOps, type RedisCommands, type RedisDriverOptions } from './redis-driver.js'

/**
 * `redis://` and `rediss://` (TLS) URLs for @polytoken/core's createStore, or a Keyv
 * of your own on a KeyvRedis, which then gets Redis's atomic operations on its client.
 *
 */
export function createStoreBackend(options: StoreOptions): StoreBackend {
  if (options.keyv) {
    const own = options.keyv as Keyv
    const adapter = own.store as { client?: unknown; opts?: { url?: string } }
    const timeoutMs = checkTimeout(options.timeoutMs ?? 1000)
    const logger = options.logger ?? silentLogger
    if (!adapter?.client) return keyvStore(own, { timeoutMs, logger, prefix: options.prefix })
    const location = redactUrl(adapter.opts?.url ?? 'redis')
    return createKeyvBackend({
      kind: 'redis',
      timeoutMs,
      logger,
      prefix: options.prefix,
      location,
      connect: () => connectRedis({ client: adapter.client, timeoutMs, logger, location }),
    })
  }
  const { url, prefix, location, timeoutMs, logger } = serverOptions(options.url ?? '', options)
  return createKeyvBackend({
    kind: 'redis',
    logger,
    timeoutMs,
    prefix,
    location,
    connect: () => connectRedis({ url, timeoutMs, logger, location }),
  })
}
