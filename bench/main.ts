import { cpus, totalmem, loadavg } from 'node:os'
import { writeFileSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { run, type Result, type Scenario } from './load.js'
import { root, startServer, type BenchServer } from './spawn.js'
import { FIX, basicAuth } from './fixtures.js'
import { summariseProfiles } from './profile.js'
import { runGrowth, type GrowthReport } from './growth.js'
import { runMemory, type MemoryReport } from './memory.js'
import { renderMarkdown, TARGETS, type ReportInput, type Run } from './report.js'

export interface Options {
  seconds: number
  connections: number
  only: RegExp | undefined
  profile: string | undefined
  soak: boolean
  growth: boolean
  memory: boolean
  write: boolean
  highConcurrency: boolean
  rounds: number
}

function parse(argv: string[]): Options {
  const has = (flag: string) => argv.includes(flag)
  const value = (flag: string) => {
    const i = argv.indexOf(flag)
    return i >= 0 ? argv[i + 1] : undefined
  }
  const only = value('--only')
  const profile = value('--profile')
  const partial = only !== undefined || profile !== undefined
  return {
    seconds: Number(process.env.BENCH_SECONDS ?? 2),
    rounds: Number(process.env.BENCH_ROUNDS ?? (profile ? 1 : 3)),
    connections: Number(process.env.BENCH_CONNECTIONS ?? 32),
    only: only ? new RegExp(only) : profile ? new RegExp(`^${profile}$`) : undefined,
    profile,
    soak: has('--soak'),
    growth: !has('--skip-growth') && !partial,
    memory: !has('--skip-memory') && !partial,
    write: !has('--no-write') && !partial,
    highConcurrency: has('--c100') || (!has('--skip-c100') && !partial),
  }
}

const boundary = 'benchboundary'
const multipart = (fields: Array<[string, string]>) => fields.map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join('') + `--${boundary}--\r\n`
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString()
const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
const CREW_QUERY = `?service=${FIX.crew.service}&scope=repository:library/alpine:pull`
const CREW_USER_QUERY = `?service=${FIX.crew.service}&scope=repository:${FIX.crew.user}/app:pull,push&account=${FIX.crew.user}`
const PERMISSION = JSON.stringify({ abilities: { album_id: { Access: { see: true } } }, Id: 'album_id' })

async function post(url: string, headers: Record<string, string>, body: string): Promise<any> {
  const response = await fetch(url, { method: 'POST', headers, body })
  const text = await response.text()
  if (!response.ok) throw new Error(`${url}: ${response.status} ${text.slice(0, 200)}`)
  return text.startsWith('{') ? JSON.parse(text) : text
}

/** The diagnostic twin of a route: the same request to a bare route that sends that route's captured answer. */
function replayOf(scenario: Scenario): Scenario {
  const body = scenario.chain ? scenario.chain.body('replayed-request') : scenario.body
  return {
    key: `replay-${scenario.key}`,
    name: `diagnostic: bare route sending ${scenario.key}'s answer (same status, headers, bytes)`,
    method: scenario.method,
    path: '/bare/replay',
    headers: { ...scenario.headers, 'x-replay': scenario.key },
    ...(body === undefined ? {} : { body }),
  }
}

/** One real answer of `scenario` (a rotation takes a token from its pool), handed to the server's replay route. */
async function captureAnswer(mainBase: string, scenario: Scenario & { needs?: (size: number) => Promise<void> }): Promise<void> {
  const base = scenario.port ? `http://127.0.0.1:${scenario.port}` : mainBase
  await scenario.needs?.(1)
  const body = scenario.chain ? scenario.chain.body(scenario.chain.pool.shift()!) : scenario.body
  const response = await fetch(`${base}${scenario.path}`, { method: scenario.method, headers: scenario.headers ?? {}, ...(body === undefined ? {} : { body }) })
  const text = await response.text()
  if (scenario.chain && response.ok) scenario.chain.pool.push(scenario.chain.next(JSON.parse(text))!)
  const headers: Record<string, string> = {}
  for (const [name, value] of response.headers) if (!['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(name)) headers[name] = value
  await fetch(`${base}/bench/replay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ key: scenario.key, answer: { status: response.status, headers, body: text } }),
  })
}

/** Refresh tokens to start a rotation chain with: password grants, a few at a time. */
async function fillPool(pool: string[], size: number, login: () => Promise<string>): Promise<void> {
  while (pool.length < size) {
    const batch = await Promise.all(Array.from({ length: Math.min(8, size - pool.length) }, login))
    pool.push(...batch)
  }
}

/** The last full run's figures, kept so BENCHMARKS.md can be rebuilt after bench/analysis.md changes. */
const LAST_RUN = join(root, 'bench', 'last-run.json')

export async function main(argv: string[], installNote: string): Promise<void> {
  if (argv.includes('--report-only')) return reportOnly()
  if (argv.includes('--growth-only')) return reportOnly(await runGrowth())
  const options = parse(argv)
  const startedAt = new Date()
  const loadBefore = loadavg()
  const server = await startServer(options.profile ? { BENCH_PROFILE_DIR: join(root, 'bench', '.profiles') } : {})
  const base = `http://127.0.0.1:${server.port}`
  // The same server with the OpenTelemetry SDK registered (bench/otel-sdk.ts), for pm-*-observed only.
  const otelServer = await startServer({ BENCH_OTEL: '1', BENCH_PEERS: '0' })
  const otelBase = `http://127.0.0.1:${otelServer.port}`
  const results = new Map<string, Result>()
  const c100 = new Map<string, Result>()
  const runs: Run[] = []
  let soak: Awaited<ReturnType<typeof runSoak>> | undefined
  let growth: GrowthReport | undefined
  let memory: MemoryReport | undefined
  let serverMemory: { before: NodeJS.MemoryUsage; after?: NodeJS.MemoryUsage } | undefined
  let profileSummary: string | undefined
  try {
    const { fixtures } = server
    serverMemory = { before: (await (await fetch(`${base}/bench/memory`)).json()) as NodeJS.MemoryUsage }
    const createBody = multipart([
      ['secret', FIX.pm.secret],
      ['name', 'api-documentation'],
      ['description', 'Token for documentation example'],
      ['permission', 'scope_api'],
      ['permission', 'service_api'],
    ])
    const createHeaders = { 'content-type': `multipart/form-data; boundary=${boundary}`, accept: 'text/plain' }
    const pmToken = await post(`${base}/pm/token/create`, createHeaders, createBody)
    const pmmToken = await post(`${base}/pmm/token/create`, createHeaders, createBody)
    const observedToken = await post(`${otelBase}/pmm/token/create`, createHeaders, createBody)
    const sdkOnlyToken = await post(`${otelBase}/pm/token/create`, createHeaders, createBody)
    const zzBasic = basicAuth(FIX.zz.clientId, FIX.zz.clientSecret)
    const passwordBody = form({ grant_type: 'password', username: FIX.zz.username, password: FIX.zz.password, scope: 'full' })
    const zzLogin = await post(`${base}/zz/api/v1/token`, { ...FORM, authorization: zzBasic }, passwordBody)
    const peersOk = fixtures.peers.oauth2server === 'ok'
    const oidcOk = fixtures.peers.oidcProvider === 'ok'

    const zazzPool: string[] = []
    const peerPool: string[] = []
    const naivePool: string[] = []
    const refreshBody = (token: string) => form({ grant_type: 'refresh_token', refresh_token: token })
    const nextRefresh = (json: { refresh_token?: string }) => json.refresh_token

    const all: Array<Scenario & { needs?: (size: number) => Promise<void> }> = [
      { key: 'bare', name: 'bare JSON route (the limit)', method: 'GET', path: '/bare/json' },
      { key: 'bare-post', name: 'diagnostic: bare route reading the create body, fixed JSON', method: 'POST', path: '/bare/drain', headers: createHeaders, body: createBody },
      // prodmanager
      { key: 'naive-pm-create', name: 'naive: multer + jose HS256 (create)', method: 'POST', path: '/naive/pm-create', headers: createHeaders, body: createBody },
      { key: 'pm-create', name: 'prodmanager POST /token/create (multipart, HS256, record)', method: 'POST', path: '/pm/token/create', headers: createHeaders, body: createBody },
      { key: 'naive-verify', name: 'naive: jose HS256 verify per request (Bearer)', method: 'GET', path: '/naive/verify-hs256', headers: { authorization: `Bearer ${pmToken}` } },
      { key: 'pm-whoami', name: 'prodmanager GET /token/whoami (cached Bearer)', method: 'GET', path: '/pm/token/whoami', headers: { authorization: `Bearer ${pmToken}` } },
      // The same two with @polytoken/metrics on (bench/server.ts's /pmm router): the ratio to pm-create / pm-whoami is what metrics cost.
      { key: 'pm-create-metrics', name: 'prodmanager POST /token/create, metrics on', method: 'POST', path: '/pmm/token/create', headers: createHeaders, body: createBody },
      { key: 'pm-whoami-metrics', name: 'prodmanager GET /token/whoami (cached Bearer), metrics on', method: 'GET', path: '/pmm/token/whoami', headers: { authorization: `Bearer ${pmmToken}` } },
      // Metrics and tracing: the /pmm router of a second bench server with the OpenTelemetry SDK registered (spans made, batched, dropped).
      {
        key: 'pm-create-observed',
        name: 'prodmanager POST /token/create, metrics + OpenTelemetry SDK',
        method: 'POST',
        path: '/pmm/token/create',
        headers: createHeaders,
        body: createBody,
        port: otelServer.port,
      },
      {
        key: 'pm-whoami-observed',
        name: 'prodmanager GET /token/whoami (cached Bearer), metrics + OpenTelemetry SDK',
        method: 'GET',
        path: '/pmm/token/whoami',
        headers: { authorization: `Bearer ${observedToken}` },
        port: otelServer.port,
      },
      // The SDK registered but no polytoken span or metric (tracing: false): against pm-*-observed, what polytoken's own instrumentation costs.
      {
        key: 'pm-create-sdk-only',
        name: 'prodmanager POST /token/create, OpenTelemetry SDK registered, polytoken tracing off',
        method: 'POST',
        path: '/pm/token/create',
        headers: createHeaders,
        body: createBody,
        port: otelServer.port,
      },
      {
        key: 'pm-whoami-sdk-only',
        name: 'prodmanager GET /token/whoami (cached Bearer), OpenTelemetry SDK registered, polytoken tracing off',
        method: 'GET',
        path: '/pm/token/whoami',
        headers: { authorization: `Bearer ${sdkOnlyToken}` },
        port: otelServer.port,
      },
      // token-generator
      {
        key: 'naive-tg',
        name: 'naive: urlencoded + jose verify + jose HS256 sign',
        method: 'POST',
        path: '/naive/tg-exchange',
        headers: { ...FORM, authorization: `Token token="${fixtures.sessionToken}"` },
        body: form({ permission: PERMISSION }),
      },
      {
        key: 'tg-exchange',
        name: 'token-generator POST /api/v1/token (cached caller token)',
        method: 'POST',
        path: '/tg/api/v1/token',
        headers: { ...FORM, authorization: `Token token="${fixtures.sessionToken}"` },
        body: form({ permission: PERMISSION }),
      },
      // crew
      { key: 'naive-crew-get', name: 'naive: jose ES256 sign (GET, query)', method: 'GET', path: `/naive/crew-es256${CREW_QUERY}` },
      { key: 'crew-get', name: 'crew GET /v1/token anonymous (ES256)', method: 'GET', path: `/crew/v1/token${CREW_QUERY}` },
      {
        key: 'naive-crew-post',
        name: 'naive: express.json() + jose ES256 sign',
        method: 'POST',
        path: '/naive/crew-es256',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ service: FIX.crew.service, scope: 'repository:library/alpine:pull', account: '', grant: 'web' }),
      },
      {
        key: 'crew-post',
        name: 'crew POST /v1/token anonymous JSON (ES256)',
        method: 'POST',
        path: '/crew/v1/token',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ service: FIX.crew.service, scope: 'repository:library/alpine:pull', account: '', grant: 'web' }),
      },
      { key: 'naive-crew-rs', name: 'naive: jose RS256 sign (GET, query)', method: 'GET', path: `/naive/crew-rs256${CREW_QUERY}` },
      { key: 'crew-rs-get', name: 'crew GET /v1/token anonymous (RS256)', method: 'GET', path: `/crewrs/v1/token${CREW_QUERY}` },
      { key: 'diag-es256-sync', name: 'diagnostic: polytoken signer alone, ES256 sign()', method: 'GET', path: '/diag/es256-sync' },
      { key: 'diag-es256-async', name: 'diagnostic: polytoken signer alone, ES256 signAsync()', method: 'GET', path: '/diag/es256-async' },
      { key: 'diag-rs256-sync', name: 'diagnostic: polytoken signer alone, RS256 sign()', method: 'GET', path: '/diag/rs256-sync' },
      { key: 'diag-rs256-async', name: 'diagnostic: polytoken signer alone, RS256 signAsync()', method: 'GET', path: '/diag/rs256-async' },
      {
        key: 'crew-basic-get',
        name: 'crew GET /v1/token with Basic (cached), ES256',
        method: 'GET',
        path: `/crew/v1/token${CREW_USER_QUERY}`,
        headers: { authorization: basicAuth(FIX.crew.user, FIX.crew.password) },
      },
      // sagrada
      { key: 'naive-tokenlib', name: 'bare HMAC route: tokenlib token + derived key', method: 'GET', path: '/naive/tokenlib' },
      { key: 'sg-token', name: 'sagrada GET /1.0/sync/1.5 (cached assertion)', method: 'GET', path: '/sg/1.0/sync/1.5', headers: { authorization: `BrowserID ${fixtures.assertion}` } },
      // zazz
      {
        key: 'naive-zz-refresh',
        name: 'naive: urlencoded + Map rotation + jose HS256',
        method: 'POST',
        path: '/naive/zazz-token',
        headers: { ...FORM, authorization: zzBasic },
        chain: { pool: naivePool, body: refreshBody, next: nextRefresh },
        needs: (size) => fillPool(naivePool, size, async () => (await post(`${base}/naive/zazz-login`, {}, '')).refresh_token),
      },
      {
        key: 'zz-refresh',
        name: 'zazz refresh grant (rotation, store writes)',
        method: 'POST',
        path: '/zz/api/v1/token',
        headers: { ...FORM, authorization: zzBasic },
        chain: { pool: zazzPool, body: refreshBody, next: nextRefresh },
        needs: (size) => fillPool(zazzPool, size, async () => (await post(`${base}/zz/api/v1/token`, { ...FORM, authorization: zzBasic }, passwordBody)).refresh_token),
      },
      { key: 'zz-me', name: 'zazz GET /api/v1/me (cached Bearer)', method: 'GET', path: '/zz/api/v1/me', headers: { authorization: `Bearer ${zzLogin.access_token}` } },
      {
        key: 'zz-password',
        name: 'zazz password grant (scrypt N=2^14 r=8 p=5)',
        method: 'POST',
        path: '/zz/api/v1/token',
        headers: { ...FORM, authorization: zzBasic },
        body: passwordBody,
        connections: 8,
        seconds: 4,
      },
      // peers
      ...(peersOk
        ? [
            {
              key: 'peer-oauth2-refresh',
              name: 'peer: oauth2-server refresh grant (in-memory model)',
              method: 'POST' as const,
              path: '/peer/oauth2/token',
              headers: { ...FORM, authorization: zzBasic },
              chain: { pool: peerPool, body: refreshBody, next: nextRefresh },
              needs: (size: number) => fillPool(peerPool, size, async () => (await post(`${base}/peer/oauth2/token`, { ...FORM, authorization: zzBasic }, passwordBody)).refresh_token),
            },
            {
              key: 'peer-oauth2-password',
              name: 'peer: oauth2-server password grant (same scrypt cost)',
              method: 'POST' as const,
              path: '/peer/oauth2/token',
              headers: { ...FORM, authorization: zzBasic },
              body: passwordBody,
              connections: 8,
              seconds: 4,
            },
          ]
        : []),
      ...(oidcOk
        ? [
            {
              key: 'peer-oidc-cc',
              name: 'peer: oidc-provider client_credentials (ES256 JWT)',
              method: 'POST' as const,
              path: '/peer/oidc/token',
              headers: { ...FORM, authorization: basicAuth(FIX.oidc.clientId, FIX.oidc.clientSecret) },
              body: form({ grant_type: 'client_credentials', scope: 'repository:library/alpine:pull' }),
            },
          ]
        : []),
    ]
    // Each route measured against the bare route also gets its replay: its own answer, sent by a bare route.
    const againstBare = new Set(TARGETS.filter((t) => t.b === 'bare').map((t) => t.a))
    const withReplays = all.flatMap((s) => (againstBare.has(s.key) ? [s, { ...replayOf(s), needs: undefined }] : [s]))
    const selected = withReplays.filter((s) => !options.only || options.only.test(s.key) || s.key === 'bare')
    for (const scenario of selected)
      if (scenario.key.startsWith('replay-'))
        await captureAnswer(
          base,
          all.find((s) => `replay-${s.key}` === scenario.key)!,
        )

    // Warm every route (JIT, caches, key imports) before anything is measured.
    for (const scenario of selected) {
      await scenario.needs?.(options.connections * 2)
      await run(server.port, scenario, { connections: options.connections, seconds: 1 })
    }
    // Rounds, one after the other, each in the order of roundPlan (every baseline next to its route); each figure is
    // the median over the rounds and each ratio the median of per-round ratios (pairedRatios in report.ts).
    const plan = roundPlan(selected)
    const rounds = new Map<string, Result[]>()
    for (let round = 0; round < options.rounds; round++) {
      for (const scenario of plan) {
        await scenario.needs?.(options.connections * 2)
        const profiling = options.profile === scenario.key && round === 0
        if (profiling) await fetch(`${base}/bench/profile/start`, { method: 'POST' })
        const result = await run(server.port, scenario, options)
        if (profiling) await fetch(`${base}/bench/profile/stop`, { method: 'POST' })
        rounds.set(scenario.key, [...(rounds.get(scenario.key) ?? []), result])
        runs.push({ ...result, round, seq: runs.length })
        console.log(`r${round + 1} ${scenario.key.padEnd(22)} ${result.rps.toFixed(0).padStart(7)} req/s  p50 ${result.p50} ms  p99 ${result.p99} ms  errors ${result.errors} non2xx ${result.non2xx}`)
      }
    }
    for (const [key, all] of rounds) results.set(key, medianOf(all))
    if (options.highConcurrency) {
      for (const scenario of selected.filter((s) => !/^(naive|diag|bare-post|replay)/.test(s.key) && !s.key.includes('password'))) {
        // Every connection holds a refresh token in flight: the pool must outnumber them.
        await scenario.needs?.(200)
        const result = await run(server.port, { ...scenario, connections: 100 }, { connections: 100, seconds: 4 })
        c100.set(scenario.key, result)
        console.log(`c100 ${scenario.key.padEnd(22)} ${result.rps.toFixed(0).padStart(7)} req/s  p50 ${result.p50} ms  p99 ${result.p99} ms  errors ${result.errors} non2xx ${result.non2xx}`)
      }
    }
    serverMemory.after = (await (await fetch(`${base}/bench/memory`)).json()) as NodeJS.MemoryUsage
    if (options.soak) {
      const key = options.only ? ([...results.keys()].find((k) => k !== 'bare') ?? 'pm-whoami') : 'pm-whoami'
      soak = await runSoak(
        server,
        all.find((s) => s.key === key)!,
        results.get(key)!,
      )
      // Kept for the next full run's BENCHMARKS.md when the soak ran on its own.
      writeFileSync(join(root, 'bench', 'soak-latest.json'), JSON.stringify({ ...soak, at: new Date().toISOString(), loadAfter: loadavg() }, null, 2))
    }
  } finally {
    await otelServer.stop()
    await server.stop()
  }
  if (options.profile) {
    profileSummary = summariseProfiles(join(root, 'bench', '.profiles'))
    console.log(profileSummary)
  }
  if (options.memory) memory = await runMemory()
  if (options.growth) growth = await runGrowth()
  const loadAfter = loadavg()

  const input: ReportInput = {
    options,
    results,
    runs,
    c100,
    growth,
    memory,
    soak,
    serverMemory,
    startedAt,
    loadBefore,
    loadAfter,
    installNote,
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'cpu', memGiB: totalmem() / 2 ** 30, node: process.version },
    versions: versions(),
  }
  const md = renderMarkdown(input)
  if (options.write) {
    writeFileSync(join(root, 'BENCHMARKS.md'), md)
    writeFileSync(LAST_RUN, JSON.stringify({ ...input, options: { ...options, only: undefined }, results: [...results], c100: [...c100] }, null, 1))
    console.log('wrote BENCHMARKS.md and bench/last-run.json')
  } else if (!options.profile) {
    console.log(md.split('## Targets')[1]?.split('\n## ')[0] ?? '')
  }
}

/**
 * The order of one round: every scenario, each followed by the baselines of its targets that did not run just
 * before it (the bare route after each dialect route, a peer after the zazz grant it is compared with), so every
 * ratio is taken between two runs a few seconds apart (pairedRatios in report.ts). A baseline placed that way does
 * not run again at its own place in the list.
 */
function roundPlan<S extends Scenario>(selected: S[]): S[] {
  const byKey = new Map(selected.map((s) => [s.key, s]))
  const plan: S[] = []
  const placedAsBaseline = new Set<string>()
  for (const scenario of selected) {
    if (placedAsBaseline.has(scenario.key)) continue
    plan.push(scenario)
    const at = plan.length - 1
    for (const target of TARGETS) {
      const baseline = target.a === scenario.key ? byKey.get(target.b) : undefined
      if (!baseline || plan[at - 1]?.key === baseline.key || plan.slice(at + 1).includes(baseline)) continue
      plan.push(baseline)
      placedAsBaseline.add(baseline.key)
    }
  }
  return plan
}

/** The median of each figure over the rounds; errors are summed, requests summed, seconds summed. */
function medianOf(all: Result[]): Result {
  const median = (pick: (r: Result) => number) => all.map(pick).sort((a, b) => a - b)[Math.floor(all.length / 2)]!
  const first = all[0]!
  return {
    ...first,
    rps: median((r) => r.rps),
    p50: median((r) => r.p50),
    p90: median((r) => r.p90),
    p99: median((r) => r.p99),
    max: Math.max(...all.map((r) => r.max)),
    errors: all.reduce((n, r) => n + r.errors, 0),
    non2xx: all.reduce((n, r) => n + r.non2xx, 0),
    requests: all.reduce((n, r) => n + r.requests, 0),
    seconds: all.reduce((n, r) => n + r.seconds, 0),
  }
}

function versions(): Record<string, string> {
  const read = (path: string) => {
    try {
      return (JSON.parse(readFileSync(join(root, path), 'utf8')) as { version: string }).version
    } catch {
      return 'not installed'
    }
  }
  return {
    express: read('node_modules/express/package.json'),
    jose: read('node_modules/jose/package.json'),
    autocannon: read('node_modules/autocannon/package.json'),
    multer: read('bench/node_modules/multer/package.json'),
    '@node-oauth/oauth2-server': read('bench/node_modules/@node-oauth/oauth2-server/package.json'),
    '@node-oauth/express-oauth-server': read('bench/node_modules/@node-oauth/express-oauth-server/package.json'),
    'oidc-provider': read('bench/node_modules/oidc-provider/package.json'),
  }
}

/** 10 minutes at ~80 % of the measured capacity of a cached whoami; server memory sampled every 30 s. */
async function runSoak(server: BenchServer, scenario: Scenario, measured: Result) {
  const rate = Math.round(measured.rps * 0.8)
  const samples: Array<{ atSec: number; rssMiB: number; heapMiB: number }> = []
  const base = `http://127.0.0.1:${server.port}`
  const started = Date.now()
  const sample = async () => {
    const m = (await (await fetch(`${base}/bench/memory?gc=1`)).json()) as NodeJS.MemoryUsage
    samples.push({ atSec: Math.round((Date.now() - started) / 1000), rssMiB: m.rss / 2 ** 20, heapMiB: m.heapUsed / 2 ** 20 })
  }
  await sample()
  const timer = setInterval(() => void sample().catch(() => undefined), 30_000)
  const seconds = Number(process.env.BENCH_SOAK_SECONDS ?? 600)
  console.log(`soak: ${scenario.key} at ${rate} req/s for ${seconds} s`)
  const result = await run(server.port, scenario, { connections: 32, seconds, overallRate: rate })
  clearInterval(timer)
  await sample()
  return { scenario: scenario.key, rate, seconds, result, samples }
}

/**
 * `npm run bench -- --report-only`: BENCHMARKS.md again from bench/last-run.json and the current bench/analysis.md.
 * `--growth-only`: the growth measurement on its own (it says when it ran), put into the last full run's report.
 */
async function reportOnly(growth?: GrowthReport): Promise<void> {
  const saved = JSON.parse(readFileSync(LAST_RUN, 'utf8')) as Omit<ReportInput, 'results' | 'c100' | 'startedAt'> & {
    results: Array<[string, Result]>
    c100: Array<[string, Result]>
    startedAt: string
  }
  if (growth) {
    saved.growth = growth
    writeFileSync(LAST_RUN, JSON.stringify(saved, null, 1))
  }
  const input: ReportInput = { ...saved, results: new Map(saved.results), c100: new Map(saved.c100), startedAt: new Date(saved.startedAt) }
  writeFileSync(join(root, 'BENCHMARKS.md'), renderMarkdown(input))
  console.log(`wrote BENCHMARKS.md from the run of ${saved.startedAt}${growth ? ', with the growth measured just now' : ''}`)
}
