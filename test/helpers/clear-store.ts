import { createStore } from '@polytoken/core'

/** Delete what a test wrote under `prefix` in the given namespaces of a shared store (Redis), so runs leave nothing behind. */
export async function clearNamespaces(url: string, prefix: string, names: readonly string[]): Promise<void> {
  const backend = await createStore({ url, prefix, timeoutMs: 5000 })
  try {
    for (const name of names) {
      const namespace = backend.namespace(name)
      const keys: string[] = []
      for await (const [key] of namespace.entries()) keys.push(key)
      for (const key of keys) await namespace.delete(key)
    }
  } finally {
    await backend.close()
  }
}
