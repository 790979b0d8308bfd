import { test } from 'node:test'
import assert from 'node:assert/strict'
import { memoryStore } from '@polytoken/core'
import { createUsers } from './users.js'
import type { ResolvedNode, ResolvedService } from './options.js'

const nodes = new Map<string, ResolvedNode>([
  ['https://a', { url: 'https://a', capacity: 2, secrets: ['s'.repeat(8)], type: 'mysql' }],
  ['https://b', { url: 'https://b', capacity: 1, secrets: ['s'.repeat(8)], type: 'mysql' }],
])
const sync: ResolvedService = { application: 'sync', version: '1.5', name: 'sync-1.5', endpoint: '{node}/{uid}', nodes: ['https://a', 'https://b'] }
const other: ResolvedService = { ...sync, version: '2.0', name: 'sync-2.0' }
const login = (email: string, extra: Partial<{ generation: number; keysChangedAt: number; clientState: string }> = {}) => ({ email, generation: 0, keysChangedAt: 0, clientState: '', ...extra })

test('uids are unique across services; each service has its own seats; capacity holds', async () => {
  const users = createUsers(memoryStore().namespace('sagrada'), nodes, () => 0)
  const a = await users.login(sync, login('a@x'), true)
  const b = await users.login(sync, login('b@x'), true)
  const c = await users.login(sync, login('c@x'), true)
  assert.deepEqual([a.uid, b.uid, c.uid], [1, 2, 3])
  assert.deepEqual([a.node, b.node, c.node].sort(), ['https://a', 'https://a', 'https://b'])
  await assert.rejects(users.login(sync, login('d@x'), true), { code: 'ERR_STORE_UNAVAILABLE' })
  const elsewhere = await users.login(other, login('a@x'), true)
  assert.equal(elsewhere.uid, 4, 'uids are never reused, even across services')
  assert.equal((await users.login(sync, login('a@x'), true)).uid, 1)
})

test('client state and generation rules', async () => {
  const users = createUsers(memoryStore().namespace('sagrada'), nodes, () => 0)
  const first = await users.login(sync, login('e@x', { clientState: 'aa' }), true)
  const second = await users.login(sync, login('e@x', { clientState: 'bb' }), true)
  assert.notEqual(second.uid, first.uid)
  assert.equal(second.node, first.node)
  await assert.rejects(users.login(sync, login('e@x', { clientState: 'aa' }), true), { code: 'ERR_AUTH_INVALID', dialectCode: 'invalid-client-state' })
  await assert.rejects(users.login(sync, login('e@x'), true), { code: 'ERR_AUTH_INVALID', dialectCode: 'invalid-client-state' })
  await users.login(sync, login('e@x', { clientState: 'bb', generation: 3 }), true)
  await assert.rejects(users.login(sync, login('e@x', { clientState: 'cc', generation: 3 }), true), { code: 'ERR_AUTH_INVALID', dialectCode: 'invalid-client-state' })
  await assert.rejects(users.login(sync, login('e@x', { clientState: 'bb', generation: 2 }), true), { code: 'ERR_AUTH_INVALID', dialectCode: 'invalid-generation' })
  assert.notEqual((await users.login(sync, login('e@x', { clientState: 'cc', generation: 4 }), true)).uid, second.uid)
  await assert.rejects(users.login(sync, login('new@x'), false), { code: 'ERR_AUTH_INVALID', dialectCode: 'new-users-disabled' })
})

test('keysChangedAt: a client state changes only with newer keys; older keys are invalid-keysChangedAt', async () => {
  const users = createUsers(memoryStore().namespace('sagrada'), nodes, () => 0)
  const first = await users.login(sync, login('k@x', { clientState: 'aa', keysChangedAt: 100 }), true)
  await assert.rejects(users.login(sync, login('k@x', { clientState: 'bb', keysChangedAt: 100 }), true), { code: 'ERR_AUTH_INVALID', dialectCode: 'invalid-client-state' })
  await assert.rejects(users.login(sync, login('k@x', { clientState: 'aa', keysChangedAt: 50 }), true), { code: 'ERR_AUTH_INVALID', dialectCode: 'invalid-keysChangedAt' })
  const moved = await users.login(sync, login('k@x', { clientState: 'bb', keysChangedAt: 200 }), true)
  assert.notEqual(moved.uid, first.uid)
  assert.equal(moved.keysChangedAt, 200)
  // views.py: "once the IdP starts sending keys_changed_at, we'll error out if it stops".
  await assert.rejects(users.login(sync, login('k@x', { clientState: 'bb' }), true), { code: 'ERR_AUTH_INVALID', dialectCode: 'invalid-keysChangedAt' })
})
