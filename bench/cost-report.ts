/**
 * #17's target in BENCHMARKS.md: what metrics and tracing cost, from the last `npx tsx bench/cost.ts`
 * (bench/cost-last-run.json). CPU-bound requests: throughput with them on ÷ without = CPU per request without ÷ with.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { root } from './spawn.js'

interface CostRun {
  date: string
  node: string
  method: 'cpu' | 'callgrind'
  unit: string
  requests: number
  warmup: number
  rounds: number
  sampling: number[]
  summary: Record<string, { least: number; runs: number[] }>
}

const TARGET = 0.95
const f2 = (n: number) => n.toFixed(2)
const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (sorted.length - 1) * q
  return sorted[Math.floor(at)]! + (sorted[Math.ceil(at)]! - sorted[Math.floor(at)]!) * (at - Math.floor(at))
}

function load(): CostRun | undefined {
  try {
    return JSON.parse(readFileSync(join(root, 'bench', 'cost-last-run.json'), 'utf8')) as CostRun
  } catch {
    return undefined
  }
}

interface Measured {
  label: string
  scenario: 'create' | 'whoami'
  sampling: number
  /** Throughput on ÷ off: the median over the rounds of (cost off ÷ cost on), the two measured back to back in each. */
  ratio: number
  q1: number
  q3: number
  rounds: number[]
  /** The median cost per request of each side. */
  off: number
  on: number
}

function measured(run: CostRun): Measured[] {
  const rows: Measured[] = []
  for (const sampling of run.sampling) {
    for (const scenario of ['create', 'whoami'] as const) {
      const off = run.summary[`sampling=${sampling}:${scenario}:off`]
      const on = run.summary[`sampling=${sampling}:${scenario}:on`]
      if (!off || !on) continue
      const what = scenario === 'create' ? 'prodmanager create' : 'cached whoami'
      const sdk = sampling === 0 ? 'no OpenTelemetry SDK' : `OpenTelemetry SDK in both, sampling ${sampling * 100} %`
      const rounds = off.runs.map((value, i) => value / on.runs[i]!)
      rows.push({
        label: `metrics + tracing on: ${what} ≥ ${TARGET} × neither (${sdk})`,
        scenario,
        sampling,
        ratio: quantile(rounds, 0.5),
        q1: quantile(rounds, 0.25),
        q3: quantile(rounds, 0.75),
        rounds,
        off: quantile(off.runs, 0.5),
        on: quantile(on.runs, 0.5),
      })
    }
  }
  return rows
}

/** Rows for the Targets table (`| issue | target | measured | range | status |`). */
export function costTargetRows(notMet: Record<string, string>): string[] {
  const run = load()
  if (!run) return [`| #17 | metrics + tracing on ≥ ${TARGET} × neither (prodmanager create, cached whoami) | — | | not measured (no bench/cost-last-run.json: run \`npx tsx bench/cost.ts\`) |`]
  return measured(run).map((row) => {
    const met = row.ratio >= TARGET
    const reason = notMet[`cost-${row.scenario}/sdk-${row.sampling * 100}`] // `<!-- not-met cost-whoami/sdk-100: … -->` in bench/analysis.md
    const range = `${f2(Math.min(...row.rounds))}–${f2(Math.max(...row.rounds))} (middle half ${f2(row.q1)}–${f2(row.q3)})`
    return `| #17 | ${row.label} | ${met === Number(f2(row.ratio)) >= TARGET ? f2(row.ratio) : row.ratio.toFixed(3)} × | ${range} | ${met ? 'met' : `**not met**${reason ? `: ${reason}` : ''}`} |`
  })
}

/** The section that says how the #17 rows were measured, with every figure. */
export function costSection(): string {
  const run = load()
  if (!run) return ''
  const rows = measured(run).map(
    (row) =>
      `| ${row.scenario === 'create' ? 'prodmanager create' : 'cached whoami'} | ${row.sampling === 0 ? 'none' : `${row.sampling * 100} %`} | ${Math.round(row.off)} | ${Math.round(row.on)} | ${f2(row.ratio)} × | ${f2(row.q1)}–${f2(row.q3)} | ${f2(Math.min(...row.rounds))}–${f2(Math.max(...row.rounds))} |`,
  )
  return `## Metrics and tracing cost (#17)

From \`npx tsx bench/cost.ts\` at ${run.date.replace(/\.\d+Z$/, 'Z')} (Node ${run.node}; bench/cost-last-run.json), not from the run above: a
throughput ratio on this shared 2-core machine moves by ±25 % between runs of the same code, which cannot resolve a
5 % bound. So one server process (\`bench/cost-server.ts\`) mounts the same prodmanager twice, on two ports: once with
nothing observed (\`tracing: false\`, no metrics) and once with \`polytokenMetrics(router)\` collecting and tracing on.
Each round, per scenario and side: a full garbage collection, then ${run.requests} sequential
requests on one keep-alive connection, counting the **${run.method === 'cpu' ? 'CPU time of every server thread' : 'instructions'}** (${run.method === 'cpu' ? '/proc/<pid>/stat, GC and compiler threads included' : 'callgrind'}) over them (${run.warmup}
warm-up requests per side before the first round). The two sides run back to back in each of ${run.rounds} rounds, and the
ratio is the median of the rounds' ratios: one window's cost moves by ±15 % from the next here (the load generator
shares the two cores), which pairing and many rounds average out. The requests are CPU-bound, so throughput with both
on ÷ without = ${run.unit} per request without ÷ with. Without an SDK, polytoken's spans are OpenTelemetry's no-op
objects: what a router with \`tracing\` on (the default) and metrics costs. With the SDK registered in the process
(\`bench/otel-sdk.ts\`: AsyncLocalStorage context, a batch processor, an exporter that drops the spans; a parent-based
ratio sampler at 10 %, or every request recorded) the SDK is there on both sides, and the ratio is what recording
polytoken's spans through it costs on top.

| scenario | SDK sampling | ${run.unit} per request, neither (median) | both on (median) | throughput ratio (median of rounds) | middle half of the rounds | lowest–highest round |
|---|---|---:|---:|---:|---:|---:|
${rows.join('\n')}

The wall-clock scenarios \`pm-*-metrics\`, \`pm-*-observed\` and \`pm-*-sdk-only\` stay in the Results table of a full run, for reference.

`
}
