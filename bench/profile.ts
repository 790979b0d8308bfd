/**
 * Self time by function and by package/file, and total (inclusive) time of
 * polytoken's own functions, from the .cpuprofile files the bench server wrote.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
  children?: number[]
}

interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

/** Where a frame lives: a package, a polytoken source file, or node itself. */
function area(url: string): string {
  if (!url) return '(native / V8)'
  const nm = url.lastIndexOf('node_modules/')
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/')
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!
  }
  const pkg = /\/packages\/([^/]+)\/(?:src|dist)\/(.+?)(?:\.js)?$/.exec(url)
  if (pkg) return `polytoken ${pkg[1]}/${pkg[2]}`
  const bench = /\/bench\/(.+)$/.exec(url)
  if (bench) return `bench/${bench[1]}`
  if (url.startsWith('node:')) return url
  return url
}

function underInspector(id: number, nodes: Map<number, Profile['nodes'][number]>, parent: Map<number, number>): boolean {
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) if (nodes.get(at)!.callFrame.url === 'node:inspector') return true
  return false
}

export function summariseProfiles(dir: string, top = 25): string {
  let files: string[] = []
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))
  } catch {
    return 'no profile written'
  }
  const byFunction = new Map<string, number>()
  const byArea = new Map<string, number>()
  // Inclusive: a sample counts for every polytoken function on its stack (once each). Stacks start again
  // after an await, so an async function's total covers its synchronous stretches, not its waits.
  const inclusive = new Map<string, number>()
  let total = 0
  for (const file of files) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]))
    const parent = new Map<number, number>()
    for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
    const selfUs = new Map<number, number>()
    profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))
    for (const [id, us] of selfUs) {
      const node = nodes.get(id)!
      const name = node.callFrame.functionName || '(anonymous)'
      if (name === '(idle)') continue
      // The inspector session's own work (stopping the profiler: a native `dispatch` under node:inspector) is not the server's.
      if (underInspector(id, nodes, parent)) continue
      total += us
      const where = area(node.callFrame.url)
      const fn = `${name} — ${where}${node.callFrame.url ? `:${node.callFrame.lineNumber + 1}` : ''}`
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + us)
      const groupKey = ['(garbage collector)', '(program)'].includes(name) ? name : where
      byArea.set(groupKey, (byArea.get(groupKey) ?? 0) + us)
      const seen = new Set<string>()
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const frame = nodes.get(at)!.callFrame
        const owner = area(frame.url)
        if (!owner.startsWith('polytoken ')) continue
        const key = `${frame.functionName || '(anonymous)'} — ${owner}:${frame.lineNumber + 1}`
        if (seen.has(key)) continue
        seen.add(key)
        inclusive.set(key, (inclusive.get(key) ?? 0) + us)
      }
    }
  }
  // BENCH_KEEP_PROFILES=1 keeps the .cpuprofile files (Chrome DevTools or VS Code open them).
  if (!process.env.BENCH_KEEP_PROFILES) for (const file of files) rmSync(join(dir, file))
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`
  const rows = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `| ${pct(us)} | ${k.replace(/\|/g, '\\|')} |`)
      .join('\n')
  return `Self time, ${(total / 1e6).toFixed(1)} s of samples (idle excluded).\n\nBy package / file:\n\n| self | where |\n|---:|---|\n${rows(byArea)}\n\nBy function:\n\n| self | function — where |\n|---:|---|\n${rows(byFunction)}\n\npolytoken's functions, total time (self + what they call, synchronously):\n\n| total | function — where |\n|---:|---|\n${rows(inclusive)}\n`
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(summariseProfiles(process.argv[2] ?? 'bench/.profiles'))
