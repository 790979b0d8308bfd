/**
 * Run with --expose-gc. Verifies N distinct prodmanager tokens through the real
 * route (auth → verification cache → jose), in process, and samples RSS. The
 * tokens are minted here with the dialect's signing key (HS256), each with its
 * own jti, so every one is a cache miss and a full verification.
 */
import { createHmac } from 'node:crypto'
import { createRuntime, silentLogger, type PolyRequest } from '@polytoken/core'
import { prodmanager } from '@polytoken/plugins'
import { FIX } from './fixtures.js'

const total = Number(process.argv[2] ?? 1_000_000)
const max = Number(process.env.BENCH_CACHE_MAX ?? 10_000)
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined)
const runtime = await createRuntime({
  dialects: [prodmanager({ secret: FIX.pm.secret, permissions: { scope_api: 1 }, keys: [{ secret: FIX.pm.signingSecret }] })],
  store: 'memory://',
  masterKey: 'bench-master-key-0123456789abcdef',
  logger: silentLogger,
  cache: { max },
})
const route = (method: string, path: string) => runtime.routes.find((r) => r.method === method && r.fullPath === path)!
const create = route('POST', '/token/create')
const whoami = route('GET', '/token/whoami')
const request = (over: Partial<PolyRequest>): PolyRequest => ({
  method: 'GET',
  path: '/',
  params: {},
  query: {},
  headers: {},
  body: undefined,
  bodyType: undefined,
  ip: '127.0.0.1',
  receivedAt: Date.now(),
  ...over,
})

const created = await create.execute(
  request({
    method: 'POST',
    path: '/token/create',
    headers: { accept: 'text/plain' },
    body: { secret: FIX.pm.secret, name: 'memory-benchmark', description: 'Token for the memory benchmark', permission: ['scope_api'] },
    bodyType: 'multipart',
  }),
)
if (created.status !== 200) throw new Error(`create answered ${created.status}: ${JSON.stringify(created.body)}`)
const template = String(created.body)
const [header, payload] = template.split('.') as [string, string]
const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>
const mint = (i: number) => {
  const body = Buffer.from(JSON.stringify({ ...claims, jti: `memory-${i}` })).toString('base64url')
  return `${header}.${body}.${createHmac('sha256', FIX.pm.signingSecret).update(`${header}.${body}`).digest('base64url')}`
}
const check = async (token: string) => {
  const response = await whoami.execute(request({ path: '/token/whoami', headers: { authorization: `Bearer ${token}` } }))
  if (response.status !== 200) throw new Error(`whoami answered ${response.status}: ${JSON.stringify(response.body)}`)
}
await check(mint(-1))

const samples: Array<{ verified: number; rssMiB: number; heapMiB: number; cacheSize: number }> = []
const sample = (verified: number) => {
  gc()
  const m = process.memoryUsage()
  samples.push({ verified, rssMiB: m.rss / 2 ** 20, heapMiB: m.heapUsed / 2 ** 20, cacheSize: runtime.cache.size })
}
sample(0)
const marks = new Set([max, 100_000, 250_000, 500_000, 750_000, total])
const started = Date.now()
const batch = 256
for (let done = 0; done < total;) {
  const n = Math.min(batch, total - done)
  await Promise.all(Array.from({ length: n }, (_, k) => check(mint(done + k))))
  done += n
  for (const mark of marks) if (done >= mark && !samples.some((s) => s.verified === mark)) sample(mark)
}
const seconds = (Date.now() - started) / 1000
await runtime.close()
console.log(`MEMORY_RESULT ${JSON.stringify({ total, max, seconds, samples })}`)
