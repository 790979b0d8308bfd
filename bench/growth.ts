/**
 * Growth: latency of the zazz refresh grant, the revocation check (zazz
 * introspection: signature + both revocation marks read from the store, no
 * cache) and sagrada's uid lookup (the user record read on every token
 * request), with 1 000 and with 1 000 000 records in the store, on SQLite
 * (two files) and on Redis (127.0.0.1:6379, databases 1 and 0, a dedicated key
 * prefix, removed afterwards), the two sizes measured alternately. Latency is timed per request here (µs), 4 concurrent
 * keep-alive clients, after a warm-up: autocannon's whole-millisecond
 * histogram is too coarse for sub-millisecond medians.
 */
import http from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer, type BenchServer } from './spawn.js'
import { FIX, basicAuth } from './fixtures.js'

export interface GrowthReport {
  markdown: string
}

interface Latency {
  p50: number
  p99: number
  rps: number
  errors: number
}

type Filler = { fill(count: number, from: number): Promise<void>; cleanup(): Promise<void>; url: string; prefix?: string }

const ZAZZ_RT =
  '{"value":{"family":"growth-family-000000","userId":1,"client":"bench-client","scope":["full"],"expiresAt":4102444800000,"familyExpiresAt":4102444800000,"issuedAt":1795427950248},"expires":4102444800000}'
const ZAZZ_ISSUED = '{"value":{"family":"growth-family-000000","client":"bench-client","familyExpiresAt":4102444800000},"expires":4102444800000}'
const SAGRADA_USER = '{"value":{"uid":1000000000,"node":"https://sync-1.bench.example","generation":0,"keysChangedAt":0,"clientState":"","oldClientStates":[],"createdAt":1795427929507}}'

/** Records as the dialects write them: refresh tokens, their issued marks, revoked jtis, sagrada users. */
function sqliteFiller(file: string): Filler {
  return {
    url: `sqlite://${file}`,
    async fill(count, from) {
      const sqlite3 = (await import('sqlite3')).default
      const db = new sqlite3.Database(file)
      const exec = (sql: string) => new Promise<void>((resolve, reject) => db.exec(sql, (e) => (e ? reject(e) : resolve())))
      await exec('PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS keyv(key VARCHAR(255) PRIMARY KEY, value TEXT)')
      const quarter = Math.ceil(count / 4)
      const rows = (prefix: string, value: string) =>
        `WITH RECURSIVE c(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM c WHERE i < ${from + quarter - 1})
         INSERT OR IGNORE INTO keyv(key, value) SELECT '${prefix}' || lower(hex(randomblob(32))), '${value}' FROM c;`
      await exec(
        `BEGIN; ${rows('zazz:rt:', ZAZZ_RT)} ${rows('zazz:rt-issued:', ZAZZ_ISSUED)} ${rows('zazz:jti-revoked:', '{"value":true,"expires":4102444800000}')} ${rows('sagrada:user:sync-1.5:', SAGRADA_USER)} COMMIT;`,
      )
      await new Promise<void>((resolve) => db.close(() => resolve()))
    },
    async cleanup() {
      rmSync(file, { force: true })
      rmSync(`${file}-wal`, { force: true })
      rmSync(`${file}-shm`, { force: true })
    },
  }
}

function redisFiller(prefix: string, database: number): Filler {
  const url = `redis://127.0.0.1:6379/${database}`
  const withClient = async <T>(work: (client: any) => Promise<T>): Promise<T> => {
    const { createClient } = await import('@redis/client')
    const client = createClient({ url })
    await client.connect()
    try {
      return await work(client)
    } finally {
      await client.quit()
    }
  }
  // Generated inside Redis: 250 000 SETs per script call instead of a million round trips. Keys expire in 2 h anyway.
  const script = `for i = tonumber(ARGV[1]), tonumber(ARGV[2]) do
      local h = redis.sha1hex(ARGV[3] .. i)
      redis.call('SET', KEYS[1] .. 'zazz::rt:' .. h, ARGV[4], 'PX', 7200000)
      redis.call('SET', KEYS[1] .. 'zazz::rt-issued:' .. h, ARGV[5], 'PX', 7200000)
      redis.call('SET', KEYS[1] .. 'zazz::jti-revoked:' .. h, '{"value":true}', 'PX', 7200000)
      redis.call('SET', KEYS[1] .. 'sagrada::user:sync-1.5:' .. h, ARGV[6], 'PX', 7200000)
    end return 1`
  return {
    url,
    prefix,
    async fill(count, from) {
      await withClient(async (client) => {
        const quarter = Math.ceil(count / 4)
        for (let start = from; start < from + quarter; start += 62_500) {
          const end = Math.min(from + quarter - 1, start + 62_499)
          await client.eval(script, { keys: [prefix], arguments: [String(start), String(end), 'growth', ZAZZ_RT, ZAZZ_ISSUED, SAGRADA_USER] })
        }
      })
    },
    async cleanup() {
      await withClient(async (client) => {
        let cursor = '0'
        do {
          const reply = await client.scan(cursor, { MATCH: `${prefix}*`, COUNT: 10_000 })
          cursor = String(reply.cursor)
          if (reply.keys.length > 0) await client.unlink(reply.keys)
        } while (cursor !== '0')
      })
    },
  }
}

/** Concurrent keep-alive clients per path. */
const workers = 4

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 })

function call(port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: { ...headers, ...(body ? { 'content-length': Buffer.byteLength(body) } : {}) }, agent }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => (text += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** `workers` clients in a loop for `seconds`; each request's latency in µs. */
async function measure(seconds: number, workers: number, once: (worker: number) => Promise<boolean>): Promise<Latency> {
  const latencies: number[] = []
  let errors = 0
  const until = Date.now() + seconds * 1000
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      while (Date.now() < until) {
        const start = process.hrtime.bigint()
        const ok = await once(worker)
        latencies.push(Number(process.hrtime.bigint() - start) / 1000)
        if (!ok) errors++
      }
    }),
  )
  latencies.sort((a, b) => a - b)
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN
  return { p50: at(0.5), p99: at(0.99), rps: latencies.length / seconds, errors }
}

/** The three paths, ready to run against one server (each worker holds its own refresh token). */
async function prepareServer(server: BenchServer): Promise<Record<string, (worker: number) => Promise<boolean>>> {
  const port = server.port
  const form = { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(FIX.zz.clientId, FIX.zz.clientSecret) }
  const password = new URLSearchParams({ grant_type: 'password', username: FIX.zz.username, password: FIX.zz.password, scope: 'full' }).toString()
  const login = async () => JSON.parse((await call(port, 'POST', '/zz/api/v1/token', form, password)).text) as { refresh_token: string; access_token: string }
  const tokens = await Promise.all(Array.from({ length: workers }, login))
  const refresh = tokens.map((t) => t.refresh_token)
  const access = tokens[0]!.access_token
  const assertion = { authorization: `BrowserID ${server.fixtures.assertion}` }
  const scenarios: Record<string, (worker: number) => Promise<boolean>> = {
    'zazz refresh grant': async (worker) => {
      const response = await call(port, 'POST', '/zz/api/v1/token', form, new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refresh[worker]! }).toString())
      if (response.status !== 200) return false
      refresh[worker] = (JSON.parse(response.text) as { refresh_token: string }).refresh_token
      return true
    },
    'revocation check (zazz introspect)': async () => {
      const response = await call(port, 'POST', '/zz/api/v1/token/introspect', form, `token=${access}`)
      return response.status === 200 && response.text.includes('"active":true')
    },
    'sagrada uid lookup (cached assertion)': async () => (await call(port, 'GET', '/sg/1.0/sync/1.5', assertion)).status === 200,
  }
  for (const once of Object.values(scenarios)) await measure(1, workers, once) // warm-up
  return scenarios
}

/**
 * Both sizes measured alternately, path by path: in each of three rounds a path runs on the small store and right
 * after on the large one. Figures are medians over the rounds; the growth is the median of the per-round ratios, so
 * a busy moment of the shared machine moves one pair of neighbouring runs rather than one side of a ratio.
 */
async function measurePaired(small: Record<string, (worker: number) => Promise<boolean>>, large: Record<string, (worker: number) => Promise<boolean>>, seconds: number) {
  const rounds: Array<{ name: string; small: Latency; large: Latency }> = []
  for (let round = 0; round < 3; round++) {
    for (const name of Object.keys(small)) rounds.push({ name, small: await measure(seconds, workers, small[name]!), large: await measure(seconds, workers, large[name]!) })
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!
  const summary = (all: Latency[]): Latency => ({
    p50: median(all.map((l) => l.p50)),
    p99: median(all.map((l) => l.p99)),
    rps: median(all.map((l) => l.rps)),
    errors: all.reduce((n, l) => n + l.errors, 0),
  })
  return Object.keys(small).map((name) => {
    const mine = rounds.filter((r) => r.name === name)
    return {
      name,
      small: summary(mine.map((r) => r.small)),
      large: summary(mine.map((r) => r.large)),
      growthP50: median(mine.map((r) => r.large.p50 / r.small.p50)),
      growthP99: median(mine.map((r) => r.large.p99 / r.small.p99)),
    }
  })
}

export async function runGrowth(): Promise<GrowthReport> {
  const [smallSize, largeSize] = (process.env.BENCH_GROWTH_SIZES ?? '1000,1000000').split(',').map(Number) as [number, number]
  const seconds = Number(process.env.BENCH_GROWTH_SECONDS ?? 3)
  const dir = mkdtempSync(join(tmpdir(), 'polybench-growth-'))
  // Two stores of each kind, one per size, both live at once so the two sizes can be measured alternately:
  // two SQLite files; two Redis databases (a key count is per database), each under a dedicated prefix.
  const prefix = `polybench-growth-${process.pid}-`
  const stores: Array<[string, Filler, Filler]> = [
    ['SQLite (file)', sqliteFiller(join(dir, 'small.db')), sqliteFiller(join(dir, 'large.db'))],
    ['Redis 127.0.0.1:6379', redisFiller(prefix, 1), redisFiller(prefix, 0)],
  ]
  const sections: string[] = []
  for (const [label, smallStore, largeStore] of stores) {
    const servers: BenchServer[] = []
    let rows: string[]
    try {
      for (const [filler, size] of [
        [smallStore, smallSize],
        [largeStore, largeSize],
      ] as const) {
        const t0 = Date.now()
        await filler.fill(size, 0)
        console.log(`growth: ${label}, ${size} records (filled in ${((Date.now() - t0) / 1000).toFixed(1)} s)`)
        servers.push(await startServer({ BENCH_STORE: filler.url, BENCH_PEERS: '0', ...(filler.prefix ? { BENCH_STORE_PREFIX: filler.prefix } : {}) }))
      }
      const results = await measurePaired(await prepareServer(servers[0]!), await prepareServer(servers[1]!), seconds)
      rows = results.map((r) => {
        const ok = r.growthP50 <= 1.3 && r.growthP99 <= 1.3
        console.log(
          `  ${r.name.padEnd(40)} p50 ${(r.small.p50 / 1000).toFixed(2)} → ${(r.large.p50 / 1000).toFixed(2)} ms  p99 ${(r.small.p99 / 1000).toFixed(2)} → ${(r.large.p99 / 1000).toFixed(2)} ms  growth ${r.growthP50.toFixed(2)} / ${r.growthP99.toFixed(2)}`,
        )
        return `| ${r.name} | ${(r.small.p50 / 1000).toFixed(2)} / ${(r.small.p99 / 1000).toFixed(2)} | ${(r.large.p50 / 1000).toFixed(2)} / ${(r.large.p99 / 1000).toFixed(2)} | ${r.growthP50.toFixed(2)} × / ${r.growthP99.toFixed(2)} × | ${ok ? 'met' : '**not met**'} | ${r.small.errors + r.large.errors} |`
      })
    } catch (error) {
      sections.push(`### ${label}\n\nNot measured: ${(error as Error).message.split('\n')[0]}\n`)
      continue
    } finally {
      for (const server of servers) await server.stop()
      await smallStore.cleanup().catch(() => undefined)
      await largeStore.cleanup().catch(() => undefined)
    }
    sections.push(`### ${label}

| path | ${smallSize.toLocaleString('en')} records: p50 / p99 ms | ${largeSize.toLocaleString('en')} records: p50 / p99 ms | growth p50 / p99 | ≤ 1.3 × | errors |
|---|---:|---:|---:|---|---:|
${rows.join('\n')}
`)
  }
  rmSync(dir, { recursive: true, force: true })
  agent.destroy()
  return {
    markdown: `Measured at ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}. Latency timed per request in the load generator (µs resolution), 4 concurrent keep-alive clients. Both sizes are
live at once — two SQLite files; two Redis databases (1 holds the small store, 0 the large one: a key count is per
database), one server process on each — and measured alternately: after a 1 s warm-up of each path, three rounds in
which each path runs ${seconds} s on the small store and right after ${seconds} s on the large one. Each latency is the median
over the rounds; each growth is the median of the three per-round ratios (large / small), so a busy moment of the
shared machine moves one pair of neighbouring runs rather than one side of a ratio. Cache defaults. The stores are
filled with records shaped like the ones the dialects write — zazz refresh tokens, their issued marks, revoked jtis,
sagrada user records — a quarter each, keyed by random 256-bit fingerprints (SQLite: one insert statement in a
transaction; Redis: a Lua loop, under a dedicated prefix \`polybench-growth-<pid>-\`, every key with a 2 h expiry and
deleted at the end).

${sections.join('\n')}`,
  }
}
