import { test } from 'node:test'
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { createStore } from '@polytoken/core'
import { POSTGRES_URL, runPrefix, withParam } from '../storage/services.js'
import { clearNamespaces } from '../helpers/clear-store.js'
import { cliEnv, polytoken } from './run-polytoken.js'

/**
 * What `polytoken purge` finds: four expired records in the store, and in github-pats an owner index naming two
 * tokens the store has expired next to a live one.
 */
async function seed(url: string): Promise<void> {
  const backend = await createStore({ url, timeoutMs: 5000 })
  try {
    const pats = backend.namespace('github-pats')
    const zazz = backend.namespace('zazz')
    const written = Date.now()
    await Promise.all([zazz.set('gone-1', 1, 1), zazz.set('gone-2', 2, 1), pats.set('gone-3', 3, 1), pats.set('pat:expired-1', { id: 'expired-1' }, 1)])
    await pats.set('pat:live-1', { id: 'live-1', owner: 'octocat' }, 3_600_000)
    await pats.set('owner:octocat', ['expired-1', 'never-written', 'live-1'])
    while (Date.now() <= written + 5) await new Promise((resolve) => setTimeout(resolve, 5))
  } finally {
    await backend.close()
  }
}

async function purgeAndCheck(env: Record<string, string>, url: string): Promise<void> {
  await seed(url)
  const result = await polytoken(['purge', '--json'], env)
  assert.equal(result.status, 0, result.stderr)
  const rows = JSON.parse(result.stdout) as Array<{ part: string; purged: number }>
  assert.deepEqual(
    rows.map(({ part, purged }) => [part, purged]),
    [
      ['store', 4],
      ['github-pats', 2],
    ],
  )
  const backend = await createStore({ url, timeoutMs: 5000 })
  try {
    assert.deepEqual(await backend.namespace('github-pats').get('owner:octocat'), ['live-1'], 'the live token stays in its owner index')
  } finally {
    await backend.close()
  }
}

test('polytoken purge on SQLite: counts the expired records of the store and of github-pats', async () => {
  const env = cliEnv({}, ['github-pats'])
  try {
    await purgeAndCheck(env, `sqlite://${join(env.POLYTOKEN_DATA_DIR!, 'polytoken.db')}`)
    const table = await polytoken(['purge'], env)
    assert.equal(table.status, 0, table.stderr)
    assert.match(table.stdout, /^store\s+sqlite\s+0$/m, 'a second purge finds nothing')
    assert.match(table.stdout, /^github-pats\s+-\s+0$/m)
  } finally {
    rmSync(env.POLYTOKEN_DATA_DIR!, { recursive: true, force: true })
  }
})

test('polytoken purge on PostgreSQL (a prefix of its own): the same counts', async () => {
  const prefix = runPrefix('cli-purge')
  const url = withParam(POSTGRES_URL, 'prefix', prefix)
  const env = cliEnv({ POLYTOKEN_STORE: url }, ['github-pats'])
  try {
    await purgeAndCheck(env, url)
  } finally {
    await clearNamespaces(POSTGRES_URL, prefix, ['github-pats', 'zazz', 'polytoken'])
    rmSync(env.POLYTOKEN_DATA_DIR!, { recursive: true, force: true })
  }
})
