import { Keyv } from 'keyv'
import { counterRecord, type AtomicOps } from './atomic-ops.js'
import type { KeyvDriver } from './keyv-store.js'

/**
 * memory://: one Map per namespace behind keyv (keyv's iterator cannot tell
 * namespaces apart in a shared Map), as keyv's own Map store keeps it (full
 * key → serialized record). The atomic operations work on
 * that Map directly: JavaScript runs each of them to the end without a
 * break, so a read and the write that depends on it cannot interleave with
 * another caller — no lock, and one Map call instead of keyv's get + delete.
 */
export function memoryDriver(): KeyvDriver {
  const maps = new Map<string, Map<string, unknown>>()
  const mapOf = (namespace: string) => {
    let map = maps.get(namespace)
    if (!map) maps.set(namespace, (map = new Map()))
    return map
  }
  return {
    keyv: (namespace) => new Keyv({ store: mapOf(namespace), namespace }),
    fullKey: (namespace, key) => `${namespace}:${key}`,
    atomic: (namespace) => memoryAtomicOps(mapOf(namespace)),
    async close() {},
  }
}

function memoryAtomicOps(map: Map<string, unknown>): AtomicOps {
  return {
    add(key, record, _ttlMs, now) {
      if (liveRecord(map.get(key), now) !== undefined) return Promise.resolve(false)
      map.set(key, record)
      return Promise.resolve(true)
    },
    take(key) {
      const record = map.get(key)
      map.delete(key)
      return Promise.resolve(typeof record === 'string' ? record : undefined)
    },
    increment(key, ttlMs, now, by) {
      const current = liveRecord(map.get(key), now)
      const live = current !== undefined && Number.isSafeInteger(current.value) && (current.value as number) >= 0 && typeof current.expires === 'number'
      const count = Math.max(0, (live ? (current.value as number) : 0) + by)
      map.set(key, counterRecord(count, live ? (current.expires as number) : now + ttlMs))
      return Promise.resolve(count)
    },
    read(key) {
      const record = map.get(key)
      return Promise.resolve(typeof record === 'string' ? record : undefined)
    },
    replace(key, expected, record) {
      if (map.get(key) !== expected) return Promise.resolve(false)
      map.set(key, record)
      return Promise.resolve(true)
    },
  }
}

/** The record at a key unless it is absent, unreadable or expired. */
function liveRecord(raw: unknown, now: number): { value?: unknown; expires?: unknown } | undefined {
  if (typeof raw !== 'string') return undefined
  let record: { value?: unknown; expires?: unknown }
  try {
    record = JSON.parse(raw) as { value?: unknown; expires?: unknown }
  } catch {
    return undefined
  }
  if (!record || typeof record !== 'object') return undefined
  if (typeof record.expires === 'number' && now > record.expires) return undefined
  return record
}
