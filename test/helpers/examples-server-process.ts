import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, freePort, sleep, tempDir, type Child } from '../scale-out/harness.js'

export interface ExamplesServer extends Child {
  url: string
  /** The exit code (null after a signal). */
  exit: Promise<number | null>
  /** Stop (SIGKILL) if still running, and remove its directory. */
  cleanup(): Promise<void>
}

/**
 * `node --import tsx examples/server/main.ts` with a config of the test's own, in a directory of its own;
 * resolves as soon as it is spawned: wait for what the test needs (untilReady, waitForOutput).
 */
export async function spawnExamplesServer(options: {
  store: string
  config: Record<string, unknown>
  /** Added to the environment; `undefined` takes a variable out (PORT, POLYTOKEN_MASTER_KEY, to set them another way). */
  env?: Record<string, string | undefined>
  args?: string[]
  /** The variable that carries the port (default PORT). */
  portVariable?: string
}): Promise<ExamplesServer> {
  const dir = tempDir('examples-server')
  const port = await freePort()
  const configFile = join(dir.path, 'config.json')
  writeFileSync(configFile, JSON.stringify(options.config))
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'examples/server/main.ts'), ...(options.args ?? [])], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_ENV: 'test',
      [options.portVariable ?? 'PORT']: String(port),
      POLYTOKEN_CONFIG: configFile,
      POLYTOKEN_DATA_DIR: dir.path,
      POLYTOKEN_STORE: options.store,
      POLYTOKEN_MASTER_KEY: 'examples-server-test-master-key-0123456789',
      ...options.env,
    },
  })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    await exit
    clearTimeout(timer)
  }
  return {
    process: child,
    output: () => output,
    url: `http://127.0.0.1:${port}`,
    exit,
    stop,
    async cleanup() {
      await stop('SIGKILL')
      dir.remove()
    },
  }
}

/** Until /readyz answers 200 (a loaded machine may take a while to start tsx and the workers). */
export async function untilReady(server: ExamplesServer, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (server.process.exitCode !== null) throw new Error(`the server exited (${server.process.exitCode}):\n${server.output()}`)
    const status = await fetch(`${server.url}/readyz`).then(
      (res) => res.status,
      () => 0,
    )
    if (status === 200) return
    if (Date.now() > deadline) throw new Error(`not ready within ${timeoutMs} ms:\n${server.output()}`)
    await sleep(200)
  }
}
