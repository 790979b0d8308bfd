/**
 * The examples server started while its Redis is not up: it listens at once, /livez says alive and /readyz 503;
 * dialect requests get 503 in their envelope; when Redis comes, /readyz turns 200 and the same process serves,
 * without a restart. A store that stays away past the bound ends start-up with a clear message and exit 1.
 * Each test runs a redis-server of its own on a free loopback port (never the shared one).
 */
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { ROOT, createToken, freePort, prodmanagerConfig, sleep, startRedis, waitForOutput, whoami } from '../scale-out/harness.js'
import { spawnExamplesServer, type ExamplesServer } from '../helpers/examples-server-process.js'

const noRedisServer = spawnSync('redis-server', ['--version']).status === 0 ? undefined : 'redis-server is not installed: this test starts and stops a Redis of its own'

async function spawnServer(store: string, env: Record<string, string> = {}): Promise<ExamplesServer> {
  const server = await spawnExamplesServer({ store, config: prodmanagerConfig(), env })
  cleanups.push(() => server.cleanup())
  return server
}

const cleanups: Array<() => unknown> = []
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
})

describe('examples server: a store not up at start-up', () => {
  it('listens, says alive and not ready, answers 503 in the envelope, and turns ready when Redis comes, without a restart', async (t) => {
    if (noRedisServer) return t.skip(noRedisServer)
    const redisPort = await freePort() // nothing listens there yet: Redis is "stopped"
    const server = await spawnServer(`redis://127.0.0.1:${redisPort}`)
    await waitForOutput(server, 'listening on port', 60_000)
    const pid = server.process.pid

    assert.deepEqual(await (await fetch(`${server.url}/livez`)).json(), { status: 'alive' })
    const readyz = await fetch(`${server.url}/readyz`)
    assert.equal(readyz.status, 503)
    assert.deepEqual(await readyz.json(), { status: 'not-ready', reason: 'starting', store: 'redis' })
    assert.equal((await fetch(`${server.url}/healthz`)).status, 503)
    const refused = await createToken(server)
    assert.equal(refused.status, 503)
    assert.deepEqual(Object.keys((await refused.json()) as object).sort(), ['code', 'message'], "prodmanager's envelope")
    await waitForOutput(server, 'store not ready at start-up; retrying', 30_000)
    assert.equal(server.process.exitCode, null)

    const redis = await startRedis(redisPort)
    cleanups.push(() => redis.stop())
    const deadline = Date.now() + 30_000
    while ((await fetch(`${server.url}/readyz`)).status !== 200) {
      assert.ok(Date.now() < deadline, `not ready 30 s after Redis came:\n${server.output()}`)
      await sleep(200)
    }
    assert.deepEqual(await (await fetch(`${server.url}/readyz`)).json(), { status: 'ready', store: 'redis' })
    const created = await createToken(server, 'after-redis-came')
    assert.equal(created.status, 200)
    assert.equal((await whoami(server, await created.text())).status, 200)
    assert.equal(server.process.pid, pid)
    assert.equal(server.process.exitCode, null)
    await waitForOutput(server, 'polytoken examples server on', 10_000)

    await server.stop()
    assert.equal(await server.exit, 0, server.output())
  })

  it('a store down longer than POLYTOKEN_STARTUP_RETRY_MS: start-up fails with a clear message and exit 1', async () => {
    const deadPort = await freePort()
    const server = await spawnServer(`redis://127.0.0.1:${deadPort}`, { POLYTOKEN_STARTUP_RETRY_MS: '1500' })
    const code = await server.exit
    assert.equal(code, 1, server.output())
    assert.match(server.output(), /start-up failed \(ERR_STORE_UNAVAILABLE\): start-up gave up: the store did not answer in \d+ attempts? over \d+ ms \(startup.retryForMs 1500/)
    assert.match(server.output(), /store not ready at start-up; retrying/)
  })

  it('a bad retry setting is refused at start with exit 2', () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'examples/server/main.ts')], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, POLYTOKEN_STORE: 'memory://', PORT: '0', POLYTOKEN_STARTUP_RETRY_MS: 'soon' },
    })
    assert.equal(child.status, 2, child.stderr)
    assert.match(child.stderr, /POLYTOKEN_STARTUP_RETRY_MS must be a whole number of at least 0, got "soon"/)
  })
})
