import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import type { Store, StoreBackend } from '@polytoken/core'
import { runPrefix, withParam } from '../storage/services.js'
import { sleep } from '../scale-out/harness.js'
import { connectedStore, startSentinelTopology, type SentinelTopology } from '../topologies/redis-topology.js'

const KEYS = 30
const RACERS = 6
const WAIT_TIMEOUT_MS = 300
const RECOVERY_LIMIT_MS = 45_000

/**
 * A burst of racing takes of single-use values (authorization codes, one-time states) across a Sentinel failover
 * where the replica missed the last writes: the replication link is cut, takes race on the master, the master is
 * killed, and the replica (which never saw those takes) is promoted. Without WAIT the takes acknowledged in that
 * window vanish and the values can be taken again: a replay. With `?waitReplicas=1` a take is acknowledged only
 * once the replica holds it, so across the whole run every value is taken at most once.
 */
describe('attack: racing takes of one-use values across a Sentinel failover that loses the last writes', { timeout: 300_000 }, () => {
  let topology: SentinelTopology
  const backends: StoreBackend[] = []
  const prefix = runPrefix('failover-take')

  before(async () => {
    topology = await startSentinelTopology({ replicationLink: true })
    const url = withParam(withParam(topology.url, 'waitReplicas', '1'), 'waitTimeoutMs', String(WAIT_TIMEOUT_MS))
    // Two instances, as two server processes would have.
    backends.push(await connectedStore(url, prefix), await connectedStore(url, prefix))
  })

  after(async () => {
    await Promise.all(backends.map((backend) => backend.close()))
    await topology?.stop()
  })

  it('no one-use value is ever taken twice, whatever the takes acknowledged before the master died', async (t) => {
    const stores: Store[] = backends.map((backend) => backend.namespace('oneuse'))
    const keys = Array.from({ length: KEYS }, (_, i) => `code-${i}`)
    for (const key of keys) assert.equal(await stores[0]!.add(key, { key }, 300_000), true)

    const wins = new Map<string, number>()
    let unavailable = 0
    /** RACERS takes of each key at once, spread over both instances; counts the ones that got the value. */
    const burst = (batch: string[]) =>
      Promise.all(
        batch.flatMap((key) =>
          Array.from({ length: RACERS }, (_, i) =>
            stores[i % 2]!.take(key).then(
              (value) => {
                if (value !== undefined) wins.set(key, (wins.get(key) ?? 0) + 1)
              },
              () => void unavailable++,
            ),
          ),
        ),
      )

    await burst(keys.slice(0, 10))
    // The replica stops receiving; every node is up. Takes now reach the master alone.
    await topology.link!.cut()
    await burst(keys.slice(10, 20))
    const windowTakes = keys.slice(10, 20).filter((key) => wins.has(key)).length
    await topology.master.stop('SIGKILL')
    const killedAt = Date.now()

    // Keep racing over every key until the promoted replica answers and nothing is left to take.
    let remaining = keys.filter((key) => !wins.has(key))
    let restarted = false
    while (Date.now() - killedAt < RECOVERY_LIMIT_MS) {
      // The promoted replica has no replica of its own: writes that wait for one resume when the old master,
      // started again as a supervisor would, rejoins as its replica.
      if (!restarted && (await topology.currentMasterPort()) === topology.replica.port) {
        restarted = true
        await topology.restart(topology.master)
      }
      await burst(keys)
      remaining = keys.filter((key) => !wins.has(key))
      if (remaining.length === 0) break
      await sleep(200)
    }
    t.diagnostic(`${windowTakes} of 10 takes acknowledged while the replica was cut off; ${unavailable} takes got 503; recovered ${Date.now() - killedAt} ms after the kill`)
    assert.equal(await topology.currentMasterPort(), topology.replica.port, 'Sentinel did not promote the replica')
    const replayed = [...wins].filter(([, count]) => count > 1)
    assert.deepEqual(replayed, [], 'a one-use value was taken more than once across the failover')
    assert.deepEqual(remaining, [], `values never taken after the failover: ${remaining.join(', ')}`)
  })
})
