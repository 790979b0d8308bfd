/** Verifying 1 000 000 distinct tokens: RSS stays within what the verification cache's bound explains. */
import { spawn } from 'node:child_process'
import { root } from './spawn.js'

export interface MemoryReport {
  markdown: string
  ok: boolean
}

interface Sample {
  verified: number
  rssMiB: number
  heapMiB: number
  cacheSize: number
}

export async function runMemory(total = Number(process.env.BENCH_MEMORY_TOKENS ?? 1_000_000)): Promise<MemoryReport> {
  console.log(`memory: verifying ${total} distinct tokens in process …`)
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/memory-worker.ts', String(total)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
    let text = ''
    child.stdout.on('data', (chunk) => (text += chunk))
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`memory worker exited with ${code}`))))
  })
  const result = JSON.parse(/MEMORY_RESULT (.*)/.exec(out)![1]!) as { total: number; max: number; seconds: number; samples: Sample[] }
  const start = result.samples[0]!
  const full = result.samples.find((s) => s.verified === result.max) ?? start
  const end = result.samples[result.samples.length - 1]!
  const maxCache = Math.max(...result.samples.map((s) => s.cacheSize))
  // The cache's bound: what the process holds once the cache is full; past that, RSS may not keep climbing.
  const growthPastFull = end.rssMiB - full.rssMiB
  const ok = maxCache <= result.max && growthPastFull <= Math.max(16, 0.1 * full.rssMiB)
  const rows = result.samples.map((s) => `| ${s.verified.toLocaleString('en')} | ${s.rssMiB.toFixed(0)} | ${s.heapMiB.toFixed(1)} | ${s.cacheSize.toLocaleString('en')} |`)
  const markdown = `In one process (\`bench/memory-worker.ts\`, run with \`--expose-gc\`; RSS read after a forced GC at each mark):
${result.total.toLocaleString('en')} prodmanager tokens, each with its own jti (so each is a cache miss and a full jose verification), through
the real whoami route — auth method → verification cache (\`max\` ${result.max.toLocaleString('en')}) → jose — in batches of 256 concurrent
requests, ${result.seconds.toFixed(0)} s in all (${(result.total / result.seconds).toFixed(0)} verifications/s).

| tokens verified | RSS MiB | heap used MiB | cache entries |
|---:|---:|---:|---:|
${rows.join('\n')}

RSS before: ${start.rssMiB.toFixed(0)} MiB; once the cache was full (${result.max.toLocaleString('en')} tokens): ${full.rssMiB.toFixed(0)} MiB; after
${result.total.toLocaleString('en')}: ${end.rssMiB.toFixed(0)} MiB (${growthPastFull >= 0 ? '+' : ''}${growthPastFull.toFixed(0)} MiB past the full cache). The cache never held more than
${maxCache.toLocaleString('en')} entries. **Target (memory within the cache's bound): ${ok ? 'met' : 'not met'}.**`
  console.log(markdown)
  return { markdown, ok }
}
