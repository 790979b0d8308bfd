import { toPolytokenError } from '../errors.js'
import { emitSafely, type PolytokenEvents } from '../events/events.js'
import { traced, tracedLeaf } from '../util/trace-hook.js'
import type { Store, StoreBackend } from './store.js'

type Operation = 'get' | 'set' | 'delete' | 'add' | 'take' | 'increment' | 'update'
/** Backends that run inside this process: no client library that could trace. */
const IN_PROCESS = new Set(['memory', 'sqlite'])

const OPERATIONS: readonly Operation[] = ['get', 'set', 'delete', 'add', 'take', 'increment', 'update']

/**
 * The backend as the runtime uses it: every operation (and ping) reports store.operation while someone listens, and
 * the first failure after a success (or the first success after a failure) reports store.unavailable (store.recovered).
 */
export function observeStore(backend: StoreBackend, events: PolytokenEvents): StoreBackend {
  let downSince: number | undefined
  const namespaces = new Map<string, Store>()
  const timed = <T>(operation: string, run: () => Promise<T>): Promise<T> => {
    const started = performance.now()
    return run().then(
      (value) => {
        if (events.listenerCount('store.operation') > 0) emitSafely(events, 'store.operation', { backend: backend.kind, operation, durationMs: performance.now() - started })
        if (downSince !== undefined) {
          emitSafely(events, 'store.recovered', { backend: backend.kind, operation, durationMs: Date.now() - downSince })
          downSince = undefined
        }
        return value
      },
      (error: unknown) => {
        const event = { backend: backend.kind, operation, durationMs: performance.now() - started, code: toPolytokenError(error).code }
        emitSafely(events, 'store.operation', event)
        if (downSince === undefined && event.code === 'ERR_STORE_UNAVAILABLE') {
          downSince = Date.now()
          emitSafely(events, 'store.unavailable', event)
        }
        throw error
      },
    )
  }
  const observe = (store: Store): Store => {
    const observed: Record<string, unknown> = { namespace: store.namespace, entries: store.entries.bind(store) }
    for (const operation of OPERATIONS) {
      const method = (store[operation] as (...args: unknown[]) => Promise<unknown>).bind(store)
      // A span `polytoken.store.<operation>` when traced: the backend and namespace, never a key or value.
      const span = { 'db.system': backend.kind, 'db.operation': operation, 'polytoken.store.namespace': store.namespace }
      // A network client may make spans of its own (an instrumented Redis or pg client): they become this span's children.
      // An in-process store makes none, so its span is a leaf.
      const trace = IN_PROCESS.has(backend.kind) ? tracedLeaf : traced
      const name = `polytoken.store.${operation}`
      observed[operation] = (...args: unknown[]) => trace(name, span, () => timed(operation, () => method(...args)))
    }
    return observed as unknown as Store
  }
  return {
    kind: backend.kind,
    namespace(name) {
      let store = namespaces.get(name)
      if (!store) namespaces.set(name, (store = observe(backend.namespace(name))))
      return store
    },
    ping: () => timed('ping', () => backend.ping()),
    ...(backend.purgeExpired ? { purgeExpired: () => timed('purge', () => backend.purgeExpired!()) } : {}),
    close: () => backend.close(),
  }
}
