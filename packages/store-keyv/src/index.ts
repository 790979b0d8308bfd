import type { Keyv } from 'keyv'
import { ConfigInvalid, type StoreBackend, type StoreOptions } from '@polytoken/core'
import { keyvStore } from './keyv-of-your-own.js'

export { createKeyvBackend, type KeyvBackendOptions, type KeyvDriver } from './keyv-store.js'
export { counterRecord, parseCounter, type AtomicOps } from './atomic-ops.js'
export { keyvStore, type KeyvStoreOptions } from './keyv-of-your-own.js'
export { checkTimeout, serverOptions, type ServerOptions } from './server-options.js'
export { withTimeout } from './with-timeout.js'
export { redactCredentials, redactUrl } from './redact-url.js'

/** For @polytoken/core's createStore({ keyv }): a Keyv whose adapter no store package knows. */
export function createStoreBackend(options: StoreOptions): StoreBackend {
  if (!options.keyv) throw new ConfigInvalid('store: @polytoken/store-keyv needs a keyv (store: { keyv })')
  return keyvStore(options.keyv as Keyv, options)
}
