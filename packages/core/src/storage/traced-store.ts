import { traced } from '../util/trace-hook.js'
import type { Store } from './store.js'

const OPERATIONS = ['get', 'set', 'delete', 'add', 'take', 'increment', 'update'] as const

/** A namespace whose every operation is a span `polytoken.store.<operation>`: the backend and namespace, never a key or value. */
export function tracedNamespace(store: Store, backend: string): Store {
  const wrapped: Record<string, unknown> = { namespace: store.namespace, entries: (prefix?: string) => store.entries(prefix) }
  for (const operation of OPERATIONS) {
    const attributes = { 'db.system': backend, 'db.operation': operation, 'polytoken.store.namespace': store.namespace }
    const run = (store[operation] as (...args: unknown[]) => unknown).bind(store)
    wrapped[operation] = (...args: unknown[]) => traced(`polytoken.store.${operation}`, attributes, () => run(...args))
  }
  return wrapped as unknown as Store
}
