import { resolve } from 'node:path'
import type { Keyv } from 'keyv'
import type KeyvSqlite from '@keyv/sqlite'
import { ConfigInvalid, silentLogger, type StoreBackend, type StoreOptions } from '@polytoken/core'
import { checkTimeout, createKeyvBackend, keyvStore } from '@polytoken/store-keyv'
import { hardenSqliteAdapter, sqliteAtomicOps, sqliteDriver } from './sqlite-driver.js'

export { hardenSqliteAdapter, sqliteAtomicOps, sqliteDriver } from './sqlite-driver.js'

/**
 * `sqlite://path/to/file.db` (or `sqlite://:memory:`) for @polytoken/core's createStore,
 * or a Keyv of your own on a KeyvSqlite, which then gets SQLite's atomic statements.
 */
export function createStoreBackend(options: StoreOptions): StoreBackend {
  const timeoutMs = checkTimeout(options.timeoutMs ?? 1000)
  const logger = options.logger ?? silentLogger
  if (options.keyv) {
    const own = options.keyv as Keyv
    const adapter = own.store as KeyvSqlite
    // Not a KeyvSqlite after all (no query function): an adapter like any other.
    if (typeof adapter?.query !== 'function') return keyvStore(own, { timeoutMs, logger, prefix: options.prefix })
    const sqlite = hardenSqliteAdapter(adapter)
    return keyvStore(own, { timeoutMs, logger, prefix: options.prefix, atomic: () => sqliteAtomicOps(sqlite.query, sqlite.table) })
  }
  const url = options.url ?? ''
  const file = url.slice('sqlite://'.length)
  if (!url.startsWith('sqlite://') || !file) throw new ConfigInvalid('store: sqlite:// needs a file path, e.g. sqlite://data/polytoken.db')
  const path = file === ':memory:' ? file : resolve(file)
  return createKeyvBackend({ timeoutMs, logger, kind: 'sqlite', prefix: options.prefix, location: `sqlite://${path}`, connect: () => sqliteDriver(path, { sweepIntervalMs: options.sweepIntervalMs }) })
}
