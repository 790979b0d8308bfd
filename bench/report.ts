/** BENCHMARKS.md from one run: machine, load, method, every figure, every ratio, every target's status. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Result } from './load.js'
import type { GrowthReport } from './growth.js'
import type { MemoryReport } from './memory.js'
import type { Options } from './main.js'
import { root } from './spawn.js'
import { costSection, costTargetRows } from './cost-report.js'

/** One scenario's run in one round, in the order the runs happened. */
export type Run = Result & { round: number; seq: number }

export interface ReportInput {
  options: Options
  results: Map<string, Result>
  /** Every run, for paired ratios (absent in a bench/last-run.json written before they were kept). */
  runs?: Run[]
  c100: Map<string, Result>
  growth: GrowthReport | undefined
  memory: MemoryReport | undefined
  soak: { scenario: string; rate: number; seconds: number; result: Result; samples: Array<{ atSec: number; rssMiB: number; heapMiB: number }> } | undefined
  serverMemory: { before: NodeJS.MemoryUsage; after?: NodeJS.MemoryUsage } | undefined
  startedAt: Date
  loadBefore: number[]
  loadAfter: number[]
  installNote: string
  machine: { cpus: number; model: string; memGiB: number; node: string }
  versions: Record<string, string>
}

export interface Target {
  issue: string
  what: string
  a: string
  b: string
  target: number
  /** Why it is not met, when it is not (filled from bench/analysis.md's notes by key). */
}

/** Ratio targets: a.rps / b.rps ≥ target, both from this run. */
export const TARGETS: Target[] = [
  { issue: '#2', what: 'prodmanager create ≥ 1.0 × naive jose HS256 route', a: 'pm-create', b: 'naive-pm-create', target: 1.0 },
  { issue: '#2', what: 'prodmanager create ≥ 0.75 × bare JSON', a: 'pm-create', b: 'bare', target: 0.75 },
  { issue: '#2', what: 'cached whoami ≥ 0.85 × bare JSON', a: 'pm-whoami', b: 'bare', target: 0.85 },
  { issue: '#8', what: 'HMAC issuance: prodmanager create ≥ 0.85 × bare JSON', a: 'pm-create', b: 'bare', target: 0.85 },
  { issue: '#8', what: 'HMAC issuance: token-generator exchange (cached caller) ≥ 0.85 × bare JSON', a: 'tg-exchange', b: 'bare', target: 0.85 },
  { issue: '#8', what: 'HMAC issuance: sagrada (cached assertion) ≥ 0.85 × bare JSON', a: 'sg-token', b: 'bare', target: 0.85 },
  { issue: '#8', what: 'cached Bearer: prodmanager whoami ≥ 0.85 × bare JSON', a: 'pm-whoami', b: 'bare', target: 0.85 },
  { issue: '#8', what: 'cached Bearer: zazz /me ≥ 0.85 × bare JSON', a: 'zz-me', b: 'bare', target: 0.85 },
  { issue: '#8', what: 'ES256 issuance: crew anonymous GET ≥ 0.7 × bare JSON', a: 'crew-get', b: 'bare', target: 0.7 },
  { issue: '#8', what: 'ES256 issuance: crew anonymous POST ≥ 0.7 × bare JSON', a: 'crew-post', b: 'bare', target: 0.7 },
  { issue: '#8', what: 'zazz refresh grant ≥ 0.6 × bare JSON', a: 'zz-refresh', b: 'bare', target: 0.6 },
  { issue: '#8', what: 'prodmanager create ≥ 1.2 × its naive route', a: 'pm-create', b: 'naive-pm-create', target: 1.2 },
  { issue: '#8', what: 'prodmanager whoami ≥ 1.2 × its naive route', a: 'pm-whoami', b: 'naive-verify', target: 1.2 },
  { issue: '#8', what: 'token-generator exchange ≥ 1.2 × its naive route', a: 'tg-exchange', b: 'naive-tg', target: 1.2 },
  { issue: '#8', what: 'crew GET ES256 ≥ 1.2 × its naive route', a: 'crew-get', b: 'naive-crew-get', target: 1.2 },
  { issue: '#8', what: 'crew POST ES256 ≥ 1.2 × its naive route', a: 'crew-post', b: 'naive-crew-post', target: 1.2 },
  { issue: '#8', what: 'crew GET RS256 ≥ 1.2 × its naive route', a: 'crew-rs-get', b: 'naive-crew-rs', target: 1.2 },
  { issue: '#8', what: 'sagrada ≥ 1.2 × its naive (bare HMAC) route', a: 'sg-token', b: 'naive-tokenlib', target: 1.2 },
  { issue: '#8', what: 'zazz refresh ≥ 1.2 × its naive route', a: 'zz-refresh', b: 'naive-zz-refresh', target: 1.2 },
  { issue: '#8', what: 'zazz /me ≥ 1.2 × its naive route', a: 'zz-me', b: 'naive-verify', target: 1.2 },
  { issue: '#3', what: 'crew anonymous GET ≥ 1.0 × naive jose ES256 route', a: 'crew-get', b: 'naive-crew-get', target: 1.0 },
  { issue: '#4', what: 'token-generator exchange ≥ 1.0 × naive jose HS256 route', a: 'tg-exchange', b: 'naive-tg', target: 1.0 },
  { issue: '#6', what: 'zazz refresh ≥ 0.8 × naive jose route', a: 'zz-refresh', b: 'naive-zz-refresh', target: 0.8 },
  { issue: '#8 peers', what: 'zazz password grant ≥ 1.0 × oauth2-server password grant', a: 'zz-password', b: 'peer-oauth2-password', target: 1.0 },
  { issue: '#8 peers', what: 'zazz refresh grant ≥ 1.0 × oauth2-server refresh grant', a: 'zz-refresh', b: 'peer-oauth2-refresh', target: 1.0 },
  { issue: '#8 peers', what: 'polytoken ES256 JWT (crew, Basic client) ≥ 1.0 × oidc-provider client_credentials ES256 JWT', a: 'crew-basic-get', b: 'peer-oidc-cc', target: 1.0 },
]

/**
 * a / b per round: the ratio between a's run and the run of b closest to it in time (the same round; roundPlan in
 * main.ts puts every baseline next to its route), summarised as the median and the range over the rounds. A busy
 * moment of the shared machine then lowers both sides of one ratio instead of one side of it.
 */
export function pairedRatios(runs: Run[], a: string, b: string): { median: number; min: number; max: number } | undefined {
  const ratios: number[] = []
  for (const run of runs) {
    if (run.key !== a) continue
    let nearest: Run | undefined
    for (const other of runs) {
      if (other.key !== b || other.round !== run.round) continue
      if (!nearest || Math.abs(other.seq - run.seq) < Math.abs(nearest.seq - run.seq)) nearest = other
    }
    if (nearest && nearest.rps > 0) ratios.push(run.rps / nearest.rps)
  }
  if (ratios.length === 0) return undefined
  ratios.sort((x, y) => x - y)
  const mid = ratios.length / 2
  const median = ratios.length % 2 ? ratios[Math.floor(mid)]! : (ratios[mid - 1]! + ratios[mid]!) / 2
  return { median, min: ratios[0]!, max: ratios[ratios.length - 1]! }
}

const f0 = (n: number) => n.toFixed(0)
const f2 = (n: number) => n.toFixed(2)

function analysis(): { text: string; notMet: Record<string, string> } {
  let text = ''
  try {
    text = readFileSync(join(root, 'bench', 'analysis.md'), 'utf8')
  } catch {
    text = '_bench/analysis.md is missing._\n'
  }
  // Lines `<!-- not-met a/b: reason -->` explain a target that is not met.
  const notMet: Record<string, string> = {}
  for (const m of text.matchAll(/<!-- not-met ([\w-]+\/[\w-]+): (.+?) -->/g)) notMet[m[1]!] = m[2]!
  return { text: text.replace(/<!-- not-met .+? -->\n?/g, ''), notMet }
}

export function renderMarkdown(input: ReportInput): string {
  const { results, c100 } = input
  const bare = results.get('bare')
  const ratio = (a: string, b: string) => {
    const ra = results.get(a)
    const rb = results.get(b)
    if (!ra || !rb) return undefined
    return input.runs?.length ? pairedRatios(input.runs, a, b)?.median : ra.rps / rb.rps
  }
  const naiveOf: Record<string, string> = {
    'pm-create': 'naive-pm-create',
    'pm-whoami': 'naive-verify',
    'tg-exchange': 'naive-tg',
    'crew-get': 'naive-crew-get',
    'crew-post': 'naive-crew-post',
    'crew-rs-get': 'naive-crew-rs',
    'crew-basic-get': 'naive-crew-get',
    'sg-token': 'naive-tokenlib',
    'zz-refresh': 'naive-zz-refresh',
    'zz-me': 'naive-verify',
    'zz-password': 'peer-oauth2-password',
  }
  const { text, notMet } = analysis()
  const rows = [...results.values()].map((r) => {
    const naive = naiveOf[r.key]
    const vsNaive = naive ? ratio(r.key, naive) : undefined
    return `| ${r.name} | \`${r.key}\` | ${f0(r.rps)} | ${r.p50} | ${r.p99} | ${bare ? f2(r.key === 'bare' ? 1 : ratio(r.key, 'bare')!) + ' ×' : '—'} | ${vsNaive !== undefined ? `${f2(vsNaive)} × \`${naive}\`` : '—'} | ${r.errors + r.non2xx} |`
  })
  const targetRows = TARGETS.map((t) => {
    const value = ratio(t.a, t.b)
    if (value === undefined) return `| ${t.issue} | ${t.what} | — | | not measured (${results.has(t.a) ? t.b : t.a} did not run) |`
    const met = value >= t.target
    const reason = notMet[`${t.a}/${t.b}`]
    // Two decimals unless they would round a miss up to the target (or a hit down below it).
    const shown = value >= t.target === Number(f2(value)) >= t.target ? f2(value) : value.toFixed(3)
    const spread = input.runs?.length ? pairedRatios(input.runs, t.a, t.b) : undefined
    const range = spread && spread.min !== spread.max ? ` ${f2(spread.min)}–${f2(spread.max)}` : ''
    return `| ${t.issue} | ${t.what} | ${shown} × |${range} | ${met ? 'met' : `**not met**${reason ? `: ${reason}` : ''}`} |`
  })
  const mib = (n: number | undefined) => (n === undefined ? '—' : `${(n / 2 ** 20).toFixed(0)} MiB`)
  const c100Rows = [...c100.values()].map((r) => `| \`${r.key}\` | ${f0(r.rps)} | ${r.p50} | ${r.p90} | ${r.p99} | ${r.max} | ${r.errors + r.non2xx} |`)
  const o = input.options
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ')

  return `# Benchmarks

Generated by \`npm run bench\` (bench/run.ts) on ${input.startedAt.toISOString().replace(/\.\d+Z$/, 'Z')}. Absolute numbers drift on
shared machines; the ratios — measured in the same run, against baselines in the same server process on
the same Node — are what count.

## Machine, load and method

- ${input.machine.cpus} × ${input.machine.model}, ${input.machine.memGiB.toFixed(0)} GiB RAM, Node ${input.machine.node}, Linux.
- **Load on the machine** (1 / 5 / 15 min load average): ${load(input.loadBefore)} when the run started, ${load(input.loadAfter)} when it ended.
  Other jobs (test suites of other work in progress) were running on the same ${input.machine.cpus} cores: a load above
  ~1 means the server and autocannon did not have the cores to themselves, which lowers every absolute figure and
  adds noise to the ratios (each scenario runs for a few seconds; the ratios of neighbouring scenarios are the most
  comparable).
- Server: \`bench/server.ts\`, one Node process, Express ${input.versions.express}: a bare JSON route, the naive routes
  (\`bench/naive.ts\`), every polytoken dialect in one router (crew RS256 in a second router: a dialect mounts once per
  router), and the peers (\`bench/peers.ts\`). Store \`memory://\` for the throughput figures. Cache: defaults
  (10 000 entries, entries live ≤ 5 s).
- Load: autocannon ${input.versions.autocannon} in the \`bench/run.ts\` process (a separate process from the server; both
  share the machine's ${input.machine.cpus} cores), loopback, keep-alive, ${o.connections} connections. After a 1 s warm-up of every
  scenario, ${o.rounds} rounds: in each round every scenario runs ${o.seconds} s (password grants 4 s with 8 connections), one after
  the other, every baseline next to the route it is compared with (a naive route right before its dialect's; the
  bare route, and a peer, right after each route that has a target against it: \`roundPlan\` in bench/main.ts). Each req/s, p50 and p99 in the tables is the **median over the rounds** (errors
  summed; the bare route's over all its runs). Each **ratio** is the median over the rounds of the ratio between two
  runs a few seconds apart — the scenario's and the nearest run of its baseline in the same round — so a busy moment
  of the shared machine lowers both sides of one ratio rather than one side of it${input.runs?.length ? '' : ' (this report was rebuilt from a run that kept no per-round figures: its ratios are ratios of the medians)'}. Rotation scenarios (refresh grants) take a
  refresh token from a pool for each request and put the one they receive back, so every request is a real,
  successful rotation.
- Versions: jose ${input.versions.jose}; multer ${input.versions.multer}; @node-oauth/oauth2-server ${input.versions['@node-oauth/oauth2-server']} through
  @node-oauth/express-oauth-server ${input.versions['@node-oauth/express-oauth-server']}; oidc-provider ${input.versions['oidc-provider']}. bench/ dev dependencies: ${input.installNote}.

### What "naive" means here

Bare Express routes that do the same job the way most apps would write it: parse the body with what Express
users reach for (\`express.json()\`, \`express.urlencoded()\`, \`multer().none()\` for multipart), verify incoming
JWTs with jose's \`jwtVerify\` on every request (no cache), sign the same claims with jose's \`SignJWT\` (keys
imported once at start-up), answer with \`res.json\`. They do less than the dialects (no policy engine, no records,
no envelopes, no per-field limits) — see \`bench/naive.ts\`. The sagrada baseline is a bare HMAC route: the same
tokenlib token and derived key with node:crypto (HKDF + HMAC), without checking any assertion. The cached
Bearer checks (whoami, /me) are compared with a naive route that verifies the same kind of HS256 token with jose
per request.

### The peers, and how the dialects are configured here

- **@node-oauth/oauth2-server** through **@node-oauth/express-oauth-server**, \`express.urlencoded()\` in front, an
  in-memory model (\`bench/peers.ts\`): client by Basic, password grant checking scrypt with zazz's cost (N=2^14, r=8,
  p=5, the same node:crypto call), refresh grant with rotation (\`alwaysIssueNewRefreshToken\`, the default), tokens
  in a Map. It issues opaque random access tokens (its default; no signature) where zazz signs an HS256 JWT.
- **oidc-provider**: \`client_credentials\` with \`client_secret_basic\`, resource indicators returning ES256 JWT access
  tokens, its default in-memory adapter. Compared with crew's GET with Basic (cached) issuing an ES256 JWT — the
  closest polytoken route: a client authenticates and gets an ES256 JWT. oidc-provider ${input.versions['oidc-provider']} warns that Node 20 is
  not a supported runtime (it wants 22); it ran without errors.
- Dialects as \`bench/server.ts\` configures them: zazz with its default KDF cost and its brute-force limits raised
  (the bench logs the same user in on purpose), crew with the login throttle raised likewise; everything else default.
  Why zazz's scrypt cost is N=2^14, r=8, p=5 (16 MiB, ~130 ms of one core here): the zazz README.

## Results (${o.connections} connections)

| scenario | key | req/s | p50 ms | p99 ms | × bare JSON | × its naive route | errors |
|---|---|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}

## Targets

The measured ratio is the median of the per-round ratios; the range is the lowest and highest of them.

| issue | target | measured | per-round range | status |
|---|---|---:|---:|---|
${[...targetRows, ...costTargetRows(notMet)].join('\n')}

## p99 at 100 concurrent connections

${c100Rows.length ? `4 s per hot path, after the runs above.\n\n| scenario | req/s | p50 ms | p90 ms | p99 ms | max ms | errors |\n|---|---:|---:|---:|---:|---:|---:|\n${c100Rows.join('\n')}` : '_Not run in this invocation._'}

Server process memory (RSS) before the first scenario: ${mib(input.serverMemory?.before.rss)}; after all of them: ${mib(input.serverMemory?.after?.rss)} — the
\`memory://\` store by then holds every record the run created (a prodmanager record per token, zazz refresh tokens and
their marks: hundreds of thousands, each kept until its ttl); the cache itself is bounded (see Memory below).

## Growth: 1 000 vs 1 000 000 records stored

${input.growth ? input.growth.markdown : '_Not run in this invocation._'}

## Memory: verifying 1 000 000 distinct tokens

${input.memory ? input.memory.markdown : '_Not run in this invocation._'}

## Steady load (soak)

${input.soak ? soakMarkdown(input.soak) : (previousSoak() ?? 'The 10-minute steady load at ~80 % of capacity runs only with `npm run bench -- --soak` (it would double the\nlength of the default run). **Not run in this invocation.**')}

${costSection()}${text}
## What ran in this invocation

- Throughput scenarios: ${results.size} (${[...results.keys()].map((k) => `\`${k}\``).join(', ')}).
- p99 at 100 connections: ${c100.size ? 'yes' : 'no'}. Growth (SQLite, Redis): ${input.growth ? 'yes' : 'no'}. Memory with 1 000 000 tokens: ${input.memory ? 'yes' : 'no'}.
  Soak: ${input.soak ? 'yes' : 'no (see above)'}. PostgreSQL was not part of the growth runs (the issue names SQLite and Redis).
- Nothing in CI runs the benchmark; it is not a test.
`
}

/** A soak that ran on its own (\`npm run bench -- --only <key> --soak\`), recorded in bench/soak-latest.json. */
function previousSoak(): string | undefined {
  try {
    const saved = JSON.parse(readFileSync(join(root, 'bench', 'soak-latest.json'), 'utf8')) as NonNullable<ReportInput['soak']> & { at: string; loadAfter: number[] }
    return `Not part of this run: it ran on its own at ${saved.at} with \`npm run bench -- --only ${saved.scenario} --soak\` (load average
${saved.loadAfter.map((x) => x.toFixed(2)).join(' / ')} when it ended); its figures, from bench/soak-latest.json:

${soakMarkdown(saved)}`
  } catch {
    return undefined
  }
}

function soakMarkdown(soak: NonNullable<ReportInput['soak']>): string {
  const first = soak.samples[0]!
  const last = soak.samples[soak.samples.length - 1]!
  const heapMax = Math.max(...soak.samples.map((x) => x.heapMiB))
  const rssMax = Math.max(...soak.samples.map((x) => x.rssMiB))
  const flat = last.heapMiB <= first.heapMiB * 1.1 + 2 && last.rssMiB <= first.rssMiB * 1.1
  const errors = soak.result.errors + soak.result.non2xx
  const delivered = soak.result.rps / soak.rate
  return `\`${soak.scenario}\` at a fixed ${soak.rate} req/s (80 % of what that run had just measured for it) for ${soak.seconds} s, 32 connections:
${f0(soak.result.rps)} req/s delivered (${(100 * delivered).toFixed(0)} % of the fixed rate${delivered < 0.97 ? ': the machine, shared with other jobs, could not always sustain it' : ''}), p50 ${soak.result.p50} ms,
p99 ${soak.result.p99} ms, **${errors} errors**.
Server heap after a forced GC: ${first.heapMiB.toFixed(1)} MiB at the start, ${last.heapMiB.toFixed(1)} MiB at the end (highest ${heapMax.toFixed(1)} MiB); RSS
${first.rssMiB.toFixed(0)} → ${last.rssMiB.toFixed(0)} MiB (highest ${rssMax.toFixed(0)} MiB; ${flat ? 'no upward trend' : 'grew'}). Samples every 30 s (RSS MiB):
${soak.samples.map((x) => `${x.atSec}s ${x.rssMiB.toFixed(0)}`).join(', ')}.
**Target (no memory growth, no errors): ${flat && errors === 0 ? 'met' : 'not met'}.**`
}
