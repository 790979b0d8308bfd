import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { join } from 'node:path'
import { createStore } from '@polytoken/core'
import { POSTGRES_URL, REDIS_URL, runPrefix, unreachable } from '../storage/services.js'
import { ROOT, tempDir } from './harness.js'

const PARALLEL = 25
const ROUNDS = 5

/** A child process racing for the same keys; lines() yields what it prints. */
function contender(url: string, prefix: string | undefined, namespace: string) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/scale-out/take-child.ts')], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, STORE_URL: url, STORE_PREFIX: prefix ?? '', NAMESPACE: namespace, PARALLEL: String(PARALLEL) },
  })
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]()
  return {
    async next(): Promise<string> {
      const line = await lines.next()
      if (line.done) throw new Error('contender exited')
      return line.value
    },
    send: (line: string) => child.stdin!.write(line + '\n'),
    stop: () => {
      child.stdin!.end()
      child.kill()
    },
  }
}

function race(name: string, url: string, options: { prefix?: string; unavailable?: () => Promise<string | undefined> } = {}) {
  it(`${name}: two processes, ${PARALLEL} parallel take/add/increment each — exactly one take and one add win, counts exact`, async (t) => {
    const reason = await options.unavailable?.()
    if (reason) return t.skip(reason)
    const namespace = `race-${process.pid}`
    const backend = await createStore({ url, prefix: options.prefix })
    const store = backend.namespace(namespace)
    const a = contender(url, options.prefix, namespace)
    const b = contender(url, options.prefix, namespace)
    try {
      assert.equal(await a.next(), 'ready')
      assert.equal(await b.next(), 'ready')
      for (let round = 0; round < ROUNDS; round++) {
        await store.set(`take:r${round}`, { round, secret: 'single-use' })
        a.send(`go r${round}`)
        b.send(`go r${round}`)
        const results = [JSON.parse(await a.next()), JSON.parse(await b.next())] as Array<{ won: unknown[]; added: number; counts: number[] }>
        assert.deepEqual(
          results.flatMap((r) => r.won),
          [{ round, secret: 'single-use' }],
          `round ${round}: one take wins`,
        )
        assert.equal(results[0]!.added + results[1]!.added, 1, `round ${round}: one add wins`)
        const counts = results.flatMap((r) => r.counts).sort((x, y) => x - y)
        assert.deepEqual(
          counts,
          Array.from({ length: 2 * PARALLEL }, (_, i) => i + 1),
          `round ${round}: every count once`,
        )
        await store.delete(`add:r${round}`)
        await store.delete(`count:r${round}`)
      }
    } finally {
      a.stop()
      b.stop()
      await backend.close()
    }
  })
}

describe('single-use consumption across processes', () => {
  const dir = tempDir('race-sqlite')
  after(() => dir.remove())
  race('redis', REDIS_URL, { prefix: runPrefix('race'), unavailable: () => unreachable('Redis', REDIS_URL, 6379) })
  race('postgres', POSTGRES_URL, { prefix: runPrefix('race'), unavailable: () => unreachable('Postgres', POSTGRES_URL, 5432) })
  race('sqlite file', `sqlite://${join(dir.path, 'race.db')}`)
})
