import cluster from 'node:cluster'
import { createServer } from 'node:http'
import { baseUrlOf, createExampleServer } from './app.js'
import { ConfigInvalid } from '@polytoken/core'
import { loadConfigOrExit } from './load-config.js'
import { applyConnectionLimit, serverOptions } from './http-limits.js'
import { serveClusterMetrics, serveMetrics } from './metrics.js'
import { createServerLogger, warnExampleSecrets } from './logging.js'
import { drainOnSignals } from './shutdown.js'
import { reportReady, isReadyMessage } from './worker-ready.js'

/** `--workers N` / `--workers=N` (or POLYTOKEN_WORKERS): N processes of node:cluster on one port, sharing the store. */
function workerCount(argv: string[], env: NodeJS.ProcessEnv): number {
  let value = env.POLYTOKEN_WORKERS
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--workers') value = argv[++i]
    else if (arg.startsWith('--workers=')) value = arg.slice('--workers='.length)
  }
  if (value === undefined) return 1
  const count = Number(value)
  if (!Number.isInteger(count) || count < 1 || count > 256) {
    console.error(`--workers: expected a whole number from 1 to 256, got "${value}"`)
    process.exit(2)
  }
  return count
}

const config = loadConfigOrExit()

/** A dialect that refuses its options, a dialect package that exports no dialect: one clear line and exit 2, as for the file. */
function exitOnConfigError(error: unknown): never {
  if (!(error instanceof ConfigInvalid)) throw error
  console.error(`polytoken examples server: invalid configuration (${error.code}): ${error.message}`)
  process.exit(2)
}
const workers = workerCount(process.argv.slice(2), process.env)

if (workers > 1 && cluster.isPrimary) runPrimary(workers)
else await runServer()

function runPrimary(count: number): void {
  const scheme = config.store.slice(0, config.store.indexOf(':'))
  if (scheme === 'memory') {
    console.error('--workers needs a store the workers share: memory:// lives inside one process. Use sqlite://, redis:// or postgres:// (POLYTOKEN_STORE).')
    process.exit(2)
  }
  if (scheme === 'sqlite') {
    console.warn(
      `WARNING: ${count} workers on one SQLite file: it works (single-use operations stay atomic) but every write takes the file lock, so writes do not scale with workers. Use redis:// or postgres:// for real scale-out.`,
    )
  }
  console.log(`polytoken examples server: primary ${process.pid}, ${count} workers on port ${config.port} (store: ${scheme})`)

  let stopping = false
  // Workers listen before their store answers; each says when it is set up (worker-ready.ts).
  const ready = new Set<number>()
  const fork = () => cluster.fork()
  let announced = false
  cluster.on('message', (worker, message) => {
    if (!isReadyMessage(message)) return
    ready.add(worker.id)
    if (!announced && ready.size === count) {
      announced = true
      console.log(`all ${count} workers listening and ready`)
    }
  })
  cluster.on('exit', (worker, code, signal) => {
    const wasReady = ready.delete(worker.id)
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit()
      return
    }
    if (!wasReady && signal === null) {
      // It failed before serving: configuration or store trouble (start-up retries spent) that a new worker would hit again.
      console.error(`worker ${worker.process.pid} exited before it was ready (code ${code}, signal ${String(signal)}); stopping`)
      stop(1)
      return
    }
    console.error(`worker ${worker.process.pid} exited (code ${code}, signal ${signal}); starting a new one`)
    fork()
  })
  const stop = (exitCode = 0) => {
    if (stopping) return
    stopping = true
    process.exitCode = exitCode
    // Each worker drains on its own (shutdown.ts) within the grace period; the primary waits for them all.
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM')
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit()
    setTimeout(() => process.exit(), config.shutdown.graceMs + 5000).unref()
  }
  process.on('SIGINT', () => stop())
  process.on('SIGTERM', () => stop())
  for (let i = 0; i < count; i++) fork()
  serveClusterMetrics(process.env)
}

async function runServer(): Promise<void> {
  const baseUrl = baseUrlOf(config, process.env)
  const logger = createServerLogger()
  // Listening before the store answers: /livez says alive, /readyz 503 until set up (a store not up yet is retried).
  const { app, router, mounts, warnings } = await createExampleServer({ ...config, startup: { ...config.startup, mode: 'background' } }, process.env, baseUrl, logger).catch(exitOnConfigError)
  serveMetrics(router, process.env)
  // In a cluster, worker 1 prints the banner; the others say they are up.
  const banner = !cluster.isWorker || cluster.worker?.id === 1

  const server = createServer(serverOptions(config.http), app)
  applyConnectionLimit(server, config.http)
  drainOnSignals(server, router, config.shutdown)
  const listening = new Promise<void>((resolve) => server.listen(config.port, resolve))
  router.ready.catch((error: { code?: string; message?: string }) => {
    // Closed by a signal while starting: the drain exits. Otherwise the store stayed away past the retry bound, or the configuration is wrong.
    if (router.state === 'closed') return
    console.error(`polytoken examples server: start-up failed (${error?.code ?? 'ERR_INTERNAL'}): ${error?.message}`)
    process.exit(1)
  })
  void listening.then(() => {
    if (banner && router.state === 'starting') console.log(`polytoken examples server listening on port ${config.port}; setting up (GET /readyz answers 503 until the store answers)`)
  })
  void Promise.all([listening, router.ready]).then(onReady, () => {}) // a failed start-up: handled above

  function onReady() {
    reportReady()
    if (!banner) {
      console.log(`worker ${process.pid} listening`)
      return
    }
    const lines = [`polytoken examples server on ${baseUrl} (store: ${router.runtime.store.kind}, data: ${config.dataDir})`, '']
    for (const mount of mounts) {
      lines.push(`${mount.dialect.name}${mount.prefix ? ` (prefix ${mount.prefix})` : ''}`)
      for (const route of router.runtime.routes.filter((r) => r.dialect === mount.dialect)) lines.push(`  ${route.method.padEnd(6)} ${route.fullPath}`)
      for (const note of mount.notes ?? []) lines.push(`  ${note}`)
    }
    lines.push('', 'also: GET /.well-known/jwks.json  GET /livez  GET /readyz  GET /healthz  GET /openapi.json')
    if (config.docs) lines.push(`API docs, with each document's request ready to send: ${baseUrl}/docs`)
    console.log(lines.join('\n'))
    warnExampleSecrets(logger, warnings)
    if (warnings.length > 0) {
      const bar = '!'.repeat(72)
      console.warn(
        `\n${bar}\n!! WARNING: example secrets in use — anyone who read the README knows them:\n${warnings.map((w) => `!!   ${w}`).join('\n')}\n!! Set them through config or environment before exposing this server.\n${bar}\n`,
      )
    }
  }
}
