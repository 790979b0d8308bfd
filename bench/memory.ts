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
  // The cache's bound: what the process holds once the cache is full. Past that the heap must stay flat and RSS must
  // not trend upwards; RSS first rises to the allocator's high-water mark (OpenSSL/WebCrypto buffers of 256
  // concurrent verifications), so the trend is judged from the 100 000 mark on.
  const growthPastFull = end.rssMiB - full.rssMiB
  const settled = result.samples.find((s) => s.verified >= 100_000) ?? full
  const heapOk = end.heapMiB <= full.heapMiB * 1.1 + 2
  const rssOk = end.rssMiB <= settled.rssMiB * 1.1
  const ok = maxCache <= result.max && heapOk && rssOk
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
${maxCache.toLocaleString('en')} entries. Heap used once the cache was full: ${full.heapMiB.toFixed(1)} MiB, at the end: ${end.heapMiB.toFixed(1)} MiB
(${heapOk ? 'flat' : 'grew'}). RSS at 100 000 tokens: ${settled.rssMiB.toFixed(0)} MiB, at the end: ${end.rssMiB.toFixed(0)} MiB (${rssOk ? 'no upward trend' : 'still climbing'}).
Criterion: cache entries ≤ \`max\`, heap within 10 % (+2 MiB) of its full-cache value, RSS at the end within 10 % of
its value at 100 000. **Target (memory within the cache's bound): ${ok ? 'met' : 'not met'}.**`
  console.log(markdown)
  return { markdown, ok }
}
