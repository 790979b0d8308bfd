import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createStore, type StoreBackend } from '@polytoken/core'
import { POSTGRES_URL, REDIS_URL, runPrefix } from './services.js'

const dir = mkdtempSync(join(tmpdir(), 'polytoken-purge-'))
after(() => rmSync(dir, { recursive: true, force: true }))

/** Until every record written with a 1 ms ttl before `since` has expired on the store's clock (Date.now). */
async function expiredSince(since: number): Promise<void> {
  while (Date.now() <= since + 5) await new Promise((resolve) => setTimeout(resolve, 5))
}

/** Three expired records in two namespaces, two live ones: purge counts 3 (or 0 where the backend expires them itself), keeps the live. */
async function seed(backend: StoreBackend, run: string): Promise<void> {
  const a = backend.namespace(`purge-a-${run}`)
  const b = backend.namespace(`purge-b-${run}`)
  await Promise.all([a.set('gone-1', 1, 1), a.set('gone-2', { x: 1 }, 1), b.increment('gone-counter', 1), a.set('live', 'stays'), b.set('later', 'stays', 3_600_000)])
  await expiredSince(Date.now())
}

async function live(backend: StoreBackend, run: string): Promise<unknown[]> {
  return [await backend.namespace(`purge-a-${run}`).get('live'), await backend.namespace(`purge-b-${run}`).get('later')]
}

describe('StoreBackend.purgeExpired', () => {
  const cases: Array<{ name: string; url: string; expected: number; cleanUp?: boolean }> = [
    { name: 'memory', url: 'memory://', expected: 3 },
    { name: 'sqlite', url: `sqlite://${join(dir, 'purge.db')}`, expected: 3 },
    { name: 'postgres', url: POSTGRES_URL, expected: 3, cleanUp: true },
    { name: 'redis (expires keys itself)', url: REDIS_URL, expected: 0, cleanUp: true },
  ]
  for (const { name, url, expected, cleanUp } of cases) {
    test(`${name}: deletes and counts the expired records under its prefix, keeps the live ones`, async () => {
      const run = runPrefix('purge').replace(/-$/, '')
      // Another deployment's expired record under another prefix: not this one's to count.
      const other = await createStore({ url, prefix: `other-${run}-`, timeoutMs: 5000 })
      const backend = await createStore({ url, prefix: `${run}-`, timeoutMs: 5000 })
      try {
        await other.namespace('purge-a').set('gone', 1, 1)
        await seed(backend, 'x')
        assert.equal(await backend.purgeExpired!(), expected)
        assert.equal(await backend.purgeExpired!(), 0, 'nothing left to purge')
        assert.deepEqual(await live(backend, 'x'), ['stays', 'stays'])
        assert.equal(await other.purgeExpired!(), expected === 0 ? 0 : 1, "the other prefix's record was left to it")
      } finally {
        if (cleanUp) {
          await backend.namespace('purge-a-x').delete('live')
          await backend.namespace('purge-b-x').delete('later')
        }
        await Promise.all([backend.close(), other.close()])
      }
    })
  }
})
