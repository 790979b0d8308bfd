/**
 * The server `bench/cost.ts` counts instructions in: one prodmanager with nothing observed (/off: no metrics, tracing
 * off) and the same with @polytoken/metrics counting and polytoken's spans on (/on), each on a port of its own. COST_OTEL=1 registers the
 * OpenTelemetry SDK first (bench/otel-sdk.ts), so /off is then "the SDK alone" and /on "metrics + spans recorded";
 * COST_OTEL=0.1 samples one request in ten. COST_ON=metrics or COST_ON=tracing turns on only that one on /on, to tell
 * their costs apart.
 * Prints `COST_READY <off port> <on port>`.
 */
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { silentLogger } from '@polytoken/core'
import { polytoken } from '@polytoken/express'
import { polytokenMetrics } from '@polytoken/metrics'
import { prodmanager } from '@polytoken/plugins'
import { FIX } from './fixtures.js'
import { registerOpenTelemetrySdk } from './otel-sdk.js'

// COST_OTEL=1: every request sampled; COST_OTEL=0.1: one in ten (a parent-based ratio sampler).
const sampleRatio = Number(process.env.COST_OTEL ?? 0)
if (sampleRatio > 0) registerOpenTelemetrySdk(sampleRatio)

const router = (prefix: string, tracing: boolean) =>
  polytoken({
    dialects: [{ prefix, dialect: prodmanager({ secret: FIX.pm.secret, permissions: { scope_api: 1, service_api: 2 }, keys: [{ secret: FIX.pm.signingSecret }] }) }],
    store: 'memory://',
    masterKey: 'bench-master-key-0123456789abcdef',
    logger: silentLogger,
    tracing,
  })

// Each on its own app and port: a request to one never passes through the other's router.
const off = express().use(await router('/off', false))
const onRouter = await router('/on', process.env.COST_ON !== 'metrics')
// Metrics collect on every request; their handler is not mounted: a route before the router would be a layer Express
// tries on every request to /on and not to /off, and a scrape is rare next to requests.
if (process.env.COST_ON !== 'tracing') polytokenMetrics(onRouter)
const on = express().use(onRouter)
// A full collection before each measured window (the runner starts this process with --expose-gc): a create stores a
// record, so the heap grows, and a major collection landing in one window and not another would swamp the difference.
off.post('/cost/gc', (_req, res) => {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  gc?.()
  res.end(gc ? 'collected' : 'no gc')
})
const listen = (app: express.Express) =>
  new Promise<Server>((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server))
  })
const servers = [await listen(off), await listen(on)]
console.log(`COST_READY ${servers.map((server) => (server.address() as AddressInfo).port).join(' ')}`)
process.on('SIGTERM', () => process.exit(0))
