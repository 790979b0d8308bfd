import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { cliEnv, polytoken, writeConfig } from './run-polytoken.js'

const env = cliEnv()
after(() => rmSync(env.POLYTOKEN_DATA_DIR!, { recursive: true, force: true }))

test('--help of every command exits 0 and prints its usage', async () => {
  for (const command of ['users', 'purge', 'check-config', 'hash-password', 'serve']) {
    const result = await polytoken([command, '--help'], env)
    assert.equal(result.status, 0, `${command}: ${result.stderr}`)
    assert.match(result.stdout, new RegExp(`^usage: polytoken ${command}`), command)
  }
  const overview = await polytoken(['--help'], env)
  assert.equal(overview.status, 0)
  for (const command of ['users', 'purge', 'check-config']) assert.match(overview.stdout, new RegExp(`^  ${command} `, 'm'))
})

test('usage errors exit 2: an unknown dialect, a dialect without users, a password given as an argument, an unknown action', async () => {
  const unknown = await polytoken(['users', 'list', 'nosuch'], env)
  assert.equal(unknown.status, 2, unknown.stderr)
  assert.match(unknown.stderr, /no dialect "nosuch" is configured \(configured: prodmanager, crew, zazz\)/)
  const without = await polytoken(['users', 'list', 'prodmanager'], env)
  assert.equal(without.status, 2, without.stderr)
  assert.match(without.stderr, /"prodmanager" keeps no users in the store \(dialects that do: crew, zazz\)/)
  const onArgv = await polytoken(['users', 'add', 'zazz', 'carol', 'carols-password'], env)
  assert.equal(onArgv.status, 2)
  assert.match(onArgv.stderr, /never from the command line/)
  assert.equal((await polytoken(['users', 'rename', 'zazz', 'carol'], env)).status, 2)
  const empty = await polytoken(['users', 'add', 'zazz', 'carol'], env, '')
  assert.equal(empty.status, 2, 'an empty standard input is no password')
  assert.match(empty.stderr, /no password given on standard input/)
})

test('an invalid config file exits 3 naming the key; a store that does not answer exits 4 with a message, promptly', async () => {
  const bad = join(env.POLYTOKEN_DATA_DIR!, 'bad.json')
  writeConfig(bad, { crew: { service: 'registry.local', tokenLifetimeSec: 'long' } })
  const invalid = await polytoken(['users', 'list', 'crew'], { ...env, POLYTOKEN_CONFIG: bad })
  assert.equal(invalid.status, 3, invalid.stderr)
  assert.match(invalid.stderr, /invalid configuration \(ERR_CONFIG_INVALID\).*crew\.tokenLifetimeSec/)

  const down = await polytoken(['users', 'list', 'zazz'], { ...env, POLYTOKEN_STORE: 'redis://127.0.0.1:1' })
  assert.equal(down.status, 4, down.stderr)
  assert.match(down.stderr, /the store did not answer \(ERR_STORE_UNAVAILABLE\)/)
  assert.ok(down.ms < 45_000, `ended after ${down.ms} ms`)
})
