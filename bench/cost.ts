/**
 * What metrics and tracing cost per request, measured both ways in one run, in the server process alone
 * (bench/cost-server.ts: the same prodmanager with nothing observed and with metrics + tracing, on two ports).
 * Throughput on a shared 2-core machine swings by ±25 % between runs of the same code, so this counts the server's
 * own work instead:
 *   COST_METHOD=cpu (default): CPU time of every server thread (GC and compiler included) from /proc, Linux only.
 *   COST_METHOD=callgrind: instructions under valgrind; no tick rounding, but 50-100× slower, and one window's count
 *     still moves by tens of percent with V8's background work: use many requests.
 *
 *   npm run build && npx tsx bench/cost.ts     (about 8 minutes on a quiet machine; writes bench/cost-last-run.json)
 *   COST_REQUESTS=2000 COST_WARMUP=2000 COST_ROUNDS=30 COST_SAMPLING=0,0.1,1 npx tsx bench/cost.ts
 * It runs the packages' dist/ (build first). COST_SAMPLING: the OpenTelemetry SDK's sampling ratio per server, 0 = no SDK.
 *
 * Each round, per scenario, per variant: a full collection, then N sequential requests on one keep-alive connection;
 * the server's cost over N is one request's (warm-up requests before the first round: V8 tiers the hot path up, and
 * both variants run the same functions). Variants alternate within a round; on this machine one window's cost moves by
 * ±15 % from the next (the load generator shares the cores), so the result is the median of the per-round ratios of
 * the two sides, with their quartiles: many short paired rounds rather than a few long ones.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { root } from './spawn.js'
import { FIX } from './fixtures.js'

/** `cpu`: the server's CPU time (every thread: /proc/<pid>/stat, Linux). `callgrind`: its instructions, under valgrind. */
const METHOD = process.env.COST_METHOD === 'callgrind' ? 'callgrind' : 'cpu'
const callgrind = METHOD === 'callgrind'
const N = Number(process.env.COST_REQUESTS ?? (callgrind ? 300 : 2000))
const WARMUP = Number(process.env.COST_WARMUP ?? 2000)
const ROUNDS = Number(process.env.COST_ROUNDS ?? (callgrind ? 2 : 30))
const UNIT = callgrind ? 'instructions' : 'CPU µs'
/** The OpenTelemetry SDK's sampling in each server: none registered, one request in ten, every request. */
const SAMPLING = (process.env.COST_SAMPLING ?? '0,1').split(',').map(Number)

const boundary = 'costboundary'
const createBody = [
  ['secret', FIX.pm.secret],
  ['name', 'api-documentation'],
  ['description', 'Token for documentation example'],
  ['permission', 'scope_api'],
  ['permission', 'service_api'],
]
  .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
  .join('')
  .concat(`--${boundary}--\r\n`)
const createHeaders = { 'content-type': `multipart/form-data; boundary=${boundary}`, accept: 'text/plain' }

interface CostServer {
  base: Record<Variant, string>
  pid: number
  outDir: string
  stop(): Promise<void>
}

async function startServer(sampling: number): Promise<CostServer> {
  const outDir = mkdtempSync(join(tmpdir(), 'polytoken-cost-'))
  const node = [process.execPath, '--expose-gc', '--import', 'tsx', 'bench/cost-server.ts']
  // Under callgrind, counting starts off (start-up and warm-up run faster) and is switched on around each measurement.
  const valgrind = ['--tool=callgrind', '--instr-atstart=no', '--smc-check=all-non-file', '--cache-sim=no', '--branch-sim=no', `--callgrind-out-file=${outDir}/cg.out.%p`]
  const [command, ...args] = callgrind ? ['valgrind', ...valgrind, ...node] : node
  const child = spawn(command!, args, { cwd: root, env: { ...process.env, COST_OTEL: String(sampling) }, stdio: ['ignore', 'pipe', 'pipe'] })
  let errors = ''
  child.stderr.on('data', (chunk) => (errors = (errors + chunk).slice(-5000)))
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
  const ports = await new Promise<[string, string]>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (chunk) => {
      out += chunk
      const match = /COST_READY (\d+) (\d+)/.exec(out)
      if (match) resolve([match[1]!, match[2]!])
    })
    child.on('exit', (code) => reject(new Error(`cost server exited with ${code}\n${errors}`)))
  })
  return {
    base: { off: `http://127.0.0.1:${ports[0]}`, on: `http://127.0.0.1:${ports[1]}` },
    pid: child.pid!,
    outDir,
    async stop() {
      child.kill('SIGTERM')
      await exited
    },
  }
}

async function send(url: string, init: RequestInit): Promise<string> {
  const response = await fetch(url, init)
  const text = await response.text()
  if (!response.ok) throw new Error(`${url}: ${response.status} ${text.slice(0, 200)}`)
  return text
}

/** One request's cost in the server: instructions (callgrind) or CPU µs (every thread), over `count` requests. */
async function measure(server: CostServer, count: number, warmup: number, request: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < warmup; i++) await request()
  if ((await send(`${server.base.off}/cost/gc`, { method: 'POST' })) !== 'collected') throw new Error('the cost server has no gc (--expose-gc)')
  if (!callgrind) {
    const before = cpuMicroseconds(server.pid)
    for (let i = 0; i < count; i++) await request()
    return (cpuMicroseconds(server.pid) - before) / count
  }
  control(server, ['-i', 'on'])
  control(server, ['-z'])
  for (let i = 0; i < count; i++) await request()
  const before = new Set(readdirSync(server.outDir))
  control(server, ['-d'])
  control(server, ['-i', 'off'])
  const dump = readdirSync(server.outDir).find((name) => !before.has(name))
  if (!dump) throw new Error('callgrind wrote no dump')
  const totals = /^(?:totals|summary): (\d+)/m.exec(readFileSync(join(server.outDir, dump), 'utf8'))
  if (!totals) throw new Error(`no totals in ${dump}`)
  return Number(totals[1]) / count
}

/** User and system time of every thread of the process, from /proc (clock ticks of 10 ms). */
function cpuMicroseconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10_000
}

function control(server: CostServer, args: string[]): void {
  const result = spawnSync('callgrind_control', [...args, String(server.pid)], { encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`callgrind_control ${args.join(' ')}: ${result.stderr || result.stdout}`)
}

type Variant = 'off' | 'on'
const results: Record<string, number[]> = {}

for (const sampling of SAMPLING) {
  const server = await startServer(sampling)
  try {
    const tokens: Record<Variant, string> = {
      off: await send(`${server.base.off}/off/token/create`, { method: 'POST', headers: createHeaders, body: createBody }),
      on: await send(`${server.base.on}/on/token/create`, { method: 'POST', headers: createHeaders, body: createBody }),
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const scenario of ['create', 'whoami'] as const) {
        for (const variant of (round % 2 === 0 ? ['off', 'on'] : ['on', 'off']) as Variant[]) {
          const request =
            scenario === 'create'
              ? () => send(`${server.base[variant]}/${variant}/token/create`, { method: 'POST', headers: createHeaders, body: createBody })
              : () => send(`${server.base[variant]}/${variant}/token/whoami`, { headers: { authorization: `Bearer ${tokens[variant]}` } })
          const key = `sampling=${sampling}:${scenario}:${variant}`
          const perRequest = await measure(server, N, round === 0 ? WARMUP : 0, request)
          ;(results[key] ??= []).push(perRequest)
          console.log(`${key} round ${round + 1}: ${Math.round(perRequest)} ${UNIT} per request`)
        }
      }
    }
  } finally {
    await server.stop()
  }
}

// Per round, the two sides measured back to back: their ratio is what drift cancels out of. The median and quartiles of
// those; the least of each side's rounds is kept too (noise only adds), for reference.
const least = (values: number[]) => Math.min(...values)
const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (sorted.length - 1) * q
  return sorted[Math.floor(at)]! + (sorted[Math.ceil(at)]! - sorted[Math.floor(at)]!) * (at - Math.floor(at))
}
const summary = Object.fromEntries(Object.entries(results).map(([key, values]) => [key, { least: Math.round(least(values)), runs: values.map(Math.round) }]))
/** a ÷ b per round: with a = "off" and b = "on", the throughput of "on" relative to "off" (CPU-bound requests). */
const paired = (a: string, b: string) => (results[a] && results[b] ? results[a].map((value, i) => value / results[b]![i]!) : undefined)
const ratios: Record<string, { median: number; q1: number; q3: number } | undefined> = {}
const described = (values: number[] | undefined) =>
  values && { median: Number(quantile(values, 0.5).toFixed(3)), q1: Number(quantile(values, 0.25).toFixed(3)), q3: Number(quantile(values, 0.75).toFixed(3)) }
for (const sampling of SAMPLING) {
  for (const scenario of ['create', 'whoami']) {
    const label = sampling === 0 ? 'no SDK' : `SDK sampling ${sampling * 100} %`
    ratios[`${scenario}, ${label}: throughput with metrics + tracing / neither`] = described(paired(`sampling=${sampling}:${scenario}:off`, `sampling=${sampling}:${scenario}:on`))
  }
}
console.table(Object.fromEntries(Object.entries(ratios).map(([key, value]) => [key, value && `${value.median} (${value.q1}–${value.q3})`])))
const out = process.env.COST_OUT ?? join(root, 'bench', 'cost-last-run.json')
writeFileSync(
  out,
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, method: METHOD, unit: UNIT, requests: N, warmup: WARMUP, rounds: ROUNDS, sampling: SAMPLING, summary, ratios }, null, 2)}\n`,
)
console.log(`written: ${out}`)
