import { after, before, describe, it, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import type { Store, StoreBackend } from '@polytoken/core'

export interface StoreComplianceOptions {
  /** Names the suite: `store compliance: <name>`. */
  name: string
  /** A new backend; called once, and once more for a second connection when `shared`. Closed by the suite. */
  create(): StoreBackend | Promise<StoreBackend>
  /** Resolves to a reason when the backend's service cannot be reached: every test then skips, saying so. */
  unavailable?: () => Promise<string | undefined>
  /**
   * True when two backends made by create see the same data over separate
   * connections (SQLite file, Redis, PostgreSQL): adds the cross-connection races.
   */
  shared?: boolean
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const N = 50

/**
 * The contract every store backend keeps (the keyv test-suite idea): one call
 * registers the same node:test tests for a backend — polytoken's own and
 * yours. Each test works in namespaces of its own, unique to this run, and
 * deletes what it wrote. Run the file with `node --test`.
 */
export function describeStoreCompliance(options: StoreComplianceOptions): void {
  const makeBackend = () => options.create()
  describe(`store compliance: ${options.name}`, () => {
    const run = randomBytes(4).toString('hex')
    const opened: StoreBackend[] = []
    const used: Array<[StoreBackend, string]> = []
    let skipReason: string | undefined
    let backend: StoreBackend
    let second: StoreBackend | undefined

    before(async () => {
      skipReason = await options.unavailable?.()
      if (skipReason) return
      backend = await makeBackend()
      opened.push(backend)
      if (options.shared) {
        second = await makeBackend()
        opened.push(second)
      }
    })

    after(async () => {
      for (const [owner, namespace] of used) {
        const store = owner.namespace(namespace)
        for await (const [key] of store.entries()) await store.delete(key).catch(() => undefined)
      }
      for (const b of opened) await b.close()
    })

    /** A namespace of this run; `on` picks the backend (the second one shares the data). */
    const ns = (label: string, on: StoreBackend = backend): Store => {
      const namespace = `${label}-${run}`
      used.push([on, namespace])
      return on.namespace(namespace)
    }

    const test = (title: string, body: (t: TestContext) => Promise<void>): void => {
      it(title, async (t) => {
        if (skipReason) return t.skip(skipReason)
        await body(t)
      })
    }

    test('set then get returns the value; values round-trip exactly', async () => {
      const store = ns('roundtrip')
      const values: Array<[string, unknown]> = [
        ['object', { a: 1, nested: { list: [1, 'two', null, true] }, text: 'ünïcødé ✓' }],
        ['colon-string', ':starts with a colon'],
        ['base64-lookalike', ':base64:AAAA'],
        ['number', 1234567890123],
        ['zero', 0],
        ['false', false],
        ['empty-string', ''],
        ['array', [{ x: 1 }, [2]]],
      ]
      for (const [key, value] of values) await store.set(key, value)
      for (const [key, value] of values) assert.deepEqual(await store.get(key), value, key)
    })

    test('values are copies: changing what was stored or read changes nothing in the store', async () => {
      const store = ns('copies')
      const value = { list: [1], nested: { n: 1 } }
      await store.set('k', value)
      value.list.push(2)
      value.nested.n = 2
      const read = await store.get<typeof value>('k')
      assert.deepEqual(read, { list: [1], nested: { n: 1 } })
      read.list.push(3)
      assert.deepEqual(await store.get('k'), { list: [1], nested: { n: 1 } })
      const added = { a: [1] }
      assert.equal(await store.add('added', added), true)
      added.a.push(2)
      assert.deepEqual(await store.take('added'), { a: [1] })
      const updated = await store.update<number[]>('updated', () => [1])
      updated!.push(2)
      assert.deepEqual(await store.get('updated'), [1])
    })

    test('get of a missing key is undefined', async () => {
      assert.equal(await ns('missing').get('nothing-here'), undefined)
    })

    test('set overwrites; delete reports whether it deleted', async () => {
      const store = ns('delete')
      await store.set('k', 'one')
      await store.set('k', 'two')
      assert.equal(await store.get('k'), 'two')
      assert.equal(await store.delete('k'), true)
      assert.equal(await store.get('k'), undefined)
      assert.equal(await store.delete('k'), false)
    })

    test('a value set with a ttl expires; one without stays', async () => {
      const store = ns('ttl')
      await store.set('short', 'gone soon', 200)
      await store.set('long', 'stays')
      assert.equal(await store.get('short'), 'gone soon')
      await sleep(400)
      assert.equal(await store.get('short'), undefined)
      assert.equal(await store.get('long'), 'stays')
    })

    test('namespaces are kept apart: get, delete, entries', async () => {
      const a = ns('apart-a')
      const b = ns('apart-b')
      await a.set('same', 'in a')
      await b.set('same', 'in b')
      assert.equal(await a.get('same'), 'in a')
      assert.equal(await b.get('same'), 'in b')
      assert.equal(await a.delete('same'), true)
      assert.equal(await b.get('same'), 'in b')
      assert.equal(await a.take('same'), undefined)
      assert.equal(await a.add('same', 'again in a'), true)
      assert.equal(await b.get('same'), 'in b')
      const listed: string[] = []
      for await (const [key, value] of b.entries()) listed.push(`${key}=${String(value)}`)
      assert.deepEqual(listed, ['same=in b'])
    })

    test('entries(prefix) lists exactly the live keys with that prefix', async () => {
      const store = ns('entries')
      await store.set('p:1', { n: 1 })
      await store.set('p:2', { n: 2 })
      await store.set('p:expiring', { n: 3 }, 100)
      await store.set('q:1', { n: 4 })
      await store.set('p', { n: 5 })
      await sleep(250)
      const listed = new Map<string, unknown>()
      for await (const [key, value] of store.entries('p:')) listed.set(key, value)
      assert.deepEqual(Object.fromEntries(listed), { 'p:1': { n: 1 }, 'p:2': { n: 2 } })
      const all: string[] = []
      for await (const [key] of store.entries()) all.push(key)
      assert.deepEqual(all.sort(), ['p', 'p:1', 'p:2', 'q:1'])
    })

    test('entries skips nothing when expired entries are dropped along the way (more keys than a page)', async () => {
      const store = ns('entries-many')
      const live: string[] = []
      for (let i = 0; i < 240; i++) {
        const key = `k:${String(i).padStart(3, '0')}`
        if (i % 3 === 0) await store.set(key, i, 100)
        else {
          await store.set(key, i)
          live.push(key)
        }
      }
      await sleep(250)
      const listed: string[] = []
      for await (const [key, value] of store.entries('k:')) {
        listed.push(key)
        assert.equal(value, Number(key.slice(2)))
      }
      assert.deepEqual(listed.sort(), live)
    })

    test('add writes only when absent, and what it wrote reads back with get', async () => {
      const store = ns('add')
      assert.equal(await store.add('k', { first: true, s: ':colon' }), true)
      assert.deepEqual(await store.get('k'), { first: true, s: ':colon' })
      assert.equal(await store.add('k', { first: false }), false)
      assert.deepEqual(await store.get('k'), { first: true, s: ':colon' })
      await store.set('set-first', 'x')
      assert.equal(await store.add('set-first', 'y'), false)
      assert.equal(await store.get('set-first'), 'x')
    })

    test('add with a ttl expires, and an expired key can be added again', async () => {
      const store = ns('add-ttl')
      assert.equal(await store.add('k', 'one', 200), true)
      assert.equal(await store.add('k', 'two', 200), false)
      await sleep(400)
      assert.equal(await store.get('k'), undefined)
      assert.equal(await store.add('k', 'three'), true)
      assert.equal(await store.get('k'), 'three')
    })

    test('take returns the value once and removes it; missing and expired keys give undefined', async () => {
      const store = ns('take')
      await store.set('k', { token: 'single-use' })
      assert.deepEqual(await store.take('k'), { token: 'single-use' })
      assert.equal(await store.get('k'), undefined)
      assert.equal(await store.take('k'), undefined)
      assert.equal(await store.take('never-set'), undefined)
      await store.set('expiring', 'v', 100)
      await sleep(250)
      assert.equal(await store.take('expiring'), undefined)
      assert.equal(await store.add('added', ':colon value'), true)
      assert.equal(await store.take('added'), ':colon value')
    })

    test('increment counts from 1 in a fixed window that later increments do not extend', async () => {
      const store = ns('increment')
      assert.equal(await store.increment('c', 600), 1)
      assert.equal(await store.increment('c', 600), 2)
      assert.equal(await store.get('c'), 2)
      await sleep(350)
      assert.equal(await store.increment('c', 600), 3)
      await sleep(400) // 750 ms after the first increment: the window has closed
      assert.equal(await store.increment('c', 600), 1)
      assert.equal(await store.increment('other', 600), 1)
    })

    test('long and endless ttls: 100-year counters and Infinity keep their values', async () => {
      const store = ns('forever')
      const century = 100 * 365 * 24 * 60 * 60 * 1000
      assert.equal(await store.increment('sequence', century), 1)
      assert.equal(await store.increment('sequence', century), 2)
      assert.equal(await store.increment('endless', Infinity), 1)
      assert.equal(await store.increment('endless', Infinity), 2)
      await store.set('kept', 'v', Infinity)
      assert.equal(await store.add('kept-too', 'w', Number.MAX_SAFE_INTEGER), true)
      assert.equal(await store.get('kept'), 'v')
      assert.equal(await store.get('kept-too'), 'w')
    })

    test('increment by a step: adds and takes away, never below 0, in the same window', async () => {
      const store = ns('increment-by')
      assert.equal(await store.increment('c', 600, 3), 3)
      assert.equal(await store.increment('c', 600, -1), 2)
      assert.equal(await store.increment('c', 600), 3)
      assert.equal(await store.increment('c', 600, -5), 0)
      assert.equal(await store.get('c'), 0)
      assert.equal(await store.increment('c', 600), 1)
      assert.equal(await store.increment('fresh', 600, -1), 0)
      assert.equal(await store.increment('fresh', 600, 2), 2)
      await sleep(700) // the window set by the first increment has closed: a step does not extend it
      assert.equal(await store.increment('c', 600, -1), 0)
      assert.equal(await store.increment('c', 600, 1), 1)
    })

    test('increment of a key holding something else starts a new counter', async () => {
      const store = ns('increment-other')
      await store.set('k', 'not a counter')
      assert.equal(await store.increment('k', 1000), 1)
      assert.equal(await store.increment('k', 1000), 2)
    })

    test(`${N} parallel take() of one key: exactly one gets the value`, async () => {
      const store = ns('race-take')
      for (let round = 0; round < 3; round++) {
        await store.set('single-use', { round })
        const results = await Promise.all(Array.from({ length: N }, () => store.take('single-use')))
        const winners = results.filter((r) => r !== undefined)
        assert.deepEqual(winners, [{ round }])
      }
    })

    test(`${N} parallel add() of one key: exactly one true, and its value is stored`, async () => {
      const store = ns('race-add')
      const results = await Promise.all(Array.from({ length: N }, (_, i) => store.add('once', i)))
      const winners = results.flatMap((won, i) => (won ? [i] : []))
      assert.equal(winners.length, 1)
      assert.equal(await store.get('once'), winners[0])
    })

    test(`${N} parallel increment(): every count from 1 to ${N} exactly once`, async () => {
      const store = ns('race-increment')
      const counts = await Promise.all(Array.from({ length: N }, () => store.increment('hits', 10_000)))
      assert.deepEqual(
        [...counts].sort((x, y) => x - y),
        Array.from({ length: N }, (_, i) => i + 1),
      )
      assert.equal(await store.get('hits'), N)
    })

    test(`${N} parallel increments of +1 and -1: every step applied exactly once`, async () => {
      const store = ns('race-increment-by')
      await store.increment('slots', 10_000, N)
      const counts = await Promise.all(Array.from({ length: N }, (_, i) => store.increment('slots', 10_000, i % 2 ? 1 : -1)))
      assert.equal(await store.get('slots'), N)
      assert.equal(new Set(counts).size > 1, true)
    })

    test(`${N} parallel delete() of one key: exactly one reports it deleted`, async () => {
      const store = ns('race-delete')
      await store.set('k', 1)
      const results = await Promise.all(Array.from({ length: N }, () => store.delete('k')))
      assert.equal(results.filter(Boolean).length, 1)
    })

    test('update creates, changes and leaves alone; a refusal writes nothing; an expired value reads as absent', async () => {
      const store = ns('update')
      assert.deepEqual(await store.update<number[]>('list', (current) => [...(current ?? []), 1]), [1])
      assert.deepEqual(await store.update<number[]>('list', (current) => [...(current ?? []), 2]), [1, 2])
      assert.deepEqual(await store.update<number[]>('list', () => undefined), [1, 2])
      await assert.rejects(
        store.update<number[]>('list', () => Promise.reject(new Error('refused'))),
        /refused/,
      )
      assert.deepEqual(await store.get('list'), [1, 2])
      await store.update('brief', () => 'soon gone', 30)
      await sleep(80)
      assert.equal(await store.get('brief'), undefined)
      assert.equal(await store.update<string>('brief', (current) => (current === undefined ? 'fresh' : 'stale')), 'fresh')
      assert.equal(await store.get('brief'), 'fresh')
    })

    test(`${N / 2} parallel update() of one key: no update is lost`, async () => {
      const store = ns('race-update')
      await Promise.all(Array.from({ length: N / 2 }, (_, i) => store.update<number[]>('list', (current) => Promise.resolve([...(current ?? []), i]))))
      const list = (await store.get<number[]>('list'))!
      assert.deepEqual(
        [...list].sort((x, y) => x - y),
        Array.from({ length: N / 2 }, (_, i) => i),
      )
    })

    if (options.shared) {
      test(`two connections, ${N / 2} parallel update() in all: no update is lost`, async () => {
        const label = 'shared-update'
        const one = ns(label)
        const two = ns(label, second)
        await Promise.all(Array.from({ length: N / 2 }, (_, i) => (i % 2 ? one : two).update<number[]>('list', (current) => [...(current ?? []), i])))
        const list = (await one.get<number[]>('list'))!
        assert.deepEqual(
          [...list].sort((x, y) => x - y),
          Array.from({ length: N / 2 }, (_, i) => i),
        )
      })

      test('two connections: what one writes the other reads, in the same namespace', async () => {
        const label = 'shared-rw'
        const one = ns(label)
        const two = ns(label, second)
        await one.set('k', { from: 'one' })
        assert.deepEqual(await two.get('k'), { from: 'one' })
        assert.equal(await two.add('k', 'two'), false)
        assert.deepEqual(await two.take('k'), { from: 'one' })
        assert.equal(await one.get('k'), undefined)
      })

      test(`two connections, ${N} parallel take() each: exactly one winner overall`, async () => {
        const label = 'shared-take'
        const one = ns(label)
        const two = ns(label, second)
        for (let round = 0; round < 3; round++) {
          await one.set('single-use', { round })
          const results = await Promise.all(Array.from({ length: 2 * N }, (_, i) => (i % 2 ? one : two).take('single-use')))
          assert.deepEqual(
            results.filter((r) => r !== undefined),
            [{ round }],
          )
        }
      })

      test(`two connections, ${N} parallel add() and increment() each: one add wins, counts are exact`, async () => {
        const label = 'shared-add'
        const one = ns(label)
        const two = ns(label, second)
        const added = await Promise.all(Array.from({ length: 2 * N }, (_, i) => (i % 2 ? one : two).add('once', i)))
        assert.equal(added.filter(Boolean).length, 1)
        const counts = await Promise.all(Array.from({ length: 2 * N }, (_, i) => (i % 2 ? one : two).increment('hits', 10_000)))
        assert.deepEqual(
          [...counts].sort((x, y) => x - y),
          Array.from({ length: 2 * N }, (_, i) => i + 1),
        )
      })
    }
  })
}
