import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createConnection } from 'node:net'

export const ROOT = new URL('../..', import.meta.url).pathname
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

export function tempDir(label: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `polytoken-${label}-`))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

/** A child we started; stop() ends it (by its pid) and waits for the exit. */
export interface Child {
  readonly process: ChildProcess
  readonly output: () => string
  stop(signal?: NodeJS.Signals): Promise<void>
}

function track(child: ChildProcess): Child {
  let output = ''
  child.stdout?.on('data', (chunk) => (output += chunk))
  child.stderr?.on('data', (chunk) => (output += chunk))
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once('exit', () => resolve())
  })
  return {
    process: child,
    output: () => output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(timer)
    },
  }
}

async function waitFor(what: string, child: Child, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) throw new Error(`${what} exited early:\n${child.output()}`)
    if (await check().catch(() => false)) return
    await sleep(100)
  }
  throw new Error(`${what} did not come up within ${timeoutMs} ms:\n${child.output()}`)
}

/** Something accepts TCP connections on 127.0.0.1:port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    socket.once('connect', () => (socket.destroy(), resolve(true)))
    socket.once('error', () => resolve(false))
  })
}

/**
 * A redis-server of the test's own on `port` (never the machine's shared one).
 * With `dir`, it keeps an append-only file fsynced on every write, so a kill
 * loses nothing it acknowledged and a restart on the same dir brings it back.
 */
export async function startRedis(port: number, dir?: string): Promise<Child> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--daemonize', 'no']
  args.push(...(dir ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir] : ['--appendonly', 'no']))
  const child = track(spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] }))
  await waitFor(`redis-server on port ${port}`, child, () => listening(port))
  return child
}

export interface ServerProcess extends Child {
  readonly url: string
}

export interface ServerOptions {
  store: string
  /** config.json contents (port/store come from the environment). */
  config: Record<string, unknown>
  env?: Record<string, string>
  /** Extra command-line arguments for main.ts, e.g. ['--workers', '2']. */
  args?: string[]
  /** How long start-up may take (default 20 s); a cluster on a loaded machine takes longer. */
  startTimeoutMs?: number
}

/** `node --import tsx examples/server/main.ts` with a config of the test's own; resolves once /healthz answers 200. */
export async function startServer(options: ServerOptions): Promise<ServerProcess> {
  const port = await freePort()
  const dir = tempDir('server')
  const configFile = join(dir.path, 'config.json')
  writeFileSync(configFile, JSON.stringify(options.config))
  const child = track(
    spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'examples/server/main.ts'), ...(options.args ?? [])], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        NODE_ENV: 'test',
        PORT: String(port),
        POLYTOKEN_CONFIG: configFile,
        POLYTOKEN_DATA_DIR: dir.path,
        POLYTOKEN_STORE: options.store,
        POLYTOKEN_MASTER_KEY: 'scale-out-test-master-key-0123456789abcdef',
        ...options.env,
      },
    }),
  )
  const url = `http://127.0.0.1:${port}`
  // 60 s by default: on a loaded CI machine (two cores, many test processes) tsx compiling the server takes well over 10 s.
  await waitFor(`examples server on port ${port}`, child, async () => (await fetch(`${url}/healthz`)).status === 200, options.startTimeoutMs ?? 60_000)
  return {
    ...child,
    url,
    async stop(signal) {
      await child.stop(signal)
      dir.remove()
    },
  }
}

/** The examples config with ProdManager alone. */
export function prodmanagerConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    prodmanager: {
      prefix: '/api',
      secret: 'scale-out-application-secret',
      issuer: 'prodmanager',
      permissions: { scope_api: 1, service_api: 2, read_api: 3 },
    },
    ...extra,
  }
}

export const PRODMANAGER_SECRET = 'scale-out-application-secret'

/** POST /api/token/create; returns the fetch Response. */
export function createToken(server: { url: string }, name = 'scale-out-test', signal?: AbortSignal): Promise<Response> {
  const body = new URLSearchParams({ secret: PRODMANAGER_SECRET, name, description: 'token created by the scale-out tests', permission: 'scope_api' })
  return fetch(`${server.url}/api/token/create`, { method: 'POST', body, signal })
}

export function whoami(server: { url: string }, token: string, signal?: AbortSignal): Promise<Response> {
  return fetch(`${server.url}/api/token/whoami`, { headers: { authorization: `Bearer ${token}` }, signal })
}

export function revoke(server: { url: string }, jti: string): Promise<Response> {
  return fetch(`${server.url}/api/token/revoke`, { method: 'POST', body: new URLSearchParams({ secret: PRODMANAGER_SECRET, jti }) })
}

/**
 * A TCP proxy in the test process in front of a shared service (the machine's
 * PostgreSQL): cut() drops every connection and refuses new ones, as a dead
 * server would; restore() listens again on the same port.
 */
export async function tcpProxy(targetPort: number): Promise<{ port: number; cut(): Promise<void>; restore(): Promise<void>; close(): Promise<void> }> {
  const { createServer: createTcpServer, connect } = await import('node:net')
  const sockets = new Set<import('node:net').Socket>()
  const server = createTcpServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: targetPort })
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => (client.destroy(), upstream.destroy()))
    }
    client.pipe(upstream).pipe(client)
  })
  const port = await freePort()
  const listen = () => new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()))
  await listen()
  const cut = async () => {
    const closed = new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()))
    for (const socket of sockets) socket.destroy()
    await closed
  }
  return { port, cut, restore: listen, close: cut }
}

/** Waits until the child printed text; fails with its output after timeoutMs. */
export async function waitForOutput(child: Child, text: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!child.output().includes(text)) {
    if (Date.now() > deadline) throw new Error(`no "${text}" within ${timeoutMs} ms:\n${child.output()}`)
    await sleep(50)
  }
}
