import { join } from 'node:path'
import { freePort, prodmanagerConfig, startServer, type ServerProcess } from '../scale-out/harness.js'

/**
 * The examples server with prodmanager alone, `--workers 2` on SQLite in `dir`, and its metrics on a port of their own
 * (the primary serves the workers' sum there).
 */
export async function startClusterMetricsServer(dir: string): Promise<{ server: ServerProcess; metricsUrl: string }> {
  const metricsPort = await freePort()
  const server = await startServer({
    store: `sqlite://${join(dir, 'tokens.db')}`,
    config: prodmanagerConfig(),
    args: ['--workers', '2'],
    startTimeoutMs: 90_000,
    env: { POLYTOKEN_METRICS_PORT: String(metricsPort), POLYTOKEN_METRICS_HOST: '127.0.0.1' },
  })
  return { server, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` }
}
