import { describe, it, before, after } from 'node:test'
import { describeStoreCompliance } from '@polytoken/store-test-suite'
import { runPrefix } from '../storage/services.js'
import { connectedStore, startSentinelTopology, type SentinelTopology } from './redis-topology.js'
import { runScenarios } from './scenarios.js'
import { describeFailover } from './failover.js'

/**
 * Redis behind Sentinel, started once for this file: a master, a replica and three Sentinels on loopback ports of
 * their own. The store contract, every dialect's two-instance scenario, then (last: it kills the master) a failover.
 */
describe('Redis Sentinel topology (master, replica, three Sentinels)', { timeout: 1_200_000 }, () => {
  const compliancePrefix = runPrefix('sentinel')
  let topology: SentinelTopology
  const started = Date.now()

  before(async () => {
    topology = await startSentinelTopology()
  })

  after(async () => {
    await topology?.stop()
  })

  describeStoreCompliance({ name: 'redis+sentinel://', create: () => connectedStore(topology.url, compliancePrefix), shared: true })

  it('every dialect’s two-instance scenario passes on two examples-server processes on the Sentinel topology', async (t) => {
    await runScenarios(t, topology.url)
  })

  describeFailover('Sentinel promotes the replica', {
    url: () => topology.url,
    async killMasterHolding() {
      await topology.master.stop('SIGKILL')
      return topology.master.port
    },
    async restartKilled() {
      await topology.restart(topology.master)
    },
    async promoted(killedPort) {
      const port = await topology.currentMasterPort()
      return port === topology.replica.port && port !== killedPort
    },
  })

  it('took this long with the topology (reported for CI budgets)', (t) => {
    t.diagnostic(`Sentinel topology file: ${Math.round((Date.now() - started) / 1000)} s`)
  })
})
