/** Start bench/server.ts as its own process (load generator and server never share an event loop). */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const root = fileURLToPath(new URL('..', import.meta.url))

export interface Fixtures {
  sessionToken: string
  assertion: string
  peers: Record<string, string>
}

export interface BenchServer {
  port: number
  pid: number
  fixtures: Fixtures
  stop(): Promise<void>
}

export async function startServer(env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<BenchServer> {
  const child = spawn(process.execPath, ['--expose-gc', ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), ...nodeArgs, '--import', 'tsx', 'bench/server.ts'], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let errors = ''
  child.stderr.on('data', (chunk) => {
    errors += chunk
    if (errors.length > 20_000) errors = errors.slice(-10_000)
  })
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
  const { port, fixtures } = await new Promise<{ port: number; fixtures: Fixtures }>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (chunk) => {
      out += chunk
      const match = /BENCH_READY (\d+) (\{.*\})\n/.exec(out)
      if (match) resolve({ port: Number(match[1]), fixtures: JSON.parse(match[2]!) as Fixtures })
    })
    child.on('exit', (code) => reject(new Error(`bench server exited with ${code}\n${errors}`)))
  })
  return {
    port,
    pid: child.pid!,
    fixtures,
    async stop() {
      child.kill('SIGTERM')
      await exited
    },
  }
}
