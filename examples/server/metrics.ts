import cluster from 'node:cluster'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { PolytokenRouter } from '@polytoken/express'
import { clusterMetricsHandler, polytokenMetrics, shareWithClusterPrimary } from '@polytoken/metrics'

export const DEFAULT_METRICS_PORT = 9464

/** POLYTOKEN_METRICS_PORT: a port (default 9464, Prometheus's exporter default), or `off` for no metrics server. */
export function metricsPort(env: NodeJS.ProcessEnv): number | undefined {
  const value = env.POLYTOKEN_METRICS_PORT?.trim()
  if (value === undefined || value === '') return DEFAULT_METRICS_PORT
  if (/^(off|false|no|none)$/i.test(value)) return undefined
  const port = Number(value)
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`POLYTOKEN_METRICS_PORT: expected a port from 1 to 65535 or "off", got "${value}"`)
    process.exit(2)
  }
  return port
}

/**
 * The examples server's metrics: counted in each process; served on a port of their own (GET /metrics), never on the
 * token port. With --workers the primary serves the sum of every worker's series (prom-client's AggregatorRegistry).
 */
export function serveMetrics(router: PolytokenRouter, env: NodeJS.ProcessEnv): void {
  const port = metricsPort(env)
  if (port === undefined) return
  const metrics = polytokenMetrics(router)
  if (cluster.isWorker) shareWithClusterPrimary(metrics.registry)
  else listen(port, env, metrics.handler)
}

/** In the cluster primary: GET /metrics answers the workers' series, added up. */
export function serveClusterMetrics(env: NodeJS.ProcessEnv): void {
  const port = metricsPort(env)
  if (port !== undefined) listen(port, env, clusterMetricsHandler())
}

function listen(port: number, env: NodeJS.ProcessEnv, handler: (req: IncomingMessage, res: ServerResponse) => void): void {
  const server = createServer((req, res) => {
    if ((req.url ?? '').split('?', 1)[0] === '/metrics') return handler(req, res)
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found: GET /metrics\n')
  })
  // Metrics are not worth failing the token service for: a taken port is reported and the server runs on without them.
  server.on('error', (error) => console.warn(`metrics: not serving on port ${port}: ${error.message} (POLYTOKEN_METRICS_PORT=off turns it off)`))
  server.listen(port, env.POLYTOKEN_METRICS_HOST || undefined, () => console.log(`metrics on http://${env.POLYTOKEN_METRICS_HOST || 'localhost'}:${port}/metrics`))
  server.unref()
}
