import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { startExampleServer, type RunningServer } from '../helpers/spawn-server.js'
import { clearNamespaces } from '../helpers/clear-store.js'
import { REDIS_URL, runPrefix, withParam } from '../storage/services.js'
import { cliEnv, polytoken } from './run-polytoken.js'

const NAMESPACES = ['zazz', 'crew', 'polytoken', 'prodmanager', 'token-generator', 'sagrada', 'github-pats']
const ZAZZ_CLIENT = `Basic ${Buffer.from('zazz-web:changeit').toString('base64')}`

/** zazz's password grant (zazz.md) against the running server. */
async function zazzLogin(server: RunningServer, username: string, password: string): Promise<number> {
  const response = await fetch(`${server.url}/zazz/api/v1/token`, {
    method: 'POST',
    headers: { authorization: ZAZZ_CLIENT, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', username, password }),
  })
  await response.arrayBuffer()
  return response.status
}

/** A Docker client's token GET with Basic credentials (crew.md). */
async function crewLogin(server: RunningServer, username: string, password: string): Promise<number> {
  const response = await fetch(`${server.url}/v1/token?service=registry.local&scope=repository:${username}/app:pull`, {
    headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
  })
  await response.arrayBuffer()
  return response.status
}

for (const kind of ['sqlite', 'redis'] as const) {
  describe(`polytoken users against a running server on ${kind}`, () => {
    const prefix = runPrefix('cli-users')
    const env = cliEnv(kind === 'redis' ? { POLYTOKEN_STORE: withParam(REDIS_URL, 'prefix', prefix) } : {})
    let server: RunningServer

    before(async () => {
      // The server keeps a checked password for a minute (crew's own bound): a CLI change must hold all the same.
      server = await startExampleServer({ ...env, POLYTOKEN_CACHE_MAX_TTL_MS: '120000' })
    })
    after(async () => {
      await server?.stop()
      if (kind === 'redis') await clearNamespaces(REDIS_URL, prefix, NAMESPACES)
      rmSync(env.POLYTOKEN_DATA_DIR!, { recursive: true, force: true })
    })

    test('zazz: add, list, log in at once; a second add refused; passwd ends the old password; remove ends the user', async () => {
      const added = await polytoken(['users', 'add', 'zazz', 'alice'], env, 'first password\n')
      assert.equal(added.status, 0, added.stderr)
      assert.equal(await zazzLogin(server, 'alice', 'first password'), 200, 'the running server accepts the new user at once')

      const listed = await polytoken(['users', 'list', 'zazz', '--json'], env)
      assert.equal(listed.status, 0, listed.stderr)
      const rows = JSON.parse(listed.stdout) as Array<Record<string, unknown>>
      assert.deepEqual(
        rows.map((row) => [row.username, row.source]),
        [
          ['soroush', 'config'],
          ['alice', 'store'],
        ],
      )
      assert.ok(!listed.stdout.includes('scrypt') && !listed.stdout.includes('passwordHash'), 'a listing shows no hash')

      const again = await polytoken(['users', 'add', 'zazz', 'ALICE'], env, 'other\n')
      assert.equal(again.status, 1, 'an existing user (logins are case-insensitive) is refused')
      assert.match(again.stderr, /already exists/)
      const configured = await polytoken(['users', 'passwd', 'zazz', 'soroush'], env, 'x\n')
      assert.equal(configured.status, 1)
      assert.match(configured.stderr, /configured/)

      const changed = await polytoken(['users', 'passwd', 'zazz', 'alice', '--json'], env, 'second password\n')
      assert.equal(changed.status, 0, changed.stderr)
      assert.deepEqual(JSON.parse(changed.stdout), { ok: true, dialect: 'zazz', username: 'alice' })
      assert.notEqual(await zazzLogin(server, 'alice', 'first password'), 200, 'the old password is refused')
      assert.equal(await zazzLogin(server, 'alice', 'second password'), 200)

      const removed = await polytoken(['users', 'remove', 'zazz', 'alice'], env)
      assert.equal(removed.status, 0, removed.stderr)
      assert.notEqual(await zazzLogin(server, 'alice', 'second password'), 200, 'a removed user is refused')
      assert.equal((await polytoken(['users', 'remove', 'zazz', 'alice'], env)).status, 1, 'no such user: exit 1')
    })

    test('crew: add, log in at once; passwd and remove are refused on the next request, the cached password too', async () => {
      const added = await polytoken(['users', 'add', 'crew', 'bob'], env, 'bob password\n')
      assert.equal(added.status, 0, added.stderr)
      // Twice: the second answer comes from the server's password cache.
      assert.equal(await crewLogin(server, 'bob', 'bob password'), 200, 'the running server accepts the new user at once')
      assert.equal(await crewLogin(server, 'bob', 'bob password'), 200)

      const shadow = await polytoken(['users', 'add', 'crew', 'genedna'], env, 'x\n')
      assert.equal(shadow.status, 1, 'a store user may not shadow a configured one')
      assert.match(shadow.stderr, /configured/)

      const changed = await polytoken(['users', 'passwd', 'crew', 'bob'], env, 'new bob password\n')
      assert.equal(changed.status, 0, changed.stderr)
      assert.equal(await crewLogin(server, 'bob', 'bob password'), 401, 'the old password is refused on the next request, although it was cached')
      assert.equal(await crewLogin(server, 'bob', 'new bob password'), 200)

      const listed = await polytoken(['users', 'list', 'crew'], env)
      assert.equal(listed.status, 0, listed.stderr)
      assert.match(listed.stdout, /^bob\s+store\b/m)
      assert.match(listed.stdout, /^genedna\s+config\b/m)

      const removed = await polytoken(['users', 'remove', 'crew', 'bob', '--json'], env)
      assert.equal(removed.status, 0, removed.stderr)
      assert.equal(JSON.parse(removed.stdout).ok, true)
      assert.equal(await crewLogin(server, 'bob', 'new bob password'), 401, 'a removed user is refused on the next request')
    })
  })
}
