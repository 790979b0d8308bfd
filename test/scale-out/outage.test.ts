import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createStore } from '@polytoken/core'
import { POSTGRES_URL, runPrefix, unreachable } from '../storage/services.js'
import { createToken, freePort, prodmanagerConfig, sleep, startRedis, startServer, tcpProxy, tempDir, whoami, type Child, type ServerProcess } from './harness.js'

const BASIC = `Basic ${Buffer.from('ops:scale-out-application-secret').toString('base64')}`
const jtiOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti as string

interface Outcome {
  kind: 'create' | 'whoami-cached'
  status: number
  ms: number
  body: string
  at: number
}

/** prodmanager's envelope for a store outage. */
function assertStoreEnvelope(status: number, body: string, what: string) {
  assert.equal(status, 503, `${what}: ${status} ${body}`)
  const parsed = JSON.parse(body) as { message?: unknown; code?: unknown }
  assert.equal(typeof parsed.message, 'string', `${what}: ${body}`)
  assert.equal(parsed.code, 'ERR_STORE_UNAVAILABLE', `${what}: ${body}`)
}

interface Scenario {
  /** Why it cannot run here, if it cannot. */
  unavailable(): Promise<string | undefined>
  /** Starts the store; returns the URL the server uses. */
  start(): Promise<string>
  down(): Promise<void>
  up(): Promise<void>
  cleanup(): Promise<void>
}

function outage(title: string, scenario: Scenario) {
  describe(`store outage: ${title}`, () => {
    let skip: string | undefined
    let server: ServerProcess | undefined

    before(async () => {
      skip = await scenario.unavailable()
      if (skip) return
      const store = await scenario.start()
      // A long verification window, so the token verified before the outage is still cached through it.
      server = await startServer({ store, config: prodmanagerConfig({ cache: { maxTtlMs: 60_000 } }) })
    })

    after(async () => {
      await server?.stop()
      if (!skip) await scenario.cleanup()
    })

    it('needs-the-store requests get a 503 envelope within 1 s, cached verification keeps working, service returns without a restart, nothing acknowledged is lost', async (t) => {
      if (skip) return t.skip(skip)
      const pid = server!.process.pid

      const cached = await (await createToken(server!, 'cached-before')).text()
      assert.equal((await whoami(server!, cached)).status, 200)
      const unverified = await (await createToken(server!, 'unverified-before')).text()

      // Requests flow the whole time: creates need the store, whoami of the cached token does not.
      const outcomes: Outcome[] = []
      const acknowledged: string[] = [jtiOf(cached), jtiOf(unverified)]
      let flowing = true
      const flow = async (kind: Outcome['kind']) => {
        while (flowing) {
          const started = Date.now()
          const response = kind === 'create' ? await createToken(server!, 'during-outage') : await whoami(server!, cached)
          const body = await response.text()
          outcomes.push({ kind, status: response.status, ms: Date.now() - started, body, at: started })
          if (kind === 'create' && response.status === 200) acknowledged.push(jtiOf(body))
          await sleep(20)
        }
      }
      const flows = [flow('create'), flow('create'), flow('whoami-cached')]
      await sleep(300)

      const downAt = Date.now()
      await scenario.down()
      await sleep(200)

      const timed = async (work: () => Promise<Response>) => {
        const started = Date.now()
        const response = await work()
        return { response, body: await response.text(), ms: Date.now() - started }
      }
      const create = await timed(() => createToken(server!, 'while-down'))
      assertStoreEnvelope(create.response.status, create.body, 'create while the store is down')
      assert.ok(create.ms < 1000, `create answered after ${create.ms} ms`)

      const fresh = await timed(() => whoami(server!, unverified))
      assertStoreEnvelope(fresh.response.status, fresh.body, 'whoami of a token never verified here (needs the revocation list)')
      assert.ok(fresh.ms < 1000, `whoami answered after ${fresh.ms} ms`)

      const list = await timed(() => fetch(`${server!.url}/api/token/list`, { headers: { authorization: BASIC } }))
      assertStoreEnvelope(list.response.status, list.body, 'list while the store is down')
      assert.ok(list.ms < 1000, `list answered after ${list.ms} ms`)

      const health = await fetch(`${server!.url}/healthz`)
      assert.equal(health.status, 503)
      assert.equal(((await health.json()) as { status: string }).status, 'unavailable')

      assert.equal((await whoami(server!, cached)).status, 200, 'a cached verification needs no store')

      await sleep(1500)
      const upAt = Date.now()
      await scenario.up()

      // Back without a restart: the same process answers 200 again.
      let recoveredAt: number | undefined
      while (Date.now() - upAt < 10_000) {
        if ((await createToken(server!, 'after-outage')).status === 200) {
          recoveredAt = Date.now()
          break
        }
        await sleep(100)
      }
      flowing = false
      await Promise.all(flows)
      assert.ok(recoveredAt !== undefined, 'service did not come back within 10 s of the store returning')
      t.diagnostic(`store down ${upAt - downAt} ms; service back ${recoveredAt - upAt} ms after the store returned`)
      assert.equal(server!.process.pid, pid)
      assert.equal(server!.process.exitCode, null)
      assert.equal((await fetch(`${server!.url}/healthz`)).status, 200)

      // Every request of the flow got an answer in time: 200, or the 503 envelope.
      const during = outcomes.filter((o) => o.at > downAt + 100 && o.at < upAt)
      assert.ok(
        during.some((o) => o.kind === 'create' && o.status === 503),
        'no create ran during the outage',
      )
      for (const o of outcomes) {
        assert.ok(o.ms < 1000, `${o.kind} took ${o.ms} ms (status ${o.status})`)
        if (o.status !== 200) assertStoreEnvelope(o.status, o.body, `${o.kind} during the flow`)
      }
      for (const o of outcomes.filter((o) => o.kind === 'whoami-cached')) assert.equal(o.status, 200, `cached whoami: ${o.status} ${o.body}`)
      t.diagnostic(`${outcomes.length} requests in the flow, ${during.length} during the outage, slowest ${Math.max(...outcomes.map((o) => o.ms))} ms`)

      // Nothing acknowledged is lost: every token answered 200 is still known.
      const listed = await fetch(`${server!.url}/api/token/list`, { headers: { authorization: BASIC } })
      assert.equal(listed.status, 200)
      const known = new Set(((await listed.json()) as { tokens: Array<{ jti: string }> }).tokens.map((record) => record.jti))
      const lost = acknowledged.filter((jti) => !known.has(jti))
      assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.length} acknowledged tokens lost`)
      assert.equal((await whoami(server!, unverified)).status, 200)
    })
  })
}

const noRedisServer = async () => (spawnSync('redis-server', ['--version']).status === 0 ? undefined : 'redis-server is not installed: this test starts and stops a Redis of its own')

/** A redis-server of our own on an append-only file fsynced on every write. */
function ownRedis() {
  const dir = tempDir('outage-redis')
  let port = 0
  let redis: Child | undefined
  return {
    unavailable: noRedisServer,
    async start() {
      port = await freePort()
      redis = await startRedis(port, dir.path)
      return `redis://127.0.0.1:${port}`
    },
    child: () => redis!,
    restart: async () => void (redis = await startRedis(port, dir.path)),
    async cleanup() {
      if (redis?.process.pid) process.kill(redis.process.pid, 'SIGCONT')
      await redis?.stop()
      dir.remove()
    },
  }
}

/** Redis crashes (SIGKILL: no goodbye) and restarts on its file. */
function redisCrash(): Scenario {
  const redis = ownRedis()
  return { ...redis, down: async () => redis.child().stop('SIGKILL'), up: redis.restart }
}

/** Redis stops answering (SIGSTOP) with every connection open, then resumes: only the store timeout ends a request. */
function redisStall(): Scenario {
  const redis = ownRedis()
  return {
    ...redis,
    start: async () => `${await redis.start()}?timeoutMs=500`,
    down: async () => void process.kill(redis.child().process.pid!, 'SIGSTOP'),
    up: async () => void process.kill(redis.child().process.pid!, 'SIGCONT'),
  }
}

/** The machine's PostgreSQL behind a proxy of ours: cutting the proxy is the outage. */
function postgresCut(): Scenario {
  let proxy: Awaited<ReturnType<typeof tcpProxy>> | undefined
  const prefix = runPrefix('outage')
  let storeUrl = ''
  return {
    unavailable: () => unreachable('Postgres', POSTGRES_URL, 5432),
    async start() {
      const target = new URL(POSTGRES_URL)
      proxy = await tcpProxy(Number(target.port || 5432))
      target.hostname = '127.0.0.1'
      target.port = String(proxy.port)
      target.searchParams.set('prefix', prefix)
      storeUrl = target.toString()
      return storeUrl
    },
    down: async () => proxy!.cut(),
    up: async () => proxy!.restore(),
    async cleanup() {
      const backend = await createStore(storeUrl)
      const ns = backend.namespace('prodmanager')
      for await (const [key] of ns.entries()) await ns.delete(key)
      await backend.close()
      await proxy?.close()
    },
  }
}

outage('Redis crashes (kill -9) and restarts', redisCrash())
outage('Redis stops answering (SIGSTOP) and resumes; store timeout 500 ms', redisStall())
outage('PostgreSQL connection cut and restored', postgresCut())
