import type { Keyv } from 'keyv'
import { silentLogger, type StoreBackend, type StoreOptions } from '@polytoken/core'
import { checkTimeout, createKeyvBackend, keyvStore, redactUrl, serverOptions } from '@polytoken/store-keyv'
import { connectPostgres } from './postgres-driver.js'
import { takePoolOptions } from './pool-options.js'

export { postgresAtomicOps, type PostgresDriverOptions } from './postgres-driver.js'
export { takePoolOptions, type PoolOptions } from './pool-options.js'

/**
 * `postgres://` and `postgresql://` URLs for @polytoken/core's createStore, or a Keyv of
 * your own on a KeyvPostgres (its uri, table and schema), which then gets PostgreSQL's
 * atomic statements.
 */
export function createStoreBackend(options: StoreOptions): StoreBackend {
  if (options.keyv) {
    const own = options.keyv as Keyv
    const adapterOptions = (own.store as { opts?: { uri?: string; table?: string; schema?: string } })?.opts
    const timeoutMs = checkTimeout(options.timeoutMs ?? 1000)
    const logger = options.logger ?? silentLogger
    if (!adapterOptions?.uri) return keyvStore(own, { timeoutMs, logger, prefix: options.prefix })
    const { uri, table, schema } = adapterOptions
    const location = redactUrl(uri)
    return createKeyvBackend({
      kind: 'postgres',
      timeoutMs,
      logger,
      prefix: options.prefix,
      location,
      connect: () => connectPostgres({ url: uri, table, schema, timeoutMs, logger, location }),
    })
  }
  const server = serverOptions(options.url ?? '', options)
  const { prefix, location, timeoutMs, logger } = server
  const { url, pool } = takePoolOptions(server.url, location)
  return createKeyvBackend({
    kind: 'postgres',
    logger,
    timeoutMs,
    prefix,
    location,
    connect: () => connectPostgres({ url, timeoutMs, logger, location: redactUrl(url), sweepIntervalMs: options.sweepIntervalMs, pool }),
  })
}
