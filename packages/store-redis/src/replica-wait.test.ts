import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { AtomicOps } from '@polytoken/store-keyv'
import { ReplicasDidNotConfirm, confirmWrites, confirmedOps } from './replica-wait.js'

/** Atomic operations that report what they would have done, and a WAIT that answers with `acknowledged`. */
function fixture(acknowledged: number) {
  const waited: string[] = []
  const ops: AtomicOps = {
    add: async (key) => key === 'fresh',
    take: async (key) => (key === 'present' ? 'record' : undefined),
    increment: async () => 3,
    read: async () => 'record',
    replace: async (key) => key === 'current',
  }
  const confirm = confirmWrites(
    async (key, replicas, timeoutMs) => {
      waited.push(`${key} ${replicas} ${timeoutMs}`)
      return acknowledged
    },
    1,
    250,
  )
  return { waited, ops: confirmedOps(ops, confirm) }
}

describe('writes confirmed by the replicas (WAIT)', () => {
  it('every write waits for the replicas; reads and writes that changed nothing do not', async () => {
    const { waited, ops } = fixture(1)
    assert.equal(await ops.add('fresh', 'r', undefined, 0), true)
    assert.equal(await ops.add('taken', 'r', undefined, 0), false)
    assert.equal(await ops.take('present'), 'record')
    assert.equal(await ops.take('absent'), undefined)
    assert.equal(await ops.increment('counter', 1000, 0, 1), 3)
    assert.equal(await ops.read('any'), 'record')
    assert.equal(await ops.replace('current', 'a', 'b', undefined, 0), true)
    assert.equal(await ops.replace('stale', 'a', 'b', undefined, 0), false)
    assert.deepEqual(waited, ['fresh 1 250', 'present 1 250', 'counter 1 250', 'current 1 250'])
  })

  it('a write the replicas did not confirm in time fails: it is never reported done (a take is not a success)', async () => {
    const { ops } = fixture(0)
    await assert.rejects(ops.take('present'), ReplicasDidNotConfirm)
    await assert.rejects(ops.add('fresh', 'r', undefined, 0), /reached 0 of 1 replica\(s\) within 250 ms/)
    await assert.rejects(ops.increment('counter', 1000, 0, 1), ReplicasDidNotConfirm)
  })
})
