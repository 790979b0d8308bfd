import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import type { PolytokenRouter } from '@polytoken/express'
import type { ShutdownSettings } from './lifecycle-settings.js'

export interface ShutdownLog {
  info(message: string): void
  warn(message: string): void
}

/** How long the store's close may take after the connections are gone, before the process exits anyway. */
const STORE_CLOSE_LIMIT_MS = 2_000
/** How often connections whose last request ended are looked for during a drain. */
const IDLE_SWEEP_MS = 100

/** On SIGTERM or SIGINT, drain (below) once, then exit 0. A second signal (a terminal's Ctrl-C reaches every worker too) changes nothing. */
export function drainOnSignals(server: Server, router: Pick<PolytokenRouter, 'drain' | 'close'>, settings: ShutdownSettings, log: ShutdownLog = console): void {
  let draining = false
  const onSignal = (signal: NodeJS.Signals) => {
    if (draining) return
    draining = true
    void drain(server, router, settings, signal, log).finally(() => process.exit(0))
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
}

/**
 * A graceful stop, in Kubernetes' order:
 * 1. not-ready: /readyz answers 503 `draining`; requests are still served;
 * 2. after settings.delayMs (the load balancer has seen it), close the listener: new connections are refused;
 *    idle keep-alive connections are closed, and every answer from now on says `Connection: close`;
 * 3. wait for the requests in flight, until settings.graceMs after the signal; then cut what is left;
 * 4. close the store.
 */
export async function drain(server: Server, router: Pick<PolytokenRouter, 'drain' | 'close'>, settings: ShutdownSettings, signal: string, log: ShutdownLog): Promise<void> {
  const deadline = Date.now() + settings.graceMs
  router.drain()
  server.prependListener('request', closeAfterAnswer)
  log.info(`${signal}: draining (/readyz says 503); closing the listener in ${settings.delayMs} ms; requests in flight get until ${settings.graceMs} ms`)
  await sleep(settings.delayMs)

  const closed = new Promise<boolean>((resolve) => server.close(() => resolve(true)))
  server.closeIdleConnections()
  // A request in flight at the signal was answered keep-alive: its connection goes idle afterwards, and is closed then.
  const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS)
  const allDone = await Promise.race([closed, sleep(Math.max(0, deadline - Date.now()), false)])
  clearInterval(sweep)
  if (!allDone) {
    log.warn(`grace period (${settings.graceMs} ms) spent: closing the connections still open`)
    server.closeAllConnections()
  }

  const storeClosed = router.close().then(
    () => true,
    (error: unknown) => (log.warn(`store close failed: ${(error as Error)?.message ?? String(error)}`), true),
  )
  if (!(await Promise.race([storeClosed, sleep(STORE_CLOSE_LIMIT_MS, false)]))) log.warn(`the store did not close within ${STORE_CLOSE_LIMIT_MS} ms; exiting anyway`)
  log.info(`${signal}: drained; exiting`)
}

function closeAfterAnswer(_req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('Connection', 'close')
}
