import type { Keyv } from 'keyv'
import { ConfigInvalid, silentLogger, type StoreBackend, type StoreOptions } from '@polytoken/core'
import { checkTimeout, createKeyvBackend, keyvStore, redactUrl, serverOptions } from '@polytoken/store-keyv'
import { connectRedis } from './redis-driver.js'
import { connectTopology } from './topology-driver.js'
import { isTopologyUrl, parseTopologyUrl } from './topology-url.js'

export { redisAtomicOps, type RedisCommands, type RedisDriverOptions } from './redis-driver.js'
export { parseTopologyUrl, redactTopologyUrl, type TopologyUrl, type TopologyTls, type RedisNode } from './topology-url.js'
export { ReplicasDidNotConfirm } from './replica-wait.js'

/**
 * `redis://` and `rediss://` (TLS) URLs for @polytoken/core's createStore, `redis+sentinel://` and
 * `redis+cluster://` (and their `rediss+` TLS forms) for the replicated topologies, or a Keyv of your
 * own on a KeyvRedis, which then gets Redis's atomic operations on its client.
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
  if (isTopologyUrl(options.url ?? '')) {
    const topology = parseTopologyUrl(options.url!)
    const timeoutMs = checkTimeout(options.timeoutMs ?? (topology.timeoutMs === undefined ? 1000 : Number(topology.timeoutMs)))
    const logger = options.logger ?? silentLogger
    if (topology.waitTimeoutMs !== undefined && topology.waitTimeoutMs >= timeoutMs) {
      throw new ConfigInvalid(`store: "${topology.location}" has ?waitTimeoutMs= not below the store timeout (${timeoutMs} ms): a write would time out before WAIT answers`)
    }
    return createKeyvBackend({
      kind: `redis-${topology.kind}`,
      logger,
      timeoutMs,
      prefix: options.prefix ?? topology.prefix,
      location: topology.location,
      connect: () => connectTopology({ topology, timeoutMs, logger }),
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
