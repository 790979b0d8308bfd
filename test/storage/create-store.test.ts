import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { Keyv } from 'keyv'
import KeyvRedis from '@keyv/redis'
import { ConfigInvalid, StoreUnavailable, createStore, type Logger } from '@polytoken/core'
import { redactUrl } from '@polytoken/store-keyv'
import { POSTGRES_URL, REDIS_URL, runPrefix, unreachable } from './services.js'
import { freePort, tempDir } from '../scale-out/harness.js'
import sqlite3 from 'sqlite3'
import pg from 'pg'

const ROOT = new URL('../..', import.meta.url).pathname

function capture(): Logger & { text(): string } {
  const lines: string[] = []
  const log = (level: string) => (fields: Record<string, unknown>, message: string) => lines.push(`${level} ${message} ${JSON.stringify(fields)}`)
  return { info: log('info'), warn: log('warn'), error: log('error'), text: () => lines.join('\n') }
}

describe('createStore: choosing the backend by URL', () => {
  it('names the backend kind of each URL scheme', async () => {
    const port = await freePort()
    const cases: Array<[string, string]> = [
      ['memory://', 'memory'],
      ['sqlite://:memory:', 'sqlite'],
      [`redis://127.0.0.1:${port}`, 'redis'],
      [`rediss://127.0.0.1:${port}`, 'redis'],
      [`postgres://u@127.0.0.1:${port}/db`, 'postgres'],
      [`postgresql://u@127.0.0.1:${port}/db`, 'postgres'],
    ]
    for (const [url, kind] of cases) {
      const backend = await createStore(url)
      assert.equal(backend.kind, kind, url)
      await backend.close()
    }
  })

  it('refuses unknown schemes and malformed URLs without echoing credentials', async () => {
    for (const url of ['ftp://admin:hunter2@host/x', 'mysql://root:hunter2@db/x', 'redis://admin:hunter2@[bad', 'sqlite://']) {
      await assert.rejects(createStore(url), (error: unknown) => error instanceof ConfigInvalid && !error.message.includes('hunter2') && error.status === 500, url)
    }
    // Without a scheme nothing of the text is shown, not even the part before its first colon (a user name here).
    for (const url of ['admin:hunter2@redis.internal:6379', 'redis//admin:hunter2@host']) {
      await assert.rejects(createStore(url), (error: unknown) => error instanceof ConfigInvalid && !/admin|hunter2/.test(error.message), url)
    }
  })

  it('refuses a prefix or timeout that would break keys or never fire', async () => {
    await assert.rejects(createStore({ url: 'memory://', prefix: 'a:b' }), ConfigInvalid)
    await assert.rejects(createStore({ url: 'memory://', prefix: 'x*' }), ConfigInvalid)
    await assert.rejects(createStore({ url: 'memory://', timeoutMs: 0 }), ConfigInvalid)
    await assert.rejects(createStore('redis://127.0.0.1:1/?timeoutMs=never'), ConfigInvalid)
  })

  it('redactUrl hides user, password and secret query parameters', () => {
    assert.equal(redactUrl('redis://admin:hunter2@cache:6379/2'), 'redis://***:***@cache:6379/2')
    assert.equal(redactUrl('postgres://app:hunter2@db:5432/tokens?sslmode=require&password=hunter2'), 'postgres://***:***@db:5432/tokens?sslmode=require&password=***')
    assert.ok(!redactUrl('redis//admin:hunter2@host').includes('hunter2'))
    assert.ok(!redactUrl('redis://:hunter2@cache').includes('hunter2'))
  })

  it('an unreachable Redis answers StoreUnavailable within the timeout, and logs carry no password', async () => {
    const port = await freePort()
    const logger = capture()
    const backend = await createStore({ url: `redis://admin:hunter2@127.0.0.1:${port}`, timeoutMs: 300, logger })
    const store = backend.namespace('unreachable')
    for (const op of [() => store.get('k'), () => store.set('k', 1), () => store.take('k'), () => store.add('k', 1), () => store.increment('k', 1000), () => backend.ping()]) {
      const started = Date.now()
      await assert.rejects(op(), (error: unknown) => error instanceof StoreUnavailable && error.status === 503 && !String(error.message).includes('hunter2'))
      assert.ok(Date.now() - started < 600, `took ${Date.now() - started} ms`)
    }
    await backend.close()
    assert.match(logger.text(), /store unavailable/)
    assert.ok(!logger.text().includes('hunter2'), logger.text())
  })

  it('an unreachable PostgreSQL answers StoreUnavailable within the timeout, and logs carry no password', async () => {
    const port = await freePort()
    const logger = capture()
    const backend = await createStore({ url: `postgres://app:hunter2@127.0.0.1:${port}/db`, timeoutMs: 300, logger })
    const store = backend.namespace('unreachable')
    for (const op of [() => store.get('k'), () => store.take('k'), () => store.increment('k', 1000)]) {
      const started = Date.now()
      await assert.rejects(op(), StoreUnavailable)
      assert.ok(Date.now() - started < 600, `took ${Date.now() - started} ms`)
    }
    await backend.close()
    assert.ok(!logger.text().includes('hunter2'), logger.text())
  })

  it('a SQLite deployment never loads the Redis or PostgreSQL clients', async (t) => {
    const reason = (await unreachable('Redis', REDIS_URL, 6379)) ?? (await unreachable('Postgres', POSTGRES_URL, 5432))
    if (reason) return t.skip(reason)
    const script = `
      import { createRequire } from 'node:module'
      import { createStore } from '@polytoken/core'
      const cache = createRequire(process.cwd() + '/').cache
      const loaded = (name) => Object.keys(cache).some((path) => path.includes('/node_modules/' + name + '/'))
      const sqlite = await createStore('sqlite://:memory:')
      await sqlite.namespace('x').set('k', 1)
      await sqlite.close()
      const before = { pg: loaded('pg'), redis: loaded('@redis/client') }
      const pg = await createStore(${JSON.stringify(POSTGRES_URL)}); await pg.ping(); await pg.close()
      const redis = await createStore(${JSON.stringify(REDIS_URL)}); await redis.ping(); await redis.close()
      console.log(JSON.stringify({ before, after: { pg: loaded('pg'), redis: loaded('@redis/client') } }))`
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 })
    assert.equal(child.status, 0, child.stderr)
    assert.deepEqual(JSON.parse(child.stdout.trim().split('\n').pop()!), { before: { pg: false, redis: false }, after: { pg: true, redis: true } })
  })

  it('a Keyv of your own on KeyvRedis gets the atomic operations of Redis', async (t) => {
    const reason = await unreachable('Redis', REDIS_URL, 6379)
    if (reason) return t.skip(reason)
    const adapter = new KeyvRedis(REDIS_URL)
    const backend = await createStore({ keyv: new Keyv(adapter), prefix: runPrefix('byo') })
    assert.equal(backend.kind, 'redis')
    const a = backend.namespace('a')
    const b = backend.namespace('b')
    await a.set('k', 'in a')
    await b.set('k', 'in b')
    assert.equal(await a.get('k'), 'in a')
    await a.set('once', 'single-use')
    const taken = await Promise.all(Array.from({ length: 30 }, () => a.take('once')))
    assert.deepEqual(
      taken.filter((v) => v !== undefined),
      ['single-use'],
    )
    assert.equal(await a.take('k'), 'in a')
    assert.equal(await b.take('k'), 'in b')
    await backend.close()
    await adapter.disconnect()
  })

  it('SQLite: expired rows are swept from the file, live ones stay', async () => {
    const dir = tempDir('sweep')
    const file = `${dir.path}/sweep.db`
    const backend = await createStore({ url: `sqlite://${file}`, sweepIntervalMs: 100 })
    const store = backend.namespace('sweep')
    await store.set('gone', 1, 50)
    await store.set('kept', 2)
    await new Promise((resolve) => setTimeout(resolve, 400))
    const db = new sqlite3.Database(file)
    const rows = await new Promise<Array<{ key: string }>>((resolve, reject) => db.all('SELECT key FROM keyv', (error, result) => (error ? reject(error) : resolve(result as Array<{ key: string }>))))
    await new Promise((resolve) => db.close(resolve))
    await backend.close()
    dir.remove()
    assert.deepEqual(
      rows.map((row) => row.key),
      ['sweep:kept'],
    )
  })

  it('PostgreSQL: expired rows are swept from the table, live ones stay', async (t) => {
    const reason = await unreachable('Postgres', POSTGRES_URL, 5432)
    if (reason) return t.skip(reason)
    const prefix = runPrefix('sweep')
    const backend = await createStore({ url: POSTGRES_URL, prefix, sweepIntervalMs: 100 })
    const store = backend.namespace('sweep')
    await store.set('gone', 1, 50)
    await store.set('kept', 2)
    await new Promise((resolve) => setTimeout(resolve, 400))
    const pool = new pg.Pool({ connectionString: POSTGRES_URL })
    const { rows } = await pool.query('SELECT key FROM keyv WHERE key LIKE $1', [`${prefix}%`])
    await pool.end()
    await store.delete('kept')
    await backend.close()
    assert.deepEqual(
      rows.map((row) => row.key),
      [`${prefix}sweep:kept`],
    )
  })

  it('a Keyv of your own whose adapter fails: every operation and ping are StoreUnavailable, nothing crashes', async () => {
    const failing = {
      namespace: undefined as string | undefined,
      on() {},
      get: async () => Promise.reject(new Error('ECONNREFUSED 127.0.0.1:1')),
      set: async () => Promise.reject(new Error('ECONNREFUSED 127.0.0.1:1')),
      delete: async () => Promise.reject(new Error('ECONNREFUSED 127.0.0.1:1')),
      clear: async () => Promise.reject(new Error('ECONNREFUSED 127.0.0.1:1')),
    }
    const backend = await createStore({ keyv: new Keyv({ store: failing }), timeoutMs: 200 })
    assert.equal(backend.kind, 'keyv')
    const store = backend.namespace('failing')
    for (const op of [() => backend.ping(), () => store.get('k'), () => store.set('k', 1), () => store.delete('k'), () => store.add('k', 1), () => store.take('k'), () => store.increment('k', 1000)]) {
      await assert.rejects(op(), StoreUnavailable)
    }
    await backend.close()
  })
})
