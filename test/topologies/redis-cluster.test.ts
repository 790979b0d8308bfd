import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { describeStoreCompliance } from '@polytoken/store-test-suite'
import { runPrefix } from '../storage/services.js'
import { command, connectedStore, startClusterTopology, type ClusterTopology, type RedisProcess } from './redis-topology.js'
import { runScenarios } from './scenarios.js'
import { describeFailover } from './failover.js'

/**
 * A Redis Cluster of three masters and three replicas, started once for this file on loopback ports of its own. The
 * store contract, every dialect's two-instance scenario, then (last: it kills a master) a shard's failover.
 */
describe('Redis Cluster topology (3 masters, 3 replicas)', { timeout: 1_200_000 }, () => {
  const compliancePrefix = runPrefix('cluster')
  let topology: ClusterTopology
  const started = Date.now()
  /** Slot of the key the failover killed, and the master port serving it before. */
  let killed: { node: RedisProcess; slot: number } | undefined

  before(async () => {
    topology = await startClusterTopology()
  })

  after(async () => {
    await topology?.stop()
  })

  describeStoreCompliance({ name: 'redis+cluster://', create: () => connectedStore(topology.url, compliancePrefix), shared: true })

  it('every dialect’s two-instance scenario passes on two examples-server processes on the Cluster', async (t) => {
    await runScenarios(t, topology.url)
  })

  describeFailover('the Cluster fails over the shard holding the revocation', {
    url: () => topology.url,
    async killMasterHolding(jti, prefix) {
      for (const node of topology.nodes) {
        const keys = (await command(node.port, ['KEYS', `${prefix}prodmanager::revoked:${jti}`])) as string[] | undefined
        const role = (await command(node.port, ['ROLE'])) as unknown[] | undefined
        if (keys?.length === 1 && role?.[0] === 'master') {
          const slot = Number(await command(node.port, ['CLUSTER', 'KEYSLOT', keys[0]!]))
          killed = { node, slot }
          await node.stop('SIGKILL')
          return node.port
        }
      }
      throw new Error('no master holds the revocation mark')
    },
    async restartKilled() {
      assert.ok(killed, 'nothing was killed')
      await topology.restart(killed.node)
    },
    async promoted(killedPort) {
      assert.ok(killed, 'nothing was killed')
      const port = await topology.masterOfSlot(killed.slot)
      return port !== undefined && port !== killedPort && (await topology.healthy())
    },
  })

  it('took this long with the topology (reported for CI budgets)', (t) => {
    t.diagnostic(`Cluster topology file: ${Math.round((Date.now() - started) / 1000)} s`)
  })
})
