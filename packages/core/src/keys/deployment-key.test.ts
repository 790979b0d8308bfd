import { test } from 'node:test'
import assert from 'node:assert/strict'
import { memoryStore } from '../storage/memory-store.js'
import { createDeploymentKeys } from './deployment-key.js'

test('without a master key: a random root kept in the store, the same for every instance on that store; one key per label', async () => {
  const store = memoryStore().namespace('polytoken')
  const [a, b] = [createDeploymentKeys(undefined, store), createDeploymentKeys(undefined, store)]
  const [one, two] = await Promise.all([a('throttle-keys'), b('throttle-keys')])
  assert.equal(one.length, 32)
  assert.deepEqual(one, two)
  assert.notDeepEqual(await a('other-label'), one)
  const elsewhere = createDeploymentKeys(undefined, memoryStore().namespace('polytoken'))
  assert.notDeepEqual(await elsewhere('throttle-keys'), one)
})

test('with a master key: derived from it, nothing written to the store', async () => {
  const store = memoryStore().namespace('polytoken')
  const key = await createDeploymentKeys('a-master-key-0123456789abcdef', store)('throttle-keys')
  assert.deepEqual(key, await createDeploymentKeys('a-master-key-0123456789abcdef', memoryStore().namespace('x'))('throttle-keys'))
  assert.notDeepEqual(key, await createDeploymentKeys('another-master-key-0123456789', store)('throttle-keys'))
  const records = []
  for await (const entry of store.entries('')) records.push(entry)
  assert.deepEqual(records, [])
})
