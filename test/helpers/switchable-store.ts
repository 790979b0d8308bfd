import { StoreUnavailable, memoryStore, type Store, type StoreBackend } from '@polytoken/core'

/**
 * A memory store that can be made to fail every operation with StoreUnavailable, as a store that is down does
 * (the Redis and PostgreSQL drivers answer the same error within their timeout).
 */
export function switchableStore(initiallyDown = true): { backend: StoreBackend; up(): void; down(): void; readonly calls: number } {
  const inner = memoryStore()
  let isDown = initiallyDown
  let calls = 0
  const views = new Map<string, Store>()
  const wrap = (store: Store): Store =>
    new Proxy(store, {
      get(target, property) {
        const value = Reflect.get(target, property) as unknown
        if (typeof value !== 'function') return value
        return (...args: unknown[]) => {
          calls++
          if (isDown) return Promise.reject(new StoreUnavailable(`store failed on ${String(property)}`))
          return (value as (...a: unknown[]) => unknown).apply(target, args)
        }
      },
    })
  const backend: StoreBackend = {
    kind: 'switchable',
    namespace(name) {
      let view = views.get(name)
      if (!view) views.set(name, (view = wrap(inner.namespace(name))))
      return view
    },
    async ping() {
      calls++
      if (isDown) throw new StoreUnavailable('store failed on ping')
    },
    close: () => inner.close(),
  }
  return {
    backend,
    up: () => void (isDown = false),
    down: () => void (isDown = true),
    get calls() {
      return calls
    },
  }
}
