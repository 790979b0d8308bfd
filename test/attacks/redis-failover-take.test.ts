import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import type { Store, StoreBackend } from '@polytoken/core'
import { runPrefix, withParam } from '../storage/services.js'
import { sleep } from '../scale-out/harness.js'
import { connectedStore, startSentinelTopology, type SentinelTopology } from '../topologies/redis-topology.js'

const KEYS = 30
const RACERS = 6
const WAIT_TIMEOUT_MS = 300
const RECOVERY_LIMIT_MS = 90_000

/**
 * A burst of racing takes of single-use values (authorization codes, one-time states) across a Sentinel failover
 * where the replica missed the last writes: the replica is cut off (every node up), takes race on the master, the master is
 * killed, and the replica (which never saw those takes) is promoted. Without WAIT the takes acknowledged in that
 * window vanish and the values can be taken again: a replay. With `?waitReplicas=1` a take is acknowledged only
 * once the replica holds it, so across the whole run every value is taken at most once.
 */
describe('attack: racing takes of one-use values across a Sentinel failover that loses the last writes', { timeout: 300_000 }, () => {
  let topology: SentinelTopology
  const backends: StoreBackend[] = []
  const prefix = runPrefix('failover-take')

  before(async () => {
    topology = await startSentinelTopology()
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
    await topology.cutReplication()
    await burst(keys.slice(10, 20))
    const windowTakes = keys.slice(10, 20).filter((key) => wins.has(key)).length
    await topology.master.stop('SIGKILL')
    const killedAt = Date.now()

    // Keep racing over every key until the promoted replica serves writes again (a fresh one-use value can be
    // added and taken), then once more: a value whose take was acknowledged before the kill must not come back.
    let restarted = false
    let recoveredAfter: number | undefined
    for (let round = 0; Date.now() - killedAt < RECOVERY_LIMIT_MS; round++) {
      // The promoted replica has no replica of its own: writes that wait for one resume when the old master,
      // started again as a supervisor would, rejoins as its replica.
      if (!restarted && (await topology.currentMasterPort()) === topology.replica.port) {
        restarted = true
        await topology.restart(topology.master)
      }
      await burst(keys)
      const probe = `probe-${round}`
      const served = await stores[1]!.add(probe, true, 60_000).then(
        async (added) => added && (await stores[0]!.take(probe)) === true,
        () => false,
      )
      if (served) {
        recoveredAfter = Date.now() - killedAt
        break
      }
      await sleep(200)
    }
    await burst(keys)
    t.diagnostic(`${windowTakes} of 10 takes acknowledged while the replica was cut off; ${unavailable} takes got 503; writes served again ${recoveredAfter} ms after the kill`)
    assert.ok(recoveredAfter !== undefined, `the store did not serve writes again within ${RECOVERY_LIMIT_MS} ms`)
    assert.equal(await topology.currentMasterPort(), topology.replica.port, 'Sentinel did not promote the replica')
    const replayed = [...wins].filter(([, count]) => count > 1)
    assert.deepEqual(replayed, [], 'a one-use value was taken more than once across the failover')
    // Nothing could reach the replica, so nothing may have been acknowledged: with WAIT those takes are 503s.
    assert.equal(windowTakes, 0, 'takes were acknowledged that no replica held')
    for (const key of keys.slice(0, 10)) assert.equal(wins.get(key), 1, `${key}, taken before the cut, was not taken exactly once`)
    // Keys whose take got a 503 may be consumed (outcome unknown, fail-closed) or taken later: never twice.
  })
})
