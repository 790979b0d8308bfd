import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { Keyv } from 'keyv'
import KeyvSqlite from '@keyv/sqlite'
import { ConfigInvalid } from '../errors.js'
import { createKeyvBackend } from './keyv-store.js'
import type { StoreBackend } from './store.js'
import type { Logger } from '../util/logger.js'
import { silentLogger } from '../util/logger.js'

export interface StoreOptions {
  /**
   * `memory://` (tests; gone on exit) or `sqlite://path/to/file.db` (the
   * embedded default). Ignored when `keyv` is given.
   */
  url?: string
  /** Bring your own Keyv: every namespace shares it, with key prefixes. */
  keyv?: Keyv
  /** A store operation slower than this fails with 503. Default 1000 ms. */
  timeoutMs?: number
  logger?: Logger
}

export function createStore(options: StoreOptions | string = {}): StoreBackend {
  const opts: StoreOptions = typeof options === 'string' ? { url: options } : options
  const timeoutMs = opts.timeoutMs ?? 1000
  const logger = opts.logger ?? silentLogger

  if (opts.keyv) {
    const shared = opts.keyv
    return createKeyvBackend({
      kind: 'keyv',
      timeoutMs,
      logger,
      createKeyv: (namespace) => new Keyv({ store: shared.store, namespace, useKeyPrefix: true }),
    })
  }

  const url = opts.url ?? 'memory://'
  if (url === 'memory://' || url === 'memory:') {
    // One Map per namespace: keyv's iterator cannot tell namespaces apart in a shared Map.
    return createKeyvBackend({
      kind: 'memory',
      timeoutMs,
      logger,
      createKeyv: (namespace) => new Keyv({ store: new Map(), namespace }),
    })
  }
  if (url.startsWith('sqlite://')) {
    const file = url.slice('sqlite://'.length)
    if (!file) throw new ConfigInvalid('store: sqlite:// needs a file path, e.g. sqlite://data/polytoken.db')
    const path = file === ':memory:' ? file : resolve(file)
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
    return createKeyvBackend({
      kind: 'sqlite',
      timeoutMs,
      logger,
      createKeyv: (namespace) =>
        new Keyv({ store: new KeyvSqlite({ uri: `sqlite://${path}`, busyTimeout: 5000 }), namespace }),
    })
  }
  throw new ConfigInvalid(`store: unsupported URL scheme in "${url.replace(/\/\/[^@]*@/, '//***@')}" (use memory:// or sqlite://path)`)
}
