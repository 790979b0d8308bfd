import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createStore } from '@polytoken/core'
import { REDIS_URL, runPrefix, unreachable, withParam } from '../storage/services.js'
import { ROOT, startServer, type ServerProcess } from './harness.js'

/**
 * The examples server's own config.json (every dialect), two processes started
 * at the same moment on one Redis: every generated key is generated once and
 * shared, so both publish the same JWKS.
 */
describe('two examples-server processes with every dialect of config.json on one Redis', () => {
  const prefix = runPrefix('all')
  const store = withParam(REDIS_URL, 'prefix', prefix)
  let skip: string | undefined
  let servers: ServerProcess[] = []

  before(async () => {
    skip = await unreachable('Redis', REDIS_URL, 6379)
    if (skip) return
    const { port: _port, store: _store, masterKey: _masterKey, dataDir: _dataDir, ...config } = JSON.parse(readFileSync(join(ROOT, 'examples/server/config.json'), 'utf8'))
    const started = await Promise.allSettled([startServer({ store, config }), startServer({ store, config })])
    servers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
    // One that failed must not leave the other running: it would keep this test process alive.
    const failed = started.find((result) => result.status === 'rejected')
    if (failed) throw failed.reason
  })

  after(async () => {
    await Promise.all(servers.map((server) => server.stop()))
    if (skip) return
    const backend = await createStore({ url: REDIS_URL, prefix })
    const config = JSON.parse(readFileSync(join(ROOT, 'examples/server/config.json'), 'utf8')) as Record<string, unknown>
    for (const name of Object.keys(config)) {
      if (['port', 'store', 'masterKey', 'dataDir'].includes(name)) continue
      const ns = backend.namespace(name)
      for await (const [key] of ns.entries()) await ns.delete(key)
    }
    await backend.close()
  })

  it('both publish the same JWKS: keys generated at the same start are agreed on through the store', async (t) => {
    if (skip) return t.skip(skip)
    const [a, b] = await Promise.all(servers.map(async (server) => (await fetch(`${server.url}/.well-known/jwks.json`)).json() as Promise<{ keys: Array<{ kid: string }> }>))
    assert.ok(a!.keys.length > 0, 'no public keys published')
    t.diagnostic(`${a!.keys.length} public keys: ${a!.keys.map((key) => key.kid).join(', ')}`)
    const kids = (jwks: { keys: Array<{ kid: string }> }) => jwks.keys.map((key) => key.kid).sort()
    assert.deepEqual(kids(a!), kids(b!))
    assert.deepEqual(a, b)
  })
})
