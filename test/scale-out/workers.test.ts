import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { request } from 'node:http'
import { join } from 'node:path'
import { createStore } from '@polytoken/core'
import { REDIS_URL, runPrefix, unreachable } from '../storage/services.js'
import { PRODMANAGER_SECRET, ROOT, prodmanagerConfig, startServer, tempDir, waitForOutput, type ServerProcess } from './harness.js'

/** One request on a connection of its own, so the cluster's round robin spreads them over the workers. */
function fresh(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode!, body }))
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

const workerPids = (server: ServerProcess) =>
  spawnSync('ps', ['--ppid', String(server.process.pid), '-o', 'pid='])
    .stdout.toString()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number)

/** Tokens created and verified over fresh connections: any worker's token verifies on any worker. */
async function createAndVerify(server: ServerProcess, count: number) {
  const form = (name: string) => new URLSearchParams({ secret: PRODMANAGER_SECRET, name, description: 'created by the workers test', permission: 'read_api' }).toString()
  const tokens: string[] = []
  for (let i = 0; i < count; i++) {
    const created = await fresh(`${server.url}/api/token/create`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form(`worker-test-${i}`) })
    assert.equal(created.status, 200, created.body)
    tokens.push(created.body)
  }
  for (const token of tokens) {
    for (let i = 0; i < 2; i++) {
      const answer = await fresh(`${server.url}/api/token/whoami`, { headers: { authorization: `Bearer ${token}` } })
      assert.equal(answer.status, 200, answer.body)
    }
  }
}

describe('examples server --workers', () => {
  const servers: ServerProcess[] = []
  after(async () => {
    for (const server of servers) await server.stop()
  })

  /** The examples server with `workers` workers on Redis under a prefix of this run's; undefined (and the test skipped, saying why) without Redis. */
  async function onRedis(t: { skip(message: string): void }, workers: number, args = ['--workers', String(workers)]): Promise<{ server: ServerProcess; prefix: string } | undefined> {
    const reason = await unreachable('Redis', REDIS_URL, 6379)
    if (reason) return void t.skip(reason)
    const prefix = runPrefix('workers')
    const url = new URL(REDIS_URL)
    url.searchParams.set('prefix', prefix)
    const server = await startServer({ store: url.toString(), config: prodmanagerConfig(), args })
    servers.push(server)
    await waitForOutput(server, `all ${workers} workers listening`)
    return { server, prefix }
  }

  it('--workers 3 on Redis: three workers share the store; tokens verify whichever worker answers; SIGTERM ends them all', async (t) => {
    const started = await onRedis(t, 3)
    if (!started) return
    const { server, prefix } = started
    const pids = workerPids(server)
    assert.equal(pids.length, 3, server.output())
    assert.match(server.output(), /3 workers on port/)
    await createAndVerify(server, 12)
    await server.stop()
    assert.equal(server.process.exitCode, 0, server.output())
    for (const pid of pids) assert.throws(() => process.kill(pid, 0), /ESRCH/, `worker ${pid} outlived the primary`)
    const backend = await createStore({ url: REDIS_URL, prefix })
    const ns = backend.namespace('prodmanager')
    for await (const [key] of ns.entries()) await ns.delete(key)
    await backend.close()
  })

  it('a worker that dies is replaced', async (t) => {
    const started = await onRedis(t, 2, ['--workers=2'])
    if (!started) return
    const { server } = started
    const [victim] = workerPids(server)
    process.kill(victim!, 'SIGKILL')
    const deadline = Date.now() + 15_000
    while (Date.now() < deadline) {
      const pids = workerPids(server)
      if (pids.length === 2 && !pids.includes(victim!) && /exited \(code null, signal SIGKILL\); starting a new one/.test(server.output())) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const pids = workerPids(server)
    assert.equal(pids.length, 2, server.output())
    assert.ok(!pids.includes(victim!))
    await createAndVerify(server, 4)
  })

  it('--workers 2 on SQLite warns that writes do not scale, and still works', async () => {
    const dir = tempDir('workers-sqlite')
    try {
      const server = await startServer({ store: `sqlite://${join(dir.path, 'shared.db')}`, config: prodmanagerConfig(), args: ['--workers', '2'] })
      servers.push(server)
      assert.match(server.output(), /WARNING: 2 workers on one SQLite file/)
      assert.equal(workerPids(server).length, 2)
      await createAndVerify(server, 6)
      await server.stop()
    } finally {
      dir.remove()
    }
  })

  it('--workers with memory:// is refused: workers would not share anything', () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'examples/server/main.ts'), '--workers', '2'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, POLYTOKEN_STORE: 'memory://', PORT: '0' },
    })
    assert.equal(child.status, 2)
    assert.match(child.stderr, /--workers needs a store the workers share/)
  })

  it('--workers with a bad count is refused', () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'examples/server/main.ts'), '--workers', 'lots'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, POLYTOKEN_STORE: 'memory://' },
    })
    assert.equal(child.status, 2)
    assert.match(child.stderr, /--workers: expected a whole number/)
  })
})
