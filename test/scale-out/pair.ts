import { before, after } from 'node:test'
import { createStore } from '@polytoken/core'
import { REDIS_URL, runPrefix, unreachable, withParam } from '../storage/services.js'
import { startServer, type ServerProcess } from './harness.js'

export interface Pair {
  /** Why the tests skip (Redis not reachable), or undefined. */
  skip: string | undefined
  a: ServerProcess
  b: ServerProcess
  /** The store URL both use (REDIS_URL with a prefix of this run's own). */
  store: string
}

/**
 * Two examples-server processes, started at the same moment on one Redis
 * under a prefix no other run uses, with `config` (dialect sections) and
 * `env`. Registers before/after hooks in the enclosing describe(); after()
 * stops both and deletes every key of `namespaces` under the run's prefix.
 */
export function redisPair(label: string, config: Record<string, unknown>, namespaces: string[], env: Record<string, string> = {}): Pair {
  const prefix = runPrefix(label)
  const pair = { skip: undefined, store: withParam(REDIS_URL, 'prefix', prefix) } as Pair

  before(async () => {
    pair.skip = await unreachable('Redis', REDIS_URL, 6379)
    if (pair.skip) return
    const started = await Promise.allSettled([startServer({ store: pair.store, config, env }), startServer({ store: pair.store, config, env })])
    const failed = started.find((result) => result.status === 'rejected')
    if (failed) {
      // Never leave the one that came up running: it would keep the test process alive.
      await Promise.all(started.flatMap((result) => (result.status === 'fulfilled' ? [result.value.stop()] : [])))
      throw failed.reason
    }
    ;[pair.a, pair.b] = started.map((result) => (result as PromiseFulfilledResult<ServerProcess>).value) as [ServerProcess, ServerProcess]
  })

  after(async () => {
    await Promise.all([pair.a?.stop(), pair.b?.stop()])
    if (pair.skip) return
    const backend = await createStore({ url: REDIS_URL, prefix })
    for (const name of namespaces) {
      const ns = backend.namespace(name)
      const keys: string[] = []
      for await (const [key] of ns.entries()) keys.push(key)
      for (const key of keys) await ns.delete(key)
    }
    await backend.close()
  })

  return pair
}

/** The JWT's claims, unverified (the servers verify; the tests only read). */
export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>
}

/**
 * Polls `check` until it says refused; returns the ms since `since`, or
 * undefined if it never did within `limitMs`. Every answer before the
 * refusal must be an acceptance (check throws otherwise).
 */
export async function refusedWithin(since: number, limitMs: number, check: () => Promise<boolean>): Promise<number | undefined> {
  while (Date.now() - since < limitMs) {
    if (await check()) return Date.now() - since
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return undefined
}
