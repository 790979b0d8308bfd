/**
 * Issue #14, item 2: concurrent client-state changes of one user must not
 * lose updates. Before the fix the user record was read, changed and written
 * back with no compare-and-set: ten requests with ten new X-Client-State
 * values all got 200 and ten uids, and nine of those states were never
 * recorded as old — accepted again later with yet newer uids, the user's data
 * split across uids. Now one change at a time wins (store.update), on one
 * instance and across instances sharing SQLite, Redis or PostgreSQL: every
 * state that ever got a uid is either the current one or refused as old.
 * The rule defended is tokenserver's views.py "Don't revert to a previous
 * client-state" (invalid-client-state).
 */
import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import request from 'supertest'
import { createStore, type StoreBackend } from '@polytoken/core'
import { assertion, createApp } from '../sagrada/fixture.js'
import { POSTGRES_URL, REDIS_URL, runPrefix } from '../storage/services.js'

type App = Awaited<ReturnType<typeof createApp>>
const STATES = Array.from({ length: 10 }, (_, i) => `state${i}`)

function login(app: App, email: string, clientState: string, generation?: number) {
  const claims = generation === undefined ? undefined : { 'fxa-generation': generation }
  return request(app.app)
    .get('/1.0/sync/1.5')
    .set('authorization', `BrowserID ${assertion({ now: app.clock.now, email, ...(claims ? { claims } : {}) })}`)
    .set('x-client-state', clientState)
}

/**
 * Ten new states at once, spread over the instances; then each of them once
 * more: the current one answers with the uid the user now has, every other
 * one that got a uid is invalid-client-state.
 */
async function tenAtOnce(instances: App[], email: string, generation?: number): Promise<void> {
  const first = await login(instances[0]!, email, 'initial', generation === undefined ? undefined : generation - 1)
  assert.equal(first.status, 200, first.text)
  const answers = await Promise.all(STATES.map((state, i) => login(instances[i % instances.length]!, email, state, generation)))
  const granted = STATES.filter((_, i) => answers[i]!.status === 200)
  for (const res of answers) if (res.status !== 200) assert.equal(res.body.status, 'invalid-client-state', res.text)
  assert.ok(granted.length >= 1)
  if (generation !== undefined) assert.equal(granted.length, 1, 'with a generation, one change wins: the others did not advance it')
  const grantedUids = new Set(answers.filter((res) => res.status === 200).map((res) => res.body.uid as number))
  assert.equal(grantedUids.size, granted.length, 'each change that won has a uid of its own')

  const again = await Promise.all(STATES.map((state) => login(instances[0]!, email, state, generation)))
  const current = STATES.filter((_, i) => again[i]!.status === 200)
  assert.equal(current.length, 1, `exactly one state is current, got ${current.join(', ') || 'none'}`)
  assert.ok(granted.includes(current[0]!))
  assert.ok(grantedUids.has(again[STATES.indexOf(current[0]!)]!.body.uid), 'the current uid is one that was handed out')
  for (const [i, res] of again.entries()) if (STATES[i] !== current[0]) assert.equal(res.body.status, 'invalid-client-state', `${STATES[i]}: ${res.text}`)
  // And later, with a newer generation, an old state still cannot come back.
  if (generation !== undefined) {
    for (const state of granted.filter((s) => s !== current[0])) {
      assert.equal((await login(instances[1 % instances.length]!, email, state, generation + 1)).body.status, 'invalid-client-state')
    }
  }
}

async function scenario(instances: App[]): Promise<void> {
  await tenAtOnce(instances, 'no-generation@example.com')
  await tenAtOnce(instances, 'with-generation@example.com', 10)
}

async function twoInstances(store: () => Promise<StoreBackend> | string): Promise<App[]> {
  return [await createApp({}, { now: Date.now() }, await store()), await createApp({}, { now: Date.now() }, await store())]
}

describe('sagrada: concurrent client-state changes of one user', () => {
  const opened: App[] = []
  const backends: StoreBackend[] = []
  const dir = mkdtempSync(join(tmpdir(), 'sagrada-state-race-'))
  after(async () => {
    // What this run wrote to the shared Redis and PostgreSQL goes, before the routers close the stores.
    for (const backend of backends) {
      const store = backend.namespace('sagrada')
      for await (const [key] of store.entries()) await store.delete(key).catch(() => undefined)
    }
    for (const app of opened) await app.router.close()
    for (const backend of backends) await backend.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const shared = (url: string) => {
    const prefix = runPrefix('sagrada-race')
    return async () => {
      const backend = await createStore({ url, prefix })
      backends.push(backend)
      return backend
    }
  }

  test('one instance (memory://)', async () => {
    const app = await createApp()
    opened.push(app)
    await scenario([app])
  })

  test('two instances on one SQLite file', async () => {
    const instances = await twoInstances(() => `sqlite://${join(dir, 'tokens.db')}`)
    opened.push(...instances)
    await scenario(instances)
  })

  test('two instances on one Redis', async () => {
    const instances = await twoInstances(shared(REDIS_URL))
    opened.push(...instances)
    await scenario(instances)
  })

  test('two instances on one PostgreSQL', async () => {
    const instances = await twoInstances(shared(POSTGRES_URL))
    opened.push(...instances)
    await scenario(instances)
  })
})
