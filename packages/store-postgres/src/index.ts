import type { Keyv } from 'keyv'
import { silentLogger, type StoreBackend, type StoreOptions } from '@polytoken/core'
import { checkTimeout, createKeyvBackend, keyvStore, redactUrl, serverOptions } from '@polytoken/store-keyv'
import { connectPostgres } from './postgres-driver.js'

export { postgresAtomicOps, type PostgresDriverOptions } from './postgres-driver.js'

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
  const { url, prefix, location, timeoutMs, logger } = serverOptions(options.url ?? '', options)
  return createKeyvBackend({
    kind: 'postgres',
    logger,
    timeoutMs,
    prefix,
    location,
    connect: () => connectPostgres({ url, timeoutMs, logger, location, sweepIntervalMs: options.sweepIntervalMs }),
  })
}
